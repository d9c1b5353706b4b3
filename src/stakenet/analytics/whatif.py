"""What-if: what we lose at an organisation if some people or ties disappear.

This module owns the removal scenario. The stakeholders and ties named in ``remove_ids`` are
hidden with ``nx.restricted_view`` (the projection itself is never modified), the person graph is
rebuilt on the view, and for each of the organisation's top decision-makers (ranked once, on the
graph as it is) the strength of our best introduction path is compared before and after:

* ``lost = before − after`` (path strength lost);
* a decision-maker is *lost* when we could reach them before and cannot after (or when they
  are among the removed stakeholders).

Removing an organisation also removes the colleague links it implied.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import networkx as nx

from stakenet.analytics.centrality import NodeCentrality
from stakenet.analytics.decision_makers import DecisionMaker, key_decision_makers
from stakenet.analytics.errors import UnknownStakeholder
from stakenet.analytics.paths import IntroductionPath, introduction_paths, person_graph

__all__ = ["DecisionMakerImpact", "WhatIfResult", "what_if"]


@dataclass(frozen=True, slots=True)
class DecisionMakerImpact:
    """How one decision-maker's reachability changes.

    Attributes
    ----------
    decision_maker_id : str
    before, after : float
        Strength of our best introduction path (0 when unreachable).
    lost : float
        ``before − after``.
    reachable_before, reachable_after : bool
    path_before, path_after : IntroductionPath or None
        The best paths.
    """

    decision_maker_id: str
    before: float
    after: float
    lost: float
    reachable_before: bool
    reachable_after: bool
    path_before: IntroductionPath | None
    path_after: IntroductionPath | None


@dataclass(frozen=True, slots=True)
class WhatIfResult:
    """The outcome of a removal scenario.

    Attributes
    ----------
    org_id : str
    removed_stakeholders, removed_ties : tuple of str
        The ids of `remove_ids` that are stakeholders, and that are ties.
    impacts : tuple of DecisionMakerImpact
        One per decision-maker examined, in rank order.
    lost_decision_makers : tuple of str
        Decision-makers reachable before and not after.
    """

    org_id: str
    removed_stakeholders: tuple[str, ...]
    removed_ties: tuple[str, ...]
    impacts: tuple[DecisionMakerImpact, ...]
    lost_decision_makers: tuple[str, ...]


def what_if(
    G: nx.MultiDiGraph,
    strengths: Mapping[str, float],
    org_id: str,
    remove_ids: Iterable[str],
    *,
    decision_makers: Sequence[DecisionMaker] | None = None,
    centrality: Mapping[str, NodeCentrality] | None = None,
    top: int = 5,
    max_hops: int = 4,
) -> WhatIfResult:
    """Reachability of `org_id`'s decision-makers once `remove_ids` are gone.

    Parameters
    ----------
    G : nx.MultiDiGraph
        The projection (not modified).
    strengths : Mapping[str, float]
        ``tie_id -> effective strength`` of the current ties.
    org_id : str
        The organisation.
    remove_ids : iterable of str
        Stakeholder ids and/or tie ids to hide.
    decision_makers : sequence of DecisionMaker, optional
        Ranked decision-makers (ranked here from `centrality` otherwise).
    centrality : Mapping[str, NodeCentrality], optional
        Snapshot metrics used when ranking here.
    top : int
        How many decision-makers to examine.
    max_hops : int
        Longest introduction path considered.

    Returns
    -------
    WhatIfResult

    Raises
    ------
    UnknownStakeholder
        `org_id`, or an id of `remove_ids`, is neither a stakeholder nor a tie.
    """
    if org_id not in G:
        raise UnknownStakeholder(org_id)
    wanted = list(dict.fromkeys(remove_ids))
    nodes = [i for i in wanted if i in G]
    tie_ids = set(wanted) - set(nodes)
    edges: list[tuple[str, str, str]] = []
    if tie_ids:
        for u, v, key in G.edges(keys=True):
            if key in tie_ids:
                edges.append((u, v, key))
        missing = tie_ids - {key for _, _, key in edges}
        if missing:
            raise UnknownStakeholder(sorted(missing)[0])
    before_people = person_graph(G, strengths)
    ranked = (
        list(decision_makers)
        if decision_makers is not None
        else key_decision_makers(G, org_id, strengths, centrality, limit=top, people=before_people)
    )[:top]
    hidden = nx.restricted_view(G, nodes, edges)
    after_people = person_graph(hidden, strengths)
    removed = set(nodes)
    impacts: list[DecisionMakerImpact] = []
    for dm in ranked:
        path_before = _best(G, strengths, dm.id, before_people, max_hops)
        path_after = (
            None if dm.id in removed else _best(hidden, strengths, dm.id, after_people, max_hops)
        )
        before = path_before.strength if path_before else 0.0
        after = path_after.strength if path_after else 0.0
        impacts.append(
            DecisionMakerImpact(
                dm.id,
                before,
                after,
                before - after,
                path_before is not None,
                path_after is not None,
                path_before,
                path_after,
            )
        )
    lost = tuple(
        i.decision_maker_id for i in impacts if i.reachable_before and not i.reachable_after
    )
    return WhatIfResult(
        org_id=org_id,
        removed_stakeholders=tuple(nodes),
        removed_ties=tuple(key for _, _, key in edges),
        impacts=tuple(impacts),
        lost_decision_makers=lost,
    )


def _best(
    G: nx.MultiDiGraph, strengths: Mapping[str, float], target: str, people: nx.Graph, hops: int
) -> IntroductionPath | None:
    found = introduction_paths(G, strengths, target, limit=1, max_hops=hops, people=people)
    return found[0] if found else None
