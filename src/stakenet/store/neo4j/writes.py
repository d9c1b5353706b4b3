"""Applying a `WriteBatch` inside one write transaction: the revision bump, deletes, upserts,
key and reference checks and the change log; and erasing a stakeholder.

`apply_batch` writes one batch in a managed transaction; a bulk write (`bulk`) writes several
through the same `write_batch_changes` and `append_changes`, so the two cannot drift apart.
Transaction functions derive everything inside the transaction: the driver may run them again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, LiteralString

from stakenet.domain.access import AuditEntry
from stakenet.domain.errors import (
    NotFound,
)
from stakenet.domain.model import (
    SYMMETRIC_TIE_KINDS,
    EntityType,
    Interaction,
    Stakeholder,
    StakeholderKind,
    Tie,
    TieKind,
)
from stakenet.domain.text import fold
from stakenet.store.codec import (
    stakeholder_from_dict,
    stakeholder_to_dict,
    tie_from_dict,
    tie_to_dict,
)
from stakenet.store.neo4j.access import insert_audit, tombstone_audit_entries
from stakenet.store.neo4j.alerts import delete_alerts_naming
from stakenet.store.neo4j.changes import ChangeLog
from stakenet.store.neo4j.cypher import (
    ADD_PARTICIPANTS,
    ANY_INTERACTION,
    ANY_STAKEHOLDER,
    APPEND_CHANGES,
    BUMP_REVISION,
    CLEAR_INTERACTION_KEYS,
    CLEAR_STAKEHOLDER_KEYS,
    CLEAR_TIE_KEYS,
    CREATE_TIES,
    DELETE_CHANGES_UP_TO,
    DELETE_INTERACTIONS,
    DELETE_STAKEHOLDERS,
    DELETE_TIES,
    DETACH_PARTICIPANTS,
    ENSURE_META,
    EXISTING_STAKEHOLDERS,
    INTERACTION_IDS_OF_STAKEHOLDERS,
    INTERACTION_KEY_OWNERS,
    INTERACTIONS_BY_ID,
    INTERACTIONS_CREATED_AT,
    PRUNE_CHANGE_LOG,
    REMOVE_PARTICIPATION_OF_STAKEHOLDERS,
    SET_LAST_SEQ,
    STAKEHOLDER_KEY_OWNERS,
    STAKEHOLDERS_BY_ID,
    STAKEHOLDERS_CREATED_AT,
    STORED_TIES,
    TIE_IDENTITY_OWNERS,
    TIE_IDS_OF_STAKEHOLDERS,
    TIE_KEY_OWNERS,
    TIES_BY_ID,
    TOUCH_INTERACTIONS,
    UPDATE_TIES,
    UPSERT_INTERACTIONS,
    UPSERT_STAKEHOLDERS,
)
from stakenet.store.neo4j.first_import import remove_staged_records
from stakenet.store.neo4j.queries import Tx, interactions_by, run_chunked, run_query
from stakenet.store.neo4j.reads import fetch
from stakenet.store.neo4j.records import (
    as_utc,
    creation_time,
    interaction_payload,
    relationship_properties,
    stamped,
    utc_text,
)
from stakenet.store.port import (
    TieIdentity,
    WriteBatch,
    WriteResult,
    check_participants_distinct,
    check_unchanged,
    claimed_identities,
    claimed_keys,
    erasure_batch,
    ids_to_check,
    keys_handed_over,
    last_by_id,
)


class Unchanged(Exception):
    """Raised inside a write transaction that changed nothing, to roll back its revision bump."""

    def __init__(self, revision: int) -> None:
        super().__init__(revision)
        self.revision = revision


@dataclass(frozen=True, slots=True)
class _KeyStatements:
    label: str
    key_owners: LiteralString
    clear_keys: LiteralString
    created_at: LiteralString


_STAKEHOLDER_KEYS = _KeyStatements(
    "stakeholder", STAKEHOLDER_KEY_OWNERS, CLEAR_STAKEHOLDER_KEYS, STAKEHOLDERS_CREATED_AT
)

_TIE_KEYS = _KeyStatements("tie", TIE_KEY_OWNERS, CLEAR_TIE_KEYS, STORED_TIES)

_INTERACTION_KEYS = _KeyStatements(
    "interaction", INTERACTION_KEY_OWNERS, CLEAR_INTERACTION_KEYS, INTERACTIONS_CREATED_AT
)


async def _delete(
    tx: Tx, query: LiteralString, ids: Sequence[str], entity_type: EntityType, log: ChangeLog
) -> None:
    wanted = list(dict.fromkeys(ids))
    deleted = {row["id"] for row in await run_chunked(tx, query, "ids", wanted)}
    for entity_id in wanted:
        if entity_id in deleted:
            log.delete(entity_type, entity_id)


async def _delete_stakeholders(tx: Tx, ids: Sequence[str], now: datetime, log: ChangeLog) -> None:
    candidates = list(dict.fromkeys(ids))
    existing = {
        row["id"] for row in await run_chunked(tx, EXISTING_STAKEHOLDERS, "ids", candidates)
    }
    wanted = [stakeholder_id for stakeholder_id in candidates if stakeholder_id in existing]
    if not wanted:
        return
    # Their ties and participation go first, each logged, before DETACH DELETE would drop them.
    tie_ids = {row["id"] for row in await run_chunked(tx, TIE_IDS_OF_STAKEHOLDERS, "ids", wanted)}
    await _delete(tx, DELETE_TIES, sorted(tie_ids), EntityType.TIE, log)
    touched = sorted(
        {row["id"] for row in await run_chunked(tx, INTERACTION_IDS_OF_STAKEHOLDERS, "ids", wanted)}
    )
    await run_chunked(tx, REMOVE_PARTICIPATION_OF_STAKEHOLDERS, "ids", wanted)
    orphaned: list[str] = []
    kept: list[str] = []
    for interaction in sorted(
        await interactions_by(tx, INTERACTIONS_BY_ID, touched), key=lambda i: i.id
    ):
        if not interaction.participants:
            orphaned.append(interaction.id)
            continue
        stored = replace(interaction, updated_at=now)
        kept.append(stored.id)
        log.upsert(EntityType.INTERACTION, stored, interaction_payload(stored))
    await run_chunked(tx, TOUCH_INTERACTIONS, "ids", kept, now=utc_text(now))
    await _delete(tx, DELETE_INTERACTIONS, orphaned, EntityType.INTERACTION, log)
    await run_chunked(tx, DELETE_STAKEHOLDERS, "ids", wanted)
    for stakeholder_id in wanted:
        log.delete(EntityType.STAKEHOLDER, stakeholder_id)


async def _check_keys(
    tx: Tx, statements: _KeyStatements, keyed: Sequence[tuple[str, str | None]]
) -> None:
    """Raise Conflict if a key would end up on two entities of one label.

    An existing entity that gives its key away in this same batch is not a conflict; its key
    is removed first, so the uniqueness constraint does not trip over the order of the batch.
    """
    claimed = claimed_keys(keyed, statements.label)
    if not claimed:
        return
    rows = await run_chunked(tx, statements.key_owners, "keys", list(claimed))
    handing_over = keys_handed_over(
        claimed,
        ((row["key"], row["id"]) for row in rows),
        {entity_id for entity_id, _ in keyed},
        statements.label,
    )
    await run_chunked(tx, statements.clear_keys, "ids", handing_over)


@dataclass(frozen=True, slots=True)
class _StoredTie:
    """Where a tie is stored (its kind and ends), its key and when it was created."""

    tie: Tie
    created_at: str


async def _stored_ties(tx: Tx, ids: Sequence[str]) -> dict[str, _StoredTie]:
    return {
        row["id"]: _StoredTie(
            Tie(row["id"], TieKind(row["kind"]), row["source_id"], row["target_id"], row["key"]),
            row["created_at"],
        )
        for row in await run_chunked(tx, STORED_TIES, "ids", ids)
    }


def _same_place(stored: Tie, tie: Tie) -> bool:
    return (stored.kind, stored.source_id, stored.target_id) == (
        tie.kind,
        tie.source_id,
        tie.target_id,
    )


async def _check_identities(
    tx: Tx, ties: Sequence[Tie], stored_ties: Mapping[str, _StoredTie]
) -> None:
    """Raise Conflict if a keyless tie would take the identity another keyless tie holds.

    Neo4j Community has no uniqueness constraint over a tie's kind and ends, so this runs in
    the write transaction, after the revision bump: that holds the write lock every batch
    takes, so no other batch can write the same identity before this one commits. A tie that
    keeps the identity it has is not checked, so ties stored twice before stay writable.
    """
    claimed = claimed_identities(ties)
    if not claimed:
        return
    stored = {tie_id: TieIdentity.of(found.tie) for tie_id, found in stored_ties.items()}
    claims = [
        (identity, tie_id)
        for identity, tie_id in claimed.items()
        if tie_id not in stored or stored[tie_id] != identity
    ]
    rows = await run_chunked(
        tx,
        TIE_IDENTITY_OWNERS,
        "claims",
        [
            {
                "number": number,
                "kind": identity.kind.value,
                "first_id": identity.first_id,
                "second_id": identity.second_id,
                "symmetric": identity.kind in SYMMETRIC_TIE_KINDS,
            }
            for number, (identity, _) in enumerate(claims)
        ],
    )
    in_batch = {tie.id for tie in ties}
    for row in rows:
        identity, claimant = claims[row["claim"]]
        # A tie of this batch that holds the identity now is moved or given a key by it.
        if row["id"] != claimant and row["id"] not in in_batch:
            raise identity.taken()


async def _created_at(tx: Tx, statements: _KeyStatements, ids: Sequence[str]) -> dict[str, str]:
    rows = await run_chunked(tx, statements.created_at, "ids", ids)
    return {row["id"]: row["created_at"] for row in rows}


async def _check_stakeholders_exist(tx: Tx, references: Sequence[tuple[str, str, str]]) -> None:
    """Raise NotFound for the first (label, id, stakeholder id) whose stakeholder is missing."""
    wanted = list(dict.fromkeys(stakeholder_id for _, _, stakeholder_id in references))
    existing = {row["id"] for row in await run_chunked(tx, EXISTING_STAKEHOLDERS, "ids", wanted)}
    for label, entity_id, stakeholder_id in references:
        if stakeholder_id not in existing:
            raise NotFound(
                f"{label} '{entity_id}' refers to stakeholder '{stakeholder_id}', "
                "which does not exist."
            )


async def _upsert_stakeholders(
    tx: Tx, stakeholders: Sequence[Stakeholder], now: datetime, log: ChangeLog
) -> None:
    items = last_by_id(stakeholders)
    if not items:
        return
    await _check_keys(tx, _STAKEHOLDER_KEYS, [(s.id, s.key) for s in items])
    created = await _created_at(tx, _STAKEHOLDER_KEYS, [s.id for s in items])
    rows: dict[StakeholderKind, list[dict[str, Any]]] = defaultdict(list)
    for stakeholder in items:
        stored = replace(
            stakeholder,
            created_at=creation_time(created.get(stakeholder.id), stakeholder.created_at, now),
            updated_at=now,
        )
        data = stamped(stakeholder_to_dict(stored), stored.created_at, now)
        rows[stored.kind].append(
            {"id": stored.id, "props": {**data, "name_folded": fold(stored.name)}}
        )
        log.upsert(EntityType.STAKEHOLDER, stored, data)
    for kind, of_kind in rows.items():
        await run_chunked(tx, UPSERT_STAKEHOLDERS[kind], "rows", of_kind)


async def _upsert_ties(tx: Tx, ties: Sequence[Tie], now: datetime, log: ChangeLog) -> None:
    items = last_by_id(ties)
    if not items:
        return
    await _check_keys(tx, _TIE_KEYS, [(tie.id, tie.key) for tie in items])
    # Read after `_check_keys`, which takes keys off the ties that hand them over.
    stored_ties = await _stored_ties(tx, [tie.id for tie in items])
    await _check_identities(tx, items, stored_ties)
    await _check_stakeholders_exist(
        tx, [("Tie", t.id, end) for t in items for end in (t.source_id, t.target_id)]
    )
    # A relationship cannot change its type or ends: a tie that moves is deleted and created
    # again, with its id and creation time, in this transaction.
    moved = [
        tie.id
        for tie in items
        if tie.id in stored_ties and not _same_place(stored_ties[tie.id].tie, tie)
    ]
    await run_chunked(tx, DELETE_TIES, "ids", moved)
    kept = set(stored_ties) - set(moved)
    created_rows: dict[TieKind, list[dict[str, Any]]] = defaultdict(list)
    updated_rows: list[dict[str, Any]] = []
    for tie in items:
        created_at = stored_ties[tie.id].created_at if tie.id in stored_ties else None
        stored = replace(
            tie, created_at=creation_time(created_at, tie.created_at, now), updated_at=now
        )
        data = stamped(tie_to_dict(stored), stored.created_at, now)
        row = {
            "id": stored.id,
            "source_id": stored.source_id,
            "target_id": stored.target_id,
            "props": relationship_properties(data),
        }
        if tie.id in kept:
            updated_rows.append(row)
        else:
            created_rows[tie.kind].append(row)
        log.upsert(EntityType.TIE, stored, data)
    await run_chunked(tx, UPDATE_TIES, "rows", updated_rows)
    for kind, of_kind in created_rows.items():
        await run_chunked(tx, CREATE_TIES[kind], "rows", of_kind)


async def _upsert_interactions(
    tx: Tx, interactions: Sequence[Interaction], now: datetime, log: ChangeLog
) -> None:
    items = last_by_id(interactions)
    if not items:
        return
    check_participants_distinct(items)
    await _check_keys(tx, _INTERACTION_KEYS, [(i.id, i.key) for i in items])
    await _check_stakeholders_exist(
        tx, [("Interaction", i.id, sid) for i in items for sid in i.participant_ids]
    )
    created = await _created_at(tx, _INTERACTION_KEYS, [i.id for i in items])
    await run_chunked(tx, DETACH_PARTICIPANTS, "ids", list(created))
    rows = []
    participant_rows: list[dict[str, Any]] = []
    for interaction in items:
        stored = replace(
            interaction,
            occurred_at=as_utc(interaction.occurred_at),
            created_at=creation_time(created.get(interaction.id), interaction.created_at, now),
            updated_at=now,
        )
        data = interaction_payload(stored)
        props = {key: value for key, value in data.items() if key != "participants"}
        rows.append({"id": stored.id, "props": props})
        participant_rows.extend(
            {
                "interaction_id": stored.id,
                "stakeholder_id": participant.stakeholder_id,
                "position": position,
                "acting_as": participant.acting_as,
            }
            for position, participant in enumerate(stored.participants)
        )
        log.upsert(EntityType.INTERACTION, stored, data)
    await run_chunked(tx, UPSERT_INTERACTIONS, "rows", rows)
    await run_chunked(tx, ADD_PARTICIPANTS, "rows", participant_rows)


async def network_is_empty(tx: Tx) -> bool:
    return not await run_query(tx, ANY_STAKEHOLDER)


async def holds_no_interaction(tx: Tx) -> bool:
    return not await run_query(tx, ANY_INTERACTION)


async def bump_revision(tx: Tx) -> tuple[int, int]:
    """Increment the revision, taking its write lock; return it and the last change seq
    written before it. Records staged by a first import that never committed go first: with
    the lock held, no live import owns them (`first_import`)."""
    [meta] = await run_query(tx, BUMP_REVISION)
    if meta["staged"]:
        await remove_staged_records(tx)
    return int(meta["revision"]), int(meta["last_seq"])


async def write_batch_changes(tx: Tx, batch: WriteBatch, now: datetime, log: ChangeLog) -> None:
    """The deletes and upserts of `batch`, each change recorded in `log`; the revision, the
    change rows and the audit entry are the caller's."""
    await _delete(tx, DELETE_INTERACTIONS, batch.delete_interactions, EntityType.INTERACTION, log)
    await _delete(tx, DELETE_TIES, batch.delete_ties, EntityType.TIE, log)
    await _delete_stakeholders(tx, batch.delete_stakeholders, now, log)
    await _upsert_stakeholders(tx, batch.upsert_stakeholders, now, log)
    await _upsert_ties(tx, batch.upsert_ties, now, log)
    await _upsert_interactions(tx, batch.upsert_interactions, now, log)


