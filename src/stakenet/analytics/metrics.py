"""The metric registry: every per-stakeholder metric of a snapshot, declared once.

Each `MetricSpec` names a metric, describes it, says which end of its scale stands out, and
says how its value is read from what a refresh computed (`NodeParts`). The snapshot's
`NodeMetrics` holds exactly these fields (a test checks it), and the API builds its ``Metric``
enum (the metrics offered for ranking) and ``StakeholderMetrics`` type from `METRICS`. Adding a
metric: its algorithm, a `NodeCentrality` field, a `NodeMetrics` field and one entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from stakenet.analytics.centrality import NodeCentrality

__all__ = ["METRICS", "RANKED_METRICS", "MetricSpec", "NodeParts", "metric"]

MetricValue = float | int | None


@dataclass(frozen=True, slots=True)
class NodeParts:
    """What a refresh computed for one stakeholder, the input of every metric's `read`."""

    centrality: NodeCentrality
    influence: float
    community: int


@dataclass(frozen=True, slots=True)
class MetricSpec:
    """One metric.

    Attributes
    ----------
    name : str
        The field name in `NodeMetrics` and in the API (``Metric`` values are its upper case).
    description : str
        One sentence for the API's schema.
    value_type : type
        ``float`` or ``int``.
    nullable : bool
        Whether some stakeholders have no value.
    direction : {"higher", "lower"}
        Which end of the scale marks the stakeholders that stand out; a ranking lists that end
        first.
    ranked : bool
        Offered by ``influenceRanking(metric:)``.
    published : bool
        Served in ``Stakeholder.metrics``.
    read : callable
        ``NodeParts -> value``.
    """

    name: str
    description: str
    value_type: type[float] | type[int]
    nullable: bool
    direction: Literal["higher", "lower"]
    ranked: bool
    published: bool
    read: Callable[[NodeParts], MetricValue]


METRICS: tuple[MetricSpec, ...] = (
    MetricSpec(
        "influence",
        "PageRank blended with formal authority.",
        float,
        False,
        "higher",
        True,
        True,
        lambda p: p.influence,
    ),
    MetricSpec(
        "pagerank",
        "Weighted PageRank on the directed network.",
        float,
        False,
        "higher",
        True,
        True,
        lambda p: p.centrality.pagerank,
    ),
    MetricSpec(
        "betweenness",
        "How often this one lies on shortest paths.",
        float,
        False,
        "higher",
        True,
        True,
        lambda p: p.centrality.betweenness,
    ),
    MetricSpec(
        "closeness",
        "How near this one is to everyone else.",
        float,
        False,
        "higher",
        True,
        True,
        lambda p: p.centrality.closeness,
    ),
    MetricSpec(
        "eigenvector",
        "Ties to well-connected stakeholders.",
        float,
        False,
        "higher",
        True,
        True,
        lambda p: p.centrality.eigenvector,
    ),
    MetricSpec(
        "degree",
        "Normalised number of neighbours.",
        float,
        False,
        "higher",
        True,
        True,
        lambda p: p.centrality.degree,
    ),
    MetricSpec(
        "strength",
        "Summed strength of the strongest tie to each neighbour.",
        float,
        False,
        "higher",
        False,
        False,
        lambda p: p.centrality.strength,
    ),
    MetricSpec(
        "community",
        "Louvain community number.",
        int,
        True,
        "higher",
        False,
        True,
        lambda p: p.community if p.community >= 0 else None,
    ),
    MetricSpec(
        "constraint",
        "Burt's constraint: low values mark brokers between groups.",
        float,
        True,
        "lower",
        False,
        True,
        lambda p: p.centrality.constraint,
    ),
    MetricSpec(
        "coreness",
        "The inner circle: the largest k-core this one belongs to.",
        int,
        False,
        "higher",
        True,
        True,
        lambda p: p.centrality.coreness,
    ),
)

RANKED_METRICS: tuple[MetricSpec, ...] = tuple(m for m in METRICS if m.ranked)

_BY_NAME = MappingProxyType({m.name: m for m in METRICS})


def metric(name: str) -> MetricSpec | None:
    """The metric called `name`, or None."""
    return _BY_NAME.get(name)
