"""Introduction paths: the strongest chains of people from our side to a stakeholder.

This module owns the person graph and the path search over it.

**Person graph.** People introduce people, so paths run over people only; organisations never
appear as intermediates. Two people are linked when they share any current tie, in either
direction (KNOWS, FAMILY, REPORTS_TO, ADVISES, INFLUENCES, RELATIONSHIP_OWNER, ...); several
ties collapse to the strongest. Two people who work for (current WORKS_FOR) the same
organisation and have no direct tie get an inferred *colleague* link of strength
``colleague_strength`` (default 0.25, see `StrengthParams`): the link has ``tie_id=None`` and
``kind="COLLEAGUE"``. Organisations with more than ``max_colleague_group`` (default 500) people
on file infer no colleague links: sharing a very large employer says little.

**Path strength** is the product of the link strengths along the path; the weakest link is the
link of lowest strength. The search minimises the sum of ``−log(strength)`` (the links'
``distance``), so a strong two-step route (0.9 × 0.9 = 0.81) beats a weak direct tie (0.3);
equally strong paths are ordered by fewer hops, then by ids. It is a best-first search over
simple partial paths with a lower bound of the remaining distance (see `_k_strongest`), so it
yields the k strongest paths directly, without enumerating the others.

**Endpoints.** Without ``from_id`` a path starts at one of our internal people and never passes
through another internal person: each path starts at the internal person nearest the target.
With ``from_id`` (a person) paths start there and may pass through anyone. When the target is an
organisation, paths end at the first of its people reached (current WORKS_FOR or
BOARD_MEMBER_OF); the organisation is reported as the path's `target` and is not a step.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx

from stakenet.analytics.errors import UnknownStakeholder, WrongKind
from stakenet.analytics.strength import StrengthParams, distance
from stakenet.analytics.views import ORGANISATION_KINDS, path_cost
from stakenet.domain.model import TieRole, tie_kinds_in

__all__ = [
    "COLLEAGUE",
    "InternalReach",
    "IntroductionPath",
    "PathLink",
    "best_path_strengths",
    "introduction_paths",
    "members",
    "person_graph",
]

COLLEAGUE = "COLLEAGUE"
"""Kind reported for an inferred colleague link (which has no tie id)."""

MEMBERSHIP_KINDS = tie_kinds_in(TieRole.EMPLOYMENT, TieRole.BOARD)
EMPLOYMENT_KINDS = tie_kinds_in(TieRole.EMPLOYMENT)


@dataclass(frozen=True, slots=True)
class PathLink:
    """One link of a path: a tie between two people, or an inferred colleague link.

    Attributes
    ----------
    source, target : str
        The people, in path order.
    tie_id : str or None
        The tie; ``None`` for an inferred colleague link.
    kind : str
        The tie's kind, or ``"COLLEAGUE"``.
    strength : float
        The link's strength.
    via : str or None
        For a colleague link, the organisation both work for.
    """

    source: str
    target: str
    tie_id: str | None
    kind: str
    strength: float
    via: str | None = None


@dataclass(frozen=True, slots=True)
class IntroductionPath:
    """An introduction path.

    Attributes
    ----------
    target : str
        The stakeholder asked for (an organisation when paths end at its people).
    steps : tuple of str
        The people, from the start to the last person.
    links : tuple of PathLink
        One per hop.
    strength : float
        Product of the link strengths (1.0 for a zero-hop path).
    hops : int
        Number of links.
    weakest_link : PathLink or None
        The link of lowest strength (``None`` for a zero-hop path).
    """

    target: str
    steps: tuple[str, ...]
    links: tuple[PathLink, ...]
    strength: float
    hops: int
    weakest_link: PathLink | None

    @property
    def tie_ids(self) -> tuple[str | None, ...]:
        """The tie id of every link (``None`` for inferred colleague links)."""
        return tuple(link.tie_id for link in self.links)


def _is_person(attrs: Mapping[str, Any]) -> bool:
    return attrs.get("kind") == "PERSON"


def members(G: nx.MultiDiGraph, org_id: str, strengths: Mapping[str, float]) -> set[str]:
    """People with a current WORKS_FOR or BOARD_MEMBER_OF tie to `org_id`."""
    found: set[str] = set()
    for person, _, key, kind in G.in_edges(org_id, keys=True, data="kind"):
        if kind in MEMBERSHIP_KINDS and key in strengths and _is_person(G.nodes[person]):
            found.add(person)
    return found


def person_graph(
    G: nx.MultiDiGraph,
    strengths: Mapping[str, float],
    colleague_strength: float | None = None,
    max_colleague_group: int = 500,
) -> nx.Graph:
    """The person graph (see the module docstring).

    Parameters
    ----------
    G : nx.MultiDiGraph
        The projection.
    strengths : Mapping[str, float]
        ``tie_id -> effective strength`` of the current ties.
    colleague_strength : float, optional
        Strength of inferred colleague links (default `StrengthParams.colleague_strength`).
    max_colleague_group : int
        Organisations with more people than this infer no colleague links.

    Returns
    -------
    nx.Graph
        Person nodes (with ``internal``) and links with ``strength``, ``distance`` (uncapped
        ``−log``), ``cost`` (capped, for the search), ``tie_id``, ``kind`` and ``via``.
    """
    if colleague_strength is None:
        colleague_strength = StrengthParams().colleague_strength
    P = nx.Graph()
    for v, attrs in G.nodes(data=True):
        if _is_person(attrs):
            P.add_node(v, internal=bool(attrs.get("internal")), name=attrs.get("name", v))
    staff = _link_tied_people(P, G, strengths)
    _link_colleagues(P, staff, colleague_strength, max_colleague_group)
    return P


def _link(strength: float, tie_id: str | None, kind: str, via: str | None) -> dict[str, Any]:
    """The attributes of one link of the person graph."""
    return {
        "strength": strength,
        "distance": distance(strength),
        "cost": path_cost(strength),
        "tie_id": tie_id,
        "kind": kind,
        "via": via,
    }


def _link_tied_people(
    P: nx.Graph, G: nx.MultiDiGraph, strengths: Mapping[str, float]
) -> dict[str, list[str]]:
    """Link every two people of `P` by their strongest current tie; on the same pass over the
    ties, gather each organisation's employees (``organisation -> people``)."""
    nodes = G.nodes
    adj = P._adj
    staff: dict[str, list[str]] = {}
    for u, v, key, attrs in G.edges(keys=True, data=True):
        s = strengths.get(key)
        if s is None or u == v:
            continue
        u_person, v_person = u in adj, v in adj
        if u_person and v_person:
            link = adj[u].get(v)
            if link is None or s > link["strength"]:
                P.add_edge(u, v, **_link(s, key, attrs.get("kind", ""), None))
        elif (
            u_person and attrs.get("kind") in EMPLOYMENT_KINDS and nodes[v].get("kind") != "PERSON"
        ):
            staff.setdefault(v, []).append(u)
    return staff


