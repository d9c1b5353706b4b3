"""Entities as table rows and back: the columns, SELECTs and INSERT/UPDATE statements of the
stakeholders, ties and interactions tables.

Datetimes are fixed-width UTC ISO text (string order is time order), dates ISO text, enums their
values, tags and the kind attributes JSON.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import fields
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import orjson

from stakenet.domain.model import (
    DecisionRole,
    Evidence,
    Interaction,
    InteractionKind,
    OrganizationCategory,
    Participant,
    Seniority,
    Stakeholder,
    StakeholderKind,
    Tie,
    TieKind,
)
from stakenet.store.codec import as_utc as as_utc
from stakenet.store.codec import utc_text as utc_text


def marks(count: int) -> str:
    return ",".join("?" * count)


def _field_names(entity: type[Any]) -> tuple[str, ...]:
    return tuple(f.name for f in fields(entity))


Convert = Callable[[Any], Any]

Row = Sequence[Any]

# One encoder for every call: json.dumps builds a new one per call when given options.
_json_text = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def to_json(value: Any) -> str:
    """Compact JSON text of ids, tags or attributes (text, integers, enums).

    orjson's is the same text, in a fraction of the time (this runs twice per stakeholder of
    a bulk import); what orjson refuses, an integer beyond 64 bits or a lone surrogate, the
    standard library writes.
    """
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return _json_text(value)


class _Decoder:
    """Turns the columns of a row back into field values; columns are named after the fields.

    Columns hold the field values as they are, except that datetimes and dates are ISO text and
    enums plain text. Conversions are listed only for the columns that need one.
    """

    def __init__(self, columns: tuple[str, ...], decoders: Mapping[str, Convert]) -> None:
        self.columns = columns
        self._decoders = [
            (columns.index(name), _fast(convert)) for name, convert in decoders.items()
        ]

    def __call__(self, row: Row) -> list[Any]:
        values = list(row)
        for index, convert in self._decoders:
            value = values[index]
            if value is not None:
                values[index] = convert(value)
        return values


def _fast(convert: Convert) -> Convert:
    """An enum's members by value are a dict look-up, much cheaper than calling the enum."""
    if isinstance(convert, type) and issubclass(convert, StrEnum):
        return {member.value: member for member in convert}.__getitem__
    return convert


_TIMES_FROM_TEXT: Mapping[str, Convert] = {
    "created_at": datetime.fromisoformat,
    "updated_at": datetime.fromisoformat,
}

_STAKEHOLDER_FIELDS = _field_names(Stakeholder)

# The common fields come first in Stakeholder, ending with the two timestamps; the kind
# attributes after them share one JSON column.
STAKEHOLDER_COLUMNS = _STAKEHOLDER_FIELDS[: _STAKEHOLDER_FIELDS.index("updated_at") + 1]

_STAKEHOLDER_ATTRIBUTES = _STAKEHOLDER_FIELDS[len(STAKEHOLDER_COLUMNS) :]

_STAKEHOLDER_DECODER = _Decoder(
    STAKEHOLDER_COLUMNS,
    {
        **_TIMES_FROM_TEXT,
        "kind": StakeholderKind,
        "internal": bool,
        "tags": lambda text: tuple(json.loads(text)),
    },
)

_ATTRIBUTE_DECODERS: Mapping[str, Convert] = {
    "seniority": _fast(Seniority),
    "category": _fast(OrganizationCategory),
}

STAKEHOLDER_SELECT = f"SELECT {', '.join(STAKEHOLDER_COLUMNS)}, attributes FROM stakeholders"  # noqa: S608

_STAKEHOLDER_HEAD = operator.attrgetter(*STAKEHOLDER_COLUMNS[:-2])

_STAKEHOLDER_ATTRIBUTE_VALUES = operator.attrgetter(*_STAKEHOLDER_ATTRIBUTES)

_INTERNAL = STAKEHOLDER_COLUMNS.index("internal")

_TAGS = STAKEHOLDER_COLUMNS.index("tags")


def stakeholder_row(stakeholder: Stakeholder, created: str, updated: str) -> list[Any]:
    """The stakeholder as `STAKEHOLDER_SELECT` reads it back: its columns, then attributes."""
    row = [*_STAKEHOLDER_HEAD(stakeholder), created, updated]
    row[_INTERNAL] = int(row[_INTERNAL])
    row[_TAGS] = to_json(row[_TAGS])
    attributes = zip(
        _STAKEHOLDER_ATTRIBUTES, _STAKEHOLDER_ATTRIBUTE_VALUES(stakeholder), strict=True
    )
    row.append(to_json({name: value for name, value in attributes if value is not None}))
    return row


def stakeholder_from_row(row: Row) -> Stakeholder:
    """A stakeholder from the columns of `STAKEHOLDER_SELECT`, in that order."""
    attributes: dict[str, Any] = json.loads(row[-1])
    for name, decode in _ATTRIBUTE_DECODERS.items():
        if name in attributes:
            attributes[name] = decode(attributes[name])
    return Stakeholder(*_STAKEHOLDER_DECODER(row[:-1]), **attributes)


TIE_COLUMNS = _field_names(Tie)  # ending with the two timestamps

_TIE_DECODER = _Decoder(
    TIE_COLUMNS,
    {
        **_TIMES_FROM_TEXT,
        "kind": TieKind,
        "evidence": Evidence,
        "decision_role": DecisionRole,
        "since": date.fromisoformat,
        "until": date.fromisoformat,
    },
)

