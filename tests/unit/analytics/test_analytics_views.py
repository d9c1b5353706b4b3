"""`build_views` against the views built as NetworkX graphs: the same matrices, value for value,
and the undirected adjacency in the order NetworkX holds it, so that Louvain's result is
NetworkX's."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import networkx as nx
import numpy as np
import pytest
from reference_views import directed_view, undirected_view

from stakenet.analytics.snapshot import compute_snapshot
from stakenet.analytics.views import build_views

KINDS = ("KNOWS", "FAMILY", "PARTNER_OF", "WORKS_FOR", "ADVISES", "REPORTS_TO")


def random_network(seed: int, people: int, ties: int) -> tuple[nx.MultiDiGraph, dict[str, float]]:
    """Multi-ties, both directions, self-ties, symmetric kinds and flags, repeated strengths,
    and ties that are not current (absent from the strengths)."""
    rng = random.Random(seed)
    G = nx.MultiDiGraph()
    names = [f"s{rng.randrange(10**6)}-{i}" for i in range(people)]
    rng.shuffle(names)
    for name in names:
        G.add_node(name, kind="PERSON")
    strengths: dict[str, float] = {}
    for t in range(ties):
        u, v = rng.choice(names), rng.choice(names)
        attrs: dict[str, object] = {"kind": rng.choice(KINDS)}
        if rng.random() < 0.2:
            attrs["symmetric"] = rng.random() < 0.5
        G.add_edge(u, v, key=f"t{t}", **attrs)
        if rng.random() < 0.9:
            strengths[f"t{t}"] = rng.choice((0.1, 0.25, 0.5, 0.99, 1.0, rng.random()))
    return G, strengths


def as_dense(matrix: object) -> np.ndarray:
    dense: np.ndarray = matrix.toarray()  # type: ignore[attr-defined]
    return dense


@pytest.mark.parametrize("seed", range(8))
def test_the_matrices_are_the_networkx_views(seed: int) -> None:
    G, strengths = random_network(seed, people=40, ties=160)
    views = build_views(G, strengths)
    undirected = undirected_view(G, strengths)
    directed = directed_view(G, strengths)
    nodes = list(G)
    assert views.nodes == nodes
    expected = {
        "strength_matrix": nx.to_scipy_sparse_array(undirected, nodes, weight="strength"),
        "cost_matrix": nx.to_scipy_sparse_array(undirected, nodes, weight="distance"),
        "flow_matrix": nx.to_scipy_sparse_array(directed, nodes, weight="weight"),
    }
    for name, matrix in expected.items():
        assert np.array_equal(as_dense(getattr(views, name)), as_dense(matrix)), name
    assert views.cost_matrix.nnz == views.strength_matrix.nnz == 2 * undirected.number_of_edges()


@pytest.mark.parametrize("seed", range(8))
def test_the_neighbours_are_in_networkx_order(seed: int) -> None:
    G, strengths = random_network(seed, people=30, ties=200)
    views = build_views(G, strengths)
    undirected = undirected_view(G, strengths)
    # What NetworkX's Louvain builds from the view: its edges, weighted, in order.
    rebuilt = nx.Graph()
    rebuilt.add_nodes_from(undirected)
    rebuilt.add_weighted_edges_from(undirected.edges(data="strength"))
    index = views.index
    expected = [
        [(index[w], data["weight"]) for w, data in rebuilt.adj[v].items()] for v in views.nodes
    ]
    assert [list(row.items()) for row in views.neighbours] == expected


def test_a_snapshot_finds_networkx_communities() -> None:
    G, strengths = random_network(11, people=300, ties=900)
    for u, v, key in G.edges(keys=True):
        if key in strengths:
            G.edges[u, v, key]["strength"] = strengths[key]
    snapshot = compute_snapshot(G, [], revision=1, now=datetime(2026, 1, 1, tzinfo=UTC))
    expected = nx.community.louvain_communities(
        undirected_view(G, dict(snapshot.strengths)), weight="strength", seed=42
    )
    assert set(snapshot.communities) == {frozenset(c) for c in expected}
    assert len(snapshot.communities) > 1


def test_no_ties_and_no_nodes() -> None:
    G = nx.MultiDiGraph()
    G.add_nodes_from(["a", "b"])
    views = build_views(G, {})
    assert views.strength_matrix.nnz == views.flow_matrix.nnz == 0
    assert views.neighbours == [{}, {}]
    empty = build_views(nx.MultiDiGraph(), {})
    assert empty.nodes == [] and empty.neighbours == []
