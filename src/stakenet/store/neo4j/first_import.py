"""Batches of a bulk write into an empty network (a first import), written without reading
the store back.

A bulk write holds the revision's write lock from its first batch on, so when the network held
no stakeholder and no interaction then, every record stored since is one this bulk write
created. `FirstImport` keeps their ids, keys and the identities of keyless ties in memory:
a batch that only creates records whose ids, keys and identities are all free, with every
stakeholder it refers to among those created, is checked against that and written with one
statement per section (`CREATE_STAKEHOLDERS`, `CREATE_TIES_OF_EVERY_KIND`,
`CREATE_INTERACTIONS`), with no look-up of keys or stored ties on the server; ties and
participation find their stakeholders' nodes by the element ids their creation returned.

Any other batch (one that deletes, writes a record a second time, reuses a key, or refers to a
stakeholder it did not create) is for `writes.write_batch_changes`, which looks everything up in
the transaction; after one such batch the memory no longer tells the whole store, so every
later batch of the bulk write goes that way too (`FirstImport.takes` answers False).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from stakenet.domain.model import Interaction, Stakeholder, Tie
from stakenet.domain.text import fold
from stakenet.store.codec import stakeholder_to_dict, tie_to_dict
from stakenet.store.neo4j.cypher import (
    CREATE_INTERACTIONS,
    CREATE_STAKEHOLDERS,
    CREATE_TIES_OF_EVERY_KIND,
    STAKEHOLDER_LABELS,
    TIE_TYPES,
)
from stakenet.store.neo4j.queries import Tx, run_query
from stakenet.store.neo4j.records import as_utc, interaction_payload, stamped, utc_text
from stakenet.store.port import TieIdentity, WriteBatch


def _all_new(ids: Iterable[str], taken: set[str]) -> set[str] | None:
    """The ids as a set, or None if one is taken or repeated."""
    fresh: set[str] = set()
    for entity_id in ids:
        if entity_id in taken or entity_id in fresh:
            return None
        fresh.add(entity_id)
    return fresh


def _keys_new(keys: Iterable[str | None], taken: set[str]) -> set[str] | None:
    return _all_new((key for key in keys if key is not None), taken)


@dataclass(slots=True)
class _Created:
    """Ids, keys and keyless tie identities of records created."""

    stakeholder_ids: set[str] = field(default_factory=set)
    stakeholder_keys: set[str] = field(default_factory=set)
    tie_ids: set[str] = field(default_factory=set)
    tie_keys: set[str] = field(default_factory=set)
    tie_identities: set[TieIdentity] = field(default_factory=set)
    interaction_ids: set[str] = field(default_factory=set)
    interaction_keys: set[str] = field(default_factory=set)

    def add(self, more: _Created) -> None:
        for name in self.__slots__:
            getattr(self, name).update(getattr(more, name))


class FirstImport:
    """What a bulk write into an empty network has created so far (see the module's
    docstring), and whether a batch only creates more."""

    def __init__(self) -> None:
        self.active = True
        self.created = _Created()
        # The element id of each stakeholder's node, filled in by `create_batch`.
        self.nodes: dict[str, str] = {}

    def takes(self, batch: WriteBatch) -> bool:
        """Whether `batch` only creates records, each free and referring to stakeholders
        created; if so, they are counted as created. If not, nothing later is taken."""
        claims = self._claims(batch) if self.active else None
        if claims is None:
            self.active = False
            return False
        self.created.add(claims)
        return True

    def _claims(self, batch: WriteBatch) -> _Created | None:
        """What `batch` creates, or None if it does anything else."""
        if batch.delete_stakeholders or batch.delete_ties or batch.delete_interactions:
            return None
        created = self.created
        stakeholders, ties = batch.upsert_stakeholders, batch.upsert_ties
        interactions = batch.upsert_interactions
        free = {
            "stakeholder_ids": _all_new((s.id for s in stakeholders), created.stakeholder_ids),
            "stakeholder_keys": _keys_new((s.key for s in stakeholders), created.stakeholder_keys),
            "tie_ids": _all_new((t.id for t in ties), created.tie_ids),
            "tie_keys": _keys_new((t.key for t in ties), created.tie_keys),
            "interaction_ids": _all_new((i.id for i in interactions), created.interaction_ids),
            "interaction_keys": _keys_new((i.key for i in interactions), created.interaction_keys),
        }
        claims = _Created()
        for name, values in free.items():
            if values is None:
                return None
            setattr(claims, name, values)
        known = created.stakeholder_ids
        for tie in ties:
            for end in (tie.source_id, tie.target_id):
                if end not in known and end not in claims.stakeholder_ids:
                    return None
            identity = TieIdentity.of(tie)
            if identity is not None:
                if identity in created.tie_identities or identity in claims.tie_identities:
                    return None
                claims.tie_identities.add(identity)
        for interaction in interactions:
            participant_ids = interaction.participant_ids
            if len(set(participant_ids)) != len(participant_ids):
                return None
            for participant_id in participant_ids:
                if participant_id not in known and participant_id not in claims.stakeholder_ids:
                    return None
        return claims


async def create_batch(tx: Tx, batch: WriteBatch, now: datetime, nodes: dict[str, str]) -> None:
    """Create the records of a batch `FirstImport.takes`: stakeholders, then ties, then
    interactions, each section in one statement, stamped as `writes` stamps new records.

    `nodes` maps each stakeholder created so far to its node's element id, which this adds the
    new ones to: ties and participation find their stakeholders by it. A seek of the id
    index would have to merge every node this transaction added to the index, at each look-up.
    """
    if batch.upsert_stakeholders:
        rows = _stakeholder_rows(batch.upsert_stakeholders, now)
        for row in await run_query(tx, CREATE_STAKEHOLDERS, **rows):
            nodes[row["id"]] = row["node"]
    if batch.upsert_ties:
        await run_query(tx, CREATE_TIES_OF_EVERY_KIND, **_tie_rows(batch.upsert_ties, now, nodes))
    if batch.upsert_interactions:
        await run_query(
            tx, CREATE_INTERACTIONS, rows=_interaction_rows(batch.upsert_interactions, now, nodes)
        )


def _created_at(given: datetime | None, now: datetime) -> datetime:
    return now if given is None else as_utc(given)


def _stakeholder_rows(stakeholders: Iterable[Stakeholder], now: datetime) -> dict[str, Any]:
    rows: dict[str, list[dict[str, Any]]] = {label: [] for label in STAKEHOLDER_LABELS.values()}
    for stakeholder in stakeholders:
        data = stamped(
            stakeholder_to_dict(stakeholder), _created_at(stakeholder.created_at, now), now
        )
        data["name_folded"] = fold(stakeholder.name)
        rows[STAKEHOLDER_LABELS[stakeholder.kind]].append(data)
    return rows


def _tie_rows(ties: Iterable[Tie], now: datetime, nodes: Mapping[str, str]) -> dict[str, Any]:
    rows: dict[str, list[dict[str, Any]]] = {tie_type: [] for tie_type in TIE_TYPES.values()}
    updated_at = utc_text(now)
    for tie in ties:
        data = tie_to_dict(tie)
        data["created_at"] = utc_text(_created_at(tie.created_at, now))
        data["updated_at"] = updated_at
        rows[TIE_TYPES[tie.kind]].append(
            {"source": nodes[tie.source_id], "target": nodes[tie.target_id], "props": data}
        )
    return rows


def _interaction_rows(
    interactions: Iterable[Interaction], now: datetime, nodes: Mapping[str, str]
) -> list[dict[str, Any]]:
    rows = []
    for interaction in interactions:
        stored = replace(
            interaction,
            occurred_at=as_utc(interaction.occurred_at),
            created_at=_created_at(interaction.created_at, now),
            updated_at=now,
        )
        props = interaction_payload(stored)
        participants = [
            {"node": nodes[participant.stakeholder_id], "position": position,
             "acting_as": participant.acting_as}
            for position, participant in enumerate(stored.participants)
        ]  # fmt: skip
        del props["participants"]
        rows.append({"props": props, "participants": participants})
    return rows
