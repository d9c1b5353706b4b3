"""The read queries of the store as transaction functions: counts, lookups by id or key, the
stakeholder listing, a stakeholder's ties and interactions, the whole graph and the change log.
Each runs inside a managed read transaction, which the driver may run again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, LiteralString, TypeVar

from stakenet.domain.errors import ChangeLogPruned
from stakenet.domain.model import (
    Change,
    Counts,
    GraphData,
    Interaction,
    Stakeholder,
    Tie,
)
from stakenet.store.codec import (
    encode_cursor,
    stakeholder_from_dict,
    tie_from_dict,
)
from stakenet.store.neo4j.changes import change_from_record
from stakenet.store.neo4j.cypher import (
    ALL_INTERACTIONS,
    ALL_STAKEHOLDERS,
    ALL_TIES,
    CHANGES_AFTER,
    CHANGES_REST_OF_REVISION,
    COUNTS,
    INTERACTION_IDS_OF,
    INTERACTIONS_BY_ID,
    READ_LOG_HORIZON,
    TIES_FROM,
    TIES_OF,
    TIES_TO,
)
from stakenet.store.neo4j.queries import Tx, interactions_by, read_revision, run_chunked, run_query
from stakenet.store.neo4j.records import interaction_from_record
from stakenet.store.port import (
    Direction,
    Page,
    StakeholderOrder,
)

R = TypeVar("R")

_TIES_IN_DIRECTION: Mapping[Direction, LiteralString] = {
    Direction.OUT: TIES_FROM,
    Direction.IN: TIES_TO,
    Direction.BOTH: TIES_OF,
}


async def counts(tx: Tx) -> Counts:
    [row] = await run_query(tx, COUNTS)
    return Counts(
        stakeholders=int(row["stakeholders"]),
        ties=int(row["ties"]),
        interactions=int(row["interactions"]),
        revision=int(row["revision"]),
    )


async def fetch(
    tx: Tx, query: LiteralString, values: Sequence[str], decode: Callable[[Any], R]
) -> list[R]:
    """The entities `query` finds for `values` (ids or keys), decoded from their properties."""
    return [decode(row["props"]) for row in await run_chunked(tx, query, "values", values)]


async def stakeholder_page(
    tx: Tx,
    query: LiteralString,
    count: LiteralString,
    params: Mapping[str, Any],
    cursor: Mapping[str, Any],
    first: int,
    order: StakeholderOrder,
) -> Page[Stakeholder]:
    """One page of the listing `query` and the total that `count` finds (`cypher`'s
    `stakeholder_listing`), with `params` the filters that are set and `cursor` the position.
    """
    rows = await run_query(tx, query, **params, **cursor, limit=first + 1)
    [counted] = await run_query(tx, count, **params)
    shown = rows[:first]
    return Page(
        items=[stakeholder_from_dict(row["props"]) for row in shown],
        cursors=[encode_cursor(order, row["sort_value"], row["props"]["id"]) for row in shown],
        has_next_page=len(rows) > first,
        total_count=int(counted["total"]),
    )


async def ties_of(
    tx: Tx, ids: Sequence[str], kind_values: list[str], direction: Direction
) -> list[Tie]:
    rows = await run_chunked(tx, _TIES_IN_DIRECTION[direction], "ids", ids, kinds=kind_values)
    found = {row["props"]["id"]: tie_from_dict(row["props"]) for row in rows}
    return [found[tie_id] for tie_id in sorted(found)]


async def interactions_of(tx: Tx, ids: Sequence[str], cutoff: str | None) -> list[Interaction]:
    """The interactions of the stakeholders `ids` since `cutoff` (UTC text), newest first."""
    rows = await run_chunked(tx, INTERACTION_IDS_OF, "ids", ids, since=cutoff)
    interaction_ids = sorted({row["id"] for row in rows})
    found = await interactions_by(tx, INTERACTIONS_BY_ID, interaction_ids)
    found.sort(key=lambda interaction: interaction.id)
    found.sort(key=lambda interaction: interaction.occurred_at, reverse=True)
    return found


async def load_all(tx: Tx) -> GraphData:
    revision = await read_revision(tx)
    stakeholders = [
        stakeholder_from_dict(r["props"]) for r in await run_query(tx, ALL_STAKEHOLDERS)
    ]
    ties = [tie_from_dict(r["props"]) for r in await run_query(tx, ALL_TIES)]
    interactions = [
        interaction_from_record(r["props"], r["participants"])
        for r in await run_query(tx, ALL_INTERACTIONS)
    ]
    return GraphData(
        revision,
        sorted(stakeholders, key=lambda s: s.id),
        sorted(ties, key=lambda t: t.id),
        sorted(interactions, key=lambda i: i.id),
    )


async def changes_since(tx: Tx, revision: int, limit: int) -> list[Change]:
    [row] = await run_query(tx, READ_LOG_HORIZON)
    horizon = int(row["horizon"])
    if revision < horizon:
        raise ChangeLogPruned(horizon)
    rows = await run_query(tx, CHANGES_AFTER, revision=revision, limit=limit)
    if len(rows) == limit:
        # The limit may have cut a revision in two: take the rest of the last one.
        last = rows[-1]
        rows += await run_query(
            tx, CHANGES_REST_OF_REVISION, revision=last["revision"], seq=last["seq"]
        )
    return [change_from_record(row) for row in rows]
