"""How the API reads scalar values from clients, where strawberry's own parsing is not enough.

`DateTime` is strawberry's scalar (same name, description and output) with one difference on
input: every value becomes an instant in UTC, a naive one taken to be UTC already as the store
takes it. A moment whose UTC instant falls outside the years 1 to 9999
(`0001-01-01T00:00:00+01:00`) cannot be stored or compared, so it is refused while the
variables are read, as a client error naming the variable, rather than failing a resolver.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from strawberry.schema.types.base_scalars import DateTimeDefinition, wrap_parser
from strawberry.types.scalar import ScalarDefinition


def utc_instant(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        # Python's own wording for an offset of a day or more names its timedelta.
        if "offset must be a timedelta" in str(error):
            raise ValueError("Its offset from UTC must be under 24 hours.") from None
        raise
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("In UTC it falls outside the years 1 to 9999.") from None


UTC_DATETIME: ScalarDefinition = dataclasses.replace(
    DateTimeDefinition, parse_value=wrap_parser(utc_instant, "DateTime")
)

SCALAR_OVERRIDES: dict[object, ScalarDefinition] = {datetime: UTC_DATETIME}
