"""The SELECTs of the store, run on a connection inside a read (or write) transaction."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from stakenet.domain.model import (
    Counts,
    GraphData,
    Interaction,
    Stakeholder,
    Tie,
)
from stakenet.domain.text import fold
from stakenet.store.codec import encode_cursor
from stakenet.store.port import (
    Direction,
    Page,
    PageRequest,
    StakeholderFilter,
    StakeholderOrder,
)
from stakenet.store.sqlite.rows import (
    INTERACTION_SELECT,
    STAKEHOLDER_COLUMNS,
    STAKEHOLDER_SELECT,
    TIE_SELECT,
    as_utc,
    interactions_from_rows,
    marks,
    participants_by_interaction,
    stakeholder_from_row,
    tie_from_row,
    to_json,
    utc_text,
)


def read_revision(connection: sqlite3.Connection) -> int:
    row = connection.execute("SELECT value FROM meta WHERE name = 'revision'").fetchone()
    return int(row[0])


def where_clause(conditions: Sequence[str]) -> str:
    return f" WHERE {' AND '.join(conditions)}" if conditions else ""


def stakeholder_conditions(where: StakeholderFilter) -> tuple[list[str], list[Any]]:
    conditions: list[str] = []
    params: list[Any] = []
    if where.kind is not None:
        conditions.append("kind = ?")
        params.append(where.kind.value)
    if where.search:
        # instr, not LIKE: a LIKE pattern stops at a NUL (and then matches every name) and is
        # refused beyond 50,000 bytes, while instr compares the whole text, of any length.
        conditions.append("instr(name_folded, ?) > 0")
        params.append(fold(where.search))
    for tag in dict.fromkeys(where.tags):
        conditions.append(
            "EXISTS (SELECT 1 FROM stakeholder_tags AS t "
            "WHERE t.stakeholder_id = stakeholders.id AND t.tag = ?)"
        )
        params.append(tag)
    if where.internal is not None:
        conditions.append("internal = ?")
        params.append(int(where.internal))
    if where.updated_since is not None:
        conditions.append("updated_at >= ?")
        params.append(utc_text(where.updated_since))
    return conditions, params


def select_in(
    connection: sqlite3.Connection, select: str, column: str, values: Sequence[str]
) -> sqlite3.Cursor:
    """Rows of `select` whose `column` is one of `values`, in one statement however many."""
    return connection.execute(
        f"{select} WHERE {column} IN (SELECT value FROM json_each(?))",  # noqa: S608
        (to_json(list(values)),),
    )


def stakeholders_where(
    connection: sqlite3.Connection, column: str, values: Sequence[str]
) -> list[Stakeholder]:
    return [
        stakeholder_from_row(row)
        for row in select_in(connection, STAKEHOLDER_SELECT, column, values)
    ]


def ties_where(connection: sqlite3.Connection, column: str, values: Sequence[str]) -> list[Tie]:
    return [tie_from_row(row) for row in select_in(connection, TIE_SELECT, column, values)]


def interactions_where(
    connection: sqlite3.Connection, column: str, values: Sequence[str]
) -> list[Interaction]:
    rows = select_in(connection, INTERACTION_SELECT, column, values).fetchall()
    participants = participants_by_interaction(
        select_in(
            connection,
            "SELECT interaction_id, stakeholder_id, acting_as, position "
            "FROM interaction_participants",
            "interaction_id",
            [row[0] for row in rows],
        ),
        ordered=False,
    )
    return interactions_from_rows(rows, participants)


def existing_ids(connection: sqlite3.Connection, table: str, ids: Sequence[str]) -> set[str]:
    if not ids:
        return set()
    return {row[0] for row in select_in(connection, f"SELECT id FROM {table}", "id", ids)}  # noqa: S608


def created_at_of(connection: sqlite3.Connection, table: str, ids: Sequence[str]) -> dict[str, str]:
    """The creation time, as stored, of each of `ids` that exists in `table`."""
    if connection.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is None:  # noqa: S608
        return {}  # a first import into an empty table looks nothing up
    select = f"SELECT id, created_at FROM {table}"  # noqa: S608 (table is one of ours)
    return dict(select_in(connection, select, "id", ids).fetchall())


@contextlib.contextmanager
def reading(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One deferred read transaction: every SELECT inside sees the same snapshot."""
    connection.execute("BEGIN")
    try:
        yield connection
    finally:
        if connection.in_transaction:
            connection.execute("COMMIT")


def counts(connection: sqlite3.Connection) -> Counts:
    row = connection.execute(
        "SELECT (SELECT COUNT(*) FROM stakeholders), (SELECT COUNT(*) FROM ties), "
        "(SELECT COUNT(*) FROM interactions), "
        "(SELECT value FROM meta WHERE name = 'revision')"
    ).fetchone()
    return Counts(stakeholders=row[0], ties=row[1], interactions=row[2], revision=row[3])


