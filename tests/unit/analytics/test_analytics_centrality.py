"""Centrality equals NetworkX's own output on reference graphs, and ranks as published."""

from __future__ import annotations

import math
from collections.abc import Callable

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from analytics_helpers import GraphBuilder, from_reference

from stakenet.analytics import centrality
from stakenet.analytics.centrality import CentralityParams, NodeCentrality, compute_centrality
from stakenet.analytics.views import MAX_COST_STRENGTH

REFERENCE = {
    "karate": nx.karate_club_graph,
    "florentine": nx.florentine_families_graph,
    "les_miserables": nx.les_miserables_graph,
}


def _independent(g: nx.Graph, weighted: bool) -> nx.Graph:
    """The undirected view rebuilt here from the raw graph, without the code under test."""
    top = max((d.get("weight", 1) for _, _, d in g.edges(data=True)), default=1)
    H = nx.Graph()
    H.add_nodes_from(g)
    for u, v, d in g.edges(data=True):
        s = d.get("weight", 1) / top if weighted else 1.0
        H.add_edge(u, v, strength=s, distance=-math.log(min(s, MAX_COST_STRENGTH)))
    return H


METRICS: dict[str, tuple[Callable[[nx.Graph], dict[object, float]], str]] = {
    "degree": (nx.degree_centrality, "degree"),
    "betweenness": (lambda H: nx.betweenness_centrality(H, weight="distance"), "betweenness"),
    "closeness": (lambda H: nx.closeness_centrality(H, distance="distance"), "closeness"),
    "eigenvector": (
        lambda H: nx.eigenvector_centrality(H, weight="strength", tol=1e-12, max_iter=10_000),
        "eigenvector",
    ),
    "eigenvector_numpy": (
        lambda H: nx.eigenvector_centrality_numpy(H, weight="strength"),
        "eigenvector",
    ),
    "pagerank": (lambda H: nx.pagerank(H, weight="strength", tol=1e-12), "pagerank"),
    "constraint": (lambda H: nx.constraint(H, weight="strength"), "constraint"),
}


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("graph", sorted(REFERENCE))
@pytest.mark.parametrize("metric", sorted(METRICS))
def test_metric_equals_networkx(graph: str, weighted: bool, metric: str) -> None:
    g = REFERENCE[graph]()
    G, strengths = from_reference(g, weighted)
    result = compute_centrality(G, strengths)
    fn, attr = METRICS[metric]
    expected = fn(_independent(g, weighted))
    got = {v: getattr(result.nodes[v], attr) for v in g}
    assert got == pytest.approx(expected, abs=1e-6)
    assert result.betweenness_mode == "exact"


def test_pagerank_equals_networkx_on_directed_multigraph_with_symmetric_kinds() -> None:
    b = GraphBuilder()
    for p in "abcdef":
        b.person(p)
    b.org("acme")
    b.tie("a", "acme", "WORKS_FOR", 0.5)
    b.tie("b", "acme", "WORKS_FOR", 0.7)
    b.tie("a", "b", "KNOWS", 0.4)
    b.tie("a", "b", "REPORTS_TO", 0.6)
    b.tie("c", "a", "INFLUENCES", 0.9)
    b.tie("d", "c", "FAMILY", 0.8)
    b.tie("e", "acme", "BOARD_MEMBER_OF", 0.3)
    strengths = b.strengths()
    result = compute_centrality(b.G, strengths)
    D = nx.DiGraph()
    D.add_nodes_from(b.G)
    for u, v, k, d in b.G.edges(keys=True, data=True):
        for x, y in [(u, v), (v, u)] if d["symmetric"] else [(u, v)]:
            w = D.edges[x, y]["weight"] if D.has_edge(x, y) else 0.0
            D.add_edge(x, y, weight=w + strengths[k])
    expected = nx.pagerank(D, weight="weight", tol=1e-12)
    assert {v: result.nodes[v].pagerank for v in D} == pytest.approx(expected, abs=1e-6)
    assert D.edges["a", "b"]["weight"] == pytest.approx(1.0)
    # f is isolated: NetworkX-style NaN becomes None
    assert result.nodes["f"].constraint is None


def test_literature_rankings() -> None:
    def top(graph: str, attr: str, k: int = 1) -> list[object]:
        G, strengths = from_reference(REFERENCE[graph](), weighted=False)
        nodes = compute_centrality(G, strengths).nodes
        return sorted(nodes, key=lambda v: -getattr(nodes[v], attr))[:k]

    assert top("karate", "betweenness", 2) == [0, 33]  # Mr. Hi, then the officer
    assert top("florentine", "betweenness") == ["Medici"]
    assert top("florentine", "degree") == ["Medici"]
    assert top("les_miserables", "degree") == ["Valjean"]
    assert top("les_miserables", "betweenness") == ["Valjean"]


