"""Betweenness centrality over the sparse cost matrix: Brandes' algorithm, batched in numpy.

This module owns the betweenness computation. It reproduces
``nx.betweenness_centrality(G, k=k, weight="distance", seed=seed)`` on the undirected view
(normalised, endpoints excluded), including NetworkX's choice of sampled sources, at a fraction
of the cost of NetworkX's pure-Python loop:

1. Distances from a batch of sources come from scipy's Dijkstra (C code), a few sources per
   call (`stakenet.analytics.distances`).
2. For each source the shortest-path DAG is the set of edges ``u → v`` with
   ``d(u) + cost(u, v) == d(v)``: the same exact floating-point test NetworkX's Dijkstra makes
   (``dist + weight == seen[w]``), on the same sums, so equal-cost routes count alike.
3. Path counts ``σ`` and dependencies ``δ`` are sums over the DAG's paths, computed hop by hop
   as sparse matrix products over the whole batch at once:
   ``σ = Σ_t (Mᵀ)ᵗ e_s`` and ``δ = Σ_{t≥1} Cᵗ 1`` with ``C[u, v] = σ(u) / σ(v)`` on DAG edges.
   Both series end exactly once ``t`` exceeds the DAG's longest path, since the terms of
   ``σ`` are integers (path counts) and those of ``δ`` vanish past the last hop.

The results agree with NetworkX within rounding (the sums are added in another order).
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from stakenet.analytics.distances import distances_from
from stakenet.analytics.errors import InvalidParameter

__all__ = ["betweenness", "sample_sources"]


def sample_sources(n: int, k: int | None, seed: int) -> list[int] | None:
    """The positions of the sources NetworkX samples for ``k`` and ``seed``.

    ``nx.betweenness_centrality(k=k, seed=seed)`` draws ``random.Random(seed).sample(nodes, k)``;
    the draw depends only on the number of nodes, so positions stand for the nodes. ``None``
    means every node (exact betweenness, also when ``k`` equals the node count).
    """
    if k is None or k >= n:
        return None
    return random.Random(seed).sample(range(n), k)


def _dependencies(
    cost: sp.csr_array,
    heads: np.ndarray,
    tails: np.ndarray,
    weights: np.ndarray,
    sources: Sequence[int],
    per_call: int | None,
) -> np.ndarray:
    """Σ over `sources` of Brandes' dependency ``δ_s(v)`` (the source's own entry excluded)."""
    n = cost.shape[0]
    b = len(sources)
    dist = distances_from(cost, sources, per_call=per_call)
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    for i in range(b):
        d = dist[i]
        du = d[heads]
        on_path = (du + weights == d[tails]) & np.isfinite(du)
        rows.append(heads[on_path] + i * n)
        cols.append(tails[on_path] + i * n)
    u = np.concatenate(rows)
    v = np.concatenate(cols)
    size = b * n
    ones = np.ones(len(u))
    # Path counts, hop by hop: term_t(v) = number of t-hop shortest paths from s to v.
    forward = sp.csr_array((ones, (v, u)), shape=(size, size))
    term = np.zeros(size)
    term[np.asarray(sources) + np.arange(b) * n] = 1.0
    sigma = term.copy()
    while True:
        term = forward @ term
        if not term.any():
            break
        sigma += term
    # Dependencies: δ = C·1 + C²·1 + …, C[u, v] = σ(u) / σ(v) on DAG edges.
    back = sp.csr_array((sigma[u] / sigma[v], (u, v)), shape=(size, size))
    term = back @ np.ones(size)
    delta = term.copy()
    while term.any():
        term = back @ term
        delta += term
    delta[np.asarray(sources) + np.arange(b) * n] = 0.0
    return np.asarray(delta.reshape(b, n).sum(axis=0))


def betweenness(
    cost: sp.csr_array,
    sources: Sequence[int] | None = None,
    *,
    batch: int = 16,
    per_call: int | None = None,
) -> np.ndarray:
    """Normalised betweenness, as ``nx.betweenness_centrality(weight=..., k=..., seed=...)``.

    Parameters
    ----------
    cost : scipy.sparse.csr_array
        Symmetric matrix of positive edge costs (the undirected view's ``distance``).
    sources : sequence of int, optional
        Source positions (see `sample_sources`); every node when ``None`` (exact).
    batch : int
        Sources handled per sparse product (memory grows with it).
    per_call : int, optional
        Sources per Dijkstra call (default: sized by work, see `distances_from`). A batch's
        distances come in several calls so that other threads run in between; the values do
        not depend on it.

    Returns
    -------
    numpy.ndarray
        One score per node, scaled like NetworkX: ``1 / ((n − 1)(n − 2))`` when exact; when
        sampled, ``1 / (k (n − 2))`` for non-sources and ``1 / ((k − 1)(n − 2))`` for sources.

    Raises
    ------
    InvalidParameter
        If `cost` is not square, or a cost is not positive (zero-cost edges make shortest
        paths ambiguous; the views cap strengths so that every cost is positive).

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> path = sp.csr_array([[0, 1.0, 0], [1.0, 0, 1.0], [0, 1.0, 0]])
    >>> betweenness(path).tolist()
    [0.0, 1.0, 0.0]
    """
    n, m = cost.shape
    if n != m:
        raise InvalidParameter("cost", f"The cost matrix must be square, got {n}×{m}.")
    total = np.zeros(n)
    if n == 0:
        return total
    graph = sp.csr_array(cost)
    graph.sum_duplicates()
    heads = np.repeat(np.arange(n), np.diff(graph.indptr))
    tails = graph.indices.astype(np.int64)
    weights = graph.data.astype(float)
    if (weights <= 0).any():
        raise InvalidParameter("cost", "Every edge cost must be positive.")
    chosen = list(range(n)) if sources is None else list(sources)
    for start in range(0, len(chosen), batch):
        total += _dependencies(
            graph, heads, tails, weights, chosen[start : start + batch], per_call
        )
    big_n = n - 1
    if big_n < 2:
        return total
    if sources is None:
        exact: np.ndarray = total / (big_n * (big_n - 1))
        return exact
    k = len(chosen)
    scale = np.full(n, 1.0 / (k * (big_n - 1)))
    scale[chosen] = 1.0 / ((k - 1) * (big_n - 1)) if k > 1 else np.nan
    return total * scale
