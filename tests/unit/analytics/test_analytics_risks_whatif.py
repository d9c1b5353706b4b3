"""Key-person risks and what-if removal."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import networkx as nx
import pytest
from analytics_helpers import GraphBuilder

from stakenet.analytics.decision_makers import key_decision_makers
from stakenet.analytics.errors import UnknownStakeholder
from stakenet.analytics.paths import InternalReach
from stakenet.analytics.risks import key_person_risks, reaching_internal_people
from stakenet.analytics.strength import InteractionRecord, compute_tie_strengths
from stakenet.analytics.whatif import what_if

NOW = datetime(2025, 6, 1, tzinfo=UTC)


def scenario() -> GraphBuilder:
    b = GraphBuilder()
    b.org("us", internal=True)
    for p in ("me", "pal"):
        b.person(p, internal=True)
        b.tie(p, "us", "WORKS_FOR", 0.9)
    b.org("acme")
    b.person("ceo", "C_LEVEL", name="Carla")
    b.person("cto", "C_LEVEL", name="Tom")
    b.person("contact", None, name="Connie")
    b.tie("ceo", "acme", "WORKS_FOR", 0.9, key="ceo-acme")
    b.tie("cto", "acme", "BOARD_MEMBER_OF", 0.9, key="cto-acme")
    b.tie("me", "contact", "KNOWS", 0.8, key="me-contact")
    b.tie("contact", "ceo", "KNOWS", 0.7, key="contact-ceo")
    b.tie("pal", "cto", "KNOWS", 0.6, key="pal-cto")
    b.tie("me", "cto", "KNOWS", 0.5, key="me-cto")
    return b


def _risks(b: GraphBuilder, **kw: object) -> list:
    network = b.network(**kw)
    return key_person_risks(network, "acme", key_decision_makers(network, "acme"))


def test_single_contact_and_single_owner_detected_and_named() -> None:
    b = scenario()
    risks = _risks(b)
    ceo = {(r.kind, r.contact_id) for r in risks if r.decision_maker_id == "ceo"}
    assert ceo == {("SINGLE_CONTACT", "contact"), ("SINGLE_RELATIONSHIP_OWNER", "me")}
    single = next(r for r in risks if r.kind == "SINGLE_CONTACT")
    assert "Connie" in single.explanation and "Carla" in single.explanation
    assert 0.0 < single.severity <= 1.0
    # the cto is reached directly by two of our people: no risk
    assert not [r for r in risks if r.decision_maker_id == "cto"]
    assert [r.severity for r in risks] == sorted((r.severity for r in risks), reverse=True)


def test_redundancy_removes_the_risk() -> None:
    b = scenario()
    b.person("other")
    b.tie("pal", "other", "KNOWS", 0.5)
    b.tie("other", "ceo", "KNOWS", 0.5)
    assert not [r for r in _risks(b) if r.decision_maker_id == "ceo"]


def test_colleague_link_counts_as_redundancy() -> None:
    b = scenario()
    b.tie("cto", "acme", "WORKS_FOR", 0.9)  # now a colleague of the ceo
    ceo = {(r.kind, r.contact_id) for r in _risks(b) if r.decision_maker_id == "ceo"}
    assert ceo == set()


def test_cold_tie_by_strength_and_by_age() -> None:
    b = scenario()
    b.tie("pal", "ceo", "KNOWS", 0.1, key="pal-ceo")
    risks = _risks(b)
    cold = [r for r in risks if r.kind == "COLD_TIE"]
    assert [(r.decision_maker_id, r.contact_id, r.tie_id) for r in cold] == [
        ("ceo", "pal", "pal-ceo")
    ]
    assert "0.10" in cold[0].explanation
    # stale: the last interaction on me-cto is a year old
    old = InteractionRecord("i", "MEETING", NOW - timedelta(days=365), None, ("me", "cto"))
    ties = compute_tie_strengths(b.G, [old], NOW)
    risks = _risks(b, tie_strengths=ties, now=NOW)
    stale = [r for r in risks if r.kind == "COLD_TIE" and r.tie_id == "me-cto"]
    assert len(stale) == 1 and "2024-06-01" in stale[0].explanation


def test_a_tie_is_stale_by_the_networks_own_instant() -> None:
    b = scenario()
    met = NOW - timedelta(days=365)
    ties = compute_tie_strengths(
        b.G, [InteractionRecord("i", "MEETING", met, None, ("me", "cto"))], NOW
    )

    def cold_at(now: datetime) -> list[str | None]:
        return [r.tie_id for r in _risks(b, tie_strengths=ties, now=now) if r.kind == "COLD_TIE"]

    assert cold_at(NOW) == ["me-cto"]
    assert cold_at(met + timedelta(days=180)) == []
    assert cold_at(met + timedelta(days=180, seconds=1)) == ["me-cto"]


def test_no_contact() -> None:
    b = scenario()
    b.person("cfo", "C_LEVEL")
    b.tie("cfo", "acme", "BOARD_MEMBER_OF", 0.9)
    kinds = {(r.kind, r.decision_maker_id) for r in _risks(b)}
    assert ("NO_CONTACT", "cfo") in kinds


def _fingerprint(G: nx.MultiDiGraph) -> tuple:
    return (
        sorted((v, sorted(d.items())) for v, d in G.nodes(data=True)),
        sorted(
            (u, v, k, sorted(d.items(), key=str)) for u, v, k, d in G.edges(keys=True, data=True)
        ),
    )


def test_removing_the_single_contact_loses_the_decision_maker() -> None:
    b = scenario()
    before = _fingerprint(b.G)
    snapshot = copy.deepcopy(b.G)
    result = what_if(b.network(), "acme", ["contact"])
    assert result.lost_decision_makers == ("ceo",)
    impact = {i.decision_maker_id: i for i in result.impacts}
    assert impact["ceo"].before == pytest.approx(0.56)
    assert impact["ceo"].after == 0.0 and impact["ceo"].lost == pytest.approx(0.56)
    assert impact["cto"].lost == 0.0 and impact["cto"].reachable_after
    assert result.removed_stakeholders == ("contact",)
    assert _fingerprint(b.G) == before
    assert nx.utils.graphs_equal(b.G, snapshot)


def test_removing_a_tie_lowers_path_strength() -> None:
    b = scenario()
    result = what_if(b.network(), "acme", ["pal-cto"])
    impact = {i.decision_maker_id: i for i in result.impacts}
    assert impact["cto"].before == pytest.approx(0.6)
    assert impact["cto"].after == pytest.approx(0.5)
    assert impact["cto"].lost == pytest.approx(0.1)
    assert result.lost_decision_makers == ()
    assert result.removed_ties == ("pal-cto",)
    assert b.G.has_edge("pal", "cto", key="pal-cto")


def test_removing_the_decision_maker_and_unknown_ids() -> None:
    b = scenario()
    result = what_if(b.network(), "acme", ["ceo"])
    assert "ceo" in result.lost_decision_makers
    with pytest.raises(UnknownStakeholder):
        what_if(b.network(), "acme", ["no-such-id"])


def test_the_reach_found_once_is_the_reach_searched_for_each_person() -> None:
    people = nx.les_miserables_graph()
    # Four of ours cut the network into components of several sizes.
    internal = {"Valjean", "Javert", "Marius", "Gavroche"}
    for v in people:
        people.nodes[v]["internal"] = v in internal
    reach = InternalReach(people)
    for person in people:
        assert reach.of(person) == reaching_internal_people(people, person), person
    assert reach.of("nobody") == set()
