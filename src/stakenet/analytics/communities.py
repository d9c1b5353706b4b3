"""Communities and brokers: clusters of tightly tied stakeholders and who bridges them.

This module owns community detection and the broker ranking.

* **Communities**: Louvain modularity optimisation
  (``nx.community.louvain_communities(weight="strength", seed=42)``) on the undirected view,
  strongest tie per pair. Communities are numbered from 0 by decreasing size (ties: smallest
  member id first), so ids are stable for a given graph.
* **Brokers**: stakeholders who sit between groups that do not otherwise talk. The score is
  ``betweenness / max betweenness × (1 − min(constraint, 1))``: high when many strongest paths
  run through someone (betweenness) *and* their contacts are not tied to each other (low Burt
  constraint). A stakeholder with no ties (constraint undefined) or no betweenness scores 0
  and is no broker: the ranking lists only positive scores, so it may be shorter than asked.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np

from stakenet.analytics.centrality import NodeCentrality

__all__ = [
    "FORMULA_VERSION",
    "Broker",
    "brokers",
    "community_index",
    "louvain_of",
    "louvain_partition",
]

FORMULA_VERSION = "communities/1"


def louvain_of(
    names: Sequence[str],
    adjacency: list[dict[int, float]],
    seed: int = 42,
    resolution: float = 1.0,
) -> list[frozenset[str]]:
    """Louvain communities of nodes `names`, ordered by decreasing size, then by smallest
    member id.

    The same partition as ``nx.community.louvain_communities(undirected, weight="strength",
    resolution=resolution, seed=seed)`` on the undirected view, when `adjacency` lists each
    node's neighbours in the order that graph holds them (`GraphViews.neighbours` does): the
    same visiting order (one ``random.Random(seed)`` shuffles each level), the same gain formula
    evaluated in the same floating-point order, and the same stopping rule (modularity gain per
    level at most 1e-7). Nodes are integers, adjacency is a list of dicts, and the per-level
    modularity is computed with numpy, which is several times faster on large graphs."""
    if not names:
        return []
    found = louvain_partition(adjacency, seed, resolution)
    parts = [frozenset(names[i] for i in members) for members in found]
    return sorted(parts, key=lambda c: (-len(c), min(str(v) for v in c)))


def _degrees(adj: list[dict[int, float]]) -> list[float]:
    # nx.Graph.degree(weight=...): neighbour weights in order, a self-loop counted twice.
    return [sum(nbrs.values()) + nbrs.get(u, 0) for u, nbrs in enumerate(adj)]


def _modularity(adj: list[dict[int, float]], community: list[int], resolution: float) -> float:
    heads = np.fromiter((u for u, nbrs in enumerate(adj) for _ in nbrs), dtype=np.int64)
    tails = np.fromiter((v for nbrs in adj for v in nbrs), dtype=np.int64)
    weights = np.fromiter((w for nbrs in adj for w in nbrs.values()), dtype=float)
    labels = np.asarray(community, dtype=np.int64)
    count = int(labels.max()) + 1
    once = heads <= tails
    internal = once & (labels[heads] == labels[tails])
    inside = np.bincount(labels[heads[internal]], weights[internal], minlength=count)
    degree = np.asarray(_degrees(adj))
    deg_sum = float(degree.sum())
    totals = np.bincount(labels, degree, minlength=count)
    m = deg_sum / 2
    return float((inside / m - resolution * totals * totals / deg_sum**2).sum())


def _one_level(
    adj: list[dict[int, float]], m: float, resolution: float, rng: random.Random
) -> tuple[list[int], bool]:
    """One local-moving phase; NetworkX's ``_one_level`` step for step (undirected)."""
    size = len(adj)
    node2com = list(range(size))
    degrees = _degrees(adj)
    stot = list(degrees)
    nbrs = [{v: w for v, w in nbrs.items() if v != u} for u, nbrs in enumerate(adj)]
    order = list(range(size))
    rng.shuffle(order)
    two_m2 = 2 * m**2
    moves = 1
    improvement = False
    while moves > 0:
        moves = 0
        for u in order:
            best_mod: float = 0
            best_com = node2com[u]
            weights2com: defaultdict[int, float] = defaultdict(float)
            for nbr, wt in nbrs[u].items():
                weights2com[node2com[nbr]] += wt
            degree = degrees[u]
            stot[best_com] -= degree
            remove_cost = -weights2com[best_com] / m + resolution * (stot[best_com] * degree) / (
                two_m2
            )
            for nbr_com, wt in weights2com.items():
                gain = remove_cost + wt / m - resolution * (stot[nbr_com] * degree) / two_m2
                if gain > best_mod:
                    best_mod = gain
                    best_com = nbr_com
            stot[best_com] += degree
            if best_com != node2com[u]:
                improvement = True
                moves += 1
                node2com[u] = best_com
    return node2com, improvement


