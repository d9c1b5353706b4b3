"""GraphQL over HTTP: what a request must look like, and how the answer is framed.

Two layers, both in front of the resolvers:

- `RequestGuard`, plain ASGI in front of the GraphQL view, refuses what needs no GraphQL to judge:
  methods other than GET and POST (405), POST bodies that are not JSON (415: a browser sends
  `text/plain`, form and multipart bodies cross-origin without a preflight, so accepting only JSON
  is the CSRF defence), an Accept header that names nothing we can send (406), a body over the
  size limit (413, judged from Content-Length or while the body streams in, before any parsing)
  and batches (400).
- `GraphQLView`, strawberry's ASGI view, adds the execution deadline (`api.deadline`, which
  stops an operation only until it hands a write to the store: from there on it waits for the
  outcome, since a write the database has cannot be taken back), refuses mutations over GET
  (405 with `Allow: POST`) and follows the GraphQL-over-HTTP spec on media types: it answers
  `application/graphql-response+json` when the client asks for it, with 400 and no `data` entry
  for a request that failed before execution, and `application/json` with 200 otherwise.

Both tell an API request from someone opening the endpoint in a browser the same way
(`carries_operation`): every POST, and every GET naming a `query` or `extensions` (a persisted
query by its hash alone), is answered as GraphQL whatever its Accept header prefers; only a GET
naming neither, from a client asking for HTML, gets the IDE.

Every refusal is a JSON GraphQL response with one error saying what to do instead.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any
from urllib.parse import parse_qs

import orjson
from cross_web import HTTPException
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData, process_result
from strawberry.schema.base import BaseSchema
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET

from stakenet.api.caching import (
    PERSISTED_QUERY_NOT_FOUND,
    PERSISTED_QUERY_NOT_FOUND_CODE,
    PersistedQueries,
    written_answer,
)
from stakenet.api.context import Context
from stakenet.api.deadline import DEADLINE_EXCEEDED, deadline_error, execution_deadline
from stakenet.api.websocket import LegacyWSHandler, TransportWSHandler
from stakenet.domain import json_text
from stakenet.services.container import Services

log = logging.getLogger("stakenet.http")

Message = MutableMapping[str, Any]
Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"

# What each Accept media range gets; `application/json` is the default the spec asks for while
# clients move to the new media type.
_OFFERS = {GRAPHQL_RESPONSE: GRAPHQL_RESPONSE, JSON: JSON, "application/*": JSON, "*/*": JSON}
_HTTP_CODES = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}
# The GET parameters that make a request an operation; `extensions` alone is a persisted query.
_OPERATION_PARAMETERS = ("query", "extensions")


class Refusal(Exception):
    """A request refused before execution, with the HTTP status and the reason to show."""

    def __init__(
        self, status: int, message: str, code: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.headers = dict(headers or {})


def negotiate(accept: str | None) -> str | None:
    """The media type to answer with for an Accept header, or None when nothing offered fits.

    The highest `q` wins; between equal weights the first listed wins. No Accept header, or an
    empty one, means `application/json`.
    """
    if accept is None or not accept.strip():
        return JSON
    best: str | None = None
    best_q = 0.0
    for media_range in accept.split(","):
        media, *parameters = (part.strip() for part in media_range.split(";"))
        weight = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        offered = _OFFERS.get(media.lower())
        if offered is not None and weight > best_q:
            best, best_q = offered, weight
    return best


def carries_operation(method: str, parameters: Mapping[str, object]) -> bool:
    """Is this request an API call, to be answered as GraphQL? Every POST is, and a GET that
    names a query or extensions; any other GET is someone opening the endpoint."""
    return method == "POST" or any(name in parameters for name in _OPERATION_PARAMETERS)


def _headers(scope: Scope) -> dict[str, str]:
    return {
        name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]
    }


async def send_refusal(send: Send, refusal: Refusal) -> None:
    body = json.dumps(
        {"errors": [{"message": refusal.message, "extensions": {"code": refusal.code}}]}
    ).encode()
    headers = [
        (b"content-type", b"application/json; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        *((name.lower().encode(), value.encode()) for name, value in refusal.headers.items()),
    ]
    await send({"type": "http.response.start", "status": refusal.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class _ClientGone(Exception):
    pass


class RequestGuard:
    """ASGI middleware for the GraphQL endpoint; WebSocket connections pass straight through."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            receive = await self._check(scope, receive)
        except Refusal as refusal:
            await send_refusal(send, refusal)
            return
        except _ClientGone:
            return
        await self.app(scope, receive, send)

    async def _check(self, scope: Scope, receive: Receive) -> Receive:
        method = scope["method"]
        headers = _headers(scope)
        if method not in ("GET", "POST"):
            raise Refusal(
                405,
                f"GraphQL is served over POST (and GET for queries), not {method}.",
                "METHOD_NOT_ALLOWED",
                {"Allow": "GET, POST"},
            )
        query_string = scope.get("query_string", b"").decode("latin-1")
        parameters = parse_qs(query_string, keep_blank_values=True)
        if carries_operation(method, parameters) and negotiate(headers.get("accept")) is None:
            raise Refusal(
                406,
                f"Nothing in 'Accept: {headers.get('accept')}' can be sent; "
                f"accept {GRAPHQL_RESPONSE} or {JSON}.",
                "NOT_ACCEPTABLE",
            )
        if method != "POST":
            return receive
        _check_content_type(headers.get("content-type"))
        # Media types are case-insensitive (RFC 9110), strawberry's reading of them is not:
        # it is given the type as it spells it.
        scope["headers"] = [
            (name, JSON.encode()) if name.lower() == b"content-type" else (name, value)
            for name, value in scope["headers"]
        ]
        body = await self._read_body(headers.get("content-length"), receive)
        start = body.lstrip(b" \t\r\n")[:1]
        if start == b"[":
            raise Refusal(
                400,
                "Batched operations (a JSON array) are not accepted; "
                "send one operation per request.",
                "BATCHING_NOT_SUPPORTED",
            )
        if start and start != b"{":
            # Malformed JSON is left to the parser, which says where it stops.
            raise Refusal(
                400,
                'The request body must be a JSON object: {"query": "...", "variables": {...}}.',
                "BAD_REQUEST",
            )
        return _replay(body, receive)

    async def _read_body(self, content_length: str | None, receive: Receive) -> bytes:
        too_large = Refusal(
            413,
            f"The request body is larger than the limit of {self.max_body_bytes} bytes.",
            "PAYLOAD_TOO_LARGE",
        )
        if content_length is not None:
            try:
                declared = int(content_length)
            except ValueError:
                raise Refusal(
                    400, "The Content-Length header is not a number.", "BAD_REQUEST"
                ) from None
            # Refused on the header alone: nothing of an oversized body is read.
            if declared > self.max_body_bytes:
                raise too_large
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _ClientGone
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            # A chunked body declares no length: stop reading as soon as it passes the limit.
            if size > self.max_body_bytes:
                raise too_large
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def _check_content_type(content_type: str | None) -> None:
    media, *parameters = (part.strip().lower() for part in (content_type or "").split(";"))
    if media != JSON:
        shown = f"'{content_type}'" if content_type else "no Content-Type"
        raise Refusal(
            415,
            f"POST bodies must be JSON with 'Content-Type: {JSON}', not {shown}.",
            "UNSUPPORTED_MEDIA_TYPE",
        )
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip() == "charset" and value.strip().strip('"') not in ("utf-8", "utf8"):
            raise Refusal(415, "JSON bodies must be UTF-8 encoded.", "UNSUPPORTED_MEDIA_TYPE")


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the already-read body to the view, then defers to the server."""
    delivered = False

    async def replayed() -> Message:
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed


def is_request_error(result: ExecutionResult) -> bool:
    """Did the operation fail before execution (parse, validation, variable coercion)?

    Such errors carry no path; field errors during execution always do. A stopped execution is
    not a request error: the request was fine, the server ran out of time.
    """
    errors = result.errors or []
    return (
        result.data is None
        and bool(errors)
        and all(
            error.path is None and (error.extensions or {}).get("code") != DEADLINE_EXCEEDED
            for error in errors
        )
    )


class UnacceptableFrame(json.JSONDecodeError):
    """JSON beyond the limits every input has (`json_text.UnacceptableJSON`); `msg` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, "", 0)


