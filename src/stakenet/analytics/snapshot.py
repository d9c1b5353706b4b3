"""The analytics snapshot: every global metric of one graph revision, computed once.

This module owns the refresh. `compute_snapshot` derives tie strengths, builds the graph views
and matrices once, and computes centrality, influence and communities from them. The result is
immutable. Per-organisation questions (decision-makers, introduction paths, risks, what-if) are
answered from a snapshot plus the graph and never recompute the global metrics: pass
``snapshot.strengths`` and ``snapshot.centrality`` to them.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

import networkx as nx

from stakenet.analytics import centrality as centrality_module
from stakenet.analytics import communities as communities_module
from stakenet.analytics import decision_makers as decision_makers_module
from stakenet.analytics import influence as influence_module
from stakenet.analytics import risks as risks_module
from stakenet.analytics import strength as strength_module
from stakenet.analytics.centrality import (
    BetweennessMode,
    CentralityParams,
    ClosenessMode,
    NodeCentrality,
    compute_centrality,
)
from stakenet.analytics.communities import community_index, louvain_of
from stakenet.analytics.influence import InfluenceParams, InfluenceScore, compute_influence
from stakenet.analytics.metrics import METRICS, NodeParts
from stakenet.analytics.strength import (
    InteractionRecord,
    StrengthParams,
    TieStrength,
    compute_tie_strengths,
)
from stakenet.analytics.views import build_views

__all__ = ["AnalyticsSnapshot", "NodeMetrics", "SnapshotParams", "compute_snapshot"]

FORMULA_VERSIONS: Mapping[str, str] = MappingProxyType(
    {
        "strength": strength_module.FORMULA_VERSION,
        "centrality": centrality_module.FORMULA_VERSION,
        "influence": influence_module.FORMULA_VERSION,
        "communities": communities_module.FORMULA_VERSION,
        "decision_makers": decision_makers_module.FORMULA_VERSION,
        "risks": risks_module.FORMULA_VERSION,
    }
)


@dataclass(frozen=True, slots=True)
class SnapshotParams:
    """Parameters of a refresh: one set per formula family."""

    strength: StrengthParams = field(default_factory=StrengthParams)
    centrality: CentralityParams = field(default_factory=CentralityParams)
    influence: InfluenceParams = field(default_factory=InfluenceParams)
    louvain_seed: int = 42
    louvain_resolution: float = 1.0


@dataclass(frozen=True, slots=True)
class NodeMetrics:
    """Everything the snapshot knows about one stakeholder's position: one field per metric of
    the registry (`stakenet.analytics.metrics.METRICS`), in its order."""

    influence: float
    pagerank: float
    betweenness: float
    closeness: float
    eigenvector: float
    degree: float
    strength: float
    community: int | None
    constraint: float | None
    coreness: int


@dataclass(frozen=True, slots=True)
class AnalyticsSnapshot:
    """The global analytics of one graph revision.

    Attributes
    ----------
    revision : int
        The graph revision computed.
    computed_at : datetime
        The as-of instant (interactions after it are ignored; ties current on its date count).
    tie_strengths : Mapping[str, TieStrength]
        Every current tie's strength record.
    strengths : Mapping[str, float]
        ``tie_id -> effective strength``, the input of the per-query analytics.
    nodes : Mapping[str, NodeMetrics]
    centrality : Mapping[str, NodeCentrality]
    influence : Mapping[str, InfluenceScore]
        With the factors of each score.
    communities : tuple of frozenset
        Community ``i`` is ``communities[i]``.
    betweenness_mode : {"exact", "sampled"}
    betweenness_k : int or None
    closeness_mode : {"exact", "sampled"}
    closeness_k : int or None
    eigenvector_converged : bool
    formula_versions : Mapping[str, str]
    timings : Mapping[str, float]
        Seconds spent per stage (for monitoring; not part of the results).
    """

    revision: int
    computed_at: datetime
    tie_strengths: Mapping[str, TieStrength]
    strengths: Mapping[str, float]
    nodes: Mapping[str, NodeMetrics]
    centrality: Mapping[str, NodeCentrality]
    influence: Mapping[str, InfluenceScore]
    communities: tuple[frozenset[str], ...]
    betweenness_mode: BetweennessMode
    betweenness_k: int | None
    closeness_mode: ClosenessMode
    closeness_k: int | None
    eigenvector_converged: bool
    formula_versions: Mapping[str, str]
    timings: Mapping[str, float]


def node_metrics(parts: NodeParts) -> NodeMetrics:
    """One stakeholder's metrics, each read from `parts` as the registry says."""
    return NodeMetrics(**{m.name: m.read(parts) for m in METRICS})  # type: ignore[arg-type]


def compute_snapshot(
    G: nx.MultiDiGraph,
    interactions: Mapping[str, InteractionRecord] | Iterable[InteractionRecord],
    revision: int,
    now: datetime,
    params: SnapshotParams | None = None,
) -> AnalyticsSnapshot:
    """Compute every global metric once.

    Parameters
    ----------
    G : nx.MultiDiGraph
        The projection (read only).
    interactions : Mapping[str, InteractionRecord] or iterable
        All interactions.
    revision : int
        The graph revision (recorded as is).
    now : datetime
        The as-of instant (timezone-aware).
    params : SnapshotParams, optional

    Returns
    -------
    AnalyticsSnapshot
    """
    p = params or SnapshotParams()
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        t = time.perf_counter()
        timings[stage] = t - clock
        clock = t

    ties = compute_tie_strengths(G, interactions, now, p.strength)
    # The values themselves, not a copy: the snapshot holds them read-only, and holds the
    # ties only behind a read-only proxy, which does not reach `effective`.
    strengths = ties.effective
    lap("strengths")
    views = build_views(G, strengths)
    lap("views")
    cent = compute_centrality(G, strengths, p.centrality, views, timings=timings)
    clock = time.perf_counter()
    infl = compute_influence(G, cent.nodes, p.influence)
    lap("influence")
    comms = tuple(louvain_of(views.nodes, views.neighbours, p.louvain_seed, p.louvain_resolution))
    index = community_index(list(comms))
    lap("louvain")
    nodes = {
        v: node_metrics(NodeParts(c, infl[v].value, index.get(v, -1)))
        for v, c in cent.nodes.items()
    }
    return AnalyticsSnapshot(
        revision=revision,
        computed_at=now,
        tie_strengths=MappingProxyType(ties),
        strengths=MappingProxyType(strengths),
        nodes=MappingProxyType(nodes),
        centrality=MappingProxyType(cent.nodes),
        influence=MappingProxyType(infl),
        communities=comms,
        betweenness_mode=cent.betweenness_mode,
        betweenness_k=cent.betweenness_k,
        closeness_mode=cent.closeness_mode,
        closeness_k=cent.closeness_k,
        eigenvector_converged=cent.eigenvector_converged,
        formula_versions=FORMULA_VERSIONS,
        timings=MappingProxyType(timings),
    )
