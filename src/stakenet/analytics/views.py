"""Graph views: the projection collapsed into the simple graphs the algorithms run on.

This module owns how ties become edges. Only current ties count: a tie takes part exactly when
its id is a key of the `strengths` mapping (see `stakenet.analytics.strength`). Self-ties are
dropped.

* **Undirected view** (`nx.Graph`): one edge per pair of stakeholders that share any current
  tie, in either direction. Multi-ties collapse to the strongest: the edge carries ``strength``
  (the strongest tie's strength), ``distance`` (its cost, see `path_cost`) and ``tie_id``.
* **Directed view** (`nx.DiGraph`): ``u → v`` for every tie written ``u → v``, and also
  ``v → u`` for symmetric kinds (KNOWS, FAMILY, PARTNER_OF), which are stored once. Multi-ties
  are merged by summing strengths into ``weight``.

A refresh needs the views only as scipy sparse matrices (and the undirected one as an adjacency
list for Louvain): `build_views` makes those straight from the ties, once per refresh.
The tests hold the same views built as NetworkX graphs, the reference the matrices are checked
against.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp

from stakenet.analytics.strength import distance
from stakenet.domain.model import SYMMETRIC_TIE_KINDS

__all__ = [
    "MAX_COST_STRENGTH",
    "ORGANISATION_KINDS",
    "SYMMETRIC_KINDS",
    "GraphViews",
    "build_views",
    "is_symmetric",
    "path_cost",
]

SYMMETRIC_KINDS = frozenset(kind.value for kind in SYMMETRIC_TIE_KINDS)
"""Tie kinds that hold both ways although stored once."""

ORGANISATION_KINDS = frozenset({"COMPANY", "MUNICIPALITY", "ORGANIZATION"})
"""Node kinds that are organisations rather than people."""

MAX_COST_STRENGTH = 0.99
"""Strengths are capped at this value before becoming a path cost.