def _link_colleagues(
    P: nx.Graph, staff: Mapping[str, list[str]], strength: float, max_group: int
) -> None:
    """Link two people who work for the same organisation (of at most `max_group` people)
    and share no tie.

    The colleague links of one organisation are all alike, so they share one attribute dict
    (nothing changes a link's attributes): most links of a person graph are colleague links,
    and one dict each was most of its memory, of its build and of its snapshot file's size.
    """
    adj = P._adj
    for org, people in staff.items():
        group = sorted(set(people), key=str)
        if len(group) > max_group:
            continue
        link = _link(strength, None, COLLEAGUE, org)
        for a, b in itertools.combinations(group, 2):
            if b not in adj[a]:
                adj[a][b] = adj[b][a] = link


def best_path_strengths(
    people: nx.Graph,
    sources: Iterable[str],
    max_hops: int = 4,
    blocked: Collection[str] = (),
    targets: Collection[str] | None = None,
) -> dict[str, float]:
    """Strength of the strongest path of at most `max_hops` links from any source to each person.

    A hop-bounded Dijkstra over (cost, hops) labels: one search answers every person at once.

    Parameters
    ----------
    people : nx.Graph
        The person graph.
    sources : iterable of str
        Start people (strength 1.0 to themselves).
    max_hops : int
        Longest path considered.
    blocked : collection of str
        People a path may not pass through or end at (sources excepted), e.g. our other
        internal people.
    targets : collection of str, optional
        Stop as soon as all of these are answered (the rest of the result is then partial).

    Returns
    -------
    dict
        ``person -> best path strength`` for every person reached.
    """
    start = {s for s in sources if s in people}
    heap: list[tuple[float, int, int, str]] = []
    counter = itertools.count()
    for s in start:
        heapq.heappush(heap, (0.0, 0, next(counter), s))
    settled_hops: dict[str, int] = {}
    best: dict[str, float] = {}
    pending = set(targets) if targets is not None else None
    adj = people._adj
    while heap:
        cost, hops, _, v = heapq.heappop(heap)
        known = settled_hops.get(v)
        if known is not None and known <= hops:
            continue
        settled_hops[v] = hops
        if v not in best:
            best[v] = math.exp(-cost)
            if pending is not None:
                pending.discard(v)
                if not pending:
                    break
        if hops >= max_hops:
            continue
        for w, data in adj[v].items():
            if w in blocked and w not in start:
                continue
            seen = settled_hops.get(w)
            if seen is not None and seen <= hops + 1:
                continue
            heapq.heappush(heap, (cost + data["distance"], hops + 1, next(counter), w))
    return best


