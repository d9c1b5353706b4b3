"""Neo4j driver and server exceptions translated into domain errors, once, at the boundary.

    Neo4jError (from the server)          DriverError (from the driver)
    ├── ClientError                        ├── SessionExpired, ServiceUnavailable
    │   ├── ConstraintError -> Conflict    │   (incl. IncompleteCommit)
    │   ├── AuthError, Forbidden           ├── ConnectionPoolError
    │   └── CypherSyntaxError, …           │   └── ConnectionAcquisitionTimeoutError -> StoreTimeout
    ├── TransientError                     ├── ConfigurationError
    └── DatabaseError                      ├── TransactionError, ResultError, SessionError
                                           └── BrokenRecordError

Everything becomes `StoreUnavailable` except where marked (a transaction timeout, a ClientError
code, is `StoreTimeout`); a transaction over the server's memory limit says so. Messages are
ours: server messages can quote the Cypher text.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from neo4j import exceptions as neo4j_errors

from stakenet.domain.errors import (
    Conflict,
    StakenetError,
    StoreTimeout,
    StoreUnavailable,
)


def _code(exc: Exception) -> str:
    return str(getattr(exc, "code", None) or "")


def _client_error(exc: Exception) -> StakenetError:
    code = _code(exc)
    if "TransactionTimedOut" in code or "TransactionTimedOutClientConfiguration" in code:
        return StoreTimeout("A database query ran past its time limit.")
    if code == "Neo.ClientError.Security.AuthenticationRateLimit":
        return StoreUnavailable(
            "The database refused the configured credentials too many times in a row and "
            "accepts no login for that user for a while: check them, then retry."
        )
    if code == "Neo.ClientError.Database.DatabaseNotFound":
        return StoreUnavailable("The configured Neo4j database does not exist.")
    if code == "Neo.ClientError.Transaction.TransactionNotFound":
        # The server dropped an open transaction (an import's bulk write, say): nothing of it
        # was committed.
        return StoreUnavailable(
            "The database ended the transaction before it was committed; nothing of it was "
            f"written ({code})."
        )
    return StoreUnavailable(f"The database rejected a query of the store ({code or 'no code'}).")


def _transient_error(exc: Exception) -> StakenetError:
    if _code(exc) == "Neo.TransientError.General.MemoryPoolOutOfMemoryError":
        # Retrying cannot help: a transaction holds its changes in the server's heap until it
        # commits, and this one (a large import, say) needs more than the server allows.
        return StoreUnavailable(
            "The transaction needs more memory than the database allows it "
            "(db.memory.transaction.total.max, the heap); nothing of it was written."
        )
    return StoreUnavailable("The database is busy or changing roles; retry later.")


def _fixed(error: Callable[[], StakenetError]) -> Callable[[Exception], StakenetError]:
    return lambda _exc: error()


# Most specific class first. Messages are ours: server messages can quote the Cypher text.
EXC_MAP: tuple[tuple[type[Exception], Callable[[Exception], StakenetError]], ...] = (
    (
        neo4j_errors.ConstraintError,
        _fixed(lambda: Conflict("A key or id in this write is already used by another entity.")),
    ),
    (
        neo4j_errors.AuthError,
        _fixed(lambda: StoreUnavailable("The database refused the configured credentials.")),
    ),
    (
        neo4j_errors.Forbidden,
        _fixed(lambda: StoreUnavailable("The database user may not do what the store needs.")),
    ),
    (neo4j_errors.CypherSyntaxError, _client_error),
    (neo4j_errors.CypherTypeError, _client_error),
    (neo4j_errors.ClientError, _client_error),
    (neo4j_errors.TransientError, _transient_error),
    (
        neo4j_errors.DatabaseError,
        _fixed(lambda: StoreUnavailable("The database reported an internal error.")),
    ),
    (neo4j_errors.Neo4jError, _fixed(lambda: StoreUnavailable("The database failed."))),
    (
        neo4j_errors.IncompleteCommit,
        _fixed(
            lambda: StoreUnavailable(
                "The connection was lost while committing; the write may or may not have landed."
            )
        ),
    ),
    (
        neo4j_errors.ServiceUnavailable,
        _fixed(lambda: StoreUnavailable("The database cannot be reached; retry later.")),
    ),
    (
        neo4j_errors.SessionExpired,
        _fixed(lambda: StoreUnavailable("The connection to the database was lost; retry later.")),
    ),
    (
        neo4j_errors.ConnectionAcquisitionTimeoutError,
        _fixed(lambda: StoreTimeout("No database connection became free in time.")),
    ),
    (
        neo4j_errors.ConnectionPoolError,
        _fixed(lambda: StoreUnavailable("The database connection pool failed.")),
    ),
    (
        neo4j_errors.ConfigurationError,
        _fixed(lambda: StoreUnavailable("The database connection is misconfigured.")),
    ),
    (
        neo4j_errors.TransactionError,
        _fixed(lambda: StoreUnavailable("A database transaction failed; retry later.")),
    ),
    (
        neo4j_errors.ResultError,
        _fixed(lambda: StoreUnavailable("A database result could not be read.")),
    ),
    (
        neo4j_errors.SessionError,
        _fixed(lambda: StoreUnavailable("A database session was used after it closed.")),
    ),
    (
        neo4j_errors.BrokenRecordError,
        _fixed(lambda: StoreUnavailable("The database sent a record that cannot be read.")),
    ),
    (neo4j_errors.DriverError, _fixed(lambda: StoreUnavailable("The database driver failed."))),
)

DRIVER_ERRORS = (neo4j_errors.Neo4jError, neo4j_errors.DriverError)


def translate_error(exc: Exception) -> StakenetError:
    """The domain error for a Neo4j driver or server exception, per `EXC_MAP`."""
    for driver_error, to_domain_error in EXC_MAP:
        if isinstance(exc, driver_error):
            return to_domain_error(exc)
    raise TypeError(f"{type(exc).__name__} is not a Neo4j driver error")  # pragma: no cover


@contextlib.contextmanager
def translated() -> Iterator[None]:
    try:
        yield
    except DRIVER_ERRORS as exc:
        raise translate_error(exc) from exc
