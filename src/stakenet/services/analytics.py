"""The analytics service: snapshots of the network's scores, refreshed in the background.

After writes, the refresher waits for the burst to settle (`debounce`), copies the projection
under its lock, and computes a snapshot of every global metric in a worker thread; a burst of
writes costs one recomputation. Queries read the latest snapshot and the graph copy it was
computed on, so every answer is consistent with one revision, which it reports. A query only
waits when no snapshot exists yet (right after start).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import anyio.to_thread

from stakenet.analytics.communities import Broker, brokers
from stakenet.analytics.decision_makers import DecisionMaker as DecisionMaker
from stakenet.analytics.decision_makers import coverage_from_us, key_decision_makers
from stakenet.analytics.errors import NotAnOrganisation, UnknownStakeholder, WrongKind
from stakenet.analytics.paths import IntroductionPath as IntroductionPath
from stakenet.analytics.paths import PathLink as PathLink
from stakenet.analytics.paths import introduction_paths, person_graph
from stakenet.analytics.risks import Risk, key_person_risks
from stakenet.analytics.snapshot import AnalyticsSnapshot, NodeMetrics, compute_snapshot
from stakenet.analytics.strength import (
    InteractionRecord,
    StrengthParams,
    TieStrength,
    index_interactions,
    tie_strength,
)
from stakenet.analytics.whatif import WhatIfResult, what_if
from stakenet.domain.errors import Issue, NotFound, StoreUnavailable, ValidationFailed
from stakenet.domain.model import StakeholderKind
from stakenet.domain.text import fold
from stakenet.services.network import NetworkService

log = logging.getLogger("stakenet.analytics")
T = TypeVar("T")

METRICS = ("influence", "pagerank", "betweenness", "closeness", "eigenvector", "degree")
MAX_RANKING = 100
MAX_PATHS = 20
MAX_HOPS = 6
FIRST_SNAPSHOT_WAIT = 60.0
_NONE: Mapping[str, str | None] = {}


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class AnalyticsState:
    """A snapshot and the frozen graph it was computed on."""

    graph: Any
    snapshot: AnalyticsSnapshot
    interactions: dict[str, InteractionRecord] = field(default_factory=dict)
    _people: Any = field(default=None)
    _coverage: dict[str, float] | None = field(default=None)
    _activity: dict[str, float] | None = field(default=None)

    @property
    def revision(self) -> int:
        return self.snapshot.revision

    def people(self) -> Any:
        # The person graph serves paths, decision-makers and risks; built once per snapshot.
        if self._people is None:
            self._people = person_graph(self.graph, self.snapshot.strengths)
        return self._people

    def coverage(self) -> dict[str, float]:
        # Our best path strength to every person; the same for every organisation asked about.
        if self._coverage is None:
            self._coverage = coverage_from_us(self.people())
        return self._coverage

    def warm(self) -> None:
        """Build what per-organisation queries share, so that no query pays for it."""
        self.coverage()

    def activity(self) -> dict[str, float]:
        """Recency-weighted interaction count per stakeholder (the same half-life as strength)."""
        if self._activity is None:
            half_life = StrengthParams().half_life_days
            as_of = self.snapshot.computed_at
            activity: dict[str, float] = {}
            for record in self.interactions.values():
                age = (as_of - record.occurred_at).total_seconds() / 86_400
                if age < 0:
                    continue
                weight = 2.0 ** (-age / half_life)
                for participant in record.participants:
                    activity[participant] = activity.get(participant, 0.0) + weight
            self._activity = activity
        return self._activity


@dataclass(frozen=True, slots=True)
class Answer(Generic[T]):
    """An analytic answer and the graph revision it reflects."""

    value: T
    revision: int


class AnalyticsService:
    def __init__(
        self,
        network: NetworkService,
        *,
        debounce: float = 0.3,
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.network = network
        self.debounce = debounce
        self.now = now
        self.state: AnalyticsState | None = None
        self._dirty = asyncio.Event()
        self._ready = asyncio.Event()
        self.refreshes = 0
        network.listeners.append(self._on_change)

    def _on_change(self, revision: int, touched: set[str]) -> None:
        self._dirty.set()

    @property
    def revision(self) -> int | None:
        return self.state.revision if self.state else None

    async def run(self) -> None:
        """Refresh at start, then after every settled burst of changes, forever."""
        self._dirty.set()
        while True:
            await self._dirty.wait()
            # Let a burst of writes settle, so it causes one recomputation.
            while True:
                self._dirty.clear()
                await asyncio.sleep(self.debounce)
                if not self._dirty.is_set():
                    break
            try:
                await self.refresh()
            except Exception:
                log.exception("analytics refresh failed; the previous snapshot stays in use")

    async def refresh(self) -> AnalyticsState:
        projection = self.network.projection

        def compute() -> AnalyticsState:
            with projection.lock:
                graph = projection.graph.copy()
                interactions = dict(projection.interactions)
                revision = projection.revision
            snapshot = compute_snapshot(graph, interactions, revision, self.now())
            state = AnalyticsState(graph=graph, snapshot=snapshot, interactions=interactions)
            state.warm()
            return state

        state = await anyio.to_thread.run_sync(compute)
        self.state = state
        self.refreshes += 1
        self._ready.set()
        log.info(
            "analytics snapshot at revision %d in %.2fs",
            state.revision,
            sum(state.snapshot.timings.values()),
        )
        return state

    async def current(self) -> AnalyticsState:
        if self.state is None:
            try:
                await asyncio.wait_for(self._ready.wait(), FIRST_SNAPSHOT_WAIT)
            except TimeoutError:
                raise StoreUnavailable(
                    "Analytics are still being computed; retry shortly."
                ) from None
        assert self.state is not None
        return self.state

    def metrics_of(self, stakeholder_id: str) -> tuple[NodeMetrics, int] | None:
        state = self.state
        if state is None:
            return None
        metrics = state.snapshot.nodes.get(stakeholder_id)
        return (metrics, state.revision) if metrics else None

    async def _in_thread(
        self, work: Callable[[AnalyticsState], T], arguments: Mapping[str, str | None] = _NONE
    ) -> Answer[T]:
        """`work` on the current snapshot in a worker thread. `arguments` names the ids it was
        given (`{"toId": ...}`): a stakeholder of the wrong kind is blamed on its argument."""
        state = await self.current()
        try:
            value = await anyio.to_thread.run_sync(work, state)
        except UnknownStakeholder as unknown:
            raise NotFound(f"No stakeholder with id '{unknown.stakeholder_id}'.") from None
        except WrongKind as wrong:
            argument = next(
                (name for name, value in arguments.items() if value == wrong.stakeholder_id), "id"
            )
            name = state.graph.nodes[wrong.stakeholder_id]["name"]
            kind = str(wrong.kind).lower()
            raise ValidationFailed(
                [Issue(argument, f"'{name}' is a {kind}, not {wrong.wanted}.")]
            ) from None
        return Answer(value, state.revision)

    def effective_strength(self, tie_id: str) -> float | None:
        state = self.state
        return state.snapshot.strengths.get(tie_id) if state else None

    async def tie_strength(self, tie_id: str, as_of: datetime | None) -> Answer[TieStrength | None]:
        """A tie's derived strength and its components, now or as of a past instant."""

        def work(state: AnalyticsState) -> TieStrength | None:
            if as_of is None:
                return state.snapshot.tie_strengths.get(tie_id)
            for source, target, key, attrs in state.graph.edges(keys=True, data=True):
                if key == tie_id:
                    pair = {source, target}
                    shared = [r for r in state.interactions.values() if pair <= set(r.participants)]
                    evidence = index_interactions(shared, as_of).get(frozenset(pair))
                    return tie_strength(tie_id, source, target, attrs, evidence)
            return None

        return await self._in_thread(work)

    def _organisation(self, state: AnalyticsState, org_id: str) -> None:
        attrs = state.graph.nodes.get(org_id)
        if attrs is None:
            raise UnknownStakeholder(org_id)
        if attrs["kind"] == StakeholderKind.PERSON.value:
            raise NotAnOrganisation(org_id, attrs["kind"])

    async def key_decision_makers(self, org_id: str, limit: int) -> Answer[list[DecisionMaker]]:
        _check_range("limit", limit, 1, MAX_RANKING)

        def work(state: AnalyticsState) -> list[DecisionMaker]:
            self._organisation(state, org_id)
            return key_decision_makers(
                state.graph,
                org_id,
                state.snapshot.strengths,
                state.snapshot.centrality,
                limit,
                people=state.people(),
                coverage=state.coverage(),
            )

        return await self._in_thread(work, {"organizationId": org_id})

    async def introduction_paths(
        self, to_id: str, from_id: str | None, limit: int, max_hops: int
    ) -> Answer[list[IntroductionPath]]:
        _check_range("limit", limit, 1, MAX_PATHS)
        _check_range("maxHops", max_hops, 1, MAX_HOPS)

        def work(state: AnalyticsState) -> list[IntroductionPath]:
            return introduction_paths(
                state.graph,
                state.snapshot.strengths,
                to_id,
                from_id,
                limit,
                max_hops,
                people=state.people(),
            )

        return await self._in_thread(work, {"toId": to_id, "fromId": from_id})

    async def key_person_risks(self, org_id: str) -> Answer[list[Risk]]:
        def work(state: AnalyticsState) -> list[Risk]:
            self._organisation(state, org_id)
            snapshot = state.snapshot
            ranked = key_decision_makers(
                state.graph, org_id, snapshot.strengths, snapshot.centrality, None,
                people=state.people(), coverage=state.coverage(),
            )  # fmt: skip
            return key_person_risks(
                state.graph,
                org_id,
                snapshot.strengths,
                ranked,
                tie_strengths=snapshot.tie_strengths,
                as_of=snapshot.computed_at,
                people=state.people(),
            )

        return await self._in_thread(work, {"organizationId": org_id})

    async def what_if(self, org_id: str, remove_ids: Sequence[str]) -> Answer[WhatIfResult]:
        def work(state: AnalyticsState) -> WhatIfResult:
            self._organisation(state, org_id)
            return what_if(
                state.graph,
                state.snapshot.strengths,
                org_id,
                remove_ids,
                centrality=state.snapshot.centrality,
            )

        return await self._in_thread(work, {"organizationId": org_id})

    async def influence_ranking(
        self, kind: StakeholderKind | None, metric: str, first: int
    ) -> Answer[list[tuple[str, float]]]:
        _check_range("first", first, 1, MAX_RANKING)
        if metric not in METRICS:
            raise ValidationFailed([Issue("metric", f"Unknown metric '{metric}'.")])

        def work(state: AnalyticsState) -> list[tuple[str, float]]:
            graph = state.graph
            scored = [
                (node, float(getattr(metrics, metric)))
                for node, metrics in state.snapshot.nodes.items()
                if kind is None or graph.nodes[node]["kind"] == kind.value
            ]
            scored.sort(key=lambda item: (-item[1], graph.nodes[item[0]]["name"], item[0]))
            return scored[:first]

        return await self._in_thread(work)

    async def ranked_by_influence(
        self,
        kind: StakeholderKind | None,
        search: str | None,
        tags: Sequence[str],
        internal: bool | None,
        updated_since: datetime | None,
    ) -> Answer[list[str]]:
        """Ids of the stakeholders matching a listing's filter, most influential first."""
        wanted = fold(search) if search else None

        def work(state: AnalyticsState) -> list[str]:
            graph = self.network.projection.graph
            metrics = state.snapshot.nodes
            with self.network.projection.lock:
                matching = [
                    (node, attrs["name"])
                    for node, attrs in graph.nodes(data=True)
                    if (kind is None or attrs["kind"] == kind.value)
                    and (internal is None or attrs["internal"] == internal)
                    and (wanted is None or wanted in fold(attrs["name"]))
                    and set(tags) <= set(attrs.get("tags", ()))
                    and (
                        updated_since is None
                        or (attrs.get("updated_at") and attrs["updated_at"] >= updated_since)
                    )
                ]
            influence = {n: (metrics[n].influence if n in metrics else 0.0) for n, _ in matching}
            matching.sort(key=lambda item: (-influence[item[0]], item[1], item[0]))
            return [node for node, _ in matching]

        return await self._in_thread(work)

    async def communities(self, min_size: int) -> Answer[list[tuple[int, list[str]]]]:
        _check_range("minSize", min_size, 1, 1_000_000)

        def work(state: AnalyticsState) -> list[tuple[int, list[str]]]:
            graph = state.graph
            return [
                (index, sorted(members, key=lambda n: (graph.nodes[n]["name"], n)))
                for index, members in enumerate(state.snapshot.communities)
                if len(members) >= min_size
            ]

        return await self._in_thread(work)

    async def brokers(
        self, first: int, kind: StakeholderKind | None = None
    ) -> Answer[list[Broker]]:
        _check_range("first", first, 1, MAX_RANKING)

        def work(state: AnalyticsState) -> list[Broker]:
            graph = state.graph
            ranked = brokers(graph, state.snapshot.centrality, graph.number_of_nodes())
            chosen = [b for b in ranked if kind is None or graph.nodes[b.id]["kind"] == kind.value]
            return chosen[:first]

        return await self._in_thread(work)


def _check_range(name: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        raise ValidationFailed(
            [Issue(name, f"'{name}' must be between {low} and {high}, got {value}.")]
        )
