"""A `WriteBatch` as the table rows it writes (`BatchRows`), built before any database is read.

A row is built from its entity alone, at the batch's time: a new record is created at the time
the entity gives, or at the batch's; one already stored keeps its stored creation time, which
`writes.py` puts in when it writes the row. So a bulk write builds each batch's rows in the
process that checked the batch, and its writer process (`writer_server`) receives flat tuples
of text and numbers, cheap to send, and only writes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from stakenet.domain.text import fold
from stakenet.store.port import WriteBatch, check_participants_distinct, last_by_id
from stakenet.store.sqlite.rows import (
    Row,
    interaction_row,
    stakeholder_row,
    tie_rows,
    utc_text,
)

ParticipantRow = tuple[str, str, int, str | None]


class BatchRows(NamedTuple):
    """The rows of a batch's upserts, each id once (the last version), and its deletes."""

    # When the batch is written: every row's update time, and a new row's creation time
    # unless its entity gives one.
    now: str
    # Rows of the `stakeholders` table: a stakeholder's `stakeholder_row`, its name folded.
    stakeholders: list[Row]
    # (stakeholder id, tag)
    stakeholder_tags: list[tuple[str, str]]
    ties: list[Row]
    interactions: list[Row]
    # (interaction id, stakeholder id, position, acting as), in each interaction's order.
    participants: list[ParticipantRow]
    delete_stakeholders: list[str]
    delete_ties: list[str]
    delete_interactions: list[str]


def _created(given: datetime | None, now: str) -> str:
    return now if given is None else utc_text(given)


def batch_rows(batch: WriteBatch, now: str | None = None) -> BatchRows:
    """The rows `batch` writes, at `now` (the current time if None).

    Raises ValidationFailed for an interaction that names a participant twice.
    """
    now = now or utc_text(datetime.now(UTC))
    stakeholders = last_by_id(batch.upsert_stakeholders)
    interactions = last_by_id(batch.upsert_interactions)
    check_participants_distinct(interactions)
    return BatchRows(
        now=now,
        stakeholders=[
            [*stakeholder_row(s, _created(s.created_at, now), now), fold(s.name)]
            for s in stakeholders
        ],
        stakeholder_tags=[(s.id, tag) for s in stakeholders for tag in s.tags],
        ties=tie_rows(last_by_id(batch.upsert_ties), now),
        interactions=[interaction_row(i, _created(i.created_at, now), now) for i in interactions],
        participants=[
            (interaction.id, participant.stakeholder_id, position, participant.acting_as)
            for interaction in interactions
            for position, participant in enumerate(interaction.participants)
        ],
        delete_stakeholders=batch.delete_stakeholders,
        delete_ties=batch.delete_ties,
        delete_interactions=batch.delete_interactions,
    )


def with_stored_creation(rows: Sequence[Row], stored: dict[str, str], column: int) -> list[Row]:
    """`rows` with the stored creation time (at `column`) of each row whose id is stored."""
    kept: list[Row] = []
    for row in rows:
        created = stored.get(row[0])
        if created is not None and created != row[column]:
            changed: list[Any] = list(row)
            changed[column] = created
            row = changed
        kept.append(row)
    return kept
