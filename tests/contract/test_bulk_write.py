"""The store contract for `bulk_write`: several batches, one transaction, one revision."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from test_store_contract import MOMENT, company, interaction, person, tie, without_times

from stakenet.domain.access import AuditEntry
from stakenet.domain.errors import ChangeLogPruned, Conflict, NotFound, ValidationFailed
from stakenet.domain.model import (
    ChangeOp,
    EntityType,
    Interaction,
    InteractionKind,
    Participant,
    TieKind,
)
from stakenet.store.port import Store, WriteBatch


def _import_audit() -> AuditEntry:
    return AuditEntry(at=MOMENT, actor="ops", operation="importGraph", entity_ids=("p1", "t1"))


async def test_batches_of_a_bulk_write_land_together_at_one_revision(store: Store) -> None:
    await store.apply(WriteBatch(upsert_stakeholders=[company("c0")]))
    before = await store.revision()
    async with store.bulk_write() as bulk:
        await bulk.write(WriteBatch(upsert_stakeholders=[person("p1"), person("p2")]))
        await bulk.write(WriteBatch(upsert_ties=[tie("t1", "p1", "p2"), tie("t2", "p1", "c0")]))
        await bulk.write(WriteBatch(upsert_interactions=[interaction("i1", "p1", "p2")]))
        revision = await bulk.commit(_import_audit())
    assert revision == before + 1 == await store.revision()
    counts = await store.counts()
    assert (counts.stakeholders, counts.ties, counts.interactions) == (3, 2, 1)
    [stored_interaction] = await store.get_interactions(["i1"])
    assert stored_interaction is not None
    assert stored_interaction.participants == (Participant("p1"), Participant("p2"))
    changes = await store.changes_since(before)
    assert {c.revision for c in changes} == {revision}
    assert [(c.entity_type, c.entity_id) for c in changes] == [
        (EntityType.STAKEHOLDER, "p1"),
        (EntityType.STAKEHOLDER, "p2"),
        (EntityType.TIE, "t1"),
        (EntityType.TIE, "t2"),
        (EntityType.INTERACTION, "i1"),
    ]
    [stored_tie] = await store.get_ties(["t1"])
    assert stored_tie is not None
    assert [c.entity for c in changes if c.entity_id == "t1"] == [stored_tie]
    entries = await store.audit_entries()
    assert [(e.operation, e.revision) for e in entries] == [("importGraph", revision)]


async def test_readers_see_nothing_of_a_bulk_write_until_it_commits(store: Store) -> None:
    async with store.bulk_write() as bulk:
        await bulk.write(WriteBatch(upsert_stakeholders=[person("p1")]))
        assert await store.get_stakeholders(["p1"]) == [None]
        assert await store.revision() == 0
        await bulk.commit()
    [stored] = await store.get_stakeholders(["p1"])
    assert stored is not None and stored.name == "Person p1"


async def test_a_bulk_write_left_without_commit_writes_nothing(store: Store) -> None:
    async with store.bulk_write() as bulk:
        await bulk.write(WriteBatch(upsert_stakeholders=[person("p1"), person("p2")]))
        await bulk.write(WriteBatch(upsert_ties=[tie("t1", "p1", "p2")]))
    assert await store.revision() == 0
    assert await store.get_stakeholders(["p1", "p2"]) == [None, None]
    assert await store.changes_since(0) == []
    # The store takes writes again afterwards.
    assert (await store.apply(WriteBatch(upsert_stakeholders=[person("p3")]))).revision == 1


async def test_a_failing_batch_rolls_back_the_whole_bulk_write(store: Store) -> None:
    with pytest.raises(NotFound):
        async with store.bulk_write() as bulk:
            await bulk.write(WriteBatch(upsert_stakeholders=[person("p1")]))
            await bulk.write(WriteBatch(upsert_ties=[tie("t1", "p1", "nobody")]))
            await bulk.commit()
    assert await store.revision() == 0
    assert await store.get_stakeholders(["p1"]) == [None]
    assert await store.audit_entries() == []


async def test_a_key_taken_by_an_earlier_batch_of_the_same_bulk_write_conflicts(
    store: Store,
) -> None:
    with pytest.raises(Conflict):
        async with store.bulk_write() as bulk:
            await bulk.write(WriteBatch(upsert_stakeholders=[person("p1", key="anna")]))
            await bulk.write(WriteBatch(upsert_stakeholders=[person("p2", key="anna")]))
            await bulk.commit()
    assert await store.get_stakeholders(["p1", "p2"]) == [None, None]


async def test_a_later_batch_of_a_bulk_write_wins_and_the_log_ends_with_it(
    store: Store,
) -> None:
    await store.apply(WriteBatch(upsert_stakeholders=[company("c0")]))
    async with store.bulk_write() as bulk:
        await bulk.write(WriteBatch(upsert_stakeholders=[person("p1", "First")]))
        await bulk.write(WriteBatch(upsert_stakeholders=[person("p1", "Second")]))
        revision = await bulk.commit()
    [stored] = await store.get_stakeholders(["p1"])
    assert stored is not None and stored.name == "Second"
    changes = await store.changes_since(revision - 1)
    assert changes[-1].entity is not None
    assert without_times(changes[-1].entity) == without_times(stored)
    assert {(c.revision, c.op) for c in changes} == {(revision, ChangeOp.UPSERT)}


async def test_a_bulk_write_that_changes_nothing_keeps_the_revision(store: Store) -> None:
    await store.apply(WriteBatch(upsert_stakeholders=[person("p1")]))
    async with store.bulk_write() as bulk:
        await bulk.write(WriteBatch(delete_ties=["gone"]))
        assert await bulk.commit(_import_audit()) == 1
    assert await store.revision() == 1
    assert await store.audit_entries() == []


async def test_another_writer_waits_for_a_bulk_write_and_gets_the_next_revision(
    store: Store,
) -> None:
    async with store.bulk_write() as bulk:
        await bulk.write(WriteBatch(upsert_stakeholders=[person("p1")]))
        other = asyncio.ensure_future(store.apply(WriteBatch(upsert_stakeholders=[person("p2")])))
        await asyncio.sleep(0.2)
        assert not other.done()
        revision = await bulk.commit()
    assert (await other).revision == revision + 1
    assert [s is not None for s in await store.get_stakeholders(["p1", "p2"])] == [True, True]


async def test_changes_since_never_splits_the_parts_of_a_bulk_write(store: Store) -> None:
    await store.apply(WriteBatch(upsert_stakeholders=[company("c0")]))
    async with store.bulk_write() as bulk:
        for index in range(3):
            await bulk.write(WriteBatch(upsert_stakeholders=[person(f"p{index}")]))
        revision = await bulk.commit()
    await store.apply(WriteBatch(upsert_stakeholders=[person("later")]))
    changes = await store.changes_since(revision - 1, limit=1)
    assert [(c.revision, c.entity_id) for c in changes] == [
        (revision, "p0"),
        (revision, "p1"),
        (revision, "p2"),
    ]


async def test_a_bulk_write_whose_batch_failed_can_only_roll_back(store: Store) -> None:
    async with store.bulk_write() as bulk:
        await bulk.write(WriteBatch(upsert_stakeholders=[person("p1")]))
        with pytest.raises(NotFound):
            # A store that writes batches as they come fails here; one that keeps them for
            # the commit (SQLite in memory) fails at the commit.
            await bulk.write(WriteBatch(upsert_ties=[tie("t1", "p1", "nobody")]))
            await bulk.commit()
        with pytest.raises(RuntimeError):
            await bulk.commit()
    assert await store.revision() == 0
    assert await store.get_stakeholders(["p1"]) == [None]


async def test_a_bulk_write_into_an_empty_network_becomes_the_change_log_horizon(
    store: Store,
) -> None:
    """A first import keeps no copy of its rows in the change log: a follower behind it reads
    the whole network instead, and the log goes on as usual after it."""
    async with store.bulk_write() as bulk:
        await bulk.write(WriteBatch(upsert_stakeholders=[person("p1"), person("p2")]))
        await bulk.write(WriteBatch(upsert_ties=[tie("t1", "p1", "p2")]))
        revision = await bulk.commit(_import_audit())
    assert revision == 1
    with pytest.raises(ChangeLogPruned) as pruned:
        await store.changes_since(0)
    assert pruned.value.horizon == revision
    assert await store.changes_since(revision) == []
    # Everything the log leaves out is in `load_all`, at the revision.
    data = await store.load_all()
    assert data.revision == revision
    assert sorted(s.id for s in data.stakeholders) == ["p1", "p2"]
    assert [t.id for t in data.ties] == ["t1"]
    entries = await store.audit_entries()
    assert [(e.operation, e.revision) for e in entries] == [("importGraph", revision)]
    # A later write is logged in full, and so is a bulk write into the network now there.
    later = await store.apply(WriteBatch(upsert_stakeholders=[person("p3")]))
    async with store.bulk_write() as bulk:
        await bulk.write(WriteBatch(upsert_ties=[tie("t2", "p2", "p3")]))
        again = await bulk.commit()
    changes = await store.changes_since(revision)
    assert [(c.revision, c.entity_id) for c in changes] == [
        (later.revision, "p3"),
        (again, "t2"),
    ]


async def test_a_bulk_write_into_a_network_emptied_by_deletes_forgets_the_older_log(
    store: Store,
) -> None:
    await store.apply(WriteBatch(upsert_stakeholders=[person("p1")]))
    await store.apply(WriteBatch(delete_stakeholders=["p1"]))
    async with store.bulk_write() as bulk:
        await bulk.write(WriteBatch(upsert_stakeholders=[person("p2")]))
        revision = await bulk.commit()
    assert revision == 3
    for behind in (0, 1, 2):
        with pytest.raises(ChangeLogPruned):
            await store.changes_since(behind)
    assert await store.changes_since(revision) == []


def _first_import_batches(prefix: str = "") -> list[WriteBatch]:
    """Batches as a first import writes them: stakeholders, ties of several kinds (keyed,
    keyless, symmetric), interactions; each record in one batch only."""

    def at(name: str) -> str:
        return prefix + name

    people = [person(at(f"p{n}"), f"Person {n}", key=at(f"person-{n}")) for n in range(4)]
    return [
        WriteBatch(upsert_stakeholders=people[:2]),
        WriteBatch(upsert_stakeholders=[*people[2:], company(at("c1"), "Acme", key=at("acme"))]),
        WriteBatch(
            upsert_ties=[
                tie(at("t1"), at("p0"), at("c1"), TieKind.WORKS_FOR, role="CFO", strength=0.75),
                tie(at("t2"), at("p1"), at("p0"), key=at("knows-1"), since=date(2021, 3, 1)),
            ]
        ),
        WriteBatch(
            upsert_ties=[
                # Either way round is one KNOWS tie without a key, so these two differ by key.
                tie(at("t3"), at("p0"), at("p1")),
                tie(at("t4"), at("p2"), at("p3"), TieKind.REPORTS_TO),
                tie(at("t5"), at("p3"), at("c1"), TieKind.WORKS_FOR, key=at("job")),
            ]
        ),
        WriteBatch(
            upsert_interactions=[
                interaction(at("i1"), at("p0"), at("p2"), subject="Budget"),
                Interaction(
                    at("i2"),
                    InteractionKind.CALL,
                    MOMENT,
                    (Participant(at("p3"), "chair"), Participant(at("p1"))),
                    key=at("call-1"),
                ),
            ]
        ),
    ]


def _without_prefix(entity: Any, prefix: str) -> Any:
    """`entity` with `prefix` taken off its ids, keys and references, and without times."""
    values = {}
    for name in ("id", "key", "source_id", "target_id"):
        value = getattr(entity, name, None)
        if isinstance(value, str) and value.startswith(prefix):
            values[name] = value.removeprefix(prefix)
    if isinstance(entity, Interaction):
        values["participants"] = tuple(
            replace(p, stakeholder_id=p.stakeholder_id.removeprefix(prefix))
            for p in entity.participants
        )
    return without_times(replace(entity, **values))


async def test_a_first_import_stores_what_the_same_batches_store_into_a_network(
    store: Store,
) -> None:
    """Into an empty network a store may check and write new records its own way (Neo4j
    does, in memory); what it stores is what the same batches store into a network with
    records already, through the general path."""
    async with store.bulk_write() as bulk:
        for batch in _first_import_batches():
            await bulk.write(batch)
        first = await bulk.commit(_import_audit())
    async with store.bulk_write() as bulk:
        for batch in _first_import_batches("again-"):
            await bulk.write(batch)
        second = await bulk.commit(_import_audit())
    assert (first, second) == (1, 2)
    data = await store.load_all()
    assert (len(data.stakeholders), len(data.ties), len(data.interactions)) == (10, 10, 4)
    for entities in (data.stakeholders, data.ties, data.interactions):
        firsts = {e.id: e for e in entities if not e.id.startswith("again-")}
        agains = {e.id: e for e in entities if e.id.startswith("again-")}
        assert sorted(firsts) == sorted(e.removeprefix("again-") for e in agains)
        for entity_id, entity in firsts.items():
            assert without_times(entity) == _without_prefix(agains["again-" + entity_id], "again-")
    [call] = await store.get_interactions(["i2"])
    assert call is not None
    assert call.participants == (Participant("p3", "chair"), Participant("p1"))
    [job] = await store.get_ties_by_key(["job"])
    assert job is not None
    assert (job.id, job.kind, job.source_id, job.target_id) == ("t5", TieKind.WORKS_FOR, "p3", "c1")
    # The second import is in the change log; the first, into an empty network, is its horizon.
    logged = {c.entity_id for c in await store.changes_since(first)}
    assert logged == {
        e.id
        for e in [*data.stakeholders, *data.ties, *data.interactions]
        if e.id.startswith("again-")
    }


@pytest.mark.parametrize(
    ("last_batch", "error"),
    [
        # A stakeholder no batch wrote.
        (WriteBatch(upsert_ties=[tie("t9", "p0", "nobody")]), NotFound),
        # A key an earlier batch gave a tie of another kind.
        (WriteBatch(upsert_ties=[tie("t9", "p2", "p0", TieKind.FAMILY, key="job")]), Conflict),
        # The identity of an earlier batch's keyless KNOWS tie, the other way round.
        (WriteBatch(upsert_ties=[tie("t9", "p1", "p0")]), Conflict),
        # A stakeholder key an earlier batch used.
        (WriteBatch(upsert_stakeholders=[person("p9", key="person-0")]), Conflict),
        # A participant named twice.
        (WriteBatch(upsert_interactions=[interaction("i9", "p0", "p0")]), ValidationFailed),
    ],
    ids=["missing-end", "tie-key", "keyless-identity", "stakeholder-key", "participant-twice"],
)
async def test_a_first_import_whose_last_batch_fails_leaves_nothing(
    store: Store, last_batch: WriteBatch, error: type[Exception]
) -> None:
    with pytest.raises(error):
        async with store.bulk_write() as bulk:
            for batch in _first_import_batches():
                await bulk.write(batch)
            await bulk.write(last_batch)
            await bulk.commit(_import_audit())
    assert await store.revision() == 0
    counts = await store.counts()
    assert (counts.stakeholders, counts.ties, counts.interactions) == (0, 0, 0)
    assert await store.audit_entries() == []
    # The store takes a first import again afterwards.
    async with store.bulk_write() as bulk:
        for batch in _first_import_batches():
            await bulk.write(batch)
        assert await bulk.commit() == 1
    counts = await store.counts()
    assert (counts.stakeholders, counts.ties, counts.interactions) == (5, 5, 2)


async def test_a_first_import_may_write_a_record_again_in_a_later_batch(
    store: Store,
) -> None:
    """A batch that writes a record an earlier one wrote updates it, as into any network."""
    async with store.bulk_write() as bulk:
        for batch in _first_import_batches():
            await bulk.write(batch)
        await bulk.write(
            WriteBatch(
                upsert_stakeholders=[person("p0", "Renamed", key="person-0")],
                upsert_ties=[tie("t3", "p0", "p2")],  # moved to another end
            )
        )
        await bulk.write(WriteBatch(upsert_ties=[tie("t6", "p1", "p0")]))  # t3's old identity
        await bulk.commit()
    [renamed] = await store.get_stakeholders(["p0"])
    assert renamed is not None and renamed.name == "Renamed"
    ties = {t.id: t for t in (await store.load_all()).ties}
    assert (ties["t3"].source_id, ties["t3"].target_id) == ("p0", "p2")
    assert (ties["t6"].source_id, ties["t6"].target_id) == ("p1", "p0")
    assert len(ties) == 6
