"""Per-node centrality: degree, betweenness, closeness, eigenvector, PageRank, constraint, coreness.

This module owns the global, whole-network position metrics. Each is computed on the view that
suits it (see `stakenet.analytics.views`), and each equals the NetworkX function named below
(within 1e-6; the tests prove it on reference graphs):

==============  ===============================  ===================================================
metric          view / weight                    equals
==============  ===============================  ===================================================
degree          undirected, unweighted           ``nx.degree_centrality``
strength        undirected, strength             sum of the strongest-tie strengths (not normalised)
betweenness     undirected, ``distance``         ``nx.betweenness_centrality(weight="distance")``
                                                 (exact up to `exact_betweenness_limit` nodes,
                                                 else ``k`` sampled sources with a fixed seed)
closeness       undirected, ``distance``         ``nx.closeness_centrality(distance="distance")``
                                                 (Wasserman-Faust scaling for disconnected graphs;
                                                 exact up to `exact_closeness_limit` nodes, else
                                                 estimated from sampled pivots, see below)
eigenvector     undirected, ``strength``         ``nx.eigenvector_centrality(weight="strength")``
pagerank        directed, summed strengths       ``nx.pagerank(weight="weight")``, alpha 0.85
constraint      undirected, ``strength``         ``nx.constraint(weight="strength")``; ``None``
                                                 for isolated nodes (NetworkX gives NaN)
coreness        undirected, unweighted           ``nx.core_number``: the largest k such that the
                                                 node is in the k-core (the inner circle)
==============  ===============================  ===================================================

Costs are strengths turned into distances (`path_cost`), never raw strengths: a strong tie is a
short hop. Degree is unweighted (how many distinct stakeholders someone is tied to), with the
strength-weighted sum reported beside it as ``strength``.

PageRank and eigenvector run as vectorised power iterations over the scipy matrices built once
per refresh; the stopping rule is NetworkX's (L1 change < n × tol) with a much tighter default
tol (1e-10), so the results sit well within 1e-6 of NetworkX's own. Eigenvector centrality is
ill-defined on a disconnected graph; like ``nx.eigenvector_centrality`` we iterate ``(A + I)``
from the all-ones vector, which always converges on a non-negative symmetric matrix and spreads
weight over the components with the largest spectral radius (others tend to 0). If it still has
not converged after `max_iter` steps, the last iterate is returned and
``CentralityResult.eigenvector_converged`` is False (no exception).

Betweenness is Brandes' algorithm batched over scipy's Dijkstra and sparse products (see
`stakenet.analytics.betweenness`); it reproduces NetworkX's values and its sampled sources.
Large graphs: betweenness over more than `exact_betweenness_limit` nodes uses ``k`` sampled
sources (seed 42); when ``k × edges`` exceeds `betweenness_work_budget`, ``k`` is lowered to fit
(never below `min_betweenness_samples`) and the ``k`` used is reported. Closeness over more than
`exact_closeness_limit` nodes is estimated per connected component from `closeness_samples`
pivots (Eppstein-Wang): for a node in a component of ``r`` nodes, the mean distance to the other
nodes is estimated by its mean distance to the pivots. Burt's constraint is exact at every size:
``P + P²`` on the tie pattern, the two-step part summed over the network's triangles.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse import csgraph

from stakenet.analytics.betweenness import betweenness, sample_sources
from stakenet.analytics.distances import distances_from
from stakenet.analytics.views import GraphViews, build_views

__all__ = [
    "FORMULA_VERSION",
    "CentralityParams",
    "CentralityResult",
    "NodeCentrality",
    "closeness",
    "compute_centrality",
    "constraint",
    "coreness",
    "eigenvector",
    "pagerank",
]

FORMULA_VERSION = "centrality/1"

BetweennessMode = Literal["exact", "sampled"]
ClosenessMode = Literal["exact", "sampled"]


@dataclass(frozen=True, slots=True)
class CentralityParams:
    """Parameters of the centrality refresh.

    Attributes
    ----------
    alpha : float
        PageRank damping factor. Default 0.85 (NetworkX's).
    tol : float
        Per-node tolerance of the power iterations (stop when L1 change < n × tol). Default 1e-10.
    max_iter : int
        Iteration cap of the power iterations. Default 1000.
    exact_betweenness_limit : int
        Exact betweenness up to this many nodes. Default 2000.
    betweenness_samples : int
        Sampled sources above the limit. Default 256.
    betweenness_work_budget : int
        Upper bound on ``k × edges`` for sampled betweenness. Default 1_000_000_000 (the full
        256 sources up to about 4 million undirected edges).
    min_betweenness_samples : int
        Lower bound on ``k`` when the budget lowers it. Default 8.
    exact_closeness_limit : int
        Exact closeness up to this many nodes. Default 2000.
    closeness_samples : int
        Pivots per component above the limit. Default 128.
    seed : int
        Seed of every sample. Default 42.
    """

    alpha: float = 0.85
    tol: float = 1e-10
    max_iter: int = 1000
    exact_betweenness_limit: int = 2000
    betweenness_samples: int = 256
    betweenness_work_budget: int = 1_000_000_000
    min_betweenness_samples: int = 8
    exact_closeness_limit: int = 2000
    closeness_samples: int = 128
    seed: int = 42


@dataclass(frozen=True, slots=True)
class NodeCentrality:
    """The centrality metrics of one node (see the module docstring for each definition)."""

    degree: float
    strength: float
    betweenness: float
    closeness: float
    eigenvector: float
    pagerank: float
    constraint: float | None
    coreness: int


@dataclass(frozen=True, slots=True)
class CentralityResult:
    """All nodes' metrics and how they were computed.

    Attributes
    ----------
    nodes : dict
        ``node -> NodeCentrality``.
    betweenness_mode : {"exact", "sampled"}
    betweenness_k : int or None
        Sampled sources (``None`` when exact).
    closeness_mode : {"exact", "sampled"}
    closeness_k : int or None
        Pivots per large component (``None`` when exact).
    eigenvector_converged : bool
        False when the eigenvector iteration hit `max_iter` (last iterate returned).
    pagerank_iterations, eigenvector_iterations : int
    """

    nodes: dict[str, NodeCentrality]
    betweenness_mode: BetweennessMode
    betweenness_k: int | None
    closeness_mode: ClosenessMode
    closeness_k: int | None
    eigenvector_converged: bool
    pagerank_iterations: int
    eigenvector_iterations: int


def pagerank(
    flow: sp.csr_array, alpha: float = 0.85, tol: float = 1e-10, max_iter: int = 1000
) -> tuple[np.ndarray, int]:
    """PageRank by power iteration over a weighted adjacency matrix.

    Same model as ``nx.pagerank`` with uniform teleport and dangling redistribution: rows are
    normalised by their out-weight, rows with no out-weight (dangling) spread uniformly.

    Parameters
    ----------
    flow : scipy.sparse.csr_array
        ``[i, j]`` = weight of i → j.
    alpha : float
        Damping factor.
    tol : float
        Stop when the L1 change of an iteration is below ``n × tol``.
    max_iter : int
        Iteration cap (the last iterate is returned if reached).

    Returns
    -------
    (numpy.ndarray, int)
        Scores summing to 1, and the iterations used.
    """
    n = flow.shape[0]
    if n == 0:
        return np.zeros(0), 0
    out = np.asarray(flow.sum(axis=1)).ravel()
    inv = np.zeros(n)
    nz = out != 0
    inv[nz] = 1.0 / out[nz]
    transition = (sp.diags_array(inv) @ flow).T.tocsr()
    dangling = ~nz
    x = np.full(n, 1.0 / n)
    teleport = (1.0 - alpha) / n
    for it in range(1, max_iter + 1):
        last = x
        x = alpha * (transition @ last + last[dangling].sum() / n) + teleport
        if np.abs(x - last).sum() < n * tol:
            return x, it
    return x, max_iter


def eigenvector(
    adjacency: sp.csr_array, tol: float = 1e-10, max_iter: int = 1000
) -> tuple[np.ndarray, int, bool]:
    """Eigenvector centrality by power iteration on ``A + I`` from the all-ones vector.

    Same iteration and normalisation (unit Euclidean norm) as ``nx.eigenvector_centrality``.

    Parameters
    ----------
    adjacency : scipy.sparse.csr_array
        Symmetric non-negative weights.
    tol : float
        Stop when the L1 change is below ``n × tol``.
    max_iter : int
        Iteration cap.

    Returns
    -------
    (numpy.ndarray, int, bool)
        Scores, iterations used, and whether it converged.
    """
    n = adjacency.shape[0]
    if n == 0:
        return np.zeros(0), 0, True
    at = adjacency.T.tocsr()
    x = np.full(n, 1.0 / n)
    for it in range(1, max_iter + 1):
        last = x
        x = last + at @ last
        norm = float(np.linalg.norm(x)) or 1.0
        x = x / norm
        if np.abs(x - last).sum() < n * tol:
            return x, it, True
    return x, max_iter, False


def constraint(strength: sp.csr_array) -> np.ndarray:
    """Burt's constraint for every node, as ``nx.constraint(weight=...)`` on the undirected view.

    With ``P`` the row-normalised tie weights, ``c(i) = Σ_j∈N(i) (P_ij + (P²)_ij)²``. Isolated
    nodes get NaN (as in NetworkX).

    ``(P²)_ij`` is needed only where i and j are tied, and there it sums over their common
    neighbours: the triangles i, j, k (`_two_steps_on_ties`). The whole product ``P @ P`` would
    hold a row for every pair of an organisation's people, hundreds of millions of entries at a
    million ties.

    Parameters
    ----------
    strength : scipy.sparse.csr_array
        Symmetric tie weights.

    Returns
    -------
    numpy.ndarray
    """
    n = strength.shape[0]
    if n == 0:
        return np.zeros(0)
    S = sp.csr_array(strength)
    S.sort_indices()
    degree = np.diff(S.indptr)
    rows = np.repeat(np.arange(n), degree)
    rowsum = np.bincount(rows, S.data, minlength=n)
    inverse = np.zeros(n)
    inverse[rowsum != 0] = 1.0 / rowsum[rowsum != 0]
    p = S.data * inverse[rows]
    local = p + _two_steps_on_ties(n, rows, S.indices, p, degree)
    result = np.bincount(rows, local * local, minlength=n).astype(float)  # float when empty too
    result[degree == 0] = math.nan
    return result


# Wedges looked at per batch in `_two_steps_on_ties`: bounds its arrays to a few hundred MB.
_WEDGES_PER_BATCH = 4_000_000


def _two_steps_on_ties(
    n: int, rows: np.ndarray, cols: np.ndarray, p: np.ndarray, degree: np.ndarray
) -> np.ndarray:
    """``(P²)_ij`` for every stored entry (i, j) of the symmetric pattern ``rows``/``cols``
    (sorted by row, then column), ``p`` holding ``P_ij`` at each entry.

    Every triangle is found once, from its lowest node by (degree, index): among the node's
    higher neighbours, each pair that is tied closes one. A node has few higher neighbours
    (an organisation's people are all lower than it), so the pairs looked at stay near the
    number of ties, where ``P @ P`` pairs every two neighbours of every node. Each triangle
    i, a, b adds its third node's two steps to its six entries: ``(P²)_ia += P_ib P_ba``, and so
    on.
    """
    nnz = len(cols)
    two_steps = np.zeros(nnz)
    if nnz == 0:
        return two_steps
    codes = rows * np.int64(n) + cols  # ascending, as the entries are sorted
    mirror = np.searchsorted(codes, cols * np.int64(n) + rows)  # the entry (j, i) of (i, j)
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(degree, kind="stable")] = np.arange(n)
    higher = np.flatnonzero(rank[cols] > rank[rows])  # entries (i, a) with a above i
    owner = rows[higher]  # ascending
    # Each of a node's higher neighbours pairs with the ones after it.
    pair_counts = np.searchsorted(owner, owner, side="right") - np.arange(len(higher)) - 1
    ends = np.cumsum(pair_counts)
    first = 0
    while first < len(higher):
        # A batch of whole entries whose pairs fit `_WEDGES_PER_BATCH` (at least one entry).
        base = ends[first - 1] if first else 0
        last = int(np.searchsorted(ends, base + _WEDGES_PER_BATCH, side="right"))
        last = max(last, first + 1)
        counts = pair_counts[first:last]
        left = np.repeat(np.arange(first, last), counts)
        offsets = np.arange(len(left)) - np.repeat(np.cumsum(counts) - counts, counts)
        right = left + 1 + offsets
        ia, ib = higher[left], higher[right]
        a, b = cols[ia], cols[ib]
        wanted = a * np.int64(n) + b
        found = np.minimum(np.searchsorted(codes, wanted), nnz - 1)
        closed = codes[found] == wanted
        ia, ib, ab = ia[closed], ib[closed], found[closed]
        ai, bi, ba = mirror[ia], mirror[ib], mirror[ab]
        for entry, one, other in (
            (ia, ib, ba),
            (ai, ab, bi),
            (ib, ia, ab),
            (bi, ba, ai),
            (ab, ai, ib),
            (ba, bi, ia),
        ):
            two_steps += np.bincount(entry, p[one] * p[other], minlength=nnz)
        first = last
    return two_steps


def coreness(adjacency: sp.csr_array) -> np.ndarray:
    """Every node's k-core number on the tie pattern of a symmetric matrix, as ``nx.core_number``.

    NetworkX's bucket algorithm (Batagelj-Zaversnik) is linear in the ties; the graph it runs on
    holds only node numbers, no attributes.
    """
    n = adjacency.shape[0]
    upper = sp.triu(adjacency, k=1).tocoo()
    pattern = nx.Graph()
    pattern.add_nodes_from(range(n))
    pattern.add_edges_from(zip(upper.row.tolist(), upper.col.tolist(), strict=True))
    cores = nx.core_number(pattern)
    return np.fromiter((cores[i] for i in range(n)), dtype=np.int64, count=n)


def closeness(
    cost: sp.csr_array,
    exact_limit: int = 2000,
    samples: int = 128,
    seed: int = 42,
    *,
    per_call: int | None = None,
) -> tuple[np.ndarray, ClosenessMode, int | None]:
    """Closeness centrality with Wasserman-Faust scaling over a symmetric cost matrix.

    ``c(u) = (r − 1) / Σ d(u, v) × (r − 1) / (n − 1)`` where ``r`` counts the nodes reachable from
    ``u`` (itself included); 0 when nothing is reachable. Exact (scipy Dijkstra from every node)
    up to `exact_limit` nodes; above it, components larger than `samples` use `samples` pivots.
    The distances come a few sources per scipy call (`distances_from`; `per_call` overrides
    how many), so that other threads run in between.

    Returns
    -------
    (numpy.ndarray, mode, k)
        Scores, ``"exact"``/``"sampled"``, pivots per large component (``None`` if exact).
    """
    n = cost.shape[0]
    result = np.zeros(n)
    if n <= 1:
        return result, "exact", None
    sampled = n > exact_limit
    rng = np.random.default_rng(seed)
    ncomp, labels = csgraph.connected_components(cost, directed=False)
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(ncomp + 1))
    for c in range(ncomp):
        members = order[bounds[c] : bounds[c + 1]]
        r = len(members)
        if r <= 1:
            continue
        sub = cost[members][:, members]
        if not sampled or r <= samples:
            total = np.zeros(r)
            for start in range(0, r, 512):
                block = np.arange(start, min(r, start + 512))
                total[block] = distances_from(sub, block, per_call=per_call).sum(axis=1)
            mean = total / (r - 1)
        else:
            pivots = rng.choice(r, size=samples, replace=False)
            dist = distances_from(sub, pivots, per_call=per_call)
            total = dist.sum(axis=0)
            counts = np.full(r, float(samples))
            counts[pivots] -= 1.0
            mean = total / counts
        with np.errstate(divide="ignore"):
            scores = np.where(mean > 0, 1.0 / mean, 0.0) * (r - 1) / (n - 1)
        result[members] = scores
    return result, ("sampled" if sampled else "exact"), (samples if sampled else None)


def _betweenness(
    views: GraphViews, params: CentralityParams
) -> tuple[np.ndarray, BetweennessMode, int | None]:
    n = len(views.nodes)
    if n <= params.exact_betweenness_limit:
        return betweenness(views.cost_matrix), "exact", None
    m = max(1, views.cost_matrix.nnz // 2)
    k = min(
        params.betweenness_samples,
        max(params.min_betweenness_samples, params.betweenness_work_budget // m),
    )
    k = min(k, n)
    values = betweenness(views.cost_matrix, sample_sources(n, k, params.seed))
    return values, "sampled", k


def compute_centrality(
    G: nx.MultiDiGraph,
    strengths: Mapping[str, float],
    params: CentralityParams | None = None,
    views: GraphViews | None = None,
    *,
    timings: dict[str, float] | None = None,
) -> CentralityResult:
    """Every node's centrality metrics, building the views and matrices once.

    Parameters
    ----------
    G : nx.MultiDiGraph
        The projection.
    strengths : Mapping[str, float]
        ``tie_id -> effective strength`` of the current ties.
    params : CentralityParams, optional
        Algorithm parameters.
    views : GraphViews, optional
        Views already built from `G` and `strengths` (built here otherwise).
    timings : dict, optional
        When given, receives the seconds spent per metric (for monitoring and benchmarks).

    Returns
    -------
    CentralityResult
    """
    p = params or CentralityParams()
    v = views or build_views(G, strengths)
    n = len(v.nodes)
    if n == 0:
        return CentralityResult({}, "exact", None, "exact", None, True, 0, 0)
    spent = timings if timings is not None else {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        spent[stage] = now - clock
        clock = now

    A = v.strength_matrix
    degree_counts = np.diff(A.indptr)
    degree = degree_counts / (n - 1) if n > 1 else np.ones(n)
    weighted = np.asarray(A.sum(axis=1)).ravel()
    lap("degree")
    pr, pr_it = pagerank(v.flow_matrix, p.alpha, p.tol, p.max_iter)
    lap("pagerank")
    ev, ev_it, ev_ok = eigenvector(A, p.tol, p.max_iter)
    lap("eigenvector")
    cons = constraint(A)
    lap("constraint")
    cores = coreness(A)
    lap("coreness")
    clo, clo_mode, clo_k = closeness(
        v.cost_matrix, p.exact_closeness_limit, p.closeness_samples, p.seed
    )
    lap("closeness")
    btw, btw_mode, btw_k = _betweenness(v, p)
    lap("betweenness")
    nodes = {
        node: NodeCentrality(
            degree=float(degree[i]),
            strength=float(weighted[i]),
            betweenness=float(btw[i]),
            closeness=float(clo[i]),
            eigenvector=float(ev[i]),
            pagerank=float(pr[i]),
            constraint=None if math.isnan(cons[i]) else float(cons[i]),
            coreness=int(cores[i]),
        )
        for i, node in enumerate(v.nodes)
    }
    return CentralityResult(nodes, btw_mode, btw_k, clo_mode, clo_k, ev_ok, pr_it, ev_it)
