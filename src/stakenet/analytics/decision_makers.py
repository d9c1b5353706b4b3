"""Key decision-makers of one organisation: who decides, as a sum of explainable factors.

This module owns the decision-maker ranking (version `FORMULA_VERSION`).

**Candidates** are the people with a current WORKS_FOR or BOARD_MEMBER_OF tie to the
organisation (its *members*), people who ADVISE the organisation or one of its members, and
people who INFLUENCE the organisation or one of its members. Our own (internal) people are not
candidates unless the organisation itself is ours.

**Score** = Σ ``contribution`` over five `ScoreFactor` s, each ``value`` in 0..1 times its
``weight`` (defaults in `DecisionMakerParams`, summing to 1, so the score is in 0..1):

``formal_authority`` (0.35)
    Members only. The larger of the seniority value (C_LEVEL 1.0, VP_DIRECTOR 0.75, MANAGER 0.5,
    STAFF 0.2, unknown 0.2) and a board seat (member 0.8, chair 1.0). When the person sits in the
    organisation's REPORTS_TO tree, ``hierarchy_share`` (0.3) of the value comes from how close
    to the top they are: 1.0 at the top, then 0.75, 0.5, 0.25 per level below.
``decision_role`` (0.30)
    The strongest declared role on their ties to the organisation: DECISION_MAKER 1.0,
    ECONOMIC_BUYER 0.9, TECHNICAL_BUYER 0.7, BLOCKER 0.7, INFLUENCER 0.6, CHAMPION 0.5,
    GATEKEEPER 0.5, USER 0.2, none 0.
``internal_centrality`` (0.10)
    Members only. Strength-weighted degree among the organisation's own people: the sum of the
    strengths of their ties to other members divided by (members − 1), capped at 1.
``external_influence`` (0.15)
    For members: influence reaching them from outside, i.e. INFLUENCES/ADVISES ties from
    non-members. For outsiders: the influence they exert on the organisation, i.e. their
    INFLUENCES/ADVISES ties to it or its members. Each tie counts
    ``strength × (0.5 + 0.5 × pagerank_norm)`` of the outside party (1.0 without centrality) and
    they are combined as a noisy-or ``1 − Π(1 − x)``.
``our_coverage`` (0.10)
    The strength of our best introduction path to them (product of strengths, at most
    ``coverage_max_hops`` links, starting at an internal person, see `stakenet.analytics.paths`).

Formal authority and a declared role carry 65 % of the weight, so a junior with many ties cannot
outrank the formal deciders: a staff member with no declared role and no reports scores at most
0.35 × 0.2 + 0.10 + 0.15 + 0.10 = 0.42, a chief executive starts at 0.35 before any other
factor and normally gains coverage and influence too, and a declared DECISION_MAKER starts at
0.30 + their authority. Results are sorted by score (highest first), ties broken by name, then id.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import networkx as nx

from stakenet.analytics.centrality import NodeCentrality
from stakenet.analytics.errors import NotAnOrganisation, UnknownStakeholder
from stakenet.analytics.influence import SENIORITY_AUTHORITY
from stakenet.analytics.paths import best_path_strengths, members, person_graph
from stakenet.analytics.views import ORGANISATION_KINDS
from stakenet.domain.model import TieRole, tie_kinds_in

__all__ = [
    "DECISION_ROLE_VALUES",
    "FORMULA_VERSION",
    "DecisionMaker",
    "DecisionMakerParams",
    "ScoreFactor",
    "coverage_from_us",
    "highest_pagerank",
    "key_decision_makers",
]

FORMULA_VERSION = "decision_makers/1"

DECISION_ROLE_VALUES: Mapping[str, float] = MappingProxyType(
    {
        "DECISION_MAKER": 1.0,
        "ECONOMIC_BUYER": 0.9,
        "TECHNICAL_BUYER": 0.7,
        "BLOCKER": 0.7,
        "INFLUENCER": 0.6,
        "CHAMPION": 0.5,
        "GATEKEEPER": 0.5,
        "USER": 0.2,
    }
)

Relation = Literal["EMPLOYEE", "BOARD", "ADVISER", "INFLUENCER"]

_EMPLOYMENT = tie_kinds_in(TieRole.EMPLOYMENT)
_BOARD = tie_kinds_in(TieRole.BOARD)
_REPORTING = tie_kinds_in(TieRole.REPORTING)
_ADVICE = tie_kinds_in(TieRole.ADVICE)
_INFLUENCE = tie_kinds_in(TieRole.INFLUENCE)


@dataclass(frozen=True, slots=True)
class DecisionMakerParams:
    """Weights and values of the decision-maker score (see the module docstring)."""

    formal_authority_weight: float = 0.35
    decision_role_weight: float = 0.30
    internal_centrality_weight: float = 0.10
    external_influence_weight: float = 0.15
    our_coverage_weight: float = 0.10
    seniority_authority: Mapping[str, float] = field(default_factory=lambda: SENIORITY_AUTHORITY)
    unknown_seniority_authority: float = 0.2
    board_member_authority: float = 0.8
    board_chair_authority: float = 1.0
    hierarchy_share: float = 0.3
    hierarchy_levels: tuple[float, ...] = (1.0, 0.75, 0.5, 0.25)
    decision_roles: Mapping[str, float] = field(default_factory=lambda: DECISION_ROLE_VALUES)
    coverage_max_hops: int = 4


@dataclass(frozen=True, slots=True)
class ScoreFactor:
    """One factor of a score: ``contribution = value × weight``, with a readable `detail`."""

    name: str
    value: float
    weight: float
    contribution: float
    detail: str = ""


@dataclass(frozen=True, slots=True)
class DecisionMaker:
    """A ranked candidate.

    Attributes
    ----------
    id, name : str
        The person.
    org_id : str
        The organisation ranked for.
    relation : {"EMPLOYEE", "BOARD", "ADVISER", "INFLUENCER"}
        How they relate to it (the strongest of their relations, in that order).
    decision_role : str or None
        The strongest declared decision role.
    score : float
        Sum of the factor contributions.
    factors : tuple of ScoreFactor
    """

    id: str
    name: str
    org_id: str
    relation: Relation
    decision_role: str | None
    score: float
    factors: tuple[ScoreFactor, ...]


def _factor(name: str, value: float, weight: float, detail: str) -> ScoreFactor:
    return ScoreFactor(name, value, weight, value * weight, detail)


def _hierarchy_depths(
    G: nx.MultiDiGraph, people: set[str], strengths: Mapping[str, float]
) -> dict[str, int]:
    """Levels below the top of the REPORTS_TO tree, for members that are in it."""
    managers: dict[str, set[str]] = {}
    in_tree: set[str] = set()
    for person in people:
        for _, boss, key, kind in G.out_edges(person, keys=True, data="kind"):
            if kind in _REPORTING and key in strengths and boss in people and boss != person:
                managers.setdefault(person, set()).add(boss)
                in_tree.update((person, boss))
    depths: dict[str, int] = {}

    def depth(v: str, seen: frozenset[str]) -> int:
        if v in depths:
            return depths[v]
        bosses = [b for b in managers.get(v, ()) if b not in seen]
        d = 0 if not bosses else 1 + min(depth(b, seen | {v}) for b in bosses)
        depths[v] = d
        return d

    for v in sorted(in_tree):
        depth(v, frozenset())
    return depths


def _noisy_or(values: list[float]) -> float:
    product = 1.0
    for x in values:
        product *= 1.0 - min(1.0, max(0.0, x))
    return 1.0 - product


def coverage_from_us(
    people: nx.Graph, max_hops: int = 4, targets: Collection[str] | None = None
) -> dict[str, float]:
    """Strength of our best introduction path (at most `max_hops` links) to each person.

    Paths start at one of our internal people and pass through no other (see `our_coverage`).
    The values do not depend on the organisation asked about, so one search per snapshot
    serves every decision-maker query; with `targets` the search stops once they are answered
    (their values are the same).
    """
    internal_people = [v for v, internal in people.nodes(data="internal") if internal]
    return best_path_strengths(
        people, internal_people, max_hops, blocked=set(internal_people), targets=targets
    )


def highest_pagerank(centrality: Mapping[str, NodeCentrality] | None) -> float:
    """The largest PageRank in `centrality` (0 for none), which outside influence is scaled by."""
    return max((c.pagerank for c in centrality.values()), default=0.0) if centrality else 0.0


def key_decision_makers(
    G: nx.MultiDiGraph,
    org_id: str,
    strengths: Mapping[str, float],
    centrality: Mapping[str, NodeCentrality] | None = None,
    limit: int | None = 10,
    params: DecisionMakerParams | None = None,
    *,
    people: nx.Graph | None = None,
    coverage: Mapping[str, float] | None = None,
    top_pagerank: float | None = None,
) -> list[DecisionMaker]:
    """Rank the people who decide, or sway decisions, at `org_id`.

    Parameters
    ----------
    G : nx.MultiDiGraph
        The projection.
    org_id : str
        The organisation.
    strengths : Mapping[str, float]
        ``tie_id -> effective strength`` of the current ties.
    centrality : Mapping[str, NodeCentrality], optional
        Metrics of the current snapshot (PageRank weighs outside influence); never recomputed.
    limit : int or None
        How many to return (``None``: all candidates).
    params : DecisionMakerParams, optional
        Weights and values.
    people : nx.Graph, optional
        The person graph (see `stakenet.analytics.paths.person_graph`), built here otherwise.
    coverage : Mapping[str, float], optional
        `coverage_from_us` of the same person graph and ``params.coverage_max_hops``, computed
        once per snapshot; searched here for the candidates otherwise.
    top_pagerank : float, optional
        The largest PageRank of `centrality`, computed once per snapshot; found here otherwise
        (a pass over every stakeholder).

    Returns
    -------
    list of DecisionMaker
        Highest score first; equal scores by name, then id.

    Raises
    ------
    UnknownStakeholder
        `org_id` is not in the graph.
    NotAnOrganisation
        `org_id` is not an organisation.
    """
    p = params or DecisionMakerParams()
    if org_id not in G:
        raise UnknownStakeholder(org_id)
    org_attrs = G.nodes[org_id]
    if org_attrs.get("kind") not in ORGANISATION_KINDS:
        raise NotAnOrganisation(org_id, org_attrs.get("kind"))
    ours = bool(org_attrs.get("internal"))
    nodes = G.nodes

    def eligible(v: str) -> bool:
        a = nodes[v]
        return bool(a.get("kind") == "PERSON" and (ours or not a.get("internal")))

    inside = members(G, org_id, strengths)
    relation: dict[str, Relation] = {}
    roles: dict[str, str] = {}
    board: dict[str, float] = {}
    for person, _, key, attrs in G.in_edges(org_id, keys=True, data=True):
        if key not in strengths or not eligible(person):
            continue
        kind = attrs.get("kind")
        role = attrs.get("decision_role")
        if role is not None and p.decision_roles.get(role, 0.0) > p.decision_roles.get(
            roles.get(person, ""), -1.0
        ):
            roles[person] = role
        if kind in _EMPLOYMENT:
            relation[person] = "EMPLOYEE"
        elif kind in _BOARD:
            chair = "chair" in str(attrs.get("role") or "").lower()
            seat = p.board_chair_authority if chair else p.board_member_authority
            board[person] = max(board.get(person, 0.0), seat)
            relation.setdefault(person, "BOARD")

    top_pr = top_pagerank if top_pagerank is not None else highest_pagerank(centrality)

    def weight_of(party: str) -> float:
        if not centrality or top_pr <= 0:
            return 1.0
        c = centrality.get(party)
        return 0.5 + 0.5 * (c.pagerank / top_pr if c is not None else 0.0)

    incoming: dict[str, list[float]] = {}
    outgoing: dict[str, list[float]] = {}
    targets = inside | {org_id}
    for target in targets:
        for source, _, key, kind in G.in_edges(target, keys=True, data="kind"):
            s = strengths.get(key)
            if s is None or kind not in _ADVICE | _INFLUENCE:
                continue
            if source in inside or source == org_id:
                continue
            if target != org_id:
                incoming.setdefault(target, []).append(s * weight_of(source))
            if eligible(source):
                outgoing.setdefault(source, []).append(s * weight_of(source))
                relation.setdefault(source, "ADVISER" if kind in _ADVICE else "INFLUENCER")
                if kind in _ADVICE:
                    relation[source] = "ADVISER"

    candidates = [v for v in relation if eligible(v)]
    if not candidates:
        return []
    if coverage is None:
        P = people if people is not None else person_graph(G, strengths)
        coverage = coverage_from_us(P, p.coverage_max_hops, targets=candidates)
    depths = _hierarchy_depths(G, inside, strengths)
    ranked = [
        _score(
            G,
            org_id,
            v,
            relation[v],
            roles.get(v),
            board.get(v),
            depths.get(v),
            inside,
            strengths,
            incoming.get(v, []),
            outgoing.get(v, []),
            coverage.get(v, 0.0),
            p,
        )
        for v in candidates
    ]
    ranked.sort(key=lambda d: (-d.score, d.name, d.id))
    return ranked if limit is None else ranked[:limit]


def _score(
    G: nx.MultiDiGraph,
    org_id: str,
    v: str,
    relation: Relation,
    role: str | None,
    board_seat: float | None,
    depth: int | None,
    inside: set[str],
    strengths: Mapping[str, float],
    incoming: list[float],
    outgoing: list[float],
    coverage: float,
    p: DecisionMakerParams,
) -> DecisionMaker:
    attrs: Mapping[str, Any] = G.nodes[v]
    member = v in inside
    # formal authority
    if member:
        seniority = attrs.get("seniority")
        sen = (
            p.seniority_authority.get(seniority, p.unknown_seniority_authority)
            if seniority is not None
            else p.unknown_seniority_authority
        )
        base = max(sen, board_seat or 0.0)
        detail = f"seniority {seniority or 'unknown'} ({sen:.2f})"
        if board_seat:
            detail += f", board seat ({board_seat:.2f})"
        authority = base
        if depth is not None:
            levels = p.hierarchy_levels
            hier = levels[min(depth, len(levels) - 1)]
            authority = (1.0 - p.hierarchy_share) * base + p.hierarchy_share * hier
            detail += f", {depth} level(s) below the top of the reporting line ({hier:.2f})"
    else:
        authority, detail = 0.0, "no position in the organisation"
    formal = _factor("formal_authority", authority, p.formal_authority_weight, detail)
    # declared decision role
    role_value = p.decision_roles.get(role, 0.0) if role else 0.0
    role_factor = _factor(
        "decision_role",
        role_value,
        p.decision_role_weight,
        f"declared {role}" if role else "no declared decision role",
    )
    # centrality inside the organisation
    if member and len(inside) > 1:
        total = 0.0
        best: dict[str, float] = {}
        for _, other, key in G.out_edges(v, keys=True):
            if other in inside and other != v and key in strengths:
                best[other] = max(best.get(other, 0.0), strengths[key])
        for other, _, key in G.in_edges(v, keys=True):
            if other in inside and other != v and key in strengths:
                best[other] = max(best.get(other, 0.0), strengths[key])
        total = sum(best.values())
        internal = min(1.0, total / (len(inside) - 1))
        detail = f"tied to {len(best)} of {len(inside) - 1} colleagues"
    else:
        internal = 0.0
        detail = "outside the organisation" if not member else "only person on file"
    internal_factor = _factor("internal_centrality", internal, p.internal_centrality_weight, detail)
    # influence across the organisation's boundary
    if member:
        ext = _noisy_or(incoming)
        detail = f"{len(incoming)} influence/advice tie(s) from outside"
    else:
        ext = _noisy_or(outgoing)
        detail = f"influences or advises the organisation through {len(outgoing)} tie(s)"
    ext_factor = _factor("external_influence", ext, p.external_influence_weight, detail)
    cover_factor = _factor(
        "our_coverage",
        coverage,
        p.our_coverage_weight,
        f"best introduction path strength {coverage:.2f}" if coverage else "no path from us",
    )
    factors = (formal, role_factor, internal_factor, ext_factor, cover_factor)
    return DecisionMaker(
        id=v,
        name=str(attrs.get("name", v)),
        org_id=org_id,
        relation=relation,
        decision_role=role,
        score=sum(f.contribution for f in factors),
        factors=factors,
    )
