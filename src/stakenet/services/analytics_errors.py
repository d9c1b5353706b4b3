"""The one place where the analytics' errors become domain errors: a query's unknown id is
`NotFound`, a stakeholder of the wrong kind or a parameter out of range is `ValidationFailed`,
each with a message that names what the caller gave."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from stakenet.analytics.errors import (
    AnalyticsError,
    InvalidParameter,
    NotAnOrganisation,
    SnapshotFileError,
    UnknownStakeholder,
    WrongKind,
)
from stakenet.domain.errors import (
    Issue,
    NotFound,
    StakenetError,
    StoreUnavailable,
    ValidationFailed,
)


@dataclass(frozen=True, slots=True)
class Request:
    """What a message needs from the request that failed: the argument names of the ids it
    gave (``{"toId": ...}``), so a stakeholder of the wrong kind is blamed on its argument, and
    how to name a stakeholder."""

    arguments: Mapping[str, str | None] = field(default_factory=dict)
    name_of: Callable[[str], str | None] = lambda stakeholder_id: None


def _unknown_stakeholder(error: UnknownStakeholder, request: Request) -> StakenetError:
    return NotFound(f"No stakeholder with id '{error.stakeholder_id}'.")


def _wrong_kind(error: WrongKind, request: Request) -> StakenetError:
    argument = next(
        (name for name, value in request.arguments.items() if value == error.stakeholder_id),
        "id",
    )
    name = request.name_of(error.stakeholder_id) or error.stakeholder_id
    kind = str(error.kind).lower()
    return ValidationFailed([Issue(argument, f"'{name}' is a {kind}, not {error.wanted}.")])


def _invalid_parameter(error: InvalidParameter, request: Request) -> StakenetError:
    return ValidationFailed([Issue(error.name, error.reason)])


def _unusable_snapshot(error: SnapshotFileError, request: Request) -> StakenetError:
    # Never a query's: a server refuses the file and keeps answering from its snapshot.
    return StoreUnavailable(f"An analytics snapshot cannot be used: {error}")


# Every analytics error type, exactly (a subclass is listed, not inherited), so a new one
# cannot reach a caller untranslated; tests/unit/services/test_analytics_errors.py holds it.
DOMAIN_ERRORS: Mapping[type[AnalyticsError], Callable[[Any, Request], StakenetError]] = {
    UnknownStakeholder: _unknown_stakeholder,
    WrongKind: _wrong_kind,
    NotAnOrganisation: _wrong_kind,
    InvalidParameter: _invalid_parameter,
    SnapshotFileError: _unusable_snapshot,
}


def domain_error(error: AnalyticsError, request: Request | None = None) -> StakenetError:
    """The domain error a caller sees for `error`, raised by a query made with `request`."""
    return DOMAIN_ERRORS[type(error)](error, request or Request())
