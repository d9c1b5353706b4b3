"""The analytics service: snapshots of the network's scores, refreshed in the background.

After writes, the refresher waits for the burst to settle (`debounce`) and has the read model
(`NetworkView.refresh`) compute a snapshot of every global metric in a worker thread; a burst
of writes costs one recomputation. Queries are answered from the latest snapshot and the graph
copy it was computed on, so every answer is consistent with one revision, which it reports. A
query only waits when no snapshot exists yet (right after start).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TypeVar

import anyio.to_thread

from stakenet.analytics.communities import Broker
from stakenet.analytics.decision_makers import DecisionMaker as DecisionMaker
from stakenet.analytics.errors import AnalyticsError
from stakenet.analytics.metrics import METRICS as METRICS
from stakenet.analytics.metrics import RANKED_METRICS as RANKED_METRICS
from stakenet.analytics.metrics import MetricSpec as MetricSpec
from stakenet.analytics.network_view import AnalyticsState as AnalyticsState
from stakenet.analytics.network_view import GraphChanged, ListingFilter
from stakenet.analytics.paths import IntroductionPath as IntroductionPath
from stakenet.analytics.paths import PathLink as PathLink
from stakenet.analytics.risks import Risk
from stakenet.analytics.snapshot import NodeMetrics
from stakenet.analytics.strength import TieStrength
from stakenet.analytics.whatif import WhatIfResult
from stakenet.domain.errors import Issue, StoreUnavailable, ValidationFailed
from stakenet.domain.model import StakeholderKind
from stakenet.services.analytics_errors import Request, domain_error
from stakenet.services.network import Answer, NetworkService

log = logging.getLogger("stakenet.analytics")
T = TypeVar("T")

RANKED_NAMES = frozenset(m.name for m in RANKED_METRICS)
MAX_RANKING = 100
MAX_PATHS = 20
MAX_HOPS = 6
FIRST_SNAPSHOT_WAIT = 60.0
_NONE: Mapping[str, str | None] = {}


def _utc_now() -> datetime:
    return datetime.now(UTC)


class AnalyticsService:
    def __init__(
        self,
        network: NetworkService,
        *,
        debounce: float = 0.3,
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.network = network
        self.view = network.view
        self.debounce = debounce
        self.now = now
        self._dirty = asyncio.Event()
        self._ready = asyncio.Event()
        self.refreshes = 0
        # Called with each new snapshot, in order, after it became the current one (alerts).
        self.after_refresh: list[Callable[[AnalyticsState], Awaitable[object]]] = []
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
        state = await anyio.to_thread.run_sync(self.view.refresh, self.now())
        self.refreshes += 1
        self._ready.set()
        log.info(
            "analytics snapshot at revision %d in %.2fs",
            state.revision,
            sum(state.snapshot.timings.values()),
        )
        for follow_up in self.after_refresh:
            try:
                await follow_up(state)
            except Exception:
                log.exception("a follow-up of the analytics refresh failed; the snapshot stands")
        return state

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

    def metrics_of(self, stakeholder_id: str) -> tuple[NodeMetrics, int] | None:
        state = self.view.analytics
        if state is None:
            return None
        metrics = state.metrics_of(stakeholder_id)
        return (metrics, state.revision) if metrics else None

    def kind_of(self, stakeholder_id: str) -> StakeholderKind | None:
        """The kind of a stakeholder of the latest snapshot (a kind never changes)."""
        state = self.view.analytics
        return state.kind_of(stakeholder_id) if state else None

    async def _in_thread(
        self, work: Callable[[AnalyticsState], T], arguments: Mapping[str, str | None] = _NONE
    ) -> Answer[T]:
        """`work` on the current snapshot in a worker thread. `arguments` names the ids it was
        given (`{"toId": ...}`): a stakeholder of the wrong kind is blamed on its argument."""
        state = await self.current()
        try:
            value = await anyio.to_thread.run_sync(work, state)
        except AnalyticsError as error:
            raise domain_error(error, Request(arguments, _name_in(state))) from None
        return Answer(value, state.revision)

    def effective_strength(self, tie_id: str) -> float | None:
        state = self.view.analytics
        return state.snapshot.strengths.get(tie_id) if state else None

    async def tie_strength(self, tie_id: str, as_of: datetime | None) -> Answer[TieStrength | None]:
        """A tie's derived strength and its components, now or as of a past instant."""
        return await self._in_thread(lambda state: state.tie_strength(tie_id, as_of))

    async def key_decision_makers(self, org_id: str, limit: int) -> Answer[list[DecisionMaker]]:
        _check_range("limit", limit, 1, MAX_RANKING)
        return await self._in_thread(
            lambda state: state.key_decision_makers(org_id, limit), {"organizationId": org_id}
        )

    async def introduction_paths(
        self, to_id: str, from_id: str | None, limit: int, max_hops: int
    ) -> Answer[list[IntroductionPath]]:
        _check_range("limit", limit, 1, MAX_PATHS)
        _check_range("maxHops", max_hops, 1, MAX_HOPS)
        return await self._in_thread(
            lambda state: state.introduction_paths(to_id, from_id, limit, max_hops),
            {"toId": to_id, "fromId": from_id},
        )

    async def key_person_risks(self, org_id: str) -> Answer[list[Risk]]:
        return await self._in_thread(
            lambda state: state.key_person_risks(org_id), {"organizationId": org_id}
        )

    async def what_if(self, org_id: str, remove_ids: Sequence[str]) -> Answer[WhatIfResult]:
        return await self._in_thread(
            lambda state: state.what_if(org_id, remove_ids), {"organizationId": org_id}
        )

    async def influence_ranking(
        self, kind: StakeholderKind | None, metric: str, first: int
    ) -> Answer[list[tuple[str, float]]]:
        _check_range("first", first, 1, MAX_RANKING)
        if metric not in RANKED_NAMES:
            raise ValidationFailed([Issue("metric", f"Unknown metric '{metric}'.")])
        return await self._in_thread(lambda state: state.ranking(kind, metric, first))

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

    async def communities(self, min_size: int) -> Answer[list[tuple[int, list[str]]]]:
        _check_range("minSize", min_size, 1, 1_000_000)
        return await self._in_thread(lambda state: state.communities(min_size))

    async def brokers(
        self, first: int, kind: StakeholderKind | None = None
    ) -> Answer[list[Broker]]:
        _check_range("first", first, 1, MAX_RANKING)
        return await self._in_thread(lambda state: state.brokers(first, kind))


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
