"""Serving a relationship map: GraphQL uncached and cached against the plain starlette endpoint.

The issue's serving targets, measured side by side in one run on one worker each::

    .venv/bin/python -m benchmarks.serving --ties 100000 --shapes crm,regional

- latency: `relationshipMap` (depth 2, at most 200 stakeholders) p50 over HTTP, uncached and
  cached, against the plain endpoint that builds the same map with NetworkX and returns JSON;
- throughput at a stated concurrency: GraphQL uncached and cached against the plain endpoint.

Both servers run side by side, each measured once it is idle (its first analytics snapshot
published and that refresh's alerts evaluated), and they are measured in turns: per centre one
request each, and the load runs in one-second slices taking turns, so that whatever else loads
the machine weighs on both alike. Each server's CPU time per request under load is reported
too: unlike latency, it hardly moves with the machine's load.

Each figure is measured on every network shape asked for (`stakenet.demo.synthetic.SHAPES`:
``crm``, and ``regional`` with a few organisations of thousands of people), side by side.

"Uncached" requests differ in a `minStrength` far below any tie's strength, so each is a new
cache key for the same map; "cached" requests repeat the same documents and variables.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks.measure import (
    PYTHON,
    bench_import,
    free_port,
    load,
    percentiles,
    process,
    table,
)
from stakenet.api.ids import from_global_id
from stakenet.demo.synthetic import SHAPES, write

MAP = """query Map($id: ID!, $min: Float!) {
  relationshipMap(centerId: $id, depth: 2, limit: 200, minStrength: $min) {
    center { id name } nodes { distance stakeholder { id name kind } }
    edges { id source target kind strength } truncated } }"""

# The longest a server may take to its first snapshot, and then to settle (1M ties: minutes).
STARTUP_SECONDS = 3600.0


async def people_of(client: httpx.AsyncClient, count: int) -> list[str]:
    body = (
        await client.post(
            "/graphql",
            json={
                "query": "query($n: Int!) { stakeholders(kind: PERSON, first: $n) "
                "{ edges { node { id } } } }",
                "variables": {"n": count},
            },
        )
    ).json()
    return [e["node"]["id"] for e in body["data"]["stakeholders"]["edges"]]


async def first_snapshot(client: httpx.AsyncClient) -> None:
    """Wait until the server has published its first analytics snapshot."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        # At 1M ties a server answers slowly while it builds its first snapshot: keep asking.
        with contextlib.suppress(httpx.TimeoutException):
            stats = (
                await client.post(
                    "/graphql", json={"query": "{ networkStats { analyticsRevision } }"}
                )
            ).json()
            if stats["data"]["networkStats"]["analyticsRevision"] is not None:
                return
        if time.monotonic() > deadline:
            raise RuntimeError("no analytics snapshot")
        await asyncio.sleep(0.5)


