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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import networkx as nx

from stakenet.analytics.decision_makers import DecisionMaker, key_decision_makers
from stakenet.analytics.errors import UnknownStakeholder
from stakenet.analytics.network_at import NetworkAt
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
    network: NetworkAt,
    org_id: str,
    remove_ids: Iterable[str],
    *,
    decision_makers: Sequence[DecisionMaker] | None = None,
    top: int = 5,
    max_hops: int = 4,
) -> WhatIfResult:
    """Reachability of `org_id`'s decision-makers once `remove_ids` are gone.

    Parameters
    ----------
    network : NetworkAt
        The network as it is (its graph is not modified).
    org_id : str
        The organisation.
    remove_ids : iterable of str
        Stakeholder ids and/or tie ids to hide.
    decision_makers : sequence of DecisionMaker, optional
        Ranked decision-makers (ranked here on `network` otherwise).
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
    if org_id not in network.graph:
        raise UnknownStakeholder(org_id)
    removal = _removal(network.graph, remove_ids)
    ranked = (
        list(decision_makers)
        if decision_makers is not None
        else key_decision_makers(network, org_id, limit=top)
    )[:top]
    after = _without(network, removal)
    impacts = tuple(_impact(network, after, removal, dm.id, max_hops) for dm in ranked)
    return WhatIfResult(
        org_id=org_id,
        removed_stakeholders=removal.stakeholders,
        removed_ties=tuple(key for _, _, key in removal.ties),
        impacts=impacts,
        lost_decision_makers=tuple(
            i.decision_maker_id for i in impacts if i.reachable_before and not i.reachable_after
        ),
    )


@dataclass(frozen=True, slots=True)
class _Removal:
    """The stakeholders and the ties (as ``(source, target, tie id)``) to hide."""

    stakeholders: tuple[str, ...]
    ties: tuple[tuple[str, str, str], ...]


def _removal(G: nx.MultiDiGraph, remove_ids: Iterable[str]) -> _Removal:
    """Sort `remove_ids` into stakeholders and ties; an id that is neither is unknown."""
    wanted = list(dict.fromkeys(remove_ids))
    stakeholders = [i for i in wanted if i in G]
    tie_ids = set(wanted) - set(stakeholders)
    ties: list[tuple[str, str, str]] = []
    if tie_ids:
        ties = [(u, v, key) for u, v, key in G.edges(keys=True) if key in tie_ids]
        missing = tie_ids - {key for _, _, key in ties}
        if missing:
            raise UnknownStakeholder(sorted(missing)[0])
    return _Removal(tuple(stakeholders), tuple(ties))


def _without(network: NetworkAt, removal: _Removal) -> NetworkAt:
    """The same network with the removal hidden (and the colleague links it implied gone)."""
    hidden = nx.restricted_view(network.graph, removal.stakeholders, removal.ties)
    people = person_graph(hidden, network.strengths)
    return replace(network, graph=hidden, people=people, coverage=None, reach=None)


def _impact(
    before: NetworkAt, after: NetworkAt, removal: _Removal, dm: str, max_hops: int
) -> DecisionMakerImpact:
    path_before = _best(before, dm, max_hops)
    path_after = None if dm in removal.stakeholders else _best(after, dm, max_hops)
    strength_before = path_before.strength if path_before else 0.0
    strength_after = path_after.strength if path_after else 0.0
    return DecisionMakerImpact(
        dm,
        strength_before,
        strength_after,
        strength_before - strength_after,
        path_before is not None,
        path_after is not None,
        path_before,
        path_after,
    )


def _best(network: NetworkAt, target: str, max_hops: int) -> IntroductionPath | None:
    found = introduction_paths(
        network.graph, network.strengths, target, limit=1, max_hops=max_hops, people=network.people
    )
    return found[0] if found else None
