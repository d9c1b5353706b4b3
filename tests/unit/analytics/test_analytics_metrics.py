"""The metric registry, and coreness (k-core number) against NetworkX on published graphs."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime

import networkx as nx
import pytest
from analytics_helpers import GraphBuilder
from reference_views import undirected_view

from stakenet.analytics.centrality import compute_centrality, coreness
from stakenet.analytics.metrics import METRICS, RANKED_METRICS, metric
from stakenet.analytics.snapshot import NodeMetrics, compute_snapshot
from stakenet.analytics.views import build_views

PUBLISHED: dict[str, Callable[[], nx.Graph]] = {
    "karate": nx.karate_club_graph,
    "florentine": nx.florentine_families_graph,
    "les_miserables": nx.les_miserables_graph,
    "davis": nx.davis_southern_women_graph,
}


def as_projection(graph: nx.Graph) -> tuple[nx.MultiDiGraph, dict[str, float]]:
    """`graph` as ties between people, written in both directions and of several kinds, plus
    an ended tie per node that would raise its core if it counted."""
    b = GraphBuilder()
    for v in graph:
        b.person(str(v))
    strengths: dict[str, float] = {}
    for i, (u, v) in enumerate(graph.edges()):
        source, target = (str(u), str(v)) if i % 2 else (str(v), str(u))
        strengths[b.tie(source, target, "KNOWS")] = 0.5
        if i % 3 == 0:  # a second, directed tie on the same pair counts once
            strengths[b.tie(target, source, "ADVISES")] = 0.8
    nodes = [str(v) for v in graph]
    for u, v in zip(nodes, nodes[1:] + nodes[:1], strict=True):
        b.tie(u, v, "FAMILY")  # no strength entry: not current
    return b.G, strengths


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_coreness_equals_networkx_core_number(name: str) -> None:
    graph = PUBLISHED[name]()
    G, strengths = as_projection(graph)
    result = compute_centrality(G, strengths)
    expected = nx.core_number(nx.Graph(graph))
    assert {v: c.coreness for v, c in result.nodes.items()} == {
        str(v): k for v, k in expected.items()
    }


def test_karate_club_has_the_published_cores() -> None:
    G, strengths = as_projection(nx.karate_club_graph())
    cores = {v: c.coreness for v, c in compute_centrality(G, strengths).nodes.items()}
    assert max(cores.values()) == 4
    # The 4-core: Mr. Hi (0), the officer (33) and their inner circles.
    assert {v for v, k in cores.items() if k == 4} == {
        str(v) for v in (0, 1, 2, 3, 7, 8, 13, 30, 32, 33)
    }
    assert cores["11"] == 1  # tied to Mr. Hi only


def test_coreness_of_a_matrix_with_isolated_nodes_and_no_ties() -> None:
    b = GraphBuilder()
    for v in "abcd":
        b.person(v)
    ties = {b.tie("a", "b", "KNOWS"): 0.5, b.tie("b", "c", "KNOWS"): 0.5}
    ties[b.tie("c", "a", "KNOWS")] = 0.5
    assert coreness(build_views(b.G, ties).strength_matrix).tolist() == [2, 2, 2, 0]
    assert coreness(build_views(b.G, {}).strength_matrix).tolist() == [0, 0, 0, 0]


def test_node_metrics_hold_exactly_the_registry_metrics_in_its_order() -> None:
    assert [f.name for f in dataclasses.fields(NodeMetrics)] == [m.name for m in METRICS]
    assert [m.name for m in RANKED_METRICS] == [
        "influence",
        "pagerank",
        "betweenness",
        "closeness",
        "eigenvector",
        "degree",
        "coreness",
    ]
    assert metric("coreness") is RANKED_METRICS[-1]
    assert metric("nonsense") is None


def test_the_snapshot_reads_every_metric_as_the_registry_says() -> None:
    G, _ = as_projection(nx.karate_club_graph())
    snapshot = compute_snapshot(G, [], 1, datetime(2026, 1, 1, tzinfo=UTC))
    cores = nx.core_number(undirected_view(G, snapshot.strengths))
    assert max(cores.values()) >= 4
    for v, metrics in snapshot.nodes.items():
        centrality = snapshot.centrality[v]
        assert metrics.coreness == cores[v]
        assert (metrics.pagerank, metrics.degree, metrics.strength, metrics.constraint) == (
            centrality.pagerank,
            centrality.degree,
            centrality.strength,
            centrality.constraint,
        )
        assert metrics.influence == snapshot.influence[v].value
        assert metrics.community is not None and v in snapshot.communities[metrics.community]
