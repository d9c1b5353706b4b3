"""Communities, brokers, influence and the snapshot that computes them once."""

from __future__ import annotations

from datetime import UTC, datetime

import networkx as nx
import pytest
from analytics_helpers import GraphBuilder, from_reference
from reference_views import louvain, undirected_view

from stakenet.analytics.centrality import compute_centrality
from stakenet.analytics.communities import brokers
from stakenet.analytics.decision_makers import key_decision_makers
from stakenet.analytics.influence import FORMULA_VERSION, compute_influence
from stakenet.analytics.snapshot import compute_snapshot
from stakenet.analytics.strength import InteractionRecord

NOW = datetime(2025, 6, 1, tzinfo=UTC)


def two_cliques() -> GraphBuilder:
    b = GraphBuilder()
    left = [b.person(f"l{i}") for i in range(5)]
    right = [b.person(f"r{i}") for i in range(5)]
    for group in (left, right):
        for i, u in enumerate(group):
            for v in group[i + 1 :]:
                b.tie(u, v, "KNOWS", 0.8)
    b.person("bridge")
    b.tie("l0", "bridge", "KNOWS", 0.5)
    b.tie("bridge", "r0", "KNOWS", 0.5)
    return b


def test_two_cliques_joined_by_a_bridge() -> None:
    b = two_cliques()
    strengths = b.strengths()
    parts = louvain(undirected_view(b.G, strengths))
    assert len(parts) == 2
    halves = {frozenset(p - {"bridge"}) for p in parts}
    assert halves == {frozenset(f"l{i}" for i in range(5)), frozenset(f"r{i}" for i in range(5))}
    expected = nx.community.louvain_communities(
        undirected_view(b.G, strengths), weight="strength", seed=42
    )
    assert {frozenset(c) for c in expected} == set(parts)
    cent = compute_centrality(b.G, strengths).nodes
    ranked = brokers(b.G, cent, first=3)
    assert ranked[0].id == "bridge"
    top = max(c.betweenness for c in cent.values())
    c = cent["bridge"]
    assert c.constraint is not None
    assert ranked[0].score == pytest.approx(c.betweenness / top * (1 - min(c.constraint, 1)))


def test_influence_blend() -> None:
    b = GraphBuilder()
    b.org("acme")
    b.person("boss", "C_LEVEL")
    b.person("clerk", "STAFF")
    b.person("anon")
    b.tie("boss", "acme", "WORKS_FOR", 0.5)
    b.tie("clerk", "acme", "WORKS_FOR", 0.5)
    b.tie("anon", "clerk", "KNOWS", 0.5)
    cent = compute_centrality(b.G, b.strengths()).nodes
    infl = compute_influence(b.G, cent)
    top = max(c.pagerank for c in cent.values())
    assert infl["boss"].value == pytest.approx(0.6 * cent["boss"].pagerank / top + 0.4 * 1.0)
    assert infl["clerk"].value == pytest.approx(0.6 * cent["clerk"].pagerank / top + 0.4 * 0.2)
    assert infl["anon"].value == pytest.approx(0.6 * cent["anon"].pagerank / top + 0.4 * 0.2)
    assert infl["acme"].value == pytest.approx(cent["acme"].pagerank / top)
    for score in infl.values():
        assert score.value == pytest.approx(sum(f.contribution for f in score.factors))
    assert FORMULA_VERSION


def test_snapshot_computes_everything_once() -> None:
    b = two_cliques()
    interactions = {
        "m": InteractionRecord("m", "MEETING", NOW, 0.5, ("l1", "l2")),
    }
    snap = compute_snapshot(b.G, interactions, revision=7, now=NOW)
    assert snap.revision == 7 and snap.computed_at == NOW
    assert snap.betweenness_mode == "exact" and snap.betweenness_k is None
    assert set(snap.nodes) == set(b.G)
    assert len(snap.communities) == 2
    assert snap.nodes["l1"].community == snap.nodes["l2"].community
    assert snap.nodes["l1"].community != snap.nodes["r1"].community
    tie = next(t for t in snap.tie_strengths.values() if {t.source, t.target} == {"l1", "l2"})
    assert tie.basis == "blended" and tie.interaction_count == 1
    assert snap.strengths[tie.tie_id] == tie.value
    assert {"strength", "centrality", "influence", "communities"} <= set(snap.formula_versions)
    for stage in ("strengths", "pagerank", "eigenvector", "betweenness", "louvain"):
        assert stage in snap.timings
    top = max(snap.nodes, key=lambda v: snap.nodes[v].betweenness)
    assert top == "bridge"


def test_snapshot_on_reference_graph_and_empty_graph() -> None:
    G, _ = from_reference(nx.karate_club_graph(), weighted=True)
    snap = compute_snapshot(G, {}, revision=1, now=NOW)
    ref = nx.pagerank(nx.Graph(nx.karate_club_graph()), weight="weight", tol=1e-12)
    assert {v: snap.nodes[v].pagerank for v in ref} == pytest.approx(ref, abs=1e-6)
    empty = compute_snapshot(nx.MultiDiGraph(), {}, revision=0, now=NOW)
    assert dict(empty.nodes) == {} and empty.communities == ()


def test_per_query_analytics_use_snapshot_values() -> None:
    b = GraphBuilder()
    b.org("acme")
    b.person("ceo", "C_LEVEL")
    b.tie("ceo", "acme", "WORKS_FOR")
    snap = compute_snapshot(b.G, {}, revision=1, now=NOW)
    ranked = key_decision_makers(b.network(snap.strengths, snap.centrality), "acme")
    assert [d.id for d in ranked] == ["ceo"]
    assert snap.strengths[next(iter(snap.strengths))] == 0.5  # WORKS_FOR default


def test_a_stakeholder_without_ties_has_no_influence_from_the_network() -> None:
    # PageRank spreads evenly over isolated nodes: without this rule, every stakeholder of a
    # network without ties would have the top PageRank share.
    b = GraphBuilder()
    b.org("acme")
    b.person("boss", "C_LEVEL")
    b.person("clerk", "STAFF")
    infl = compute_influence(b.G, compute_centrality(b.G, b.strengths()).nodes)
    assert {node: score.value for node, score in infl.items()} == pytest.approx(
        {"acme": 0.0, "boss": 0.4, "clerk": 0.4 * 0.2}
    )
    # Tied or not, in the same network: only the isolated one loses the network's share.
    b.person("loner", "C_LEVEL")
    b.tie("boss", "acme", "WORKS_FOR", 0.5)
    cent = compute_centrality(b.G, b.strengths()).nodes
    infl = compute_influence(b.G, cent)
    top = max(c.pagerank for c in cent.values())
    assert infl["loner"].value == pytest.approx(0.4)
    assert infl["boss"].value == pytest.approx(0.6 * cent["boss"].pagerank / top + 0.4)


def test_only_stakeholders_who_bridge_something_are_brokers() -> None:
    b = GraphBuilder()
    for name in ("a", "b", "c", "isolated"):
        b.person(name)
    b.tie("a", "b", "KNOWS", 0.5)
    b.tie("b", "c", "KNOWS", 0.5)
    cent = compute_centrality(b.G, b.strengths()).nodes
    assert [broker.id for broker in brokers(b.G, cent, first=10)] == ["b"]
    # Nobody bridges anything in a network without ties.
    empty = GraphBuilder()
    empty.person("x")
    empty.person("y")
    assert brokers(empty.G, compute_centrality(empty.G, empty.strengths()).nodes, first=10) == []
