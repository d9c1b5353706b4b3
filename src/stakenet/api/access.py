"""Who is calling: bearer tokens, rate limits and request ids, on every transport.

`AccessGate` is plain ASGI. For each HTTP request and WebSocket connection it assigns a request id
(echoed in `X-Request-ID` and attached to every log record), works out the principal from the
`Authorization: Bearer …` header — once any token exists, a request without a valid one gets 401;
a WebSocket may instead send its token in `connection_init` — and spends one unit of that
principal's rate budget (per token, or per client address without tokens), answering 429 with
`Retry-After` when it is spent. The principal travels in the ASGI scope into the GraphQL context.

`ActAsCaller`, a schema extension, is the one place where the service layer learns who is
calling: it runs every operation, over HTTP or a WebSocket, as the context's principal. On a
WebSocket it also checks, per operation, that the connection's token was not revoked and has not
expired since the connection opened, and spends the caller's rate budget, as a new HTTP request
would.
"""

from __future__ import annotations

import json
import logging
import math
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qs

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from stakenet.api.context import Context
from stakenet.api.http import ASGIApp, Message, Receive, Scope, Send, carries_operation
from stakenet.domain.access import LOCAL_USER, NOBODY, Principal, expiry_notice
from stakenet.domain.errors import Unauthenticated
from stakenet.services.access import AccessService, acting_as

PRINCIPAL_KEY = "stakenet.principal"
request_id: ContextVar[str] = ContextVar("stakenet_request_id", default="-")
log = logging.getLogger("stakenet.access")


