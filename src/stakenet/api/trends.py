"""GraphQL types and queries of the network over time: what changed between two dates, the
health of a relationship interval by interval, and the portfolio of accounts by risk."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from enum import Enum
from typing import Annotated

import strawberry

from stakenet.api.analytics import (
    DecisionMaker,
    KeyPersonRisk,
    decision_maker_types,
    risk_type,
    stored_decision_makers,
    stored_risks,
)
from stakenet.api.caching import CACHEABLE
from stakenet.api.ids import to_global_id
from stakenet.api.types import (
    Info,
    PageInfo,
    Person,
    Stakeholder,
    Tie,
    load_stakeholder,
    offset_cursor,
    page_info,
    paginate,
    stakeholder_id,
    stakeholder_type,
    stored_stakeholder_ids,
    tie_type,
)
from stakenet.services.analytics import AccountHealth as AccountHealthResult
from stakenet.services.analytics import DecisionMaker as DecisionMakerResult
from stakenet.services.analytics import HealthInterval as DomainHealthInterval
from stakenet.services.analytics import HealthPoint as HealthPointResult
from stakenet.services.analytics import NetworkDiff as NetworkDiffResult
from stakenet.services.analytics import Risk as RiskResult
from stakenet.services.analytics import TieChange as TieChangeResult


@strawberry.enum(description="How long each point of a relationship's health covers.")
class HealthInterval(Enum):
    WEEK = "WEEK"
    MONTH = "MONTH"
    QUARTER = "QUARTER"


@strawberry.type(description="A tie that started or ended on a date.")
class TieChange:
    change: strawberry.Private[TieChangeResult]
    on: date = strawberry.field(
        description="The day it started (its `since`), or the first day it no longer held."
    )
    kind: str = strawberry.field(description="The tie's kind.")

    @strawberry.field(description="Global id of the tie.")
    def tie_id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("Tie", self.change.tie_id))

    @strawberry.field(description="The tie; null if it is no longer readable.")
    async def tie(self, info: Info) -> Tie | None:
        found = await info.context.loaders.tie_by_id.load(self.change.tie_id)
        return tie_type(found) if found else None

    @strawberry.field(description="The tie's source: the person, for a change of membership.")
    async def source(self, info: Info) -> Stakeholder:
        return await load_stakeholder(info, self.change.source)

    @strawberry.field(description="The tie's target: the organisation, for a change of membership.")
    async def target(self, info: Info) -> Stakeholder:
        return await load_stakeholder(info, self.change.target)


@strawberry.type(description="A tie change in a connection, with its cursor.")
class TieChangeEdge:
    cursor: str = strawberry.field(description="Pass as `after` to continue after this item.")
    node: TieChange = strawberry.field(description="The change.")


@strawberry.type(description="A page of tie changes, by date.")
class TieChangeConnection:
    edges: list[TieChangeEdge] = strawberry.field(description="The items of this page.")
    page_info: PageInfo = strawberry.field(description="Paging information.")
    total_count: int = strawberry.field(description="How many changes there are in all.")


async def _page(
    info: Info, changes: list[TieChangeResult], first: int, after: str | None
) -> TieChangeConnection:
    """A page of `changes`, without those of a stakeholder deleted since the snapshot they
    were read from (see `stored_stakeholder_ids`); the cursors and the count stay the
    snapshot's."""
    items, start, has_next = paginate(changes, first, after)
    stored = await stored_stakeholder_ids(info, (e for c in items for e in (c.source, c.target)))
    return TieChangeConnection(
        edges=[
            TieChangeEdge(
                cursor=offset_cursor(start + i),
                node=TieChange(change=c, on=c.on, kind=c.kind),
            )
            for i, c in enumerate(items)
            if c.source in stored and c.target in stored
        ],
        page_info=page_info(start, len(items), has_next),
        total_count=len(changes),
    )


