"""The alert log contract: what every adapter's `AlertLog` does, checked through the port alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from stakenet.domain.access import AuditEntry
from stakenet.domain.alerts import Alert, AlertKind, AlertSeverity, AlertUpdate, fingerprint
from stakenet.domain.errors import ValidationFailed
from stakenet.domain.model import Stakeholder, StakeholderKind
from stakenet.store.port import AlertFilter, PageRequest, Store, WriteBatch

RAISED = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def alert(
    alert_id: str,
    kind: AlertKind,
    org: str,
    *people: str,
    condition: str = "",
    severity: AlertSeverity = AlertSeverity.MEDIUM,
) -> Alert:
    return Alert(
        id=alert_id,
        kind=kind,
        severity=severity,
        raised_at=RAISED,
        revision=3,
        organization_id=org,
        stakeholder_ids=people,
        explanation=f"{kind.value} at {org}: {', '.join(people)}",
        fingerprint=fingerprint(kind, org, people, condition),
    )


def raise_only(*alerts: Alert, at: datetime = RAISED) -> AlertUpdate:
    return AlertUpdate(raised=alerts, cleared=frozenset(), at=at)


async def network(store: Store) -> None:
    await store.apply(
        WriteBatch(
            upsert_stakeholders=[
                Stakeholder("acme", StakeholderKind.COMPANY, "Acme"),
                Stakeholder("beta", StakeholderKind.COMPANY, "Beta"),
                Stakeholder("anna", StakeholderKind.PERSON, "Anna"),
                Stakeholder("bo", StakeholderKind.PERSON, "Bo"),
                Stakeholder("cy", StakeholderKind.PERSON, "Cy"),
            ]
        )
    )


async def test_a_cause_is_stored_once_while_it_holds(store: Store) -> None:
    await network(store)
    revision = await store.revision()
    first = alert("a1", AlertKind.TIE_COLD, "acme", "anna", "bo", condition="tie t1")
    recorded = await store.record_alerts(raise_only(first))
    assert [(a.id, a.seq, a.cleared_at) for a in recorded] == [("a1", 1, None)]
    assert recorded[0] == Alert(**{**_fields(first), "seq": 1})
    # The same cause again (another id, as a later evaluation would make) is not stored.
    again = alert("a2", AlertKind.TIE_COLD, "acme", "anna", "bo", condition="tie t1")
    assert await store.record_alerts(raise_only(again)) == []
    assert [a.id for a in await store.open_alerts()] == ["a1"]
    assert await store.last_alert_seq() == 1
    # Alerts are derived data: the graph revision and the change log stay where they were.
    assert await store.revision() == revision
    assert await store.changes_since(revision) == []


async def test_a_cause_that_cleared_and_returns_is_raised_again(store: Store) -> None:
    await network(store)
    cold = alert("a1", AlertKind.TIE_COLD, "acme", "anna", "bo", condition="tie t1")
    other = alert("a2", AlertKind.SINGLE_CONTACT, "acme", "anna", "cy")
    await store.record_alerts(raise_only(cold, other))
    cleared_at = RAISED + timedelta(days=1)
    await store.record_alerts(AlertUpdate((), frozenset({cold.fingerprint}), cleared_at))
    assert [a.id for a in await store.open_alerts()] == ["a2"]
    back = alert("a3", AlertKind.TIE_COLD, "acme", "anna", "bo", condition="tie t1")
    assert [a.seq for a in await store.record_alerts(raise_only(back))] == [3]
    page = await store.alerts(AlertFilter(), PageRequest(10))
    assert [(a.id, a.cleared_at) for a in page.items] == [
        ("a1", cleared_at),
        ("a2", None),
        ("a3", None),
    ]


async def test_an_alert_naming_a_stakeholder_no_longer_stored_is_not_stored(
    store: Store,
) -> None:
    await network(store)
    await store.apply(WriteBatch(delete_stakeholders=["bo"]))
    gone = alert("a1", AlertKind.TIE_COLD, "acme", "anna", "bo")
    kept = alert("a2", AlertKind.DECISION_MAKER_CHANGED, "acme", "anna", condition="entered")
    recorded = await store.record_alerts(raise_only(gone, kept))
    assert [a.id for a in recorded] == ["a2"]


async def test_alerts_are_listed_by_organisation_and_kind_a_page_at_a_time(
    store: Store,
) -> None:
    await network(store)
    await store.record_alerts(
        raise_only(
            alert("a1", AlertKind.TIE_COLD, "acme", "anna", "bo"),
            alert("a2", AlertKind.SENTIMENT_DROP, "beta"),
            alert("a3", AlertKind.SINGLE_CONTACT, "acme", "anna", "cy"),
            alert("a4", AlertKind.SENTIMENT_DROP, "acme"),
        )
    )
    acme = AlertFilter(organization_id="acme")
    first = await store.alerts(acme, PageRequest(2))
    assert [a.id for a in first.items] == ["a1", "a3"]
    assert (first.has_next_page, first.total_count) == (True, 3)
    rest = await store.alerts(acme, PageRequest(2, after=first.cursors[-1]))
    assert [a.id for a in rest.items] == ["a4"]
    assert (rest.has_next_page, rest.total_count) == (False, 3)
    drops = await store.alerts(AlertFilter(kinds=(AlertKind.SENTIMENT_DROP,)), PageRequest(10))
    assert [a.id for a in drops.items] == ["a2", "a4"]
    both = AlertFilter("acme", (AlertKind.SENTIMENT_DROP, AlertKind.TIE_COLD))
    assert [a.id for a in (await store.alerts(both, PageRequest(10))).items] == ["a1", "a4"]


@pytest.mark.parametrize("cursor", ["12", "alert:", "alert:x", "stakeholder:3"])
async def test_a_cursor_no_alert_listing_gave_is_refused(store: Store, cursor: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        await store.alerts(AlertFilter(), PageRequest(10, after=cursor))
    assert refused.value.issues[0].path == "after"


async def test_erasing_a_person_deletes_every_alert_that_names_them(
    store: Store,
) -> None:
    await network(store)
    await store.record_alerts(
        raise_only(
            alert("a1", AlertKind.TIE_COLD, "acme", "anna", "bo"),
            alert("a2", AlertKind.SINGLE_CONTACT, "acme", "cy", "anna"),
            alert("a3", AlertKind.DECISION_MAKER_CHANGED, "acme", "cy"),
            alert("a4", AlertKind.SENTIMENT_DROP, "beta"),
        )
    )
    erasure = AuditEntry(RAISED, "ops", "eraseStakeholder", ("erased-1",))
    await store.erase_stakeholder("anna", erasure, "erased-1")
    page = await store.alerts(AlertFilter(), PageRequest(10))
    assert [a.id for a in page.items] == ["a3", "a4"]
    assert [a.id for a in await store.open_alerts()] == ["a3", "a4"]
    # The erased person's cause can no longer be stored either.
    again = alert("a5", AlertKind.TIE_COLD, "acme", "anna", "bo")
    assert await store.record_alerts(raise_only(again)) == []


def _fields(alert: Alert) -> dict[str, object]:
    return {name: getattr(alert, name) for name in Alert.__dataclass_fields__}
