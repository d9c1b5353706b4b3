"""The analytics through GraphQL, on the demo network's scenarios."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

import stakenet.demo as demo_package
from stakenet.api.ids import to_global_id
from support.live_server import Api

# Every test that uses a server runs on SQLite and on the Bolt server.
STORES = ("sqlite", "bolt")


def gid(api: Api, key: str) -> str:
    found = api.data("query($k: String!) { stakeholder(key: $k) { id } }", {"k": key})
    stakeholder_id: str = found["stakeholder"]["id"]
    return stakeholder_id


@pytest.fixture(scope="module")
def demo(demo_api: Api) -> Api:
    demo_api.wait_for_analytics()
    return demo_api


def test_decision_maker_scores_are_the_sum_of_their_factors(demo: Api) -> None:
    ranked = demo.data(
        """query($id: ID!) { keyDecisionMakers(organizationId: $id, limit: 10) {
            rank score decisionRole person { name title } factors { name value weight contribution } } }""",
        {"id": gid(demo, "c-nordhavn")},
    )["keyDecisionMakers"]
    assert [r["rank"] for r in ranked] == list(range(1, len(ranked) + 1))
    assert ranked[0]["person"]["name"] == "Peter Mørch"  # the adm. direktør, a declared decider
    for result in ranked:
        contributions = [f["contribution"] for f in result["factors"]]
        assert result["score"] == pytest.approx(sum(contributions), abs=1e-9)
        for factor in result["factors"]:
            assert factor["contribution"] == pytest.approx(factor["value"] * factor["weight"])
    scores = [r["score"] for r in ranked]
    assert scores == sorted(scores, reverse=True)


def test_no_junior_outranks_a_declared_decision_maker(demo: Api) -> None:
    ranked = demo.data(
        """query($id: ID!) { keyDecisionMakers(organizationId: $id, limit: 50) {
            rank decisionRole person { seniority } } }""",
        {"id": gid(demo, "c-nordhavn")},
    )["keyDecisionMakers"]
    deciders = [r["rank"] for r in ranked if r["decisionRole"] == "DECISION_MAKER"]
    staff = [r["rank"] for r in ranked if r["person"]["seniority"] == "STAFF"]
    assert deciders and staff
    assert max(deciders) < min(staff)
    assert min(deciders) <= 2


def test_a_strong_two_step_path_beats_the_weak_direct_tie(demo: Api) -> None:
    paths = demo.data(
        """query($to: ID!, $from: ID!) { introductionPaths(toId: $to, fromId: $from, limit: 20) {
            strength hops weakestLinkIndex steps { name } links { kind strength } } }""",
        {"to": gid(demo, "p-peter-moerch"), "from": gid(demo, "p-ida-noergaard")},
    )["introductionPaths"]
    assert len(paths) >= 2
    best = paths[0]
    assert best["hops"] == 2
    assert [s["name"] for s in best["steps"]] == ["Ida Nørgaard", "Mikkel Ravn", "Peter Mørch"]
    product = best["links"][0]["strength"] * best["links"][1]["strength"]
    assert best["strength"] == pytest.approx(product)
    direct = [p for p in paths if p["hops"] == 1]
    assert direct and direct[0]["strength"] < 0.2 < 0.6 < best["strength"]
    weakest = min(range(best["hops"]), key=lambda i: best["links"][i]["strength"])
    assert best["weakestLinkIndex"] == weakest
    strengths = [p["strength"] for p in paths]
    assert strengths == sorted(strengths, reverse=True)


def test_the_single_contact_to_a_decision_maker_is_named(demo: Api) -> None:
    risks: list[dict[str, Any]] = demo.data(
        """query($id: ID!) { keyPersonRisks(organizationId: $id) {
            kind severity decisionMaker { name } contact { name } } }""",
        {"id": gid(demo, "c-vestkyst-vand")},
    )["keyPersonRisks"]
    single = [r for r in risks if r["kind"] == "SINGLE_CONTACT"]
    assert any(
        r["decisionMaker"]["name"] == "Henrik Bonde" and r["contact"]["name"] == "Maria Lauridsen"
        for r in single
    )
    assert all(0 <= r["severity"] <= 1 for r in risks)


def test_what_if_removing_the_single_contact_loses_the_decision_maker(demo: Api) -> None:
    result = demo.data(
        """query($org: ID!, $gone: [ID!]!) { whatIf(organizationId: $org, removeIds: $gone) {
            lostDecisionMakers { name } impacts { before after lost person { name } } } }""",
        {"org": gid(demo, "c-vestkyst-vand"), "gone": [gid(demo, "p-maria-lauridsen")]},
    )["whatIf"]
    assert "Henrik Bonde" in {p["name"] for p in result["lostDecisionMakers"]}
    henrik = next(i for i in result["impacts"] if i["person"]["name"] == "Henrik Bonde")
    assert henrik["before"] > 0 and henrik["after"] == 0
    assert henrik["lost"] == pytest.approx(henrik["before"])
    # Nothing was written: the contact is still there.
    assert demo.data('{ stakeholder(key: "p-maria-lauridsen") { name } }')["stakeholder"]


def test_rankings_and_metrics_agree_with_each_other(demo: Api) -> None:
    ranking = demo.data(
        "{ influenceRanking(kind: PERSON, metric: BETWEENNESS, first: 5) { rank score stakeholder { id kind } } }"
    )["influenceRanking"]
    assert [r["rank"] for r in ranking] == [1, 2, 3, 4, 5]
    assert all(r["stakeholder"]["kind"] == "PERSON" for r in ranking)
    top = ranking[0]
    metrics = demo.data(
        "query($id: ID!) { node(id: $id) { ... on Person { metrics { betweenness revision } } } }",
        {"id": top["stakeholder"]["id"]},
    )["node"]["metrics"]
    assert metrics["betweenness"] == pytest.approx(top["score"])


def demo_core_numbers() -> dict[str, int]:
    """``key -> k-core number`` of the demo network's current ties, by NetworkX."""
    network = json.loads((Path(demo_package.__file__).parent / "network.json").read_text("utf-8"))
    today = date.today().isoformat()
    graph = nx.Graph()
    graph.add_nodes_from(s["key"] for s in network["stakeholders"])
    graph.add_edges_from(
        (t["source"], t["target"])
        for t in network["ties"]
        if t["source"] != t["target"]
        and t.get("since", "") <= today
        and t.get("until", "9999") >= today
    )
    return dict(nx.core_number(graph))