async def append_changes(tx: Tx, log: ChangeLog, last_seq: int) -> int:
    """Write `log` as change rows numbered on from `last_seq`; return the last seq written.
    `GraphMeta.last_seq` is left to the caller (`SET_LAST_SEQ`), once per transaction."""
    rows = log.rows(last_seq + 1)
    await run_chunked(tx, APPEND_CHANGES, "rows", rows)
    return last_seq + len(rows)


async def finish_revision(tx: Tx, revision: int, last_seq: int, audit: AuditEntry | None) -> None:
    """What a revision that changed something writes last: the change log's last seq, and the
    audit entry at the revision. In the revision's own transaction, the audit trail never
    misses nor invents a change."""
    await run_query(tx, SET_LAST_SEQ, last_seq=last_seq)
    if audit is not None:
        await insert_audit(tx, replace(audit, revision=revision))


async def apply_batch(tx: Tx, batch: WriteBatch) -> WriteResult:
    # Everything is derived inside the transaction, so a retried attempt starts afresh.
    revision, last_seq = await bump_revision(tx)
    if batch.expect_unchanged:
        # Read after the revision is bumped: the graph's write lock is held from there.
        stakeholders, ties, interactions = ids_to_check(batch.expect_unchanged)
        stored: list[Stakeholder | Tie | Interaction] = [
            *await fetch(tx, STAKEHOLDERS_BY_ID, stakeholders, stakeholder_from_dict),
            *await fetch(tx, TIES_BY_ID, ties, tie_from_dict),
            *await interactions_by(tx, INTERACTIONS_BY_ID, interactions),
        ]
        check_unchanged(batch.expect_unchanged, stored)
    log = ChangeLog(revision)
    await write_batch_changes(tx, batch, datetime.now(UTC), log)
    if not log:
        # Only deletes of ids that were already gone: roll back, the revision stays.
        raise Unchanged(revision - 1)
    await finish_revision(tx, revision, await append_changes(tx, log, last_seq), batch.audit)
    return WriteResult(revision, log.changes())


