"""The network around one organisation at any instant, read locally from one graph.

A past snapshot (`stakenet.analytics.history`) recomputes every global metric; a question about
one organisation at many instants (its health month by month) cannot afford that. `Timeline`
answers it from the ties and interactions near the organisation only:

* a tie's strength at an instant is the strength formula at that instant
  (`stakenet.analytics.strength`): current on its date, interactions up to it, decayed to it;
* the organisation's people are those with a tie of employment or board current then;
* the decision-makers are ranked by `key_decision_makers` on those strengths, with our
  coverage of each candidate searched from the candidate outward (the strength of our best
  introduction path of at most `MAX_HOPS` links, as `coverage_from_us` finds it over the whole
  person graph), and the PageRank that weighs outside influence read from a snapshot given
  (the current one): the only global input, and the one approximation.

Nothing is computed for ties or people the question does not reach.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from stakenet.analytics.centrality import NodeCentrality
from stakenet.analytics.decision_makers import DecisionMaker, key_decision_makers
from stakenet.analytics.strength import (
    InteractionRecord,
    StrengthParams,
    distance,
    effective_strength,
    index_interactions,
    is_current,
)
from stakenet.domain.model import TieRole, tie_kinds_in

__all__ = ["MAX_HOPS", "StrengthsAt", "Timeline"]

MAX_HOPS = 4
"""The longest introduction path searched, in links (the default of `coverage_from_us`)."""

MAX_COLLEAGUE_GROUP = 500
"""As `person_graph`: a larger employer implies no colleague links."""

_MEMBERSHIP = tie_kinds_in(TieRole.EMPLOYMENT, TieRole.BOARD)
_EMPLOYMENT = tie_kinds_in(TieRole.EMPLOYMENT)


class Timeline:
    """One graph and its interactions, read at any instant (see the module docstring).

    Built once per snapshot; thread-safe to read (each instant keeps its own caches).
    """

    def __init__(
        self,
        graph: Any,
        interactions: Mapping[str, InteractionRecord],
        centrality: Mapping[str, NodeCentrality] | None = None,
        params: StrengthParams | None = None,
    ) -> None:
        self.graph = graph
        self.params = params or StrengthParams()
        self.centrality = centrality
        self.ties: dict[str, tuple[str, str, Mapping[str, Any]]] = {
            key: (u, v, attrs) for u, v, key, attrs in graph.edges(keys=True, data=True)
        }
        self._by_pair: dict[frozenset[str], list[InteractionRecord]] = {}
        self.by_participant: dict[str, list[InteractionRecord]] = {}
        for record in interactions.values():
            people = sorted(set(record.participants))
            for person in people:
                self.by_participant.setdefault(person, []).append(record)
            for a, b in itertools.combinations(people, 2):
                self._by_pair.setdefault(frozenset((a, b)), []).append(record)

    def at(self, instant: datetime) -> StrengthsAt:
        """The network's tie strengths at `instant`, computed as they are asked for."""
        return StrengthsAt(self, instant)

    def strength_at(self, tie_id: str, instant: datetime) -> float | None:
        """A tie's effective strength at `instant`; None when it is not current then."""
        found = self.ties.get(tie_id)
        if found is None:
            return None
        u, v, attrs = found
        if not is_current(attrs, instant.date()):
            return None
        pair = frozenset((u, v))
        shared = self._by_pair.get(pair, ()) if u != v else ()
        evidence = index_interactions(shared, instant, self.params).get(pair) if shared else None
        return effective_strength(attrs, evidence, self.params)

    def members_ever(self, org_id: str) -> dict[str, list[Mapping[str, Any]]]:
        """Every person with a tie of employment or board to `org_id` at any time, with those
        ties' attributes."""
        found: dict[str, list[Mapping[str, Any]]] = {}
        nodes = self.graph.nodes
        for person, _, attrs in self.graph.in_edges(org_id, data=True):
            if attrs.get("kind") in _MEMBERSHIP and nodes[person].get("kind") == "PERSON":
                found.setdefault(person, []).append(attrs)
        return found


