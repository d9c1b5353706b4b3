"""GraphQL types and queries of the analytics: decision-makers, paths, risks, rankings.

Every answer comes from one analytics snapshot; `networkStats.analyticsRevision` and the
`revision` fields say which graph revision it reflects.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import Enum
from typing import Annotated, TypeVar, cast

import strawberry

from stakenet.api.caching import CACHEABLE
from stakenet.api.ids import from_global_id, to_global_id
from stakenet.api.types import (
    TYPE_NAMES,
    Info,
    Person,
    Stakeholder,
    StakeholderKind,
    Tie,
    kind_filter,
    load_stakeholder,
    load_stakeholders,
    stakeholder_id,
    stakeholder_type,
    stored_stakeholder_ids,
    tie_type,
)
from stakenet.domain.model import StakeholderKind as DomainKind
from stakenet.services.analytics import RANKED_METRICS, Answer
from stakenet.services.analytics import DecisionMaker as DecisionMakerResult
from stakenet.services.analytics import IntroductionPath as PathResult
from stakenet.services.analytics import PathLink as PathLinkResult
from stakenet.services.analytics import Risk as RiskResult

T = TypeVar("T")

Metric = strawberry.enum(
    cast("type[Enum]", Enum("Metric", [(m.name.upper(), m.name) for m in RANKED_METRICS])),
    description="A score to rank stakeholders by.",
)
"""The metrics of the registry offered for ranking (`RANKED_METRICS`), by their upper-case names."""


@strawberry.enum(description="What kind of exposure a key-person risk is.")
class RiskKind(Enum):
    NO_CONTACT = "NO_CONTACT"
    SINGLE_CONTACT = "SINGLE_CONTACT"
    SINGLE_RELATIONSHIP_OWNER = "SINGLE_RELATIONSHIP_OWNER"
    COLD_TIE = "COLD_TIE"


def stakeholder_gid(info: Info, stakeholder_id: str) -> strawberry.ID:
    """The global id of a stakeholder of the analytics snapshot (its kind names the type)."""
    kind = info.context.services.analytics.kind_of(stakeholder_id) or DomainKind.PERSON
    return strawberry.ID(to_global_id(TYPE_NAMES[kind], stakeholder_id))


@strawberry.type(description="One factor of an explained score: contribution = value × weight.")
class ScoreFactor:
    name: str = strawberry.field(description="The factor.")
    value: float = strawberry.field(description="Its value, 0..1.")
    weight: float = strawberry.field(description="Its weight in the score.")
    contribution: float = strawberry.field(description="value × weight.")
    detail: str | None = strawberry.field(description="Why it has this value, in words.")


@strawberry.type(description="A person who decides or sways decisions at an organisation.")
class DecisionMaker:
    result: strawberry.Private[DecisionMakerResult]
    rank: int = strawberry.field(description="1 for the highest score.")
    revision: int = strawberry.field(description="The graph revision of the ranking.")
    as_of: datetime = strawberry.field(description="The instant the answer describes.")

    @strawberry.field(description="The person.")
    async def person(self, info: Info) -> Person:
        found = await load_stakeholder(info, self.result.id)
        assert isinstance(found, Person)
        return found

    @strawberry.field(description="Sum of the factor contributions.")
    def score(self) -> float:
        return self.result.score

    @strawberry.field(description="How they relate: EMPLOYEE, BOARD, ADVISER or INFLUENCER.")
    def relation(self) -> str:
        return str(self.result.relation)

    @strawberry.field(description="Their strongest declared decision role, if any.")
    def decision_role(self) -> str | None:
        return self.result.decision_role

    @strawberry.field(description="The factors of the score.")
    def factors(self) -> list[ScoreFactor]:
        return [
            ScoreFactor(
                name=f.name,
                value=f.value,
                weight=f.weight,
                contribution=f.contribution,
                detail=f.detail or None,
            )
            for f in self.result.factors
        ]


@strawberry.type(description="One hop of an introduction path.")
class PathLink:
    link: strawberry.Private[PathLinkResult]
    source: strawberry.ID = strawberry.field(description="Global id of the person introducing.")
    target: strawberry.ID = strawberry.field(description="Global id of the person introduced.")

    @strawberry.field(description="A tie kind, or COLLEAGUE for an inferred same-employer link.")
    def kind(self) -> str:
        return self.link.kind

    @strawberry.field(description="Strength of the link, 0..1.")
    def strength(self) -> float:
        return self.link.strength

    @strawberry.field(description="The tie; null for an inferred colleague link.")
    async def tie(self, info: Info) -> Tie | None:
        if self.link.tie_id is None:
            return None
        found = await info.context.loaders.tie_by_id.load(self.link.tie_id)
        return tie_type(found) if found else None


@strawberry.type(description="A chain of people from one of ours to the target.")
class IntroductionPath:
    result: strawberry.Private[PathResult]
    revision: int = strawberry.field(description="The graph revision of the path.")
    as_of: datetime = strawberry.field(description="The instant the answer describes.")

    @strawberry.field(description="The people, from our side to the target's side.")
    async def steps(self, info: Info) -> list[Stakeholder]:
        return await load_stakeholders(info, list(self.result.steps))

    @strawberry.field(description="One link per hop; links[i] joins steps[i] to steps[i+1].")
    def links(self, info: Info) -> list[PathLink]:
        return [
            PathLink(
                link=link,
                source=stakeholder_gid(info, link.source),
                target=stakeholder_gid(info, link.target),
            )
            for link in self.result.links
        ]

    @strawberry.field(description="The declared ties of the path (inferred links left out).")
    async def ties(self, info: Info) -> list[Tie]:
        ids = [link.tie_id for link in self.result.links if link.tie_id]
        found = await info.context.loaders.tie_by_id.load_many(ids)
        return [tie_type(t) for t in found if t is not None]

    @strawberry.field(description="Product of the link strengths.")
    def strength(self) -> float:
        return self.result.strength

    @strawberry.field(description="Number of links.")
    def hops(self) -> int:
        return self.result.hops

    @strawberry.field(description="Index in `links` of the weakest link (-1 for no links).")
    def weakest_link_index(self) -> int:
        weakest = self.result.weakest_link
        return self.result.links.index(weakest) if weakest else -1

    @strawberry.field(description="The weakest declared tie; null if it is an inferred link.")
    async def weakest_link(self, info: Info) -> Tie | None:
        weakest = self.result.weakest_link
        if weakest is None or weakest.tie_id is None:
            return None
        found = await info.context.loaders.tie_by_id.load(weakest.tie_id)
        return tie_type(found) if found else None


@strawberry.type(description="Where we hang on one contact, one owner, or a cold tie.")
class KeyPersonRisk:
    kind: RiskKind = strawberry.field(description="What kind of exposure.")
    severity: float = strawberry.field(description="0..1; higher is worse.")
    explanation: str = strawberry.field(description="What it means, in words.")
    revision: int = strawberry.field(description="The graph revision of the analysis.")
    as_of: datetime = strawberry.field(description="The instant the answer describes.")
    decision_maker_id: strawberry.Private[str]
    contact_id: strawberry.Private[str | None]

    @strawberry.field(description="The decision-maker at risk.")
    async def decision_maker(self, info: Info) -> Stakeholder:
        return await load_stakeholder(info, self.decision_maker_id)

    @strawberry.field(description="The single contact, single owner, or other end of the tie.")
    async def contact(self, info: Info) -> Stakeholder | None:
        if self.contact_id is None:
            return None
        return await load_stakeholder(info, self.contact_id)


@strawberry.type(description="A stakeholder and its place in a ranking.")
class RankedStakeholder:
    rank: int = strawberry.field(description="1 for the top.")
    score: float = strawberry.field(description="The metric's value.")
    revision: int = strawberry.field(description="The graph revision of the ranking.")
    as_of: datetime = strawberry.field(description="The instant the answer describes.")
    stakeholder_id: strawberry.Private[str]

    @strawberry.field(description="The stakeholder.")
    async def stakeholder(self, info: Info) -> Stakeholder:
        return await load_stakeholder(info, self.stakeholder_id)


@strawberry.type(description="A group of stakeholders tied more closely to each other.")
class Community:
    id: strawberry.ID = strawberry.field(description="Community number (stable per revision).")
    size: int = strawberry.field(description="Number of members at the snapshot's revision.")
    member_ids: strawberry.Private[list[str]]

    @strawberry.field(description="The members, by name.")
    async def members(self, info: Info) -> list[Stakeholder]:
        # Without those deleted since the snapshot (see `stored_stakeholder_ids`).
        found = await info.context.loaders.stakeholder_by_id.load_many(self.member_ids)
        return [stakeholder_type(entity) for entity in found if entity is not None]


@strawberry.type(description="A broker between groups: high betweenness, low constraint.")
class Broker:
    score: float = strawberry.field(description="Broker score.")
    betweenness: float = strawberry.field(description="Betweenness centrality.")
    constraint: float | None = strawberry.field(description="Burt's constraint.")
    stakeholder_id: strawberry.Private[str]

    @strawberry.field(description="The stakeholder.")
    async def stakeholder(self, info: Info) -> Stakeholder:
        return await load_stakeholder(info, self.stakeholder_id)


@strawberry.type(description="How reaching one decision-maker changes in a what-if scenario.")
class DecisionMakerImpact:
    person_id: strawberry.Private[str]
    before: float = strawberry.field(description="Best path strength now (0: unreachable).")
    after: float = strawberry.field(description="Best path strength after the removal.")
    lost: float = strawberry.field(description="before − after.")
    reachable_after: bool = strawberry.field(description="Still reachable after the removal.")

    @strawberry.field(description="The decision-maker.")
    async def person(self, info: Info) -> Stakeholder:
        return await load_stakeholder(info, self.person_id)


@strawberry.type(
    description="What we would lose if some people or ties were gone. Nothing is written."
)
class WhatIf:
    impacts: list[DecisionMakerImpact] = strawberry.field(description="Per decision-maker.")
    lost_decision_maker_ids: strawberry.Private[list[str]]
    revision: int = strawberry.field(description="The graph revision of the scenario.")
    as_of: datetime = strawberry.field(description="The instant the answer describes.")

    @strawberry.field(description="Decision-makers reachable now and not after.")
    async def lost_decision_makers(self, info: Info) -> list[Stakeholder]:
        return await load_stakeholders(info, self.lost_decision_maker_ids)


def risk_type(risk: RiskResult, revision: int, as_of: datetime) -> KeyPersonRisk:
    return KeyPersonRisk(
        kind=RiskKind(str(risk.kind)),
        severity=risk.severity,
        explanation=risk.explanation,
        revision=revision,
        as_of=as_of,
        decision_maker_id=risk.decision_maker_id,
        contact_id=risk.contact_id,
    )


async def stored_risks(info: Info, risks: Iterable[RiskResult]) -> list[RiskResult]:
    """The risks whose decision-maker and contact are still stored (see
    `stored_stakeholder_ids`)."""
    risks = list(risks)
    named = [r.decision_maker_id for r in risks] + [r.contact_id for r in risks if r.contact_id]
    stored = await stored_stakeholder_ids(info, named)
    return [
        r
        for r in risks
        if r.decision_maker_id in stored and (r.contact_id is None or r.contact_id in stored)
    ]


async def stored_decision_makers(
    info: Info, ranked: list[DecisionMakerResult]
) -> list[DecisionMakerResult]:
    """The ranked people still stored, in their order (see `stored_stakeholder_ids`)."""
    stored = await stored_stakeholder_ids(info, (r.id for r in ranked))
    return [r for r in ranked if r.id in stored]


def decision_maker_types(
    ranked: list[DecisionMakerResult], revision: int, as_of: datetime
) -> list[DecisionMaker]:
    return [
        DecisionMaker(result=r, rank=i, revision=revision, as_of=as_of)
        for i, r in enumerate(ranked, start=1)
    ]


def _as_of(answer: Answer[T]) -> datetime:
    """The instant an analytic answer describes (every snapshot has one)."""
    assert answer.as_of is not None
    return answer.as_of


def _tie_or_stakeholder_id(global_id: str) -> str:
    return from_global_id(global_id, "removeIds")[1]


@strawberry.type
class AnalyticsQuery:
    @strawberry.field(
        description="Who decides at an organisation, with explained scores.", metadata=CACHEABLE
    )
    async def key_decision_makers(
        self,
        info: Info,
        organization_id: strawberry.ID,
        limit: int = 10,
        as_of: datetime | None = None,
    ) -> list[DecisionMaker]:
        org = stakeholder_id(organization_id, "organizationId")
        answer = await info.context.services.analytics.key_decision_makers(org, limit, as_of)
        ranked = await stored_decision_makers(info, answer.value)
        return decision_maker_types(ranked, answer.revision, _as_of(answer))

    @strawberry.field(
        description="The strongest introduction paths from our people to someone.",
        metadata=CACHEABLE,
    )
    async def introduction_paths(
        self,
        info: Info,
        to_id: strawberry.ID,
        from_id: strawberry.ID | None = None,
        limit: int = 3,
        max_hops: int = 4,
        as_of: datetime | None = None,
    ) -> list[IntroductionPath]:
        target = stakeholder_id(to_id, "toId")
        start = stakeholder_id(from_id, "fromId") if from_id else None
        answer = await info.context.services.analytics.introduction_paths(
            target, start, limit, max_hops, as_of
        )
        stored = await stored_stakeholder_ids(info, (s for p in answer.value for s in p.steps))
        return [
            IntroductionPath(result=p, revision=answer.revision, as_of=_as_of(answer))
            for p in answer.value
            if stored.issuperset(p.steps)
        ]

    @strawberry.field(
        description="Decision-makers we reach through one contact or owner only.",
        metadata=CACHEABLE,
    )
    async def key_person_risks(
        self, info: Info, organization_id: strawberry.ID, as_of: datetime | None = None
    ) -> list[KeyPersonRisk]:
        org = stakeholder_id(organization_id, "organizationId")
        answer = await info.context.services.analytics.key_person_risks(org, as_of)
        risks = await stored_risks(info, answer.value)
        return [risk_type(r, answer.revision, _as_of(answer)) for r in risks]

    @strawberry.field(
        description="Remove people or ties in a copy and see what we would lose.",
        metadata=CACHEABLE,
    )
    async def what_if(
        self,
        info: Info,
        organization_id: strawberry.ID,
        remove_ids: list[strawberry.ID],
        as_of: datetime | None = None,
    ) -> WhatIf:
        org = stakeholder_id(organization_id, "organizationId")
        removed = [_tie_or_stakeholder_id(g) for g in remove_ids]
        answer = await info.context.services.analytics.what_if(org, removed, as_of)
        result = answer.value
        stored = await stored_stakeholder_ids(
            info, [i.decision_maker_id for i in result.impacts] + list(result.lost_decision_makers)
        )
        return WhatIf(
            impacts=[
                DecisionMakerImpact(
                    person_id=i.decision_maker_id,
                    before=i.before,
                    after=i.after,
                    lost=i.lost,
                    reachable_after=i.reachable_after,
                )
                for i in result.impacts
                if i.decision_maker_id in stored
            ],
            lost_decision_maker_ids=[p for p in result.lost_decision_makers if p in stored],
            revision=answer.revision,
            as_of=_as_of(answer),
        )

    @strawberry.field(
        description="The most influential stakeholders by a metric.", metadata=CACHEABLE
    )
    async def influence_ranking(
        self,
        info: Info,
        kind: StakeholderKind | None = None,  # type: ignore[valid-type]
        metric: Annotated[Enum, strawberry.argument(graphql_type=Metric)] = Metric["INFLUENCE"],
        first: int = 20,
        as_of: datetime | None = None,
    ) -> list[RankedStakeholder]:
        answer = await info.context.services.analytics.influence_ranking(
            kind_filter(kind), metric.value, first, as_of
        )
        stored = await stored_stakeholder_ids(info, (node for node, _ in answer.value))
        ranked = [(node, score) for node, score in answer.value if node in stored]
        return [
            RankedStakeholder(
                rank=i,
                score=score,
                revision=answer.revision,
                as_of=_as_of(answer),
                stakeholder_id=node,
            )
            for i, (node, score) in enumerate(ranked, start=1)
        ]

    @strawberry.field(
        description="Communities of the network (Louvain, fixed seed).", metadata=CACHEABLE
    )
    async def communities(self, info: Info, min_size: int = 2) -> list[Community]:
        answer = await info.context.services.analytics.communities(min_size)
        return [
            Community(id=strawberry.ID(str(index)), size=len(members), member_ids=members)
            for index, members in answer.value
        ]

    @strawberry.field(
        description="Brokers between groups: high betweenness, low constraint.", metadata=CACHEABLE
    )
    async def brokers(
        self,
        info: Info,
        first: int = 10,
        kind: StakeholderKind | None = None,  # type: ignore[valid-type]
    ) -> list[Broker]:
        answer = await info.context.services.analytics.brokers(first, kind_filter(kind))
        stored = await stored_stakeholder_ids(info, (b.id for b in answer.value))
        return [
            Broker(
                score=b.score,
                betweenness=b.betweenness,
                constraint=b.constraint,
                stakeholder_id=b.id,
            )
            for b in answer.value
            if b.id in stored
        ]
