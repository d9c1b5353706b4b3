"""The alert service: evaluates the alerts after each analytics refresh, stores them, and pushes
the new ones to subscribers.

After a refresh the service reads the open alerts, has the analytics compare the new snapshot
with the previous evaluation (`stakenet.analytics.alerts`) in a worker thread, and stores what
they found in one write of the alert log. The previous evaluation lives in memory: the first
refresh after a start sets the baseline and raises nothing, while the open alerts, stored,
keep a cause from being raised twice across restarts and replicas. The clock check refreshes
the analytics every `check_interval` seconds even without writes, so that causes that come with
time alone (a tie cooling as its last interaction ages, a sentiment window moving) are raised.

Subscribers hear every alert stored since the last evaluation, by this process or another one
on the same database, on the event loop.

Alerts are evaluated where snapshots are computed: in a server whose analytics run in a thread,
or in the `stakenet analytics` worker. A server that adopts the worker's snapshot files
(`--analytics process` or `follow`) never evaluates them, so a cause is raised once however
many servers share the database; it pushes the alerts stored since its last push after each
snapshot it adopts.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import anyio.to_thread

from stakenet.analytics.alerts import AlertParams, Detection, Watch, detect
from stakenet.domain.access import Role
from stakenet.domain.alerts import Alert, AlertKind, AlertUpdate
from stakenet.services.access import require
from stakenet.services.analytics import AnalyticsService, AnalyticsState
from stakenet.services.ids import new_id
from stakenet.store.port import AlertFilter, AlertLog, Page, PageRequest, alert_cursor

log = logging.getLogger("stakenet.alerts")

AlertListener = Callable[[Alert], None]


class AlertService:
    """Alerts of the network: evaluated after every refresh, stored, listed and pushed."""

    def __init__(
        self,
        analytics: AnalyticsService,
        alert_log: AlertLog,
        *,
        params: AlertParams | None = None,
    ) -> None:
        self.analytics = analytics
        self.log = alert_log
        self.params = params or AlertParams()
        self._previous: Watch | None = None
        self._turn = asyncio.Lock()
        self._published_seq: int | None = None
        self._listeners: list[AlertListener] = []
        self.evaluations = 0
        analytics.after_refresh.append(self.evaluate)
        # A snapshot computed by another process was evaluated there: only push what it stored.
        analytics.after_adoption.append(self.publish_stored)

    # -- evaluating ------------------------------------------------------------------------

    async def evaluate(self, state: AnalyticsState) -> list[Alert]:
        """Compare `state` with the previous evaluation, store what changed, and tell the
        subscribers; the alerts this evaluation stored are returned."""
        async with self._turn:
            previous = self._previous
            moment = (state.revision, state.snapshot.computed_at)
            if previous is not None and moment < (previous.revision, previous.at):
                return []  # an older snapshot finished after a newer one
            if self._published_seq is None:
                self._published_seq = await self.log.last_alert_seq()
            open_alerts = await self.log.open_alerts()
            watch, detection = await anyio.to_thread.run_sync(
                self._detect, state, previous, open_alerts
            )
            update = AlertUpdate(
                raised=tuple(
                    Alert(
                        id=new_id(),
                        kind=cause.kind,
                        severity=cause.severity,
                        raised_at=watch.at,
                        revision=watch.revision,
                        organization_id=cause.organization_id,
                        stakeholder_ids=cause.stakeholder_ids,
                        explanation=cause.explanation,
                        fingerprint=cause.fingerprint,
                    )
                    for cause in detection.raised
                ),
                cleared=detection.cleared,
                at=watch.at,
            )
            stored = await self.log.record_alerts(update) if update.raised or update.cleared else []
            self._previous = watch
            self.evaluations += 1
            if stored or detection.cleared:
                log.info(
                    "alerts at revision %d: %d raised, %d cleared",
                    watch.revision,
                    len(stored),
                    len(detection.cleared),
                )
            await self._publish_new()
            return stored

    def _detect(
        self, state: AnalyticsState, previous: Watch | None, open_alerts: list[Alert]
    ) -> tuple[Watch, Detection]:
        watch = state.alert_watch(self.params)
        return watch, detect(previous, watch, open_alerts)

    async def check_periodically(self, interval: float) -> None:
        """Refresh the analytics, and so evaluate the alerts against the clock, every
        `interval` seconds, forever."""
        while True:
            await asyncio.sleep(interval)
            try:
                await self.analytics.refresh()
            except Exception:  # keep checking: the next check may find the store back
                log.exception("the alert clock check failed; trying again later")

    # -- pushing ---------------------------------------------------------------------------

    async def publish_stored(self, state: AnalyticsState) -> None:
        """Tell the subscribers about the alerts stored since the last push, by whichever
        process evaluated them."""
        async with self._turn:
            if self._published_seq is None:
                self._published_seq = await self.log.last_alert_seq()
            await self._publish_new()

    def subscribe(self, listener: AlertListener) -> None:
        """Call `listener` with every alert stored from now on (on the event loop)."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: AlertListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    async def _publish_new(self) -> None:
        seq = self._published_seq or 0
        while True:
            page = await self.log.alerts(AlertFilter(), PageRequest(100, alert_cursor(seq)))
            for alert in page.items:
                seq = alert.seq
                for listener in list(self._listeners):
                    listener(alert)
            self._published_seq = seq
            if not page.has_next_page:
                return

    # -- reading ---------------------------------------------------------------------------

    async def alerts(
        self,
        organization_id: str | None,
        kinds: tuple[AlertKind, ...],
        page: PageRequest,
    ) -> Page[Alert]:
        """Stored alerts, oldest first (every role may read them)."""
        require(Role.VIEWER, "Reading alerts")
        page.check()
        return await self.log.alerts(AlertFilter(organization_id, kinds), page)
