"""The serving baseline: a plain starlette JSON endpoint answering the same relationship map
with NetworkX.

It loads the network from the same database into a NetworkX `MultiDiGraph` (the projection's
graph), derives the ties' strengths once as the analytics refresh does, builds each map the
straightforward way (NetworkX edge views for every tie of every ring member, every candidate of
a ring sorted by strongest tie, name and id: the same answer as `relationshipMap`) and writes
the same JSON shape (`data.relationshipMap` with center, nodes, edges, truncated), with no
GraphQL layer, store or product map code in between. Run by the benchmark as::

    python -m benchmarks.plain_app --db sqlite:///file.db --port 8123
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

import networkx as nx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from stakenet.analytics.projection import Projection
from stakenet.analytics.strength import compute_tie_strengths
from stakenet.bootstrap import database_url, opened_store
from stakenet.domain.model import GraphData


def networkx_map(
    G: nx.MultiDiGraph,
    center: str,
    depth: int,
    limit: int,
    on: date,
    strengths: Mapping[str, float],
) -> tuple[dict[str, int], list[tuple[str, str, str, str, float]], bool]:
    """Distances, edges (tie id, source, target, kind, strength) and whether a ring was cut."""

    def strength(tie_id: str, data: Mapping[str, Any]) -> float:
        known = strengths.get(tie_id)
        declared = data.get("strength")
        return known if known is not None else float(declared) if declared is not None else 0.5

    def current(data: Mapping[str, Any]) -> bool:
        return data.get("until") is None or data["until"] >= on

    distances, frontier, truncated = {center: 0}, [center], False
    for ring in range(1, depth + 1):
        best: dict[str, float] = {}
        for node in frontier:
            incident = [
                *G.out_edges(node, keys=True, data=True),
                *G.in_edges(node, keys=True, data=True),
            ]
            for source, target, tie_id, data in incident:
                other = target if source == node else source
                if other not in distances and current(data):
                    best[other] = max(best.get(other, 0.0), strength(tie_id, data))
        ranked = sorted(best, key=lambda n: (-best[n], G.nodes[n].get("name", ""), n))
        room = max(limit - len(distances), 0)
        if len(ranked) > room:
            ranked, truncated = ranked[:room], True
        distances.update((node, ring) for node in ranked)
        frontier = ranked
        if truncated or not frontier:
            break
    edges = [
        (tie_id, source, target, data["kind"], strength(tie_id, data))
        for source, target, tie_id, data in G.out_edges(list(distances), keys=True, data=True)
        if target in distances and current(data)
    ]
    return distances, edges, truncated


def create_app(db: str) -> Starlette:
    async def load() -> GraphData:
        async with opened_store(database_url(db)) as store:
            return await store.load_all()

    projection = Projection.from_data(asyncio.run(load()))
    G = projection.graph
    strengths = compute_tie_strengths(G, projection.interactions, datetime.now(UTC)).effective

    async def map_endpoint(request: Request) -> JSONResponse:
        center = request.query_params["center"]
        depth = int(request.query_params.get("depth", "1"))
        limit = int(request.query_params.get("limit", "50"))

        def build() -> dict[str, object]:
            on = datetime.now(UTC).date()
            distances, edges, truncated = networkx_map(G, center, depth, limit, on, strengths)
            names = G.nodes
            return {
                "data": {
                    "relationshipMap": {
                        "center": {"id": center, "name": names[center]["name"]},
                        "nodes": [
                            {
                                "distance": distance,
                                "stakeholder": {
                                    "id": node,
                                    "name": names[node]["name"],
                                    "kind": names[node]["kind"],
                                },
                            }
                            for node, distance in distances.items()
                        ],
                        "edges": [
                            {"id": i, "source": s, "target": t, "kind": k, "strength": w}
                            for i, s, t, k, w in edges
                        ],
                        "truncated": truncated,
                    }
                }
            }

        return JSONResponse(await asyncio.to_thread(build))

    async def ready(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ready"})

    return Starlette(routes=[Route("/map", map_endpoint), Route("/readyz", ready)])


def main() -> None:
    parser = argparse.ArgumentParser(description="plain starlette relationship-map endpoint")
    parser.add_argument("--db", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(create_app(args.db), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
