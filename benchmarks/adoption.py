"""What a server's adoption of a snapshot file holds its event loop for, stage by stage::

    .venv/bin/python -m benchmarks.adoption --ties 100000 --shapes crm,regional

For each shape: the network imported into SQLite, its snapshot computed and written as a file
(`stakenet.analytics.snapshot_file`) in this process; then, as a server in `process` or
`follow` mode holds it, a second read model loaded from the store adopts the file
`--adoptions` times while an asyncio loop in the main thread wakes every 5 ms and records how
late each wake-up is. The stages are those of `SnapshotFollower`: reading the file in a worker
thread, adopting it (warming what the file does not carry, and the swap) in a worker thread,
leaving `long_lived` (a young collection and `gc.freeze`), and, once every adoption is done,
releasing the replaced snapshots (`NetworkView.release_retired`). Each stage's row gives its
wall-clock seconds and the latest the loop woke while it ran: what a request would have waited.

Each adoption after the first re-dates the same file's snapshot by a second, so that it is
newer than the current one and replaces it.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import anyio.to_thread

# The network of a database, as a server loads it.
from benchmarks.alerts import network_data
from benchmarks.measure import Row, imported_network, percentiles, table
from benchmarks.serving import column, shapes_option
from stakenet.demo.synthetic import SHAPES

T = TypeVar("T")
TICK = 0.005


def snapshot_file_of(data: Any, directory: Path) -> tuple[Path, float, float]:
    """The snapshot file of `data`, with the seconds its refresh and its write took."""
    from stakenet.analytics.network_view import NetworkView
    from stakenet.analytics.snapshot_file import write_snapshot

    view = NetworkView()
    view.load(data)
    started = time.perf_counter()
    state = view.refresh(datetime.now(UTC))
    computed = time.perf_counter() - started
    started = time.perf_counter()
    path = write_snapshot(directory, state)
    return path, computed, time.perf_counter() - started


async def adopt_repeatedly(data: Any, path: Path, adoptions: int) -> Row:
    from stakenet.analytics.network_view import NetworkView
    from stakenet.analytics.snapshot_file import read_snapshot
    from stakenet.services.snapshots import long_lived

    view = NetworkView()
    view.load(data)
    view.track_retired()
    lateness: list[tuple[float, float]] = []  # (woken at, seconds late)
    stages: list[tuple[str, float, float]] = []
    running = True

    async def ticker() -> None:
        while running:
            started = time.perf_counter()
            await asyncio.sleep(TICK)
            woken = time.perf_counter()
            lateness.append((woken, woken - started - TICK))

    async def stage(name: str, work: Callable[..., T], *args: Any) -> T:
        started = time.perf_counter()
        result = await anyio.to_thread.run_sync(work, *args)
        stages.append((name, started, time.perf_counter()))
        return result

    ticking = asyncio.create_task(ticker())
    longest_frame = 0.0
    for number in range(adoptions):
        await asyncio.sleep(0.5)
        with long_lived():
            loaded = await stage("read", read_snapshot, path)
            longest_frame = max(longest_frame, loaded.longest_frame)
            state = loaded.state
            later = state.snapshot.computed_at + timedelta(seconds=number)
            state.snapshot = dataclasses.replace(state.snapshot, computed_at=later)
            await stage("adopt", view.adopt, state)
            leaving = time.perf_counter()
        stages.append(("freeze", leaving, time.perf_counter()))
        del loaded, state
    await asyncio.sleep(0.5)
    await stage("release", view.release_retired, 0.0)
    await asyncio.sleep(0.5)
    running = False
    await ticking

    row: Row = {}
    for name in ("read", "adopt", "freeze", "release"):
        spans = [(start, end) for label, start, end in stages if label == name]
        late = [
            delay
            for woken, delay in lateness
            if any(start <= woken and woken - delay - TICK <= end for start, end in spans)
        ]
        row[f"{name} s (longest)"] = max(end - start for start, end in spans)
        row[f"{name}: latest wake-up ms"] = max(late, default=0.0) * 1000
    p50, p99 = percentiles([delay for _, delay in lateness])
    row["wake-up lateness p50 / p99 ms"] = f"{p50 * 1000:.1f} / {p99 * 1000:.1f}"
    row["longest frame decode ms"] = longest_frame * 1000
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ties", type=int, default=100_000)
    parser.add_argument("--shapes", type=shapes_option, default=list(SHAPES),
                        help="network shapes, comma-separated (default: all)")  # fmt: skip
    parser.add_argument("--adoptions", type=int, default=3)
    args = parser.parse_args()
    rows: dict[int | str, Row] = {}
    with tempfile.TemporaryDirectory(prefix="stakenet-adoption-") as tmp:
        for shape in args.shapes:
            url = imported_network(args.ties, shape, Path(tmp), "adoption")
            data = network_data(url)
            path, computed, written = snapshot_file_of(data, Path(tmp) / shape)
            row: Row = {"refresh s": computed, "write s": written}
            row["file MB"] = path.stat().st_size / 1e6
            row.update(asyncio.run(adopt_repeatedly(data, path, args.adoptions)))
            rows[column(args.ties, shape)] = row
            table("Adopting a snapshot file: its stages and the event loop's lateness", rows)


if __name__ == "__main__":
    main()
