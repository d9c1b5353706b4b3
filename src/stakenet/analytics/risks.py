"""Key-person risks: where our access to an organisation's decision-makers hangs by a thread.

This module owns the risk rules. For each of the top ``top`` decision-makers (as ranked by
`stakenet.analytics.decision_makers`), over the person graph (`stakenet.analytics.paths`) of
the network at its instant ``now`` (`stakenet.analytics.network_at.NetworkAt`):

``NO_CONTACT``
    None of our internal people has any path to them.
``SINGLE_RELATIONSHIP_OWNER``
    Exactly one internal person has a path to them that does not run through another internal
    person (the direct relationship or a RELATIONSHIP_OWNER tie counts as a path). If that
    person leaves, we lose access. The owner is named.
``SINGLE_CONTACT``
    Every path from our internal people to them runs through one outside person (a cut vertex
    between our people and the decision-maker, i.e. local vertex connectivity 1). The contact is
    named; if there are several such people in series, each is reported.
``COLD_TIE``
    A tie between the decision-maker and one of our people, or the last link of our best path to
    them, whose strength is below ``cold_threshold`` (default 0.2), or whose last interaction is
    older than ``stale_days`` (default 180) at ``now`` (needs the `TieStrength` records).

Severity is in 0..1: ``base × (0.5 + 0.5 × importance)``, where ``importance`` is the
decision-maker's score divided by the top score, and ``base`` is 1.0 for NO_CONTACT, 0.9 for
SINGLE_CONTACT, 0.8 for SINGLE_RELATIONSHIP_OWNER, and for COLD_TIE
``0.4 + 0.3 × (1 − strength / cold_threshold)`` when weak (0.4 when only stale).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import networkx as nx

from stakenet.analytics.decision_makers import DecisionMaker
from stakenet.analytics.errors import UnknownStakeholder
from stakenet.analytics.network_at import NetworkAt
from stakenet.analytics.paths import introduction_paths

__all__ = [
    "FORMULA_VERSION",
    "Risk",
    "RiskKind",
    "RiskParams",
    "key_person_risks",
    "reaching_internal_people",
]

FORMULA_VERSION = "risks/1"

RiskKind = Literal["NO_CONTACT", "SINGLE_CONTACT", "SINGLE_RELATIONSHIP_OWNER", "COLD_TIE"]

_BASE: Mapping[str, float] = {
    "NO_CONTACT": 1.0,
    "SINGLE_CONTACT": 0.9,
    "SINGLE_RELATIONSHIP_OWNER": 0.8,
}


@dataclass(frozen=True, slots=True)
class Risk:
    """One key-person risk.

    Attributes
    ----------
    kind : RiskKind
    decision_maker_id : str
    contact_id : str or None
        The single contact, the single owner, or the other end of the cold tie.
    severity : float
        0..1 (see the module docstring).
    explanation : str
        A sentence for the relationship manager.
    tie_id : str or None
        The cold tie (COLD_TIE only).
    """

    kind: RiskKind
    decision_maker_id: str
    contact_id: str | None
    severity: float
    explanation: str
    tie_id: str | None = None


def reaching_internal_people(people: nx.Graph, target: str) -> set[str]:
    """Internal people with a path to `target` that passes through no other internal person."""
    if target not in people:
        return set()
    internal = {v for v, flag in people.nodes(data="internal") if flag}
    if target in internal:
        return {target}
    outside = nx.subgraph_view(people, filter_node=lambda v: v not in internal)
    component = nx.node_connected_component(outside, target)
    return {w for v in component for w in people[v] if w in internal}


def _single_contacts(people: nx.Graph, owners: set[str], target: str) -> list[str]:
    """Outside people every path from `owners` to `target` runs through (nearest `target` first)."""
    if any(target in people[o] for o in owners):
        return []
    internal = {v for v, flag in people.nodes(data="internal") if flag}
    adj = people._adj

    def route_avoiding(cut: str | None) -> list[str] | None:
        # Breadth-first from the target over outside people, until a neighbour of an owner.
        parent: dict[str, str | None] = {target: None}
        frontier = [target]
        while frontier:
            nxt: list[str] = []
            for v in frontier:
                if v != target and any(w in owners for w in adj[v]):
                    route = [v]
                    while (up := parent[route[-1]]) is not None:
                        route.append(up)
                    return route
                for w in adj[v]:
                    if w not in parent and w not in internal and w != cut:
                        parent[w] = v
                        nxt.append(w)
            frontier = nxt
        return None

    route = route_avoiding(None)
    if route is None:
        return []
    cuts = [v for v in route[:-1] if route_avoiding(v) is None]
    return sorted(cuts, key=route.index, reverse=True)


@dataclass(frozen=True, slots=True)
class RiskParams:
    """Thresholds of the risk rules (see the module docstring).

    Attributes
    ----------
    top : int
        How many of the ranked decision-makers to examine.
    cold_threshold : float
        Ties weaker than this are cold.
    stale_days : float
        A tie whose last interaction is older than this (at the network's `now`) is cold.
    """

    top: int = 5
    cold_threshold: float = 0.2
    stale_days: float = 180.0


def key_person_risks(
    network: NetworkAt,
    org_id: str,
    decision_makers: Sequence[DecisionMaker],
    params: RiskParams | None = None,
) -> list[Risk]:
    """Risks to our access to the top decision-makers of `org_id`.

    Parameters
    ----------
    network : NetworkAt
        The graph, its strengths at `now`, the person graph, and the ties' strength records
        (without them, no tie is found stale).
    org_id : str
        The organisation (named in explanations).
    decision_makers : sequence of DecisionMaker
        Ranked decision-makers of `org_id` (from `key_decision_makers`).
    params : RiskParams, optional

    Returns
    -------
    list of Risk
        Most severe first; then by decision-maker rank order, kind and contact.

    Raises
    ------
    UnknownStakeholder
        `org_id` is not in the graph.
    """
    G = network.graph
    if org_id not in G:
        raise UnknownStakeholder(org_id)
    review = _Review(network, str(G.nodes[org_id].get("name", org_id)), params or RiskParams())
    chosen = list(decision_makers[: review.params.top])
    best_score = max((d.score for d in chosen), default=0.0)
    risks = [risk for dm in chosen for risk in _risks_to(review, review.decider(dm, best_score))]
    order = {d.id: i for i, d in enumerate(chosen)}
    risks.sort(key=lambda r: (-r.severity, order[r.decision_maker_id], r.kind, r.contact_id or ""))
    return risks


@dataclass(frozen=True, slots=True)
class _Decider:
    """One decision-maker examined: how explanations name them, and how much they weigh."""

    id: str
    who: str
    scale: float

    def risk(self, kind: RiskKind, contact: str | None, explanation: str) -> Risk:
        return Risk(kind, self.id, contact, _BASE[kind] * self.scale, explanation)


@dataclass(frozen=True, slots=True)
class _Review:
    """The review of one organisation's decision-makers, as every rule reads it."""

    network: NetworkAt
    org_name: str
    params: RiskParams

    def name_of(self, v: str) -> str:
        G = self.network.graph
        return str(G.nodes[v].get("name", v)) if v in G else str(v)

    def decider(self, dm: DecisionMaker, best_score: float) -> _Decider:
        importance = dm.score / best_score if best_score > 0 else 1.0
        return _Decider(dm.id, f"{self.name_of(dm.id)} ({self.org_name})", 0.5 + 0.5 * importance)


def _risks_to(review: _Review, d: _Decider) -> list[Risk]:
    """Every rule, applied to one decision-maker."""
    people, reach = review.network.people, review.network.reach
    owners = reach.of(d.id) if reach is not None else reaching_internal_people(people, d.id)
    if not owners:
        return [d.risk("NO_CONTACT", None, f"None of our people has any path to {d.who}.")]
    found: list[Risk] = []
    if len(owners) == 1:
        (owner,) = owners
        explanation = f"Only {review.name_of(owner)} on our side can reach {d.who}."
        found.append(d.risk("SINGLE_RELATIONSHIP_OWNER", owner, explanation))
    for contact in _single_contacts(people, owners, d.id):
        explanation = f"Every path from us to {d.who} runs through {review.name_of(contact)}."
        found.append(d.risk("SINGLE_CONTACT", contact, explanation))
    for tie_id, other in sorted(_watched_ties(review, d.id).items()):
        cold = _cold_tie(review, d, tie_id, other)
        if cold is not None:
            found.append(cold)
    return found


def _watched_ties(review: _Review, dm: str) -> dict[str, str]:
    """``tie id -> other end`` of the decision-maker's ties to our people and of the last link
    of our best path to them."""
    G, strengths = review.network.graph, review.network.strengths
    watched: dict[str, str] = {}
    for _, other, key in G.out_edges(dm, keys=True):
        if key in strengths and G.nodes[other].get("internal"):
            watched[key] = other
    for other, _, key in G.in_edges(dm, keys=True):
        if key in strengths and G.nodes[other].get("internal"):
            watched[key] = other
    best = introduction_paths(G, strengths, dm, limit=1, people=review.network.people)
    if best and best[0].links:
        last = best[0].links[-1]
        if last.tie_id is not None:
            watched.setdefault(last.tie_id, last.source)
    return watched


def _cold_tie(review: _Review, d: _Decider, tie_id: str, other: str) -> Risk | None:
    """The COLD_TIE risk of one watched tie, if it is weak or stale."""
    s = review.network.strengths[tie_id]
    threshold = review.params.cold_threshold
    weak = s < threshold
    stale_since = _last_interaction_if_stale(review, tie_id)
    if not weak and stale_since is None:
        return None
    base = 0.4 + 0.3 * (1.0 - s / threshold) if weak and threshold > 0 else 0.4
    reasons = []
    if weak:
        reasons.append(f"strength {s:.2f} is below {threshold:.2f}")
    if stale_since is not None:
        reasons.append(f"last interaction {stale_since.date().isoformat()}")
    return Risk(
        "COLD_TIE",
        d.id,
        other,
        min(1.0, base) * d.scale,
        f"The tie between {review.name_of(other)} and {d.who} has gone cold: "
        + "; ".join(reasons)
        + ".",
        tie_id=tie_id,
    )


def _last_interaction_if_stale(review: _Review, tie_id: str) -> datetime | None:
    """The tie's last interaction, when it is older than ``stale_days`` at the network's `now`."""
    records = review.network.tie_strengths
    record = records.get(tie_id) if records is not None else None
    if record is None or record.last_interaction_at is None:
        return None
    age = (review.network.now - record.last_interaction_at).total_seconds()
    return record.last_interaction_at if age > review.params.stale_days * 86400.0 else None
