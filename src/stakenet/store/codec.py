"""Entities as JSON-compatible dicts, the shape adapters store them and log changed ones in.

Field names are the dataclass field names; enums become their values, dates and datetimes ISO
strings, tuples lists, and fields that are None are left out. `x_from_dict(x_to_dict(entity))`
gives back an equal entity. Decoding ignores keys it does not know, so a replica running an
older version can still read a change logged by a newer one.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping
from dataclasses import fields
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from stakenet.domain.errors import Issue, ValidationFailed
from stakenet.domain.model import (
    DecisionRole,
    Entity,
    EntityType,
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
from stakenet.store.port import StakeholderOrder

Decoder = Callable[[Any], Any]


def as_utc(moment: datetime) -> datetime:
    # A naive datetime is taken to be UTC already.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def utc_text(moment: datetime) -> str:
    """Fixed-width UTC text, so that comparing the strings compares the instants."""
    if moment.tzinfo is UTC:  # most are, and then there is nothing to convert
        return moment.isoformat(timespec="microseconds")
    return as_utc(moment).isoformat(timespec="microseconds")


def encoded_value(value: Any) -> Any:
    """A field's value as `x_to_dict` stores it (None stays None)."""
    if isinstance(value, Enum):
        return value.value
    # datetime is a subclass of date, so this one check serves both.
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [encoded_value(item) for item in value]
    return value


def _to_dict(entity: Entity, field_names: tuple[str, ...]) -> dict[str, Any]:
    encoded: dict[str, Any] = {}
    for name in field_names:
        value = getattr(entity, name)
        if value is not None:
            encoded[name] = encoded_value(value)
    return encoded


def _decoded_fields(data: Mapping[str, Any], decoders: Mapping[str, Decoder]) -> dict[str, Any]:
    return {
        name: decoders[name](value)
        for name, value in data.items()
        if name in decoders and value is not None
    }


def _tags(value: Any) -> tuple[str, ...]:
    return tuple(str(tag) for tag in value)


_STAKEHOLDER_FIELDS = tuple(f.name for f in fields(Stakeholder))
_STAKEHOLDER_DECODERS: Mapping[str, Decoder] = {
    "id": str,
    "kind": StakeholderKind,
    "name": str,
    "key": str,
    "internal": bool,  # also accepts SQLite's 0/1
    "tags": _tags,
    "notes": str,
    "created_at": datetime.fromisoformat,
    "updated_at": datetime.fromisoformat,
    "title": str,
    "email": str,
    "phone": str,
    "seniority": Seniority,
    "industry": str,
    "website": str,
    "registration_number": str,
    "country": str,
    "city": str,
    "code": str,
    "region": str,
    "population": int,
    "category": OrganizationCategory,
}

_TIE_FIELDS = tuple(f.name for f in fields(Tie))
_TIE_DECODERS: Mapping[str, Decoder] = {
    "id": str,
    "kind": TieKind,
    "source_id": str,
    "target_id": str,
    "key": str,
    "strength": float,
    "role": str,
    "since": date.fromisoformat,
    "until": date.fromisoformat,
    "confidence": float,
    "evidence": Evidence,
    "notes": str,
    "decision_role": DecisionRole,
    "department": str,
    "context": str,
    "share": float,
    "created_at": datetime.fromisoformat,
    "updated_at": datetime.fromisoformat,
}

_INTERACTION_FIELDS = tuple(f.name for f in fields(Interaction) if f.name != "participants")


def participant_to_dict(participant: Participant) -> dict[str, Any]:
    encoded: dict[str, Any] = {"stakeholder_id": participant.stakeholder_id}
    if participant.acting_as is not None:
        encoded["acting_as"] = participant.acting_as
    return encoded


def participant_from_dict(data: Mapping[str, Any]) -> Participant:
    acting_as = data.get("acting_as")
    return Participant(str(data["stakeholder_id"]), None if acting_as is None else str(acting_as))


def _participants(value: Any) -> tuple[Participant, ...]:
    return tuple(participant_from_dict(item) for item in value)


_INTERACTION_DECODERS: Mapping[str, Decoder] = {
    "id": str,
    "kind": InteractionKind,
    "occurred_at": datetime.fromisoformat,
    "participants": _participants,
    "key": str,
    "sentiment": float,
    "subject": str,
    "summary": str,
    "outcome": str,
    "notes": str,
    "created_at": datetime.fromisoformat,
    "updated_at": datetime.fromisoformat,
}


def stakeholder_to_dict(stakeholder: Stakeholder) -> dict[str, Any]:
    return _to_dict(stakeholder, _STAKEHOLDER_FIELDS)


def stakeholder_from_dict(data: Mapping[str, Any]) -> Stakeholder:
    return Stakeholder(**_decoded_fields(data, _STAKEHOLDER_DECODERS))


def tie_to_dict(tie: Tie) -> dict[str, Any]:
    return _to_dict(tie, _TIE_FIELDS)


def tie_from_dict(data: Mapping[str, Any]) -> Tie:
    return Tie(**_decoded_fields(data, _TIE_DECODERS))


def interaction_to_dict(interaction: Interaction) -> dict[str, Any]:
    encoded = _to_dict(interaction, _INTERACTION_FIELDS)
    encoded["participants"] = [participant_to_dict(p) for p in interaction.participants]
    return encoded


def interaction_from_dict(data: Mapping[str, Any]) -> Interaction:
    return Interaction(**_decoded_fields(data, _INTERACTION_DECODERS))


def entity_to_dict(entity: Entity) -> dict[str, Any]:
    if isinstance(entity, Stakeholder):
        return stakeholder_to_dict(entity)
    if isinstance(entity, Tie):
        return tie_to_dict(entity)
    return interaction_to_dict(entity)


_ENTITY_DECODERS: Mapping[EntityType, Callable[[Mapping[str, Any]], Entity]] = {
    EntityType.STAKEHOLDER: stakeholder_from_dict,
    EntityType.TIE: tie_from_dict,
    EntityType.INTERACTION: interaction_from_dict,
}


def entity_from_dict(entity_type: EntityType, data: Mapping[str, Any]) -> Entity:
    return _ENTITY_DECODERS[entity_type](data)


def encode_cursor(order: StakeholderOrder, sort_value: str, entity_id: str) -> str:
    """An opaque listing cursor: the order and the sort values of the last row shown."""
    raw = json.dumps([order.value, sort_value, entity_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode("ascii")


def decode_cursor(cursor: str, order: StakeholderOrder) -> tuple[str, str]:
    """The sort value and id a cursor of `order` holds; ValidationFailed for any other text."""
    invalid = ValidationFailed(
        [Issue("after", "The cursor is not one this listing returned.", "INVALID_CURSOR")]
    )
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error):
        raise invalid from None
    if (
        not isinstance(decoded, list)
        or len(decoded) != 3
        or decoded[0] != order.value
        or not all(isinstance(part, str) for part in decoded)
    ):
        raise invalid
    return decoded[1], decoded[2]
