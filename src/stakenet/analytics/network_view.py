"""The read model of the network: the one owner of the in-memory graph.

`NetworkView` owns the projection (the live graph, kept in step with the change log), the lock
that serialises its readers and writers, and the current analytics snapshot with the frozen
copy of the graph it was computed on (`AnalyticsState`). Everything outside this package asks
it typed questions and gets typed answers: no caller sees NetworkX, the lock or a graph.

Every answer carries the revision of the graph it was computed from (`Answer`): an analytic
answer the snapshot's revision, a live answer (a relationship map, a listing) the revision the
graph was at while the lock was held. After each change the view returns a `GraphChanged`
event, which its owner publishes to the subscribers on the event loop.

Methods that take the lock or compute run in worker threads; `revision`, `analytics` and the
state's lookups read immutable data and are safe anywhere.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from stakenet.analytics.alerts import AlertParams, Watch, watch_network
from stakenet.analytics.communities import Broker, brokers
from stakenet.analytics.decision_makers import DecisionMaker, coverage_from_us, key_decision_makers
from stakenet.analytics.diff import NetworkChanges, network_changes
from stakenet.analytics.errors import InvalidParameter, NotAnOrganisation, UnknownStakeholder
from stakenet.analytics.health import (
    AccountHealth,
    HealthPoint,
    Portfolio,
    relationship_health,
)
from stakenet.analytics.history import PastSnapshots, graph_as_of, interactions_until
from stakenet.analytics.metrics import metric as metric_spec
from stakenet.analytics.network_at import NetworkAt
from stakenet.analytics.paths import (
    InternalReach,
    IntroductionPath,
    introduction_paths,
    person_graph,
)
from stakenet.analytics.projection import Projection
from stakenet.analytics.relationship_map import RelationshipMap, TiesByStrength, relationship_map
from stakenet.analytics.risks import Risk, key_person_risks
from stakenet.analytics.sharded import ShardedTable
from stakenet.analytics.snapshot import AnalyticsSnapshot, NodeMetrics, compute_snapshot
from stakenet.analytics.strength import (
    InteractionRecord,
    StrengthParams,
    TieStrength,
    TieStrengths,
    index_interactions,
    tie_strength,
)
from stakenet.analytics.timeline import Timeline
from stakenet.analytics.whatif import WhatIfResult, what_if
from stakenet.domain.model import (
    Change,
    Counts,
    EntityType,
    GraphData,
    Stakeholder,
    StakeholderKind,
    Tie,
)
from stakenet.domain.text import fold

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Answer(Generic[T]):
    """An answer, the graph revision of the data it was computed from, and the instant it
    describes (None for the live network)."""

    value: T
    revision: int
    as_of: datetime | None = None


@dataclass(frozen=True, slots=True)
class GraphChanged:
    """One change applied to the in-memory network.

    Attributes
    ----------
    revision : int
        The graph revision after the change.
    touched_ids : frozenset of str
        Every stakeholder the change touched: created, updated, deleted, an end of a tie, or a
        participant of an interaction.
    kinds : Mapping[str, StakeholderKind]
        The kind of each touched stakeholder that still exists.
    deleted : Mapping[str, StakeholderKind | None]
        Each touched stakeholder that no longer exists, with the kind it had (None for one the
        view never held).
    """

    revision: int
    touched_ids: frozenset[str]
    kinds: Mapping[str, StakeholderKind]
    deleted: Mapping[str, StakeholderKind | None]

    @property
    def deleted_ids(self) -> frozenset[str]:
        return frozenset(self.deleted)


@dataclass(frozen=True, slots=True)
class StakeholderFacts:
    """What the in-memory network knows about one stakeholder."""

    id: str
    kind: StakeholderKind
    name: str
    internal: bool
    seniority: str | None
    title: str | None
    tags: tuple[str, ...]
    updated_at: datetime | None


def _facts(node: str, attrs: Mapping[str, Any]) -> StakeholderFacts:
    return StakeholderFacts(
        id=node,
        kind=StakeholderKind(attrs["kind"]),
        name=attrs["name"],
        internal=attrs["internal"],
        seniority=attrs.get("seniority"),
        title=attrs.get("title"),
        tags=tuple(attrs.get("tags", ())),
        updated_at=attrs.get("updated_at"),
    )


@dataclass(frozen=True, slots=True)
class ListingFilter:
    """Which stakeholders a listing holds; an unset field does not filter."""

    kind: StakeholderKind | None = None
    search: str | None = None
    tags: Sequence[str] = ()
    internal: bool | None = None
    updated_since: datetime | None = None


@dataclass(slots=True)
class AnalyticsState:
    """One analytics snapshot and the frozen copy of the graph it was computed on.

    Nothing here changes after the refresh that made it (the person graph, our coverage and
    the activity are derived once, on first use), so it is read without a lock.
    """

    _graph: Any
    snapshot: AnalyticsSnapshot
    _interactions: dict[str, InteractionRecord] = field(default_factory=dict)
    _people: Any = field(default=None)
    _coverage: dict[str, float] | None = field(default=None)
    _network: NetworkAt | None = field(default=None)
    _activity: dict[str, float] | None = field(default=None)
    _timeline: Timeline | None = field(default=None)
    _portfolio: Portfolio | None = field(default=None)
    # The graph's hubs' ties by strength, for its maps (asOf): made on first use, never
    # changed, so read by any thread.
    _ranking: TiesByStrength = field(default_factory=TiesByStrength)

    @property
    def revision(self) -> int:
        return self.snapshot.revision

    @property
    def as_of(self) -> datetime:
        """The instant the snapshot describes."""
        return self.snapshot.computed_at

    def _people_graph(self) -> Any:
        # The person graph serves paths, decision-makers and risks; built once per snapshot.
        if self._people is None:
            self._people = person_graph(self._graph, self.snapshot.strengths)
        return self._people

    def _our_coverage(self) -> dict[str, float]:
        # Our best path strength to every person; the same for every organisation asked about.
        if self._coverage is None:
            self._coverage = coverage_from_us(self._people_graph())
        return self._coverage

    def timeline(self) -> Timeline:
        """The snapshot's graph read locally at any instant (`stakenet.analytics.timeline`)."""
        if self._timeline is None:
            self._timeline = Timeline(self._graph, self._interactions, self.snapshot.centrality)
        return self._timeline

    def _network_at(self) -> NetworkAt:
        # What every per-organisation question reads: the snapshot's graph at its instant.
        if self._network is None:
            snapshot = self.snapshot
            self._network = NetworkAt(
                self._graph,
                snapshot.strengths,
                snapshot.computed_at,
                self._people_graph(),
                centrality=snapshot.centrality,
                tie_strengths=snapshot.tie_strengths,
                coverage=self._our_coverage(),
                reach=InternalReach(self._people_graph()),
            )
        return self._network

    def release(self) -> None:
        """Empty this state once no query uses it any more: its graphs, its interactions and
        its snapshot's tables are emptied a slice at a time (`empty_gradually`) and its
        derived structures dropped. That breaks the reference cycles NetworkX graphs form
        with their views, so reference counting frees it all, without the cycle collector,
        and never in one call that holds the interpreter for long."""
        for graph in (self._graph, self._people):
            if graph is not None:
                dismantle(graph)
        for table in _snapshot_tables(self.snapshot):
            empty_gradually(table)
        empty_gradually(self._interactions)
        # What the queries derived: the timeline's tables hold an entry per tie and per pair
        # of people met, dropped whole in one call at 1M ties (a quarter of a second and more).
        derived = [*(self._timeline.tables() if self._timeline is not None else ())]
        derived += [table for table in (self._coverage, self._activity) if table is not None]
        for table in derived:
            empty_gradually(table)
        self._people = self._network = self._timeline = self._portfolio = None
        self._coverage = self._activity = None
        self._ranking = TiesByStrength()

    def warm(self) -> None:
        """Build what queries share, in the refresh's worker thread, so that no query (and
        never the event loop) pays for it."""
        self._network_at()
        self.activity()

    # -- lookups ---------------------------------------------------------------------------

    def stakeholder(self, stakeholder_id: str) -> StakeholderFacts | None:
        attrs = self._graph.nodes.get(stakeholder_id)
        return _facts(stakeholder_id, attrs) if attrs is not None else None

    def kind_of(self, stakeholder_id: str) -> StakeholderKind | None:
        attrs = self._graph.nodes.get(stakeholder_id)
        return StakeholderKind(attrs["kind"]) if attrs is not None else None

    def metrics_of(self, stakeholder_id: str) -> NodeMetrics | None:
        return self.snapshot.nodes.get(stakeholder_id)

    def activity(self) -> dict[str, float]:
        """Recency-weighted interaction count per stakeholder (the same half-life as strength)."""
        if self._activity is None:
            half_life = StrengthParams().half_life_days
            as_of = self.snapshot.computed_at
            activity: dict[str, float] = {}
            for record in self._interactions.values():
                age = (as_of - record.occurred_at).total_seconds() / 86_400
                if age < 0:
                    continue
                weight = 2.0 ** (-age / half_life)
                for participant in record.participants:
                    activity[participant] = activity.get(participant, 0.0) + weight
            self._activity = activity
        return self._activity

    # -- questions -------------------------------------------------------------------------

    def tie_strength(self, tie_id: str, as_of: datetime | None) -> TieStrength | None:
        """A tie's derived strength and its components, now or as of a past instant."""
        if as_of is None:
            return self.snapshot.tie_strengths.get(tie_id)
        for source, target, key, attrs in self._graph.edges(keys=True, data=True):
            if key == tie_id:
                pair = {source, target}
                shared = [r for r in self._interactions.values() if pair <= set(r.participants)]
                evidence = index_interactions(shared, as_of).get(frozenset(pair))
                return tie_strength(tie_id, source, target, attrs, evidence)
        return None

    def relationship_map(
        self,
        center: str,
        *,
        depth: int,
        limit: int,
        tie_kinds: Collection[str] | None,
        min_strength: float,
    ) -> RelationshipMap:
        """The map around `center` in the snapshot's graph, on the snapshot's date."""
        return relationship_map(
            self._graph,
            center,
            depth=depth,
            limit=limit,
            on=self.as_of.date(),
            tie_kinds=tie_kinds,
            min_strength=min_strength,
            strengths=self.snapshot.strengths,
            ranking=self._ranking,
        )

    def relationship_health(
        self, org_id: str, windows: Sequence[tuple[datetime, datetime]]
    ) -> list[HealthPoint]:
        """The relationship with `org_id` window by window (`stakenet.analytics.health`), read
        no later than the snapshot's instant."""
        return relationship_health(self.timeline(), org_id, windows, self.as_of)

    def changes(self, start: datetime, end: datetime, org_id: str | None) -> NetworkChanges:
        """The ties of the snapshot's graph that started or ended in ``(start, end]``
        (`stakenet.analytics.diff`)."""
        return network_changes(self._graph, start, end, org_id)

    def portfolio(self, first: int) -> list[AccountHealth]:
        """The `first` accounts at the snapshot's instant, riskiest first."""
        if self._portfolio is None:
            self._portfolio = Portfolio(self.timeline(), self.as_of, self.key_person_risks)
        return self._portfolio.first(first)

    def _organisation(self, org_id: str) -> None:
        attrs = self._graph.nodes.get(org_id)
        if attrs is None:
            raise UnknownStakeholder(org_id)
        if attrs["kind"] == StakeholderKind.PERSON.value:
            raise NotAnOrganisation(org_id, attrs["kind"])

    def key_decision_makers(self, org_id: str, limit: int | None) -> list[DecisionMaker]:
        self._organisation(org_id)
        return key_decision_makers(self._network_at(), org_id, limit)

    def introduction_paths(
        self, to_id: str, from_id: str | None, limit: int, max_hops: int
    ) -> list[IntroductionPath]:
        return introduction_paths(
            self._graph,
            self.snapshot.strengths,
            to_id,
            from_id,
            limit,
            max_hops,
            people=self._people_graph(),
        )

    def key_person_risks(self, org_id: str) -> list[Risk]:
        ranked = self.key_decision_makers(org_id, None)
        return key_person_risks(self._network_at(), org_id, ranked)

    def what_if(self, org_id: str, remove_ids: Sequence[str]) -> WhatIfResult:
        self._organisation(org_id)
        return what_if(self._network_at(), org_id, remove_ids)

    def ranking(
        self, kind: StakeholderKind | None, metric: str, first: int
    ) -> list[tuple[str, float]]:
        """The `first` stakeholders (of `kind`) by a ranked metric of the registry, the end its
        direction marks first (highest for every ranked metric today)."""
        spec = metric_spec(metric)
        if spec is None or not spec.ranked:
            raise InvalidParameter("metric", f"'{metric}' is not a ranked metric.")
        sign = -1.0 if spec.direction == "higher" else 1.0
        nodes = self._graph.nodes
        scored = [
            (node, float(getattr(metrics, metric)))
            for node, metrics in self.snapshot.nodes.items()
            if kind is None or nodes[node]["kind"] == kind.value
        ]
        scored.sort(key=lambda item: (sign * item[1], nodes[item[0]]["name"], item[0]))
        return scored[:first]

    def communities(self, min_size: int) -> list[tuple[int, list[str]]]:
        nodes = self._graph.nodes
        return [
            (index, sorted(members, key=lambda n: (nodes[n]["name"], n)))
            for index, members in enumerate(self.snapshot.communities)
            if len(members) >= min_size
        ]

    def alert_watch(self, params: AlertParams | None = None) -> Watch:
        """What the alerts watch at every organisation (`stakenet.analytics.alerts`)."""
        return watch_network(
            self._graph,
            self.snapshot.strengths,
            self._interactions.values(),
            self.key_decision_makers,
            self.revision,
            self.snapshot.computed_at,
            params,
        )

    def brokers(self, first: int, kind: StakeholderKind | None) -> list[Broker]:
        graph = self._graph
        ranked = brokers(graph, self.snapshot.centrality, graph.number_of_nodes())
        chosen = [b for b in ranked if kind is None or graph.nodes[b.id]["kind"] == kind.value]
        return chosen[:first]


