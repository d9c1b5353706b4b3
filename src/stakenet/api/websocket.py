"""GraphQL over WebSocket: the graphql-transport-ws handler, as the protocol defines it.

strawberry closes a `connection_init` whose payload is `null` with 4400, yet the protocol lets
that optional payload be null: such a `connection_init` is taken as one without a payload.
"""

from __future__ import annotations

from typing import Any

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import ConnectionInitMessage

from stakenet.api.context import Context


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, Any]):
    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        if "payload" in message and message["payload"] is None:
            message = {"type": "connection_init"}
        await super().handle_connection_init(message)


__all__ = ["TransportWSHandler"]
