"""Who is calling: bearer tokens, rate limits and request ids, in front of the GraphQL view.

`AccessGate` is plain ASGI. For each HTTP request it assigns a request id (echoed in
`X-Request-ID` and attached to every log record), works out the principal from the
`Authorization: Bearer …` header — once any token exists, a request without a valid one gets 401 —
and spends one unit of that principal's rate budget (per token, or per client address without
tokens), answering 429 with `Retry-After` when it is spent. The principal then travels with the
request (`services.access.acting_as`), so the service layer can check roles and audit writes.
"""

from __future__ import annotations

import json
import logging
import math
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from stakenet.api.http import ASGIApp, Message, Receive, Scope, Send
from stakenet.domain.access import LOCAL_USER, Principal
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
            text: str = value.decode("latin-1")
            scheme, _, credentials = text.partition(" ")
            if scheme.lower() == "bearer" and credentials.strip():
                return credentials.strip()
            return ""
    return None


async def _refuse(
    send: Send, status: int, message: str, code: str, headers: dict[str, str]
) -> None:
    body = json.dumps({"errors": [{"message": message, "extensions": {"code": code}}]}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *((k.lower().encode(), v.encode()) for k, v in headers.items()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


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
            found = await self.access.authenticate(secret) if secret else None
            if found is None:
                if scope["type"] == "websocket":
                    # Browsers cannot set headers on a WebSocket: the token comes in
                    # connection_init and the GraphQL endpoint checks it there.
                    scope[PRINCIPAL_KEY] = None
                    await self.app(scope, receive, send)
                    return
                reason = (
                    "A valid API token is required" if secret is None else "The token is not valid"
                )
                await _refuse(
                    send,
                    401,
                    f"{reason}: send 'Authorization: Bearer <token>'.",
                    "UNAUTHENTICATED",
                    {"WWW-Authenticate": 'Bearer realm="stakenet"'},
                )
                return
            principal = found
        caller = principal.token_id or _client_address(scope)
        wait = self.limiter.retry_after(caller)
        if wait > 0:
            await _refuse(
                send,
                429,
                f"Too many requests; retry in {math.ceil(wait)} s.",
                "RATE_LIMITED",
                {"Retry-After": str(math.ceil(wait))},
            )
            return
        scope[PRINCIPAL_KEY] = principal
        with acting_as(principal):
            await self.app(scope, receive, send)


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            text: str = value.decode("latin-1")
            if 0 < len(text) <= 64 and all(c.isalnum() or c in "-_." for c in text):
                return text
    return None


def _client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def _with_request_id(send: Send, rid: str) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", ()))
            headers.append((b"x-request-id", rid.encode()))
            message = {**message, "headers": headers}
        await send(message)

    return sending


def principal_of(scope: Scope) -> Principal | None:
    found = scope.get(PRINCIPAL_KEY, LOCAL_USER)
    return found if isinstance(found, Principal) else None
