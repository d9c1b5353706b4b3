"""Generated operations against a real server: never a 5xx, never a leaked internal.

Valid operations come from `hypothesis-graphql` reading the schema; invalid ones from its
negative mode and from cut or scrambled documents. Bounded so the suite stays quick.
"""

from __future__ import annotations

from collections.abc import Iterator

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
