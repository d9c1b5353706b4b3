"""The errors every layer speaks.

Adapters translate their driver's exceptions into these once, at their boundary; the API turns
them into typed user errors. The hierarchy::

    StakenetError
     ├── ValidationFailed        bad input; carries one Issue per problem, each with its path
     │    └── ImportRejected     an interchange document with bad rows; nothing was written
     ├── NotFound                an id or key that does not exist
     ├── Conflict               a unique key already taken, or a concurrent change won
     ├── PermissionDenied        the caller's role may not do this
     ├── Unauthenticated         the caller's token is not (or no longer) valid
     └── StoreUnavailable        the database cannot be reached; retry later
          └── StoreTimeout       a query ran past its deadline
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem with one input value: where (`path`), what (`message`) and a stable `code`."""

    path: str
    message: str
    code: str = "INVALID"


class StakenetError(Exception):
    """Base of every error stakenet raises on purpose."""

    code = "ERROR"


class ValidationFailed(StakenetError):
    """Input broke a rule of the domain; `issues` names every problem found."""

    code = "INVALID"

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        first = issues[0] if issues else Issue("", "invalid input")
        more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
        super().__init__(f"{first.path}: {first.message}{more}" if first.path else first.message)


class ImportRejected(ValidationFailed):
    """An interchange document had bad rows, so nothing of it was written."""

    code = "IMPORT_REJECTED"


class NotFound(StakenetError):
    code = "NOT_FOUND"


class Conflict(StakenetError):
    code = "CONFLICT"


class StaleRead(Conflict):
    """An entity a write was made from changed, or was deleted, between the read and the write:
    nothing of the write was applied. The writer reads again and makes it afresh."""


class PermissionDenied(StakenetError):
    code = "FORBIDDEN"


class Unauthenticated(StakenetError):
    code = "UNAUTHENTICATED"


class ChangeLogPruned(StakenetError):
    """The changes asked for are older than what the change log still keeps: a follower this
    far behind reads everything again instead."""

    code = "CHANGE_LOG_PRUNED"

    def __init__(self, horizon: int) -> None:
        super().__init__(
            f"The change log no longer holds the changes up to revision {horizon}; "
            "read the network again."
        )
        self.horizon = horizon


class StoreUnavailable(StakenetError):
    code = "STORE_UNAVAILABLE"


class StoreTimeout(StoreUnavailable):
    code = "STORE_TIMEOUT"
