"""The analytics service: snapshots of the network's scores, refreshed in the background.

After writes, the refresher waits for the burst to settle (`debounce`) and has the read model
(`NetworkView.refresh`) compute a snapshot of every global metric in a worker thread; a burst
of writes costs one recomputation. Queries are answered from the latest snapshot and the graph
copy it was computed on, so every answer is consistent with one revision, which it reports. A
query only waits when no snapshot exists yet (right after start).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

import anyio.to_thread

from stakenet.analytics.communities import Broker
from stakenet.analytics.decision_makers import DecisionMaker as DecisionMaker
from stakenet.analytics.diff import NetworkChanges as NetworkChanges
from stakenet.analytics.diff import TieChange as TieChange
from stakenet.analytics.errors import AnalyticsError
from stakenet.analytics.health import AccountHealth as AccountHealth
from stakenet.analytics.health import HealthInterval as HealthInterval
from stakenet.analytics.health import HealthPoint as HealthPoint
from stakenet.analytics.health import intervals
from stakenet.analytics.history import instant
from stakenet.analytics.metrics import METRICS as METRICS
from stakenet.analytics.metrics import RANKED_METRICS as RANKED_METRICS
from stakenet.analytics.metrics import MetricSpec as MetricSpec
from stakenet.analytics.network_view import AnalyticsState as AnalyticsState
from stakenet.analytics.network_view import GraphChanged, ListingFilter
from stakenet.analytics.paths import IntroductionPath as IntroductionPath
from stakenet.analytics.paths import PathLink as PathLink
from stakenet.analytics.relationship_map import RelationshipMap
from stakenet.analytics.risks import Risk as Risk
from stakenet.analytics.snapshot import NodeMetrics
from stakenet.analytics.strength import TieStrength
from stakenet.analytics.whatif import WhatIfResult
from stakenet.domain.errors import Issue, StoreUnavailable, ValidationFailed
from stakenet.domain.model import StakeholderKind
from stakenet.services.analytics_errors import Request, domain_error
from stakenet.services.network import Answer as Answer
from stakenet.services.network import MapRequest, NetworkService, check_map_request

log = logging.getLogger("stakenet.analytics")
T = TypeVar("T")

RANKED_NAMES = frozenset(m.name for m in RANKED_METRICS)
MAX_RANKING = 100
MAX_PATHS = 20
MAX_HOPS = 6
FIRST_SNAPSHOT_WAIT = 60.0
# Past dates being computed at once, at most (one computing, the others waiting their turn):
# as many as are kept, so that a document asking about that many dates is answered in full
# once they are done. Each is a whole snapshot: on a large network, minutes of CPU.
MAX_PAST_PENDING = 3
DIFF_DECISION_MAKERS = 10
_NONE: Mapping[str, str | None] = {}


@dataclass(frozen=True, slots=True)
class NetworkDiff:
    """What changed between `start` and `end`; with an organisation, also its ten top
    decision-makers at both ends and the key-person risks opened and closed between them
    (None without one)."""

    start: datetime
    end: datetime
    changes: NetworkChanges
    decision_makers_before: list[DecisionMaker] | None = None
    decision_makers_after: list[DecisionMaker] | None = None
    risks_opened: list[Risk] | None = None
    risks_closed: list[Risk] | None = None


async def _follow_up(
    follow_ups: Sequence[Callable[[AnalyticsState], Awaitable[object]]], state: AnalyticsState
) -> None:
    """Call each follow-up of a new snapshot in order; one that fails leaves the snapshot
    current and the others called."""
    for follow_up in follow_ups:
        try:
            await follow_up(state)
        except Exception:
            log.exception("a follow-up of the analytics snapshot failed; the snapshot stands")


def _utc_now() -> datetime:
    return datetime.now(UTC)


class AnalyticsService:
    def __init__(
        self,
        network: NetworkService,
        *,
        debounce: float = 0.3,
        now: Callable[[], datetime] = _utc_now,
        computes: bool = True,
    ) -> None:
        self.network = network
        self.view = network.view
        self.debounce = debounce
        self.now = now
        # False when the snapshots are computed by another process and adopted from files
        # (`stakenet.services.snapshots`): this process then never computes one.
        self.computes = computes
        self._dirty = asyncio.Event()
        self._ready = asyncio.Event()
        self._adopted = asyncio.Condition()
        # One past snapshot is computed at a time: a burst of asOf queries for new dates
        # queues here instead of taking every worker thread and both cores.
        self._past = anyio.CapacityLimiter(1)
        # Where a process other than this one computes the past (`PastFromWorker`): it is given
        # an instant and this process's revision and returns the analytics of then. Each
        # computation of the past is a task of its own, so a request that stops waiting (its
        # deadline) leaves it to finish and be kept for the next question.
        self.past_from: Callable[[datetime, int], Awaitable[AnalyticsState]] | None = None
        self._past_tasks: dict[tuple[datetime, int], asyncio.Task[AnalyticsState]] = {}
        self.refreshes = 0
        self.adoptions = 0
        self.past_adoptions = 0
        # Called with each new snapshot, in order, after it became the current one (alerts).
        self.after_refresh: list[Callable[[AnalyticsState], Awaitable[object]]] = []
        # Called with each snapshot adopted from another process, after it became current.
        self.after_adoption: list[Callable[[AnalyticsState], Awaitable[object]]] = []
        network.subscribe(self._on_change)

    def _on_change(self, event: GraphChanged) -> None:
        self._dirty.set()

    @property
    def state(self) -> AnalyticsState | None:
        """The latest snapshot, None before the first refresh."""
        return self.view.analytics

    @property
    def revision(self) -> int | None:
        state = self.view.analytics
        return state.revision if state else None

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
        """Compute a snapshot of the network as it is now; where another process computes
        them, wait (at most `FIRST_SNAPSHOT_WAIT`) for its snapshot of the current revision."""
        if not self.computes:
            return await self._caught_up(self.view.revision)
        state = await anyio.to_thread.run_sync(self.view.refresh, self.now())
        self.refreshes += 1
        self._ready.set()
        log.info(
            "analytics snapshot at revision %d in %.2fs",
            state.revision,
            sum(state.snapshot.timings.values()),
        )
        await _follow_up(self.after_refresh, state)
        return state

    async def adopt(self, state: AnalyticsState) -> bool:
        """Make `state`, computed by another process, the current snapshot (warmed in a worker
        thread) unless a newer one is current; True if it became current."""
        adopted = await anyio.to_thread.run_sync(self.view.adopt, state)
        if not adopted:
            return False
        self.adoptions += 1
        self._ready.set()
        async with self._adopted:
            self._adopted.notify_all()
        log.info("analytics snapshot of revision %d adopted", state.revision)
        await _follow_up(self.after_adoption, state)
        return True

    async def _caught_up(self, revision: int) -> AnalyticsState:
        def reached() -> bool:
            state = self.view.analytics
            return state is not None and state.revision >= revision

        with contextlib.suppress(TimeoutError):
            async with self._adopted:
                await asyncio.wait_for(self._adopted.wait_for(reached), FIRST_SNAPSHOT_WAIT)
        return await self.current()

    async def current(self) -> AnalyticsState:
        if self.view.analytics is None:
            try:
                await asyncio.wait_for(self._ready.wait(), FIRST_SNAPSHOT_WAIT)
            except TimeoutError:
                raise StoreUnavailable(
                    "Analytics are still being computed; retry shortly."
                ) from None
        state = self.view.analytics
        assert state is not None
        return state

    async def at(self, as_of: datetime | None) -> AnalyticsState:
        """The current snapshot, or with `as_of` the analytics of the network as it stood
        then: kept from an earlier question, or computed (one at a time, by `past_from` or in
        a worker thread); a new date is refused while `MAX_PAST_PENDING` others are."""
        if as_of is None:
            return await self.current()
        moment = self.past_instant(as_of)
        current = self.view.analytics
        # An instant after the current snapshot, with no write since, is answered by it: the
        # answer says the snapshot's own instant.
        if (
            current is not None
            and current.revision == self.view.revision
            and moment >= current.as_of
        ):
            return current
        kept = self.view.kept_past(moment)
        if kept is not None:
            return kept
        key = (moment, self.view.revision)
        task = self._past_tasks.get(key)
        if task is None:
            if len(self._past_tasks) >= MAX_PAST_PENDING:
                raise StoreUnavailable(
                    f"The analytics of {MAX_PAST_PENDING} other past dates are being computed; "
                    "ask about this one again once they are answered."
                )
            task = asyncio.create_task(self._compute_past(*key), name="past-analytics")
            self._past_tasks[key] = task
            task.add_done_callback(self._past_done)
        return await asyncio.shield(task)

    def _past_done(self, task: asyncio.Task[AnalyticsState]) -> None:
        for key, running in list(self._past_tasks.items()):
            if running is task:
                del self._past_tasks[key]
        # Every request waiting for it may have stopped waiting (their deadline): its error,
        # if any, was theirs to see, and is not logged as never retrieved.
        if not task.cancelled():
            task.exception()

    async def _compute_past(self, moment: datetime, revision: int) -> AnalyticsState:
        if self.past_from is None:
            return await anyio.to_thread.run_sync(self.view.past, moment, limiter=self._past)
        state = await self.past_from(moment, revision)
        await anyio.to_thread.run_sync(self.view.keep_past, moment, revision, state)
        self.past_adoptions += 1
        return state

    def past_instant(self, as_of: datetime, argument: str = "asOf") -> datetime:
        """`as_of` in UTC (a naive one read as UTC), refused when it lies in the future."""
        moment = instant(as_of)
        if moment > self.now():
            message = f"'{argument}' must not be in the future, got {moment.isoformat()}."
            raise ValidationFailed([Issue(argument, message)])
        return moment

    async def metrics_of(
        self, stakeholder_id: str, as_of: datetime | None = None
    ) -> Answer[NodeMetrics] | None:
        """One stakeholder's metrics, now (None before the first snapshot) or as of a past
        instant."""
        if as_of is None:
            state = self.view.analytics
            if state is None:
                return None
        else:
            state = await self.at(as_of)
        metrics = state.metrics_of(stakeholder_id)
        return Answer(metrics, state.revision, state.as_of) if metrics else None

    def kind_of(self, stakeholder_id: str) -> StakeholderKind | None:
        """The kind of a stakeholder of the latest snapshot (a kind never changes)."""
        state = self.view.analytics
        return state.kind_of(stakeholder_id) if state else None

    async def _in_thread(
        self,
        work: Callable[[AnalyticsState], T],
        arguments: Mapping[str, str | None] = _NONE,
        as_of: datetime | None = None,
    ) -> Answer[T]:
        """`work` in a worker thread on the current snapshot, or on the past one of `as_of`.
        `arguments` names the ids it was given (`{"toId": ...}`): a stakeholder of the wrong
        kind is blamed on its argument."""
        state = await self.at(as_of)
        try:
            value = await anyio.to_thread.run_sync(work, state)
        except AnalyticsError as error:
            raise domain_error(error, Request(arguments, _name_in(state))) from None
        return Answer(value, state.revision, state.as_of)

    def effective_strength(self, tie_id: str) -> float | None:
        state = self.view.analytics
        return state.snapshot.strengths.get(tie_id) if state else None

    async def tie_strength(self, tie_id: str, as_of: datetime | None) -> Answer[TieStrength | None]:
        """A tie's derived strength and its components, now or as of a past instant."""
        return await self._in_thread(lambda state: state.tie_strength(tie_id, as_of))

    async def key_decision_makers(
        self, org_id: str, limit: int, as_of: datetime | None = None
    ) -> Answer[list[DecisionMaker]]:
        _check_range("limit", limit, 1, MAX_RANKING)
        return await self._in_thread(
            lambda state: state.key_decision_makers(org_id, limit),
            {"organizationId": org_id},
            as_of,
        )

    async def introduction_paths(
        self,
        to_id: str,
        from_id: str | None,
        limit: int,
        max_hops: int,
        as_of: datetime | None = None,
    ) -> Answer[list[IntroductionPath]]:
        _check_range("limit", limit, 1, MAX_PATHS)
        _check_range("maxHops", max_hops, 1, MAX_HOPS)
        return await self._in_thread(
            lambda state: state.introduction_paths(to_id, from_id, limit, max_hops),
            {"toId": to_id, "fromId": from_id},
            as_of,
        )

    async def key_person_risks(
        self, org_id: str, as_of: datetime | None = None
    ) -> Answer[list[Risk]]:
        return await self._in_thread(
            lambda state: state.key_person_risks(org_id), {"organizationId": org_id}, as_of
        )

    async def what_if(
        self, org_id: str, remove_ids: Sequence[str], as_of: datetime | None = None
    ) -> Answer[WhatIfResult]:
        return await self._in_thread(
            lambda state: state.what_if(org_id, remove_ids), {"organizationId": org_id}, as_of
        )

    async def influence_ranking(
        self,
        kind: StakeholderKind | None,
        metric: str,
        first: int,
        as_of: datetime | None = None,
    ) -> Answer[list[tuple[str, float]]]:
        _check_range("first", first, 1, MAX_RANKING)
        if metric not in RANKED_NAMES:
            raise ValidationFailed([Issue("metric", f"Unknown metric '{metric}'.")])
        return await self._in_thread(lambda state: state.ranking(kind, metric, first), as_of=as_of)

    async def relationship_map(
        self, request: MapRequest, as_of: datetime
    ) -> tuple[Answer[RelationshipMap], AnalyticsState]:
        """The map around a stakeholder in the network as it stood at `as_of`, and the past
        analytics it was drawn from (their influence and activity size its nodes)."""
        check_map_request(request)
        state = await self.at(as_of)

        def draw(state: AnalyticsState) -> RelationshipMap:
            return state.relationship_map(
                request.center_id,
                depth=request.depth,
                limit=request.limit,
                tie_kinds={k.value for k in request.tie_kinds} or None,
                min_strength=request.min_strength,
            )

        try:
            found = await anyio.to_thread.run_sync(draw, state)
        except AnalyticsError as error:
            raise domain_error(error, Request({"centerId": request.center_id})) from None
        return Answer(found, state.revision, state.as_of), state

    async def ranked_by_influence(
        self,
        kind: StakeholderKind | None,
        search: str | None,
        tags: Sequence[str],
        internal: bool | None,
        updated_since: datetime | None,
    ) -> Answer[list[str]]:
        """Ids of the stakeholders matching a listing's filter, most influential first; the
        revision is the in-memory network's that the filter was applied to."""
        await self.current()
        where = ListingFilter(kind, search, tuple(tags), internal, updated_since)
        return await anyio.to_thread.run_sync(self.view.ranked_by_influence, where)

    async def relationship_health(
        self, org_id: str, start: datetime, end: datetime, interval: HealthInterval
    ) -> Answer[list[HealthPoint]]:
        """The relationship with an organisation interval by interval over ``[start, end)``."""
        first, last = self.past_instant(start, "from"), self.past_instant(end, "to")
        return await self._in_thread(
            lambda state: state.relationship_health(org_id, intervals(first, last, interval)),
            {"organizationId": org_id},
        )

    async def portfolio(self, first: int) -> Answer[list[AccountHealth]]:
        """The `first` accounts riskiest first, at the current snapshot's instant."""
        _check_range("first", first, 1, MAX_RANKING)
        return await self._in_thread(lambda state: state.portfolio(first))

    async def network_diff(
        self, start: datetime, end: datetime, org_id: str | None
    ) -> Answer[NetworkDiff]:
        """What changed between two instants: the dated changes of the ties, and with an
        organisation its decision-makers and key-person risks at both ends."""
        first, last = self.past_instant(start, "from"), self.past_instant(end, "to")
        arguments = {"organizationId": org_id}
        changes = await self._in_thread(lambda state: state.changes(first, last, org_id), arguments)
        if org_id is None:
            return Answer(NetworkDiff(first, last, changes.value), changes.revision, last)
        ends = []
        for moment in (first, last):
            ranked = await self._in_thread(
                lambda state: state.key_decision_makers(org_id, DIFF_DECISION_MAKERS),
                arguments,
                moment,
            )
            risks = await self._in_thread(
                lambda state: state.key_person_risks(org_id), arguments, moment
            )
            ends.append((ranked.value, risks.value))
        (before, risks_before), (after, risks_after) = ends
        opened = [
            r for r in risks_after if _risk_key(r) not in {_risk_key(x) for x in risks_before}
        ]
        closed = [
            r for r in risks_before if _risk_key(r) not in {_risk_key(x) for x in risks_after}
        ]
        diff = NetworkDiff(first, last, changes.value, before, after, opened, closed)
        return Answer(diff, changes.revision, last)

    async def communities(self, min_size: int) -> Answer[list[tuple[int, list[str]]]]:
        _check_range("minSize", min_size, 1, 1_000_000)
        return await self._in_thread(lambda state: state.communities(min_size))

    async def brokers(
        self, first: int, kind: StakeholderKind | None = None
    ) -> Answer[list[Broker]]:
        _check_range("first", first, 1, MAX_RANKING)
        return await self._in_thread(lambda state: state.brokers(first, kind))


def _risk_key(risk: Risk) -> tuple[str, str, str | None, str | None]:
    """What makes a risk the same one at two instants."""
    return (risk.kind, risk.decision_maker_id, risk.contact_id, risk.tie_id)


def _name_in(state: AnalyticsState) -> Callable[[str], str | None]:
    def name_of(stakeholder_id: str) -> str | None:
        facts = state.stakeholder(stakeholder_id)
        return facts.name if facts else None

    return name_of


def _check_range(name: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        raise ValidationFailed(
            [Issue(name, f"'{name}' must be between {low} and {high}, got {value}.")]
        )
