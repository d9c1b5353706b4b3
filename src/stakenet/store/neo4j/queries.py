"""Running Cypher inside a transaction: whole results, chunked input, shared reads."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, LiteralString, TypeVar

import neo4j

from stakenet.domain.model import (
    Interaction,
)
from stakenet.store.neo4j.cypher import READ_REVISION
from stakenet.store.neo4j.records import interaction_from_record

R = TypeVar("R")

# Rows per UNWIND statement: large enough to amortise a round trip, small enough for the server
# to plan and hold comfortably.
CHUNK_SIZE = 1000


def chunks(values: Sequence[R], size: int = CHUNK_SIZE) -> Iterator[Sequence[R]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# A managed transaction (`execute_read`/`execute_write`) or an explicit one (a bulk write's
# `begin_transaction`): the functions here only `run` statements, which both do alike.
Tx = neo4j.AsyncManagedTransaction | neo4j.AsyncTransaction


async def run_query(tx: Tx, query: LiteralString, **params: Any) -> list[dict[str, Any]]:
    result = await tx.run(query, params)
    return await result.data()


async def run_chunked(
    tx: Tx, query: LiteralString, name: str, values: Sequence[Any], **params: Any
) -> list[dict[str, Any]]:
    """Run `query` once per chunk of `values`, passed as parameter `name`."""
    rows: list[dict[str, Any]] = []
    for chunk in chunks(values):
        rows += await run_query(tx, query, **{name: list(chunk)}, **params)
    return rows


async def read_revision(tx: Tx) -> int:
    rows = await run_query(tx, READ_REVISION)
    return int(rows[0]["revision"]) if rows else 0


async def interactions_by(tx: Tx, query: LiteralString, values: Sequence[str]) -> list[Interaction]:
    rows = await run_chunked(tx, query, "values", values)
    return [interaction_from_record(row["props"], row["participants"]) for row in rows]
