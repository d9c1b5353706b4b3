"""The writes of one bulk write within its transaction, shared by the store's own bulk write
and the bulk writer process (`writer_server`): dropping a first load's indexes until its rows
are in, and writing each batch's changes to the change log as it goes; and how the writer
process begins its transaction (`begin_bulk_write`)."""

from __future__ import annotations

import sqlite3

from stakenet.domain.access import AuditEntry
from stakenet.store.port import WriteBatch
from stakenet.store.sqlite.batch_rows import BatchRows, batch_rows
from stakenet.store.sqlite.changes import ChangeLog, prune_change_log
from stakenet.store.sqlite.reads import read_revision
from stakenet.store.sqlite.writes import (
    WRITTEN_TABLES,
    drop_indexes_if_empty,
    finish_revision,
    write_changes,
)

# A long transaction whose pages outgrow the cache spills them to the log file mid-way and
# reads them back through it; the writer's bigger cache (allocated as used) keeps the pages of a
# large import in memory until the commit.
BULK_CACHE_KIB = 512 * 1024


def _network_is_empty(connection: sqlite3.Connection) -> bool:
    # Ties and interactions need stakeholders: no stakeholder, no network.
    return connection.execute("SELECT 1 FROM stakeholders LIMIT 1").fetchone() is None


def begin_bulk_write(connection: sqlite3.Connection) -> None:
    """Begin a bulk write's transaction on a connection of its own (the writer process's).

    Into an empty network, SQLite does not check the foreign keys: the store checks every
    reference a batch makes before writing it (`writes.py`) and deletes what refers to what it
    deletes, so SQLite's look-up of each row's stakeholders was a second check of the same, an
    eighth of the writing of a large first import. Foreign keys are switched only outside a
    transaction, and whether the network is empty is settled only inside one: a network that
    filled in between is begun again, with them.
    """
    empty = _network_is_empty(connection)
    if empty:
        connection.execute("PRAGMA foreign_keys = OFF")
    connection.execute("BEGIN IMMEDIATE")
    if empty and not _network_is_empty(connection):
        connection.execute("ROLLBACK")
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("BEGIN IMMEDIATE")


def tables_written_by(batch: BatchRows) -> set[str]:
    """The tables `batch` may write rows into (deleting a stakeholder reaches every table)."""
    tables: set[str] = set()
    if batch.stakeholders or batch.delete_stakeholders:
        tables |= {"stakeholders", "stakeholder_tags"}
    if batch.ties or batch.delete_ties or batch.delete_stakeholders:
        tables.add("ties")
    if batch.interactions or batch.delete_interactions or batch.delete_stakeholders:
        tables |= {"interactions", "interaction_participants"}
    return tables


class BulkChanges:
    """The writes of one bulk write so far, within its transaction; into an empty network,
    without a copy in the change log (`BulkWrite`)."""

    def __init__(self) -> None:
        self._log: ChangeLog | None = None
        # The CREATE INDEX statements of the indexes dropped for the load, by table.
        self._dropped_indexes: dict[str, list[str]] = {}
        self._tables_written: set[str] = set()
        self._stakeholders_written: set[str] = set()

    def write(self, connection: sqlite3.Connection, batch: WriteBatch | BatchRows) -> None:
        if self._log is None:
            # Into an empty network the change log gets no copy of the rows: a follower
            # behind this revision reads the whole network again, which is just these rows.
            empty = connection.execute("SELECT 1 FROM stakeholders LIMIT 1").fetchone() is None
            self._log = ChangeLog(read_revision(connection) + 1, copy=not empty)
            # Loading into empty tables (a first import), the indexes are built from all the
            # rows at once, rather than grown a row at a time.
            for table in WRITTEN_TABLES:
                if dropped := drop_indexes_if_empty(connection, table):
                    self._dropped_indexes[table] = dropped
        # An import writes its sections one after the other: a table it has moved on from
        # gets its indexes back now, while the caller checks the next batch, instead of with
        # the others at the commit. A later batch that writes it again keeps them up to date.
        rows = batch_rows(batch) if isinstance(batch, WriteBatch) else batch
        writing = tables_written_by(rows)
        for table in self._tables_written - writing:
            self._restore_indexes(connection, table)
        self._tables_written |= writing
        write_changes(connection, rows, self._log, self._stakeholders_written)
        # Each batch's changes go to the log now: a part of the revision's change set.
        self._log.write(connection, forget=True)

    def _restore_indexes(self, connection: sqlite3.Connection, table: str) -> None:
        for sql in self._dropped_indexes.pop(table, []):
            connection.execute(sql)

    def finish(self, connection: sqlite3.Connection, audit: AuditEntry | None) -> int | None:
        """Make the revision current; None if nothing changed (nothing to commit).

        The indexes dropped for the load come back either way: an in-memory database commits
        even a bulk write that changed nothing.
        """
        for table in list(self._dropped_indexes):
            self._restore_indexes(connection, table)
        if self._log is None or not self._log:
            return None
        finish_revision(connection, self._log, audit)
        if not self._log.copy:
            # Its revision becomes the horizon: no follower can read past it in the log.
            prune_change_log(connection, keep_revisions=0)
        return self._log.revision
