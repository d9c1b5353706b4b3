"""The network as of a past date, what changed, relationship health over time and the
portfolio through GraphQL, on a hand-built account (a chief executive leaves and is replaced,
months without interactions, sentiment turning negative, a decision-maker added), on both
stores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from support.live_server import Api

STORES = ("sqlite", "bolt")

SPRING_2025 = "2025-03-01T00:00:00+00:00"
AUTUMN_2025 = "2025-09-01T00:00:00+00:00"
IMPORT = """mutation($doc: JSON!) { importGraph(input: {document: $doc}) {
  errors { field message } revision } }"""


def membership(person: str, role: str, since: str, until: str | None = None) -> dict[str, Any]:
    tie = {
        "source": person,
        "target": "c-acme",
        "kind": "WORKS_FOR",
        "decisionRole": role,
        "since": since,
    }
    if until:
        tie["until"] = until
    return tie


def meeting(day: str, people: list[str], sentiment: float) -> dict[str, Any]:
    return {
        "kind": "MEETING",
        "occurredAt": f"{day}T10:00:00Z",
        "participants": people,
        "sentiment": sentiment,
    }


def account() -> dict[str, Any]:
    """Olga ran Acme until 30 June 2025, Nina since 1 July, Dan (CFO) joined on 15 September.
    Uma (ours) knows Olga, and Nina from 1 August; Ulf (ours) meets them but has no tie."""
    return {
        "stakeholders": [
            {"key": "c-acme", "kind": "COMPANY", "name": "Acme"},
            {"key": "p-olga", "kind": "PERSON", "name": "Olga Old", "title": "CEO"},
            {"key": "p-nina", "kind": "PERSON", "name": "Nina New", "title": "CEO"},
            {"key": "p-dan", "kind": "PERSON", "name": "Dan Duo", "title": "CFO"},
            {"key": "p-uma", "kind": "PERSON", "name": "Uma Us", "internal": True},
            {"key": "p-ulf", "kind": "PERSON", "name": "Ulf Us", "internal": True},
        ],
        "ties": [
            membership("p-olga", "DECISION_MAKER", "2024-01-01", "2025-06-30"),
            membership("p-nina", "DECISION_MAKER", "2025-07-01"),
            membership("p-dan", "ECONOMIC_BUYER", "2025-09-15"),
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
            meeting("2025-01-15", ["p-ulf", "p-olga"], 0.5),
            meeting("2025-03-10", ["p-ulf", "p-olga"], 0.5),
            meeting("2025-08-20", ["p-ulf", "p-nina"], -0.5),
            # Olga has left Acme by then: not Acme's.
            meeting("2025-09-05", ["p-ulf", "p-olga"], 0.9),
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
    revision = load(api, account())
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
    assert [r["person"]["name"] for r in now] == ["Nina New", "Dan Duo"]
    assert now[0]["asOf"] > AUTUMN_2025


def test_every_analytic_question_answers_as_of_a_date(api: Api) -> None:
    revision = load(api, account())
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
        "degree": pytest.approx(2 / 5),
        "revision": revision,
        "asOf": SPRING_2025,
    }


@pytest.mark.parametrize("removal", ["deleteStakeholder", "eraseStakeholder"])
def test_a_deleted_or_erased_stakeholder_stays_gone_in_the_past(api: Api, removal: str) -> None:
    load(api, account())
    acme, olga = gid(api, "c-acme"), gid(api, "p-olga")
    before = api.data(DECISION_MAKERS, {"id": acme, "asOf": SPRING_2025})["keyDecisionMakers"]
    assert [r["person"]["name"] for r in before] == ["Olga Old"]
    removed = api.data(
        f"mutation($id: ID!) {{ {removal}(id: $id) {{ errors {{ code }} }} }}", {"id": olga}
    )
    assert removed[removal]["errors"] == []
    api.wait_for_analytics()
    then = api.data(DECISION_MAKERS, {"id": acme, "asOf": SPRING_2025})["keyDecisionMakers"]
    assert then == []
    health = api.data(
        HEALTH,
        {
            "id": acme,
            "from": "2025-01-01T00:00:00Z",
            "to": "2025-02-01T00:00:00Z",
            "interval": "MONTH",
        },
    )["relationshipHealth"]
    assert [(p["interactions"], p["decisionMakers"]) for p in health] == [(0, 0)]


def test_a_date_in_the_future_is_a_clear_error(api: Api) -> None:
    load(api, account())
    body = api.post(DECISION_MAKERS, {"id": gid(api, "c-acme"), "asOf": "2999-01-01T00:00:00Z"})
    (error,) = body["errors"]
    assert (
        error["message"] == "asOf: 'asOf' must not be in the future, got 2999-01-01T00:00:00+00:00."
    )
    assert error["extensions"]["code"] == "INVALID"


HEALTH = """query($id: ID!, $from: DateTime!, $to: DateTime!, $interval: HealthInterval!) {
  relationshipHealth(organizationId: $id, from: $from, to: $to, interval: $interval) {
    start end interactions meanSentiment coverage bestPathStrength decisionMakers revision
    topDecisionMaker { name } } }"""


def test_health_month_by_month_follows_the_account(api: Api) -> None:
    revision = load(api, account())
    points = api.data(
        HEALTH,
        {
            "id": gid(api, "c-acme"),
            "from": "2025-01-01T00:00:00Z",
            "to": "2025-10-01T00:00:00Z",
            "interval": "MONTH",
        },
    )["relationshipHealth"]
    assert {p["revision"] for p in points} == {revision}
    assert points[0]["start"] == "2025-01-01T00:00:00+00:00"
    assert points[0]["end"] == "2025-02-01T00:00:00+00:00"
    assert [
        (
            p["start"][:10],
            p["interactions"],
            p["meanSentiment"],
            p["coverage"],
            p["bestPathStrength"],
            p["topDecisionMaker"]["name"],
            p["decisionMakers"],
        )
        for p in points
    ] == [
        ("2025-01-01", 1, 0.5, 1.0, 0.8, "Olga Old", 1),
        ("2025-02-01", 0, None, 1.0, 0.8, "Olga Old", 1),
        ("2025-03-01", 1, 0.5, 1.0, 0.8, "Olga Old", 1),
        ("2025-04-01", 0, None, 1.0, 0.8, "Olga Old", 1),
        ("2025-05-01", 0, None, 1.0, 0.8, "Olga Old", 1),
        ("2025-06-01", 0, None, 1.0, 0.8, "Olga Old", 1),
        ("2025-07-01", 0, None, 0.0, None, "Nina New", 1),
        ("2025-08-01", 1, -0.5, 1.0, 0.5, "Nina New", 1),
        ("2025-09-01", 0, None, 0.5, 0.5, "Nina New", 2),
    ]


def test_health_by_quarter(api: Api) -> None:
    load(api, account())
    points = api.data(
        HEALTH,
        {
            "id": gid(api, "c-acme"),
            "from": "2025-01-01T00:00:00Z",
            "to": "2025-10-01T00:00:00Z",
            "interval": "QUARTER",
        },
    )["relationshipHealth"]
    assert [
        (p["start"][:10], p["interactions"], p["meanSentiment"], p["coverage"]) for p in points
    ] == [
        ("2025-01-01", 2, 0.5, 1.0),
        ("2025-04-01", 0, None, 1.0),
        ("2025-07-01", 1, -0.5, 0.5),
    ]


def test_a_diff_the_wrong_way_round_is_a_clear_error(api: Api) -> None:
    load(api, account())
    body = api.post(
        DIFF, {"from": "2025-09-30T00:00:00Z", "to": "2025-06-15T00:00:00Z", "first": 10}
    )
    (error,) = body["errors"]
    assert error["message"] == "to: 'to' must be after 'from'."
    assert error["extensions"]["code"] == "INVALID"


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"from": "2025-02-01T00:00:00Z", "to": "2025-01-01T00:00:00Z"}, "'to' must be after"),
        ({"from": "2025-01-01T00:00:00Z", "to": "2999-01-01T00:00:00Z"}, "'to' must not be"),
        ({"from": "1990-01-01T00:00:00Z", "to": "2025-01-01T00:00:00Z"}, "At most 120"),
    ],
)
def test_a_bad_window_is_a_clear_error(api: Api, variables: dict[str, str], message: str) -> None:
    load(api, account())
    body = api.post(HEALTH, {"id": gid(api, "c-acme"), "interval": "WEEK", **variables})
    (error,) = body["errors"]
    assert message in error["message"]
    assert error["extensions"]["code"] == "INVALID"


DIFF = """query($id: ID, $from: DateTime!, $to: DateTime!, $first: Int!, $after: String) {
  networkDiff(organizationId: $id, from: $from, to: $to) {
    from to revision
    joined { totalCount edges { node { on kind source { name } } } }
    left { totalCount edges { node { on source { name } } } }
    tiesStarted(first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { on kind source { name } target { name } } } }
    tiesEnded { totalCount edges { node { on kind } } }
    decisionMakersBefore { rank asOf person { name } }
    decisionMakersAfter { rank asOf person { name } }
    risksOpened { kind decisionMaker { name } }
    risksClosed { kind decisionMaker { name } } } }"""


def test_what_changed_at_an_organisation_in_a_quarter(api: Api) -> None:
    revision = load(api, account())
    diff = api.data(
        DIFF,
        {
            "id": gid(api, "c-acme"),
            "from": "2025-06-15T00:00:00Z",
            "to": "2025-09-30T00:00:00Z",
            "first": 100,
        },
    )["networkDiff"]
    assert (diff["from"], diff["to"], diff["revision"]) == (
        "2025-06-15T00:00:00+00:00",
        "2025-09-30T00:00:00+00:00",
        revision,
    )
    assert diff["joined"] == {
        "totalCount": 2,
        "edges": [
            {"node": {"on": "2025-07-01", "kind": "WORKS_FOR", "source": {"name": "Nina New"}}},
            {"node": {"on": "2025-09-15", "kind": "WORKS_FOR", "source": {"name": "Dan Duo"}}},
        ],
    }
    assert diff["left"] == {
        "totalCount": 1,
        "edges": [{"node": {"on": "2025-07-01", "source": {"name": "Olga Old"}}}],
    }
    started = [
        (
            e["node"]["on"],
            e["node"]["kind"],
            e["node"]["source"]["name"],
            e["node"]["target"]["name"],
        )
        for e in diff["tiesStarted"]["edges"]
    ]
    assert started == [
        ("2025-07-01", "WORKS_FOR", "Nina New", "Acme"),
        ("2025-08-01", "KNOWS", "Uma Us", "Nina New"),
        ("2025-09-15", "WORKS_FOR", "Dan Duo", "Acme"),
    ]
    assert diff["tiesEnded"] == {
        "totalCount": 1,
        "edges": [{"node": {"on": "2025-07-01", "kind": "WORKS_FOR"}}],
    }
    assert [d["person"]["name"] for d in diff["decisionMakersBefore"]] == ["Olga Old"]
    assert diff["decisionMakersBefore"][0]["asOf"] == "2025-06-15T00:00:00+00:00"
    assert [d["person"]["name"] for d in diff["decisionMakersAfter"]] == ["Nina New", "Dan Duo"]
    # Uma alone reaches Olga then and Nina now; Dan only through Nina, as her colleague.
    assert diff["risksClosed"] == [
        {"kind": "SINGLE_RELATIONSHIP_OWNER", "decisionMaker": {"name": "Olga Old"}}
    ]
    assert sorted((r["kind"], r["decisionMaker"]["name"]) for r in diff["risksOpened"]) == [
        ("SINGLE_CONTACT", "Dan Duo"),
        ("SINGLE_RELATIONSHIP_OWNER", "Dan Duo"),
        ("SINGLE_RELATIONSHIP_OWNER", "Nina New"),
    ]


def test_what_changed_in_the_whole_network_comes_a_page_at_a_time(api: Api) -> None:
    load(api, account())
    window = {"from": "2025-06-15T00:00:00Z", "to": "2025-09-30T00:00:00Z"}
    first = api.data(DIFF, {**window, "first": 2})["networkDiff"]
    assert first["decisionMakersBefore"] is None and first["risksOpened"] is None
    assert first["joined"]["totalCount"] == 2
    page = first["tiesStarted"]
    assert (page["totalCount"], page["pageInfo"]["hasNextPage"]) == (3, True)
    assert [e["node"]["on"] for e in page["edges"]] == ["2025-07-01", "2025-08-01"]
    rest = api.data(DIFF, {**window, "first": 2, "after": page["pageInfo"]["endCursor"]})
    page = rest["networkDiff"]["tiesStarted"]
    assert (page["pageInfo"]["hasNextPage"], [e["node"]["on"] for e in page["edges"]]) == (
        False,
        ["2025-09-15"],
    )


PORTFOLIO = """{ portfolio(first: 5) {
  rank risk coverage coverageBefore coverageTrend interactions interactionsBefore
  meanSentiment meanSentimentBefore sentimentTrend explanation revision asOf
  organization { name } openRisks { kind contact { name } } } }"""


def test_the_portfolio_puts_the_souring_account_first(api: Api) -> None:
    now = datetime.now(UTC)

    def day(days_ago: int) -> str:
        return (now - timedelta(days=days_ago)).date().isoformat()

    revision = load(
        api,
        {
            "stakeholders": [
                {"key": "c-acme", "kind": "COMPANY", "name": "Acme"},
                {"key": "c-bolt", "kind": "COMPANY", "name": "Bolt"},
                {"key": "p-ann", "kind": "PERSON", "name": "Ann", "title": "CEO"},
                {"key": "p-ben", "kind": "PERSON", "name": "Ben", "title": "CEO"},
                {"key": "p-uma", "kind": "PERSON", "name": "Uma", "internal": True},
                {"key": "p-ulf", "kind": "PERSON", "name": "Ulf", "internal": True},
            ],
            "ties": [
                {"source": "p-ann", "target": "c-acme", "kind": "WORKS_FOR"},
                {"source": "p-ben", "target": "c-bolt", "kind": "WORKS_FOR"},
                {"source": "p-uma", "target": "p-ann", "kind": "KNOWS", "strength": 0.9},
                {"source": "p-ulf", "target": "p-ben", "kind": "KNOWS", "strength": 0.9},
            ],
            "interactions": [
                meeting(day(150), ["p-ulf", "p-ann"], 0.5),
                meeting(day(30), ["p-ulf", "p-ann"], 0.5),
                meeting(day(170), ["p-uma", "p-ben"], 0.6),
                meeting(day(120), ["p-uma", "p-ben"], 0.6),
                meeting(day(20), ["p-uma", "p-ben"], -0.4),
            ],
        },
    )
    accounts = api.data(PORTFOLIO)["portfolio"]
    assert [(a["rank"], a["organization"]["name"]) for a in accounts] == [(1, "Bolt"), (2, "Acme")]
    bolt, acme = accounts
    assert bolt["risk"] == pytest.approx(0.35 * 0.8 + 0.15 * 0.5 + 0.10 * 0.5)
    assert acme["risk"] == pytest.approx(0.35 * 0.8)
    assert {k: bolt[k] for k in ("coverage", "coverageBefore", "coverageTrend")} == {
        "coverage": 1.0,
        "coverageBefore": 1.0,
        "coverageTrend": 0.0,
    }
    assert (bolt["interactions"], bolt["interactionsBefore"]) == (1, 2)
    assert (bolt["meanSentiment"], bolt["meanSentimentBefore"]) == (-0.4, 0.6)
    assert bolt["sentimentTrend"] == pytest.approx(-1.0)
    assert bolt["openRisks"] == [{"kind": "SINGLE_RELATIONSHIP_OWNER", "contact": {"name": "Ulf"}}]
    assert bolt["explanation"] == (
        "We reach the top decision-maker by a warm tie. "
        "1 interaction in the last 90 days, 2 in the 90 before. "
        "Sentiment fell from +0.60 to -0.40. "
        "1 open key-person risk; the worst: Only Ulf on our side can reach Ben (Bolt)."
    )
    assert bolt["revision"] == revision
    assert datetime.fromisoformat(bolt["asOf"]) <= datetime.now(UTC)
