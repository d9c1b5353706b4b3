"""Alerts in the schema: the `alerts` listing, to catch up, and the `alertRaised` subscription.

Every authenticated caller may read alerts, whatever their role: an alert names stakeholders and
explains the analytics in words, and holds nothing a viewer may not see (no notes). Alerts are
stored apart from the graph revision, so the listing is never answered from the response cache.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry

from stakenet.api.caching import NOT_CACHEABLE
from stakenet.api.subscriptions import QUEUE_SIZE, REVALIDATE_EVERY, end_if_revoked
from stakenet.api.types import (
    Info,
    PageInfo,
    Stakeholder,
    stakeholder_id,
    stakeholder_type,
)
from stakenet.domain import alerts as domain
from stakenet.services.network import PageRequest

AlertKind = strawberry.enum(
    domain.AlertKind,
    description="What got worse: a tie to a top decision-maker went cold, our coverage of the "
    "top decision-makers dropped, a decision-maker now hangs on one warm contact, the top "
    "decision-makers changed, or recent sentiment fell (docs/analytics.md).",
)
AlertSeverity = strawberry.enum(
    domain.AlertSeverity, description="How urgent an alert is (rules in docs/analytics.md)."
)


@strawberry.type(
    description="Something that got worse in our access to an organisation; raised once per "
    "cause, after the analytics refresh that found it."
)
class Alert:
    id: strawberry.ID = strawberry.field(description="The alert's id.")
    kind: AlertKind = strawberry.field(description="What happened.")  # type: ignore[valid-type]
    severity: AlertSeverity = strawberry.field(  # type: ignore[valid-type]
        description="How urgent it is."
    )
    raised_at: datetime = strawberry.field(description="When the evaluation that raised it ran.")
    revision: int = strawberry.field(description="The graph revision it was found at.")
    explanation: str = strawberry.field(description="A sentence for the relationship manager.")
    cleared_at: datetime | None = strawberry.field(
        description="When an evaluation found the cause gone; null while it holds."
    )
    organization_id: strawberry.Private[str]
    stakeholder_ids: strawberry.Private[tuple[str, ...]]

    @strawberry.field(description="The organisation; null if it was deleted since.")
    async def organization(self, info: Info) -> Stakeholder | None:
        entity = await info.context.loaders.stakeholder_by_id.load(self.organization_id)
        return stakeholder_type(entity) if entity is not None else None

    @strawberry.field(
        description="The people the alert is about, in the order its explanation names them; "
        "those deleted since are left out."
    )
    async def stakeholders(self, info: Info) -> list[Stakeholder]:
        found = await info.context.loaders.stakeholder_by_id.load_many(list(self.stakeholder_ids))
        return [stakeholder_type(entity) for entity in found if entity is not None]


def alert_type(alert: domain.Alert) -> Alert:
    return Alert(
        id=strawberry.ID(alert.id),
        kind=alert.kind,
        severity=alert.severity,
        raised_at=alert.raised_at,
        revision=alert.revision,
        explanation=alert.explanation,
        cleared_at=alert.cleared_at,
        organization_id=alert.organization_id,
        stakeholder_ids=alert.stakeholder_ids,
    )


@strawberry.type(description="An alert in a connection, with its cursor.")
class AlertEdge:
    cursor: str = strawberry.field(description="Pass as `after` to continue after this alert.")
    node: Alert = strawberry.field(description="The alert.")


@strawberry.type(description="A page of alerts, oldest first.")
class AlertConnection:
    edges: list[AlertEdge] = strawberry.field(description="The alerts of this page.")
    page_info: PageInfo = strawberry.field(description="Paging information.")
    total_count: int = strawberry.field(description="How many alerts match in all.")


@strawberry.type
class AlertsQuery:
    # Alerts are stored without a graph revision (and by other replicas): never cached.
    @strawberry.field(
        description="Stored alerts, oldest first; pass the last cursor seen as `after` to catch "
        "up on what was raised since. Filtered by organisation and kinds when given.",
        metadata=NOT_CACHEABLE,
    )
    async def alerts(
        self,
        info: Info,
        organization_id: strawberry.ID | None = None,
        kinds: list[AlertKind] | None = None,  # type: ignore[valid-type]
        first: int = 50,
        after: str | None = None,
    ) -> AlertConnection:
        org = stakeholder_id(organization_id, "organizationId") if organization_id else None
        page = await info.context.services.alerts.alerts(
            org,
            tuple(domain.AlertKind(kind) for kind in dict.fromkeys(kinds or ())),
            PageRequest(first=first, after=after),
        )
        return AlertConnection(
            edges=[
                AlertEdge(cursor=cursor, node=alert_type(alert))
                for alert, cursor in zip(page.items, page.cursors, strict=True)
            ],
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=after is not None,
                start_cursor=page.cursors[0] if page.cursors else None,
                end_cursor=page.cursors[-1] if page.cursors else None,
            ),
            total_count=page.total_count,
        )


@strawberry.type
class AlertSubscription:
    @strawberry.subscription(
        description="Each alert as it is stored, by this server or another on the same "
        "database; with `organizationIds`, only alerts about those organisations. A client "
        "that was away catches up with `alerts(after:)`."
    )
    async def alert_raised(
        self, info: Info, organization_ids: list[strawberry.ID] | None = None
    ) -> AsyncGenerator[Alert, None]:
        wanted = (
            None
            if organization_ids is None
            else {
                stakeholder_id(global_id, f"organizationIds[{i}]")
                for i, global_id in enumerate(organization_ids)
            }
        )
        context = info.context
        service = context.services.alerts
        queue: asyncio.Queue[domain.Alert] = asyncio.Queue(QUEUE_SIZE)

        def on_alert(alert: domain.Alert) -> None:
            if wanted is not None and alert.organization_id not in wanted:
                return
            if queue.full():  # a reader that stops reading loses the oldest, never the newest
                queue.get_nowait()
            queue.put_nowait(alert)

        service.subscribe(on_alert)
        try:
            while True:
                try:
                    alert: domain.Alert | None = await asyncio.wait_for(
                        queue.get(), REVALIDATE_EVERY
                    )
                except TimeoutError:
                    alert = None
                await end_if_revoked(context)
                if alert is not None:
                    yield alert_type(alert)
        finally:
            service.unsubscribe(on_alert)