# Entries freed between two offers of the interpreter to other threads while emptying a
# structure: about a millisecond of work.
RELEASE_SLICE = 1_000
# Slices between two young collections while a structure is emptied (about 10 ms of work).
SLICES_PER_YOUNG_PASS = 10


def empty_gradually(table: dict[Any, Any] | ShardedTable[Any, Any]) -> None:
    """Empty `table` `RELEASE_SLICE` entries at a time, offering the interpreter to other
    threads between slices. ``dict.clear`` frees everything the table alone holds in one call,
    which holds the interpreter lock throughout: 0.7 s for the person graph of a 100k-tie
    snapshot.

    The collector starts a young pass when the containers made outnumber those freed by its
    threshold; freeing a snapshot's millions holds that count at zero, so the requests' own
    garbage piles up meanwhile, and the first young pass after a 1M release walked 130,000
    objects: 180–210 ms. A young pass every `SLICES_PER_YOUNG_PASS` slices keeps each small.
    """
    for slices in itertools.count(1):
        if not table:
            return
        if isinstance(table, ShardedTable):
            table.pop_last(RELEASE_SLICE)
        else:
            popitem = table.popitem
            for _ in range(min(RELEASE_SLICE, len(table))):
                popitem()
        if slices % SLICES_PER_YOUNG_PASS == 0:
            gc.collect(0)
        time.sleep(0)