def stakeholder_page(
    connection: sqlite3.Connection,
    where: StakeholderFilter,
    page: PageRequest,
    order: StakeholderOrder,
    after: tuple[str, str] | None,
) -> Page[Stakeholder]:
    """One page of the stakeholders that match `where`, after the cursor's (sort value, id)."""
    conditions, params = stakeholder_conditions(where)
    sort_column = "name_folded" if order is StakeholderOrder.NAME else "updated_at"
    page_conditions, page_params = list(conditions), list(params)
    if after is not None:
        if order is StakeholderOrder.NAME:
            page_conditions.append("(name_folded, id) > (?, ?)")
            page_params += after
        else:
            page_conditions.append("(updated_at < ? OR (updated_at = ? AND id > ?))")
            page_params += [after[0], after[0], after[1]]
    ordering = "name_folded, id" if order is StakeholderOrder.NAME else "updated_at DESC, id"
    # Only fixed fragments are joined into the SQL; every value is a bound parameter.
    page_sql = (
        f"SELECT {sort_column}, {', '.join(STAKEHOLDER_COLUMNS)}, attributes "  # noqa: S608
        f"FROM stakeholders{where_clause(page_conditions)} "
        f"ORDER BY {ordering} LIMIT ?"
    )
    count_sql = f"SELECT COUNT(*) FROM stakeholders{where_clause(conditions)}"  # noqa: S608
    with reading(connection):
        rows = connection.execute(page_sql, [*page_params, page.first + 1]).fetchall()
        total = connection.execute(count_sql, params).fetchone()[0]
    shown = rows[: page.first]
    return Page(
        items=[stakeholder_from_row(row[1:]) for row in shown],
        cursors=[encode_cursor(order, row[0], row[1]) for row in shown],
        has_next_page=len(rows) > page.first,
        total_count=total,
    )


_TIE_END_COLUMNS: Mapping[Direction, tuple[str, ...]] = {
    Direction.OUT: ("source_id",),
    Direction.IN: ("target_id",),
    Direction.BOTH: ("source_id", "target_id"),
}


def ties_of(
    connection: sqlite3.Connection,
    ids: Sequence[str],
    kind_values: Sequence[str],
    direction: Direction,
) -> list[Tie]:
    """The ties at `ids` (distinct), of the given kinds (any when none), in id order."""
    kind_condition = f" AND kind IN ({marks(len(kind_values))})" if kind_values else ""
    ids_json = to_json(list(ids))
    found: dict[str, Tie] = {}
    with reading(connection):
        for column in _TIE_END_COLUMNS[direction]:
            sql = (
                f"{TIE_SELECT} WHERE {column} IN (SELECT value FROM json_each(?))"  # noqa: S608
                f"{kind_condition}"
            )
            for row in connection.execute(sql, [ids_json, *kind_values]):
                if row[0] not in found:  # a tie between two of them comes twice
                    found[row[0]] = tie_from_row(row)
    return [found[tie_id] for tie_id in sorted(found)]


def interactions_of(
    connection: sqlite3.Connection, ids: Sequence[str], since: datetime | None
) -> list[Interaction]:
    """The interactions `ids` took part in, newest first (then by id)."""
    interaction_ids: set[str] = set()
    with reading(connection):
        select = "SELECT interaction_id FROM interaction_participants"
        interaction_ids.update(
            row[0] for row in select_in(connection, select, "stakeholder_id", ids)
        )
        found = interactions_where(connection, "id", sorted(interaction_ids))
    if since is not None:
        cutoff = as_utc(since)
        found = [i for i in found if i.occurred_at >= cutoff]
    found.sort(key=lambda interaction: interaction.id)
    found.sort(key=lambda interaction: interaction.occurred_at, reverse=True)
    return found


def load_all(connection: sqlite3.Connection) -> GraphData:
    with reading(connection):
        revision = read_revision(connection)
        stakeholders = [
            stakeholder_from_row(row)
            for row in connection.execute(f"{STAKEHOLDER_SELECT} ORDER BY id")
        ]
        ties = [tie_from_row(row) for row in connection.execute(f"{TIE_SELECT} ORDER BY id")]
        interactions = interactions_from_rows(
            connection.execute(f"{INTERACTION_SELECT} ORDER BY id").fetchall(),
            participants_by_interaction(
                connection.execute(
                    "SELECT interaction_id, stakeholder_id, acting_as "
                    "FROM interaction_participants ORDER BY interaction_id, position"
                )
            ),
        )
    return GraphData(revision, stakeholders, ties, interactions)
