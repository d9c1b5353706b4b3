"""Hostile requests against a real server: each is refused quickly and clearly, and the server
goes on answering ordinary queries."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import strawberry

from stakenet.api.http import GraphQLView
from stakenet.services.container import Settings
from stakenet.store.port import write_becomes_irrevocable
from support.live_server import Api, serve

pytestmark = pytest.mark.server

QUICK = 1.0  # seconds: every refusal must come well inside this
STATS = "{ networkStats { stakeholders revision } }"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from serve(tmp_path_factory.mktemp("hardening") / "stakenet.db")


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from serve(
        tmp_path_factory.mktemp("production") / "stakenet.db",
        settings=Settings(production=True),
    )


def timed(action: Callable[[], httpx.Response]) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    response = action()
    return response, time.perf_counter() - started


def still_serves(api: Api) -> None:
    assert api.data(STATS)["networkStats"]["revision"] >= 0


def post(api: Api, query: str, **extra: Any) -> Callable[[], httpx.Response]:
    return lambda: api.client.post("/graphql", json={"query": query, **extra})


def only_error(response: httpx.Response) -> str:
    body = response.json()
    assert len(body["errors"]) >= 1, body
    message: str = body["errors"][0]["message"]
    return message


def nested(depth: int) -> str:
    """A real, deeply nested selection: stakeholder → ties → source → ties → …"""
    opening, closing, level = "", "", 3  # stakeholders, edges, node
    while level < depth:
        opening += "ties(first: 1) { edges { node { source { "
        closing += " } } } }"
        level += 4
    return "{ stakeholders(first: 1) { edges { node { " + opening + "id" + closing + " } } } }"


def test_a_query_fifty_levels_deep_is_refused_by_the_depth_limit(server: Api) -> None:
    response, elapsed = timed(post(server, nested(50)))
    assert response.status_code == 200
    assert "exceeds maximum operation depth of 10" in only_error(response)
    assert response.json()["data"] is None
    assert elapsed < QUICK
    still_serves(server)


def test_a_query_at_the_depth_limit_runs(server: Api) -> None:
    # The root field is at depth 0, so `id` here is at depth 10; one more level is refused.
    at_limit = (
        "{ stakeholders { edges { node { ties { edges { node { source { ties { edges { node {"
        " id } } } } } } } } } } }"
    )
    body = server.post(at_limit)
    assert "errors" not in body, body
    assert body["data"]["stakeholders"]["edges"] == []


def test_five_hundred_aliases_are_refused(server: Api) -> None:
    query = "{ " + " ".join(f"a{i}: __typename" for i in range(500)) + " }"
    response, elapsed = timed(post(server, query))
    assert only_error(response) == "500 aliases found. Allowed: 15"
    assert elapsed < QUICK
    still_serves(server)


def test_five_thousand_duplicate_fields_stop_the_parser_at_the_token_limit(server: Api) -> None:
    query = "{ networkStats { " + "revision " * 5000 + "} }"
    response, elapsed = timed(post(server, query))
    assert "Document contains more than 2000 tokens" in only_error(response)
    assert elapsed < QUICK
    still_serves(server)


def test_a_fragment_bomb_is_refused_by_the_field_limit(server: Api) -> None:
    # Ten fragments, each spreading the next one ten times: 10^9 fields once expanded.
    fragments = [
        f"fragment F{i} on NetworkStats {{ {' '.join([f'...F{i + 1}'] * 10)} }}" for i in range(9)
    ]
    fragments.append("fragment F9 on NetworkStats { revision }")
    query = "{ networkStats { ...F0 } } " + " ".join(fragments)
    response, elapsed = timed(post(server, query))
    message = only_error(response)
    assert message == (
        "The document selects 1000000001 fields (fragments counted where they are used); "
        "at most 1000 are allowed."
    )
    assert elapsed < QUICK
    still_serves(server)


def test_too_many_relationship_maps_in_one_document_are_refused(tmp_path: Path) -> None:
    for api in serve(tmp_path / "maps.db"):
        created = api.data(
            'mutation { createPerson(input: {name: "Map Centre"}) { person { id } } }'
        )
        center = created["createPerson"]["person"]["id"]
        one_map = f'relationshipMap(centerId: "{center}", depth: 4, limit: 1000) {{ truncated }}'
        # Two aliased maps and a fragment with one, spread twice: four maps.
        query = f"{{ a: {one_map} b: {one_map} ...M ...M }} fragment M on Query {{ c: {one_map} }}"
        response, elapsed = timed(post(api, query))
        three = post(api, f"{{ a: {one_map} b: {one_map} c: {one_map} }}")().json()
        still_serves(api)
    assert response.json() == {
        "data": None,
        "errors": [
            {
                "message": "The document asks for 4 relationship maps (fragments counted where "
                "they are used); at most 3 are allowed: send the others separately.",
                "extensions": {"code": "BAD_REQUEST"},
            }
        ],
    }
    assert elapsed < QUICK
    assert three == {"data": {name: {"truncated": False} for name in "abc"}}


def test_too_many_directives_are_refused(server: Api) -> None:
    query = "{ networkStats { revision " + "@include(if: true) " * 60 + "} }"
    response, elapsed = timed(post(server, query))
    messages = [e["message"] for e in response.json()["errors"]]
    assert "The document uses 60 directives; at most 50 are allowed." in messages
    assert elapsed < QUICK
    still_serves(server)


def test_first_above_the_page_cap_is_a_clear_error(server: Api) -> None:
    response, elapsed = timed(post(server, "{ stakeholders(first: 100000) { totalCount } }"))
    assert only_error(response) == "first: 'first' must be between 1 and 100, got 100000."
    assert elapsed < QUICK
    still_serves(server)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ("depth: 9", "depth: 'depth' must be between 0 and 4, got 9."),
        ("limit: 100000", "limit: 'limit' must be between 1 and 1000, got 100000."),
        ("minStrength: 1.5", "minStrength: 'minStrength' must be between 0 and 1, got 1.5."),
    ],
)
def test_a_map_out_of_its_bounds_says_the_bound_and_what_was_asked(
    server: Api, arguments: str, message: str
) -> None:
    query = '{ relationshipMap(centerId: "UGVyc29uOng=", ' + arguments + ") { truncated } }"
    response, elapsed = timed(post(server, query))
    assert only_error(response) == message
    assert elapsed < QUICK


def _host_port(api: Api) -> tuple[str, int]:
    url = httpx.URL(api.base_url)
    assert url.port is not None
    return url.host, url.port


def _status_line(sock: socket.socket) -> str:
    received = b""
    while b"\r\n" not in received:
        chunk = sock.recv(4096)
        if not chunk:
            break
        received += chunk
    return received.split(b"\r\n", 1)[0].decode()


def test_a_twenty_megabyte_body_is_refused_from_its_content_length_without_reading_it(
    server: Api,
) -> None:
    host, port = _host_port(server)
    size = 20 * 1024 * 1024
    started = time.perf_counter()
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall(
            f"POST /graphql HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {size}\r\n\r\n".encode()
        )
        # Only the first 64 KiB are ever sent: the answer must not wait for the rest.
        sock.sendall(b'{"query": "' + b"x" * 65536)
        status = _status_line(sock)
    elapsed = time.perf_counter() - started
    assert status == "HTTP/1.1 413 Request Entity Too Large"
    assert elapsed < QUICK
    still_serves(server)


def test_a_chunked_body_is_cut_off_at_the_limit_while_it_streams(server: Api) -> None:
    host, port = _host_port(server)
    chunk = b"x" * 65536
    sent = 0
    started = time.perf_counter()
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall(
            f"POST /graphql HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n\r\n".encode()
        )
        sock.setblocking(False)
        # Keep sending until the server answers; it must answer long before 20 MB went out.
        while sent < 20 * 1024 * 1024:
            try:
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
            except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                break
            try:
                if sock.recv(1, socket.MSG_PEEK):
                    break
            except BlockingIOError:
                continue
        sock.setblocking(True)
        status = _status_line(sock)
    elapsed = time.perf_counter() - started
    assert status == "HTTP/1.1 413 Request Entity Too Large"
    assert sent < 20 * 1024 * 1024
    assert elapsed < QUICK
    still_serves(server)


def test_a_body_over_the_limit_gets_a_json_error_saying_the_limit(server: Api) -> None:
    body = json.dumps({"query": "{ __typename }", "pad": "x" * (1 << 20)})
    response, elapsed = timed(
        lambda: server.client.post(
            "/graphql", content=body, headers={"content-type": "application/json"}
        )
    )
    assert response.status_code == 413
    assert only_error(response) == "The request body is larger than the limit of 1048576 bytes."
    assert elapsed < QUICK


def test_malformed_json_is_a_400_saying_where(server: Api) -> None:
    response, elapsed = timed(
        lambda: server.client.post(
            "/graphql",
            content=b'{"query": "{ __typename }"',
            headers={"content-type": "application/json"},
        )
    )
    assert response.status_code == 400
    assert only_error(response).startswith("The request is not valid JSON: ")
    assert "(line 1, column 27)" in only_error(response)
    assert elapsed < QUICK
    still_serves(server)


@pytest.mark.parametrize(
    ("content_type", "content"),
    [
        ("application/x-www-form-urlencoded", b"query=%7B__typename%7D"),
        ("text/plain", b'{"query": "{ __typename }"}'),
        (
            "multipart/form-data; boundary=x",
            b'--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{}\r\n--x--\r\n',
        ),
    ],
)
def test_posts_that_are_not_json_are_refused_with_415(
    server: Api, content_type: str, content: bytes
) -> None:
    response, elapsed = timed(
        lambda: server.client.post(
            "/graphql", content=content, headers={"content-type": content_type}
        )
    )
    assert response.status_code == 415
    assert only_error(response) == (
        f"POST bodies must be JSON with 'Content-Type: application/json', not '{content_type}'."
    )
    assert elapsed < QUICK
    still_serves(server)


def test_a_mutation_over_get_is_405_with_allow_post(server: Api) -> None:
    query = 'mutation { createPerson(input: {name: "Via GET"}) { person { id } } }'
    response, elapsed = timed(lambda: server.client.get("/graphql", params={"query": query}))
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert only_error(response) == "Mutations are accepted over POST only."
    assert elapsed < QUICK
    assert server.data(STATS)["networkStats"]["stakeholders"] == 0


def test_a_query_over_get_is_answered(server: Api) -> None:
    response = server.client.get("/graphql", params={"query": STATS})
    assert response.status_code == 200
    assert response.json()["data"]["networkStats"]["stakeholders"] == 0


def test_a_json_array_batch_is_refused_with_400(server: Api) -> None:
    response, elapsed = timed(
        lambda: server.client.post("/graphql", json=[{"query": STATS}, {"query": STATS}])
    )
    assert response.status_code == 400
    assert only_error(response) == (
        "Batched operations (a JSON array) are not accepted; send one operation per request."
    )
    assert elapsed < QUICK
    still_serves(server)


def test_other_methods_are_405_naming_the_allowed_ones(server: Api) -> None:
    response = server.client.put("/graphql", json={"query": STATS})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"


INTROSPECTION = "{ __schema { queryType { name } } }"
TYPO = "{ networkStats { revison } }"


def test_introspection_is_answered_in_development(server: Api) -> None:
    assert server.data(INTROSPECTION) == {"__schema": {"queryType": {"name": "Query"}}}


def test_introspection_is_refused_in_production(production: Api) -> None:
    response, elapsed = timed(post(production, INTROSPECTION))
    assert "introspection has been disabled" in only_error(response)
    assert elapsed < QUICK
    still_serves(production)


def test_field_suggestions_are_given_in_development(server: Api) -> None:
    response = server.client.post("/graphql", json={"query": TYPO})
    assert "Did you mean 'revision'?" in only_error(response)


def test_field_suggestions_are_absent_in_production(production: Api) -> None:
    response = production.client.post("/graphql", json={"query": TYPO})
    assert only_error(response) == "Cannot query field 'revison' on type 'NetworkStats'."


def test_enum_suggestions_are_absent_in_production(production: Api) -> None:
    response = production.client.post(
        "/graphql", json={"query": "{ stakeholders(kind: PERSN) { totalCount } }"}
    )
    message = only_error(response)
    assert message.startswith("Value 'PERSN' does not exist in 'StakeholderKind' enum")
    assert "Did you mean" not in message


@pytest.mark.parametrize("protocol", ["graphql-transport-ws", "graphql-ws"])
def test_suggestions_are_absent_over_websockets_in_production(
    production: Api, protocol: str
) -> None:
    # A socket's operations run as subscriptions do: their refusals are sent while the
    # operation is still open, so cutting the hints as it ends came too late.
    from websockets.sync.client import connect

    start = "subscribe" if protocol == "graphql-transport-ws" else "start"
    documents = [
        "subscription { graphChange { revision } }",
        "subscription { graphChanged { revison } }",
        TYPO,
        "{ stakeholders(kind: PERSN) { totalCount } }",
    ]
    messages = []
    url = production.base_url.replace("http://", "ws://") + "/graphql"
    with connect(url, subprotocols=[protocol]) as ws:  # type: ignore[list-item]
        ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(ws.recv(5))["type"] == "connection_ack"
        for number, document in enumerate(documents, 1):
            if protocol == "graphql-ws" and not document.startswith("subscription"):
                continue  # the legacy protocol runs subscriptions only
            payload = {"query": document}
            ws.send(json.dumps({"id": str(number), "type": start, "payload": payload}))
            reply = json.loads(ws.recv(5))
            errors = reply["payload"]
            messages += [e["message"] for e in (errors if isinstance(errors, list) else [errors])]
    assert messages and all("Cannot query field" in m or "does not exist" in m for m in messages)
    assert not [m for m in messages if "Did you mean" in m]


def test_a_document_of_several_operations_needs_the_name_of_the_one_to_run(server: Api) -> None:
    # As the GraphQL specification says (GetOperation): nothing runs, the first not either.
    document = (
        'mutation Create { createPerson(input: {name: "Unnamed", key: "p-unnamed"}) '
        "{ person { id } } } query Stats { networkStats { stakeholders } }"
    )
    before = server.data(STATS)
    response = server.client.post(
        "/graphql",
        json={"query": document},
        headers={"accept": "application/graphql-response+json"},
    )
    assert response.status_code == 400
    assert only_error(response) == (
        "Must provide operation name if query contains multiple operations."
    )
    assert server.data(STATS) == before
    # Over a socket too.
    from websockets.sync.client import connect

    url = server.base_url.replace("http://", "ws://") + "/graphql"
    with connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(ws.recv(5))["type"] == "connection_ack"
        ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": document}}))
        refused = json.loads(ws.recv(5))
    assert [e["message"] for e in refused["payload"]] == [
        "Must provide operation name if query contains multiple operations."
    ]
    assert server.data(STATS) == before
    named = server.client.post("/graphql", json={"query": document, "operationName": "Stats"})
    assert named.json() == {
        "data": {"networkStats": {"stakeholders": before["networkStats"]["stakeholders"]}}
    }


def test_the_ide_is_off_in_production(production: Api, server: Api) -> None:
    assert production.client.get("/graphql", headers={"accept": "text/html"}).status_code == 404
    assert server.client.get("/graphql", headers={"accept": "text/html"}).status_code == 200


# The deadline needs an operation slower than any the real schema offers on a small network,
# so it is checked on the view itself with a schema that sleeps.


@strawberry.type
class SlowQuery:
    @strawberry.field
    async def slow(self) -> int:
        await asyncio.sleep(5)
        return 1

    @strawberry.field
    def fast(self) -> int:
        return 2


class _Analytics:
    state = "a snapshot"  # adopted: a stopped operation was not waiting for the first one


class _Services:
    settings = Settings(execution_deadline=0.2)
    analytics = _Analytics()


async def test_an_operation_past_the_deadline_is_stopped_with_a_clear_error() -> None:
    view = GraphQLView(strawberry.Schema(query=SlowQuery), _Services())  # type: ignore[arg-type]
    transport = httpx.ASGITransport(app=view)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        started = time.perf_counter()
        response = await client.post("/graphql", json={"query": "{ slow }"})
        elapsed = time.perf_counter() - started
        assert response.status_code == 200
        body = response.json()
        assert body["data"] is None
        assert body["errors"][0]["message"].startswith(
            "The operation did not finish within 0.2 s and was stopped"
        )
        assert body["errors"][0]["extensions"] == {"code": "DEADLINE_EXCEEDED"}
        assert 0.2 <= elapsed < QUICK
        again = await client.post("/graphql", json={"query": "{ fast }"})
        assert again.json() == {"data": {"fast": 2}}


written: list[str] = []


@strawberry.type
class SlowMutation:
    @strawberry.mutation
    async def write_then_dawdle(self) -> str:
        await write_becomes_irrevocable()  # as a store does right before it writes
        written.append("late answer")
        await asyncio.sleep(0.5)
        return "committed"

    @strawberry.mutation
    async def dawdle_then_write(self) -> str:
        await asyncio.sleep(0.5)
        await write_becomes_irrevocable()
        written.append("after the deadline")
        return "committed"


async def test_a_mutation_past_the_deadline_gets_its_outcome_once_it_has_written() -> None:
    schema = strawberry.Schema(query=SlowQuery, mutation=SlowMutation)
    view = GraphQLView(schema, _Services())  # type: ignore[arg-type]
    written.clear()
    transport = httpx.ASGITransport(app=view)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        started = time.perf_counter()
        late = await client.post("/graphql", json={"query": "mutation { writeThenDawdle }"})
        assert late.json() == {"data": {"writeThenDawdle": "committed"}}
        assert time.perf_counter() - started >= 0.5
        # Past the deadline before its write: stopped there, and nothing was written.
        stopped = await client.post("/graphql", json={"query": "mutation { dawdleThenWrite }"})
        [error] = stopped.json()["errors"]
        assert error["extensions"] == {"code": "DEADLINE_EXCEEDED"}
        assert "stopped before it wrote anything" in error["message"]
        await asyncio.sleep(0.5)
        assert written == ["late answer"]
        # The next operation has a deadline again.
        again = await client.post("/graphql", json={"query": "{ slow }"})
        assert again.json()["errors"][0]["extensions"] == {"code": "DEADLINE_EXCEEDED"}


def test_settings_document_the_defaults() -> None:
    settings = Settings()
    assert (
        settings.max_depth,
        settings.max_aliases,
        settings.max_tokens,
        settings.max_fields,
        settings.max_directives,
        settings.max_maps,
        settings.max_body_bytes,
        settings.execution_deadline,
    ) == (10, 15, 2000, 1000, 50, 3, 1 << 20, 10.0)
    assert Path(__file__).parents[2].joinpath("docs", "api.md").read_text().count("1 MiB") >= 1


def test_a_fragment_cycle_is_refused_before_validation(server: Api) -> None:
    query = (
        "{ networkStats { ...A } } fragment A on NetworkStats { revision ...B } "
        "fragment B on NetworkStats { ...A }"
    )
    response, elapsed = timed(post(server, query))
    assert only_error(response) == "Fragment 'A' spreads itself, directly or not."
    assert elapsed < QUICK
    still_serves(server)


def test_secrets_in_logged_errors_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    from stakenet.api.redaction import install_log_redaction, redact

    install_log_redaction()
    try:
        raise ConnectionError("cannot reach bolt://neo:hunter2@db:7687 with token=abc123")
    except ConnectionError as error:
        with caplog.at_level("ERROR", logger="stakenet.api"):
            logging.getLogger("stakenet.api").error(
                "unexpected failure, password=%s", "s3cret", exc_info=error
            )
    assert "hunter2" not in caplog.text and "abc123" not in caplog.text
    assert "s3cret" not in caplog.text
    assert "password=***" in caplog.text and "bolt://neo:***@db:7687" in caplog.text
    assert redact('{"apiKey": "k-1", "Authorization": "Bearer xyz.abc"}') == (
        '{"apiKey": "***", "Authorization": "Bearer ***"}'
    )
