"""Applying a `WriteBatch`, as its rows (`batch_rows`), inside a write transaction: deletes,
upserts, key and reference checks, the change log and the revision; and erasing a stakeholder.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence, Set
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from stakenet.domain.access import AuditEntry
from stakenet.domain.errors import (
    NotFound,
)
from stakenet.domain.model import (
    EntityType,
)
from stakenet.store.port import (
    WriteBatch,
    check_unchanged,
    claimed_keys,
    erasure_batch,
    ids_to_check,
    keys_handed_over,
)
from stakenet.store.sqlite.access import insert_audit, tombstone_audit_entries
from stakenet.store.sqlite.batch_rows import (
    BatchRows,
    ParticipantRow,
    batch_rows,
    with_stored_creation,
)
from stakenet.store.sqlite.changes import ChangeLog, prune_change_log
from stakenet.store.sqlite.reads import (
    created_at_of,
    existing_ids,
    interactions_where,
    read_revision,
    select_in,
    stakeholders_where,
    ties_where,
)
from stakenet.store.sqlite.rows import (
    INSERT_INTERACTION,
    INSERT_STAKEHOLDER,
    INSERT_TIE,
    INTERACTION_COLUMNS,
    STAKEHOLDER_TABLE_COLUMNS,
    TIE_COLUMNS,
    UPDATE_INTERACTION,
    UPDATE_STAKEHOLDER,
    UPDATE_TIE,
    Row,
    as_utc,
    interaction_state,
    interaction_states,
    to_json,
    utc_text,
)


def _write_rows(
    connection: sqlite3.Connection,
    statements: tuple[str, str],
    rows: Sequence[Row],
    existing: Mapping[str, Any],
) -> None:
    """Insert the rows whose id (first column) is new and update the others.

    A plain INSERT is cheaper than an upsert, which matters for a bulk import.
    """
    insert, update = statements
    if not existing:
        _insert_many(connection, insert, rows)
        return
    connection.executemany(insert, [row for row in rows if row[0] not in existing])
    connection.executemany(update, [row for row in rows if row[0] in existing])


BULK_ROWS = 10_000


def _insert_many(connection: sqlite3.Connection, insert: str, rows: Sequence[Row]) -> None:
    """Run `insert` for every row; into an empty table, a bulk load builds its indexes after.

    Building an index from sorted rows is cheaper than growing it one row at a time; the
    index definitions are read back from the schema, and all of it is in the write transaction.
    """
    table = insert.split()[2]
    indexes = drop_indexes_if_empty(connection, table) if len(rows) >= BULK_ROWS else []
    connection.executemany(insert, rows)
    for sql in indexes:
        connection.execute(sql)


# The tables a batch writes rows into, in the order it writes them.
WRITTEN_TABLES = (
    "stakeholders",
    "stakeholder_tags",
    "ties",
    "interactions",
    "interaction_participants",
)


# The unique indexes of the keys (migrations/0007_partial_key_indexes.sql): a load looks up
# each batch's keys among the rows written before it, so they stay while it writes.
KEY_INDEXES = frozenset({"stakeholders_key", "ties_key", "interactions_key"})


def drop_indexes_if_empty(connection: sqlite3.Connection, table: str) -> list[str]:
    """Drop the secondary indexes of `table` if it is empty, but for its key's, returning the
    SQL that makes them again; in the write transaction, so a rollback brings them back."""
    if connection.execute(
        f"SELECT 1 FROM {table} LIMIT 1"  # noqa: S608 (table is one of ours)
    ).fetchone():
        return []
    found = [
        (name, sql)
        for name, sql in connection.execute(
            "SELECT name, sql FROM sqlite_master "
            "WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
            (table,),
        )
        if name not in KEY_INDEXES
    ]
    for name, _ in found:
        connection.execute(f'DROP INDEX "{name}"')
    return [sql for _, sql in found]


def _delete_by_id(connection: sqlite3.Connection, table: str, ids: Sequence[str]) -> set[str]:
    sql = f"DELETE FROM {table} WHERE id IN (SELECT value FROM json_each(?)) RETURNING id"  # noqa: S608
    return {row[0] for row in connection.execute(sql, (to_json(list(ids)),)).fetchall()}


def _delete_where_in(
    connection: sqlite3.Connection, table: str, column: str, values: Sequence[str]
) -> None:
    connection.execute(
        f"DELETE FROM {table} WHERE {column} IN (SELECT value FROM json_each(?))",  # noqa: S608
        (to_json(list(values)),),
    )


def delete_interactions(connection: sqlite3.Connection, ids: Sequence[str], log: ChangeLog) -> None:
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return
    # Their participants are deleted here, not left to the foreign key's cascade: a first
    # import's writer does not enforce foreign keys (`bulk_changes.begin_bulk_write`).
    _delete_where_in(connection, "interaction_participants", "interaction_id", wanted)
    deleted = _delete_by_id(connection, "interactions", wanted)
    for interaction_id in wanted:
        if interaction_id in deleted:
            log.delete(EntityType.INTERACTION, interaction_id)


def delete_ties(connection: sqlite3.Connection, ids: Sequence[str], log: ChangeLog) -> None:
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return
    deleted = _delete_by_id(connection, "ties", wanted)
    for tie_id in wanted:
        if tie_id in deleted:
            log.delete(EntityType.TIE, tie_id)


def delete_stakeholders(
    connection: sqlite3.Connection, ids: Sequence[str], now: str, log: ChangeLog
) -> None:
    existing = existing_ids(connection, "stakeholders", list(dict.fromkeys(ids)))
    wanted = [stakeholder_id for stakeholder_id in dict.fromkeys(ids) if stakeholder_id in existing]
    if not wanted:
        return
    # Their ties go first, each logged: the foreign key cascade would drop them silently.
    tie_ids: set[str] = set()
    for column in ("source_id", "target_id"):
        tie_ids.update(
            row[0] for row in select_in(connection, "SELECT id FROM ties", column, wanted)
        )
    delete_ties(connection, sorted(tie_ids), log)

    select = "SELECT DISTINCT interaction_id FROM interaction_participants"
    touched = sorted({row[0] for row in select_in(connection, select, "stakeholder_id", wanted)})
    _delete_where_in(connection, "interaction_participants", "stakeholder_id", wanted)
    orphaned = []
    states = []
    for interaction in interactions_where(connection, "id", touched):
        if not interaction.participants:
            orphaned.append(interaction.id)
            continue
        connection.execute(
            "UPDATE interactions SET updated_at = ? WHERE id = ?", (now, interaction.id)
        )
        created = utc_text(interaction.created_at or as_utc(datetime.now(UTC)))
        states.append(interaction_state(interaction, created, now))
    log.upsert(EntityType.INTERACTION, states)
    delete_interactions(connection, orphaned, log)

    _delete_where_in(connection, "stakeholder_tags", "stakeholder_id", wanted)
    _delete_by_id(connection, "stakeholders", wanted)
    for stakeholder_id in wanted:
        log.delete(EntityType.STAKEHOLDER, stakeholder_id)


def _check_keys(
    connection: sqlite3.Connection, table: str, label: str, keyed: Sequence[tuple[str, str | None]]
) -> None:
    """Raise Conflict if a key would end up on two entities of `table`.

    An existing entity that gives its key away in this same batch is not a conflict; its key
    is cleared first, so the row-by-row upsert does not trip over the order of the batch.
    """
    claimed = claimed_keys(keyed, label)
    if not claimed:
        return
    select = f"SELECT key, id FROM {table}"  # noqa: S608 (table is one of ours)
    owners = select_in(connection, select, "key", list(claimed)).fetchall()
    handing_over = keys_handed_over(claimed, owners, {entity_id for entity_id, _ in keyed}, label)
    if handing_over:
        connection.execute(
            f"UPDATE {table} SET key = NULL WHERE id IN (SELECT value FROM json_each(?))",  # noqa: S608
            (to_json(handing_over),),
        )


def _check_stakeholders_exist(
    connection: sqlite3.Connection,
    label: str,
    references: Sequence[tuple[str, Sequence[str]]],
    written: Set[str],
) -> None:
    """Raise NotFound naming the first stakeholder id in `references` that does not exist.

    `references` pairs the id of each tie or interaction with the stakeholder ids it names;
    `written` are the stakeholders this batch has just upserted, known to exist without a look-up.
    """
    wanted = {stakeholder_id for _, ids in references for stakeholder_id in ids}
    existing = existing_ids(connection, "stakeholders", list(wanted - written)) | (wanted & written)
    if len(existing) == len(wanted):
        return
    for entity_id, stakeholder_ids in references:
        for stakeholder_id in stakeholder_ids:
            if stakeholder_id not in existing:
                raise NotFound(
                    f"{label} '{entity_id}' refers to stakeholder '{stakeholder_id}', "
                    "which does not exist."
                )


# Where each table's rows hold the id's key and the creation time (`rows.py`).
_STAKEHOLDER_KEY = STAKEHOLDER_TABLE_COLUMNS.index("key")
_STAKEHOLDER_CREATED = STAKEHOLDER_TABLE_COLUMNS.index("created_at")
_TIE_KEY = TIE_COLUMNS.index("key")
_TIE_ENDS = (TIE_COLUMNS.index("source_id"), TIE_COLUMNS.index("target_id"))
_TIE_CREATED = TIE_COLUMNS.index("created_at")
_INTERACTION_KEY = INTERACTION_COLUMNS.index("key")
_INTERACTION_CREATED = INTERACTION_COLUMNS.index("created_at")


def _stored_rows(
    connection: sqlite3.Connection, table: str, rows: Sequence[Row], created_column: int
) -> tuple[list[Row] | Sequence[Row], dict[str, str]]:
    """`rows` with the stored creation time of those already stored, and those times by id."""
    created = created_at_of(connection, table, [row[0] for row in rows])
    if not created:
        return rows, created
    return with_stored_creation(rows, created, created_column), created


def upsert_stakeholders(
    connection: sqlite3.Connection,
    rows: Sequence[Row],
    tags: Sequence[tuple[str, str]],
    log: ChangeLog,
) -> None:
    """Write the `stakeholders` rows (`BatchRows.stakeholders`) and their tags."""
    if not rows:
        return
    key = _STAKEHOLDER_KEY
    _check_keys(connection, "stakeholders", "stakeholder", [(row[0], row[key]) for row in rows])
    rows, created = _stored_rows(connection, "stakeholders", rows, _STAKEHOLDER_CREATED)
    _write_rows(connection, (INSERT_STAKEHOLDER, UPDATE_STAKEHOLDER), rows, created)
    if created:
        _delete_where_in(connection, "stakeholder_tags", "stakeholder_id", list(created))
    connection.executemany(
        "INSERT OR IGNORE INTO stakeholder_tags (stakeholder_id, tag) VALUES (?, ?)", tags
    )
    # The change log holds a stakeholder as `STAKEHOLDER_SELECT` reads it: without the folded
    # name, which the table row ends with.
    log.upsert(EntityType.STAKEHOLDER, [row[:-1] for row in rows] if log.copy else rows)


def upsert_ties(
    connection: sqlite3.Connection, rows: Sequence[Row], log: ChangeLog, written: Set[str]
) -> None:
    if not rows:
        return
    _check_keys(connection, "ties", "tie", [(row[0], row[_TIE_KEY]) for row in rows])
    # A keyless tie whose kind and ends another holds, in this batch or stored, is refused by
    # the unique index `ties_identity` (errors.py: Conflict): as it is inserted or, in a load
    # that dropped the index, when the index is built again.
    source, target = _TIE_ENDS
    _check_stakeholders_exist(
        connection, "Tie", [(row[0], (row[source], row[target])) for row in rows], written
    )
    rows, created = _stored_rows(connection, "ties", rows, _TIE_CREATED)
    _write_rows(connection, (INSERT_TIE, UPDATE_TIE), rows, created)
    log.upsert(EntityType.TIE, rows)


def upsert_interactions(
    connection: sqlite3.Connection,
    rows: Sequence[Row],
    participants: Sequence[ParticipantRow],
    log: ChangeLog,
    written: Set[str],
) -> None:
    if not rows:
        return
    key = _INTERACTION_KEY
    _check_keys(connection, "interactions", "interaction", [(row[0], row[key]) for row in rows])
    _check_stakeholders_exist(
        connection, "Interaction", [(p[0], (p[1],)) for p in participants], written
    )
    rows, created = _stored_rows(connection, "interactions", rows, _INTERACTION_CREATED)
    _write_rows(connection, (INSERT_INTERACTION, UPDATE_INTERACTION), rows, created)
    if created:
        _delete_where_in(connection, "interaction_participants", "interaction_id", list(created))
    _insert_many(
        connection,
        "INSERT INTO interaction_participants (interaction_id, stakeholder_id, position, "
        "acting_as) VALUES (?, ?, ?, ?)",
        participants,
    )
    log.upsert(EntityType.INTERACTION, interaction_states(rows, participants) if log.copy else rows)


def write_batch(connection: sqlite3.Connection, batch: WriteBatch) -> ChangeLog:
    """Write `batch` and its change log, and bump the revision; in a write transaction.

    The log comes back empty when the batch changed nothing (only deletes of ids that were
    already gone): then nothing is written and the revision stays `log.revision - 1`.
    """
    if batch.expect_unchanged:
        stakeholders, ties, interactions = ids_to_check(batch.expect_unchanged)
        check_unchanged(
            batch.expect_unchanged,
            [
                *stakeholders_where(connection, "id", stakeholders),
                *ties_where(connection, "id", ties),
                *interactions_where(connection, "id", interactions),
            ],
        )
    log = ChangeLog(read_revision(connection) + 1)
    write_changes(connection, batch, log)
    log.write(connection)
    finish_revision(connection, log, batch.audit)
    return log


def write_changes(
    connection: sqlite3.Connection,
    batch: WriteBatch | BatchRows,
    log: ChangeLog,
    written_before: set[str] | None = None,
) -> None:
    """Write the batch's deletes and upserts and log them in `log`, which the caller writes;
    the revision itself is left to `finish_revision`. A `WriteBatch` is made rows first.

    `written_before` holds the ids of stakeholders that earlier batches of the same
    transaction wrote, known to exist without a look-up; it is brought up to date.
    """
    rows = batch_rows(batch) if isinstance(batch, WriteBatch) else batch
    delete_interactions(connection, rows.delete_interactions, log)
    delete_ties(connection, rows.delete_ties, log)
    delete_stakeholders(connection, rows.delete_stakeholders, rows.now, log)
    upsert_stakeholders(connection, rows.stakeholders, rows.stakeholder_tags, log)
    written = {row[0] for row in rows.stakeholders}
    if written_before is not None:
        written_before.difference_update(rows.delete_stakeholders)
        written_before.update(written)
        written = written_before
    upsert_ties(connection, rows.ties, log, written)
    upsert_interactions(connection, rows.interactions, rows.participants, log, written)


def finish_revision(
    connection: sqlite3.Connection, log: ChangeLog, audit: AuditEntry | None
) -> None:
    """Make `log`'s revision current and record `audit` at it, if anything changed."""
    if not log:
        return
    connection.execute("UPDATE meta SET value = ? WHERE name = 'revision'", (log.revision,))
    if audit is not None:
        insert_audit(connection, replace(audit, revision=log.revision))


def erase_stakeholder(
    connection: sqlite3.Connection, stakeholder_id: str, audit: AuditEntry, tombstone: str
) -> ChangeLog:
    """Erase the stakeholder (`GraphStore.erase_stakeholder`); in a write transaction.

    The returned log holds the erasure's changes for the caller's projection; none of it is
    written: the whole change log up to the erasure is forgotten instead.
    """
    if not existing_ids(connection, "stakeholders", [stakeholder_id]):
        raise NotFound(f"No stakeholder with id '{stakeholder_id}'.")
    select = "SELECT DISTINCT interaction_id FROM interaction_participants"
    rows = select_in(connection, select, "stakeholder_id", [stakeholder_id])
    taken_part = [row[0] for row in rows]
    batch = erasure_batch(stakeholder_id, interactions_where(connection, "id", taken_part))
    log = ChangeLog(read_revision(connection) + 1)
    write_changes(connection, batch, log)
    finish_revision(connection, log, audit)
    prune_change_log(connection, 0)
    tombstone_audit_entries(connection, stakeholder_id, tombstone)
    return log
