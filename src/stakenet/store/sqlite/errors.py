"""sqlite3 exceptions translated into domain errors, once, at the adapter boundary.

sqlite3.Error                     -> StoreUnavailable
├── sqlite3.InterfaceError        -> StoreUnavailable
└── sqlite3.DatabaseError         -> StoreUnavailable (damaged file)
    ├── sqlite3.IntegrityError    -> NotFound (foreign key), Conflict (unique: a key, an id, or
    │                                a keyless tie's identity), ValidationFailed
    ├── sqlite3.DataError         -> ValidationFailed
    ├── sqlite3.OperationalError  -> StoreUnavailable (locked, or cannot be used)
    ├── sqlite3.NotSupportedError -> StoreUnavailable
    ├── sqlite3.InternalError     -> StoreUnavailable
    └── sqlite3.ProgrammingError  -> StoreUnavailable
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TypeVar

from stakenet.domain.errors import (
    Conflict,
    Issue,
    NotFound,
    StakenetError,
    StoreUnavailable,
    ValidationFailed,
)
from stakenet.store.port import TIE_IDENTITY_TAKEN


def _error_name(exc: sqlite3.Error) -> str:
    # Set by sqlite3 on errors it raises (Python 3.11+); absent on hand-made instances.
    return getattr(exc, "sqlite_errorname", None) or ""


def _integrity_error(exc: sqlite3.Error) -> StakenetError:
    name, message = _error_name(exc), str(exc)
    if name == "SQLITE_CONSTRAINT_FOREIGNKEY" or message.startswith("FOREIGN KEY"):
        return NotFound("A stakeholder, tie or interaction this write refers to does not exist.")
    if name in {"SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"} or message.startswith(
        "UNIQUE"
    ):
        if "'ties_identity'" in message:  # migrations/0005_tie_identity.sql
            return Conflict(TIE_IDENTITY_TAKEN)
        return Conflict("A key or id in this write is already used by another entity.")
    return ValidationFailed([Issue("", "The write breaks a rule of the database schema.")])


def _operational_error(exc: sqlite3.Error) -> StakenetError:
    name = _error_name(exc)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in str(exc):
        return StoreUnavailable("The database is locked by another writer; retry later.")
    return StoreUnavailable(f"The database cannot be used ({name or 'operational error'}).")


def _fixed(error: Callable[[], StakenetError]) -> Callable[[sqlite3.Error], StakenetError]:
    return lambda _exc: error()


# Most specific class first: every sqlite3 class below Error is a subclass of DatabaseError
# except InterfaceError. Messages are ours, never the driver's, so no SQL text leaks out.
ERROR_MAP: tuple[tuple[type[sqlite3.Error], Callable[[sqlite3.Error], StakenetError]], ...] = (
    (sqlite3.IntegrityError, _integrity_error),
    (
        sqlite3.DataError,
        _fixed(lambda: ValidationFailed([Issue("", "A value is too large for the database.")])),
    ),
    (sqlite3.OperationalError, _operational_error),
    (
        sqlite3.NotSupportedError,
        _fixed(lambda: StoreUnavailable("The database does not support an operation it needs.")),
    ),
    (
        sqlite3.InternalError,
        _fixed(lambda: StoreUnavailable("The database reported an internal error.")),
    ),
    (
        sqlite3.ProgrammingError,
        _fixed(lambda: StoreUnavailable("The database connection was closed or misused.")),
    ),
    (
        sqlite3.InterfaceError,
        _fixed(
            lambda: StoreUnavailable("The database driver was used in a way it does not support.")
        ),
    ),
    (
        sqlite3.DatabaseError,
        _fixed(lambda: StoreUnavailable("The database file is damaged or is not a database.")),
    ),
    (sqlite3.Error, _fixed(lambda: StoreUnavailable("The database failed."))),
)


def translate_error(exc: sqlite3.Error) -> StakenetError:
    """The domain error for a sqlite3 exception, per `ERROR_MAP`."""
    for driver_error, to_domain_error in ERROR_MAP:
        if isinstance(exc, driver_error):
            return to_domain_error(exc)
    raise TypeError(f"{type(exc).__name__} is not a sqlite3 error")  # pragma: no cover


R = TypeVar("R")


def translated(work: Callable[[], R]) -> R:
    """Run `work`, raising the domain's error for any sqlite3 error."""
    try:
        return work()
    except sqlite3.Error as exc:
        raise translate_error(exc) from exc