def test_sampled_betweenness_is_reported_and_seeded() -> None:
    g = nx.les_miserables_graph()
    G, strengths = from_reference(g, weighted=True)
    params = CentralityParams(exact_betweenness_limit=10, betweenness_samples=20)
    result = compute_centrality(G, strengths, params)
    assert result.betweenness_mode == "sampled"
    assert result.betweenness_k == 20
    H = _independent(g, weighted=True)
    expected = nx.betweenness_centrality(H, k=20, weight="distance", seed=42)
    assert {v: result.nodes[v].betweenness for v in g} == pytest.approx(expected, abs=1e-6)


def test_sampled_closeness_estimates_exact_values() -> None:
    g = nx.les_miserables_graph()
    G, strengths = from_reference(g, weighted=False)
    exact = compute_centrality(G, strengths).nodes
    params = CentralityParams(exact_closeness_limit=10, closeness_samples=40)
    result = compute_centrality(G, strengths, params)
    assert result.closeness_mode == "sampled"
    assert result.closeness_k == 40
    errors = [abs(result.nodes[v].closeness - exact[v].closeness) / exact[v].closeness for v in g]
    assert sum(errors) / len(errors) < 0.1


@pytest.mark.parametrize("size", [0, 1, 2])
def test_tiny_graphs(size: int) -> None:
    b = GraphBuilder()
    for i in range(size):
        b.person(f"p{i}")
    result = compute_centrality(b.G, {})
    assert set(result.nodes) == set(b.G)
    if size:
        H = nx.Graph()
        H.add_nodes_from(b.G)
        for v in b.G:
            node: NodeCentrality = result.nodes[v]
            assert node.degree == pytest.approx(nx.degree_centrality(H)[v])
            assert node.pagerank == pytest.approx(1.0 / size)
            assert node.eigenvector == pytest.approx(nx.eigenvector_centrality(H)[v])
            assert node.closeness == 0.0
            assert node.constraint is None


def test_disconnected_graph_eigenvector_matches_power_iteration() -> None:
    g = nx.disjoint_union(nx.complete_graph(4), nx.path_graph(3))
    G, strengths = from_reference(g, weighted=False)
    result = compute_centrality(G, strengths)
    assert result.eigenvector_converged
    expected = nx.eigenvector_centrality(g, tol=1e-12, max_iter=10_000)
    assert {v: result.nodes[v].eigenvector for v in g} == pytest.approx(expected, abs=1e-6)
    expected_cl = nx.closeness_centrality(_independent(g, False), distance="distance")
    assert {v: result.nodes[v].closeness for v in g} == pytest.approx(expected_cl, abs=1e-6)


def test_multi_ties_collapse_to_strongest_for_costs() -> None:
    b = GraphBuilder()
    for p in "abc":
        b.person(p)
    b.tie("a", "b", "KNOWS", 0.1)
    b.tie("b", "a", "FAMILY", 0.9)
    b.tie("b", "c", "KNOWS", 0.5)
    result = compute_centrality(b.G, b.strengths())
    assert result.nodes["b"].strength == pytest.approx(1.4)
    assert result.nodes["b"].degree == pytest.approx(1.0)
    assert result.nodes["b"].betweenness == pytest.approx(1.0)


@pytest.mark.parametrize("batch", [1, 7, 4_000_000])
@pytest.mark.parametrize("seed", [1, 2])
def test_constraint_over_triangles_equals_networkx_with_hubs(
    monkeypatch: pytest.MonkeyPatch, seed: int, batch: int
) -> None:
    """Many triangles, hubs tied to most nodes, isolated nodes, batches of any size."""
    monkeypatch.setattr(centrality, "_WEDGES_PER_BATCH", batch)
    g = nx.powerlaw_cluster_graph(150, 4, 0.6, seed=seed)
    g.add_edges_from((0, v) for v in range(2, 150, 2))  # a hub over half the network
    g.add_nodes_from(range(150, 155))  # isolated
    rng = np.random.default_rng(seed)
    for u, v in g.edges:
        g.edges[u, v]["strength"] = float(rng.choice([0.1, 0.5, 0.9, rng.random()]))
    nodes = list(g)
    matrix = sp.csr_array(nx.to_scipy_sparse_array(g, nodes, weight="strength"))
    got = centrality.constraint(matrix)
    expected = nx.constraint(g, weight="strength")
    for i, v in enumerate(nodes):
        if math.isnan(expected[v]):
            assert math.isnan(got[i])
        else:
            assert got[i] == pytest.approx(expected[v], rel=1e-12)
