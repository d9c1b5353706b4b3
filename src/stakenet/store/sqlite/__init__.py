"""The embedded SQLite store: the default `Store`, one database file per graph.

sqlite3 blocks, so every call runs on the store's own thread pool, each worker with its own
connection (an in-memory database lives in one connection, so it gets exactly one worker).
Writes are `BEGIN IMMEDIATE` transactions, also serialised in-process by a lock. A bulk write on
a file holds the lock from its start to its commit, and its transaction is held by a writer
process of its own, so that the database writes on one core while the import checks rows on the
other. Reads that take several SELECTs share one read transaction, so they see one snapshot.
sqlite3 exceptions are translated into domain errors in one place, `translate_error`.

- `store`: `SQLiteStore`, its connections, threads and transactions
- `errors`: sqlite3 exceptions to domain errors
- `schema`: the bundled SQL migrations and applying them
- `rows`: entities to table rows and back
- `reads`: SELECTs run inside a transaction
- `writes`: applying a `WriteBatch`, and erasure
- `bulk`: bulk writes, several batches in one transaction (a streamed import)
- `bulk_changes`: the writes of one bulk write within its transaction
- `writer_server`, `writer_main`: the bulk writer process
- `writer_client`: starting the writer process and sending it requests
- `writer_protocol`: the messages between the two and their framing
- `batch_rows`: a `WriteBatch` as the table rows it writes, built before any read
- `batch_pickle`: a `WriteBatch` as bytes for the writer: its rows
- `connection`: the settings every connection opens with
- `binding`: direct parameter adapters for None and the domain's enums
- `changes`: the change log (`change_sets`, a revision's set in one part or several)
- `access`: API tokens and the audit trail
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stakenet.store.sqlite.errors import ERROR_MAP, translate_error
    from stakenet.store.sqlite.schema import Migration, bundled_migrations, sql_statements
    from stakenet.store.sqlite.store import SQLiteStore
    from stakenet.store.sqlite.writes import BULK_ROWS

# Loaded when first asked for, so that the bulk writer process, which needs only the write
# path, starts without the store's threads, asyncio and migrations.
_EXPORTED_FROM = {
    "BULK_ROWS": "writes",
    "ERROR_MAP": "errors",
    "Migration": "schema",
    "SQLiteStore": "store",
    "bundled_migrations": "schema",
    "sql_statements": "schema",
    "translate_error": "errors",
}

__all__ = [
    "BULK_ROWS",
    "ERROR_MAP",
    "Migration",
    "SQLiteStore",
    "bundled_migrations",
    "sql_statements",
    "translate_error",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTED_FROM.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
