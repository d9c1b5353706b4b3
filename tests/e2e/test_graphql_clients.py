"""The GraphQL clients web and Python developers use, against a real `stakenet serve --demo`.

Apollo Client, urql and the reference graphql-ws client run as node scripts
(`tests/e2e/clients/*.mjs`, pinned in package.json) that print what they saw as one JSON line;
Python's gql runs here. Each does a real query (the search for "morch" finds Peter Mørch), a
mutation, and hears that mutation on a subscription; Apollo and urql also go through the
persisted-query round trip: a hash the server does not know, the query sent with it, then the
hash alone.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gql import Client, GraphQLRequest
from gql.transport.httpx import HTTPXAsyncTransport
from gql.transport.websockets import WebsocketsTransport

from support.server_process import ServerProcess, start_server

pytestmark = pytest.mark.server

REPO_ROOT = Path(__file__).resolve().parents[2]
CLIENTS = Path(__file__).resolve().parent / "clients"

SEARCH = """query Search($search: String!) {
  stakeholders(search: $search, first: 5) { totalCount edges { node { id name } } } }"""
CREATE_PERSON = """mutation CreatePerson($input: PersonInput!) {
  createPerson(input: $input) { person { id name } errors { message } } }"""
GRAPH_CHANGED = "subscription { graphChanged { revision stakeholderIds deletedIds } }"

# The persisted-query round trip as each client's requests show it: (sent the query, sent a
# hash, the answer's first error).
ROUND_TRIP = [
    (False, True, "PersistedQueryNotFound"),
    (True, True, None),
    (False, True, None),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    server = start_server(tmp_path_factory.mktemp("clients") / "stakenet.db", demo=True)
    yield server
    server.stop()


def run_client(script: str, server: ServerProcess) -> dict[str, Any]:
    if shutil.which("node") is None or not (REPO_ROOT / "node_modules" / "@apollo").exists():
        message = "needs Node and `npm ci` (the GraphQL clients in package.json)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI installs both: their absence is a broken setup
        pytest.skip(message)
    run = subprocess.run(
        ["node", str(CLIENTS / script), server.base_url],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO_ROOT,
    )
    assert run.returncode == 0, run.stderr
    report: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return report


def round_trip(exchanges: list[dict[str, Any]]) -> list[tuple[bool, bool, str | None]]:
    return [(entry["sentQuery"], entry["sentHash"], entry["error"]) for entry in exchanges]


def assert_heard(created: dict[str, Any], event: dict[str, Any], name: str) -> None:
    assert created["errors"] == []
    assert created["person"]["name"] == name
    assert event["stakeholderIds"] == [created["person"]["id"]]
    assert event["deletedIds"] == []
    assert event["revision"] > 1  # the demo import was the first


def test_apollo_client_persists_over_post_and_get_and_pages_through_its_cache(
    server: ServerProcess,
) -> None:
    report = run_client("apollo.mjs", server)
    post, get = report["post"], report["get"]
    assert post["names"] == get["names"] == [["Peter Mørch"], ["Peter Mørch"]]
    assert round_trip(post["exchanges"]) == round_trip(get["exchanges"]) == ROUND_TRIP
    assert [entry["method"] for entry in post["exchanges"]] == ["POST", "POST", "POST"]
    # Hashed queries over GET; the query itself is resent over POST.
    assert [entry["method"] for entry in get["exchanges"]] == ["GET", "POST", "GET"]
    # That GET leaves Accept at */*, as many clients do: the answer is JSON, not the IDE.
    assert {entry["accept"] for entry in get["exchanges"]} == {"*/*"}
    assert all(entry["contentType"].startswith("application/json") for entry in get["exchanges"])
    # relayStylePagination merged two pages of three under one cache entry.
    assert report["pageNames"] == [
        "Ahmad Rahimi", "Alberte Lund", "Amalie Kruse",
        "Anders Juhl", "Anders Nyborg", "Anette Søgaard",
    ]  # fmt: skip
    assert report["hasNextPage"] is True
    assert report["totalCount"] == 95
    # A fragment on the Stakeholder interface reads a cached Person: possibleTypes at work.
    assert report["viaInterface"] == "Peter Mørch"
    assert report["cachedCreated"] == "Apollo Klient"
    assert_heard(report["created"], report["event"], "Apollo Klient")


def test_urql_persisted_exchange_resends_the_query_on_a_miss(server: ServerProcess) -> None:
    report = run_client("urql.mjs", server)
    assert report["names"] == [["Peter Mørch"], ["Peter Mørch"]]
    assert round_trip(report["exchanges"]) == ROUND_TRIP
    assert [entry["method"] for entry in report["exchanges"]] == ["GET", "GET", "GET"]
    assert_heard(report["created"], report["event"], "Urql Klient")


def test_the_graphql_ws_client_queries_mutates_and_subscribes(server: ServerProcess) -> None:
    report = run_client("graphql_ws.mjs", server)
    assert report["names"] == ["Peter Mørch"]
    assert report["titles"] == ["adm. direktør"]
    assert_heard(report["created"], report["event"], "Socket Klient")


async def test_python_gql_over_http_and_websockets(server: ServerProcess) -> None:
    http = Client(transport=HTTPXAsyncTransport(url=server.base_url + "/graphql"))
    sockets = Client(
        transport=WebsocketsTransport(
            url=server.base_url.replace("http://", "ws://") + "/graphql",
            subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
        )
    )
    async with http as over_http, sockets as over_socket:
        found = await over_http.execute(GraphQLRequest(SEARCH, variable_values={"search": "morch"}))
        over_ws = await over_socket.execute(
            GraphQLRequest(SEARCH, variable_values={"search": "mørch"})
        )
        events = over_socket.subscribe(GraphQLRequest(GRAPH_CHANGED))
        first_event = asyncio.ensure_future(anext(events))
        await asyncio.sleep(0.5)  # the server registers the subscriber as it starts the operation
        created = await over_http.execute(
            GraphQLRequest(
                CREATE_PERSON,
                variable_values={"input": {"name": "Gql Klient", "key": "client-gql"}},
            )
        )
        event = await asyncio.wait_for(first_event, 10)
        await events.aclose()
    assert [edge["node"]["name"] for edge in found["stakeholders"]["edges"]] == ["Peter Mørch"]
    assert over_ws["stakeholders"] == found["stakeholders"]
    assert_heard(created["createPerson"], event["graphChanged"], "Gql Klient")
