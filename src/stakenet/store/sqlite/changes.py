"""The change log: rows of `change_sets`, one per revision or per part of one, written, read and
pruned.

A revision is usually one row; a bulk write adds a row per part as it goes, in `seq` order. A row
holds a JSON array of runs [entity_type, op, items], in the order the batch did them. An
upsert's item is the entity's row as `rows` reads it (an interaction's row ends with its
participants as [stakeholder_id, acting_as] pairs); a delete's item is the entity's id. Runs
converted from the older one-row-per-change log hold the store.codec object of the entity
instead of its row.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

import orjson

from stakenet.domain.errors import ChangeLogPruned
from stakenet.domain.model import (
    Change,
    ChangeOp,
    Entity,
    EntityType,
    Participant,
)
from stakenet.store.codec import (
    entity_from_dict,
)
from stakenet.store.sqlite.reads import read_revision
from stakenet.store.sqlite.rows import (
    Row,
    interaction_from_row,
    stakeholder_from_row,
    tie_from_row,
)


class ChangeLog:
    """The changes of one batch: one entry per entity touched, holding its final state.

    A log that does not `copy` only notes that something changed: a bulk write into an empty
    network keeps no copy of its rows (`BulkChanges`).
    """

    def __init__(self, revision: int, *, copy: bool = True) -> None:
        self.revision = revision
        self.copy = copy
        self._runs: list[tuple[str, str, list[Any]]] = []
        self._parts_written = 0
        self._changed_uncopied = False

    def __bool__(self) -> bool:
        """Whether anything changed: logged and not yet written, or written in a part."""
        return (
            self._changed_uncopied
            or self._parts_written > 0
            or any(items for _, _, items in self._runs)
        )

    def upsert(self, entity_type: EntityType, rows: Sequence[Row]) -> None:
        """Record upserts of `entity_type`, ids unique; each row's first column is its id."""
        self._add(entity_type.value, ChangeOp.UPSERT.value, list(rows), [row[0] for row in rows])

    def delete(self, entity_type: EntityType, entity_id: str) -> None:
        self._add(entity_type.value, ChangeOp.DELETE.value, [entity_id], [entity_id])

    def _add(self, kind: str, op: str, items: list[Any], ids: list[str]) -> None:
        if not items:
            return
        if not self.copy:
            self._changed_uncopied = True
            return
        # A later write to an entity replaces its earlier entry: one entry per entity, last.
        earlier = [run for run in self._runs if run[0] == kind]
        if earlier:
            again = set(ids)
            for _, run_op, run_items in earlier:
                run_items[:] = [item for item in run_items if _item_id(run_op, item) not in again]
        last = self._runs[-1] if self._runs else None
        if last is not None and last[:2] == (kind, op):
            last[2].extend(items)
        else:
            self._runs.append((kind, op, items))

    def write(self, connection: sqlite3.Connection, *, forget: bool = False) -> None:
        """Write what was logged as a part of the revision's set: once, or with `forget`.

        `forget` drops the written entries from memory, for a bulk write that writes a part per
        batch: a later entry for the same entity then follows them in the log instead of
        replacing them, and `changes` tells only what was logged since.
        """
        runs = [run for run in self._runs if run[2]]
        if not runs:
            return
        connection.execute(
            "INSERT INTO change_sets (revision, changes) VALUES (?, ?)",
            (self.revision, orjson.dumps(runs).decode()),
        )
        self._parts_written += 1
        if forget:
            self._runs = []

    def changes(self) -> list[Change]:
        return changes_from_runs(self.revision, self._runs)


def _item_id(op: str, item: Any) -> str:
    if op == ChangeOp.DELETE.value:
        return str(item)
    return str(item["id"] if isinstance(item, dict) else item[0])


def changes_from_runs(revision: int, runs: Iterable[Sequence[Any]]) -> list[Change]:
    changes = []
    for entity_type_value, op_value, items in runs:
        entity_type, op = EntityType(entity_type_value), ChangeOp(op_value)
        if op is ChangeOp.DELETE:
            changes += [Change(revision, entity_type, op, entity_id) for entity_id in items]
            continue
        for item in items:
            entity = _entity_from_state(entity_type, item)
            changes.append(Change(revision, entity_type, op, entity.id, entity))
    return changes


def _entity_from_state(entity_type: EntityType, state: Any) -> Entity:
    if isinstance(state, dict):  # logged before change sets
        return entity_from_dict(entity_type, state)
    if entity_type is EntityType.STAKEHOLDER:
        return stakeholder_from_row(state)
    if entity_type is EntityType.TIE:
        return tie_from_row(state)
    return interaction_from_row(state[:-1], [Participant(*pair) for pair in state[-1]])


def read_horizon(connection: sqlite3.Connection) -> int:
    """The newest revision whose changes `prune_change_log` forgot; 0 while none were."""
    row = connection.execute("SELECT value FROM meta WHERE name = 'log_horizon'").fetchone()
    return int(row[0]) if row else 0


def prune_change_log(connection: sqlite3.Connection, keep_revisions: int) -> int:
    """Delete the change sets of all but the newest `keep_revisions` revisions and record the
    horizon; in a write transaction. Returns the horizon."""
    horizon = max(read_horizon(connection), read_revision(connection) - keep_revisions)
    connection.execute("DELETE FROM change_sets WHERE revision <= ?", (horizon,))
    connection.execute(
        "INSERT INTO meta (name, value) VALUES ('log_horizon', ?) "
        "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        (horizon,),
    )
    return horizon


def changes_since(connection: sqlite3.Connection, revision: int, limit: int) -> list[Change]:
    """The changes after `revision`, whole revisions only, stopping after the one that reaches
    `limit`; in a read transaction. ChangeLogPruned if some were forgotten."""
    horizon = read_horizon(connection)
    if revision < horizon:
        raise ChangeLogPruned(horizon)
    changes: list[Change] = []
    sets = connection.execute(
        "SELECT revision, changes FROM change_sets WHERE revision > ? ORDER BY seq",
        (revision,),
    )
    with contextlib.closing(sets):
        for set_revision, entries in sets:
            # The limit is checked where a revision starts: its parts all come together.
            if len(changes) >= limit and set_revision != changes[-1].revision:
                break
            changes += changes_from_runs(set_revision, orjson.loads(entries))
    return changes
