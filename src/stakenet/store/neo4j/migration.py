"""Moving a network stored in an earlier graph model to the current one, when the store opens,
and the note of the schema version applied.

A database written before kinds were labels and types holds stakeholders with a `kind` property
only, and each tie as a `:Tie` node between `(tie)-[:TIE_FROM]->(source)` and
`(tie)-[:TIE_TO]->(target)`. Opening the store gives each stakeholder its kind's label and turns
each such node into a relationship of its kind's type with the same properties, a batch per
transaction, until nothing is left to move, and then notes the model on `GraphMeta`
(`graph_model`), so later openings skip the search.
The revision, the change log and the audit trail are untouched: the entities stay the same.
"""

from __future__ import annotations

import logging
from typing import Any, LiteralString

import neo4j

from stakenet.store.neo4j.cypher import (
    LABEL_STAKEHOLDERS,
    READ_GRAPH_MODEL,
    READ_SCHEMA_VERSION,
    SET_GRAPH_MODEL,
    SET_SCHEMA_VERSION,
    TIE_NODES_TO_RELATIONSHIPS,
)
from stakenet.store.neo4j.queries import run_query

log = logging.getLogger(__name__)

# The graph model this store writes (`GraphMeta.graph_model`); 1 is the one with ties as nodes.
GRAPH_MODEL = 2

# Entities moved per transaction: each batch's changes are held in memory until it commits.
MIGRATION_BATCH = 5000


async def migrate_network(
    session: neo4j.AsyncSession, transaction_timeout: float, batch: int = MIGRATION_BATCH
) -> int:
    """Move what is left in an earlier model, `batch` entities a transaction; how many moved."""
    [row] = await session.execute_read(_read_model)
    if row["model"] >= GRAPH_MODEL:
        return 0
    moved = 0
    steps = [
        *((statement, kind.value) for kind, statement in LABEL_STAKEHOLDERS.items()),
        *((statement, kind.value) for kind, statement in TIE_NODES_TO_RELATIONSHIPS.items()),
    ]
    for statement, kind in steps:
        moved += await _until_done(session, statement, transaction_timeout, kind=kind, batch=batch)
    await session.execute_write(_mark_model)
    if moved:
        log.info("Moved %d stakeholders and ties to the current graph model", moved)
    return moved


async def _until_done(
    session: neo4j.AsyncSession,
    statement: LiteralString,
    transaction_timeout: float,
    **params: object,
) -> int:
    async def one_batch(tx: neo4j.AsyncManagedTransaction) -> int:
        [row] = await run_query(tx, statement, **params)
        return int(row["moved"])

    timed = neo4j.unit_of_work(timeout=transaction_timeout)(one_batch)
    total = 0
    while moved := await session.execute_write(timed):
        total += moved
    return total


async def _read_model(tx: neo4j.AsyncManagedTransaction) -> list[dict[str, Any]]:
    return await run_query(tx, READ_GRAPH_MODEL)


async def _mark_model(tx: neo4j.AsyncManagedTransaction) -> None:
    await run_query(tx, SET_GRAPH_MODEL, model=GRAPH_MODEL)


async def schema_version(session: neo4j.AsyncSession) -> int:
    """The newest schema script noted as applied to the database (0: none)."""

    async def read(tx: neo4j.AsyncManagedTransaction) -> int:
        [row] = await run_query(tx, READ_SCHEMA_VERSION)
        return int(row["version"])

    return await session.execute_read(read)


async def note_schema_version(session: neo4j.AsyncSession, version: int) -> None:
    """Note that every schema script up to `version` is applied."""

    async def write(tx: neo4j.AsyncManagedTransaction) -> None:
        await run_query(tx, SET_SCHEMA_VERSION, version=version)

    await session.execute_write(write)