def _check(G: nx.MultiDiGraph, node_id: str) -> Mapping[str, Any]:
    if node_id not in G:
        raise UnknownStakeholder(node_id)
    attrs: Mapping[str, Any] = G.nodes[node_id]
    return attrs


def introduction_paths(
    G: nx.MultiDiGraph,
    strengths: Mapping[str, float],
    to_id: str,
    from_id: str | None = None,
    limit: int = 3,
    max_hops: int = 4,
    *,
    people: nx.Graph | None = None,
    max_candidates: int = 200,
    max_examined: int = 100_000,
) -> list[IntroductionPath]:
    """The `limit` strongest simple introduction paths to `to_id`.

    Parameters
    ----------
    G : nx.MultiDiGraph
        The projection.
    strengths : Mapping[str, float]
        ``tie_id -> effective strength`` of the current ties.
    to_id : str
        The person, or organisation, to reach.
    from_id : str, optional
        The person to start from; by default any internal person (see the module docstring).
    limit : int
        How many paths to return.
    max_hops : int
        Longest path, in links.
    people : nx.Graph, optional
        A person graph already built from `G` and `strengths` (built here otherwise).
    max_candidates : int
        Bound on the complete paths collected (paths tying with the last one kept included).
    max_examined : int
        Bound on the partial paths the search takes from its queue. The paths returned are
        always the strongest in order, but once the bound is hit there may be fewer than
        `limit` of them (a target with few routes inside a dense neighbourhood).

    Returns
    -------
    list of IntroductionPath
        Strongest first; equal strengths by fewer hops, then by the steps' ids.

    Raises
    ------
    UnknownStakeholder
        `to_id` or `from_id` is not in the graph.
    WrongKind
        `from_id` is not a person, or `to_id` is neither a person nor an organisation.
    """
    target_attrs = _check(G, to_id)
    if from_id is not None and not _is_person(start_attrs := _check(G, from_id)):
        raise WrongKind(from_id, start_attrs.get("kind"), "a person")
    P = people if people is not None else person_graph(G, strengths)
    if _is_person(target_attrs):
        ends = {to_id}
    elif target_attrs.get("kind") in ORGANISATION_KINDS:
        ends = members(G, to_id, strengths) & set(P)
    else:
        raise WrongKind(to_id, target_attrs.get("kind"), "a person or an organisation")
    if from_id is not None:
        starts = {from_id}
        blocked: set[str] = set()
    else:
        starts = {v for v, internal in P.nodes(data="internal") if internal}
        blocked = set(starts)
    if not ends or not starts or limit <= 0:
        return []

    search = _Search(P, starts, ends, blocked, max_hops)
    routes = _k_strongest(search, _Bounds(limit, max_candidates, max_examined))
    found = [_path(P, to_id, steps) for steps in routes]
    found.sort(key=lambda p: (-p.strength, p.hops, tuple(map(str, p.steps))))
    return found[:limit]


