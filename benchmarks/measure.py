"""What the benchmarks measure with: a fresh process's import, a server process, concurrent
load over HTTP, percentiles, and the tables the figures are printed in."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx

Row = dict[str, Any]
PYTHON = sys.executable


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered), p99


# Runs `stakenet import` in a fresh process and prints its time, the process's peak memory and
# the CPU time it spent: a fresh process, so that the peak is the import's own and not what the
# run holds already.
_IMPORT_PROBE = """
import contextlib, io, json, resource, sys, time
from stakenet.cli import main
# Loaded before the clock starts, as `main` would load them: the rate is the import's own.
import stakenet.services.transfer, stakenet.store.sqlite.store, stakenet.store.neo4j.store
started = time.perf_counter()
before = resource.getrusage(resource.RUSAGE_SELF)
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    code = main(["import", "--db", sys.argv[1], sys.argv[2]])
seconds = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_SELF)
cpu = usage.ru_utime + usage.ru_stime - before.ru_utime - before.ru_stime
peak_kib = usage.ru_maxrss
# The largest child that ended: on SQLite, the import's writer process.
writer_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"code": code, "seconds": seconds, "cpu_s": cpu, "peak_mb": peak_kib / 1024,
                  "writer_peak_mb": writer_kib / 1024}))
