"""The alert clock check on every store: a tie that cools with time alone, with no write at all,
is raised by the periodic check, stored, and pushed to subscribers."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

from stakenet.domain.alerts import Alert, AlertKind, AlertSeverity
from stakenet.domain.model import (
    DecisionRole,
    Interaction,
    InteractionKind,
    Participant,
    Seniority,
    Stakeholder,
    StakeholderKind,
    Tie,
    TieKind,
)
from stakenet.services.alerts import AlertService
from stakenet.services.analytics import AnalyticsService
from stakenet.services.network import NetworkService
from stakenet.store.port import AlertFilter, PageRequest, Store, WriteBatch

MET = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
PERSON, COMPANY = StakeholderKind.PERSON, StakeholderKind.COMPANY


def network() -> WriteBatch:
    """Ulla (ours) met Carla, Acme's decider, once; their tie has no declared strength, so it
    is as strong as that meeting: 1 − exp(−2^(−age/180) / 2)."""
    return WriteBatch(
        upsert_stakeholders=[
            Stakeholder("us", COMPANY, "Us", internal=True),
            Stakeholder("acme", COMPANY, "Acme"),
            Stakeholder("ulla", PERSON, "Ulla", internal=True),
            Stakeholder("carla", PERSON, "Carla", seniority=Seniority.C_LEVEL),
        ],
        upsert_ties=[
            Tie("w-ulla", TieKind.WORKS_FOR, "ulla", "us"),
            Tie(
                "w-carla",
                TieKind.WORKS_FOR,
                "carla",
                "acme",
                decision_role=DecisionRole.DECISION_MAKER,
            ),
            Tie("t-ulla-carla", TieKind.KNOWS, "ulla", "carla"),
        ],
        upsert_interactions=[
            Interaction(
                "met",
                InteractionKind.MEETING,
                MET,
                participants=(Participant("ulla"), Participant("carla")),
            )
        ],
    )


async def test_the_clock_check_raises_a_tie_that_cooled_with_time(store: Store) -> None:
    clock = [MET + timedelta(days=10)]
    network_service = NetworkService(store)
    await network_service.start()
    await store.apply(network())
    await network_service.sync()
    analytics = AnalyticsService(network_service, now=lambda: clock[0])
    alerts = AlertService(analytics, store)
    heard: list[Alert] = []
    both_heard = asyncio.Event()

    def hear(alert: Alert) -> None:
        heard.append(alert)
        if len(heard) == 2:
            both_heard.set()

    alerts.subscribe(hear)
    await analytics.refresh()  # the baseline: 10 days after the meeting the tie is warm (0.38)
    assert (alerts.evaluations, heard) == (1, [])
    revision = await store.revision()

    clock[0] = MET + timedelta(days=360)  # no write: only time passes (0.12)
    checking = asyncio.create_task(alerts.check_periodically(0.05))
    try:
        # A loaded machine and a cold Neo4j may take a while over the refresh.
        async with asyncio.timeout(120):
            await both_heard.wait()
    finally:
        checking.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await checking

    expected = [
        (
            AlertKind.COVERAGE_DROPPED,
            AlertSeverity.HIGH,
            ("carla",),
            "Coverage of Acme fell from 1 of 1 to 0 of 1 top decision-makers: none of our "
            "people reaches Carla by a warm tie.",
        ),
        (
            AlertKind.TIE_COLD,
            AlertSeverity.HIGH,
            ("carla", "ulla"),
            "The tie between Ulla and Carla, a top decision-maker at Acme, fell below the warm "
            "threshold 0.20: strength 0.38 before, 0.12 now; none of our people reaches them "
            "by a warm tie now.",
        ),
    ]

    def summary(found: list[Alert]) -> list[tuple[object, ...]]:
        return [(a.kind, a.severity, a.stakeholder_ids, a.explanation) for a in found]

    assert summary(heard) == expected
    assert alerts.evaluations == 2
    assert {(a.raised_at, a.revision) for a in heard} == {(clock[0], revision)}
    stored = await store.alerts(AlertFilter(organization_id="acme"), PageRequest(10))
    assert summary(stored.items) == expected
    # Another check at the same time finds the same causes: nothing is raised twice.
    await analytics.refresh()
    assert (alerts.evaluations, len(heard)) == (3, 2)
    assert (await store.alerts(AlertFilter(), PageRequest(10))).total_count == 2
