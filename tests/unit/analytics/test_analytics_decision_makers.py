"""Decision-makers: formal deciders rank above well-connected juniors; scores add up."""

from __future__ import annotations

import pytest
from analytics_helpers import GraphBuilder

from stakenet.analytics.centrality import compute_centrality
from stakenet.analytics.decision_makers import DecisionMakerParams, key_decision_makers
from stakenet.analytics.errors import NotAnOrganisation, UnknownStakeholder


def scenario() -> GraphBuilder:
    b = GraphBuilder()
    b.org("us", internal=True)
    b.person("me", internal=True)
    b.tie("me", "us", "WORKS_FOR", 0.9)
    b.org("acme")
    b.person("ceo", "C_LEVEL", name="Carla CEO")
    b.person("dm", "MANAGER", name="Dan Decider")
    b.person("junior", "STAFF", name="Jo Junior")
    b.person("chair", "C_LEVEL", name="Chris Chair")
    b.person("adviser", "C_LEVEL", name="Ada Adviser")
    b.person("lobby", None, name="Leo Lobbyist")
    b.tie("ceo", "acme", "WORKS_FOR", 0.8)
    b.tie("dm", "acme", "WORKS_FOR", 0.8, decision_role="DECISION_MAKER")
    b.tie("junior", "acme", "WORKS_FOR", 0.8, decision_role="USER")
    b.tie("chair", "acme", "BOARD_MEMBER_OF", 0.8, role="Chair")
    b.tie("dm", "ceo", "REPORTS_TO", 0.7)
    b.tie("junior", "dm", "REPORTS_TO", 0.7)
    b.tie("adviser", "ceo", "ADVISES", 0.9)
    b.tie("lobby", "dm", "INFLUENCES", 0.6)
    for i in range(10):
        friend = b.person(f"f{i}", "STAFF")
        if i < 4:
            b.tie(friend, "acme", "WORKS_FOR", 0.5)
        b.tie("junior", friend, "KNOWS", 0.9)
    b.tie("me", "junior", "KNOWS", 0.9)
    b.tie("me", "adviser", "KNOWS", 0.5)
    return b


def test_formal_deciders_outrank_the_connected_junior() -> None:
    b = scenario()
    strengths = b.strengths()
    centrality = compute_centrality(b.G, strengths).nodes
    ranked = key_decision_makers(b.network(strengths, centrality), "acme", limit=None)
    order = [d.id for d in ranked]
    assert set(order) == {
        "ceo",
        "dm",
        "junior",
        "chair",
        "adviser",
        "lobby",
        "f0",
        "f1",
        "f2",
        "f3",
    }
    assert order.index("ceo") < order.index("junior")
    assert order.index("dm") < order.index("junior")
    assert order[:4] == ["dm", "ceo", "chair", "junior"]
    assert order[4:8] == ["f0", "f1", "f2", "f3"]  # equal scores: by name
    assert "me" not in order
    for d in ranked:
        assert d.score == pytest.approx(sum(f.contribution for f in d.factors))
        for f in d.factors:
            assert 0.0 <= f.value <= 1.0
            assert f.contribution == pytest.approx(f.value * f.weight)
    assert [d.score for d in ranked] == sorted((d.score for d in ranked), reverse=True)


def test_factor_values() -> None:
    b = scenario()
    strengths = b.strengths()
    ranked = {d.id: d for d in key_decision_makers(b.network(strengths), "acme", limit=None)}
    f = {x.name: x for x in ranked["dm"].factors}
    # MANAGER 0.5 blended with one level below the top (0.75)
    assert f["formal_authority"].value == pytest.approx(0.7 * 0.5 + 0.3 * 0.75)
    assert f["decision_role"].value == 1.0
    assert f["external_influence"].value == pytest.approx(0.6)
    # dm ties: ceo (REPORTS_TO 0.7), junior (0.7) among 7 colleagues
    assert f["internal_centrality"].value == pytest.approx(1.4 / 7)
    # me -> junior (0.9) -> dm (0.7)
    assert f["our_coverage"].value == pytest.approx(0.63)
    ceo = {x.name: x for x in ranked["ceo"].factors}
    assert ceo["formal_authority"].value == pytest.approx(1.0)
    assert ceo["external_influence"].value == pytest.approx(0.9)
    chair = {x.name: x for x in ranked["chair"].factors}
    assert chair["formal_authority"].value == 1.0
    assert ranked["chair"].relation == "BOARD"
    assert ranked["adviser"].relation == "ADVISER"
    assert ranked["lobby"].relation == "INFLUENCER"
    adv = {x.name: x for x in ranked["adviser"].factors}
    assert adv["formal_authority"].value == 0.0
    assert adv["external_influence"].value == pytest.approx(0.9)
    assert adv["our_coverage"].value == pytest.approx(0.5)


def test_declared_decision_maker_ranks_near_the_top_and_limit() -> None:
    b = scenario()
    top = key_decision_makers(b.network(), "acme", limit=2)
    assert len(top) == 2 and "dm" in [d.id for d in top]


def test_ties_broken_by_name() -> None:
    b = GraphBuilder()
    b.org("acme")
    for pid, name in (("p1", "Zed"), ("p2", "Amy"), ("p3", "Bob")):
        b.person(pid, "MANAGER", name=name)
        b.tie(pid, "acme", "WORKS_FOR", 0.5)
    ranked = key_decision_makers(b.network(), "acme")
    assert [d.name for d in ranked] == ["Amy", "Bob", "Zed"]


