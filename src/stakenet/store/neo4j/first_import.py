"""A bulk write into an empty network (a first import): batches checked in memory, written in
transactions of their own as staged records, and published when the import commits.

A bulk write holds the revision's write lock from its first batch on (its own transaction,
which commits last), so when the network held no stakeholder and no interaction then, every
record stored since is one this bulk write created. `FirstImport` keeps their ids, keys and the
identities of keyless ties in memory: a batch that only creates records whose ids, keys and
identities are all free, with every stakeholder it refers to among those created, is checked
against that and written with no look-up on the server.

`StagedParts` writes each such batch in a write transaction of its own, as `:StagedStakeholder`
and `:StagedInteraction` nodes (their ties and participation join only those), up to
`PARTS_IN_FLIGHT` at once, each in a thread with the synchronous driver, so that a part goes on
while the importer checks the next chunk on the event loop: Neo4j applies a transaction's
changes on one thread at commit, so small transactions committed as the import goes are cheaper
than one holding everything, and two commit side by side. No read matches a staged node, nor a
tie that does not start at a `:Stakeholder`. `publish`, in the bulk write's own transaction,
gives the staged nodes their labels, so the whole import becomes visible at its commit, with
the revision. If the import fails, `remove` deletes the staged records; if the process dies,
the next write to the network does (`writes.bump_revision`): whoever holds the revision's lock
knows that no live import owns them.

Any other batch (one that deletes, writes a record a second time, reuses a key, or refers to a
stakeholder it did not create) is for `writes.write_batch_changes`, which looks everything up in
the bulk write's transaction, once the parts staged so far are published in it; after one such
batch the memory no longer tells the whole store, so every later batch of the bulk write goes
that way too (`FirstImport.takes` answers False).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter
from typing import Any

import neo4j

from stakenet.domain.model import Interaction, Stakeholder, Tie
from stakenet.domain.text import fold
from stakenet.store.codec import encoded_value, utc_text
from stakenet.store.neo4j.cypher import (
    CREATE_STAGED_INTERACTIONS,
    CREATE_STAGED_STAKEHOLDERS,
    CREATE_TIES_OF_EVERY_KIND,
    LOCK_REVISION,
    PUBLISH_STAGED_INTERACTIONS,
    PUBLISH_STAGED_STAKEHOLDERS,
    REMOVE_STAGED,
    STAGED_INTERACTION_PROPERTIES,
    STAGED_STAKEHOLDER_PROPERTIES,
    STAGED_TIE_PROPERTIES,
    TIE_TYPES,
)
from stakenet.store.neo4j.queries import Tx, run_query
from stakenet.store.port import TieIdentity, WriteBatch

# Parts written at once: one commits while the next is written (the test machine has 2 cores).
PARTS_IN_FLIGHT = 2

# How long the driver retries a part after transient errors: two parts that create ties of
# the same stakeholders can deadlock, and the loser runs again. Longer than the store's retry
# time for a mutation, which a client waits on: a part takes seconds on a loaded server.
PART_RETRY_TIME = 60.0

# Staged nodes deleted per statement when an import's parts are removed.
REMOVE_BATCH = 5000


def _all_new(ids: Iterable[str], taken: set[str]) -> set[str] | None:
    """The ids as a set, or None if one is taken or repeated."""
    fresh: set[str] = set()
    for entity_id in ids:
        if entity_id in taken or entity_id in fresh:
            return None
        fresh.add(entity_id)
    return fresh


def _keys_new(keys: Iterable[str | None], taken: set[str]) -> set[str] | None:
    return _all_new((key for key in keys if key is not None), taken)


@dataclass(slots=True)
class _Created:
    """Ids, keys and keyless tie identities of records created."""

    stakeholder_ids: set[str] = field(default_factory=set)
    stakeholder_keys: set[str] = field(default_factory=set)
    tie_ids: set[str] = field(default_factory=set)
    tie_keys: set[str] = field(default_factory=set)
    tie_identities: set[TieIdentity] = field(default_factory=set)
    interaction_ids: set[str] = field(default_factory=set)
    interaction_keys: set[str] = field(default_factory=set)

    def add(self, more: _Created) -> None:
        for name in self.__slots__:
            getattr(self, name).update(getattr(more, name))


class FirstImport:
    """What a bulk write into an empty network has created so far (see the module's
    docstring), and whether a batch only creates more."""

    def __init__(self) -> None:
        self.active = True
        self.created = _Created()

    def takes(self, batch: WriteBatch) -> bool:
        """Whether `batch` only creates records, each free and referring to stakeholders
        created; if so, they are counted as created. If not, nothing later is taken."""
        claims = self._claims(batch) if self.active else None
        if claims is None:
            self.active = False
            return False
        self.created.add(claims)
        return True

    def _claims(self, batch: WriteBatch) -> _Created | None:
        """What `batch` creates, or None if it does anything else."""
        if batch.delete_stakeholders or batch.delete_ties or batch.delete_interactions:
            return None
        created = self.created
        stakeholders, ties = batch.upsert_stakeholders, batch.upsert_ties
        interactions = batch.upsert_interactions
        free = {
            "stakeholder_ids": _all_new((s.id for s in stakeholders), created.stakeholder_ids),
            "stakeholder_keys": _keys_new((s.key for s in stakeholders), created.stakeholder_keys),
            "tie_ids": _all_new((t.id for t in ties), created.tie_ids),
            "tie_keys": _keys_new((t.key for t in ties), created.tie_keys),
            "interaction_ids": _all_new((i.id for i in interactions), created.interaction_ids),
            "interaction_keys": _keys_new((i.key for i in interactions), created.interaction_keys),
        }
        claims = _Created()
        for name, values in free.items():
            if values is None:
                return None
            setattr(claims, name, values)
        known = created.stakeholder_ids
        for tie in ties:
            for end in (tie.source_id, tie.target_id):
                if end not in known and end not in claims.stakeholder_ids:
                    return None
            identity = TieIdentity.of(tie)
            if identity is not None:
                if identity in created.tie_identities or identity in claims.tie_identities:
                    return None
                claims.tie_identities.add(identity)
        for interaction in interactions:
            participant_ids = interaction.participant_ids
            if len(set(participant_ids)) != len(participant_ids):
                return None
            for participant_id in participant_ids:
                if participant_id not in known and participant_id not in claims.stakeholder_ids:
                    return None
        return claims


class StagedParts:
    """The batches of a first import, each written as staged records in a transaction of its
    own (see the module's docstring), on a driver of their own from `open_driver`.

    The parts are written by threads, with the synchronous driver: the importer checks the
    next chunk on the event loop without awaiting anything, and a part on the loop would only
    send its statement, read its answer and commit at the importer's next `await`, leaving the
    server idle meanwhile.
    """

    def __init__(
        self, open_driver: Callable[[], neo4j.Driver], database: str, transaction_timeout: float
    ) -> None:
        self._open_driver = open_driver
        self._driver: neo4j.Driver | None = None
        self._database = database
        self._timeout = transaction_timeout
        self._threads: ThreadPoolExecutor | None = None
        # The element id of each staged stakeholder's node, once its part committed: ties and
        # participation find their ends by it. A seek of an index by id would cost more.
        self._nodes: dict[str, str] = {}
        self._in_flight: list[asyncio.Task[None]] = []
        # Parts in flight that create stakeholders: a part naming stakeholders waits for them.
        self._creating_stakeholders: list[asyncio.Task[None]] = []
        self.staged = False  # whether a part was sent, so records may be staged
        self.published = False

    async def stage(self, batch: WriteBatch, now: datetime) -> None:
        """Send `batch` (one `FirstImport.takes`) to be written as a part of its own; return
        once it is on its way. A failure of an earlier part is raised here."""
        while len(self._in_flight) >= PARTS_IN_FLIGHT:
            await self._wait(self._in_flight[0])
        if batch.upsert_ties or batch.upsert_interactions:
            for part in list(self._creating_stakeholders):
                await self._wait(part)
        if self._driver is None:
            self._driver = self._open_driver()
            self._threads = ThreadPoolExecutor(PARTS_IN_FLIGHT, thread_name_prefix="staged-part")
        # Submitted to its thread now, not at the event loop's next turn.
        written = asyncio.get_running_loop().run_in_executor(
            self._threads, self._write_part, batch, now
        )
        task = asyncio.create_task(self._keep_nodes(written))
        self.staged = True
        self._in_flight.append(task)
        if batch.upsert_stakeholders:
            self._creating_stakeholders.append(task)

    async def settle(self) -> None:
        """Wait for every part in flight; raise the first failure."""
        while self._in_flight:
            await self._wait(self._in_flight[0])

    async def abandon(self) -> None:
        """Wait for the parts in flight, their failures ignored (the import is failing or
        over), and for their threads; close their driver."""
        for part in self._in_flight:
            with contextlib.suppress(BaseException):
                await part
        self._in_flight.clear()
        self._creating_stakeholders.clear()
        # A part whose task was cancelled may still be running in its thread.
        await asyncio.to_thread(self._release)

    def _release(self) -> None:
        threads, driver = self._threads, self._driver
        self._threads = self._driver = None
        if threads is not None:
            threads.shutdown(wait=True)
        if driver is not None:
            driver.close()

    async def publish(self, tx: Tx) -> None:
        """Once every part committed, make them the network's records in `tx`, the bulk
        write's own transaction: visible to others when it commits, and to `tx` at once."""
        await self.settle()
        if self.published or not self.staged:
            return
        for kind, statement in PUBLISH_STAGED_STAKEHOLDERS.items():
            await run_query(tx, statement, kind=kind.value)
        await run_query(tx, PUBLISH_STAGED_INTERACTIONS)
        self.published = True

    async def _wait(self, part: asyncio.Task[None]) -> None:
        try:
            await part
        finally:
            self._in_flight.remove(part)
            if part in self._creating_stakeholders:
                self._creating_stakeholders.remove(part)

    async def _keep_nodes(self, written: asyncio.Future[dict[str, str]]) -> None:
        self._nodes.update(await written)

    def _write_part(self, batch: WriteBatch, now: datetime) -> dict[str, str]:
        """Write the part (in a thread of its own) and return its stakeholders' element ids."""

        def work(tx: neo4j.ManagedTransaction) -> dict[str, str]:
            # Built afresh on each attempt: the driver runs it again after a transient error
            # (two parts that lock the same stakeholder can deadlock).
            created: dict[str, str] = {}
            if batch.upsert_stakeholders:
                rows = _stakeholder_rows(batch.upsert_stakeholders, now)
                for record in tx.run(CREATE_STAGED_STAKEHOLDERS, rows=rows):
                    created[record["id"]] = record["node"]
            # One dict: a tie part reads it twice per tie, and a `ChainMap` look-up runs Python.
            nodes = {**self._nodes, **created} if created else self._nodes
            if batch.upsert_ties:
                ties = _tie_rows(batch.upsert_ties, now, nodes)
                tx.run(CREATE_TIES_OF_EVERY_KIND, ties).consume()
            if batch.upsert_interactions:
                rows = _interaction_rows(batch.upsert_interactions, now, nodes)
                tx.run(CREATE_STAGED_INTERACTIONS, rows=rows).consume()
            return created

        assert self._driver is not None
        timed = neo4j.unit_of_work(timeout=self._timeout)(work)
        with self._driver.session(
            database=self._database,
            default_access_mode=neo4j.WRITE_ACCESS,
            max_transaction_retry_time=PART_RETRY_TIME,
        ) as session:
            return session.execute_write(timed)


async def remove_staged(tx: neo4j.AsyncManagedTransaction) -> int:
    """Delete every staged record, holding the revision's write lock (no live import then owns
    any); how many nodes went."""
    await run_query(tx, LOCK_REVISION)
    return await remove_staged_records(tx)


async def remove_staged_records(tx: Tx) -> int:
    """Delete every staged record, in a transaction that holds the revision's write lock."""
    removed = 0
    while True:
        [row] = await run_query(tx, REMOVE_STAGED, batch=REMOVE_BATCH)
        if not row["removed"]:
            return removed
        removed += int(row["removed"])


# Each record's fields in the order of its row (`cypher.STAGED_*_PROPERTIES`), but the stored
# ones a part computes: the creation and update times, and a stakeholder's folded name.
_STAMPS = ("created_at", "updated_at")
_stakeholder_fields = attrgetter(
    *(name for name in STAGED_STAKEHOLDER_PROPERTIES if name not in {*_STAMPS, "name_folded"})
)
_tie_fields = attrgetter(*(name for name in STAGED_TIE_PROPERTIES if name not in _STAMPS))
_interaction_fields = attrgetter(
    *(name for name in STAGED_INTERACTION_PROPERTIES if name not in _STAMPS)
)
if STAGED_STAKEHOLDER_PROPERTIES[-3:] != ("name_folded", *_STAMPS) or (
    STAGED_TIE_PROPERTIES[-2:] != _STAMPS or STAGED_INTERACTION_PROPERTIES[-2:] != _STAMPS
):
    raise RuntimeError("A row's computed values come last, in the order the rows add them.")
# Stored as fixed-width UTC text, as every time is, not as the codec's ISO text.
_OCCURRED_AT = STAGED_INTERACTION_PROPERTIES.index("occurred_at")


# Values stored as they are; any other (an enum, a date, a tuple) is encoded by the codec.
_PLAIN = frozenset({str, int, float, bool})


def _values(fields: tuple[Any, ...]) -> list[Any]:
    """Fields' values as stored: a part makes one per field of each record, so the common
    values skip the call."""
    return [
        value if value is None or value.__class__ in _PLAIN else encoded_value(value)
        for value in fields
    ]


def _created_text(given: datetime | None, now_text: str) -> str:
    """A new record's creation time as stored text: when it says (`given`), or now. Made for
    every record of a part, hence the text of now made once per part."""
    return now_text if given is None else utc_text(given)


def _stakeholder_rows(stakeholders: Iterable[Stakeholder], now: datetime) -> list[list[Any]]:
    now_text = utc_text(now)
    return [
        [
            *_values(_stakeholder_fields(stakeholder)),
            fold(stakeholder.name),
            _created_text(stakeholder.created_at, now_text),
            now_text,
        ]
        for stakeholder in stakeholders
    ]


def _tie_rows(ties: Iterable[Tie], now: datetime, nodes: Mapping[str, str]) -> dict[str, Any]:
    rows: dict[str, list[list[Any]]] = {tie_type: [] for tie_type in TIE_TYPES.values()}
    now_text = utc_text(now)
    for tie in ties:
        rows[TIE_TYPES[tie.kind]].append(
            [
                nodes[tie.source_id],
                nodes[tie.target_id],
                *_values(_tie_fields(tie)),
                _created_text(tie.created_at, now_text),
                now_text,
            ]
        )
    return rows


def _interaction_rows(
    interactions: Iterable[Interaction], now: datetime, nodes: Mapping[str, str]
) -> list[list[Any]]:
    now_text = utc_text(now)
    rows = []
    for interaction in interactions:
        row = _values(_interaction_fields(interaction))
        row[_OCCURRED_AT] = utc_text(interaction.occurred_at)
        row += (
            _created_text(interaction.created_at, now_text),
            now_text,
            [[nodes[p.stakeholder_id], p.acting_as] for p in interaction.participants],
        )
        rows.append(row)
    return rows
