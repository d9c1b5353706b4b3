"""A client's mistakes against a real server: each answers a 4xx or a GraphQL error that says
what was wrong, never "Unexpected error." or a 5xx, and the server logs nothing above INFO."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from support.live_server import Api, serve

pytestmark = pytest.mark.server

GRAPHQL_RESPONSE = "application/graphql-response+json"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from serve(tmp_path_factory.mktemp("client-errors") / "stakenet.db", demo=True)


@pytest.fixture
def quiet_log(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Fails the test if the server logged anything above INFO while it ran."""
    with caplog.at_level(logging.INFO):
        yield
    loud = [r for r in caplog.records if r.levelno > logging.INFO and r.name != "httpx"]
    assert not loud, [f"{r.levelname} {r.name}: {r.getMessage()}" for r in loud]


def post_raw(api: Api, body: str | bytes, **headers: str) -> httpx.Response:
    return api.client.post(
        "/graphql", content=body, headers={"content-type": "application/json", **headers}
    )


def refusal(response: httpx.Response, status: int = 400) -> tuple[str, str]:
    """The message and code of a JSON refusal with no `data`."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body = response.json()
    assert "data" not in body and len(body["errors"]) == 1, body
    error = body["errors"][0]
    return error["message"], error["extensions"]["code"]


def first_error(body: dict[str, Any]) -> dict[str, Any]:
    assert body.get("data") is None and body["errors"], body
    assert all(error["message"] != "Unexpected error." for error in body["errors"]), body
    error: dict[str, Any] = body["errors"][0]
    return error


def revision(api: Api) -> int:
    return int(api.data("{ networkStats { revision } }")["networkStats"]["revision"])


# --- variables that do not fit their types --------------------------------------------------

NODE = "query Node($id: ID!) { node(id: $id) { id } }"
RANKING = "query Ranking($first: Int!) { influenceRanking(first: $first) { rank } }"
MAP = (
    "query Map($center: ID!, $min: Float) "
    "{ relationshipMap(centerId: $center, minStrength: $min) { truncated } }"
)
SINCE = "query Since($since: DateTime) { stakeholders(updatedSince: $since) { totalCount } }"
LOG = (
    "mutation Log($input: InteractionInput!) { logInteraction(input: $input) "
    "{ errors { message } } }"
)


MISSING_ID = (
    "Variable '$id' has invalid value: Expected a value of non-null type 'ID!' to be provided."
)


@pytest.mark.parametrize(
    ("query", "variables", "expected"),
    [
        (NODE, {}, MISSING_ID),
        (NODE, None, MISSING_ID),
        (
            NODE,
            {"id": None},
            "Variable '$id' has invalid value: Expected value of non-null type 'ID!'",
        ),
        (RANKING, {"first": "ten"}, "Variable '$first' has invalid value"),
        (RANKING, {"first": 1.5}, "Variable '$first' has invalid value"),
        (RANKING, {"first": 2**40}, "Variable '$first' has invalid value"),
        (MAP, {"center": "x", "min": "NaN"}, "Variable '$min' has invalid value"),
        (SINCE, {"since": "yesterday"}, "Variable '$since' has invalid value"),
        (SINCE, {"since": "2026-02-30T00:00:00Z"}, "Variable '$since' has invalid value"),
        (SINCE, {"since": 20260101}, "Variable '$since' has invalid value"),
        (LOG, {"input": {"kind": "MEETING"}}, "Variable '$input' has invalid value"),
        (
            LOG,
            {"input": {"kind": "MEETING", "occurredAt": "soon", "participantIds": []}},
            "Variable '$input' has invalid value at .occurredAt: "
            'Value cannot represent a DateTime: "soon".',
        ),
    ],
)
def test_a_variable_that_does_not_fit_its_type_is_named_in_a_client_error(
    server: Api, quiet_log: None, query: str, variables: dict[str, Any] | None, expected: str
) -> None:
    before = revision(server)
    body = server.client.post("/graphql", json={"query": query, "variables": variables}).json()
    error = first_error(body)
    assert error["message"].startswith(expected), error
    assert error["extensions"] == {"code": "BAD_REQUEST"}
    assert revision(server) == before


def test_under_the_graphql_response_type_a_bad_variable_is_a_400(
    server: Api, quiet_log: None
) -> None:
    response = server.client.post(
        "/graphql",
        json={"query": RANKING, "variables": {"first": "ten"}},
        headers={"accept": GRAPHQL_RESPONSE},
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["message"].startswith("Variable '$first' has invalid value")
    assert body["errors"][0]["extensions"] == {"code": "BAD_REQUEST"}


def _readme_examples_with_variables() -> list[str]:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    blocks = [block.split("```")[0] for block in readme.split("```graphql")[1:]]
    return [block for block in blocks if "$" in block]


@pytest.mark.parametrize("example", _readme_examples_with_variables())
def test_a_readme_example_sent_without_its_variables_says_which_variable(
    server: Api, quiet_log: None, example: str
) -> None:
    body = server.client.post("/graphql", json={"query": example}).json()
    error = first_error(body)
    name, declared = (part.strip() for part in example.split("$", 1)[1].split(")")[0].split(":"))
    assert error["message"] == (
        f"Variable '${name}' has invalid value: "
        f"Expected a value of non-null type '{declared.split(',')[0]}' to be provided."
    )


def test_the_readme_has_examples_with_variables() -> None:
    assert len(_readme_examples_with_variables()) >= 2


# --- bodies the HTTP front refuses ----------------------------------------------------------


@pytest.mark.parametrize("body", ["42", '"x"', "null", "true", " 7 "])
def test_a_json_body_that_is_not_an_object_is_a_400(
    server: Api, quiet_log: None, body: str
) -> None:
    message, code = refusal(post_raw(server, body))
    assert message == (
        'The request body must be a JSON object: {"query": "...", "variables": {...}}.'
    )
    assert code == "BAD_REQUEST"


def _with_variable(value_json: str) -> str:
    return '{"query": "query ($x: ID!) { node(id: $x) { id } }", "variables": {"x": ' + (
        value_json + "}}"
    )


@pytest.mark.parametrize(
    ("value_json", "reason"),
    [
        ("[" * 1200 + "]" * 1200, "Arrays and objects are nested deeper than 64 levels."),
        ('{"a":' * 1200 + "1" + "}" * 1200, "Arrays and objects are nested deeper than 64 levels."),
        ("[" * 65 + "]" * 65, "Arrays and objects are nested deeper than 64 levels."),
        ("9" * 4300, "An integer of 4300 digits is too long (at most 100)."),
        ("-" + "9" * 101, "An integer of 101 digits is too long (at most 100)."),
        ("NaN", "NaN is not a JSON value; send a number or null."),
        ("-Infinity", "-Infinity is not a JSON value; send a number or null."),
        ('"\\ud800"', "A string holds a lone surrogate (\\ud800), which is not Unicode text."),
        ('"a\\udc00b"', "A string holds a lone surrogate (\\udc00), which is not Unicode text."),
    ],
)
def test_json_beyond_the_limits_is_a_400_saying_why(
    server: Api, quiet_log: None, value_json: str, reason: str
) -> None:
    before = revision(server)
    message, code = refusal(post_raw(server, _with_variable(value_json)))
    assert message == f"The request body is refused: {reason}"
    assert code == "BAD_REQUEST"
    assert revision(server) == before


def test_json_within_the_limits_is_answered(server: Api, quiet_log: None) -> None:
    # 64 levels of the body itself, a long integer and a surrogate pair are all fine.
    within = _with_variable('"\\ud83d\\ude00"')
    assert post_raw(server, within).json() == {"data": {"node": None}, "errors": [
        {"message": "id: '😀' is not a valid id.", "locations": [{"line": 1, "column": 19}],
         "path": ["node"], "extensions": {"code": "INVALID"}}
    ]}  # fmt: skip
    deep = {"query": "{ __typename }", "variables": {"x": json.loads("[" * 62 + "]" * 62)}}
    assert server.client.post("/graphql", json=deep).json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize(
    ("request_kwargs", "message"),
    [
        (
            {"method": "POST", "json": {"query": "{ __typename }", "variables": 42}},
            "The GraphQL operation's `variables` must be an object or null, if provided.",
        ),
        (
            {"method": "POST", "json": {"query": 42}},
            "The GraphQL operation's `query` must be a string or null, if provided.",
        ),
        (
            {"method": "GET", "params": {"query": "{ __typename }", "variables": "[1]"}},
            "The GraphQL operation's `variables` must be an object or null, if provided.",
        ),
    ],
)
def test_refusals_of_the_graphql_view_are_json(
    server: Api, quiet_log: None, request_kwargs: dict[str, Any], message: str
) -> None:
    method = request_kwargs.pop("method")
    response = server.client.request(method, "/graphql", **request_kwargs)
    assert refusal(response) == (message, "BAD_REQUEST")


# --- arguments the resolvers refuse ---------------------------------------------------------


def _first_id(api: Api, kind: str) -> tuple[str, str]:
    node = api.data(
        f"{{ stakeholders(kind: {kind}, first: 1) {{ edges {{ node {{ id name }} }} }} }}"
    )["stakeholders"]["edges"][0]["node"]
    return node["id"], node["name"]


def test_an_introduction_path_from_an_organisation_is_invalid_naming_the_argument(
    server: Api, quiet_log: None
) -> None:
    company, company_name = _first_id(server, "COMPANY")
    person, _ = _first_id(server, "PERSON")
    server.wait_for_analytics()
    query = "query ($from: ID, $to: ID!) { introductionPaths(fromId: $from, toId: $to) { hops } }"
    body = server.post(query, {"from": company, "to": person})
    error = first_error(body)
    assert error["message"] == f"fromId: '{company_name}' is a company, not a person."
    assert error["extensions"] == {"code": "INVALID"}


@pytest.mark.parametrize(
    "cursor", ["99999999999999999999", "9223372036854775808", "-1", " 7", "+7", "7_0", "٣", "1e3"]
)
def test_an_audit_cursor_we_never_returned_is_invalid(
    server: Api, quiet_log: None, cursor: str
) -> None:
    body = server.post(
        "query ($a: String) { auditLog(after: $a) { edges { cursor } } }", {"a": cursor}
    )
    error = first_error(body)
    assert error["message"] == "after: 'after' is not a valid cursor."
    assert error["extensions"] == {"code": "INVALID"}


def test_the_largest_audit_cursor_is_read_as_the_end_of_the_log(server: Api) -> None:
    query = "query ($a: String) { auditLog(after: $a) { edges { cursor } } }"
    assert server.data(query, {"a": str(2**63 - 1)}) == {"auditLog": {"edges": []}}


OUTSIDE_UTC = "In UTC it falls outside the years 1 to 9999."
OFFSET_OF_A_DAY = "Its offset from UTC must be under 24 hours."


@pytest.mark.parametrize(
    ("moment", "reason"),
    [
        ("0001-01-01T00:00:00+01:00", OUTSIDE_UTC),
        ("9999-12-31T23:59:59-01:00", OUTSIDE_UTC),
        ("2025-01-01T00:00:00+24:00", OFFSET_OF_A_DAY),
        ("2025-01-01T00:00:00-25:30", OFFSET_OF_A_DAY),
    ],
)
def test_a_datetime_that_is_no_utc_instant_is_a_client_error_naming_the_variable(
    server: Api, quiet_log: None, moment: str, reason: str
) -> None:
    body = server.post(SINCE, {"since": moment})
    error = first_error(body)
    assert error["message"] == (
        f"Variable '$since' has invalid value: Value cannot represent a DateTime: \"{moment}\". "
        + reason
    )
    assert error["extensions"] == {"code": "BAD_REQUEST"}


def test_a_naive_datetime_is_taken_as_utc(server: Api) -> None:
    total = server.data(SINCE, {"since": "2000-01-01T00:00:00"})["stakeholders"]["totalCount"]
    assert (
        total == server.data(SINCE, {"since": "2000-01-01T00:00:00Z"})["stakeholders"]["totalCount"]
    )
    assert total > 0


SEARCH = (
    "query ($s: String, $order: StakeholderOrderBy! = NAME) "
    "{ stakeholders(search: $s, orderBy: $order) { totalCount } }"
)


@pytest.mark.parametrize("order", ["NAME", "INFLUENCE"])
@pytest.mark.parametrize("search", ["\x00", "a\x00", "a" * 50_000, "%", "_"])
def test_a_search_matches_only_names_holding_the_whole_text(
    server: Api, quiet_log: None, search: str, order: str
) -> None:
    body = server.post(SEARCH, {"s": search, "order": order})
    assert body == {"data": {"stakeholders": {"totalCount": 0}}}, str(body)[:300]


def test_a_search_with_a_nul_finds_the_name_that_holds_it(tmp_path: Path) -> None:
    for api in serve(tmp_path / "stakenet.db"):
        for name in ("Nul\x00Name", "Nul Name"):
            created = api.data(
                "mutation ($n: String!) { createPerson(input: {name: $n}) { errors { code } } }",
                {"n": name},
            )
            assert created == {"createPerson": {"errors": []}}
        found = api.data(
            "query ($s: String) { stakeholders(search: $s) { edges { node { name } } } }",
            {"s": "l\x00n"},
        )
        assert found == {"stakeholders": {"edges": [{"node": {"name": "Nul\x00Name"}}]}}


# --- the legacy graphql-ws protocol ---------------------------------------------------------


async def test_a_mutation_started_on_the_legacy_websocket_protocol_is_refused_clearly(
    server: Api, quiet_log: None
) -> None:
    """The legacy protocol runs subscriptions only; a mutation sent on it is the client's
    mistake, answered as such, and the socket's end leaves nothing in the log."""
    from websockets.asyncio.client import connect

    before = revision(server)
    url = server.base_url.replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=["graphql-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await ws.recv()) == {"type": "connection_ack"}
        mutation = 'mutation { createPerson(input: {name: "X"}) { errors { code } } }'
        await ws.send(json.dumps({"id": "1", "type": "start", "payload": {"query": mutation}}))
        answer = json.loads(await ws.recv())
        subscription = "subscription { graphChanged { revision } }"
        await ws.send(json.dumps({"id": "2", "type": "start", "payload": {"query": subscription}}))
    assert answer == {
        "type": "error",
        "id": "1",
        "payload": {"message": "mutations are not allowed", "extensions": {"code": "BAD_REQUEST"}},
    }
    assert revision(server) == before