@strawberry.type(
    description=(
        "What changed between two instants: ties started and ended, people who joined or left, "
        "and for an organisation its decision-makers and key-person risks at both ends."
    )
)
class NetworkDiff:
    diff: strawberry.Private[NetworkDiffResult]
    from_: datetime = strawberry.field(name="from", description="The window's start.")
    to: datetime = strawberry.field(description="The window's end.")
    revision: int = strawberry.field(description="The graph revision of the answer.")

    @strawberry.field(
        description="People whose employment or board tie to the organisation started."
    )
    async def joined(
        self, info: Info, first: int = 100, after: str | None = None
    ) -> TieChangeConnection:
        return await _page(info, self.diff.changes.joined, first, after)

    @strawberry.field(description="People whose employment or board tie to the organisation ended.")
    async def left(
        self, info: Info, first: int = 100, after: str | None = None
    ) -> TieChangeConnection:
        return await _page(info, self.diff.changes.left, first, after)

    @strawberry.field(description="Ties that started in the window.")
    async def ties_started(
        self, info: Info, first: int = 100, after: str | None = None
    ) -> TieChangeConnection:
        return await _page(info, self.diff.changes.ties_started, first, after)

    @strawberry.field(description="Ties that ended in the window.")
    async def ties_ended(
        self, info: Info, first: int = 100, after: str | None = None
    ) -> TieChangeConnection:
        return await _page(info, self.diff.changes.ties_ended, first, after)

    @strawberry.field(
        description="The organisation's top ten decision-makers at `from`; null without one."
    )
    def decision_makers_before(self) -> list[DecisionMaker] | None:
        ranked = self.diff.decision_makers_before
        if ranked is None:
            return None
        return decision_maker_types(ranked, self.revision, self.from_)

    @strawberry.field(
        description="The organisation's top ten decision-makers at `to`; null without one."
    )
    def decision_makers_after(self) -> list[DecisionMaker] | None:
        ranked = self.diff.decision_makers_after
        if ranked is None:
            return None
        return decision_maker_types(ranked, self.revision, self.to)

    @strawberry.field(description="Key-person risks open at `to` and not at `from`.")
    def risks_opened(self) -> list[KeyPersonRisk] | None:
        risks = self.diff.risks_opened
        if risks is None:
            return None
        return [risk_type(r, self.revision, self.to) for r in risks]

    @strawberry.field(description="Key-person risks open at `from` and no longer at `to`.")
    def risks_closed(self) -> list[KeyPersonRisk] | None:
        risks = self.diff.risks_closed
        if risks is None:
            return None
        return [risk_type(r, self.revision, self.from_) for r in risks]


@strawberry.type(description="Our relationship with an organisation over one interval.")
class HealthPoint:
    point: strawberry.Private[HealthPointResult]
    start: datetime = strawberry.field(description="The interval's start (included).")
    end: datetime = strawberry.field(description="The interval's end (excluded).")
    interactions: int = strawberry.field(
        description=(
            "Interactions in the interval with the organisation or anyone employed or on its "
            "board at the time."
        )
    )
    mean_sentiment: float | None = strawberry.field(
        description="Their mean recorded sentiment, -1..1; null when none has one."
    )
    coverage: float = strawberry.field(
        description=(
            "Share (0..1) of the top five decision-makers at the interval's end whom one of "
            "our people reaches by a warm tie (strength at least 0.2)."
        )
    )
    best_path_strength: float | None = strawberry.field(
        description="Our strongest introduction path to the top decision-maker then; null if none."
    )
    decision_makers: int = strawberry.field(
        description="How many top decision-makers the coverage counts (at most five)."
    )
    revision: int = strawberry.field(description="The graph revision of the answer.")

    @strawberry.field(description="The first decision-maker at the interval's end.")
    async def top_decision_maker(self, info: Info) -> Person | None:
        if self.point.top_decision_maker is None:
            return None
        found = await info.context.loaders.stakeholder_by_id.load(self.point.top_decision_maker)
        # Deleted after the snapshot the point was computed from: no one to name.
        if found is None:
            return None
        person = stakeholder_type(found)
        return person if isinstance(person, Person) else None


@strawberry.type(description="An account: an organisation we work with, and how it is going.")
class AccountHealth:
    account: strawberry.Private[AccountHealthResult]
    rank: int = strawberry.field(description="1 for the account most at risk.")
    risk: float = strawberry.field(description="0..1; what orders the portfolio (see the docs).")
    coverage: float = strawberry.field(
        description="Share of the top decision-makers we reach by a warm tie, now."
    )
    coverage_before: float = strawberry.field(description="The same 90 days ago.")
    coverage_trend: float = strawberry.field(description="coverage − coverageBefore.")
    interactions: int = strawberry.field(description="Interactions in the last 90 days.")
    interactions_before: int = strawberry.field(description="Interactions in the 90 days before.")
    mean_sentiment: float | None = strawberry.field(
        description="Mean sentiment of the last 90 days; null when none was recorded."
    )
    mean_sentiment_before: float | None = strawberry.field(
        description="Mean sentiment of the 90 days before."
    )
    sentiment_trend: float | None = strawberry.field(
        description="meanSentiment − meanSentimentBefore; null unless both are known."
    )
    explanation: str = strawberry.field(description="Why the account stands where it does.")
    revision: int = strawberry.field(description="The graph revision of the answer.")
    as_of: datetime = strawberry.field(description="The instant the account is read at.")

    @strawberry.field(description="The organisation.")
    async def organization(self, info: Info) -> Stakeholder:
        return await load_stakeholder(info, self.account.org_id)

    @strawberry.field(description="Its key-person risks open now, most severe first.")
    def open_risks(self) -> list[KeyPersonRisk]:
        return [risk_type(r, self.revision, self.as_of) for r in self.account.open_risks]


