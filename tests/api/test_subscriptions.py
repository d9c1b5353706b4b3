"""`graphChanged` over graphql-transport-ws against a real server, and the change feed itself."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect

from stakenet.analytics.network_view import Listener, NetworkView
from stakenet.api.ids import to_global_id
from stakenet.api.subscriptions import ChangeFeed, GraphChange, _event
from stakenet.domain.model import (
    Change,
    ChangeOp,
    EntityType,
    GraphData,
    Stakeholder,
    StakeholderKind,
    Tie,
    TieKind,
)
from support.live_server import Api

pytestmark = pytest.mark.server

# Every test that uses a server runs on SQLite and on the Bolt server.
STORES = ("sqlite", "bolt")

CREATE_PERSON = """mutation($input: PersonInput!) {
  createPerson(input: $input) { person { id } errors { message } } }"""
CREATE_TIE = """mutation($input: TieInput!) {
  createTie(input: $input) { tie { id } errors { message } } }"""
SUBSCRIBE = """subscription($ids: [ID!]) {
  graphChanged(ids: $ids) { revision stakeholderIds deletedIds } }"""


@asynccontextmanager
async def subscribed(
    api: Api, variables: dict[str, Any] | None = None
) -> AsyncIterator[ClientConnection]:
    url = api.base_url.replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        assert ws.subprotocol == "graphql-transport-ws"
        await ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await ws.recv()) == {"type": "connection_ack"}
        await ws.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": SUBSCRIBE, "variables": variables or {}},
                }
            )
        )
        # The server registers the subscriber as it starts the operation; give it a moment.
        await asyncio.sleep(0.2)
        yield ws


async def next_message(ws: ClientConnection, within: float = 2.0) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), within))
    return message


async def create_person(api: Api, name: str) -> str:
    data = await asyncio.to_thread(api.data, CREATE_PERSON, {"input": {"name": name}})
    person_id: str = data["createPerson"]["person"]["id"]
    return person_id


async def test_creating_a_person_is_heard_within_two_seconds(api: Api) -> None:
    async with subscribed(api) as ws:
        person_id = await create_person(api, "Anna Holm")
        message = await next_message(ws, within=2.0)
    assert message["type"] == "next"
    assert message["id"] == "1"
    event = message["payload"]["data"]["graphChanged"]
    assert event["stakeholderIds"] == [person_id]
    assert event["deletedIds"] == []
    stats = await asyncio.to_thread(api.data, "{ networkStats { revision } }")
    assert event["revision"] == stats["networkStats"]["revision"]


async def test_a_connection_init_with_a_null_payload_is_acknowledged(api: Api) -> None:
    # The protocol's payload is optional and may be null: the same as sending none.
    url = api.base_url.replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": None}))
        assert await next_message(ws) == {"type": "connection_ack"}
        query = {"query": "{ networkStats { revision } }"}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": query}))
        answer = await next_message(ws)
    assert answer["payload"] == {"data": {"networkStats": {"revision": 0}}}


async def closed_with(ws: ClientConnection) -> tuple[int, str]:
    from websockets.exceptions import ConnectionClosed

    with pytest.raises(ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), 5)
    # None: the server dropped the connection without a close frame.
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code, closed.value.rcvd.reason


async def test_a_connection_init_that_is_not_an_object_or_comes_twice_is_closed(api: Api) -> None:
    # As the protocol says: a payload that is not a map closes with 4400, a second
    # `connection_init` with 4429, each with its reason.
    url = api.base_url.replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": []}))
        assert await closed_with(ws) == (4400, "Invalid connection init payload")
    async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init"}))
        assert await next_message(ws) == {"type": "connection_ack"}
        await ws.send(json.dumps({"type": "connection_init"}))
        assert await closed_with(ws) == (4429, "Too many initialisation requests")


NOT_MESSAGES = [
    "[" * 70 + "]" * 70,  # nested deeper than any input may be
    '{"type": "ping", "n": ' + "9" * 200 + "}",  # an integer beyond any input's
    "NaN",
    '"\\ud800"',  # a lone surrogate
    "[1, 2]",
    json.dumps({"id": "1", "type": "subscribe", "payload": "x"}),
    json.dumps({"id": "1", "type": "subscribe", "payload": {"query": 7}}),
]


@pytest.mark.parametrize("frame", NOT_MESSAGES)
async def test_a_frame_that_is_not_a_message_closes_with_4400(api: Api, frame: str) -> None:
    url = api.base_url.replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init"}))
        assert await next_message(ws) == {"type": "connection_ack"}
        await ws.send(frame)
        assert (await closed_with(ws))[0] == 4400


async def test_the_legacy_protocol_answers_a_malformed_start_and_ignores_other_frames(
    api: Api,
) -> None:
    url = api.base_url.replace("http://", "ws://") + "/graphql"
    subscription = {"query": "subscription { graphChanged { stakeholderIds } }"}
    async with connect(url, subprotocols=["graphql-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init"}))
        assert (await next_message(ws))["type"] == "connection_ack"
        for frame in NOT_MESSAGES:
            await ws.send(frame)
        await ws.send(json.dumps({"id": "1", "type": "start", "payload": "x"}))
        await ws.send(json.dumps({"id": "2", "type": "start", "payload": {"query": "}}{"}}))
        await ws.send(json.dumps({"id": "3", "type": "start", "payload": subscription}))
        replies = [await next_message(ws) for _ in range(2)]
        await asyncio.sleep(0.2)
        # The connection still serves: the subscription started after them hears a change.
        person_id = await create_person(api, "Anna Holm")
        heard = await next_message(ws)
    malformed = {"type": "error", "id": "1", "payload": {"message": "Failed to parse message"}}
    assert replies[0] == malformed
    assert (replies[1]["type"], replies[1]["id"]) == ("error", "2")
    assert replies[1]["payload"]["message"].startswith("Syntax Error")
    assert replies[1]["payload"]["extensions"] == {"code": "BAD_REQUEST"}
    assert heard["id"] == "3"
    assert heard["payload"]["data"]["graphChanged"]["stakeholderIds"] == [person_id]


async def test_ids_narrow_the_events_to_changes_touching_those_stakeholders(api: Api) -> None:
    anna = await create_person(api, "Anna")
    async with subscribed(api, {"ids": [anna]}) as ws:
        bo = await create_person(api, "Bo")  # does not touch Anna: not heard
        tie = await asyncio.to_thread(
            api.data, CREATE_TIE, {"input": {"sourceId": anna, "targetId": bo, "kind": "KNOWS"}}
        )
        assert tie["createTie"]["errors"] == []
        message = await next_message(ws)
    event = message["payload"]["data"]["graphChanged"]
    assert sorted(event["stakeholderIds"]) == sorted([anna, bo])


async def test_an_invalid_id_filter_is_an_error_message(api: Api) -> None:
    async with subscribed(api, {"ids": ["%%%"]}) as ws:
        message = await next_message(ws)
    assert message["type"] in ("error", "next")
    text = json.dumps(message)
    assert "'%%%' is not a valid id." in text


class ViewOnlyNetwork:
    """The part of the network service a change feed uses, over a real read model."""

    def __init__(self, data: GraphData) -> None:
        self.view = NetworkView()
        self.view.load(data)

    def subscribe(self, listener: Listener) -> None:
        self.view.subscribe(listener)

    def unsubscribe(self, listener: Listener) -> None:
        self.view.unsubscribe(listener)


def company_and_person() -> GraphData:
    return GraphData(
        revision=6,
        stakeholders=[
            Stakeholder(id="c1", kind=StakeholderKind.COMPANY, name="C1"),
            Stakeholder(id="p1", kind=StakeholderKind.PERSON, name="P1"),
        ],
        ties=[Tie(id="t1", kind=TieKind.WORKS_FOR, source_id="p1", target_id="c1")],
    )


async def test_a_deleted_stakeholder_keeps_the_global_id_the_client_knew() -> None:
    network = ViewOnlyNetwork(company_and_person())
    feed = ChangeFeed(network, asyncio.get_running_loop())  # type: ignore[arg-type]
    changes = feed.changes(None, idle_after=60)
    waiting = asyncio.ensure_future(anext(changes))
    await asyncio.sleep(0.05)  # the feed subscribes
    delete = Change(7, EntityType.STAKEHOLDER, ChangeOp.DELETE, "c1")
    network.view.publish(network.view.apply([delete]))
    change = await asyncio.wait_for(waiting, 1)
    assert change is not None
    event: GraphChange = _event(change)
    assert event.revision == 7
    assert event.stakeholder_ids == sorted(
        [to_global_id("Company", "c1"), to_global_id("Person", "p1")]
    )
    assert event.deleted_ids == [to_global_id("Company", "c1")]
    await changes.aclose()


async def test_a_listener_called_from_another_thread_still_delivers() -> None:
    network = ViewOnlyNetwork(company_and_person())
    feed = ChangeFeed(network, asyncio.get_running_loop())  # type: ignore[arg-type]
    changes = feed.changes(["p1"], idle_after=60)
    waiting = asyncio.ensure_future(anext(changes))
    await asyncio.sleep(0.05)
    renamed = Stakeholder(id="p1", kind=StakeholderKind.PERSON, name="P1, renamed")
    event = network.view.apply([Change(7, EntityType.STAKEHOLDER, ChangeOp.UPSERT, "p1", renamed)])
    worker = threading.Thread(target=network.view.publish, args=(event,))
    worker.start()
    worker.join()
    change = await asyncio.wait_for(waiting, 1)
    assert change is not None
    assert (change.revision, set(change.touched_ids)) == (7, {"p1"})
    await changes.aclose()
