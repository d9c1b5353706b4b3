"""Entities as node properties and back, beyond `store.codec`: UTC text, stamps, payloads."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, cast

from stakenet.domain.model import (
    Interaction,
)
from stakenet.store.codec import as_utc as as_utc
from stakenet.store.codec import (
    interaction_from_dict,
    interaction_to_dict,
)
from stakenet.store.codec import utc_text as utc_text


def to_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def interaction_from_record(props: Mapping[str, Any], participants: Iterable[Any]) -> Interaction:
    present = [p for p in participants if p.get("stakeholder_id") is not None]
    present.sort(key=lambda p: p.get("position") or 0)
    data = dict(props)
    data["participants"] = present
    return interaction_from_dict(data)


def creation_time(existing: str | None, given: datetime | None, now: datetime) -> datetime:
    if existing is not None:
        return datetime.fromisoformat(existing)
    return now if given is None else as_utc(given)


def stamped(data: dict[str, Any], created_at: datetime | None, now: datetime) -> dict[str, Any]:
    data["created_at"] = utc_text(cast(datetime, created_at))
    data["updated_at"] = utc_text(now)
    return data


# A tie's kind, source and target are its relationship's type and ends, not properties of it.
_TIE_STRUCTURE = frozenset({"kind", "source_id", "target_id"})


def relationship_properties(tie_data: Mapping[str, Any]) -> dict[str, Any]:
    """The properties a tie's relationship stores: its fields but its kind and ends."""
    return {name: value for name, value in tie_data.items() if name not in _TIE_STRUCTURE}


def interaction_payload(interaction: Interaction) -> dict[str, Any]:
    data = stamped(
        interaction_to_dict(interaction),
        interaction.created_at,
        cast(datetime, interaction.updated_at),
    )
    data["occurred_at"] = utc_text(interaction.occurred_at)
    return data
