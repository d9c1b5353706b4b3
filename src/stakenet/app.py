"""The ASGI application: GraphQL at /graphql, health and readiness probes, the lifespan.

`/healthz` also shows the cyclic garbage collector's passes in this process
(`services/collector.py`): a full pass holds every request while it runs. While the
application serves, the collector's young passes are rarer than the interpreter's default
(`YOUNG_PASS_EVERY`).

The composition root (`bootstrap.py`) builds the store and the services; the lifespan runs
them (`Runtime.running`: the store opened, the read model built, the background tasks) for as
long as the application serves, and readiness follows it.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any, cast

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.temporal_response import TemporalResponse
from strawberry.types.unset import UNSET, UnsetType

from stakenet.api.access import (
    AccessGate,
    RateLimiter,
    bearer_credentials,
    client_address,
    install_request_ids,
    principal_of,
)
from stakenet.api.context import Context
from stakenet.api.http import GraphQLView, RequestGuard
from stakenet.api.redaction import install_log_redaction
from stakenet.api.schema import build_schema
from stakenet.bootstrap import DatabaseUrl, build_runtime
from stakenet.domain.errors import Unauthenticated
from stakenet.explorer import graphiql_page, static_directory
from stakenet.services.analytics import AnalyticsState
from stakenet.services.collector import CollectorWatch
from stakenet.services.container import Services, Settings

log = logging.getLogger("stakenet.app")

# A young pass of the cycle collector every this many new containers, instead of the
# interpreter's 700. An uncached relationship map builds a few thousand objects that live until
# its answer is written: every 700 a pass walked those still alive, and passed them on to be
# walked again by the next generation's. At this threshold most die first, and a young pass
# stays well under a millisecond.
YOUNG_PASS_EVERY = 10_000


class _YoungPasses:
    """How many applications serve in this process (tests run several), and the collector's
    first threshold from before the first."""

    serving = 0
    before = gc.get_threshold()[0]


@contextlib.contextmanager
def young_passes_every(allocations: int) -> Iterator[None]:
    """The collector's first threshold set to `allocations` while any application serves."""
    if _YoungPasses.serving == 0:
        _YoungPasses.before = gc.get_threshold()[0]
    _YoungPasses.serving += 1
    gc.set_threshold(allocations, *gc.get_threshold()[1:])
    try:
        yield
    finally:
        _YoungPasses.serving -= 1
        if _YoungPasses.serving == 0:
            gc.set_threshold(_YoungPasses.before, *gc.get_threshold()[1:])


class GraphQLEndpoint(GraphQLView):
    def __init__(self, services: Services, limiter: RateLimiter) -> None:
        super().__init__(build_schema(services.settings, services, limiter), services)

    async def get_context(self, request: Any, response: TemporalResponse | Any = None) -> Context:
        return Context(
            services=self.services,
            principal=principal_of(request.scope),
            over_websocket=isinstance(request, WebSocket),
            client_address=client_address(request.scope),
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Authenticate a subscription from its `connection_init` payload when tokens exist."""
        if context.principal is not None:
            return cast(UnsetType, UNSET)
        params = context.connection_params or {}
        offered = str(params.get("Authorization") or params.get("authorization") or "").strip()
        # `Bearer <token>` as in the header (the scheme in any case), or the bare token.
        secret = bearer_credentials(offered) if " " in offered else offered
        try:
            principal = await self.services.access.authenticate(secret) if secret else None
        except Unauthenticated as expired:
            raise ConnectionRejectionError({"message": f"{expired}"}) from None
        if principal is None:
            raise ConnectionRejectionError({"message": "A valid API token is required."})
        context.principal = principal
        return cast(UnsetType, UNSET)

    async def render_graphql_ide(self, request: Request) -> Response:
        # strawberry's own page loads GraphiQL from a CDN; ours is vendored and works offline.
        return HTMLResponse(graphiql_page())


def _snapshot_lag(state: AnalyticsState | None, revision: int) -> dict[str, Any]:
    """The current analytics snapshot's revision, how many revisions the store is past it
    and how long ago it was computed: a worker that is down or stuck shows as a lag that
    grows while the server stays ready, answering from that snapshot."""
    if state is None:
        return {"revision": None, "behind": None, "computed_at": None, "age_seconds": None}
    age = datetime.now(UTC) - state.as_of
    return {
        "revision": state.revision,
        "behind": revision - state.revision,
        "computed_at": state.as_of.isoformat(),
        "age_seconds": round(age.total_seconds(), 1),
    }


def create_app(
    url: DatabaseUrl, settings: Settings | None = None, *, demo: bool = False
) -> Starlette:
    runtime = build_runtime(url, settings)
    services = runtime.services
    install_log_redaction()
    install_request_ids()
    ready = asyncio.Event()
    collector = CollectorWatch()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        collector.install()
        try:
            with young_passes_every(YOUNG_PASS_EVERY):
                async with runtime.running(demo=demo):
                    ready.set()
                    log.info("stakenet ready on %s", url.redacted())
                    try:
                        yield
                    finally:
                        ready.clear()
        finally:
            collector.uninstall()

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "collector": collector.report()})

    async def readyz(request: Request) -> JSONResponse:
        if not ready.is_set():
            return JSONResponse({"status": "starting"}, status_code=503)
        analytics = services.analytics
        # A server that adopts snapshots from another process is ready with its first one.
        if not analytics.computes and analytics.state is None:
            return JSONResponse({"status": "waiting for analytics"}, status_code=503)
        try:
            revision = await runtime.store.revision()
        except Exception:
            return JSONResponse({"status": "store unavailable"}, status_code=503)
        return JSONResponse(
            {
                "status": "ready",
                "revision": revision,
                "analytics": {
                    "mode": services.settings.analytics,
                    "computed": analytics.refreshes,
                    "adopted": analytics.adoptions,
                    "past_adopted": analytics.past_adoptions,
                    **_snapshot_lag(analytics.state, revision),
                },
            }
        )

    limiter = RateLimiter(
        services.settings.rate_limit_per_minute, services.settings.rate_limit_burst
    )
    graphql = GraphQLEndpoint(services, limiter)

    def gated(inner: Any) -> AccessGate:
        return AccessGate(inner, services.access, limiter)

    app = Starlette(
        routes=[
            # The guard refuses oversized, non-JSON and batched requests before strawberry
            # reads them; WebSocket subscriptions (graphql-transport-ws) share the path.
            Route(
                "/graphql",
                gated(RequestGuard(graphql, max_body_bytes=services.settings.max_body_bytes)),
            ),
            WebSocketRoute("/graphql", gated(graphql)),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Mount("/", StaticFiles(directory=static_directory(), html=True), name="explorer"),
        ],
        lifespan=lifespan,
    )
    app.state.services = services
    return app
