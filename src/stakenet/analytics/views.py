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

Both views, and their scipy sparse adjacency matrices, are built once per analytics refresh.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp

from stakenet.analytics.strength import distance

__all__ = [
    "MAX_COST_STRENGTH",
    "ORGANISATION_KINDS",
    "SYMMETRIC_KINDS",
    "GraphViews",
    "build_views",
    "directed_view",
    "is_symmetric",
    "path_cost",
    "undirected_view",
]

SYMMETRIC_KINDS = frozenset({"KNOWS", "FAMILY", "PARTNER_OF"})
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


def undirected_view(G: nx.MultiDiGraph, strengths: Mapping[str, float]) -> nx.Graph:
    """The undirected simple view, strongest tie per pair.

    Parameters
    ----------
    G : nx.MultiDiGraph
        The projection.
    strengths : Mapping[str, float]
        ``tie_id -> effective strength`` of the current ties.

    Returns
    -------
    nx.Graph
        Every node of `G` (attributes copied) and one edge per connected pair with attributes
        ``strength``, ``distance`` and ``tie_id``.
    """
    H = nx.Graph()
    H.add_nodes_from(G.nodes(data=True))
    adj = H._adj
    for u, v, key in G.edges(keys=True):
        s = strengths.get(key)
        if s is None or u == v:
            continue
        current = adj[u].get(v)
        if current is None:
            H.add_edge(u, v, strength=s, distance=path_cost(s), tie_id=key)
        elif s > current["strength"]:
            current.update(strength=s, distance=path_cost(s), tie_id=key)
    return H


def directed_view(G: nx.MultiDiGraph, strengths: Mapping[str, float]) -> nx.DiGraph:
    """The directed simple view: symmetric ties both ways, multi-ties summed into ``weight``.

    Parameters
    ----------
    G : nx.MultiDiGraph
        The projection.
    strengths : Mapping[str, float]
        ``tie_id -> effective strength`` of the current ties.

    Returns
    -------
    nx.DiGraph
    """
    D = nx.DiGraph()
    D.add_nodes_from(G.nodes(data=True))
    adj = D._adj
    for u, v, key, attrs in G.edges(keys=True, data=True):
        s = strengths.get(key)
        if s is None or u == v:
            continue
        pairs = ((u, v), (v, u)) if is_symmetric(attrs) else ((u, v),)
        for a, b in pairs:
            data = adj[a].get(b)
            if data is None:
                D.add_edge(a, b, weight=s)
            else:
                data["weight"] += s
    return D


@dataclass(frozen=True, slots=True)
class GraphViews:
    """The views of one refresh and their sparse adjacency matrices (rows/cols = `nodes`).

    Attributes
    ----------
    nodes : list of str
        Node order of the matrices (the order of `G`).
    index : dict
        ``node -> row``.
    undirected : nx.Graph
        See `undirected_view`.
    directed : nx.DiGraph
        See `directed_view`.
    strength_matrix : scipy.sparse.csr_array
        Symmetric, ``[i, j]`` = strength of the strongest tie between i and j.
    cost_matrix : scipy.sparse.csr_array
        Symmetric, ``[i, j]`` = `path_cost` of that tie (always > 0).
    flow_matrix : scipy.sparse.csr_array
        ``[i, j]`` = summed strength of ties i → j in the directed view.
    """

    nodes: list[str]
    index: dict[str, int]
    undirected: nx.Graph
    directed: nx.DiGraph
    strength_matrix: sp.csr_array
    cost_matrix: sp.csr_array
    flow_matrix: sp.csr_array


def _matrix(n: int, rows: list[int], cols: list[int], vals: list[float]) -> sp.csr_array:
    return sp.csr_array(
        (np.asarray(vals, dtype=float), (np.asarray(rows, dtype=np.int64), np.asarray(cols))),
        shape=(n, n),
    )


def build_views(G: nx.MultiDiGraph, strengths: Mapping[str, float]) -> GraphViews:
    """Build both views and their matrices once.

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
    U = undirected_view(G, strengths)
    D = directed_view(G, strengths)
    rows: list[int] = []
    cols: list[int] = []
    svals: list[float] = []
    cvals: list[float] = []
    for u, v, data in U.edges(data=True):
        i, j = index[u], index[v]
        rows += (i, j)
        cols += (j, i)
        svals += (data["strength"], data["strength"])
        cvals += (data["distance"], data["distance"])
    frows: list[int] = []
    fcols: list[int] = []
    fvals: list[float] = []
    for u, v, w in D.edges(data="weight"):
        frows.append(index[u])
        fcols.append(index[v])
        fvals.append(w)
    return GraphViews(
        nodes=nodes,
        index=index,
        undirected=U,
        directed=D,
        strength_matrix=_matrix(n, rows, cols, svals),
        cost_matrix=_matrix(n, rows, cols, cvals),
        flow_matrix=_matrix(n, frows, fcols, fvals),
    )
