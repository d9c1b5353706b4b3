"""Over WebSocket, queries and mutations have the execution deadline HTTP requests have
(subscriptions have none), and a document over the token limit is refused as over HTTP."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from stakenet.services.container import Settings
from support.graphql_socket import GraphQLSocket
from support.live_server import serve

pytestmark = pytest.mark.server

WAITS_FOR_A_SNAPSHOT = "{ influenceRanking(first: 3) { score } }"
CREATE_PERSON = """mutation($input: PersonInput!) {
  createPerson(input: $input) { person { id } errors { message } } }"""
SUBSCRIBE = "subscription { graphChanged { stakeholderIds } }"


def follower_without_snapshots(tmp_path: Path) -> Settings:
    # A follower whose worker has written nothing: every analytic question waits, unbounded
    # but for the deadline.
    return Settings(
        rate_limit_per_minute=0,
        analytics="follow",
        snapshot_dir=str(tmp_path / "empty"),
        execution_deadline=0.5,
    )


def test_a_query_over_websocket_is_stopped_at_the_deadline_as_over_http(tmp_path: Path) -> None:
    for api in serve(tmp_path / "s.db", settings=follower_without_snapshots(tmp_path)):
        over_http = api.post(WAITS_FOR_A_SNAPSHOT)

        async def over_websocket(base_url: str) -> dict[str, object]:
            async with GraphQLSocket.open(base_url) as socket:
                first = await socket.execute(WAITS_FOR_A_SNAPSHOT)
                # The socket stays usable, and the next operation has its own deadline.
                second = await socket.execute(WAITS_FOR_A_SNAPSHOT)
                assert second == first
                return first

        answer = asyncio.run(over_websocket(api.base_url))
    assert answer == over_http
    [error] = over_http["errors"]
    assert error["extensions"] == {"code": "DEADLINE_EXCEEDED"}
    assert error["message"].startswith("The operation did not finish within 0.5 s")


def test_a_subscription_outlives_the_deadline(tmp_path: Path) -> None:
    for api in serve(tmp_path / "s.db", settings=follower_without_snapshots(tmp_path)):

        async def listen(base_url: str) -> tuple[dict[str, object], dict[str, object]]:
            async with GraphQLSocket.open(base_url) as socket:
                subscription = await socket.start(SUBSCRIBE)
                await asyncio.sleep(1.0)  # twice the deadline
                created = await socket.execute(CREATE_PERSON, {"input": {"name": "Anna Holm"}})
                heard = await socket.receive(subscription, within=5.0)
                return created, heard

        created, heard = asyncio.run(listen(api.base_url))
    person = created["data"]["createPerson"]["person"]  # type: ignore[index]
    assert heard["type"] == "next"
    assert heard["payload"] == {"data": {"graphChanged": {"stakeholderIds": [person["id"]]}}}


def test_a_document_that_does_not_parse_gets_the_coded_refusal_over_websocket_it_gets_over_http(
    tmp_path: Path,
) -> None:
    over_the_limit = "{ networkStats { " + "revision " * 2_000 + "} }"
    unfinished = "{ networkStats { revision "

    async def send(base_url: str) -> list[dict[str, object]]:
        async with GraphQLSocket.open(base_url) as socket:
            return [await socket.execute(over_the_limit), await socket.execute(unfinished)]

    for api in serve(tmp_path / "s.db"):
        over_http = [api.post(over_the_limit), api.post(unfinished)]
        over_websocket = asyncio.run(send(api.base_url))
    assert over_websocket == over_http
    assert [answer["errors"] for answer in over_websocket] == [
        [
            {
                "message": "Syntax Error: Document contains more than 2000 tokens. Parsing aborted.",
                # The 2001st token: the 1998th "revision", 17 + 9 × 1997 + 1.
                "locations": [{"line": 1, "column": 17_991}],
                "extensions": {"code": "BAD_REQUEST"},
            }
        ],
        [
            {
                "message": "Syntax Error: Expected Name, found <EOF>.",
                "locations": [{"line": 1, "column": 27}],
                "extensions": {"code": "BAD_REQUEST"},
            }
        ],
    ]


def test_a_document_over_the_token_limit_is_refused_over_websocket_without_a_full_parse(
    tmp_path: Path,
) -> None:
    huge = "{ networkStats { " + "revision " * 1_000_000 + "} }"  # 9 MB, a million tokens

    async def send(base_url: str) -> tuple[dict[str, object], float]:
        async with GraphQLSocket.open(base_url) as socket:
            started = time.perf_counter()
            answer = await socket.execute(huge)
            return answer, time.perf_counter() - started

    for api in serve(tmp_path / "s.db"):
        answer, elapsed = asyncio.run(send(api.base_url))
    assert answer["data"] is None
    [error] = answer["errors"]  # type: ignore[misc]
    assert error["message"] == (
        "Syntax Error: Document contains more than 2000 tokens. Parsing aborted."
    )
    # Parsed whole, this document takes tens of seconds (49 s on the 2-core development
    # machine under load, 0.4 s up to the limit): the bound leaves room for a loaded machine.
    assert elapsed < 5.0