A perfect tie (strength 1.0) would otherwise cost nothing, and zero-cost edges make "shortest
path" ambiguous (Brandes' betweenness assumes positive costs). With the cap every hop costs at
least ``−log(0.99) ≈ 0.01``, so among equally strong routes the one with fewer hops wins, and a
graph whose ties all have the same strength gives the same shortest paths as the unweighted
graph.
"""


def path_cost(strength: float) -> float:
    """Cost of traversing a tie: ``distance(min(strength, MAX_COST_STRENGTH))``."""
    return distance(min(strength, MAX_COST_STRENGTH))


def is_symmetric(attrs: Mapping[str, Any]) -> bool:
    """Whether a tie holds both ways (its ``symmetric`` flag, or a symmetric kind)."""
    flag = attrs.get("symmetric")
    if flag is not None:
        return bool(flag)
    return attrs.get("kind") in SYMMETRIC_KINDS


@dataclass(frozen=True, slots=True)
class GraphViews:
    """The matrices of one refresh (rows/cols = `nodes`) and the undirected view's adjacency.

    Attributes
    ----------
    nodes : list of str
        Node order of the matrices (the order of `G`).
    index : dict
        ``node -> row``.
    strength_matrix : scipy.sparse.csr_array
        Symmetric, ``[i, j]`` = strength of the strongest tie between i and j (the undirected
        view's ``strength``).
    cost_matrix : scipy.sparse.csr_array
        Symmetric, ``[i, j]`` = `path_cost` of that tie (always > 0).
    flow_matrix : scipy.sparse.csr_array
        ``[i, j]`` = summed strength of ties i → j in the directed view (its ``weight``).
    neighbours : list of dict
        ``neighbours[i][j]`` = ``strength_matrix[i, j]``, neighbours in the order in which
        a NetworkX graph rebuilt from the undirected view's edges would hold them, so that
        Louvain visits them as NetworkX does (see `stakenet.analytics.communities`).
    """

    nodes: list[str]
    index: dict[str, int]
    strength_matrix: sp.csr_array
    cost_matrix: sp.csr_array
    flow_matrix: sp.csr_array
    neighbours: list[dict[int, float]]


def _matrix(n: int, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray) -> sp.csr_array:
    return sp.csr_array((vals, (rows, cols)), shape=(n, n))


def build_views(G: nx.MultiDiGraph, strengths: Mapping[str, float]) -> GraphViews:
    """Build the matrices of both views, and the undirected adjacency, in one pass over the ties.

    The views are never built as NetworkX graphs here: the ties become arrays, and numpy
    collapses them as the views built edge by edge would (the strongest tie per pair;
    the strengths of each directed pair summed in tie order), which at a million ties is many
    times quicker and holds no per-edge dictionaries.

    Parameters
    ----------
    G : nx.MultiDiGraph
        The projection.
    strengths : Mapping[str, float]
        ``tie_id -> effective strength`` of the current ties.

    Returns
    -------
    GraphViews
    """
    nodes = list(G)
    index = {v: i for i, v in enumerate(nodes)}
    n = len(nodes)
    heads: list[int] = []
    tails: list[int] = []
    values: list[float] = []
    both_ways: list[bool] = []
    # The adjacency in the order of G.edges(keys=True, data=True), without the view's overhead.
    for u, neighbours in G._adj.items():
        i = index[u]
        for v, ties in neighbours.items():
            if v == u:
                continue
            j = index[v]
            for key, attrs in ties.items():
                s = strengths.get(key)
                if s is None:
                    continue
                heads.append(i)
                tails.append(j)
                values.append(s)
                both_ways.append(is_symmetric(attrs))
    head = np.asarray(heads, dtype=np.int64)
    tail = np.asarray(tails, dtype=np.int64)
    value = np.asarray(values, dtype=float)

    # Undirected: one entry per pair, the strongest tie's strength.
    low, high = np.minimum(head, tail), np.maximum(head, tail)
    pairs, first_seen, tie_pair = np.unique(low * n + high, return_index=True, return_inverse=True)
    strongest = np.full(len(pairs), -np.inf)
    np.maximum.at(strongest, tie_pair, value)
    a, b = pairs // n, pairs % n
    # Costs through `path_cost` itself, once per distinct strength, so they equal its results.
    distinct, strength_of = np.unique(strongest, return_inverse=True)
    cost = np.asarray([path_cost(s) for s in distinct.tolist()], dtype=float)[strength_of]
    rows, cols = np.concatenate((a, b)), np.concatenate((b, a))

    # Directed: u → v for every tie, v → u too for a symmetric one, summed per pair in tie order
    # (ufunc.at adds in the order given, as adding edge by edge does).
    kept = np.stack((np.ones(len(head), dtype=bool), np.asarray(both_ways, dtype=bool)), axis=1)
    kept = kept.ravel()
    sources = np.stack((head, tail), axis=1).ravel()[kept]
    targets = np.stack((tail, head), axis=1).ravel()[kept]
    directed_pairs, directed_pair_of = np.unique(sources * n + targets, return_inverse=True)
    flow = np.zeros(len(directed_pairs))
    np.add.at(flow, directed_pair_of, np.repeat(value, 2)[kept])

    return GraphViews(
        nodes=nodes,
        index=index,
        strength_matrix=_matrix(n, rows, cols, np.concatenate((strongest, strongest))),
        cost_matrix=_matrix(n, rows, cols, np.concatenate((cost, cost))),
        flow_matrix=_matrix(n, directed_pairs // n, directed_pairs % n, flow),
        neighbours=_neighbours(n, a, b, first_seen, strongest),
    )


def _neighbours(
    n: int, a: np.ndarray, b: np.ndarray, first_seen: np.ndarray, strength: np.ndarray
) -> list[dict[int, float]]:
    """The undirected adjacency of the pairs a < b, in NetworkX's order.

    The undirected view built edge by edge adds a pair's edge at its first tie, so each node
    lists its neighbours in the order of their pairs' first ties; iterating its edges yields
    each pair at its lower node, in that order; a graph rebuilt from those edges lists x's
    neighbours by (the pair's lower node, the pair's first tie).
    """
    rows = np.concatenate((a, b))
    # `first_seen` (each pair's first tie, distinct) orders the pairs as their first ties do.
    order = np.lexsort((np.tile(first_seen, 2), np.tile(a, 2), rows))
    cols = np.concatenate((b, a))[order].tolist()
    weights = np.tile(strength, 2)[order].tolist()
    bounds = np.searchsorted(rows[order], np.arange(n + 1)).tolist()
    return [
        dict(zip(cols[start:end], weights[start:end], strict=True))
        for start, end in itertools.pairwise(bounds)
    ]
