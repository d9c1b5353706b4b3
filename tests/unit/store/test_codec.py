"""The entity codec gives back exactly what it was given, through JSON too."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from stakenet.domain.model import (
    DecisionRole,
    Evidence,
    Interaction,
    InteractionKind,
    OrganizationCategory,
    Participant,
    Seniority,
    Stakeholder,
    StakeholderKind,
    Tie,
    TieKind,
)
from stakenet.store.codec import (
    interaction_from_dict,
    interaction_to_dict,
    stakeholder_from_dict,
    stakeholder_to_dict,
    tie_from_dict,
    tie_to_dict,
    utc_text,
)

WHEN = datetime(2024, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)


def through_json(data: dict[str, Any]) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(json.dumps(data))
    return decoded


def full_stakeholder() -> Stakeholder:
    # Every field set, even ones validation keeps on other kinds: the codec must not care.
    return Stakeholder(
        id="s1",
        kind=StakeholderKind.PERSON,
        name="Søren Ærø",
        key="crm-1",
        internal=True,
        tags=("vip", "board"),
        notes="met at the fair",
        created_at=WHEN,
        updated_at=WHEN + timedelta(days=1),
        title="CFO",
        email="s@example.com",
        phone="+45 1234",
        seniority=Seniority.C_LEVEL,
        industry="energy",
        website="https://example.com",
        registration_number="DK123",
        country="DK",
        city="Aarhus",
        code="751",
        region="Midtjylland",
        population=350_000,
        category=OrganizationCategory.NGO,
    )


def full_tie() -> Tie:
    return Tie(
        id="t1",
        kind=TieKind.WORKS_FOR,
        source_id="s1",
        target_id="s2",
        key="hr-7",
        strength=0.75,
        role="CFO",
        since=date(2020, 1, 1),
        until=date(2030, 12, 31),
        confidence=0.9,
        evidence=Evidence.PUBLIC_RECORD,
        notes="annual report",
        decision_role=DecisionRole.ECONOMIC_BUYER,
        department="Finance",
        context="colleague",
        share=12.5,
        created_at=WHEN,
        updated_at=WHEN,
    )


def full_interaction() -> Interaction:
    return Interaction(
        id="i1",
        kind=InteractionKind.NEGOTIATION,
        occurred_at=datetime(2024, 5, 1, 14, 0, tzinfo=timezone(timedelta(hours=2))),
        participants=(Participant("s2", "buyer"), Participant("s1"), Participant("s3", "")),
        key="cal-9",
        sentiment=-0.25,
        subject="Contract renewal",
        summary="Price was the sticking point",
        outcome="Second meeting",
        notes="bring the numbers",
        created_at=WHEN,
        updated_at=WHEN,
    )


def test_every_stakeholder_field_survives_a_round_trip_through_json() -> None:
    stakeholder = full_stakeholder()
    encoded = through_json(stakeholder_to_dict(stakeholder))
    assert encoded["kind"] == "PERSON"
    assert encoded["tags"] == ["vip", "board"]
    assert stakeholder_from_dict(encoded) == stakeholder


def test_every_tie_field_survives_a_round_trip_through_json() -> None:
    tie = full_tie()
    encoded = through_json(tie_to_dict(tie))
    assert encoded["since"] == "2020-01-01"
    assert tie_from_dict(encoded) == tie


def test_every_interaction_field_and_participant_order_survive_a_round_trip() -> None:
    interaction = full_interaction()
    encoded = through_json(interaction_to_dict(interaction))
    assert encoded["participants"][0] == {"stakeholder_id": "s2", "acting_as": "buyer"}
    decoded = interaction_from_dict(encoded)
    assert decoded == interaction
    assert decoded.occurred_at.utcoffset() == timedelta(hours=2)


def test_fields_that_are_none_are_left_out() -> None:
    encoded = stakeholder_to_dict(Stakeholder("s9", StakeholderKind.COMPANY, "Acme"))
    assert encoded == {
        "id": "s9",
        "kind": "COMPANY",
        "name": "Acme",
        "internal": False,
        "tags": [],
    }
    assert "acting_as" not in interaction_to_dict(full_interaction())["participants"][1]


def test_decoding_ignores_fields_it_does_not_know() -> None:
    encoded = tie_to_dict(full_tie()) | {"added_in_a_later_version": 1}
    assert tie_from_dict(encoded) == full_tie()


texts = st.text(max_size=20)
maybe_text = st.none() | texts
instants = st.datetimes(timezones=st.none() | st.just(UTC)) | st.datetimes(
    timezones=st.builds(lambda m: timezone(timedelta(minutes=m)), st.integers(-720, 720))
)
maybe_float = st.none() | st.floats(allow_nan=False, allow_infinity=False)

stakeholders = st.builds(
    Stakeholder,
    id=texts,
    kind=st.sampled_from(StakeholderKind),
    name=texts,
    key=maybe_text,
    internal=st.booleans(),
    tags=st.lists(texts, max_size=4).map(tuple),
    notes=maybe_text,
    created_at=st.none() | instants,
    updated_at=st.none() | instants,
    title=maybe_text,
    seniority=st.none() | st.sampled_from(Seniority),
    population=st.none() | st.integers(0, 10**9),
    category=st.none() | st.sampled_from(OrganizationCategory),
    country=maybe_text,
)
ties = st.builds(
    Tie,
    id=texts,
    kind=st.sampled_from(TieKind),
    source_id=texts,
    target_id=texts,
    key=maybe_text,
    strength=maybe_float,
    since=st.none() | st.dates(),
    until=st.none() | st.dates(),
    evidence=st.none() | st.sampled_from(Evidence),
    decision_role=st.none() | st.sampled_from(DecisionRole),
    share=maybe_float,
    created_at=st.none() | instants,
)
interactions = st.builds(
    Interaction,
    id=texts,
    kind=st.sampled_from(InteractionKind),
    occurred_at=instants,
    participants=st.lists(st.builds(Participant, texts, maybe_text), max_size=4).map(tuple),
    key=maybe_text,
    sentiment=maybe_float,
    summary=maybe_text,
)


@given(stakeholders)
def test_any_stakeholder_round_trips(stakeholder: Stakeholder) -> None:
    assert stakeholder_from_dict(through_json(stakeholder_to_dict(stakeholder))) == stakeholder


@given(ties)
def test_any_tie_round_trips(tie: Tie) -> None:
    assert tie_from_dict(through_json(tie_to_dict(tie))) == tie


@given(interactions)
def test_any_interaction_round_trips(interaction: Interaction) -> None:
    assert interaction_from_dict(through_json(interaction_to_dict(interaction))) == interaction


@given(st.datetimes(timezones=st.none() | st.just(UTC) | st.timezones()))
def test_utc_text_is_fixed_width_utc_whatever_zone_the_moment_is_in(moment: datetime) -> None:
    text = utc_text(moment)
    assert len(text) == len("2026-03-01T09:30:15.000000+00:00")
    assert text.endswith("+00:00")
    # The same instant: subtraction goes by the UTC offsets, where == refuses to equate a time
    # in a zone's gap or fold with any other (PEP 495).
    given = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    assert datetime.fromisoformat(text) - given == timedelta(0)