def test_coreness_ranking_and_metrics_equal_networkx_on_the_demo(demo: Api) -> None:
    expected = demo_core_numbers()
    ranking = demo.data(
        "{ influenceRanking(metric: CORENESS, first: 100) { rank score stakeholder { key } } }"
    )["influenceRanking"]
    assert len(ranking) == min(100, len(expected))
    assert {r["stakeholder"]["key"]: r["score"] for r in ranking} == {
        r["stakeholder"]["key"]: expected[r["stakeholder"]["key"]] for r in ranking
    }
    assert ranking[0]["score"] == max(expected.values()) == 5
    scores = [r["score"] for r in ranking]
    assert scores == sorted(scores, reverse=True)
    inner = demo.data(
        "query($k: String!) { stakeholder(key: $k) { metrics { coreness degree } } }",
        {"k": ranking[0]["stakeholder"]["key"]},
    )["stakeholder"]["metrics"]
    assert inner["coreness"] == 5
    loner = min(expected, key=lambda key: (expected[key], key))
    lone = demo.data(
        "query($k: String!) { stakeholder(key: $k) { metrics { coreness } } }", {"k": loner}
    )["stakeholder"]["metrics"]
    assert lone["coreness"] == expected[loner] == 1


def test_broker_scores_follow_the_published_formula(demo: Api) -> None:
    brokers = demo.data(
        "{ brokers(kind: PERSON, first: 10) { stakeholder { kind } score betweenness constraint } }"
    )["brokers"]
    top = demo.data("{ influenceRanking(metric: BETWEENNESS, first: 1) { score } }")
    max_betweenness = top["influenceRanking"][0]["score"]
    assert all(b["stakeholder"]["kind"] == "PERSON" for b in brokers)
    for broker in brokers:
        expected = broker["betweenness"] / max_betweenness * (1 - min(broker["constraint"], 1))
        assert broker["score"] == pytest.approx(expected)
    scores = [b["score"] for b in brokers]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0


