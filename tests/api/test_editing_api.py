"""Updates with patch semantics, deletes that cascade, nested fields and listing order."""

from __future__ import annotations

from typing import Any

from support.live_server import Api

IMPORT = (
    "mutation($doc: JSON!) { importGraph(input: {document: $doc}) { errors { field message } } }"
)

# Every test that uses a server runs on SQLite and on the Bolt server.
STORES = ("sqlite", "bolt")


def seed(api: Api) -> dict[str, str]:
    document = {
        "stakeholders": [
            {"key": "c", "kind": "COMPANY", "name": "Acme A/S", "industry": "Energy"},
            {
                "key": "boss",
                "kind": "PERSON",
                "name": "Birgit Boss",
                "title": "CEO",
                "email": "b@acme.dk",
            },
            {"key": "ann", "kind": "PERSON", "name": "Ann Analyst", "title": "Analyst"},
            {"key": "bo", "kind": "PERSON", "name": "Bo Board", "title": "Bestyrelsesformand"},
        ],
        "ties": [
            {"source": "boss", "target": "c", "kind": "WORKS_FOR"},
            {"source": "ann", "target": "c", "kind": "WORKS_FOR"},
            {"source": "ann", "target": "boss", "kind": "REPORTS_TO"},
            {"source": "bo", "target": "c", "kind": "BOARD_MEMBER_OF", "role": "chair"},
            {"source": "ann", "target": "bo", "kind": "KNOWS", "strength": 0.4},
        ],
        "interactions": [
            {"kind": "MEETING", "occurredAt": "2026-01-02T10:00:00Z", "participants": ["ann", "bo"]}
        ],
    }
    assert api.data(IMPORT, {"doc": document})["importGraph"]["errors"] == []
    ids: dict[str, str] = {}
    for key in ("c", "boss", "ann", "bo"):
        found = api.data("query($k: String!) { stakeholder(key: $k) { id } }", {"k": key})
        ids[key] = found["stakeholder"]["id"]
    return ids


def test_nested_fields_follow_the_org_chart(api: Api) -> None:
    ids = seed(api)
    ann = api.data(
        """query($id: ID!) { node(id: $id) { ... on Person {
            employers { name } reportsTo { name } directReports { name }
            ties(kinds: [KNOWS]) { totalCount edges { node { strength target { name } } } }
            outgoing: ties(direction: OUT) { totalCount }
            interactions { totalCount edges { node { kind } } } } } }""",
        {"id": ids["ann"]},
    )["node"]
    assert ann["employers"] == [{"name": "Acme A/S"}]
    assert ann["reportsTo"] == {"name": "Birgit Boss"}
    assert ann["directReports"] == []
    assert ann["ties"]["totalCount"] == 1
    assert ann["outgoing"]["totalCount"] == 3
    assert ann["interactions"]["totalCount"] == 1
    company = api.data(
        """query($id: ID!) { node(id: $id) { ... on Company {
            people(first: 1) { totalCount edges { node { name } } pageInfo { hasNextPage endCursor } }
            boardMembers { name } } } }""",
        {"id": ids["c"]},
    )["node"]
    assert company["people"]["totalCount"] == 2
    assert company["people"]["edges"] == [{"node": {"name": "Ann Analyst"}}]
    assert company["people"]["pageInfo"]["hasNextPage"] is True
    assert company["boardMembers"] == [{"name": "Bo Board"}]


UPDATE = """mutation($id: ID!, $input: StakeholderPatch!) { updateStakeholder(id: $id, input: $input) {
  stakeholder { name ... on Person { title email seniority } } errors { field message code } } }"""


def test_update_changes_only_the_named_fields_and_null_clears(api: Api) -> None:
    ids = seed(api)
    patched = api.data(UPDATE, {"id": ids["boss"], "input": {"title": "praktikant"}})
    assert patched["updateStakeholder"]["stakeholder"] == {
        "name": "Birgit Boss",
        "title": "praktikant",
        "email": "b@acme.dk",
        "seniority": "STAFF",
    }
    cleared = api.data(UPDATE, {"id": ids["boss"], "input": {"email": None}})
    assert cleared["updateStakeholder"]["stakeholder"]["email"] is None
    wrong = api.data(UPDATE, {"id": ids["c"], "input": {"title": "CEO"}})["updateStakeholder"]
    assert wrong["stakeholder"] is None
    assert wrong["errors"][0]["field"] == "title" and wrong["errors"][0]["code"] == "NOT_APPLICABLE"


def test_delete_takes_ties_and_participation_with_it(api: Api) -> None:
    ids = seed(api)
    deleted = api.data(
        "mutation($id: ID!) { deleteStakeholder(id: $id) { deletedId errors { code } } }",
        {"id": ids["ann"]},
    )["deleteStakeholder"]
    assert deleted == {"deletedId": ids["ann"], "errors": []}
    stats = api.data("{ networkStats { stakeholders ties interactions } }")["networkStats"]
    assert stats == {"stakeholders": 3, "ties": 2, "interactions": 1}
    again = api.data(
        "mutation($id: ID!) { deleteStakeholder(id: $id) { deletedId errors { code } } }",
        {"id": ids["ann"]},
    )["deleteStakeholder"]
    assert again == {"deletedId": None, "errors": [{"code": "NOT_FOUND"}]}


def test_update_and_delete_a_tie(api: Api) -> None:
    ids = seed(api)
    tie_id = api.data(
        """query($id: ID!) { node(id: $id) { ... on Person { ties(kinds: [KNOWS]) { edges { node { id } } } } } }""",
        {"id": ids["ann"]},
    )["node"]["ties"]["edges"][0]["node"]["id"]
    updated: dict[str, Any] = api.data(
        """mutation($id: ID!) { updateTie(id: $id, input: {strength: 0.9, context: "alumni"}) {
            tie { declaredStrength context kind } errors { message } } }""",
        {"id": tie_id},
    )["updateTie"]
    assert updated == {
        "tie": {"declaredStrength": 0.9, "context": "alumni", "kind": "KNOWS"},
        "errors": [],
    }
    bad = api.data(
        """mutation($id: ID!) { updateTie(id: $id, input: {strength: 2}) { tie { id } errors { field code } } }""",
        {"id": tie_id},
    )["updateTie"]
    assert bad == {"tie": None, "errors": [{"field": "strength", "code": "OUT_OF_RANGE"}]}
    gone = api.data("mutation($id: ID!) { deleteTie(id: $id) { deletedId } }", {"id": tie_id})[
        "deleteTie"
    ]
    assert gone["deletedId"] == tie_id
    assert api.data("{ networkStats { ties } }")["networkStats"]["ties"] == 4


def test_listings_filter_by_internal_and_order_by_influence(api: Api) -> None:
    seed(api)
    api.wait_for_analytics()
    listing = api.data(
        "{ stakeholders(kind: PERSON, orderBy: INFLUENCE, first: 2) { totalCount edges { node { name metrics { influence } } } } }"
    )["stakeholders"]
    assert listing["totalCount"] == 3
    influences = [e["node"]["metrics"]["influence"] for e in listing["edges"]]
    assert influences == sorted(influences, reverse=True)
    assert (
        api.data("{ stakeholders(internal: true) { totalCount } }")["stakeholders"]["totalCount"]
        == 0
    )
