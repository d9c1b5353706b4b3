"""The core GraphQL operations, over real HTTP against a running server."""

from __future__ import annotations

import gc
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from support.live_server import Api

CREATE_PERSON = """
mutation($input: PersonInput!) {
  createPerson(input: $input) { person { id key name title seniority internal } errors { field message code } }
}"""
CREATE_COMPANY = """
mutation($input: CompanyInput!) {
  createCompany(input: $input) { company { id name industry } errors { field message code } }
}"""
CREATE_TIE = """
mutation($input: TieInput!) {
  createTie(input: $input) {
    tie { id kind strength source { id name } target { id name } }
    errors { field message code }
  }
}"""
MAP = """
query($id: ID!, $depth: Int, $limit: Int, $kinds: [TieKind!], $min: Float) {
  relationshipMap(centerId: $id, depth: $depth, limit: $limit, tieKinds: $kinds, minStrength: $min) {
    center { id name }
    nodes { distance influence stakeholder { id name kind } }
    edges { id source target kind strength }
    truncated
  }
}"""

# Every test that uses a server runs on SQLite and on the Bolt server.
STORES = ("sqlite", "bolt")


def create_person(api: Api, name: str, **fields: Any) -> dict[str, Any]:
    payload = api.data(CREATE_PERSON, {"input": {"name": name, **fields}})["createPerson"]
    assert payload["errors"] == []
    person: dict[str, Any] = payload["person"]
    return person


def create_tie(api: Api, source: str, target: str, kind: str, **fields: Any) -> dict[str, Any]:
    payload = api.data(
        CREATE_TIE, {"input": {"sourceId": source, "targetId": target, "kind": kind, **fields}}
    )["createTie"]
    assert payload["errors"] == [], payload["errors"]
    tie: dict[str, Any] = payload["tie"]
    return tie


def test_create_person_infers_seniority_and_is_found_by_id_and_key(api: Api) -> None:
    person = create_person(api, "Søren Ågård", key="crm-17", title="økonomichef")
    assert person["seniority"] == "VP_DIRECTOR"
    by_id = api.data("query($id: ID!) { stakeholder(id: $id) { name } }", {"id": person["id"]})
    by_key = api.data('{ stakeholder(key: "crm-17") { id ... on Person { title } } }')
    node = api.data(
        "query($id: ID!) { node(id: $id) { id ... on Person { name } } }", {"id": person["id"]}
    )
    assert by_id["stakeholder"]["name"] == "Søren Ågård"
    assert by_key["stakeholder"] == {"id": person["id"], "title": "økonomichef"}
    assert node["node"] == {"id": person["id"], "name": "Søren Ågård"}


def test_a_retried_create_with_the_same_key_does_not_duplicate(api: Api) -> None:
    first = create_person(api, "Anna Holm", key="p-anna")
    again = create_person(api, "Anna Holm", key="p-anna")
    assert first["id"] == again["id"]
    assert api.data("{ networkStats { stakeholders } }")["networkStats"]["stakeholders"] == 1


