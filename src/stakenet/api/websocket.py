"""GraphQL over WebSocket: the graphql-transport-ws handler, as the protocol defines it.

strawberry closes a `connection_init` whose payload is `null` with 4400, yet the protocol lets
that optional payload be null: such a `connection_init` is taken as one without a payload. A
`connection_init` the view refuses (no token, or an expired one) is closed with 4403, as
strawberry closes it, but with the view's own message as the close reason rather than
strawberry's bare "Forbidden", so that a client can tell its user what to do.

Queries and mutations sent over a socket have the execution deadline an HTTP request has
(`api.deadline`); a subscription has none, since it lasts as long as its client listens.

A frame that is not a message (not an object, or a `subscribe`/`start` without an id and a
payload holding a query) is refused on graphql-transport-ws as the protocol says (close 4400);
on the legacy graphql-ws, which has no such refusal, a `start` gets an `error` message and
anything else is ignored, as strawberry ignores a frame that is not JSON.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from graphql import DocumentNode, GraphQLError, OperationType, get_operation_ast, parse
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    Message,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.subscriptions.protocols.graphql_ws.types import ErrorMessage, OperationMessage
from strawberry.types import ExecutionResult
from strawberry.types.unset import UnsetType

from stakenet.api.context import Context
from stakenet.api.deadline import deadline_error, execution_deadline

# A WebSocket close reason is at most 123 bytes of UTF-8.
CLOSE_REASON_BYTES = 123

# The running operation's `lift`: its answer, once computed, is sent whatever the deadline.
_answer_ready: ContextVar[Callable[[], Awaitable[None]] | None] = ContextVar(
    "answer_ready", default=None
)


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, Any]):
    async def handle_message(self, message: Message) -> None:
        if not is_message(message):
            await self.handle_invalid_message("Failed to parse message")
            return
        await super().handle_message(message)

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        # strawberry's own, with a null payload taken as none and a refusal's reason kept.
        if self.connection_timed_out:
            return
        if self.connection_init_timeout_task:
            self.connection_init_timeout_task.cancel()
        payload = message.get("payload")
        if payload is None:
            payload = {}
        if not isinstance(payload, dict):
            await self.websocket.close(code=4400, reason="Invalid connection init payload")
            return
        if self.connection_init_received:
            await self.websocket.close(code=4429, reason="Too many initialisation requests")
            return
        self.connection_init_received = True
        self.context.connection_params = payload
        try:
            acknowledgement = await self.view.on_ws_connect(self.context)
        except ConnectionRejectionError as refused:
            await self.websocket.close(code=4403, reason=_close_reason(refused.payload))
            return
        if isinstance(acknowledgement, UnsetType):
            await self.send_message({"type": "connection_ack"})
        else:
            await self.send_message({"type": "connection_ack", "payload": acknowledgement})
        self.connection_acknowledged = True

    async def run_operation(self, operation: Operation[Context, Any]) -> None:
        services = self.context.services
        try:
            # Within the token limit strawberry's own parse has: a huge document is never
            # parsed whole. strawberry's stream ends a document refused here with a bare
            # `complete` and a logged traceback, so the refusal is sent here, as over HTTP:
            # coded by the schema as HTTP codes it.
            document = parse(operation.query, max_tokens=services.settings.max_tokens)
        except GraphQLError as refused:
            self.schema.process_errors([refused])
            await operation.send_initial_errors([refused])
            return
        except TypeError:  # not a string: strawberry refuses it
            document = None
        if document is None or _is_subscription(document, operation.operation_name):
            await super().run_operation(operation)
            return
        try:
            async with execution_deadline(services.settings.execution_deadline) as lift:
                answering = _answer_ready.set(lift)  # in the operation's own task only
                try:
                    await super().run_operation(operation)
                finally:
                    _answer_ready.reset(answering)
        except TimeoutError:
            stopped = deadline_error(
                services, operation.operation_name, operation.query, operation.variables
            )
            await operation.send_next(ExecutionResult(data=None, errors=[stopped]))
            await operation.send_operation_message({"id": operation.id, "type": "complete"})
            self.operations.pop(operation.id, None)

    async def send_message(self, message: Message) -> None:
        lift = _answer_ready.get()
        if lift is not None:
            await lift()
        await super().send_message(message)


class LegacyWSHandler(BaseGraphQLWSHandler[Context, Any]):
    async def handle_async_results(
        self,
        operation_id: str,
        query: str,
        operation_name: str | None,
        variables: dict[str, object] | None,
    ) -> None:
        # A document refused by the parser (syntax, too many tokens) raises out of strawberry's
        # operation task here, where graphql-transport-ws answers it: answer it the same way,
        # with the code the schema gives a refused request (`schema.REQUEST_REFUSED`, which
        # importing here would close an import cycle).
        try:
            await super().handle_async_results(operation_id, query, operation_name, variables)
        except GraphQLError as error:
            refused: ErrorMessage = {
                "type": "error",
                "id": operation_id,
                "payload": {**error.formatted, "extensions": {"code": "BAD_REQUEST"}},
            }
            await self.send_message(refused)

    async def handle_message(self, message: OperationMessage) -> None:
        if is_message(message):
            await super().handle_message(message)
        elif isinstance(message, dict) and message.get("type") == "start":
            operation_id = message.get("id")
            await self.send_message(
                {
                    "type": "error",
                    "id": operation_id if isinstance(operation_id, str) else "",
                    "payload": {"message": "Failed to parse message"},
                }
            )


def is_message(frame: object) -> bool:
    """Is `frame` shaped as strawberry's handlers read it? They index its fields unchecked."""
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        return False
    if frame["type"] not in ("subscribe", "start"):
        return True
    payload = frame.get("payload")
    return (
        isinstance(frame.get("id"), str)
        and isinstance(payload, dict)
        and isinstance(payload.get("query"), str)
        and isinstance(payload.get("variables") or {}, dict)
        and isinstance(payload.get("operationName") or "", str)
    )


def _close_reason(refusal: object) -> str:
    """The message of a refused `connection_init`, cut to fit a close frame."""
    message = refusal.get("message") if isinstance(refusal, dict) else None
    if not isinstance(message, str) or not message:
        return "Forbidden"
    encoded = message.encode()
    if len(encoded) <= CLOSE_REASON_BYTES:
        return message
    return encoded[: CLOSE_REASON_BYTES - 3].decode(errors="ignore") + "..."


def _is_subscription(document: DocumentNode, operation_name: str | None) -> bool:
    operation = get_operation_ast(document, operation_name)
    return operation is not None and operation.operation is OperationType.SUBSCRIPTION


__all__ = ["LegacyWSHandler", "TransportWSHandler"]
