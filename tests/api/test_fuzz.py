"""Generated operations against a real server: never a 5xx, never a leaked internal.

Valid operations come from `hypothesis-graphql` reading the schema; invalid ones from its
negative mode and from cut or scrambled documents. Bounded so the suite stays quick.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import hypothesis_graphql as hg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes

from stakenet.api.schema import build_schema
from support.live_server import Api, serve

pytestmark = pytest.mark.server

SDL = build_schema().as_str()
LEAKS = ("Traceback", 'File "', "sqlite", "SELECT ", "neo4j", "MATCH (")
SCALARS = {
    "Date": st.dates().map(lambda d: nodes.String(d.isoformat())),
    "DateTime": st.datetimes().map(lambda d: nodes.String(d.isoformat() + "Z")),
    "JSON": st.sampled_from([nodes.String("{}"), nodes.Int(1), nodes.Boolean(True)]),
}
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from serve(tmp_path_factory.mktemp("fuzz") / "stakenet.db", demo=True)


def check(server: Api, query: str, variables: object = None) -> None:
    response = server.client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code < 500, (query, response.text)
    assert response.status_code in (200, 400), (query, response.text)
    sent = query + repr(variables)
    for leak in LEAKS:
        # A syntax error quotes the document back; only words the client did not send leak.
        if leak not in sent:
            assert leak not in response.text, (leak, query, response.text)
    body = response.json()
    assert "data" in body or "errors" in body


@FUZZ
@given(query=hg.from_schema(SDL, custom_scalars=SCALARS))
def test_valid_generated_operations_never_fail_the_server(server: Api, query: str) -> None:
    check(server, query)


@settings(FUZZ, max_examples=75)
@given(query=hg.from_schema(SDL, custom_scalars=SCALARS, mode=hg.Mode.NEGATIVE))
def test_invalid_generated_operations_are_refused_cleanly(server: Api, query: str) -> None:
    check(server, query)


@settings(FUZZ, max_examples=75)
@given(
    query=hg.queries(SDL, custom_scalars=SCALARS),
    cut=st.floats(0.0, 1.0),
    noise=st.text(max_size=20),
    variables=st.one_of(
        st.none(), st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5))
    ),
)
def test_cut_and_scrambled_documents_are_refused_cleanly(
    server: Api, query: str, cut: float, noise: str, variables: object
) -> None:
    position = int(len(query) * cut)
    check(server, query[:position] + noise + query[position:][: len(query) // 2], variables)


# Arbitrary JSON, as any client can send it: bodies of any shape, and any value for the
# variables of real operations. Refused input is a 4xx or a GraphQL error naming the problem,
# never "Unexpected error.", and writes nothing.
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(alphabet=st.characters(codec="utf-8"), max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=10,
)
OPERATIONS = [
    "query ($id: ID!) { node(id: $id) { id } }",
    "query ($first: Int!, $after: String) { stakeholders(first: $first, after: $after) "
    "{ totalCount } }",
    "query ($s: String, $since: DateTime, $kind: StakeholderKind) "
    "{ stakeholders(search: $s, updatedSince: $since, kind: $kind) { totalCount } }",
    "query ($to: ID!, $from: ID, $hops: Int!) "
    "{ introductionPaths(toId: $to, fromId: $from, maxHops: $hops) { hops } }",
    "query ($c: ID!, $min: Float) { relationshipMap(centerId: $c, minStrength: $min) "
    "{ truncated } }",
    "query ($after: String) { auditLog(after: $after) { edges { cursor } } }",
    "mutation ($input: PersonInput!) { createPerson(input: $input) { errors { code } } }",
    "mutation ($input: TieInput!) { createTie(input: $input) { errors { code } } }",
    "mutation ($input: InteractionInput!) { logInteraction(input: $input) { errors { code } } }",
    "mutation ($id: ID!, $input: StakeholderPatch!) "
    "{ updateStakeholder(id: $id, input: $input) { errors { code } } }",
]
ARBITRARY = settings(FUZZ, max_examples=200)


def revision(server: Api) -> int:
    return int(server.data("{ networkStats { revision } }")["networkStats"]["revision"])


def post_json(server: Api, body: object) -> httpx.Response:
    # json.dumps, not httpx's encoder: NaN and Infinity are sent as Python writes them.
    return server.client.post(
        "/graphql", content=json.dumps(body), headers={"content-type": "application/json"}
    )


def check_refused_cleanly(server: Api, response: httpx.Response, before: int) -> None:
    assert response.status_code < 500, response.text
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body = response.json()
    assert isinstance(body, dict) and body.get("errors"), body
    assert all(error["message"] != "Unexpected error." for error in body["errors"]), body
    assert all("code" in error.get("extensions", {}) for error in body["errors"]), body
    if not body.get("data") or any(error.get("path") is None for error in body["errors"]):
        assert revision(server) == before, body


@ARBITRARY
@given(
    body=JSON_VALUES | st.dictionaries(st.sampled_from(["query", "variables", "x"]), JSON_VALUES)
)
def test_any_json_body_is_refused_cleanly(server: Api, body: object) -> None:
    before = revision(server)
    response = post_json(server, body)
    check_refused_cleanly(server, response, before)


@ARBITRARY
@given(operation=st.sampled_from(OPERATIONS), variables=st.dictionaries(
    st.sampled_from(["id", "first", "after", "s", "since", "kind", "to", "from", "hops", "c",
                     "min", "input"]), JSON_VALUES, max_size=4))  # fmt: skip
def test_any_variable_values_are_answered_or_refused_cleanly(
    server: Api, operation: str, variables: dict[str, object]
) -> None:
    before = revision(server)
    response = post_json(server, {"query": operation, "variables": variables})
    assert response.status_code in (200, 400), response.text
    body = response.json()
    errors = body.get("errors", [])
    assert all(error["message"] != "Unexpected error." for error in errors), body
    if errors and body.get("data") is None:
        assert all("code" in error.get("extensions", {}) for error in errors), body
        assert revision(server) == before, body