def cpu_seconds(pid: int) -> float | None:
    """CPU time a process has used (Linux /proc), or None where it cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


async def settled(pid: int, window: float = 2.0) -> None:
    """Wait until process `pid` is idle: under 5 % of a core over `window` seconds.

    After its first snapshot a server still evaluates the alerts of that refresh (minutes at
    1M ties), in the same process; requests measured meanwhile share the interpreter with it.
    """
    deadline = time.monotonic() + STARTUP_SECONDS
    before = cpu_seconds(pid)
    while before is not None and time.monotonic() < deadline:
        await asyncio.sleep(window)
        after = cpu_seconds(pid)
        if after is None or after - before < 0.05 * window:
            return
        before = after


def map_request(center: str, min_strength: float) -> tuple[str, dict[str, Any]]:
    return "/graphql", {"query": MAP, "variables": {"id": center, "min": min_strength}}


def plain_request(raw_center: str) -> tuple[str, dict[str, Any]]:
    return f"/map?center={raw_center}&depth=2&limit=200", {}


async def timed(client: httpx.AsyncClient, request: tuple[str, dict[str, Any]]) -> float:
    path, body = request
    start = time.perf_counter()
    response = await (client.post(path, json=body) if body else client.get(path))
    elapsed = time.perf_counter() - start
    if response.status_code != 200 or response.json().get("errors"):
        raise RuntimeError(response.text[:300])
    return elapsed


async def compare(
    ours: str, ours_pid: int, plain: str, plain_pid: int, count: int, concurrency: int,
    seconds: float,
) -> dict[str, float]:  # fmt: skip
    """Latency and throughput of both servers, measured in turns so that whatever else the
    machine runs weighs on both alike: one request each per centre, and the load runs in
    one-second slices taking turns."""
    async with (
        httpx.AsyncClient(base_url=ours, timeout=120.0) as graphql,
        httpx.AsyncClient(base_url=plain, timeout=120.0) as starlette,
    ):
        await first_snapshot(graphql)
        await asyncio.gather(settled(ours_pid), settled(plain_pid))
        ids = await people_of(graphql, count)
        raw_ids = [from_global_id(g)[1] for g in ids]  # the plain endpoint takes raw ids
        jitter = iter(range(1, 10**9))

        def uncached(i: int) -> tuple[str, dict[str, Any]]:
            return map_request(ids[i % len(ids)], next(jitter) * 1e-12)

        def cached(i: int) -> tuple[str, dict[str, Any]]:
            return map_request(ids[i % len(ids)], 0.0)

        def baseline(i: int) -> tuple[str, dict[str, Any]]:
            return plain_request(raw_ids[i % len(raw_ids)])

        for i in range(len(ids)):  # fill the cache for the same documents and variables
            await timed(graphql, cached(i))
        samples: dict[str, list[float]] = {"uncached": [], "cached": [], "plain": []}
        for i in range(len(ids)):
            samples["uncached"].append(await timed(graphql, uncached(i)))
            samples["cached"].append(await timed(graphql, cached(i)))
            samples["plain"].append(await timed(starlette, baseline(i)))
        rates: dict[str, list[float]] = {"uncached": [], "cached": [], "plain": []}
        # The server's CPU seconds and the requests it answered under load: CPU per request
        # hardly depends on what else the machine runs, unlike latency.
        used = {"uncached": [0.0, 0.0], "cached": [0.0, 0.0], "plain": [0.0, 0.0]}
        for _ in range(max(1, round(seconds))):
            for name, client, make, pid in (
                ("uncached", graphql, uncached, ours_pid),
                ("cached", graphql, cached, ours_pid),
                ("plain", starlette, baseline, plain_pid),
            ):
                before, start = cpu_seconds(pid) or 0.0, time.monotonic()
                rps, _ = await load(client, make, concurrency, seconds / max(1, round(seconds)))
                used[name][0] += (cpu_seconds(pid) or 0.0) - before
                used[name][1] += rps * (time.monotonic() - start)
                rates[name].append(rps)
    result = {f"{name} p50": percentiles(s)[0] for name, s in samples.items()}
    result.update({f"{name} rps": statistics.fmean(r) for name, r in rates.items()})
    result.update({f"{name} cpu": cpu / max(done, 1.0) for name, (cpu, done) in used.items()})
    return result


def bench_serving(url: str, maps: int, concurrency: int, seconds: float) -> dict[str, Any]:
    """The serving targets on the database at `url`: both servers, one worker each, running
    side by side and measured in turns."""
    port, plain_port = free_port(), free_port()
    serve = [PYTHON, "-m", "stakenet.cli", "serve", "--db", url, "--port", str(port),
             "--log-level", "warning", "--rate-limit", "0"]  # fmt: skip
    plain_cmd = [PYTHON, "-m", "benchmarks.plain_app", "--db", url, "--port", str(plain_port)]
    with (
        process(serve, f"http://127.0.0.1:{port}/readyz") as ours,
        process(plain_cmd, f"http://127.0.0.1:{plain_port}/readyz") as plain,
    ):
        found = asyncio.run(
            compare(
                f"http://127.0.0.1:{port}",
                ours.pid,
                f"http://127.0.0.1:{plain_port}",
                plain.pid,
                maps,
                concurrency,
                seconds,
            )
        )
    return {
        "concurrency": concurrency,
        "seconds per load run": seconds,
        "GraphQL p50 uncached s": found["uncached p50"],
        "GraphQL p50 cached s": found["cached p50"],
        "plain p50 s": found["plain p50"],
        "p50 uncached / plain (≤ 1.5)": found["uncached p50"] / found["plain p50"],
        "p50 cached / plain (≤ 1.2)": found["cached p50"] / found["plain p50"],
        "GraphQL req/s uncached": found["uncached rps"],
        "GraphQL req/s cached": found["cached rps"],
        "plain req/s": found["plain rps"],
        "req/s uncached / plain (≥ 0.5)": found["uncached rps"] / found["plain rps"],
        "req/s cached / plain (≥ 0.5)": found["cached rps"] / found["plain rps"],
        "server CPU ms per request uncached": found["uncached cpu"] * 1000,
        "server CPU ms per request cached": found["cached cpu"] * 1000,
        "server CPU ms per request plain": found["plain cpu"] * 1000,
        "CPU per request uncached / plain": found["uncached cpu"] / max(found["plain cpu"], 1e-9),
    }


SERVING_TITLE = "Serving relationshipMap (depth 2, ≤ 200 stakeholders) against plain starlette"


def shapes_option(value: str) -> list[str]:
    """The network shapes named in a comma-separated ``--shapes`` value."""
    shapes = [s.strip() for s in value.split(",") if s.strip()]
    unknown = [s for s in shapes if s not in SHAPES]
    if unknown or not shapes:
        raise argparse.ArgumentTypeError(f"shapes are {', '.join(SHAPES)}; got {value!r}")
    return shapes


def column(ties: int, shape: str) -> str:
    """A table column: the tie count and the network's shape."""
    return f"{ties:,} ties, {shape}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ties", type=int, default=10_000)
    parser.add_argument("--shapes", type=shapes_option, default=list(SHAPES),
                        help="network shapes, comma-separated (default: all)")  # fmt: skip
    parser.add_argument("--maps", type=int, default=30, help="distinct centres")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--duration", type=float, default=8.0)
    args = parser.parse_args()
    rows: dict[int | str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="stakenet-serving-") as tmp:
        for shape in args.shapes:
            document = write(args.ties, Path(tmp), shape=shape)
            url = f"sqlite:///{Path(tmp) / f'serving-{shape}.db'}"
            bench_import(document, url, args.ties)
            rows[column(args.ties, shape)] = bench_serving(
                url, args.maps, args.concurrency, args.duration
            )
            table(SERVING_TITLE, rows)


if __name__ == "__main__":
    main()
