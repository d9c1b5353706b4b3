"""Alerts through GraphQL on a real server, on SQLite and on Neo4j: raised once per cause after
the refresh that finds it, stored to catch up on, pushed by `alertRaised`, and forgotten with
an erased person.

The network is the one of tests/unit/analytics/test_analytics_alerts.py: Acme's top
decision-makers are Carla, Finn and Sam; our Ulla knows Carla (0.8) and Finn (0.5), our Uwe
knows Carla (0.6).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stakenet.services.settings import Settings
from support.graphql_socket import GraphQLSocket
from support.live_server import Api, serve

pytestmark = pytest.mark.server

STORES = ("sqlite", "bolt")

IMPORT = """mutation($doc: JSON!) { importGraph(input: {document: $doc}) { errors { message } } }"""
ALERTS = """query($org: ID, $kinds: [AlertKind!], $first: Int!, $after: String) {
  alerts(organizationId: $org, kinds: $kinds, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id kind severity revision explanation raisedAt clearedAt
      organization { name } stakeholders { name } } } } }"""
RAISED = """subscription($orgs: [ID!]) { alertRaised(organizationIds: $orgs) {
  kind severity explanation organization { name } stakeholders { name } } }"""

PEOPLE = [
    {"key": "ulla", "kind": "PERSON", "name": "Ulla", "internal": True},
    {"key": "uwe", "kind": "PERSON", "name": "Uwe", "internal": True},
    {"key": "carla", "kind": "PERSON", "name": "Carla", "seniority": "C_LEVEL"},
    {"key": "finn", "kind": "PERSON", "name": "Finn", "seniority": "VP_DIRECTOR"},
    {"key": "sam", "kind": "PERSON", "name": "Sam", "seniority": "STAFF"},
]


def knows(a: str, b: str, strength: float) -> dict[str, Any]:
    return {"key": f"{a}-{b}", "source": a, "target": b, "kind": "KNOWS", "strength": strength}


def network() -> dict[str, Any]:
    return {
        "stakeholders": [
            {"key": "us", "kind": "COMPANY", "name": "Us", "internal": True},
            {"key": "acme", "kind": "COMPANY", "name": "Acme"},
            *PEOPLE,
        ],
        "ties": [
            {"source": "ulla", "target": "us", "kind": "WORKS_FOR"},
            {"source": "uwe", "target": "us", "kind": "WORKS_FOR"},
            {
                "source": "carla",
                "target": "acme",
                "kind": "WORKS_FOR",
                "decisionRole": "DECISION_MAKER",
            },
            {
                "source": "finn",
                "target": "acme",
                "kind": "WORKS_FOR",
                "decisionRole": "ECONOMIC_BUYER",
            },
            {"source": "sam", "target": "acme", "kind": "WORKS_FOR"},
            knows("ulla", "carla", 0.8),
            knows("uwe", "carla", 0.6),
            knows("ulla", "finn", 0.5),
        ],
    }


def set_strength(api: Api, a: str, b: str, strength: float) -> None:
    document = {"stakeholders": [], "ties": [knows(a, b, strength)]}
    assert api.data(IMPORT, {"doc": document})["importGraph"]["errors"] == []


def gid(api: Api, key: str) -> str:
    found: str = api.data("query($k: String!) { stakeholder(key: $k) { id } }", {"k": key})[
        "stakeholder"
    ]["id"]
    return found


def settle(api: Api) -> list[dict[str, Any]]:
    """The alerts once the analytics caught up with the last write and the evaluation that
    follows each refresh is done (its list no longer changes)."""
    api.wait_for_analytics()
    seen = None
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        time.sleep(0.4)
        now = alerts(api)
        if now == seen:
            return now
        seen = now
    raise AssertionError("the alerts kept changing")


def alerts(api: Api, **variables: Any) -> list[dict[str, Any]]:
    page = api.data(ALERTS, {"first": 100, **variables})["alerts"]
    return [edge["node"] for edge in page["edges"]]


def brief(found: list[dict[str, Any]]) -> list[tuple[str, str, list[str], bool]]:
    return [
        (
            a["kind"],
            a["severity"],
            [s["name"] for s in a["stakeholders"]],
            a["clearedAt"] is not None,
        )
        for a in found
    ]


COVERAGE_FINN = (
    "Coverage of Acme fell from 2 of 3 to 1 of 3 top decision-makers: none of our people "
    "reaches Finn by a warm tie."
)
COLD_FINN = (
    "The tie between Ulla and Finn, a top decision-maker at Acme, fell below the warm threshold "
    "0.20: strength 0.50 before, 0.10 now; none of our people reaches them by a warm tie now."
)


def serving(database: Path | str) -> Iterator[Api]:
    # A loaded machine's first writes to a fresh Neo4j (its query planning) can outlast the
    # default deadline; the deadline has tests of its own.
    return serve(database, settings=Settings(rate_limit_per_minute=0, execution_deadline=60.0))


@pytest.fixture
def api(database: Path | str) -> Iterator[Api]:
    yield from serving(database)


async def test_alerts_are_raised_once_per_cause_pushed_and_stored(api: Api) -> None:
    assert api.data(IMPORT, {"doc": network()})["importGraph"]["errors"] == []
    assert settle(api) == []  # the network's first evaluation is the baseline
    acme = gid(api, "acme")
    async with GraphQLSocket.open(api.base_url) as socket:
        pushed = await socket.start(RAISED, {"orgs": [acme]})
        elsewhere = await socket.start(RAISED, {"orgs": [gid(api, "us")]})
        await asyncio.sleep(0.3)
        await asyncio.to_thread(set_strength, api, "ulla", "finn", 0.1)
        first, second = (await socket.receive(pushed, within=20), await socket.receive(pushed))
        assert [m["payload"]["data"]["alertRaised"] for m in (first, second)] == [
            {
                "kind": "COVERAGE_DROPPED",
                "severity": "MEDIUM",
                "explanation": COVERAGE_FINN,
                "organization": {"name": "Acme"},
                "stakeholders": [{"name": "Finn"}],
            },
            {
                "kind": "TIE_COLD",
                "severity": "HIGH",
                "explanation": COLD_FINN,
                "organization": {"name": "Acme"},
                "stakeholders": [{"name": "Finn"}, {"name": "Ulla"}],
            },
        ]
        with pytest.raises(TimeoutError):  # nothing about our own organisation
            await socket.receive(elsewhere, within=0.5)
    revision = api.wait_for_analytics()
    stored = settle(api)
    assert [(a["kind"], a["explanation"], a["revision"]) for a in stored] == [
        ("COVERAGE_DROPPED", COVERAGE_FINN, revision),
        ("TIE_COLD", COLD_FINN, revision),
    ]
    # Another write and its refresh: the causes still hold, and are not raised again.
    api.data('mutation { createPerson(input: {name: "Zed"}) { errors { message } } }')
    assert settle(api) == stored
    # The tie warms up: both causes clear; it cools again: both are raised anew.
    await asyncio.to_thread(set_strength, api, "ulla", "finn", 0.5)
    assert brief(settle(api)) == [
        ("COVERAGE_DROPPED", "MEDIUM", ["Finn"], True),
        ("TIE_COLD", "HIGH", ["Finn", "Ulla"], True),
    ]
    await asyncio.to_thread(set_strength, api, "ulla", "finn", 0.1)
    again = settle(api)
    assert brief(again) == [
        ("COVERAGE_DROPPED", "MEDIUM", ["Finn"], True),
        ("TIE_COLD", "HIGH", ["Finn", "Ulla"], True),
        ("COVERAGE_DROPPED", "MEDIUM", ["Finn"], False),
        ("TIE_COLD", "HIGH", ["Finn", "Ulla"], False),
    ]
    assert len({a["id"] for a in again}) == 4


def test_alerts_are_listed_by_kind_and_organisation_a_page_at_a_time(api: Api) -> None:
    api.data(IMPORT, {"doc": network()})
    settle(api)
    set_strength(api, "ulla", "finn", 0.1)
    settle(api)
    set_strength(api, "uwe", "carla", 0.1)
    assert brief(settle(api)) == [
        ("COVERAGE_DROPPED", "MEDIUM", ["Finn"], False),
        ("TIE_COLD", "HIGH", ["Finn", "Ulla"], False),
        ("SINGLE_CONTACT", "HIGH", ["Carla", "Ulla"], False),
        ("TIE_COLD", "MEDIUM", ["Carla", "Uwe"], False),
    ]
    cold = alerts(api, kinds=["TIE_COLD"])
    assert [[s["name"] for s in a["stakeholders"]] for a in cold] == [
        ["Finn", "Ulla"],
        ["Carla", "Uwe"],
    ]
    acme = gid(api, "acme")
    page = api.data(ALERTS, {"org": acme, "first": 3})["alerts"]
    assert (page["totalCount"], page["pageInfo"]["hasNextPage"], len(page["edges"])) == (4, True, 3)
    rest = api.data(ALERTS, {"org": acme, "first": 3, "after": page["pageInfo"]["endCursor"]})
    assert [e["node"]["kind"] for e in rest["alerts"]["edges"]] == ["TIE_COLD"]
    assert alerts(api, org=gid(api, "us")) == []
    refused = api.post(ALERTS, {"first": 3, "after": "stakeholder:1"})
    assert refused["errors"][0]["extensions"]["code"] == "INVALID"
    too_many = api.post(ALERTS, {"first": 101})
    assert too_many["errors"][0]["extensions"]["code"] == "INVALID"
    not_an_id = api.post(ALERTS, {"first": 3, "org": "not-an-id"})
    assert [e["extensions"]["code"] for e in not_an_id["errors"]] == ["INVALID"], not_an_id
    a_tie = api.post(ALERTS, {"first": 3, "org": "VGllOjE="})  # Tie:1
    assert [e["extensions"]["code"] for e in a_tie["errors"]] == ["INVALID"], a_tie
    unknown_kind = api.post(ALERTS, {"first": 3, "kinds": ["TIE_WARM"]})
    assert unknown_kind["data"] is None and unknown_kind["errors"]


def test_erasing_a_person_removes_them_from_the_alerts(api: Api) -> None:
    api.data(IMPORT, {"doc": network()})
    settle(api)
    set_strength(api, "ulla", "finn", 0.1)
    settle(api)
    erased = api.data(
        "mutation($id: ID!) { eraseStakeholder(id: $id) { errors { message } } }",
        {"id": gid(api, "ulla")},
    )
    assert erased["eraseStakeholder"]["errors"] == []
    # The tie-cold alert named Ulla and is gone; without her, Uwe is our only warm contact
    # with Carla, a new single point of contact.
    after = settle(api)
    assert brief(after) == [
        ("COVERAGE_DROPPED", "MEDIUM", ["Finn"], False),
        ("SINGLE_CONTACT", "HIGH", ["Carla", "Uwe"], False),
    ]
    assert "Ulla" not in " ".join(a["explanation"] for a in after)


def test_a_restarted_server_raises_no_cause_again(database: Path | str) -> None:
    for api in serving(database):
        api.data(IMPORT, {"doc": network()})
        settle(api)
        set_strength(api, "ulla", "finn", 0.1)
        before = settle(api)
    assert len(before) == 2
    for api in serving(database):
        # The first refresh after the start is the baseline; the causes are open and stay so.
        assert settle(api) == before
        set_strength(api, "ulla", "finn", 0.5)
        assert [a["clearedAt"] is not None for a in settle(api)] == [True, True]
