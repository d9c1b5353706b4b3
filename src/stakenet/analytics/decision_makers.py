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

from collections.abc import Collection, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

import networkx as nx

from stakenet.analytics.errors import NotAnOrganisation, UnknownStakeholder
from stakenet.analytics.influence import SENIORITY_AUTHORITY
from stakenet.analytics.network_at import NetworkAt
from stakenet.analytics.paths import best_path_strengths, members
from stakenet.analytics.views import ORGANISATION_KINDS
from stakenet.domain.model import TieRole, tie_kinds_in

__all__ = [
    "DECISION_ROLE_VALUES",
    "FORMULA_VERSION",
    "DecisionMaker",
    "DecisionMakerParams",
    "ScoreFactor",
    "coverage_from_us",
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
_ACROSS_THE_BOUNDARY = _ADVICE | _INFLUENCE


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


def key_decision_makers(
    network: NetworkAt,
    org_id: str,
    limit: int | None = 10,
    params: DecisionMakerParams | None = None,
) -> list[DecisionMaker]:
    """Rank the people who decide, or sway decisions, at `org_id`.

    Parameters
    ----------
    network : NetworkAt
        The graph, its strengths, the snapshot's centrality (PageRank weighs outside influence;
        never recomputed), the person graph and, when computed once for the snapshot, our
        coverage (searched here for the candidates otherwise).
    org_id : str
        The organisation.
    limit : int or None
        How many to return (``None``: all candidates).
    params : DecisionMakerParams, optional
        Weights and values.

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
    org = _organisation(network, org_id, params or DecisionMakerParams())
    evidence = _Evidence()
    _read_positions(org, evidence)
    _read_influence_across_the_boundary(org, evidence)
    candidates = list(evidence.relation)
    if not candidates:
        return []
    evidence.coverage = _coverage_of(org, candidates)
    evidence.depth = _hierarchy_depths(org)
    ranked = [_score(org, evidence.candidate(v, v in org.members)) for v in candidates]
    ranked.sort(key=lambda d: (-d.score, d.name, d.id))
    return ranked if limit is None else ranked[:limit]


# -- the organisation and what its ties say about each candidate ---------------------------


@dataclass(frozen=True, slots=True)
class _Organisation:
    """The organisation ranked for, as every step reads it."""

    network: NetworkAt
    id: str
    ours: bool
    members: AbstractSet[str]
    params: DecisionMakerParams

    def eligible(self, v: str) -> bool:
        """A person who may be a candidate: never one of ours, unless the organisation is."""
        attrs = self.network.graph.nodes[v]
        return bool(attrs.get("kind") == "PERSON" and (self.ours or not attrs.get("internal")))

    def outside_weight(self, party: str) -> float:
        """``0.5 + 0.5 × pagerank_norm`` of a party outside (1.0 without centrality)."""
        centrality, top = self.network.centrality, self.network.top_pagerank
        if not centrality or top <= 0:
            return 1.0
        c = centrality.get(party)
        return 0.5 + 0.5 * (c.pagerank / top if c is not None else 0.0)


def _organisation(network: NetworkAt, org_id: str, params: DecisionMakerParams) -> _Organisation:
    G = network.graph
    if org_id not in G:
        raise UnknownStakeholder(org_id)
    attrs = G.nodes[org_id]
    if attrs.get("kind") not in ORGANISATION_KINDS:
        raise NotAnOrganisation(org_id, attrs.get("kind"))
    inside = members(G, org_id, network.strengths)
    return _Organisation(network, org_id, bool(attrs.get("internal")), inside, params)


@dataclass(frozen=True, slots=True)
class _Candidate:
    """One person to rank and everything their factors read."""

    id: str
    member: bool
    relation: Relation
    role: str | None
    board_seat: float | None
    depth: int | None
    influence_in: Sequence[float]
    influence_out: Sequence[float]
    coverage: float


@dataclass(slots=True)
class _Evidence:
    """What the organisation's ties say about each person, gathered step by step."""

    relation: dict[str, Relation] = field(default_factory=dict)
    role: dict[str, str] = field(default_factory=dict)
    board_seat: dict[str, float] = field(default_factory=dict)
    # influence on a member from outside; influence of an outsider on the organisation
    influence_in: dict[str, list[float]] = field(default_factory=dict)
    influence_out: dict[str, list[float]] = field(default_factory=dict)
    depth: Mapping[str, int] = field(default_factory=dict)
    coverage: Mapping[str, float] = field(default_factory=dict)

    def candidate(self, v: str, member: bool) -> _Candidate:
        return _Candidate(
            id=v,
            member=member,
            relation=self.relation[v],
            role=self.role.get(v),
            board_seat=self.board_seat.get(v),
            depth=self.depth.get(v),
            influence_in=self.influence_in.get(v, []),
            influence_out=self.influence_out.get(v, []),
            coverage=self.coverage.get(v, 0.0),
        )


def _read_positions(org: _Organisation, evidence: _Evidence) -> None:
    """From each tie to the organisation: the strongest declared role, employees, board seats."""
    p = org.params
    strengths = org.network.strengths
    for person, _, key, attrs in org.network.graph.in_edges(org.id, keys=True, data=True):
        if key not in strengths or not org.eligible(person):
            continue
        role = attrs.get("decision_role")
        if role is not None and p.decision_roles.get(role, 0.0) > p.decision_roles.get(
            evidence.role.get(person, ""), -1.0
        ):
            evidence.role[person] = role
        kind = attrs.get("kind")
        if kind in _EMPLOYMENT:
            evidence.relation[person] = "EMPLOYEE"
        elif kind in _BOARD:
            chair = "chair" in str(attrs.get("role") or "").lower()
            seat = p.board_chair_authority if chair else p.board_member_authority
            evidence.board_seat[person] = max(evidence.board_seat.get(person, 0.0), seat)
            evidence.relation.setdefault(person, "BOARD")


def _read_influence_across_the_boundary(org: _Organisation, evidence: _Evidence) -> None:
    """INFLUENCES/ADVISES ties from outside to the organisation or its members: influence on
    those members, and influence exerted by the (eligible) outsiders, who become candidates."""
    G, strengths, inside = org.network.graph, org.network.strengths, org.members
    for target in inside | {org.id}:
        for source, _, key, kind in G.in_edges(target, keys=True, data="kind"):
            s = strengths.get(key)
            if s is None or kind not in _ACROSS_THE_BOUNDARY:
                continue
            if source in inside or source == org.id:
                continue
            weighted = s * org.outside_weight(source)
            if target != org.id:
                evidence.influence_in.setdefault(target, []).append(weighted)
            if org.eligible(source):
                evidence.influence_out.setdefault(source, []).append(weighted)
                if kind in _ADVICE:
                    evidence.relation[source] = "ADVISER"
                else:
                    evidence.relation.setdefault(source, "INFLUENCER")


def _coverage_of(org: _Organisation, candidates: Collection[str]) -> Mapping[str, float]:
    network = org.network
    if network.coverage is not None:
        return network.coverage
    return coverage_from_us(network.people, org.params.coverage_max_hops, targets=candidates)


def _hierarchy_depths(org: _Organisation) -> dict[str, int]:
    """Levels below the top of the REPORTS_TO tree, for members that are in it."""
    G, strengths, people = org.network.graph, org.network.strengths, org.members
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


# -- the score: one step per factor --------------------------------------------------------


def _score(org: _Organisation, candidate: _Candidate) -> DecisionMaker:
    factors = (
        _formal_authority(org, candidate),
        _decision_role(org, candidate),
        _internal_centrality(org, candidate),
        _external_influence(org, candidate),
        _our_coverage(org, candidate),
    )
    return DecisionMaker(
        id=candidate.id,
        name=str(org.network.graph.nodes[candidate.id].get("name", candidate.id)),
        org_id=org.id,
        relation=candidate.relation,
        decision_role=candidate.role,
        score=sum(f.contribution for f in factors),
        factors=factors,
    )


def _formal_authority(org: _Organisation, c: _Candidate) -> ScoreFactor:
    p = org.params
    if not c.member:
        return _factor(
            "formal_authority", 0.0, p.formal_authority_weight, "no position in the organisation"
        )
    seniority = org.network.graph.nodes[c.id].get("seniority")
    rank = (
        p.seniority_authority.get(seniority, p.unknown_seniority_authority)
        if seniority is not None
        else p.unknown_seniority_authority
    )
    base = max(rank, c.board_seat or 0.0)
    detail = f"seniority {seniority or 'unknown'} ({rank:.2f})"
    if c.board_seat:
        detail += f", board seat ({c.board_seat:.2f})"
    authority = base
    if c.depth is not None:
        levels = p.hierarchy_levels
        level = levels[min(c.depth, len(levels) - 1)]
        authority = (1.0 - p.hierarchy_share) * base + p.hierarchy_share * level
        detail += f", {c.depth} level(s) below the top of the reporting line ({level:.2f})"
    return _factor("formal_authority", authority, p.formal_authority_weight, detail)


def _decision_role(org: _Organisation, c: _Candidate) -> ScoreFactor:
    p = org.params
    value = p.decision_roles.get(c.role, 0.0) if c.role else 0.0
    detail = f"declared {c.role}" if c.role else "no declared decision role"
    return _factor("decision_role", value, p.decision_role_weight, detail)


def _internal_centrality(org: _Organisation, c: _Candidate) -> ScoreFactor:
    weight = org.params.internal_centrality_weight
    colleagues = len(org.members) - 1
    if not c.member or colleagues < 1:
        detail = "outside the organisation" if not c.member else "only person on file"
        return _factor("internal_centrality", 0.0, weight, detail)
    strongest = _strongest_tie_to_each_colleague(org, c.id)
    value = min(1.0, sum(strongest.values()) / colleagues)
    detail = f"tied to {len(strongest)} of {colleagues} colleagues"
    return _factor("internal_centrality", value, weight, detail)


def _strongest_tie_to_each_colleague(org: _Organisation, v: str) -> dict[str, float]:
    G, strengths, inside = org.network.graph, org.network.strengths, org.members
    best: dict[str, float] = {}
    for _, other, key in G.out_edges(v, keys=True):
        if other in inside and other != v and key in strengths:
            best[other] = max(best.get(other, 0.0), strengths[key])
    for other, _, key in G.in_edges(v, keys=True):
        if other in inside and other != v and key in strengths:
            best[other] = max(best.get(other, 0.0), strengths[key])
    return best


def _external_influence(org: _Organisation, c: _Candidate) -> ScoreFactor:
    if c.member:
        value = _noisy_or(c.influence_in)
        detail = f"{len(c.influence_in)} influence/advice tie(s) from outside"
    else:
        value = _noisy_or(c.influence_out)
        detail = f"influences or advises the organisation through {len(c.influence_out)} tie(s)"
    return _factor("external_influence", value, org.params.external_influence_weight, detail)


def _noisy_or(values: Iterable[float]) -> float:
    product = 1.0
    for x in values:
        product *= 1.0 - min(1.0, max(0.0, x))
    return 1.0 - product


def _our_coverage(org: _Organisation, c: _Candidate) -> ScoreFactor:
    detail = (
        f"best introduction path strength {c.coverage:.2f}" if c.coverage else "no path from us"
    )
    return _factor("our_coverage", c.coverage, org.params.our_coverage_weight, detail)
