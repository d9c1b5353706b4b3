"""The SQL schema migrations shipped in `stakenet/store/migrations`, and applying them."""

from __future__ import annotations

import importlib.resources
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime

from stakenet.store.sqlite.rows import utc_text


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def bundled_migrations() -> list[Migration]:
    """The schema migrations shipped in `store/migrations`, named `NNNN_what.sql`, in order."""
    folder = importlib.resources.files("stakenet.store").joinpath("migrations")
    migrations = [
        Migration(int(entry.name.split("_", 1)[0]), entry.name, entry.read_text("utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".sql")
    ]
    migrations.sort(key=lambda migration: migration.version)
    versions = [migration.version for migration in migrations]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"Two schema migrations share a version number: {versions}")
    return migrations


def sql_statements(script: str) -> Iterator[str]:
    """Split a migration script into statements (triggers and comments included)."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            yield buffer.strip()
            buffer = ""
    if buffer.strip() and not all(
        part.strip().startswith("--") or not part.strip() for part in buffer.splitlines()
    ):
        raise ValueError("A migration script ends with an incomplete statement.")


def migrate(
    connection: sqlite3.Connection,
    migrations: Sequence[Migration],
    writing: Callable[[sqlite3.Connection], AbstractContextManager[sqlite3.Connection]],
) -> None:
    """Apply the `migrations` not applied yet, each in a write transaction of its own.

    They run with foreign keys off, as SQLite's way of changing a column's constraints needs:
    a migration rebuilds a table by copying it into a new one and dropping the old, and with
    foreign keys on, dropping it would delete every row that refers to it. Each migration's
    result is checked for references to rows that do not exist before it commits.
    """
    connection.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    # Switched only outside a transaction (inside one, SQLite ignores it).
    connection.execute("PRAGMA foreign_keys = OFF")
    try:
        for migration in migrations:
            # Checked inside the write transaction, so two processes opening one file at once
            # cannot both apply it.
            with writing(connection):
                applied = connection.execute(
                    "SELECT 1 FROM schema_migrations WHERE version = ?", (migration.version,)
                ).fetchone()
                if applied:
                    continue
                for statement in sql_statements(migration.sql):
                    connection.execute(statement)
                _check_references(connection, migration)
                connection.execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                    (migration.version, utc_text(datetime.now(UTC))),
                )
    finally:
        connection.execute("PRAGMA foreign_keys = ON")
    connection.execute("SELECT value FROM meta WHERE name = 'revision'").fetchone()


def _check_references(connection: sqlite3.Connection, migration: Migration) -> None:
    broken = connection.execute("PRAGMA foreign_key_check").fetchone()
    if broken is not None:
        table, rowid, parent, _ = broken
        raise sqlite3.DatabaseError(
            f"Migration {migration.name} would leave row {rowid} of "
            f"{table} referring to a row of {parent} that does not exist."
        )