class RequestIdFilter(logging.Filter):
    """Adds the current request id to every record as `request_id`."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


def install_request_ids() -> None:
    """Give every record of stakenet's loggers a `request_id` (once, however often called)."""
    for handler in logging.getLogger().handlers or []:
        if not any(isinstance(f, RequestIdFilter) for f in handler.filters):
            handler.addFilter(RequestIdFilter())
    stakenet = logging.getLogger("stakenet")
    if not any(isinstance(f, RequestIdFilter) for f in stakenet.filters):
        stakenet.addFilter(RequestIdFilter())


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request id, message (already redacted)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["error"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """A token bucket per caller: `per_minute` requests a minute, bursts up to `burst`."""

    def __init__(self, per_minute: int, burst: int, *, clock: Callable[[], float] = time.monotonic):
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def retry_after(self, caller: str) -> float:
        """0 if the caller may go ahead (and charges it), else seconds until it may."""
        if self.rate <= 0:
            return 0.0
        now = self.clock()
        bucket = self._buckets.get(caller)
        if bucket is None:
            if len(self._buckets) > 100_000:  # forget idle callers rather than grow forever
                self._buckets.clear()
            bucket = self._buckets[caller] = _Bucket(self.burst, now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.rate


def bearer_token(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            return bearer_credentials(value.decode("latin-1"))
    return None


def bearer_credentials(authorization: str) -> str:
    """The token of an `Authorization` value, "" if it is not `Bearer <token>` (the scheme's
    name in any case, as HTTP's authentication schemes are)."""
    scheme, _, credentials = authorization.strip().partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else ""


async def _refuse(
    scope: Scope, send: Send, status: int, message: str, code: str, headers: dict[str, str]
) -> None:
    if scope["type"] == "websocket" and "websocket.http.response" not in scope.get(
        "extensions", {}
    ):
        # A server without the denial-response extension can only close the handshake (403).
        await send({"type": "websocket.close", "code": 1008, "reason": message[:120]})
        return
    # A WebSocket handshake is refused with an HTTP response of its own kind of message.
    prefix = "websocket.http" if scope["type"] == "websocket" else "http"
    body = json.dumps({"errors": [{"message": message, "extensions": {"code": code}}]}).encode()
    await send(
        {
            "type": f"{prefix}.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *((k.lower().encode(), v.encode()) for k, v in headers.items()),
            ],
        }
    )
    await send({"type": f"{prefix}.response.body", "body": body})


def _opens_the_ide(scope: Scope) -> bool:
    """A browser opening /graphql: a GET asking for a page, with no operation in it."""
    if scope["method"] != "GET":
        return False
    parameters = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    accept = dict(scope["headers"]).get(b"accept", b"").decode("latin-1").lower()
    return "text/html" in accept and not carries_operation("GET", parameters)


class AccessGate:
    """Authentication, rate limiting and request ids for everything behind it."""

    def __init__(self, app: ASGIApp, access: AccessService, limiter: RateLimiter) -> None:
        self.app = app
        self.access = access
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        rid = _incoming_request_id(scope) or uuid.uuid4().hex[:16]
        marker = request_id.set(rid)
        try:
            await self._handle(scope, receive, _with_request_id(send, rid))
        finally:
            request_id.reset(marker)

    async def _handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Probes and the explorer's static files stay open; data only flows through /graphql.
        if not scope["path"].startswith("/graphql"):
            await self.app(scope, receive, send)
            return
        principal = LOCAL_USER
        if await self.access.tokens_required():
            secret = bearer_token(scope)
            try:
                found = await self.access.authenticate(secret) if secret else None
            except Unauthenticated as expired:
                if await self._over_budget(scope, send, client_address(scope)):
                    return
                # A known token past its expiry: the caller is told so, on either transport.
                await _refuse(
                    scope,
                    send,
                    401,
                    f"{expired}",
                    expired.code,
                    {"WWW-Authenticate": 'Bearer realm="stakenet", error="invalid_token"'},
                )
                return
            if found is None:
                # Without a valid token the client's address pays: guessing tokens, or opening
                # sockets to authenticate later, is limited like any other request.
                if await self._over_budget(scope, send, client_address(scope)):
                    return
                if scope["type"] == "websocket" or _opens_the_ide(scope):
                    # Browsers cannot set headers on a WebSocket: the token comes in
                    # connection_init and the GraphQL endpoint checks it there. Nor on a page
                    # they open: the IDE's page holds no data, and its Headers tab sends the
                    # token with every operation.
                    scope[PRINCIPAL_KEY] = None
                    await self.app(scope, receive, send)
                    return
                reason = (
                    "A valid API token is required" if secret is None else "The token is not valid"
                )
                await _refuse(
                    scope,
                    send,
                    401,
                    f"{reason}: send 'Authorization: Bearer <token>'.",
                    "UNAUTHENTICATED",
                    {"WWW-Authenticate": 'Bearer realm="stakenet"'},
                )
                return
            principal = found
        if await self._over_budget(scope, send, principal.token_id or client_address(scope)):
            return
        scope[PRINCIPAL_KEY] = principal
        await self.app(scope, receive, send)

    async def _over_budget(self, scope: Scope, send: Send, caller: str) -> bool:
        """Spend one request of `caller`'s budget; True, with the 429 sent, if none is left."""
        wait = self.limiter.retry_after(caller)
        if wait <= 0:
            return False
        await _refuse(
            scope,
            send,
            429,
            f"Too many requests; retry in {math.ceil(wait)} s.",
            "RATE_LIMITED",
            {"Retry-After": str(math.ceil(wait))},
        )
        return True


class ActAsCaller(SchemaExtension):
    """Runs each operation as the caller the edge established, whatever the transport.

    Over a WebSocket, an operation may come long after the connection was authenticated, so
    each one is checked again: a revoked or expired token (or a token-less local user once
    tokens exist) is refused, and the operation spends the caller's rate budget like an HTTP
    request.
    """

    def __init__(self, limiter: RateLimiter | None = None) -> None:
        self.limiter = limiter

    def on_operation(self) -> Iterator[None]:
        context: Context = self.execution_context.context
        with acting_as(context.principal or NOBODY):
            yield

    async def on_validate(self) -> AsyncIterator[None]:
        execution = self.execution_context
        context: Context = execution.context
        if context.over_websocket and execution.pre_execution_errors is None:
            refusal = await self._refusal(context)
            if refusal is not None:
                # Set before validation, so strawberry skips it and answers with this error.
                execution.pre_execution_errors = [refusal]
        yield

    async def _refusal(self, context: Context) -> GraphQLError | None:
        principal = context.principal or NOBODY
        if not await context.services.access.still_valid(principal):
            return GraphQLError(
                f"{no_longer_valid(principal)}; connect again with a valid token.",
                extensions={"code": "UNAUTHENTICATED"},
            )
        caller = principal.token_id or context.client_address
        wait = self.limiter.retry_after(caller) if self.limiter is not None else 0.0
        if wait > 0:
            return GraphQLError(
                f"Too many requests; retry in {math.ceil(wait)} s.",
                extensions={"code": "RATE_LIMITED", "retryAfter": math.ceil(wait)},
            )
        return None


def no_longer_valid(principal: Principal) -> str:
    """Why a caller that was let in may act no more: its token expired, or was revoked."""
    if principal.expires_at is not None and principal.expired(datetime.now(UTC)):
        return expiry_notice(principal.name, principal.expires_at)
    return f"The token '{principal.name}' is no longer valid"


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            text: str = value.decode("latin-1")
            if 0 < len(text) <= 64 and all(c.isalnum() or c in "-_." for c in text):
                return text
    return None


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def _with_request_id(send: Send, rid: str) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] in ("http.response.start", "websocket.http.response.start"):
            headers = list(message.get("headers", ()))
            headers.append((b"x-request-id", rid.encode()))
            message = {**message, "headers": headers}
        await send(message)

    return sending


def principal_of(scope: Scope) -> Principal | None:
    """The caller the gate established; nobody where no gate ran; None for a WebSocket whose
    token is still to come in `connection_init`."""
    if PRINCIPAL_KEY not in scope:
        return NOBODY
    found = scope[PRINCIPAL_KEY]
    return found if isinstance(found, Principal) else None
