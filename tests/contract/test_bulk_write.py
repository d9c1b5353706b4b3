"""The store contract for `bulk_write`: several batches, one transaction, one revision."""

from __future__ import annotations

import asyncio

import pytest
from test_store_contract import MOMENT, company, interaction, person, tie, without_times

from stakenet.domain.access import AuditEntry
from stakenet.domain.errors import ChangeLogPruned, Conflict, NotFound
from stakenet.domain.model import ChangeOp, EntityType, Participant
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