@strawberry.type
class TrendsQuery:
    @strawberry.field(
        description=(
            "What changed between two instants; with `organizationId`, at that organisation, "
            "else in the whole network (a page at a time)."
        ),
        metadata=CACHEABLE,
    )
    async def network_diff(
        self,
        info: Info,
        from_: Annotated[datetime, strawberry.argument(name="from")],
        to: datetime,
        organization_id: strawberry.ID | None = None,
    ) -> NetworkDiff:
        org = stakeholder_id(organization_id, "organizationId") if organization_id else None
        answer = await info.context.services.analytics.network_diff(from_, to, org)
        diff = await _stored_diff(info, answer.value)
        return NetworkDiff(diff=diff, from_=diff.start, to=diff.end, revision=answer.revision)

    @strawberry.field(
        description="Our relationship with an organisation, one point per interval.",
        metadata=CACHEABLE,
    )
    async def relationship_health(
        self,
        info: Info,
        organization_id: strawberry.ID,
        from_: Annotated[datetime, strawberry.argument(name="from")],
        to: datetime,
        interval: HealthInterval = HealthInterval.MONTH,
    ) -> list[HealthPoint]:
        org = stakeholder_id(organization_id, "organizationId")
        answer = await info.context.services.analytics.relationship_health(
            org, from_, to, DomainHealthInterval(interval.value)
        )
        return [
            HealthPoint(
                point=p,
                start=p.start,
                end=p.end,
                interactions=p.interactions,
                mean_sentiment=p.mean_sentiment,
                coverage=p.coverage,
                best_path_strength=p.best_path_strength,
                decision_makers=p.decision_makers,
                revision=answer.revision,
            )
            for p in answer.value
        ]

    @strawberry.field(
        description="Every organisation we work with, the one most at risk first.",
        metadata=CACHEABLE,
    )
    async def portfolio(self, info: Info, first: int = 20) -> list[AccountHealth]:
        answer = await info.context.services.analytics.portfolio(first)
        as_of = answer.as_of
        assert as_of is not None
        stored = await stored_stakeholder_ids(info, (a.org_id for a in answer.value))
        accounts = [
            dataclasses.replace(a, open_risks=tuple(await stored_risks(info, a.open_risks)))
            for a in answer.value
            if a.org_id in stored
        ]
        return [
            AccountHealth(
                account=a,
                rank=i,
                risk=a.risk,
                coverage=a.coverage,
                coverage_before=a.coverage_before,
                coverage_trend=a.coverage_trend,
                interactions=a.interactions,
                interactions_before=a.interactions_before,
                mean_sentiment=a.mean_sentiment,
                mean_sentiment_before=a.mean_sentiment_before,
                sentiment_trend=a.sentiment_trend,
                explanation=a.explanation,
                revision=answer.revision,
                as_of=as_of,
            )
            for i, a in enumerate(accounts, start=1)
        ]


async def _stored_diff(info: Info, diff: NetworkDiffResult) -> NetworkDiffResult:
    """`diff` without the decision-makers and risks of stakeholders deleted since the snapshot
    it was computed from (see `stored_stakeholder_ids`; its changes are left out a page at a
    time, by `_page`)."""

    async def ranked(found: list[DecisionMakerResult] | None) -> list[DecisionMakerResult] | None:
        return None if found is None else await stored_decision_makers(info, found)

    async def risks(found: list[RiskResult] | None) -> list[RiskResult] | None:
        return None if found is None else await stored_risks(info, found)

    return dataclasses.replace(
        diff,
        decision_makers_before=await ranked(diff.decision_makers_before),
        decision_makers_after=await ranked(diff.decision_makers_after),
        risks_opened=await risks(diff.risks_opened),
        risks_closed=await risks(diff.risks_closed),
    )
