"""Serving a relationship map: GraphQL uncached and cached against the plain starlette endpoint.

The issue's serving targets, measured side by side in one run on one worker each::

    .venv/bin/python -m benchmarks.serving --ties 100000 --shapes crm,regional

- latency: `relationshipMap` (depth 2, at most 200 stakeholders) p50 over HTTP, uncached and
  cached, against the plain endpoint that builds the same map with NetworkX and returns JSON;
- throughput at a stated concurrency: GraphQL uncached and cached against the plain endpoint.

Each figure is measured on every network shape asked for (`stakenet.demo.synthetic.SHAPES`:
``crm``, and ``regional`` with a few organisations of thousands of people), side by side.

"Uncached" requests differ in a `minStrength` far below any tie's strength, so each is a new
cache key for the same map; "cached" requests repeat the same documents and variables.
"""

from __future__ import annotations

import argparse
import asyncio
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


async def graphql_side(base: str, count: int, concurrency: int, seconds: float) -> dict[str, float]:
    async with httpx.AsyncClient(base_url=base, timeout=120.0) as client:
        deadline = time.monotonic() + 600
        while True:
            stats = (
                await client.post(
                    "/graphql", json={"query": "{ networkStats { analyticsRevision } }"}
                )
            ).json()
            if stats["data"]["networkStats"]["analyticsRevision"] is not None:
                break
            if time.monotonic() > deadline:
                raise RuntimeError("no analytics snapshot")
            await asyncio.sleep(0.5)
        ids = await people_of(client, count)
        jitter = iter(range(1, 10**9))

        async def once(person: str, minimum: float) -> float:
            start = time.perf_counter()
            response = await client.post(
                "/graphql", json={"query": MAP, "variables": {"id": person, "min": minimum}}
            )
            if response.status_code != 200 or response.json().get("errors"):
                raise RuntimeError(response.text[:300])
            return time.perf_counter() - start

        uncached = [await once(p, next(jitter) * 1e-12) for p in ids]
        for p in ids:  # fill the cache for the same documents and variables
            await once(p, 0.0)
        cached = [await once(p, 0.0) for p in ids]
        rps_uncached, _ = await load(
            client,
            lambda i: (
                "/graphql",
                {"query": MAP, "variables": {"id": ids[i % len(ids)], "min": next(jitter) * 1e-12}},
            ),
            concurrency,
            seconds,
        )
        rps_cached, _ = await load(
            client,
            lambda i: (
                "/graphql",
                {"query": MAP, "variables": {"id": ids[i % len(ids)], "min": 0.0}},
            ),
            concurrency,
            seconds,
        )
    return {
        "uncached p50": percentiles(uncached)[0],
        "cached p50": percentiles(cached)[0],
        "uncached rps": rps_uncached,
        "cached rps": rps_cached,
        "ids": ids,  # type: ignore[dict-item]
    }


async def plain_side(
    base: str, raw_ids: list[str], concurrency: int, seconds: float
) -> dict[str, float]:
    async with httpx.AsyncClient(base_url=base, timeout=120.0) as client:

        async def once(center: str) -> float:
            start = time.perf_counter()
            response = await client.get("/map", params={"center": center, "depth": 2, "limit": 200})
            response.raise_for_status()
            return time.perf_counter() - start

        samples = [await once(c) for c in raw_ids]
        rps, _ = await load(
            client,
            lambda i: (f"/map?center={raw_ids[i % len(raw_ids)]}&depth=2&limit=200", {}),
            concurrency,
            seconds,
        )
    return {"p50": percentiles(samples)[0], "rps": rps}


def bench_serving(url: str, maps: int, concurrency: int, seconds: float) -> dict[str, Any]:
    """The serving targets on the database at `url`: both servers, one worker each."""
    port = free_port()
    serve = [PYTHON, "-m", "stakenet.cli", "serve", "--db", url, "--port", str(port),
             "--log-level", "warning", "--rate-limit", "0"]  # fmt: skip
    with process(serve, f"http://127.0.0.1:{port}/readyz"):
        ours: dict[str, Any] = asyncio.run(
            graphql_side(f"http://127.0.0.1:{port}", maps, concurrency, seconds)
        )
    raw_ids = [gid_to_raw(g) for g in ours.pop("ids")]  # the plain endpoint takes raw ids
    port = free_port()
    plain_cmd = [PYTHON, "-m", "benchmarks.plain_app", "--db", url, "--port", str(port)]
    with process(plain_cmd, f"http://127.0.0.1:{port}/readyz"):
        plain = asyncio.run(plain_side(f"http://127.0.0.1:{port}", raw_ids, concurrency, seconds))
    return {
        "concurrency": concurrency,
        "seconds per load run": seconds,
        "GraphQL p50 uncached s": ours["uncached p50"],
        "GraphQL p50 cached s": ours["cached p50"],
        "plain p50 s": plain["p50"],
        "p50 uncached / plain (≤ 1.5)": ours["uncached p50"] / plain["p50"],
        "p50 cached / plain (≤ 1.2)": ours["cached p50"] / plain["p50"],
        "GraphQL req/s uncached": ours["uncached rps"],
        "GraphQL req/s cached": ours["cached rps"],
        "plain req/s": plain["rps"],
        "req/s uncached / plain (≥ 0.5)": ours["uncached rps"] / plain["rps"],
        "req/s cached / plain (≥ 0.5)": ours["cached rps"] / plain["rps"],
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


def gid_to_raw(global_id: str) -> str:
    return from_global_id(global_id)[1]


if __name__ == "__main__":
    main()