def _snapshot_tables(
    snapshot: AnalyticsSnapshot,
) -> Iterator[dict[Any, Any] | ShardedTable[Any, Any]]:
    """The tables behind a snapshot's read-only ones (each `MappingProxyType` refers to its
    table alone), and its tie strengths' records."""
    ties: Any = snapshot.tie_strengths
    records = ties.copy()  # the proxy hands out the `TieStrengths` itself, sharing its tables
    tables: list[Any] = (
        [records._inputs, records.effective] if isinstance(records, TieStrengths) else []
    )
    for proxy in (snapshot.strengths, snapshot.nodes, snapshot.centrality, snapshot.influence):
        tables += gc.get_referents(proxy)
    seen: set[int] = set()  # a snapshot's strengths are also its tie strengths' effective ones
    for table in tables:
        if isinstance(table, dict | ShardedTable) and id(table) not in seen:
            seen.add(id(table))
            yield table


def dismantle(graph: Any) -> None:
    """Empty `graph` a node at a time (`empty_gradually`) and drop the views it caches (each
    refers back to it): what is left is freed by reference counting alone."""
    for name in ("_succ", "_pred", "_adj", "_node"):
        table = getattr(graph, name, None)
        if isinstance(table, dict):
            empty_gradually(table)
    graph.clear()
    core = vars(type(graph)())
    for name in [name for name in vars(graph) if name not in core]:
        del graph.__dict__[name]


