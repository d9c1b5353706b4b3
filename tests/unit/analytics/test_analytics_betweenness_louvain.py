"""The batched Brandes betweenness and the array Louvain reproduce NetworkX exactly."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from reference_views import louvain

from stakenet.analytics.betweenness import betweenness, sample_sources
from stakenet.analytics.errors import InvalidParameter


def weighted(G: nx.Graph, seed: int, levels: list[float] | None = None) -> nx.Graph:
    rng = np.random.default_rng(seed)
    for _, _, data in G.edges(data=True):
        s = float(rng.choice(levels)) if levels else float(rng.uniform(0.05, 0.99))
        data["strength"] = s
        data["distance"] = float(-np.log(min(s, 0.99)))
    return G


GRAPHS = {
    "karate": lambda: weighted(nx.karate_club_graph(), 1, [1.0]),
    "les_miserables": lambda: weighted(nx.les_miserables_graph(), 2),
    "florentine": lambda: weighted(nx.florentine_families_graph(), 3, [0.3, 0.5]),
    "random_ties": lambda: weighted(nx.gnm_random_graph(400, 1600, seed=4), 5, [0.3, 0.5, 0.8]),
    "random_continuous": lambda: weighted(nx.gnm_random_graph(400, 1600, seed=6), 7),
    "disconnected": lambda: weighted(
        nx.disjoint_union(nx.path_graph(5), nx.gnm_random_graph(60, 150, seed=8)), 9
    ),
}


def cost(G: nx.Graph) -> object:
    return nx.to_scipy_sparse_array(G, nodelist=list(G), weight="distance", format="csr")


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_exact_betweenness_equals_networkx(name: str) -> None:
    G = GRAPHS[name]()
    ours = betweenness(cost(G))  # type: ignore[arg-type]
    expected = nx.betweenness_centrality(G, weight="distance")
    assert dict(zip(G, ours.tolist(), strict=True)) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("name", sorted(GRAPHS))
@pytest.mark.parametrize("k", [1, 7, 30])
def test_sampled_betweenness_uses_networkx_sources_and_scaling(name: str, k: int) -> None:
    G = GRAPHS[name]()
    k = min(k, len(G))
    ours = betweenness(cost(G), sample_sources(len(G), k, 42))  # type: ignore[arg-type]
    expected = nx.betweenness_centrality(G, k=k, weight="distance", seed=42)
    got = dict(zip(G, ours.tolist(), strict=True))
    if k == 1:  # NetworkX scales the single source by 1 / 0 (NaN); compare the others
        got = {v: x for v, x in got.items() if not np.isnan(x)}
        expected = {v: expected[v] for v in got}
    assert got == pytest.approx(expected, abs=1e-9)


def test_betweenness_rejects_zero_costs() -> None:
    G = nx.path_graph(3)
    nx.set_edge_attributes(G, 0.0, "distance")
    with pytest.raises(InvalidParameter, match="positive"):
        betweenness(cost(G))  # type: ignore[arg-type]


def test_betweenness_of_tiny_graphs() -> None:
    import scipy.sparse as sp

    assert betweenness(sp.csr_array((0, 0))).tolist() == []
    two = weighted(nx.path_graph(2), 1)
    assert betweenness(cost(two)).tolist() == [0.0, 0.0]  # type: ignore[arg-type]


@pytest.mark.parametrize("name", sorted(GRAPHS))
@pytest.mark.parametrize("seed", [42, 3])
def test_louvain_equals_networkx(name: str, seed: int) -> None:
    G = GRAPHS[name]()
    expected = nx.community.louvain_communities(G, weight="strength", seed=seed)
    assert set(louvain(G, seed)) == {frozenset(c) for c in expected}


def test_louvain_with_resolution_and_no_edges() -> None:
    G = GRAPHS["random_continuous"]()
    expected = nx.community.louvain_communities(G, weight="strength", seed=1, resolution=2.0)
    assert set(louvain(G, 1, 2.0)) == {frozenset(c) for c in expected}
    assert set(louvain(nx.empty_graph(3))) == {frozenset({0}), frozenset({1}), frozenset({2})}