def test_a_write_is_reflected_in_the_next_analytics_snapshot(api: Api) -> None:
    created = api.data('mutation { createCompany(input: {name: "Acme"}) { company { id } } }')
    company = created["createCompany"]["company"]["id"]
    revision = api.wait_for_analytics()
    assert revision >= 1
    ranked = api.data(
        "query($id: ID!) { keyDecisionMakers(organizationId: $id) { rank } }", {"id": company}
    )
    assert ranked["keyDecisionMakers"] == []
    metrics = api.data(
        "query($id: ID!) { node(id: $id) { ... on Company { metrics { revision } } } }",
        {"id": company},
    )
    assert metrics["node"]["metrics"]["revision"] == revision


def test_a_person_is_not_an_organisation(demo: Api) -> None:
    body = demo.post(
        "query($id: ID!) { keyDecisionMakers(organizationId: $id) { rank } }",
        {"id": gid(demo, "p-peter-moerch")},
    )
    [error] = body["errors"]
    assert error["message"] == "organizationId: 'Peter Mørch' is a person, not an organisation."
    assert error["extensions"]["code"] == "INVALID"


def test_an_introduction_from_an_organisation_is_invalid(demo: Api) -> None:
    body = demo.post(
        "query($to: ID!, $from: ID!) { introductionPaths(toId: $to, fromId: $from) { strength } }",
        {"to": gid(demo, "p-peter-moerch"), "from": gid(demo, "c-nordhavn")},
    )
    [error] = body["errors"]
    assert error["message"].startswith("fromId: '")
    assert error["message"].endswith("' is a company, not a person.")
    assert error["extensions"]["code"] == "INVALID"


def test_tie_strength_is_explained_and_computable_as_of_a_past_date(demo: Api) -> None:
    ties = demo.data(
        """query($id: ID!) { stakeholder(id: $id) { ties(kinds: [KNOWS], first: 50) { edges { node {
            strength target { name } strengthDetails { value basis declared observed interactionCount components { value weight } }
            past: strengthDetails(asOf: "2024-01-01T00:00:00Z") { interactionCount value } } } } } }""",
        {"id": gid(demo, "p-jonas-brandt")},
    )["stakeholder"]["ties"]["edges"]
    claus = next(e["node"] for e in ties if e["node"]["target"]["name"] == "Claus Winther")
    details = claus["strengthDetails"]
    assert details["declared"] == 0.8
    assert claus["strength"] == pytest.approx(details["value"])
    assert details["value"] == pytest.approx(
        sum(c["value"] * c["weight"] for c in details["components"])
    )
    assert details["interactionCount"] >= 1
    # Before any interaction the tie rests on its declared strength alone.
    assert claus["past"]["interactionCount"] == 0
    assert claus["past"]["value"] == pytest.approx(0.8)


@pytest.mark.parametrize(
    ("field", "type_name"),
    [
        ("introductionPaths(toId: $id) { strength }", "Person"),
        ("keyDecisionMakers(organizationId: $id) { score }", "Company"),
        ("keyPersonRisks(organizationId: $id) { severity }", "Company"),
        ("whatIf(organizationId: $id, removeIds: []) { lostDecisionMakers { id } }", "Company"),
        ("relationshipMap(centerId: $id) { truncated }", "Person"),
    ],
)
def test_an_unknown_stakeholder_is_named_once_in_the_error(
    demo: Api, field: str, type_name: str
) -> None:
    body = demo.post(
        f"query($id: ID!) {{ {field} }}", {"id": to_global_id(type_name, "no-such-id")}
    )
    [error] = body["errors"]
    assert error["message"] == "No stakeholder with id 'no-such-id'."
    assert error["extensions"] == {"code": "NOT_FOUND"}