TIE_SELECT = f"SELECT {', '.join(TIE_COLUMNS)} FROM ties"  # noqa: S608 (fixed columns)


_SINCE = TIE_COLUMNS.index("since")

_UNTIL = TIE_COLUMNS.index("until")


_TIE_VALUES = operator.attrgetter(*TIE_COLUMNS)

_CREATED = TIE_COLUMNS.index("created_at")

_UPDATED = TIE_COLUMNS.index("updated_at")


def tie_rows(ties: Iterable[Tie], now: str) -> list[Row]:
    """Each tie as `TIE_SELECT` reads it back, written at `now`: created then unless the tie
    says when. This runs once per tie of a bulk import: one loop, no call per tie."""
    rows: list[Row] = []
    append = rows.append
    for tie in ties:
        row = list(_TIE_VALUES(tie))
        since, until, created = row[_SINCE], row[_UNTIL], row[_CREATED]
        if since is not None:
            row[_SINCE] = since.isoformat()
        if until is not None:
            row[_UNTIL] = until.isoformat()
        row[_CREATED] = now if created is None else utc_text(created)
        row[_UPDATED] = now
        append(row)
    return rows


def tie_from_row(row: Row) -> Tie:
    return Tie(*_TIE_DECODER(row))


INTERACTION_COLUMNS = tuple(name for name in _field_names(Interaction) if name != "participants")

_INTERACTION_DECODER = _Decoder(
    INTERACTION_COLUMNS,
    {**_TIMES_FROM_TEXT, "kind": InteractionKind, "occurred_at": datetime.fromisoformat},
)

INTERACTION_SELECT = f"SELECT {', '.join(INTERACTION_COLUMNS)} FROM interactions"  # noqa: S608

_INTERACTION_HEAD = operator.attrgetter(*INTERACTION_COLUMNS[:-2])

_OCCURRED_AT = INTERACTION_COLUMNS.index("occurred_at")


def interaction_row(interaction: Interaction, created: str, updated: str) -> list[Any]:
    """The interaction as `INTERACTION_SELECT` reads it back (participants are not in it)."""
    row = [*_INTERACTION_HEAD(interaction), created, updated]
    row[_OCCURRED_AT] = utc_text(row[_OCCURRED_AT])
    return row


# The columns are the fields in order but for the participants, which go in here.
_PARTICIPANTS_AT = _field_names(Interaction).index("participants")


def interaction_from_row(row: Row, participants: Sequence[Participant]) -> Interaction:
    """Built from positions: this runs once per interaction a re-import reads."""
    values = _INTERACTION_DECODER(row)
    values.insert(_PARTICIPANTS_AT, tuple(participants))
    return Interaction(*values)


def _insert_sql(table: str, columns: Sequence[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks(len(columns))})"  # noqa: S608


def _update_sql(table: str, columns: Sequence[str]) -> str:
    # created_at is never in the update list: an existing row keeps its creation time.
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in {"id", "created_at"})
    return f"{_insert_sql(table, columns)} ON CONFLICT (id) DO UPDATE SET {updates}"


# name_folded last: a stakeholder's insert row is its `stakeholder_row` and the folded name.
STAKEHOLDER_TABLE_COLUMNS = (*STAKEHOLDER_COLUMNS, "attributes", "name_folded")

INSERT_STAKEHOLDER = _insert_sql("stakeholders", STAKEHOLDER_TABLE_COLUMNS)

UPDATE_STAKEHOLDER = _update_sql("stakeholders", STAKEHOLDER_TABLE_COLUMNS)

INSERT_TIE = _insert_sql("ties", TIE_COLUMNS)

UPDATE_TIE = _update_sql("ties", TIE_COLUMNS)

INSERT_INTERACTION = _insert_sql("interactions", INTERACTION_COLUMNS)

UPDATE_INTERACTION = _update_sql("interactions", INTERACTION_COLUMNS)


def participants_by_interaction(
    rows: Iterable[Sequence[Any]], *, ordered: bool = True
) -> dict[str, list[Participant]]:
    """Participants per interaction id; rows are (interaction, stakeholder, acting_as[, pos])."""
    if not ordered:
        rows = sorted(rows, key=lambda row: (row[0], row[3]))
    grouped: dict[str, list[Participant]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(Participant(row[1], row[2]))
    return grouped


def interactions_from_rows(
    rows: Iterable[Row], participants: Mapping[str, list[Participant]]
) -> list[Interaction]:
    return [interaction_from_row(row, participants.get(row[0], ())) for row in rows]


def interaction_state(interaction: Interaction, created: str, updated: str) -> list[Any]:
    """The interaction's row with its participants last, as the change log holds it."""
    row = interaction_row(interaction, created, updated)
    row.append([(p.stakeholder_id, p.acting_as) for p in interaction.participants])
    return row


def interaction_states(
    rows: Iterable[Row], participants: Iterable[Sequence[Any]]
) -> list[list[Any]]:
    """`interaction_state` of each interaction row, from its participant rows (interaction id,
    stakeholder id, position, acting as), in position order."""
    acting: dict[str, list[tuple[str, str | None]]] = {}
    for participant in participants:
        acting.setdefault(participant[0], []).append((participant[1], participant[3]))
    return [[*row, acting.get(row[0], [])] for row in rows]
