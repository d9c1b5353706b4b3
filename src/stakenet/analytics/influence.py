"""Influence: one explainable score per stakeholder, blending network position and formal rank.

This module owns the influence formula (version `FORMULA_VERSION`)::

    person:        influence = pagerank_weight × pagerank_norm + authority_weight × authority
    organisation:  influence = pagerank_norm

``pagerank_norm`` is the stakeholder's PageRank divided by the largest PageRank in the network
(so the most central stakeholder has 1.0), and 0 for a stakeholder without ties: PageRank
spreads its rank evenly over isolated nodes, which would make everyone of a network without
ties "the most central"; ``authority`` is the formal weight of the person's
seniority (C_LEVEL 1.0, VP_DIRECTOR 0.75, MANAGER 0.5, STAFF 0.2, unknown 0.2). Defaults:
``pagerank_weight = 0.6``, ``authority_weight = 0.4``; both are in 0..1, so is the result.
Organisations have no seniority and are scored by their network position alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import networkx as nx

from stakenet.analytics.centrality import NodeCentrality

__all__ = [
    "FORMULA_VERSION",
    "SENIORITY_AUTHORITY",
    "InfluenceFactor",
    "InfluenceParams",
    "InfluenceScore",
    "compute_influence",
]

FORMULA_VERSION = "influence/2"

SENIORITY_AUTHORITY: Mapping[str, float] = MappingProxyType(
    {"C_LEVEL": 1.0, "VP_DIRECTOR": 0.75, "MANAGER": 0.5, "STAFF": 0.2}
)
"""Formal authority of each seniority level."""


@dataclass(frozen=True, slots=True)
class InfluenceParams:
    """Weights of the influence blend (see the module docstring)."""

    pagerank_weight: float = 0.6
    authority_weight: float = 0.4
    seniority_authority: Mapping[str, float] = field(default_factory=lambda: SENIORITY_AUTHORITY)
    unknown_seniority_authority: float = 0.2


@dataclass(frozen=True, slots=True)
class InfluenceFactor:
    """One factor of an influence score: ``contribution = value × weight``."""

    name: str
    value: float
    weight: float
    contribution: float


@dataclass(frozen=True, slots=True)
class InfluenceScore:
    """A stakeholder's influence and the factors it is the sum of."""

    value: float
    factors: tuple[InfluenceFactor, ...]


def _factor(name: str, value: float, weight: float) -> InfluenceFactor:
    return InfluenceFactor(name, value, weight, value * weight)


def compute_influence(
    G: nx.MultiDiGraph,
    centrality: Mapping[str, NodeCentrality],
    params: InfluenceParams | None = None,
) -> dict[str, InfluenceScore]:
    """Influence of every node of `G`.

    Parameters
    ----------
    G : nx.MultiDiGraph
        The projection (node attributes ``kind`` and ``seniority`` are read).
    centrality : Mapping[str, NodeCentrality]
        Metrics of the same refresh (``pagerank`` is read).
    params : InfluenceParams, optional
        Blend weights.

    Returns
    -------
    dict
        ``node -> InfluenceScore``; ``value`` equals the sum of the factor contributions.
    """
    p = params or InfluenceParams()
    top = max((c.pagerank for c in centrality.values()), default=0.0)
    result: dict[str, InfluenceScore] = {}
    succ, pred = G.succ, G.pred
    for node, attrs in G.nodes(data=True):
        metrics = centrality.get(node)
        tied = bool(succ[node]) or bool(pred[node])  # in O(1), where degree sums every edge
        pr = metrics.pagerank / top if metrics is not None and top > 0 and tied else 0.0
        factors: tuple[InfluenceFactor, ...]
        if attrs.get("kind") == "PERSON":
            seniority = attrs.get("seniority")
            authority = (
                p.seniority_authority.get(seniority, p.unknown_seniority_authority)
                if seniority is not None
                else p.unknown_seniority_authority
            )
            factors = (
                _factor("pagerank", pr, p.pagerank_weight),
                _factor("formal_authority", authority, p.authority_weight),
            )
        else:
            factors = (_factor("pagerank", pr, 1.0),)
        result[node] = InfluenceScore(sum(f.contribution for f in factors), factors)
    return result
