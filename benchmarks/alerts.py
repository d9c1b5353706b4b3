"""What alert detection adds to an analytics refresh.

A refresh (`NetworkView.refresh`: the snapshot and what queries share) is timed against the
alert evaluation that follows it in the worker: the watch of every organisation
(`AnalyticsState.alert_watch`) and the comparison with the previous one (`detect`). Each is the
best of `repeats` runs, on the same network, in one process::

    .venv/bin/python -m benchmarks.alerts --sizes 10000,100000
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.measure import Row, bench_import, table
from stakenet.analytics.alerts import detect
from stakenet.analytics.network_view import NetworkView
from stakenet.bootstrap import build_store, database_url
from stakenet.demo.synthetic import write as write_network

ALERTS_TITLE = "Alert detection against the refresh it follows (seconds, best of runs)"


def network_data(url: str) -> Any:
    async def load() -> Any:
        store = build_store(database_url(url))
        await store.open()
        try:
            return await store.load_all()
        finally:
            await store.close()

    return asyncio.run(load())


def bench_alerts(url: str, repeats: int = 3) -> Row:
    view = NetworkView()
    view.load(network_data(url))
    refresh = watching = comparing = float("inf")
    previous = None
    organisations = 0
    for _ in range(repeats):
        start = time.perf_counter()
        state = view.refresh(datetime.now(UTC))
        refresh = min(refresh, time.perf_counter() - start)
        start = time.perf_counter()
        current = state.alert_watch()
        watching = min(watching, time.perf_counter() - start)
        start = time.perf_counter()
        detect(previous, current, [])
        comparing = min(comparing, time.perf_counter() - start)
        previous, organisations = current, len(current.organisations)
    detection = watching + comparing
    return {
        "organisations": organisations,
        "refresh s": refresh,
        "alert watch s": watching,
        "alert detect s": comparing,
        "alerts share of refresh %": 100.0 * detection / refresh,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000", help="tie counts, comma-separated")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each, the best counts")
    parser.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "stakenet-bench"
    )
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    rows: dict[int, Row] = {}
    for size in (int(s) for s in args.sizes.split(",") if s.strip()):
        document = write_network(size, args.workdir)
        db = args.workdir / f"alerts-{size}.db"
        if not db.exists():
            bench_import(document, f"sqlite:///{db}", size)
        rows[size] = bench_alerts(f"sqlite:///{db}", args.repeats)
        table(ALERTS_TITLE, rows)


if __name__ == "__main__":
    main()