class StrengthsAt(Mapping[str, float]):
    """``tie_id -> effective strength`` at one instant, for the current ties only: the mapping
    the analytics take, computed tie by tie as it is read."""

    def __init__(self, timeline: Timeline, instant: datetime) -> None:
        self.timeline = timeline
        self.instant = instant
        self._known: dict[str, float | None] = {}
        self._links: dict[str, dict[str, float]] = {}
        self._staff: dict[str, list[str]] = {}
        self._coverage: dict[str, float] = {}

    def get(self, tie_id: str, default: Any = None) -> Any:
        known = self._known
        if tie_id in known:
            value = known[tie_id]
        else:
            value = known[tie_id] = self.timeline.strength_at(tie_id, self.instant)
        return default if value is None else value

    def __getitem__(self, tie_id: str) -> float:
        value = self.get(tie_id)
        if value is None:
            raise KeyError(tie_id)
        return float(value)

    def __contains__(self, tie_id: object) -> bool:
        return isinstance(tie_id, str) and self.get(tie_id) is not None

    def __iter__(self) -> Iterator[str]:
        return (tie_id for tie_id in self.timeline.ties if tie_id in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    # -- the person graph around a person, at this instant ---------------------------------

    def _staff_of(self, org_id: str) -> list[str]:
        staff = self._staff.get(org_id)
        if staff is None:
            graph = self.timeline.graph
            nodes = graph.nodes
            found = {
                person
                for person, _, key, kind in graph.in_edges(org_id, keys=True, data="kind")
                if kind in _EMPLOYMENT and nodes[person].get("kind") == "PERSON" and key in self
            }
            staff = self._staff[org_id] = sorted(found)
        return staff

    def links(self, person: str) -> dict[str, float]:
        """The person graph's links of `person` at this instant (`stakenet.analytics.paths`):
        the strongest current tie to each other person, and a colleague link to each person
        working for the same organisation (of at most `MAX_COLLEAGUE_GROUP` people) with no
        direct tie."""
        found = self._links.get(person)
        if found is not None:
            return found
        graph = self.timeline.graph
        nodes = graph.nodes
        found = {}
        employers: list[str] = []
        edges = itertools.chain(
            graph.out_edges(person, keys=True, data="kind"),
            (
                (v, u, key, kind)
                for u, v, key, kind in graph.in_edges(person, keys=True, data="kind")
            ),
        )
        for _, other, key, kind in edges:
            if other == person:
                continue
            s = self.get(key)
            if s is None:
                continue
            if nodes[other].get("kind") == "PERSON":
                if s > found.get(other, -1.0):
                    found[other] = s
            elif kind in _EMPLOYMENT and graph.has_edge(person, other, key):
                employers.append(other)
        colleague = self.timeline.params.colleague_strength
        for org in employers:
            staff = self._staff_of(org)
            if len(staff) > MAX_COLLEAGUE_GROUP:
                continue
            for other in staff:
                if other != person and other not in found:
                    found[other] = colleague
        self._links[person] = found
        return found

    def coverage(self, person: str) -> float:
        """The strength of our best introduction path to `person` at this instant (at most
        `MAX_HOPS` links, from one of our people, through none other; 1.0 for one of ours,
        0.0 for no path): `coverage_from_us` searched from the person's end."""
        known = self._coverage.get(person)
        if known is not None:
            return known
        nodes = self.timeline.graph.nodes
        if person not in nodes or nodes[person].get("kind") != "PERSON":
            return 0.0
        found = 0.0
        heap: list[tuple[float, int, int, str]] = [(0.0, 0, 0, person)]
        order = itertools.count(1)
        settled_hops: dict[str, int] = {}
        while heap:
            cost, hops, _, v = heapq.heappop(heap)
            known_hops = settled_hops.get(v)
            if known_hops is not None and known_hops <= hops:
                continue
            settled_hops[v] = hops
            if nodes[v].get("internal"):
                found = math.exp(-cost)
                break
            if hops >= MAX_HOPS:
                continue
            for w, s in self.links(v).items():
                seen = settled_hops.get(w)
                if seen is not None and seen <= hops + 1:
                    continue
                heapq.heappush(heap, (cost + distance(s), hops + 1, next(order), w))
        self._coverage[person] = found
        return found

    def decision_makers(self, org_id: str) -> list[DecisionMaker]:
        """`key_decision_makers` of `org_id` at this instant, every candidate ranked."""
        return key_decision_makers(
            self.timeline.graph,
            org_id,
            self,
            self.timeline.centrality,
            None,
            coverage=_Coverage(self),
        )


class _Coverage(Mapping[str, float]):
    """Our coverage of each person, searched when a ranking reads it."""

    def __init__(self, strengths: StrengthsAt) -> None:
        self._strengths = strengths

    def get(self, person: str, default: Any = None) -> Any:
        return self._strengths.coverage(person)

    def __getitem__(self, person: str) -> float:
        return self._strengths.coverage(person)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0
