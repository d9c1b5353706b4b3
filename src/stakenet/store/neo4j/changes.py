"""The change log of one batch, written as `(:Change)` nodes in the batch's transaction and read
back by `changes_since`; `payload` is the entity as JSON (`store.codec`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from stakenet.domain.model import (
    Change,
    ChangeOp,
    EntityType,
    Interaction,
    Stakeholder,
    Tie,
)
from stakenet.store.codec import (
    entity_from_dict,
)
from stakenet.store.neo4j.records import to_json


class ChangeLog:
    """The changes of one batch: one entry per entity touched, holding its final state."""

    def __init__(self, revision: int) -> None:
        self.revision = revision
        self._entries: dict[tuple[EntityType, str], tuple[Change, dict[str, Any] | None]] = {}

    def __bool__(self) -> bool:
        return bool(self._entries)

    def _record(self, change: Change, payload: dict[str, Any] | None) -> None:
        key = (change.entity_type, change.entity_id)
        # A later write to the same entity replaces the earlier entry and moves it last.
        self._entries.pop(key, None)
        self._entries[key] = (change, payload)

    def upsert(
        self, entity_type: EntityType, entity: Stakeholder | Tie | Interaction, payload: Any
    ) -> None:
        self._record(
            Change(self.revision, entity_type, ChangeOp.UPSERT, entity.id, entity), payload
        )

    def delete(self, entity_type: EntityType, entity_id: str) -> None:
        self._record(Change(self.revision, entity_type, ChangeOp.DELETE, entity_id), None)

    def rows(self, first_seq: int) -> list[dict[str, Any]]:
        return [
            {
                "seq": first_seq + offset,
                "revision": change.revision,
                "entity_type": change.entity_type.value,
                "op": change.op.value,
                "entity_id": change.entity_id,
                "payload": None if payload is None else to_json(payload),
            }
            for offset, (change, payload) in enumerate(self._entries.values())
        ]

    def changes(self) -> list[Change]:
        return [change for change, _ in self._entries.values()]


def change_from_record(record: Mapping[str, Any]) -> Change:
    entity_type = EntityType(record["entity_type"])
    payload = record["payload"]
    entity = None if payload is None else entity_from_dict(entity_type, json.loads(payload))
    return Change(
        int(record["revision"]), entity_type, ChangeOp(record["op"]), record["entity_id"], entity
    )
