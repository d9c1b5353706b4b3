"""The serving baseline: a plain starlette JSON endpoint answering the same relationship map.

It loads the same projection from the same database, builds the map with the same function
the GraphQL API uses, and writes the same JSON shape (`data.relationshipMap` with center,
nodes, edges, truncated) with no GraphQL layer in between. Run by the benchmark as::

    python -m benchmarks.plain_app --db sqlite:///file.db --port 8123
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from stakenet.bootstrap import build_runtime, database_url


def create_app(db: str) -> Starlette:
    runtime = build_runtime(database_url(db))
    network = runtime.services.network

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    async def map_endpoint(request: Request) -> JSONResponse:
        center = request.query_params["center"]
        depth = int(request.query_params.get("depth", "1"))
        limit = int(request.query_params.get("limit", "50"))

        def build() -> dict[str, object]:
            found = network.view.relationship_map(
                center,
                depth=depth,
                limit=limit,
                on=datetime.now(UTC).date(),
                tie_kinds=None,
                min_strength=0.0,
            ).value
            facts = {node: network.view.stakeholder(node) for node in found.distances}
            return {
                "data": {
                    "relationshipMap": {
                        "center": {"id": center, "name": facts[center].name},
                        "nodes": [
                            {
                                "distance": distance,
                                "stakeholder": {
                                    "id": node,
                                    "name": facts[node].name,
                                    "kind": facts[node].kind.value,
                                },
                            }
                            for node, distance in found.distances.items()
                        ],
                        "edges": [
                            {
                                "id": e.tie_id,
                                "source": e.source,
                                "target": e.target,
                                "kind": e.kind,
                                "strength": e.strength,
                            }
                            for e in found.edges
                        ],
                        "truncated": found.truncated,
                    }
                }
            }

        return JSONResponse(await asyncio.to_thread(build))

    async def ready(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ready"})

    return Starlette(
        routes=[Route("/map", map_endpoint), Route("/readyz", ready)], lifespan=lifespan
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="plain starlette relationship-map endpoint")
    parser.add_argument("--db", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(create_app(args.db), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
