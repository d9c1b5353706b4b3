"""The network over time, in process: `relationshipHealth` over twelve months, and
`keyDecisionMakers(asOf:)` for a date without a past snapshot and with one kept, against a full
refresh and today's answer; and the portfolio.

Targets are organisations with more than three people (as the other query series), months are
counted back from now, and the past dates are a month apart so that none is kept before it is
first asked. On the synthetic networks of the other benchmarks (imported once into SQLite)::

    .venv/bin/python -m benchmarks.over_time --sizes 10000,100000
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from benchmarks.measure import Row, bench_import, percentiles, table
from stakenet.analytics.projection import Projection
from stakenet.bootstrap import build_runtime, database_url, opened_store
from stakenet.demo.synthetic import write as write_network
from stakenet.services.analytics import HealthInterval

TITLE = "Over time, in process (seconds)"


async def _timed(fn: Callable[[], Awaitable[Any]]) -> float:
    start = time.perf_counter()
    await fn()
    return time.perf_counter() - start


def _organisations(projection: Projection, count: int) -> list[str]:
    G = projection.graph
    orgs = [v for v, kind in G.nodes(data="kind") if kind != "PERSON" and G.in_degree(v) > 3]
    return random.Random(1).sample(orgs, min(count, len(orgs)))


def bench_over_time(
    url: str, projection: Projection, count: int, past_dates: int = 5, portfolio: bool = True
) -> Row:
    async def run() -> Row:
        runtime = build_runtime(database_url(url))
        analytics = runtime.services.analytics
        await runtime.start()
        try:
            row: Row = {}
            refreshes = [await _timed(analytics.refresh) for _ in range(2)]
            row["full refresh"] = min(refreshes)
            orgs = _organisations(projection, count)
            now = analytics.now()
            year_ago = now - timedelta(days=365)

            samples = [
                await _timed(
                    lambda org=org: analytics.relationship_health(
                        org, year_ago, now, HealthInterval.MONTH
                    )
                )
                for org in orgs
            ]
            row["relationshipHealth 12 months p50"], row["relationshipHealth 12 months p99"] = (
                percentiles(samples)
            )

            today = [await _timed(lambda o=o: analytics.key_decision_makers(o, 10)) for o in orgs]
            row["keyDecisionMakers today p50"] = percentiles(today)[0]
            dates = [now - timedelta(days=30 * (i + 1)) for i in range(past_dates)]
            uncached = [
                await _timed(lambda d=d, o=org: analytics.key_decision_makers(o, 10, d))
                for d, org in zip(dates, orgs, strict=False)
            ]
            row["keyDecisionMakers asOf, new date p50"] = percentiles(uncached)[0]
            row["  / full refresh"] = (
                row["keyDecisionMakers asOf, new date p50"] / row["full refresh"]
            )
            kept = [
                await _timed(lambda d=dates[-1], o=o: analytics.key_decision_makers(o, 10, d))
                for o in orgs
            ]
            row["keyDecisionMakers asOf, kept date p50"] = percentiles(kept)[0]
            if portfolio:
                accounts = await _timed(lambda: analytics.portfolio(20))
                row["portfolio, first of a snapshot"] = accounts
                row["portfolio, kept"] = await _timed(lambda: analytics.portfolio(20))
            return row
        finally:
            await runtime.stop()

    return asyncio.run(run())


def _projection(url: str) -> Projection:
    async def load() -> Any:
        async with opened_store(database_url(url)) as store:
            return await store.load_all()

    return Projection.from_data(asyncio.run(load()))


def main() -> None:
    parser = argparse.ArgumentParser(description="stakenet benchmarks: the network over time")
    parser.add_argument("--sizes", default="10000,100000", help="tie counts, comma-separated")
    parser.add_argument("--queries", type=int, default=30, help="organisations per series")
    parser.add_argument("--portfolio-max", type=int, default=10_000,
                        help="largest size whose portfolio is timed")  # fmt: skip
    parser.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "stakenet-bench-over-time"
    )
    args = parser.parse_args()
    rows: dict[int, Row] = {}
    args.workdir.mkdir(parents=True, exist_ok=True)
    for size in (int(s) for s in args.sizes.split(",") if s.strip()):
        document = write_network(size, args.workdir)
        db = args.workdir / f"network-{size}.db"
        url = f"sqlite:///{db}"
        if not db.exists():
            bench_import(document, url, size)
        rows[size] = bench_over_time(
            url, _projection(url), args.queries, portfolio=size <= args.portfolio_max
        )
        table(TITLE, rows)


if __name__ == "__main__":
    main()
