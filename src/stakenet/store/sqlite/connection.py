"""Opening a connection to the database with the settings every connection of the store uses,
whether a worker thread's or the bulk writer process's."""

from __future__ import annotations

import sqlite3
import time

BUSY_TIMEOUT_MS = 10_000
# How long to wait between attempts to switch a locked database to the write-ahead log.
JOURNAL_RETRY_S = 0.005
# A larger page cache (64 MiB, allocated as used) keeps a write's index pages in memory instead
# of spilling them mid-transaction; it halves the time of writing 100k ties in one batch.
CACHE_KIB = 64 * 1024


def connect(path: str, *, cache_kib: int = CACHE_KIB) -> sqlite3.Connection:
    """A connection to `path` (a file, or ":memory:") in autocommit mode: the store begins its
    transactions itself."""
    # check_same_thread is off so that the store can close a worker's connection once the
    # worker has stopped; each connection is still used by one thread at a time.
    connection = sqlite3.connect(
        path,
        isolation_level=None,
        check_same_thread=False,
        timeout=BUSY_TIMEOUT_MS / 1000,
    )
    try:
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if path != ":memory:":
            _use_write_ahead_log(connection)
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("PRAGMA synchronous = FULL")
        # Deleted content is overwritten, so an erased person's data cannot be read back from
        # free pages of the file.
        connection.execute("PRAGMA secure_delete = ON")
        connection.execute(f"PRAGMA cache_size = -{cache_kib}")
    except BaseException:
        connection.close()
        raise
    return connection


def _use_write_ahead_log(connection: sqlite3.Connection) -> None:
    """Put the database in write-ahead-log mode, waiting as long as a transaction would.

    Switching a new database to the log takes its exclusive lock, and SQLite does not wait for
    that lock (the busy timeout covers transactions only): another process touching a database
    the store has just created, such as a server opening it while an import creates it, would
    otherwise make the open fail at once with "database is locked"."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            (mode,) = connection.execute("PRAGMA journal_mode = WAL").fetchone()
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() >= deadline:
                raise
        else:
            if mode == "wal":
                return
            if time.monotonic() >= deadline:
                raise sqlite3.OperationalError(f"the database stays in {mode!r} journal mode")
        time.sleep(JOURNAL_RETRY_S)
