"""Distances, closeness and betweenness computed a few sources per Dijkstra call are exactly
the values of one call from all sources."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse import csgraph

from stakenet.analytics.betweenness import betweenness, sample_sources
from stakenet.analytics.centrality import closeness
from stakenet.analytics.distances import distances_from, sources_per_call

# Costs that add up unevenly in floating point (0.1 + 0.2 != 0.3), so that routes of equal
# cost on paper differ in their last bit, as the strengths' logarithms do.
LEVELS = [0.1, 0.2, 0.3, 0.7, 1.0]


def random_cost(seed: int) -> sp.csr_array:
    """A symmetric cost matrix: a 260-node random graph beside two small components."""
    rng = np.random.default_rng(seed)
    G = nx.disjoint_union_all(
        [nx.gnm_random_graph(260, 900, seed=seed), nx.path_graph(4), nx.cycle_graph(7)]
    )
    G.add_node(len(G))  # an isolated node
    for _, _, data in G.edges(data=True):
        data["distance"] = float(rng.choice(LEVELS))
    return sp.csr_array(nx.to_scipy_sparse_array(G, nodelist=range(len(G)), weight="distance"))


def one_call_sampled_closeness(cost: sp.csr_array, samples: int, seed: int) -> np.ndarray:
    """Sampled closeness with every component's pivots in one undirected Dijkstra call."""
    n = cost.shape[0]
    result = np.zeros(n)
    rng = np.random.default_rng(seed)
    ncomp, labels = csgraph.connected_components(cost, directed=False)
    for c in range(ncomp):
        members = np.flatnonzero(labels == c)
        r = len(members)
        if r <= 1:
            continue
        sub = cost[members][:, members]
        if r <= samples:
            dist = csgraph.dijkstra(sub, directed=False)
            mean = dist.sum(axis=1) / (r - 1)
        else:
            pivots = rng.choice(r, size=samples, replace=False)
            dist = csgraph.dijkstra(sub, directed=False, indices=pivots)
            counts = np.full(r, float(samples))
            counts[pivots] -= 1.0
            mean = dist.sum(axis=0) / counts
        result[members] = 1.0 / mean * (r - 1) / (n - 1)
    return result


PIECES = [1, 2, 7, 10_000]


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("per_call", PIECES)
def test_distances_in_pieces_equal_one_undirected_call(seed: int, per_call: int) -> None:
    cost = random_cost(seed)
    sources = np.random.default_rng(seed).choice(cost.shape[0], size=40, replace=False)
    expected = csgraph.dijkstra(cost, directed=False, indices=sources)
    assert np.array_equal(distances_from(cost, sources, per_call=per_call), expected)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("per_call", PIECES)
def test_sampled_closeness_in_pieces_equals_one_call(seed: int, per_call: int) -> None:
    cost = random_cost(seed)
    values, mode, k = closeness(cost, exact_limit=50, samples=24, seed=seed, per_call=per_call)
    assert (mode, k) == ("sampled", 24)
    assert np.array_equal(values, one_call_sampled_closeness(cost, 24, seed))


@pytest.mark.parametrize("per_call", PIECES)
def test_exact_closeness_in_pieces_equals_one_call(per_call: int) -> None:
    cost = random_cost(4)
    values, mode, _ = closeness(cost, exact_limit=10_000, per_call=per_call)
    assert mode == "exact"
    assert np.array_equal(values, one_call_sampled_closeness(cost, 10_000, 0))


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("per_call", [1, 2, 7])
def test_betweenness_in_pieces_equals_one_call_per_batch(seed: int, per_call: int) -> None:
    cost = random_cost(seed)
    n = cost.shape[0]
    sources = sample_sources(n, 48, seed)
    one_call = betweenness(cost, sources, per_call=10_000)
    assert np.array_equal(betweenness(cost, sources, per_call=per_call), one_call)
    assert np.array_equal(betweenness(cost, per_call=per_call), betweenness(cost, per_call=n))


def test_sources_per_call_fit_the_work_budget() -> None:
    cost = random_cost(1)  # 272 nodes, 2 × 910 stored entries
    work = cost.nnz + cost.shape[0]
    assert work == 2_092
    assert sources_per_call(cost, work=10 * work + 5) == 10
    assert sources_per_call(cost, work=work - 1) == 1
    assert sources_per_call(cost) == 250_000 // work
