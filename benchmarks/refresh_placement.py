"""Where the analytics refresh runs: in the serving process (``--analytics thread``) or in its
worker process (``--analytics process``), and what loading a snapshot file costs a server::

    .venv/bin/python -m benchmarks.refresh_placement --ties 100000
    .venv/bin/python -m benchmarks.refresh_placement --ties 100000 --file-only

- the snapshot file: compute, write, read and adopt times, its size, its frames and the
  longest a single frame's decoding holds the interpreter lock;
- per mode, over a few writes: refresh-to-visible latency (a write acknowledged until
  `analyticsRevision` reaches its revision), the serving process's own CPU seconds in that
  window (``/proc/PID/stat``; a worker process's CPU is not the server's), and the slowest
  `networkStats` answer polled every 50 ms meanwhile.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from benchmarks.measure import PYTHON, bench_import, free_port, percentiles, process, table
from stakenet.demo.synthetic import write

CREATE = """mutation($name: String!) { createPerson(input: {name: $name}) {
  person { id } errors { message } } }"""
STATS = "{ networkStats { stakeholders revision analyticsRevision } }"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds `pid` itself used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def bench_file(url: str) -> dict[str, Any]:
    """The snapshot file of the network at `url`, in this process."""
    from stakenet.analytics.network_view import NetworkView
    from stakenet.analytics.snapshot_file import read_snapshot, write_snapshot
    from stakenet.services.snapshots import long_lived
    from stakenet.store.sqlite import SQLiteStore

    async def data() -> Any:
        store = SQLiteStore(url.removeprefix("sqlite:///"))
        await store.open()
        try:
            return await store.load_all()
        finally:
            await store.close()

    view = NetworkView()
    view.load(asyncio.run(data()))
    started = time.perf_counter()
    state = view.refresh(datetime.now(UTC))
    computed = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="stakenet-snapshot-") as directory:
        started = time.perf_counter()
        path = write_snapshot(Path(directory), state)
        written = time.perf_counter() - started
        size = path.stat().st_size
        # As a server loads one (`SnapshotFollower`): no full collector pass meanwhile.
        with collector_passes() as passes, long_lived():
            started = time.perf_counter()
            loaded = read_snapshot(path)
            read = time.perf_counter() - started
            started = time.perf_counter()
            NetworkView().adopt(loaded.state)
            adopted = time.perf_counter() - started
        longest = loaded.longest_frame
        del loaded
        # Again with the collector off: what decoding one frame costs by itself.
        gc.disable()
        try:
            alone = read_snapshot(path)
        finally:
            gc.enable()
    return {
        "compute + warm s": computed,
        "write s": written,
        "file MB": size / 1e6,
        "read s": read,
        "frames": alone.frames,
        "longest frame decode ms": longest * 1000,
        "adopt (warm) s": adopted,
        "longest frame decode, collector off, ms": alone.longest_frame * 1000,
        "full collector passes during read + adopt": len(passes),
        "longest full collector pass ms": max(passes, default=0.0) * 1000,
    }


@contextlib.contextmanager
def collector_passes() -> Iterator[list[float]]:
    """The durations of the cyclic collector's full (oldest generation) passes meanwhile."""
    passes: list[float] = []
    started = 0.0

    def watch(phase: str, info: dict[str, int]) -> None:
        nonlocal started
        if info["generation"] != 2:
            return
        if phase == "start":
            started = time.perf_counter()
        else:
            passes.append(time.perf_counter() - started)

    gc.callbacks.append(watch)
    try:
        yield passes
    finally:
        gc.callbacks.remove(watch)


async def writes_until_visible(base: str, pid: int, writes: int) -> dict[str, float]:
    latencies: list[float] = []
    cpu: list[float] = []
    slowest = 0.0
    async with httpx.AsyncClient(base_url=base, timeout=600.0) as client:

        async def stats() -> dict[str, Any]:
            response = await client.post("/graphql", json={"query": STATS})
            body: dict[str, Any] = response.json()["data"]["networkStats"]
            return body

        while True:
            now = await stats()
            if now["analyticsRevision"] == now["revision"]:
                break
            await asyncio.sleep(0.5)
        for index in range(writes):
            await asyncio.sleep(2.0)
            cpu_before = cpu_seconds(pid)
            started = time.perf_counter()
            response = await client.post(
                "/graphql", json={"query": CREATE, "variables": {"name": f"Bench {index}"}}
            )
            assert response.json()["data"]["createPerson"]["errors"] == []
            revision = (await stats())["revision"]
            while True:
                asked = time.perf_counter()
                current = await stats()
                slowest = max(slowest, time.perf_counter() - asked)
                if (current["analyticsRevision"] or 0) >= revision:
                    break
                await asyncio.sleep(0.05)
            latencies.append(time.perf_counter() - started)
            cpu.append(cpu_seconds(pid) - cpu_before)
    return {
        "refresh-to-visible p50 s": percentiles(latencies)[0],
        "refresh-to-visible max s": max(latencies),
        "server CPU s per refresh (median)": percentiles(cpu)[0],
        "slowest networkStats meanwhile s": slowest,
    }


def bench_mode(url: str, mode: str, writes: int) -> dict[str, float]:
    port = free_port()
    serve = [PYTHON, "-m", "stakenet.cli", "serve", "--db", url, "--port", str(port),
             "--log-level", "warning", "--rate-limit", "0", "--analytics", mode]  # fmt: skip
    with process(serve, f"http://127.0.0.1:{port}/readyz") as server:
        return asyncio.run(writes_until_visible(f"http://127.0.0.1:{port}", server.pid, writes))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ties", type=int, default=100_000)
    parser.add_argument("--writes", type=int, default=3)
    parser.add_argument("--file-only", action="store_true", help="the snapshot file alone")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="stakenet-placement-") as tmp:
        document = write(args.ties, Path(tmp))
        url = f"sqlite:///{Path(tmp) / 'placement.db'}"
        bench_import(document, url, args.ties)
        table("Snapshot file", {f"{args.ties:,} ties": bench_file(url)})
        if args.file_only:
            return
        rows: dict[int | str, dict[str, Any]] = {}
        for mode in ("thread", "process"):
            rows[f"--analytics {mode}"] = bench_mode(url, mode, args.writes)
        table(f"Refresh placement, {args.ties:,} ties", rows)


if __name__ == "__main__":
    main()