@dataclass(frozen=True, slots=True)
class _Search:
    """Routes of at most `max_hops` links over the person graph `people`, from one of `starts`
    to one of `ends`, through no other start and no one `blocked`."""

    people: nx.Graph
    starts: Collection[str]
    ends: Collection[str]
    blocked: Collection[str]
    max_hops: int


@dataclass(frozen=True, slots=True)
class _Bounds:
    """How many routes to find (`limit`), and the bounds on the work (see
    `introduction_paths`)."""

    limit: int
    max_candidates: int
    max_examined: int


def _k_strongest(search: _Search, bounds: _Bounds) -> list[tuple[str, ...]]:
    """The `limit` strongest simple start→end routes of `search`.

    A best-first (A*) search over partial paths from the starts, keyed by the summed
    ``−log(strength)`` so far plus a lower bound of what remains: the distance to the nearest
    end in no more links than the route has left (`_HopBoundedDistances`). Since the bound never
    overestimates, complete paths leave the queue strongest first; paths that tie with the last
    one kept are collected too, then ordered by hops and ids.
    """
    starts, ends, blocked, max_hops = search.starts, search.ends, search.blocked, search.max_hops
    limit, max_candidates, max_examined = bounds.limit, bounds.max_candidates, bounds.max_examined
    adj = search.people._adj
    remaining = _HopBoundedDistances(
        search.people, ends, max_hops, stop_at=set(starts) | set(blocked)
    )

    # (bound, hops, distance so far, route, whether the bound is exact)
    queue: list[tuple[float, int, float, tuple[str, ...], bool]] = []
    for s in starts:
        h, exact = remaining.at_least(s, max_hops, 0.0)
        if h < math.inf:
            heapq.heappush(queue, (h, 0, 0.0, (s,), exact))
    found: list[tuple[float, int, tuple[str, ...]]] = []
    examined = 0
    while queue and examined < max_examined:
        examined += 1
        f, hops, g, route, exact = heapq.heappop(queue)
        if len(found) >= limit and f > found[limit - 1][0] + 1e-12:
            break
        v = route[-1]
        if not exact:
            h, exact = remaining.at_least(v, max_hops - hops, f - g)
            if h == math.inf:
                continue
            if exact or g + h > f:
                heapq.heappush(queue, (g + h, hops, g, route, exact))
                continue
        if v in ends:
            found.append((g, hops, route))
            if len(found) >= max_candidates:
                break
            continue
        if hops >= max_hops:
            continue
        left = max_hops - hops - 1
        for w, data in adj[v].items():
            if w in route or w in starts or w in blocked:
                continue
            hw, exact_w = remaining.known(w, left)
            if hw == math.inf:
                continue
            gw = g + data["distance"]
            heapq.heappush(queue, (gw + hw, hops + 1, gw, (*route, w), exact_w))
    return [route for _, _, route in found]


