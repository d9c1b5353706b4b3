"""The network as of a past date through GraphQL, on a hand-built network: a chief executive
who left and her successor, on both stores."""

from __future__ import annotations

from typing import Any

import pytest

from support.live_server import Api

STORES = ("sqlite", "bolt")

IMPORT = """mutation($doc: JSON!) { importGraph(input: {document: $doc}) {
  errors { field message } revision } }"""
SPRING_2025 = "2025-03-01T00:00:00+00:00"
AUTUMN_2025 = "2025-09-01T00:00:00+00:00"


def succession() -> dict[str, Any]:
    """Olga ran Acme until 30 June 2025 and Nina since 1 July; Uma (ours) knows both."""
    return {
        "stakeholders": [
            {"key": "c-acme", "kind": "COMPANY", "name": "Acme"},
            {"key": "p-olga", "kind": "PERSON", "name": "Olga Old", "title": "CEO"},
            {"key": "p-nina", "kind": "PERSON", "name": "Nina New", "title": "CEO"},
            {"key": "p-uma", "kind": "PERSON", "name": "Uma Us", "internal": True},
        ],
        "ties": [
            {
                "source": "p-olga",
                "target": "c-acme",
                "kind": "WORKS_FOR",
                "decisionRole": "DECISION_MAKER",
                "since": "2024-01-01",
                "until": "2025-06-30",
            },
            {
                "source": "p-nina",
                "target": "c-acme",
                "kind": "WORKS_FOR",
                "decisionRole": "DECISION_MAKER",
                "since": "2025-07-01",
            },
            {"source": "p-uma", "target": "p-olga", "kind": "KNOWS", "strength": 0.8},
            {
                "source": "p-uma",
                "target": "p-nina",
                "kind": "KNOWS",
                "strength": 0.5,
                "since": "2025-08-01",
            },
        ],
        "interactions": [
            {
                "kind": "MEETING",
                "occurredAt": "2025-10-01T09:00:00Z",
                "participants": ["p-uma", "p-olga"],
            }
        ],
    }


def load(api: Api, document: dict[str, Any]) -> int:
    result = api.data(IMPORT, {"doc": document})["importGraph"]
    assert result["errors"] == []
    api.wait_for_analytics()
    return int(result["revision"])


def gid(api: Api, key: str) -> str:
    found = api.data("query($k: String!) { stakeholder(key: $k) { id } }", {"k": key})
    stakeholder_id: str = found["stakeholder"]["id"]
    return stakeholder_id


DECISION_MAKERS = """query($id: ID!, $asOf: DateTime) {
  keyDecisionMakers(organizationId: $id, asOf: $asOf) {
    rank score revision asOf person { name } } }"""


def test_decision_makers_as_of_a_date_are_the_people_there_then(api: Api) -> None:
    revision = load(api, succession())
    acme = gid(api, "c-acme")
    then = api.data(DECISION_MAKERS, {"id": acme, "asOf": SPRING_2025})["keyDecisionMakers"]
    assert then == [
        {
            "rank": 1,
            "score": pytest.approx(0.73),
            "revision": revision,
            "asOf": SPRING_2025,
            "person": {"name": "Olga Old"},
        }
    ]
    later = api.data(DECISION_MAKERS, {"id": acme, "asOf": AUTUMN_2025})["keyDecisionMakers"]
    assert [(r["person"]["name"], r["score"]) for r in later] == [("Nina New", pytest.approx(0.70))]
    now = api.data(DECISION_MAKERS, {"id": acme})["keyDecisionMakers"]
    assert [r["person"]["name"] for r in now] == ["Nina New"]
    assert now[0]["asOf"] > AUTUMN_2025


def test_every_analytic_question_answers_as_of_a_date(api: Api) -> None:
    revision = load(api, succession())
    acme, olga = gid(api, "c-acme"), gid(api, "p-olga")
    found = api.data(
        """query($acme: ID!, $olga: ID!, $asOf: DateTime) {
          introductionPaths(toId: $acme, asOf: $asOf) { strength asOf steps { name } }
          keyPersonRisks(organizationId: $acme, asOf: $asOf) { kind revision asOf }
          whatIf(organizationId: $acme, removeIds: [$olga], asOf: $asOf) {
            asOf lostDecisionMakers { name } }
          influenceRanking(first: 1, metric: DEGREE, asOf: $asOf) {
            revision asOf stakeholder { name } }
          relationshipMap(centerId: $acme, depth: 1, asOf: $asOf) {
            revision asOf nodes { stakeholder { name } } }
          stakeholder(id: $olga) { metrics(asOf: $asOf) { degree revision asOf } } }""",
        {"acme": acme, "olga": olga, "asOf": SPRING_2025},
    )
    assert found["introductionPaths"] == [
        {
            "strength": pytest.approx(0.8),
            "asOf": SPRING_2025,
            "steps": [{"name": "Uma Us"}, {"name": "Olga Old"}],
        }
    ]
    # Uma alone reaches Olga, through a tie of 0.8: one owner, nothing cold.
    assert found["keyPersonRisks"] == [
        {"kind": "SINGLE_RELATIONSHIP_OWNER", "revision": revision, "asOf": SPRING_2025}
    ]
    assert found["whatIf"] == {"asOf": SPRING_2025, "lostDecisionMakers": [{"name": "Olga Old"}]}
    assert found["influenceRanking"] == [
        {"revision": revision, "asOf": SPRING_2025, "stakeholder": {"name": "Olga Old"}}
    ]
    assert found["relationshipMap"]["asOf"] == SPRING_2025
    assert [n["stakeholder"]["name"] for n in found["relationshipMap"]["nodes"]] == [
        "Acme",
        "Olga Old",
    ]
    assert found["stakeholder"]["metrics"] == {
        "degree": pytest.approx(2 / 3),
        "revision": revision,
        "asOf": SPRING_2025,
    }


def test_a_deleted_stakeholder_stays_gone_in_the_past(api: Api) -> None:
    load(api, succession())
    acme, olga = gid(api, "c-acme"), gid(api, "p-olga")
    deleted = api.data(
        "mutation($id: ID!) { deleteStakeholder(id: $id) { errors { code } } }", {"id": olga}
    )
    assert deleted["deleteStakeholder"]["errors"] == []
    api.wait_for_analytics()
    then = api.data(DECISION_MAKERS, {"id": acme, "asOf": SPRING_2025})["keyDecisionMakers"]
    assert then == []


def test_a_date_in_the_future_is_a_clear_error(api: Api) -> None:
    load(api, succession())
    body = api.post(DECISION_MAKERS, {"id": gid(api, "c-acme"), "asOf": "2999-01-01T00:00:00Z"})
    (error,) = body["errors"]
    assert (
        error["message"] == "asOf: 'asOf' must not be in the future, got 2999-01-01T00:00:00+00:00."
    )
    assert error["extensions"]["code"] == "INVALID"