Listener = Callable[[GraphChanged], None]


class NetworkView:
    """The in-memory network at `revision` and its latest analytics snapshot (`analytics`)."""

    def __init__(self) -> None:
        self._projection = Projection()
        self._counts = Counts(stakeholders=0, ties=0, interactions=0, revision=0)
        # The live graph's hubs' ties by strength, for its maps; kept under the lock.
        self._ranking = TiesByStrength()
        self._lock = threading.RLock()
        self._analytics: AnalyticsState | None = None
        self._past: PastSnapshots[AnalyticsState] = PastSnapshots()
        self._listeners: list[Listener] = []
        # With `release_retired`: the snapshots replaced or evicted, with when, until released.
        self._retired: list[tuple[float, AnalyticsState]] | None = None

    @property
    def revision(self) -> int:
        """The revision of the live graph."""
        return self._projection.revision

    @property
    def analytics(self) -> AnalyticsState | None:
        """The latest analytics snapshot, None before the first refresh."""
        return self._analytics

    @property
    def counts(self) -> Counts:
        """The live graph's stakeholders, ties and interactions at its revision. Replaced whole
        after every change, so the event loop reads it without waiting for the lock."""
        return self._counts

    def _count(self) -> None:
        projection = self._projection
        self._counts = Counts(
            stakeholders=len(projection.graph),
            ties=projection.tie_count,
            interactions=len(projection.interactions),
            revision=projection.revision,
        )

    # -- keeping in step (worker threads) --------------------------------------------------

    def load(self, data: GraphData) -> GraphChanged:
        """Replace the whole graph with `data`; every stakeholder of the old graph and of the
        new one counts as touched."""
        fresh = Projection.from_data(data)
        with self._lock:
            old = self._projection.graph
            removed = {
                node: kind for node, kind in old.nodes(data="kind") if node not in fresh.graph
            }
            touched = set(old.nodes) | set(fresh.graph.nodes)
            self._projection = fresh
            self._count()
            self._ranking = TiesByStrength()
            if self._retired is not None:
                dismantle(old)  # only ever read under the lock, so no reader holds it now
            return self._changed(touched, removed)

    def apply(self, changes: Iterable[Change]) -> GraphChanged:
        """Apply committed changes in log order (`Projection.apply`)."""
        with self._lock:
            changes = list(changes)
            changed_ties = self._ties_changing(changes)
            removed: dict[str, str] = {}
            touched = self._projection.apply(changes, removed)
            self._count()
            self._ranking.forget(changed_ties)
            return self._changed(touched, removed)

    def _ties_changing(self, changes: Sequence[Change]) -> set[str]:
        """The stakeholders whose ties `changes` (not yet applied) add, alter or remove, or
        whose ties' order in a hub's ranking they change (a renamed or removed stakeholder's
        neighbours): the hubs among them lose their rankings. An interaction changes no tie:
        a tie's derived strength changes only with the next snapshot, which starts every
        ranking afresh."""
        projection = self._projection
        graph = projection.graph
        changing: set[str] = set()
        for change in changes:
            entity = change.entity
            if change.entity_type is EntityType.TIE:
                changing.update(projection.tie_ends(change.entity_id) or ())
                if isinstance(entity, Tie):
                    changing.update((entity.source_id, entity.target_id))
            elif change.entity_type is EntityType.STAKEHOLDER and change.entity_id in graph:
                node = change.entity_id
                changing.add(node)
                name = graph.nodes[node].get("name")
                if not isinstance(entity, Stakeholder) or entity.name != name:
                    changing.update(graph.successors(node))
                    changing.update(graph.predecessors(node))
        return changing

    def _changed(self, touched: set[str], removed: Mapping[str, str]) -> GraphChanged:
        nodes = self._projection.graph.nodes
        kinds: dict[str, StakeholderKind] = {}
        deleted: dict[str, StakeholderKind | None] = {}
        for node in touched:
            attrs = nodes.get(node)
            if attrs is not None:
                kinds[node] = StakeholderKind(attrs["kind"])
            else:
                kind = removed.get(node)
                deleted[node] = StakeholderKind(kind) if kind is not None else None
        return GraphChanged(
            self._projection.revision,
            frozenset(touched),
            MappingProxyType(kinds),
            MappingProxyType(deleted),
        )

    def refresh(self, now: datetime) -> AnalyticsState:
        """Compute a snapshot of the graph as it is now and make it the current one."""
        with self._lock:
            projection = self._projection
            graph = projection.graph.copy()
            interactions = dict(projection.interactions)
            revision = projection.revision
        snapshot = compute_snapshot(graph, interactions, revision, now)
        state = AnalyticsState(graph, snapshot, interactions)
        state.warm()
        state.timeline()
        with self._lock:
            current = self._analytics
            # Two refreshes may overlap: the newer revision wins.
            if current is None or current.revision <= state.revision:
                self._analytics = state
        return state

    def adopt(self, state: AnalyticsState) -> bool:
        """Make `state`, computed elsewhere (a snapshot file), the current snapshot unless a
        newer one is current; it is warmed first, so that no query pays for that."""
        state.warm()
        state.timeline()
        with self._lock:
            current = self._analytics
            if current is None or (current.revision, current.as_of) < (
                state.revision,
                state.as_of,
            ):
                self._analytics = state
                self._retire([current] if current is not None else [])
                return True
        return False

    def track_retired(self) -> None:
        """From now on keep every snapshot this view stops holding (replaced by `adopt`, or
        past ones evicted) until `release_retired` releases it: for a process whose
        long-lived objects the cycle collector no longer sees, which would never free them."""
        with self._lock:
            if self._retired is None:
                self._retired = []

    def _retire(self, states: Iterable[AnalyticsState]) -> None:
        if self._retired is not None:
            now = time.monotonic()
            self._retired.extend((now, state) for state in states)

    def release_retired(self, after: float) -> int:
        """Release (`AnalyticsState.release`) the snapshots retired more than `after` seconds
        ago, when no query still uses them; returns how many."""
        with self._lock:
            if not self._retired:
                return 0
            horizon = time.monotonic() - after
            due = [state for at, state in self._retired if at <= horizon]
            self._retired = [(at, state) for at, state in self._retired if at > horizon]
        for state in due:
            state.release()
        return len(due)

    def past(self, as_of: datetime) -> AnalyticsState:
        """The analytics of the network as it stood at `as_of` (`stakenet.analytics.history`),
        of the live graph's revision: computed on first ask, then kept among the latest few."""
        with self._lock:
            projection = self._projection
            revision = projection.revision
            kept = self._past.get(as_of, revision)
            if kept is not None:
                return kept
            graph = graph_as_of(projection.graph, as_of)
            interactions = interactions_until(projection.interactions, as_of)
        snapshot = compute_snapshot(graph, interactions, revision, as_of)
        state = AnalyticsState(graph, snapshot, interactions)
        state.warm()
        evicted = self._past.put(as_of, revision, state)
        with self._lock:
            self._retire(evicted)
        return state

    def keep_past(self, as_of: datetime, revision: int, state: AnalyticsState) -> None:
        """Keep `state`, the analytics at `as_of` of the graph at `revision` computed by another
        process, among the latest few as `past` keeps its own."""
        evicted = self._past.put(as_of, revision, state)
        with self._lock:
            self._retire(evicted)

    def kept_past(self, as_of: datetime) -> AnalyticsState | None:
        """The past analytics of `as_of` at the live revision, if kept; reads no graph, so it
        is safe on the event loop."""
        return self._past.get(as_of, self.revision)

    # -- change events ---------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        with contextlib.suppress(ValueError):
            self._listeners.remove(listener)

    def publish(self, event: GraphChanged) -> None:
        """Tell every subscriber about `event`, in the caller's thread."""
        for listener in list(self._listeners):
            listener(event)

    # -- live questions (worker threads) ---------------------------------------------------

    def stakeholder(self, stakeholder_id: str) -> StakeholderFacts | None:
        with self._lock:
            attrs = self._projection.graph.nodes.get(stakeholder_id)
            return _facts(stakeholder_id, attrs) if attrs is not None else None

    def stakeholder_ids(self) -> set[str]:
        with self._lock:
            return set(self._projection.graph.nodes)

    def tie_ids(self) -> set[str]:
        with self._lock:
            return {key for _, _, key in self._projection.graph.edges(keys=True)}

    def interaction_ids(self) -> set[str]:
        with self._lock:
            return set(self._projection.interactions)

    def relationship_map(
        self,
        center: str,
        *,
        depth: int,
        limit: int,
        on: date,
        tie_kinds: Collection[str] | None,
        min_strength: float,
    ) -> Answer[RelationshipMap]:
        """The map around `center` in the live graph (`relationship_map`); ties' strengths come
        from the latest snapshot, a tie newer than it counts with its declared strength.

        Raises
        ------
        UnknownStakeholder
            If `center` is not in the graph.
        """
        state = self._analytics
        with self._lock:
            found = relationship_map(
                self._projection.graph,
                center,
                depth=depth,
                limit=limit,
                on=on,
                tie_kinds=tie_kinds,
                min_strength=min_strength,
                strengths=state.snapshot.strengths if state else None,
                ranking=self._ranking,
            )
            return Answer(found, self._projection.revision)

    def ranked_by_influence(self, where: ListingFilter) -> Answer[list[str]]:
        """Ids of the live graph's stakeholders matching `where`, most influential (by the
        latest snapshot; 0 for one newer than it) first, then by name and id."""
        state = self._analytics
        metrics: Mapping[str, NodeMetrics] = state.snapshot.nodes if state else {}
        wanted = fold(where.search) if where.search else None
        tags = set(where.tags)
        kind = where.kind.value if where.kind else None
        with self._lock:
            matching = [
                (node, attrs["name"])
                for node, attrs in self._projection.graph.nodes(data=True)
                if (kind is None or attrs["kind"] == kind)
                and (where.internal is None or attrs["internal"] == where.internal)
                and (wanted is None or wanted in fold(attrs["name"]))
                and tags <= set(attrs.get("tags", ()))
                and (
                    where.updated_since is None
                    or (attrs.get("updated_at") and attrs["updated_at"] >= where.updated_since)
                )
            ]
            revision = self._projection.revision
        influence = {n: (metrics[n].influence if n in metrics else 0.0) for n, _ in matching}
        matching.sort(key=lambda item: (-influence[item[0]], item[1], item[0]))
        return Answer([node for node, _ in matching], revision)