def concurrently(api: Api, query: str, inputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Send one request per input at once, each on a connection of its own; the bodies in order."""
    start = threading.Barrier(len(inputs))

    def send(variables: dict[str, Any]) -> dict[str, Any]:
        with httpx.Client(base_url=api.base_url, timeout=60) as client:
            start.wait()
            response = client.post("/graphql", json={"query": query, "variables": variables})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    with ThreadPoolExecutor(len(inputs)) as pool:
        return list(pool.map(send, inputs))


def test_sixteen_concurrent_creates_of_one_tie_store_it_once_and_all_get_its_id(
    api: Api,
) -> None:
    anna = create_person(api, "Anna")
    bo = create_person(api, "Bo")
    tie = {"sourceId": anna["id"], "targetId": bo["id"], "kind": "KNOWS", "strength": 0.6}
    bodies = concurrently(api, CREATE_TIE, [{"input": tie}] * 16)
    payloads = [body["data"]["createTie"] for body in bodies]
    assert [payload["errors"] for payload in payloads] == [[]] * 16
    assert len({payload["tie"]["id"] for payload in payloads}) == 1
    assert api.data("{ networkStats { ties } }")["networkStats"]["ties"] == 1
    # Asked again, either way round for a symmetric kind: the same tie, as stored.
    again = create_tie(api, bo["id"], anna["id"], "KNOWS", strength=0.9)
    assert (again["id"], again["strength"]) == (payloads[0]["tie"]["id"], 0.6)
    # A key makes it another tie.
    keyed = create_tie(api, anna["id"], bo["id"], "KNOWS", key="crm-ab")
    assert keyed["id"] != again["id"]
    assert api.data("{ networkStats { ties } }")["networkStats"]["ties"] == 2


def test_concurrent_creates_with_one_key_and_different_fields_all_get_the_stored_one(
    api: Api,
) -> None:
    anna = create_person(api, "Anna")
    bo = create_person(api, "Bo")
    inputs = [
        {
            "input": {
                "key": "crm-tie-1",
                "sourceId": anna["id"],
                "targetId": bo["id"],
                "kind": "KNOWS",
                "strength": round(0.05 * (n + 1), 2),
            }
        }
        for n in range(16)
    ]
    payloads = [body["data"]["createTie"] for body in concurrently(api, CREATE_TIE, inputs)]
    assert [payload["errors"] for payload in payloads] == [[]] * 16
    assert len({(p["tie"]["id"], p["tie"]["strength"]) for p in payloads}) == 1
    assert api.data("{ networkStats { ties } }")["networkStats"]["ties"] == 1
    people = [{"input": {"name": f"Caller {n}", "key": "p-shared"}} for n in range(16)]
    created = [body["data"]["createPerson"] for body in concurrently(api, CREATE_PERSON, people)]
    assert [payload["errors"] for payload in created] == [[]] * 16
    assert len({(p["person"]["id"], p["person"]["name"]) for p in created}) == 1
    assert api.data("{ networkStats { stakeholders } }")["networkStats"]["stakeholders"] == 3


def test_validation_errors_come_back_as_user_errors_and_write_nothing(api: Api) -> None:
    anna = create_person(api, "Anna")
    bo = create_person(api, "Bo")
    payload = api.data(
        CREATE_TIE,
        {"input": {"sourceId": anna["id"], "targetId": bo["id"], "kind": "KNOWS", "strength": 1.7}},
    )["createTie"]
    assert payload["tie"] is None
    assert payload["errors"] == [
        {
            "field": "strength",
            "message": "'strength' must be between 0 and 1, got 1.7.",
            "code": "OUT_OF_RANGE",
        }
    ]
    company = api.data(CREATE_COMPANY, {"input": {"name": "Acme"}})["createCompany"]["company"]
    payload = api.data(
        CREATE_TIE,
        {"input": {"sourceId": company["id"], "targetId": anna["id"], "kind": "WORKS_FOR"}},
    )["createTie"]
    assert [e["field"] for e in payload["errors"]] == ["source", "target"]
    assert api.data("{ networkStats { ties revision } }")["networkStats"]["ties"] == 0


def test_search_is_case_and_accent_insensitive_and_pages_with_cursors(api: Api) -> None:
    for name in ["Søren Holm", "Soren Dahl", "SØREN Berg", "Anna Lund"]:
        create_person(api, name)
    query = """query($after: String) { stakeholders(search: "soren", first: 2, after: $after) {
        totalCount edges { cursor node { name } } pageInfo { hasNextPage endCursor } } }"""
    first = api.data(query)["stakeholders"]
    assert first["totalCount"] == 3
    assert [e["node"]["name"] for e in first["edges"]] == ["SØREN Berg", "Soren Dahl"]
    assert first["pageInfo"]["hasNextPage"] is True
    second = api.data(query, {"after": first["pageInfo"]["endCursor"]})["stakeholders"]
    assert [e["node"]["name"] for e in second["edges"]] == ["Søren Holm"]
    assert second["pageInfo"]["hasNextPage"] is False


def test_first_above_one_hundred_is_refused_with_a_clear_error(api: Api) -> None:
    body = api.post("{ stakeholders(first: 1000) { totalCount } }")
    assert "between 1 and 100" in body["errors"][0]["message"]


def test_relationship_map_follows_ties_to_depth_and_keeps_the_strongest_when_cut(api: Api) -> None:
    center = create_person(api, "Centre")
    near = [create_person(api, f"Near {i}") for i in range(3)]
    far = create_person(api, "Far")
    for i, person in enumerate(near):
        create_tie(api, center["id"], person["id"], "KNOWS", strength=0.2 + 0.3 * i)
    create_tie(api, near[0]["id"], far["id"], "KNOWS", strength=0.9)

    full = api.data(MAP, {"id": center["id"], "depth": 2})["relationshipMap"]
    distances = {n["stakeholder"]["name"]: n["distance"] for n in full["nodes"]}
    assert distances == {"Centre": 0, "Near 0": 1, "Near 1": 1, "Near 2": 1, "Far": 2}
    assert len(full["edges"]) == 4 and full["truncated"] is False

    shallow = api.data(MAP, {"id": center["id"], "depth": 1})["relationshipMap"]
    assert "Far" not in {n["stakeholder"]["name"] for n in shallow["nodes"]}

    cut = api.data(MAP, {"id": center["id"], "depth": 2, "limit": 3})["relationshipMap"]
    assert [n["stakeholder"]["name"] for n in cut["nodes"]] == ["Centre", "Near 2", "Near 1"]
    assert cut["truncated"] is True

    strong = api.data(MAP, {"id": center["id"], "depth": 2, "min": 0.5})["relationshipMap"]
    assert {n["stakeholder"]["name"] for n in strong["nodes"]} == {"Centre", "Near 1", "Near 2"}


def test_log_interaction_records_participants(api: Api) -> None:
    anna = create_person(api, "Anna")
    bo = create_person(api, "Bo")
    payload = api.data(
        """mutation($input: InteractionInput!) { logInteraction(input: $input) {
            interaction { kind occurredAt sentiment participants { stakeholder { name } } }
            errors { field code } } }""",
        {
            "input": {
                "kind": "MEETING",
                "occurredAt": "2026-10-02T09:00:00Z",
                "sentiment": 0.6,
                "participants": [{"stakeholderId": anna["id"]}, {"stakeholderId": bo["id"]}],
            }
        },
    )["logInteraction"]
    assert payload["errors"] == []
    assert payload["interaction"]["sentiment"] == 0.6
    assert [p["stakeholder"]["name"] for p in payload["interaction"]["participants"]] == [
        "Anna",
        "Bo",
    ]
    assert payload["interaction"]["occurredAt"].startswith("2026-10-02T09:00:00")


IMPORT = """mutation($doc: JSON!) { importGraph(input: {document: $doc}) {
  errors { field message code } stakeholdersCreated tiesCreated interactionsCreated unchanged revision } }"""


def small_document() -> dict[str, Any]:
    return {
        "stakeholders": [
            {"key": "p-anna", "kind": "PERSON", "name": "Anna Holm", "title": "CFO"},
            {"key": "p-bo", "kind": "PERSON", "name": "Bo Lund", "internal": True},
            {"key": "c-nordhavn", "kind": "COMPANY", "name": "Nordhavn Energi A/S"},
        ],
        "ties": [
            {"source": "p-anna", "target": "c-nordhavn", "kind": "WORKS_FOR", "strength": 0.9},
            {"source": "p-bo", "target": "p-anna", "kind": "KNOWS", "strength": 0.4},
        ],
        "interactions": [
            {
                "kind": "MEETING",
                "occurredAt": "2026-10-02T09:00:00Z",
                "participants": ["p-anna", "p-bo"],
            }
        ],
    }


def test_import_is_idempotent_by_key(api: Api) -> None:
    first = api.data(IMPORT, {"doc": small_document()})["importGraph"]
    assert (first["stakeholdersCreated"], first["tiesCreated"], first["interactionsCreated"]) == (
        3,
        2,
        1,
    )
    again = api.data(IMPORT, {"doc": small_document()})["importGraph"]
    assert again["errors"] == []
    assert (again["stakeholdersCreated"], again["tiesCreated"], again["interactionsCreated"]) == (
        0,
        0,
        0,
    )
    assert again["unchanged"] == 6
    assert again["revision"] == first["revision"]
    stats = api.data("{ networkStats { stakeholders ties interactions } }")["networkStats"]
    assert stats == {"stakeholders": 3, "ties": 2, "interactions": 1}


def test_an_import_with_bad_rows_writes_nothing_and_names_every_row(api: Api) -> None:
    document = small_document()
    document["ties"].append({"source": "p-anna", "target": "p-nobody", "kind": "KNOWS"})
    document["ties"].append({"source": "c-nordhavn", "target": "p-anna", "kind": "WORKS_FOR"})
    document["stakeholders"].append({"key": "p-nameless", "kind": "PERSON", "name": ""})
    result = api.data(IMPORT, {"doc": document})["importGraph"]
    fields = [e["field"] for e in result["errors"]]
    assert fields == ["stakeholders[3].name", "ties[2].target", "ties[3].source", "ties[3].target"]
    assert any("p-nobody" in e["message"] for e in result["errors"])
    stats = api.data("{ networkStats { stakeholders ties interactions revision } }")["networkStats"]
    assert stats == {"stakeholders": 0, "ties": 0, "interactions": 0, "revision": 0}


IMPORT_AS = """mutation($doc: JSON!, $mode: ImportMode!) {
  importGraph(input: {document: $doc, mode: $mode}) { errors { field message code }
    stakeholdersCreated stakeholdersUpdated stakeholdersUnchanged
    tiesCreated tiesUpdated tiesUnchanged
    interactionsCreated interactionsUpdated interactionsUnchanged } }"""
PERSON_BY_KEY = """query($key: String!) { stakeholder(key: $key) {
  id name tags ... on Person { title email } } }"""


def test_import_merges_a_partial_row_unless_asked_to_replace(api: Api) -> None:
    document = small_document()
    document["stakeholders"][0].update(email="anna@nordhavn.example", tags=["finance"])
    document["ties"][0]["role"] = "CFO"
    api.data(IMPORT, {"doc": document})
    anna = api.data(PERSON_BY_KEY, {"key": "p-anna"})["stakeholder"]
    partial = {
        "stakeholders": [{"key": "p-anna", "kind": "PERSON", "name": "Anna Holm", "title": None}],
        "ties": [{"source": "p-anna", "target": "c-nordhavn", "kind": "WORKS_FOR"}],
    }
    merged = api.data(IMPORT_AS, {"doc": partial, "mode": "MERGE"})["importGraph"]
    assert merged == {
        "errors": [],
        "stakeholdersCreated": 0,
        "stakeholdersUpdated": 1,
        "stakeholdersUnchanged": 0,
        "tiesCreated": 0,
        "tiesUpdated": 0,
        "tiesUnchanged": 1,
        "interactionsCreated": 0,
        "interactionsUpdated": 0,
        "interactionsUnchanged": 0,
    }
    assert api.data(PERSON_BY_KEY, {"key": "p-anna"})["stakeholder"] == {
        "id": anna["id"],
        "name": "Anna Holm",
        "tags": ["finance"],
        "title": None,
        "email": "anna@nordhavn.example",
    }
    works_for = """{ stakeholder(key: "p-anna") {
      ties(kinds: [WORKS_FOR]) { edges { node { role } } } } }"""
    assert api.data(works_for)["stakeholder"]["ties"]["edges"] == [{"node": {"role": "CFO"}}]
    replaced = api.data(IMPORT_AS, {"doc": partial, "mode": "REPLACE"})["importGraph"]
    assert (replaced["stakeholdersUpdated"], replaced["tiesUpdated"]) == (1, 1)
    assert api.data(PERSON_BY_KEY, {"key": "p-anna"})["stakeholder"] == {
        "id": anna["id"],
        "name": "Anna Holm",
        "tags": [],
        "title": None,
        "email": None,
    }
    assert api.data(works_for)["stakeholder"]["ties"]["edges"] == [{"node": {"role": None}}]


def test_unexpected_errors_are_masked(api: Api) -> None:
    body = api.post('{ node(id: "bm90LWEtdHlwZQ") { id } }')
    assert body["data"] == {"node": None}
    body = api.post('{ stakeholder(id: "%%%") { id } }')
    assert body["errors"][0]["message"].endswith("is not a valid id.")
    assert "Traceback" not in json.dumps(body)


def test_health_and_readiness(api: Api) -> None:
    health = api.client.get("/healthz").json()
    assert health["status"] == "ok"
    assert [g["generation"] for g in health["collector"]["generations"]] == [0, 1, 2]
    ready = api.client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


def test_health_shows_the_collector_s_full_passes(api: Api) -> None:
    # The server runs in this process: a pass forced here is one of its passes.
    gc.disable()  # no automatic pass in between: the count is exact
    try:
        before = api.client.get("/healthz").json()["collector"]
        gc.collect()
        after = api.client.get("/healthz").json()["collector"]
    finally:
        gc.enable()
    passes = [g["passes"] for g in after["generations"]]
    assert passes == [before["generations"][0]["passes"], before["generations"][1]["passes"],
                      before["generations"][2]["passes"] + 1]  # fmt: skip
    assert after["recent_full_passes_ms"][-1] > 0
    assert after["generations"][2]["longest_ms"] >= after["recent_full_passes_ms"][-1]


def test_the_demo_network_answers_the_readme_query(demo_api: Api) -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    query = readme.split("```graphql", 1)[1].split("```", 1)[0]
    data = demo_api.data(query)
    assert data["networkStats"]["stakeholders"] >= 80
    assert data["networkStats"]["ties"] >= 200
    assert data["networkStats"]["interactions"] >= 150