class GraphQLView(GraphQL[Context, None]):
    """strawberry's ASGI view with the deadline, the GET rules and spec-conformant framing."""

    graphql_transport_ws_handler_class = TransportWSHandler
    graphql_ws_handler_class = LegacyWSHandler

    def __init__(self, schema: BaseSchema, services: Services) -> None:
        settings = services.settings
        super().__init__(
            schema,
            graphql_ide=None if settings.production else "graphiql",
            allow_queries_via_get=True,
        )
        self.services = services
        self.deadline = settings.execution_deadline
        self.persisted = PersistedQueries()

    def should_render_graphql_ide(self, request: Any) -> bool:
        # strawberry also shows the page for `Accept: */*` and for a GET that names its
        # operation by `extensions` only: such clients expect JSON and cannot read a page.
        return (
            not carries_operation(request.method, request.query_params)
            and "text/html" in request.headers.get("accept", "").lower()
        )

    async def parse_http_body(self, request: Any) -> Any:
        data = await super().parse_http_body(request)
        if isinstance(data, GraphQLRequestData) and data.extensions:
            try:
                data.query = self.persisted.resolve(data.query, data.extensions)
            except LookupError:
                raise Refusal(
                    200, PERSISTED_QUERY_NOT_FOUND, PERSISTED_QUERY_NOT_FOUND_CODE
                ) from None
            except ValueError as error:
                raise Refusal(400, str(error), "BAD_REQUEST") from None
        return data

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except Refusal as refusal:
            await send_refusal(send, refusal)

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        try:
            return await super().run(request, context, root_value)
        except HTTPException as error:
            # strawberry's own refusals (e.g. `variables` that is not an object), as JSON.
            raise Refusal(
                error.status_code, error.reason, _HTTP_CODES.get(error.status_code, "BAD_REQUEST")
            ) from None

    def decode_json(self, data: str | bytes) -> object:
        try:
            return json_text.loads(data)
        except json_text.UnacceptableJSON as error:
            # As a JSONDecodeError: what strawberry's WebSocket reader refuses a frame for.
            raise UnacceptableFrame(str(error)) from None

    def parse_json(self, data: str | bytes) -> Any:
        try:
            return self.decode_json(data)
        except UnacceptableFrame as error:
            raise Refusal(400, f"The request body is refused: {error.msg}", "BAD_REQUEST") from None
        except json.JSONDecodeError as error:
            raise Refusal(
                400,
                f"The request is not valid JSON: {error.msg} "
                f"(line {error.lineno}, column {error.colno}).",
                "BAD_REQUEST",
            ) from None
        except UnicodeDecodeError:
            raise Refusal(400, "The request is not UTF-8 encoded JSON.", "BAD_REQUEST") from None

    async def execute_single(
        self,
        request: Any,
        request_adapter: Any,
        sub_response: Any,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        method = request_adapter.method
        # Subscriptions are served over WebSocket only; GET never changes anything.
        allowed = (
            {OperationType.QUERY}
            if method == "GET"
            else {OperationType.QUERY, OperationType.MUTATION}
        )
        try:
            async with execution_deadline(self.deadline):
                result = await self.schema.execute(
                    request_data.query,
                    root_value=root_value,
                    variable_values=request_data.variables,
                    context_value=context,
                    operation_name=request_data.operation_name,
                    allowed_operation_types=allowed,
                    operation_extensions=request_data.extensions,
                )
        except InvalidOperationTypeError as error:
            raise _refusal_for(error, method) from None
        except CannotGetOperationTypeError as error:
            raise Refusal(400, error.as_http_error_reason(), "BAD_REQUEST") from None
        except MissingQueryError:
            raise Refusal(
                400,
                'The request has no GraphQL query: send {"query": "..."}.',
                "BAD_REQUEST",
            ) from None
        except TimeoutError:
            stopped = deadline_error(
                self.services,
                request_data.operation_name,
                request_data.query,
                request_data.variables,
            )
            result = ExecutionResult(data=None, errors=[stopped])
        if negotiate(request_adapter.headers.get("accept")) == GRAPHQL_RESPONSE:
            # Read back by `create_response`, which strawberry builds as application/json.
            sub_response.headers["content-type"] = f"{GRAPHQL_RESPONSE}; charset=utf-8"
            if is_request_error(result):
                sub_response.status_code = 400
        return result

    async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse:
        response = process_result(result)
        # The spec: a request error under the new media type has no `data` entry at all.
        if negotiate(request.headers.get("accept")) == GRAPHQL_RESPONSE and is_request_error(
            result
        ):
            response.pop("data", None)
        return response

    def encode_json(self, data: object) -> str:
        # An answer the response cache has just written (or read) as text is sent as that text.
        written = written_answer.get()
        if (
            written is not None
            and type(data) is dict
            and data.keys() == {"data"}
            and data["data"] is written[0]
        ):
            return f'{{"data":{written[1]}}}'
        # orjson: a 60 kB map encodes in a tenth of json.dumps' time. Text, not bytes, since
        # subscriptions send it as WebSocket text frames.
        return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS).decode()

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Any
    ) -> Any:
        media_type = sub_response.headers.get("content-type")
        if media_type is not None:
            del sub_response.headers["content-type"]
        response = super().create_response(response_data, sub_response)
        if media_type is not None:
            response.headers["content-type"] = media_type
        return response


def _refusal_for(error: InvalidOperationTypeError, method: str) -> Refusal:
    if error.operation_type is OperationType.SUBSCRIPTION:
        return Refusal(
            400,
            "Subscriptions are served over WebSocket at /graphql (graphql-transport-ws).",
            "BAD_REQUEST",
        )
    if method == "GET":
        return Refusal(
            405,
            "Mutations are accepted over POST only.",
            "METHOD_NOT_ALLOWED",
            {"Allow": "POST"},
        )
    return Refusal(400, error.as_http_error_reason(method), "BAD_REQUEST")


__all__ = [
    "GRAPHQL_RESPONSE",
    "JSON",
    "GraphQLView",
    "Refusal",
    "RequestGuard",
    "carries_operation",
    "negotiate",
]