def _aggregate(
    adj: list[dict[int, float]], labels: list[int], count: int
) -> list[dict[int, float]]:
    """NetworkX's ``_gen_graph``: one node per community, edges summed in the same order."""
    merged: list[dict[int, float]] = [{} for _ in range(count)]
    for u, nbrs in enumerate(adj):
        a = labels[u]
        row = merged[a]
        for v, wt in nbrs.items():
            if v < u:
                continue
            b = labels[v]
            total = wt + row.get(b, 0)
            row[b] = total
            merged[b][a] = total
    return merged


def louvain_partition(
    adj: list[dict[int, float]],
    seed: int = 42,
    resolution: float = 1.0,
    threshold: float = 1e-7,
) -> list[list[int]]:
    """Louvain over integer nodes, as ``nx.community.louvain_communities`` (see `louvain_of`).

    Parameters
    ----------
    adj : list of dict
        ``adj[u][v]`` = weight, symmetric, neighbours in the graph's insertion order.
    seed : int
        Seed of the one ``random.Random`` used for every level's shuffle.
    resolution : float
        Louvain resolution.
    threshold : float
        Stop when a level improves modularity by at most this much.

    Returns
    -------
    list of list of int
        The communities of the last level.
    """
    size = len(adj)
    members: list[list[int]] = [[u] for u in range(size)]
    if not any(adj):
        return members
    rng = random.Random(seed)
    mod = _modularity(adj, list(range(size)), resolution)
    m = sum(_degrees(adj)) / 2
    graph = adj
    labels, improvement = _one_level(graph, m, resolution, rng)
    improvement = True
    while improvement:
        kept = sorted(set(labels))
        renumber = {c: i for i, c in enumerate(kept)}
        dense = [renumber[c] for c in labels]
        grouped: list[list[int]] = [[] for _ in kept]
        for node, c in enumerate(dense):
            grouped[c].extend(members[node])
        members = grouped
        new_mod = _modularity(graph, dense, resolution)
        if new_mod - mod <= threshold:
            break
        mod = new_mod
        graph = _aggregate(graph, dense, len(kept))
        labels, improvement = _one_level(graph, m, resolution, rng)
    return members


def community_index(communities: list[frozenset[str]]) -> dict[str, int]:
    """``node -> community id`` (position in `communities`)."""
    return {node: i for i, members in enumerate(communities) for node in members}


@dataclass(frozen=True, slots=True)
class Broker:
    """A broker and the inputs of its score."""

    id: str
    score: float
    betweenness: float
    constraint: float | None


def brokers(
    G: nx.MultiDiGraph, centrality: Mapping[str, NodeCentrality], first: int = 10
) -> list[Broker]:
    """The `first` best brokers (see the module docstring for the score).

    Parameters
    ----------
    G : nx.MultiDiGraph
        The projection (node names break ties).
    centrality : Mapping[str, NodeCentrality]
        Metrics of the same refresh.
    first : int
        How many to return.

    Returns
    -------
    list of Broker
        Positive scores only, highest first; equal scores by name, then id.
    """
    top = max((c.betweenness for c in centrality.values()), default=0.0)
    ranked: list[Broker] = []
    for node, c in centrality.items():
        if top <= 0 or c.constraint is None:
            score = 0.0
        else:
            score = c.betweenness / top * (1.0 - min(c.constraint, 1.0))
        if score > 0:
            ranked.append(Broker(node, score, c.betweenness, c.constraint))

    def name(node: str) -> str:
        return str(G.nodes[node].get("name", node)) if node in G else str(node)

    ranked.sort(key=lambda b: (-b.score, name(b.id), str(b.id)))
    return ranked[:first]
