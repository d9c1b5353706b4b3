"""A graphql-transport-ws client for tests: one connection, operations and subscriptions by id."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from websockets.asyncio.client import ClientConnection, connect


class GraphQLSocket:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self._next_id = 0
        self._stash: dict[str, list[dict[str, Any]]] = {}

    @classmethod
    @asynccontextmanager
    async def open(
        cls,
        base_url: str,
        *,
        token: str | None = None,
        header_token: str | None = None,
    ) -> AsyncIterator[GraphQLSocket]:
        """Connect and initialise; `token` goes in `connection_init`, `header_token` in the
        handshake's Authorization header."""
        url = re.sub(r"^http", "ws", base_url) + "/graphql"
        headers = {"Authorization": f"Bearer {header_token}"} if header_token else None
        async with connect(
            url,
            subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
            additional_headers=headers,
        ) as ws:
            payload = {"Authorization": f"Bearer {token}"} if token else {}
            await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
            ack = json.loads(await asyncio.wait_for(ws.recv(), 5))
            assert ack == {"type": "connection_ack"}, ack
            yield cls(ws)

    async def start(self, query: str, variables: dict[str, Any] | None = None) -> str:
        self._next_id += 1
        operation_id = str(self._next_id)
        payload = {"query": query, "variables": variables or {}}
        await self.ws.send(
            json.dumps({"id": operation_id, "type": "subscribe", "payload": payload})
        )
        return operation_id

    async def receive(self, operation_id: str, within: float = 5.0) -> dict[str, Any]:
        """The next message of one operation: `next`, `error` or `complete`."""
        stashed = self._stash.get(operation_id)
        if stashed:
            return stashed.pop(0)
        deadline = asyncio.get_running_loop().time() + within
        while True:
            left = deadline - asyncio.get_running_loop().time()
            message: dict[str, Any] = json.loads(await asyncio.wait_for(self.ws.recv(), left))
            if message.get("id") == operation_id:
                return message
            self._stash.setdefault(str(message.get("id")), []).append(message)

    async def execute(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """A query or mutation's result as an HTTP response body would hold it."""
        operation_id = await self.start(query, variables)
        message = await self.receive(operation_id)
        if message["type"] == "error":
            return {"data": None, "errors": message["payload"]}
        assert message["type"] == "next", message
        assert (await self.receive(operation_id))["type"] == "complete"
        result: dict[str, Any] = message["payload"]
        return result