def test_weights_are_configurable() -> None:
    b = scenario()
    params = DecisionMakerParams(
        formal_authority_weight=0.0,
        decision_role_weight=0.0,
        internal_centrality_weight=1.0,
        external_influence_weight=0.0,
        our_coverage_weight=0.0,
    )
    ranked = key_decision_makers(b.network(), "acme", params=params)
    assert ranked[0].id == "junior"


def test_errors() -> None:
    b = scenario()
    with pytest.raises(UnknownStakeholder):
        key_decision_makers(b.network(), "nope")
    with pytest.raises(NotAnOrganisation):
        key_decision_makers(b.network(), "ceo")


def test_every_factor_follows_the_published_formula() -> None:
    b = GraphBuilder()
    b.org("us", internal=True)
    b.person("me", internal=True)
    b.tie("me", "us", "WORKS_FOR", 0.9)
    b.org("acme")
    chain = [("boss", "C_LEVEL"), ("mid", "VP_DIRECTOR"), ("low", "STAFF")]
    chain += [("lowest", "MANAGER"), ("intern", "STAFF")]
    for i, (pid, seniority) in enumerate(chain):
        b.person(pid, seniority)
        role = "ECONOMIC_BUYER" if pid == "boss" else None
        b.tie(pid, "acme", "WORKS_FOR", 0.8, decision_role=role)
        if i:
            b.tie(pid, chain[i - 1][0], "REPORTS_TO", 0.6)
    b.person("member")
    b.tie("member", "acme", "BOARD_MEMBER_OF", 0.8, role="Member")
    b.tie("mid", "boss", "KNOWS", 0.9)
    b.person("infl")
    b.person("adv")
    b.tie("infl", "boss", "INFLUENCES", 0.5)
    b.tie("adv", "boss", "ADVISES", 0.4)
    b.tie("adv", "acme", "ADVISES", 0.6)
    b.tie("me", "mid", "KNOWS", 0.8)
    strengths = b.strengths()
    centrality = compute_centrality(b.G, strengths).nodes
    top_pagerank = max(c.pagerank for c in centrality.values())

    def outside(party: str, s: float) -> float:
        return s * (0.5 + 0.5 * centrality[party].pagerank / top_pagerank)

    ranked = key_decision_makers(b.network(strengths, centrality), "acme", limit=None)
    values = {d.id: {f.name: f.value for f in d.factors} for d in ranked}
    colleagues = 6 - 1
    assert values["boss"] == pytest.approx(
        {
            "formal_authority": 0.7 * 1.0 + 0.3 * 1.0,
            "decision_role": 0.9,
            "internal_centrality": 0.9 / colleagues,  # the stronger of its two ties to mid
            "external_influence": 1 - (1 - outside("infl", 0.5)) * (1 - outside("adv", 0.4)),
            "our_coverage": 0.8 * 0.9,
        },
        abs=1e-12,
    )
    assert values["mid"]["formal_authority"] == pytest.approx(0.7 * 0.75 + 0.3 * 0.75)
    assert values["mid"]["internal_centrality"] == pytest.approx((0.9 + 0.6) / colleagues)
    assert values["low"]["formal_authority"] == pytest.approx(0.7 * 0.2 + 0.3 * 0.5)
    assert values["lowest"]["formal_authority"] == pytest.approx(0.7 * 0.5 + 0.3 * 0.25)
    assert values["lowest"]["our_coverage"] == pytest.approx(0.8 * 0.6 * 0.6)
    # four levels below the top count as the last level
    assert values["intern"]["formal_authority"] == pytest.approx(0.7 * 0.2 + 0.3 * 0.25)
    assert values["member"] == pytest.approx(
        {
            "formal_authority": 0.8,
            "decision_role": 0.0,
            "internal_centrality": 0.0,
            "external_influence": 0.0,
            "our_coverage": 0.0,
        }
    )
    assert values["adv"] == pytest.approx(
        {
            "formal_authority": 0.0,
            "decision_role": 0.0,
            "internal_centrality": 0.0,
            "external_influence": 1 - (1 - outside("adv", 0.4)) * (1 - outside("adv", 0.6)),
            "our_coverage": 0.8 * 0.9 * 0.4,  # me -> mid -> boss -> adv
        },
        abs=1e-12,
    )
    weights = {f.name: f.weight for f in ranked[0].factors}
    assert weights == {
        "formal_authority": 0.35,
        "decision_role": 0.30,
        "internal_centrality": 0.10,
        "external_influence": 0.15,
        "our_coverage": 0.10,
    }
    for d in ranked:
        assert d.score == pytest.approx(sum(weights[n] * v for n, v in values[d.id].items()))
    by_id = {d.id: d for d in ranked}
    assert [by_id[p].relation for p in ("boss", "member", "adv", "infl")] == [
        "EMPLOYEE",
        "BOARD",
        "ADVISER",
        "INFLUENCER",
    ]
    assert [f.detail for f in by_id["member"].factors] == [
        "seniority unknown (0.20), board seat (0.80)",
        "no declared decision role",
        "tied to 0 of 5 colleagues",
        "0 influence/advice tie(s) from outside",
        "no path from us",
    ]
