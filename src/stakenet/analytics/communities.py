"""Communities and brokers: clusters of tightly tied stakeholders and who bridges them.

This module owns community detection and the broker ranking.

* **Communities**: Louvain modularity optimisation
  (``nx.community.louvain_communities(weight="strength", seed=42)``) on the undirected view,
  strongest tie per pair. Communities are numbered from 0 by decreasing size (ties: smallest
  member id first), so ids are stable for a given graph.
* **Brokers**: stakeholders who sit between groups that do not otherwise talk. The score is
  ``betweenness / max betweenness × (1 − min(constraint, 1))``: high when many strongest paths
  run through someone (betweenness) *and* their contacts are not tied to each other (low Burt
  constraint). A stakeholder with no ties (constraint undefined) or no betweenness scores 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import networkx as nx

from stakenet.analytics.centrality import NodeCentrality

__all__ = ["FORMULA_VERSION", "Broker", "brokers", "community_index", "louvain"]

FORMULA_VERSION = "communities/1"


def louvain(undirected: nx.Graph, seed: int = 42, resolution: float = 1.0) -> list[frozenset[str]]:
    """Louvain communities of the undirected strength-weighted view.

    Parameters
    ----------
    undirected : nx.Graph
        The undirected view (edge attribute ``strength``).
    seed : int
        Random seed (fixed so results are reproducible).
    resolution : float
        Louvain resolution; above 1 favours smaller communities.

    Returns
    -------
    list of frozenset
        Ordered by decreasing size, then by smallest member id.
    """
    if undirected.number_of_nodes() == 0:
        return []
    found = nx.community.louvain_communities(
        undirected, weight="strength", resolution=resolution, seed=seed
    )
    parts = [frozenset(c) for c in found]
    return sorted(parts, key=lambda c: (-len(c), min(str(v) for v in c)))


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
        Highest score first; equal scores by name, then id.
    """
    top = max((c.betweenness for c in centrality.values()), default=0.0)
    ranked: list[Broker] = []
    for node, c in centrality.items():
        if top <= 0 or c.constraint is None:
            score = 0.0
        else:
            score = c.betweenness / top * (1.0 - min(c.constraint, 1.0))
        ranked.append(Broker(node, score, c.betweenness, c.constraint))

    def name(node: str) -> str:
        return str(G.nodes[node].get("name", node)) if node in G else str(node)

    ranked.sort(key=lambda b: (-b.score, name(b.id), str(b.id)))
    return ranked[:first]
