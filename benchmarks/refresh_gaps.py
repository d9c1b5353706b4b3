"""How long each stage of an analytics refresh keeps the process's other threads waiting.

    .venv/bin/python -m benchmarks.refresh_gaps --ties 100000 --shapes crm,regional

Imports the synthetic network into SQLite, reads it back as a server does, and runs the steps of
a refresh (`NetworkView.refresh`: copy the graph, `compute_snapshot`, warm the state) in this
process while a second thread wakes every millisecond and records how long each wake-up
came late. A stage whose longest gap is far above the interpreter's 5 ms switch interval holds
the GIL in one call (a C extension that does not release it) or runs a collector pass; the
event loop of a server waits just as long. `--collector off` disables the cyclic collector
during the refresh, leaving the GIL alone.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.measure import Row, imported_network, table
from benchmarks.serving import column, shapes_option
from stakenet.analytics.network_view import AnalyticsState
from stakenet.analytics.projection import Projection
from stakenet.analytics.snapshot import compute_snapshot
from stakenet.bootstrap import database_url, opened_store
from stakenet.demo.synthetic import SHAPES
from stakenet.domain.model import GraphData


class LateWakeUps:
    """A thread that sleeps a millisecond at a time and keeps (woken at, late by) pairs."""

    def __init__(self) -> None:
        self.gaps: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._tick, daemon=True)

    def _tick(self) -> None:
        last = time.perf_counter()
        while not self._stop.is_set():
            time.sleep(0.001)
            now = time.perf_counter()
            self.gaps.append((now, now - last))
            last = now

    def __enter__(self) -> LateWakeUps:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def within(self, start: float, end: float) -> list[float]:
        """The gaps whose middle falls between `start` and `end`."""
        return [gap for woke, gap in self.gaps if start <= woke - gap / 2 <= end]


async def network_of(url: str) -> GraphData:
    async with opened_store(database_url(url)) as store:
        return await store.load_all()


def refresh_gaps(data: GraphData, collector: bool) -> Row:
    projection = Projection.from_data(data)
    stages: list[tuple[str, float, float]] = []
    enabled = gc.isenabled()
    if not collector:
        gc.disable()
    try:
        with LateWakeUps() as wakeups:
            time.sleep(0.1)
            started = time.perf_counter()
            graph = projection.graph.copy()
            copied = time.perf_counter()
            snapshot = compute_snapshot(
                graph, dict(projection.interactions), projection.revision, datetime.now(UTC)
            )
            computed = time.perf_counter()
            state = AnalyticsState(graph, snapshot, dict(projection.interactions))
            state.warm()
            state.timeline()
            warmed = time.perf_counter()
            time.sleep(0.1)
    finally:
        if enabled:
            gc.enable()
    stages.append(("graph copy", started, copied))
    clock = copied
    # The snapshot's stages run one after the other; what they do not time ends the span.
    for stage, seconds in snapshot.timings.items():
        stages.append((stage, clock, clock + seconds))
        clock += seconds
    stages.append(("rest of compute_snapshot", clock, computed))
    stages.append(("warm and timeline", computed, warmed))
    row: Row = {"refresh s": warmed - started}
    row["longest gap ms, whole refresh"] = max(wakeups.within(started, warmed)) * 1000
    row["gaps over 50 ms"] = sum(g > 0.05 for g in wakeups.within(started, warmed))
    for stage, start, end in stages:
        gaps = wakeups.within(start, end)
        row[f"{stage}: s / longest gap ms"] = (
            f"{end - start:.2f} / {max(gaps, default=0) * 1000:.0f}"
        )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ties", type=int, default=100_000)
    parser.add_argument("--shapes", type=shapes_option, default=list(SHAPES),
                        help="network shapes, comma-separated (default: all)")  # fmt: skip
    parser.add_argument("--collector", choices=["on", "off"], default="off",
                        help="the cyclic collector during the refresh (default off)")  # fmt: skip
    args = parser.parse_args()
    rows: dict[int | str, Row] = {}
    with tempfile.TemporaryDirectory(prefix="stakenet-refresh-gaps-") as tmp:
        for shape in args.shapes:
            url = imported_network(args.ties, shape, Path(tmp), "gaps")
            data = asyncio.run(network_of(url))
            rows[column(args.ties, shape)] = refresh_gaps(data, args.collector == "on")
            title = f"Late wake-ups of a 1 ms ticker during a refresh (collector {args.collector})"
            table(title, rows)


if __name__ == "__main__":
    main()