class _HopBoundedDistances:
    """Distances to the nearest end in at most so many links, found as far as they are asked.

    A Dijkstra search grown from the ends over (person, links used) labels: a label is kept
    only if it needs fewer links than every shorter one of the same person, so a person has at
    most ``max_hops + 1`` labels, in order of distance. The least distance from `v` in at most
    `left` links is its first label with no more than `left` links; until the search has found
    it, everything not yet taken from the search's queue is at least as far as the last label
    taken (the *radius*), a lower bound. The search never passes through `stop_at` (a route
    never runs through a start or a blocked person), so the distances bound those routes from
    below.
    """

    def __init__(
        self, P: nx.Graph, ends: Collection[str], max_hops: int, stop_at: Collection[str]
    ) -> None:
        self._adj = P._adj
        self._max_hops = max_hops
        self._stop_at = stop_at
        # person -> [(links, distance), ...]: distances increasing, links decreasing
        self._labels: dict[str, list[tuple[int, float]]] = {}
        self._order = itertools.count()
        self._frontier = [(0.0, 0, next(self._order), e) for e in ends]
        heapq.heapify(self._frontier)
        self._radius = 0.0

    def known(self, v: str, left: int) -> tuple[float, bool]:
        """The distance from `v` in at most `left` links and True, or a lower bound and False."""
        for links, d in self._labels.get(v, ()):
            if links <= left:
                return d, True
        return (self._radius, False) if self._frontier else (math.inf, True)

    def at_least(self, v: str, left: int, bound: float) -> tuple[float, bool]:
        """As `known`, with the search grown until the answer is exact or above `bound`."""
        adj, labels, frontier = self._adj, self._labels, self._frontier
        answer = self.known(v, left)
        while not answer[1] and self._radius <= bound:
            d, links, _, x = heapq.heappop(frontier)
            kept = labels.get(x)
            if kept is not None and kept[-1][0] <= links:
                answer = self.known(v, left)
                continue
            if kept is None:
                labels[x] = [(links, d)]
            else:
                kept.append((links, d))
            self._radius = d
            if links < self._max_hops and x not in self._stop_at:
                for y, data in adj[x].items():
                    other = labels.get(y)
                    if other is None or other[-1][0] > links + 1:
                        heapq.heappush(
                            frontier, (d + data["distance"], links + 1, next(self._order), y)
                        )
            answer = self.known(v, left)
        return answer


def _path(P: nx.Graph, target: str, steps: tuple[str, ...]) -> IntroductionPath:
    links: list[PathLink] = []
    strength = 1.0
    for a, b in itertools.pairwise(steps):
        data = P[a][b]
        links.append(PathLink(a, b, data["tie_id"], data["kind"], data["strength"], data["via"]))
        strength *= data["strength"]
    weakest = min(links, key=lambda link: link.strength) if links else None
    return IntroductionPath(target, steps, tuple(links), strength, len(links), weakest)


class InternalReach:
    """Which of our people reach each person of one person graph through none other of ours.

    A person's answer is the internal neighbours of their component in the graph without our
    people (themselves, for one of ours), the same for everyone in that component: the
    components are found once, at the first question, instead of one search per person. The
    person graph must not change after.
    """

    def __init__(self, people: nx.Graph) -> None:
        self._people = people
        self._reach: dict[str, frozenset[str]] | None = None

    def _found(self) -> dict[str, frozenset[str]]:
        people = self._people
        internal = {v for v, flag in people.nodes(data="internal") if flag}
        outside = nx.subgraph_view(people, filter_node=lambda v: v not in internal)
        reach: dict[str, frozenset[str]] = {v: frozenset((v,)) for v in internal}
        for component in nx.connected_components(outside):
            ours = frozenset(w for v in component for w in people[v] if w in internal)
            reach.update(dict.fromkeys(component, ours))
        return reach

    def of(self, person: str) -> set[str]:
        """Our people with a path to `person` that passes through no other of ours."""
        if self._reach is None:
            self._reach = self._found()
        return set(self._reach.get(person, ()))
