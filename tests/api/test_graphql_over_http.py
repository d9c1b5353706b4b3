"""The GraphQL-over-HTTP spec: media types, status codes, and the graphql-http audit suite."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from stakenet.api.http import GRAPHQL_RESPONSE, JSON, negotiate
from stakenet.services.container import Settings
from support.live_server import Api, serve

REPO_ROOT = Path(__file__).resolve().parents[2]
AUDIT = REPO_ROOT / "tests" / "support" / "graphql_http_audit.mjs"
PACKAGE = REPO_ROOT / "node_modules" / "graphql-http"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from serve(tmp_path_factory.mktemp("over-http") / "stakenet.db")


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("application/*", JSON),
        ("application/json", JSON),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE}, {JSON};q=0.9", GRAPHQL_RESPONSE),
        (f"{JSON};q=0.5, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),
        (f"{JSON}, {GRAPHQL_RESPONSE}", JSON),
        (f"{GRAPHQL_RESPONSE};charset=utf-8", GRAPHQL_RESPONSE),
        ("text/html,application/xhtml+xml,*/*;q=0.8", JSON),
        (f"{GRAPHQL_RESPONSE};q=0, {JSON}", JSON),
        ("text/html", None),
        (f"{GRAPHQL_RESPONSE};q=0", None),
    ],
)
def test_accept_picks_the_media_type(accept: str | None, chosen: str | None) -> None:
    assert negotiate(accept) == chosen


QUERY = "{ networkStats { revision } }"
BY_HASH = json.dumps(
    {"persistedQuery": {"version": 1, "sha256Hash": hashlib.sha256(QUERY.encode()).hexdigest()}}
)
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("accept", [None, "*/*", BROWSER])
@pytest.mark.parametrize("production", [False, True], ids=["development", "production"])
def test_a_get_naming_a_persisted_query_by_hash_is_answered_as_json(
    tmp_path: Path, accept: str | None, production: bool
) -> None:
    settings = Settings(production=production, rate_limit_per_minute=0)
    headers = {"accept": accept} if accept is not None else {}
    for api in serve(tmp_path / "stakenet.db", settings=settings):
        # httpx sends `Accept: */*` unless told otherwise; None removes the header.
        client = api.client
        if accept is None:
            client.headers.pop("accept", None)
        miss = client.get("/graphql", params={"extensions": BY_HASH}, headers=headers)
        assert miss.status_code == 200
        assert miss.headers["content-type"].startswith(JSON)
        assert miss.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
        sent = client.get("/graphql", params={"query": QUERY, "extensions": BY_HASH})
        assert sent.json() == {"data": {"networkStats": {"revision": 0}}}
        hit = client.get("/graphql", params={"extensions": BY_HASH}, headers=headers)
        assert hit.headers["content-type"].startswith(JSON)
        assert hit.json() == {"data": {"networkStats": {"revision": 0}}}


def test_only_a_bare_browser_get_opens_the_ide(server: Api) -> None:
    page = server.client.get("/graphql", headers={"accept": BROWSER})
    assert page.headers["content-type"].startswith("text/html")
    bare = server.client.get("/graphql", headers={"accept": "*/*"})
    assert bare.status_code == 400
    assert bare.json()["errors"][0]["message"] == (
        'The request has no GraphQL query: send {"query": "..."}.'
    )


def test_a_valid_query_is_200_in_both_media_types(server: Api) -> None:
    for accept, media in ((JSON, JSON), (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE)):
        response = server.client.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"accept": accept}
        )
        assert response.status_code == 200
        assert response.headers["content-type"].split(";")[0] == media
        assert response.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize(
    "query", ["{", "{ nope }", "query($n: Int!) { stakeholders(first: $n) { totalCount } }"]
)
def test_a_request_error_is_400_without_data_for_graphql_response_json(
    server: Api, query: str
) -> None:
    response = server.client.post(
        "/graphql",
        json={"query": query, "variables": {"n": "x"}},
        headers={"accept": GRAPHQL_RESPONSE},
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == f"{GRAPHQL_RESPONSE}; charset=utf-8"
    body = response.json()
    assert "data" not in body
    assert len(body["errors"]) == 1


@pytest.mark.parametrize("query", ["{", "{ nope }"])
def test_a_request_error_is_200_with_null_data_for_application_json(
    server: Api, query: str
) -> None:
    response = server.client.post("/graphql", json={"query": query}, headers={"accept": JSON})
    assert response.status_code == 200
    assert response.headers["content-type"] == JSON
    assert response.json()["data"] is None


def test_a_field_error_keeps_200_and_data_under_graphql_response_json(server: Api) -> None:
    response = server.client.post(
        "/graphql",
        json={"query": '{ stakeholder(id: "not-an-id") { id } networkStats { revision } }'},
        headers={"accept": GRAPHQL_RESPONSE},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"stakeholder": None, "networkStats": {"revision": 0}}
    assert body["errors"][0]["path"] == ["stakeholder"]


def test_a_post_without_content_type_is_415(server: Api) -> None:
    response = server.client.post(
        "/graphql", content=b'{"query": "{ __typename }"}', headers={"content-type": ""}
    )
    assert response.status_code == 415


@pytest.mark.parametrize(
    "content_type", ["Application/JSON", "APPLICATION/JSON; CHARSET=UTF-8", "application/json"]
)
def test_the_json_media_type_is_read_in_any_case(server: Api, content_type: str) -> None:
    # Media type names and parameters are case-insensitive (RFC 9110, section 8.3.1).
    response = server.client.post(
        "/graphql",
        content=b'{"query": "{ networkStats { revision } }"}',
        headers={"content-type": content_type},
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"networkStats": {"revision": 0}}}


def test_json_in_another_charset_is_415(server: Api) -> None:
    response = server.client.post(
        "/graphql",
        content='{"query": "{ __typename }"}'.encode("utf-16"),
        headers={"content-type": "application/json; charset=utf-16"},
    )
    assert response.status_code == 415
    assert response.json()["errors"][0]["message"] == "JSON bodies must be UTF-8 encoded."


def test_an_accept_header_naming_nothing_offered_is_406(server: Api) -> None:
    response = server.client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"accept": "text/csv"}
    )
    assert response.status_code == 406


def test_a_subscription_over_http_points_to_the_websocket(server: Api) -> None:
    response = server.client.post(
        "/graphql", json={"query": "subscription { graphChanged { revision } }"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == (
        "Subscriptions are served over WebSocket at /graphql (graphql-transport-ws)."
    )


@pytest.mark.skipif(
    shutil.which("node") is None or not PACKAGE.exists(),
    reason="needs Node and `npm ci` (graphql-http)",
)
def test_the_graphql_http_server_audits_pass(server: Api) -> None:
    run = subprocess.run(
        ["node", str(AUDIT), f"{server.base_url}/graphql"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO_ROOT,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    results = json.loads(run.stdout)
    by_level: dict[str, list[dict[str, str]]] = {"MUST": [], "SHOULD": [], "MAY": []}
    for result in results:
        by_level[result["name"].split(" ", 1)[0]].append(result)
    counts = {
        level: (sum(r["status"] == "ok" for r in found), len(found))
        for level, found in by_level.items()
    }
    print(
        "graphql-http audit: "
        + ", ".join(f"{level} {passed}/{total}" for level, (passed, total) in counts.items())
    )
    failed_musts = [r for r in by_level["MUST"] if r["status"] != "ok"]
    assert failed_musts == []
    assert counts["MUST"][1] >= 10  # the suite really ran
    # docs/api.md states these figures; a change in either must be noticed.
    assert counts == {"MUST": (13, 13), "SHOULD": (23, 23), "MAY": (25, 25)}