async def erase_stakeholder(
    tx: Tx, stakeholder_id: str, audit: AuditEntry, tombstone: str
) -> WriteResult:
    """Erase the stakeholder (`GraphStore.erase_stakeholder`). The erasure's changes come back
    for the caller's projection; none is written: the change log up to it is forgotten."""
    revision, last_seq = await bump_revision(tx)
    if not await run_query(tx, EXISTING_STAKEHOLDERS, ids=[stakeholder_id]):
        raise NotFound(f"No stakeholder with id '{stakeholder_id}'.")
    taken_part = [
        row["id"]
        for row in await run_query(tx, INTERACTION_IDS_OF_STAKEHOLDERS, ids=[stakeholder_id])
    ]
    interactions = await interactions_by(tx, INTERACTIONS_BY_ID, taken_part)
    batch = erasure_batch(stakeholder_id, interactions)
    log = ChangeLog(revision)
    await write_batch_changes(tx, batch, datetime.now(UTC), log)
    await finish_revision(tx, revision, last_seq, audit)
    await prune_change_log(tx, 0)
    await tombstone_audit_entries(tx, stakeholder_id, tombstone)
    await delete_alerts_naming(tx, stakeholder_id)
    return WriteResult(revision, log.changes())


async def prune_change_log(tx: Tx, keep_revisions: int) -> int:
    """Forget the changes of all but the newest `keep_revisions` revisions; the horizon."""
    [row] = await run_query(tx, PRUNE_CHANGE_LOG, keep=keep_revisions)
    horizon = int(row["horizon"])
    await run_query(tx, DELETE_CHANGES_UP_TO, horizon=horizon)
    return horizon


async def ensure_meta(tx: Tx) -> None:
    await run_query(tx, ENSURE_META)
