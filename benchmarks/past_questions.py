"""Trivial queries while a server answers a question about a new past date::

    .venv/bin/python -m benchmarks.past_questions --ties 100000 --shapes crm,regional

The analytics of a past instant (``asOf``) are a whole snapshot computed again. For each
network shape, two `stakenet serve` processes on the imported network take turns: one with
``--analytics process`` (the default: its worker process computes the past) and, as the
baseline, one with ``--analytics thread`` (the server computes it in a worker thread of its
own). Once a server is idle after its first snapshot, a poller sends the trivial query
``{ networkStats { stakeholders } }`` every 50 ms (one at a time) for `--quiet` seconds, then
goes on while another client asks `influenceRanking(asOf: …)` for a date `--days` ago, asking
again whenever the answer was stopped at the execution deadline, until it is answered. Each
row gives the trivial query's latency in the quiet window and while the past was computed,
and how long the past answer took.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from benchmarks.measure import (
    PYTHON,
    Row,
    free_port,
    imported_network,
    percentiles,
    process,
    table,
    write_figures,
)
from benchmarks.serving import column, settled, shapes_option
from benchmarks.under_refresh import TRIVIAL, Refused, every, first_snapshot, post, timed
from stakenet.demo.synthetic import SHAPES

PAST = "query($at: DateTime!) { influenceRanking(first: 5, asOf: $at) { score } }"


def latency(samples: list[float]) -> str:
    p50, p99 = percentiles(samples)
    return f"{p50 * 1000:.0f} / {p99 * 1000:.0f} / {max(samples) * 1000:.0f}"


async def measure(base: str, pid: int, quiet: float, days: float) -> Row:
    async with httpx.AsyncClient(base_url=base, timeout=120.0) as client:
        await first_snapshot(client)
    await settled(pid)
    at = (datetime.now(UTC) - timedelta(days=days)).isoformat()
    async with (
        httpx.AsyncClient(base_url=base, timeout=120.0) as poller,
        httpx.AsyncClient(base_url=base, timeout=120.0) as asker,
    ):
        calm: list[float] = []
        await every(0.05, time.monotonic() + quiet, lambda: timed(calm, poller, TRIVIAL))
        during: list[float] = []
        answered = asyncio.Event()

        async def poll() -> None:
            while not answered.is_set():
                await every(0.05, time.monotonic() + 1.0, lambda: timed(during, poller, TRIVIAL))

        async def ask() -> float:
            started = time.perf_counter()
            while True:
                try:
                    await post(asker, PAST, {"at": at})
                    break
                except Refused as refused:
                    if "did not finish within" not in str(refused):
                        raise
                    # Stopped at the execution deadline: the computation goes on, ask again.
            answered.set()
            return time.perf_counter() - started

        polling = asyncio.create_task(poll())
        took = await ask()
        await polling
    return {
        "past answered after s": took,
        "trivial p50 / p99 / max ms, quiet": latency(calm),
        "trivial p50 / p99 / max ms, computing the past": latency(during),
        "trivial queries while computing": len(during),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ties", type=int, default=100_000)
    parser.add_argument("--shapes", type=shapes_option, default=list(SHAPES),
                        help="network shapes, comma-separated (default: all)")  # fmt: skip
    parser.add_argument("--quiet", type=float, default=10.0, help="seconds of the quiet window")
    parser.add_argument("--days", type=float, default=200.0, help="how far back the date is")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    title = "Trivial queries while a server computes the analytics of a past date"
    rows: dict[int | str, Row] = {}
    with tempfile.TemporaryDirectory(prefix="stakenet-past-") as tmp:
        for shape in args.shapes:
            url = imported_network(args.ties, shape, Path(tmp), "past")
            for mode in ("process", "thread"):
                port = free_port()
                command = [PYTHON, "-m", "stakenet.cli", "serve", "--db", url, "--port",
                           str(port), "--log-level", "warning", "--rate-limit", "0",
                           "--analytics", mode]  # fmt: skip
                with process(
                    command, f"http://127.0.0.1:{port}/readyz", 600 + args.ties / 1000
                ) as server:
                    row = asyncio.run(
                        measure(f"http://127.0.0.1:{port}", server.pid, args.quiet, args.days)
                    )
                who = "its worker" if mode == "process" else "the server (baseline)"
                rows[f"{column(args.ties, shape)}, past computed by {who}"] = row
                table(title, rows)
    if args.json:
        write_figures(args.json, args, rows)


if __name__ == "__main__":
    main()