"""


def run_import_probe(
    program: str, target: str, document: Path, env: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The figures `program` (a probe that imports its second argument into its first and
    prints them as JSON, with the import's exit code) gives for one import, in a fresh
    interpreter."""
    probe = subprocess.run(
        [sys.executable, "-c", program, target, str(document)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    result: dict[str, Any] = json.loads(probe.stdout)
    if result["code"] != 0:
        raise RuntimeError(f"import into {target} failed with exit code {result['code']}")
    return result


def _probe_import(document: Path, url: str) -> dict[str, Any]:
    """`_IMPORT_PROBE`'s figures for one import of `document` into `url`."""
    return run_import_probe(_IMPORT_PROBE, url, document)


def bench_import(
    document: Path, url: str, ties: int, repeats: int = 1, fresh: Callable[[], None] = lambda: None
) -> tuple[float, float, float]:
    """The best import rate (ties/s) of `repeats` imports, each into a store `fresh` empties,
    and the peak memory (MB) of the importing process and of its writer process (SQLite)."""
    best, peak, writer_peak = 0.0, 0.0, 0.0
    for _ in range(repeats):
        fresh()
        result = _probe_import(document, url)
        best = max(best, ties / result["seconds"])
        peak = max(peak, result["peak_mb"])
        writer_peak = max(writer_peak, result["writer_peak_mb"])
    return best, peak, writer_peak


# HotSpot's threads by what they do, from the names Linux keeps of them (15 characters): the
# compiler threads compile the server's code while it warms up, the collector's reclaim memory.
_JIT_THREADS = ("C1 CompilerThre", "C2 CompilerThre")
_GC_THREADS = ("GC Thread", "G1 ")
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def thread_work(name: str) -> str:
    """What a JVM thread called `name` does: "jit", "gc", or "server" (everything else)."""
    if name.startswith(_JIT_THREADS):
        return "jit"
    if name.startswith(_GC_THREADS):
        return "gc"
    return "server"


def cpu_seconds(stat: str) -> tuple[str, float]:
    """The name and CPU seconds (user and system) in a `/proc/.../stat` line."""
    name = stat[stat.index("(") + 1 : stat.rindex(")")]
    fields = stat[stat.rindex(")") + 2 :].split()
    # utime and stime: fields 14 and 15 of proc(5), 12th and 13th after the name.
    return name, (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def process_cpu(pid: int) -> dict[str, float]:
    """CPU seconds process `pid` has used so far ("total", ended threads included), and of
    them those of its live threads by what they do (`thread_work`)."""
    proc = Path("/proc") / str(pid)
    spent = {"total": cpu_seconds((proc / "stat").read_text())[1], "jit": 0.0, "gc": 0.0}
    for task in (proc / "task").iterdir():
        with contextlib.suppress(OSError):  # a thread that ended meanwhile
            name, seconds = cpu_seconds((task / "stat").read_text())
            work = thread_work(name)
            if work in spent:
                spent[work] += seconds
    return spent


def bench_bolt_import(document: Path, url: str, ties: int, server_pid: int) -> Row:
    """One import into the Neo4j whose JVM is process `server_pid`: its rate, the CPU seconds
    of the importing process and of the server, and of the server's those of its JIT compiler
    and garbage collector threads (the rest is the server's own work)."""
    before = process_cpu(server_pid)
    result = _probe_import(document, url)
    after = process_cpu(server_pid)
    return {
        "ties/s": ties / result["seconds"],
        "import CPU s": result["cpu_s"],
        "server CPU s": after["total"] - before["total"],
        "server JIT CPU s": after["jit"] - before["jit"],
        "server GC CPU s": after["gc"] - before["gc"],
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def process(
    args: list[str], ready_url: str, timeout: float = 600.0
) -> Iterator[subprocess.Popen[bytes]]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(["src", os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"{args[2]} exited: {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(ready_url, timeout=2.0).status_code == 200:
                    break
            time.sleep(0.5)
        else:
            raise RuntimeError(f"{args[2]} did not become ready in {timeout:.0f} s")
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


async def load(
    client: httpx.AsyncClient, make: Callable[[int], tuple[str, dict[str, Any]]],
    concurrency: int, seconds: float,
) -> tuple[float, int]:  # fmt: skip
    """Requests per second with `concurrency` clients for `seconds`; also the error count."""
    done = 0
    errors = 0
    stop = time.monotonic() + seconds

    async def worker(w: int) -> None:
        nonlocal done, errors
        i = w
        while time.monotonic() < stop:
            path, params = make(i)
            i += concurrency
            response = await (client.post(path, json=params) if params else client.get(path))
            if response.status_code == 200 and "errors" not in response.json():
                done += 1
            else:
                errors += 1
                if errors == 1:
                    print(f"first error: {response.status_code} {response.text[:300]}",
                          file=sys.stderr)  # fmt: skip

    start = time.monotonic()
    await asyncio.gather(*(worker(w) for w in range(concurrency)))
    return done / (time.monotonic() - start), errors


def table(title: str, rows: Mapping[int | str, Row]) -> None:
    """Print `rows` as one Markdown table, a column each: a tie count, or a label such as
    ``100,000 ties, regional`` when several network shapes are measured side by side."""
    print(f"\n## {title}\n")
    columns = [f"{c:,}" if isinstance(c, int) else c for c in rows]
    keys = list(dict.fromkeys(k for r in rows.values() for k in r))
    width = max([len(k) for k in keys] + [10])
    cell = max([len(c) for c in columns] + [12])
    print(f"| {'ties':<{width}} | " + " | ".join(f"{c:>{cell}}" for c in columns) + " |")
    print(f"|{'-' * (width + 2)}|" + "|".join("-" * (cell + 2) for _ in columns) + "|")
    for key in keys:
        cells = []
        for row in rows.values():
            v = row.get(key, "")
            if isinstance(v, float):
                cells.append(f"{v:>{cell},.0f}" if abs(v) >= 1000 else f"{v:>{cell}.4g}")
            else:
                cells.append(f"{v!s:>{cell}}")
        print(f"| {key:<{width}} | " + " | ".join(cells) + " |")
    sys.stdout.flush()


def imported_network(ties: int, shape: str, directory: Path, name: str) -> str:
    """The URL of a new SQLite database in `directory` into which the synthetic `shape` network
    of `ties` ties was imported (`stakenet import`, timed by `bench_import`)."""
    from stakenet.demo.synthetic import write

    document = write(ties, directory, shape=shape)
    url = f"sqlite:///{directory / f'{name}-{shape}.db'}"
    bench_import(document, url, ties)
    return url


def write_figures(path: Path, arguments: argparse.Namespace, rows: Mapping[int | str, Row]) -> None:
    """Write a run's arguments (as typed) and its rows to `path` as JSON."""
    figures = {"arguments": vars(arguments) | {"json": str(path)}, "rows": rows}
    path.write_text(json.dumps(figures, indent=2, default=str) + "\n", encoding="utf-8")
