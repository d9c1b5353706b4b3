"""The network around one organisation at any instant, read locally from one graph.

A past snapshot (`stakenet.analytics.history`) recomputes every global metric; a question about
one organisation at many instants (its health month by month) cannot afford that. `Timeline`
answers it from the ties and interactions near the organisation only, at each instant:

* a tie's strength is the strength formula at that instant (`stakenet.analytics.strength`):
  current on its date, interactions up to it, decayed to it; computed tie by tie as read;
* the organisation's people are those with a tie of employment or board current then, and its
  decision-makers are ranked by `key_decision_makers` on those strengths with our coverage left
  out (see `ranked_without_coverage`), and with the PageRank that weighs outside influence read
  from a snapshot given (the current one), the ranking's one global input;
* our coverage of a person (the strength of our best introduction path, at most `MAX_HOPS`
  links) is searched from the person's end, over the person graph at that instant: the value
  `coverage_from_us` finds over the whole person graph.

Nothing is computed for ties or people the question does not reach.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Any

import networkx as nx

from stakenet.analytics.centrality import NodeCentrality
from stakenet.analytics.decision_makers import DecisionMaker, key_decision_makers
from stakenet.analytics.network_at import NetworkAt
from stakenet.analytics.sharded import ShardedTable
from stakenet.analytics.strength import (
    InteractionRecord,
    StrengthParams,
    distance,
    effective_strength,
    pair_evidence,
)
from stakenet.domain.model import TieRole, tie_kinds_in

__all__ = ["MAX_HOPS", "StrengthsAt", "Timeline"]

MAX_HOPS = 4
"""The longest introduction path searched, in links (the default of `coverage_from_us`)."""

MAX_COLLEAGUE_GROUP = 500
"""As `person_graph`: a larger employer implies no colleague links."""

_MEMBERSHIP = tie_kinds_in(TieRole.EMPLOYMENT, TieRole.BOARD)
_SWAYING = tie_kinds_in(TieRole.ADVICE, TieRole.INFLUENCE)
_EMPLOYMENT = tie_kinds_in(TieRole.EMPLOYMENT)


_Terms = tuple[date | None, date | None, float | None, frozenset[str] | None, Mapping[str, Any]]
_Tie = tuple[str, str, Mapping[str, Any]]


def _day(value: Any) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    return value.date() if isinstance(value, datetime) else None


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
        # Built beside the queries when a serving process adopts a snapshot: a million ties,
        # and as many pairs of people met, in tables that never grow in one long step.
        self.ties: ShardedTable[str, _Tie] = ShardedTable(
            (key, (u, v, attrs)) for u, v, key, attrs in graph.edges(keys=True, data=True)
        )
        self._centrality = centrality
        self._top = max(centrality, key=lambda v: centrality[v].pagerank) if centrality else None
        self._read_by: dict[str, Mapping[str, NodeCentrality] | None] = {}
        self._by_pair: ShardedTable[frozenset[str], list[InteractionRecord]] = ShardedTable()
        # Filled as questions reach them; shared by every instant (a dict's setdefault is
        # atomic, so concurrent questions fill them safely).
        self._terms: dict[str, _Terms] = {}
        self._neighbours: dict[str, tuple[list[tuple[str, str]], list[tuple[str, str]]]] = {}
        self._employees: dict[str, list[tuple[str, str]]] = {}
        self.by_participant: ShardedTable[str, list[InteractionRecord]] = ShardedTable()
        for record in interactions.values():
            people = sorted(set(record.participants))
            for person in people:
                self.by_participant.setdefault(person, []).append(record)
            for a, b in itertools.combinations(people, 2):
                self._by_pair.setdefault(frozenset((a, b)), []).append(record)

    def tables(self) -> list[dict[Any, Any] | ShardedTable[Any, Any]]:
        """The tables this timeline built and filled, for its owner to empty when it releases
        the timeline."""
        return [
            self.ties,
            self._read_by,
            self._by_pair,
            self._terms,
            self._neighbours,
            self._employees,
            self.by_participant,
        ]

    def at(self, instant: datetime) -> StrengthsAt:
        """The network's tie strengths at `instant`, computed as they are asked for."""
        return StrengthsAt(self, instant)

    def strength_at(self, tie_id: str, instant: datetime) -> float | None:
        """A tie's effective strength at `instant`; None when it is not current then."""
        terms = self._terms_for(tie_id)
        if terms is None:
            return None
        since, until, fixed, pair, attrs = terms
        on = instant.date()
        if (since is not None and since > on) or (until is not None and until < on):
            return None
        if fixed is not None:
            return fixed
        assert pair is not None
        evidence = pair_evidence(self._by_pair[pair], instant, self.params)
        return effective_strength(attrs, evidence, self.params)

    def _terms_for(self, tie_id: str) -> _Terms | None:
        terms = self._terms.get(tie_id)
        if terms is None:
            found = self.ties.get(tie_id)
            if found is None:
                return None
            terms = self._terms.setdefault(tie_id, self._terms_of(*found))
        return terms

    def _terms_of(self, u: str, v: str, attrs: Mapping[str, Any]) -> _Terms:
        # What a tie's strength at any instant is made of: its dates, and either the strength
        # it has whenever current (no interactions between its ends) or the pair to index.
        pair = frozenset((u, v))
        shared = u != v and pair in self._by_pair
        return (
            _day(attrs.get("since")),
            _day(attrs.get("until")),
            None if shared else effective_strength(attrs, None, self.params),
            pair if shared else None,
            attrs,
        )

    def neighbours(self, person: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """(other person, tie id) for each tie of `person` to another person, and
        (organisation, tie id) for each of their employment ties, at any time."""
        known = self._neighbours.get(person)
        if known is not None:
            return known
        graph = self.graph
        nodes = graph.nodes
        people: list[tuple[str, str]] = []
        employers: list[tuple[str, str]] = []
        for _, other, key, kind in graph.out_edges(person, keys=True, data="kind"):
            if other == person:
                continue
            if nodes[other].get("kind") == "PERSON":
                people.append((other, key))
            elif kind in _EMPLOYMENT:
                employers.append((other, key))
        for other, _, key in graph.in_edges(person, keys=True):
            if other != person and nodes[other].get("kind") == "PERSON":
                people.append((other, key))
        return self._neighbours.setdefault(person, (people, employers))

    def employees(self, org_id: str) -> list[tuple[str, str]]:
        """(person, tie id) for each employment tie to `org_id`, at any time."""
        known = self._employees.get(org_id)
        if known is not None:
            return known
        nodes = self.graph.nodes
        found = [
            (person, key)
            for person, _, key, kind in self.graph.in_edges(org_id, keys=True, data="kind")
            if kind in _EMPLOYMENT and nodes[person].get("kind") == "PERSON"
        ]
        return self._employees.setdefault(org_id, found)

    def pagerank_read_for(self, org_id: str) -> Mapping[str, NodeCentrality] | None:
        """The part of the snapshot's metrics a ranking of `org_id`'s decision-makers reads:
        the highest PageRank, which scales the others, and the scores of those who advise or
        influence the organisation or anyone who ever worked for it or sat on its board (the
        weights of their ties). The whole mapping would cost a pass over every stakeholder for
        its maximum, at every instant."""
        if org_id in self._read_by:
            return self._read_by[org_id]
        centrality = self._centrality
        if not centrality or self._top is None:
            return self._read_by.setdefault(org_id, centrality)
        graph = self.graph
        parties = {self._top}
        for target in (org_id, *self.members_ever(org_id)):
            for source, _, kind in graph.in_edges(target, data="kind"):
                if kind in _SWAYING:
                    parties.add(source)
        read = {v: centrality[v] for v in parties if v in centrality}
        return self._read_by.setdefault(org_id, read)

    def is_current(self, tie_id: str, on: date) -> bool:
        """Whether a tie is current on `on`."""
        terms = self._terms_for(tie_id)
        if terms is None:
            return False
        since, until = terms[0], terms[1]
        return (since is None or since <= on) and (until is None or until >= on)

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
        self._employers: dict[str, list[str]] = {}
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
        # In the graph's order, the same in every process (the shards' order follows the hash seed).
        graph = self.timeline.graph
        return (tie_id for _, _, tie_id in graph.edges(keys=True) if tie_id in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    # -- the person graph around a person, at this instant ---------------------------------

    def _staff_of(self, org_id: str) -> list[str]:
        staff = self._staff.get(org_id)
        if staff is None:
            on, timeline = self.instant.date(), self.timeline
            current = {p for p, key in timeline.employees(org_id) if timeline.is_current(key, on)}
            staff = self._staff[org_id] = sorted(current)
        return staff

    def _direct_links(self, person: str) -> dict[str, float]:
        """Each other person `person` has a current tie to, with the link's distance (the
        strongest tie's)."""
        known = self._links.get(person)
        if known is not None:
            return known
        people, employers = self.timeline.neighbours(person)
        strongest: dict[str, float] = {}
        for other, key in people:
            s = self.get(key)
            if s is not None and s > strongest.get(other, -1.0):
                strongest[other] = s
        self._employers[person] = [
            org
            for org, key in employers
            if key in self and len(self._staff_of(org)) <= MAX_COLLEAGUE_GROUP
        ]
        links = self._links[person] = {w: distance(s) for w, s in strongest.items()}
        return links

    def coverage(self, person: str) -> float:
        """The strength of our best introduction path to `person` at this instant (at most
        `MAX_HOPS` links, from one of our people, through none other; 1.0 for one of ours,
        0.0 for no path): `coverage_from_us` searched from the person's end.

        The search runs over the person graph of `stakenet.analytics.paths` at this instant:
        the strongest current tie between two people, and a colleague link between two people
        working for the same organisation (of at most `MAX_COLLEAGUE_GROUP` people) with no
        direct tie. A person's colleagues are queued as one entry, opened only if the search
        gets that far: most searches end before.
        """
        known = self._coverage.get(person)
        if known is not None:
            return known
        nodes = self.timeline.graph.nodes
        if person not in nodes or nodes[person].get("kind") != "PERSON":
            return 0.0
        colleague = distance(self.timeline.params.colleague_strength)
        found = 0.0
        # (cost, links, order, person, None), or (cost, links, order, organisation, colleague
        # of it) for the colleague links of that colleague through that organisation.
        heap: list[tuple[float, int, int, str, str | None]] = [(0.0, 0, 0, person, None)]
        order = itertools.count(1)
        settled_hops: dict[str, int] = {}
        while heap:
            cost, hops, _, v, colleague_of = heapq.heappop(heap)
            if colleague_of is not None:
                direct = self._direct_links(colleague_of)
                for w in self._staff_of(v):
                    seen = settled_hops.get(w)
                    if w == colleague_of or w in direct or (seen is not None and seen <= hops):
                        continue
                    heapq.heappush(heap, (cost, hops, next(order), w, None))
                continue
            known_hops = settled_hops.get(v)
            if known_hops is not None and known_hops <= hops:
                continue
            settled_hops[v] = hops
            if nodes[v].get("internal"):
                found = math.exp(-cost)
                break
            if hops >= MAX_HOPS:
                continue
            for w, cost_of_link in self._direct_links(v).items():
                seen = settled_hops.get(w)
                if seen is None or seen > hops + 1:
                    heapq.heappush(heap, (cost + cost_of_link, hops + 1, next(order), w, None))
            for org in self._employers[v]:
                heapq.heappush(heap, (cost + colleague, hops + 1, next(order), org, v))
        self._coverage[person] = found
        return found

    def ranked_without_coverage(self, org_id: str) -> list[DecisionMaker]:
        """`key_decision_makers` of `org_id` at this instant with our coverage left out (its
        factor 0 for everyone): who decides there then, whether or not we reach them."""
        # With the coverage given (none), the ranking never reads the person graph.
        network = NetworkAt(
            self.timeline.graph,
            self,
            self.instant,
            nx.Graph(),
            centrality=self.timeline.pagerank_read_for(org_id),
            coverage={},
        )
        return key_decision_makers(network, org_id, None)
