"""A bounded loopback load test against the real server process with the demo network."""

from __future__ import annotations

import asyncio
import statistics
import time
from pathlib import Path

import httpx
import pytest

from support.server_process import start_server

pytestmark = [pytest.mark.server, pytest.mark.slow]

CONCURRENCY = 8
REQUESTS = 600
TIME_BUDGET = 20.0  # seconds; the test stops sending when either bound is reached


async def run_load(
    base_url: str, documents: list[tuple[str, dict[str, str]]]
) -> tuple[list[float], list[str]]:
    latencies: list[float] = []
    failures: list[str] = []
    sent = 0
    deadline = time.monotonic() + TIME_BUDGET

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal sent
        while sent < REQUESTS and time.monotonic() < deadline:
            query, variables = documents[sent % len(documents)]
            sent += 1
            started = time.perf_counter()
            response = await client.post("/graphql", json={"query": query, "variables": variables})
            latencies.append(time.perf_counter() - started)
            body = response.json()
            if response.status_code != 200 or body.get("errors"):
                failures.append(f"{response.status_code}: {str(body)[:200]}")

    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        await asyncio.gather(*(worker(client) for _ in range(CONCURRENCY)))
    return latencies, failures


def test_mixed_read_load_at_concurrency_8_has_no_failures(tmp_path: Path) -> None:
    server = start_server(tmp_path / "stakenet.db", demo=True)
    try:
        ids = {}
        for key in ("c-nordhavn", "p-peter-moerch"):
            found = server.graphql("query($k: String!) { stakeholder(key: $k) { id } }", {"k": key})
            ids[key] = found["data"]["stakeholder"]["id"]
        documents = [
            (
                "query($id: ID!) { relationshipMap(centerId: $id, depth: 2) { nodes { distance influence stakeholder { id name kind } } edges { source target kind strength } } }",
                {"id": ids["p-peter-moerch"]},
            ),
            (
                "query($id: ID!) { keyDecisionMakers(organizationId: $id) { score person { name } factors { name contribution } } }",
                {"id": ids["c-nordhavn"]},
            ),
            (
                "query($id: ID!) { introductionPaths(toId: $id) { strength steps { name } } }",
                {"id": ids["p-peter-moerch"]},
            ),
            (
                '{ stakeholders(search: "sen", first: 10) { totalCount edges { node { name } } } }',
                {},
            ),
        ]
        latencies, failures = asyncio.run(run_load(server.base_url, documents))
    finally:
        server.stop()
    assert failures == []
    assert len(latencies) >= 100
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[int(len(ordered) * 0.99) - 1] * 1000
    print(
        f"\nload: {len(latencies)} requests at concurrency {CONCURRENCY}: p50 {p50:.1f} ms, p99 {p99:.1f} ms, 0 failed"
    )
