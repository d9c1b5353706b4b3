"""The network an analytic question is answered on: one graph revision at one instant.

This module owns `NetworkAt`, the context the per-organisation questions (decision-makers,
key-person risks, what-if) read: the graph, the strengths of its current ties at the instant
`now`, the metrics of the snapshot computed from them, and the person graph derived from them.
The questions read nothing else, neither the clock nor the live graph, so a ranking asked of an
older snapshot is that snapshot's ranking.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import networkx as nx

from stakenet.analytics.centrality import NodeCentrality
from stakenet.analytics.paths import InternalReach, person_graph
from stakenet.analytics.strength import TieStrength

__all__ = ["NetworkAt"]


@dataclass(frozen=True, slots=True)
class NetworkAt:
    """One graph revision as seen at the instant `now`.

    Attributes
    ----------
    graph : nx.MultiDiGraph
        The projection of the revision (never modified).
    strengths : Mapping[str, float]
        ``tie_id -> effective strength`` at `now` of the ties current on its date.
    now : datetime
        The instant the strengths decayed to; staleness is measured at it too.
    people : nx.Graph
        The person graph of `graph` and `strengths` (`stakenet.analytics.paths.person_graph`).
    centrality : Mapping[str, NodeCentrality], optional
        The snapshot's metrics (PageRank weighs influence from outside an organisation).
    tie_strengths : Mapping[str, TieStrength], optional
        The ties' strength records (their last interaction marks a stale tie).
    coverage : Mapping[str, float], optional
        Our best path strength to every person of `people` (`coverage_from_us`), when computed
        once for the snapshot; each question searches for the people it needs otherwise.
    reach : InternalReach, optional
        Which of our people reach each person of `people` (found once for the snapshot);
        each question searches for the people it needs otherwise.
    top_pagerank : float
        The highest PageRank of `centrality` (0 without it), found once rather than per question.
    """

    graph: nx.MultiDiGraph
    strengths: Mapping[str, float]
    now: datetime
    people: nx.Graph
    centrality: Mapping[str, NodeCentrality] | None = None
    tie_strengths: Mapping[str, TieStrength] | None = None
    coverage: Mapping[str, float] | None = None
    reach: InternalReach | None = None
    top_pagerank: float = field(init=False)

    def __post_init__(self) -> None:
        centrality = self.centrality
        top = max((c.pagerank for c in centrality.values()), default=0.0) if centrality else 0.0
        object.__setattr__(self, "top_pagerank", top)

    @classmethod
    def of(
        cls,
        graph: nx.MultiDiGraph,
        strengths: Mapping[str, float],
        now: datetime,
        *,
        centrality: Mapping[str, NodeCentrality] | None = None,
        tie_strengths: Mapping[str, TieStrength] | None = None,
    ) -> NetworkAt:
        """`graph` at `now` with its person graph built here."""
        people = person_graph(graph, strengths)
        return cls(graph, strengths, now, people, centrality, tie_strengths)
