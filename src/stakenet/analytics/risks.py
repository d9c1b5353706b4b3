"""Key-person risks: where our access to an organisation's decision-makers hangs by a thread.

This module owns the risk rules. For each of the top ``top`` decision-makers (as ranked by
`stakenet.analytics.decision_makers`), over the person graph (`stakenet.analytics.paths`):

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
    older than ``stale_days`` (default 180) at ``as_of`` (needs the `TieStrength` records).

Severity is in 0..1: ``base × (0.5 + 0.5 × importance)``, where ``importance`` is the
decision-maker's score divided by the top score, and ``base`` is 1.0 for NO_CONTACT, 0.9 for
SINGLE_CONTACT, 0.8 for SINGLE_RELATIONSHIP_OWNER, and for COLD_TIE
``0.4 + 0.3 × (1 − strength / cold_threshold)`` when weak (0.4 when only stale).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import networkx as nx

from stakenet.analytics.decision_makers import DecisionMaker
from stakenet.analytics.errors import UnknownStakeholder
from stakenet.analytics.paths import introduction_paths, person_graph
from stakenet.analytics.strength import TieStrength

__all__ = ["FORMULA_VERSION", "Risk", "RiskKind", "key_person_risks", "reaching_internal_people"]

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


def key_person_risks(
    G: nx.MultiDiGraph,
    org_id: str,
    strengths: Mapping[str, float],
    decision_makers: Sequence[DecisionMaker],
    cold_threshold: float = 0.2,
    *,
    top: int = 5,
    tie_strengths: Mapping[str, TieStrength] | None = None,
    as_of: datetime | None = None,
    stale_days: float = 180.0,
    people: nx.Graph | None = None,
) -> list[Risk]:
    """Risks to our access to the top decision-makers of `org_id`.

    Parameters
    ----------
    G : nx.MultiDiGraph
        The projection.
    org_id : str
        The organisation (named in explanations).
    strengths : Mapping[str, float]
        ``tie_id -> effective strength`` of the current ties.
    decision_makers : sequence of DecisionMaker
        Ranked decision-makers of `org_id` (from `key_decision_makers`).
    cold_threshold : float
        Ties weaker than this are cold.
    top : int
        How many of `decision_makers` to examine.
    tie_strengths : Mapping[str, TieStrength], optional
        Full strength records, to detect ties whose last interaction is stale.
    as_of : datetime, optional
        The instant staleness is measured at (required for the stale rule).
    stale_days : float
        A tie whose last interaction is older than this is cold.
    people : nx.Graph, optional
        The person graph, built here otherwise.

    Returns
    -------
    list of Risk
        Most severe first; then by decision-maker rank order, kind and contact.
    """
    if org_id not in G:
        raise UnknownStakeholder(org_id)
    P = people if people is not None else person_graph(G, strengths)
    chosen = list(decision_makers[:top])
    best_score = max((d.score for d in chosen), default=0.0)
    org_name = str(G.nodes[org_id].get("name", org_id))
    risks: list[Risk] = []

    def name(v: str) -> str:
        return str(G.nodes[v].get("name", v)) if v in G else str(v)

    for dm in chosen:
        importance = dm.score / best_score if best_score > 0 else 1.0
        scale = 0.5 + 0.5 * importance
        who = f"{name(dm.id)} ({org_name})"
        owners = reaching_internal_people(P, dm.id)
        if not owners:
            risks.append(
                Risk(
                    "NO_CONTACT",
                    dm.id,
                    None,
                    _BASE["NO_CONTACT"] * scale,
                    f"None of our people has any path to {who}.",
                )
            )
            continue
        if len(owners) == 1:
            (owner,) = owners
            risks.append(
                Risk(
                    "SINGLE_RELATIONSHIP_OWNER",
                    dm.id,
                    owner,
                    _BASE["SINGLE_RELATIONSHIP_OWNER"] * scale,
                    f"Only {name(owner)} on our side can reach {who}.",
                )
            )
        for contact in _single_contacts(P, owners, dm.id):
            risks.append(
                Risk(
                    "SINGLE_CONTACT",
                    dm.id,
                    contact,
                    _BASE["SINGLE_CONTACT"] * scale,
                    f"Every path from us to {who} runs through {name(contact)}.",
                )
            )
        risks.extend(
            _cold_ties(
                G,
                P,
                strengths,
                dm.id,
                who,
                scale,
                cold_threshold,
                tie_strengths,
                as_of,
                stale_days,
                name,
            )
        )
    order = {d.id: i for i, d in enumerate(chosen)}
    risks.sort(key=lambda r: (-r.severity, order[r.decision_maker_id], r.kind, r.contact_id or ""))
    return risks


def _cold_ties(
    G: nx.MultiDiGraph,
    P: nx.Graph,
    strengths: Mapping[str, float],
    dm: str,
    who: str,
    scale: float,
    threshold: float,
    tie_strengths: Mapping[str, TieStrength] | None,
    as_of: datetime | None,
    stale_days: float,
    namer: Callable[[str], str],
) -> list[Risk]:
    watched: dict[str, str] = {}  # tie id -> other end
    for _, other, key in G.out_edges(dm, keys=True):
        if key in strengths and G.nodes[other].get("internal"):
            watched[key] = other
    for other, _, key in G.in_edges(dm, keys=True):
        if key in strengths and G.nodes[other].get("internal"):
            watched[key] = other
    best = introduction_paths(G, strengths, dm, limit=1, people=P)
    if best and best[0].links:
        last = best[0].links[-1]
        if last.tie_id is not None:
            watched.setdefault(last.tie_id, last.source)
    found: list[Risk] = []
    for key, other in sorted(watched.items()):
        s = strengths[key]
        record = tie_strengths.get(key) if tie_strengths is not None else None
        stale = bool(
            record is not None
            and as_of is not None
            and record.last_interaction_at is not None
            and (as_of - record.last_interaction_at).total_seconds() > stale_days * 86400.0
        )
        weak = s < threshold
        if not weak and not stale:
            continue
        base = 0.4 + 0.3 * (1.0 - s / threshold) if weak and threshold > 0 else 0.4
        reasons = []
        if weak:
            reasons.append(f"strength {s:.2f} is below {threshold:.2f}")
        if stale and record is not None and record.last_interaction_at is not None:
            reasons.append(f"last interaction {record.last_interaction_at.date().isoformat()}")
        found.append(
            Risk(
                "COLD_TIE",
                dm,
                other,
                min(1.0, base) * scale,
                f"The tie between {namer(other)} and {who} has gone cold: "
                + "; ".join(reasons)
                + ".",
                tie_id=key,
            )
        )
    return found
