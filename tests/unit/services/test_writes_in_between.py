"""Writes another writer comes between. A create or an update whose entity another writer
deletes between the write and the read back answers that the entity is gone (NotFound), never
an unexpected error. An update or a delete is made from a read of its entity; another writer
that changes or deletes the entity between that read and the write neither has its change
undone nor sees the entity come back: the writes end as if they had run one after the other."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from stakenet.domain.errors import Conflict, NotFound
from stakenet.domain.model import Stakeholder, StakeholderKind, Tie
from stakenet.services.network import STALE_READ_ATTEMPTS, NetworkService
from stakenet.store.port import WriteBatch, WriteResult
from stakenet.store.sqlite import SQLiteStore
from support.two_services import beside_another

OtherWriter = Callable[[], Awaitable[object]]


class InterleavedStore(SQLiteStore):
    """A SQLite store that lets another writer in right after its next write commits
    (`between`), or right before its next writes, after the caller made them from what it read
    (`before`, one each)."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.between: OtherWriter | None = None
        self.before: list[OtherWriter] = []
        self.applied = 0

    async def apply(self, batch: WriteBatch) -> WriteResult:
        if self.before:
            await self.before.pop(0)()
        self.applied += 1
        result = await super().apply(batch)
        if (other_writer := self.between) is not None:
            self.between = None
            await other_writer()
        return result


@pytest.fixture
async def two_writers(
    tmp_path: Path,
) -> AsyncIterator[tuple[InterleavedStore, NetworkService, NetworkService]]:
    path = str(tmp_path / "graph.db")
    store = InterleavedStore(path)
    async with beside_another(store, path) as (network, other):
        yield store, network, other


async def two_people(network: NetworkService) -> tuple[Stakeholder, Stakeholder]:
    return (
        await network.create_stakeholder(StakeholderKind.PERSON, {"name": "Ada"}),
        await network.create_stakeholder(StakeholderKind.PERSON, {"name": "Bo"}),
    )


async def test_an_update_of_a_tie_deleted_just_after_it_is_written_is_not_found(
    two_writers: tuple[InterleavedStore, NetworkService, NetworkService],
) -> None:
    store, network, other = two_writers
    ada, bo = await two_people(network)
    tie = await network.create_tie({"source": ada.id, "target": bo.id, "kind": "KNOWS"})
    store.between = lambda: other.delete_tie(tie.id)
    with pytest.raises(NotFound) as gone:
        await network.update_tie(tie.id, {"strength": 0.5})
    assert str(gone.value) == f"No tie with id '{tie.id}': another write deleted it just now."
    assert await store.get_ties([tie.id]) == [None]


async def test_a_tie_whose_end_is_deleted_just_after_its_create_is_not_found(
    two_writers: tuple[InterleavedStore, NetworkService, NetworkService],
) -> None:
    store, network, other = two_writers
    ada, bo = await two_people(network)
    store.between = lambda: other.delete_stakeholder(bo.id)
    with pytest.raises(NotFound) as gone:
        await network.create_tie({"source": ada.id, "target": bo.id, "kind": "KNOWS"})
    assert str(gone.value).startswith("No tie with id '")
    assert str(gone.value).endswith("': another write deleted it just now.")
    assert await store.ties_of([ada.id]) == []


async def test_an_update_of_a_stakeholder_deleted_just_after_it_is_written_is_not_found(
    two_writers: tuple[InterleavedStore, NetworkService, NetworkService],
) -> None:
    store, network, other = two_writers
    ada = await network.create_stakeholder(StakeholderKind.PERSON, {"name": "Ada"})
    store.between = lambda: other.delete_stakeholder(ada.id)
    with pytest.raises(NotFound) as gone:
        await network.update_stakeholder(ada.id, {"title": "CEO"})
    assert str(gone.value) == (
        f"No stakeholder with id '{ada.id}': another write deleted it just now."
    )


async def a_tie(network: NetworkService) -> Tie:
    ada = await network.create_stakeholder(StakeholderKind.PERSON, {"name": "Ada"})
    bo = await network.create_stakeholder(StakeholderKind.PERSON, {"name": "Bo"})
    return await network.create_tie(
        {"source": ada.id, "target": bo.id, "kind": "KNOWS", "strength": 0.2}
    )


async def test_an_update_of_a_tie_deleted_after_it_was_read_does_not_bring_it_back(
    two_writers: tuple[InterleavedStore, NetworkService, NetworkService],
) -> None:
    store, network, other = two_writers
    tie = await a_tie(network)
    store.before = [lambda: other.delete_tie(tie.id)]
    with pytest.raises(NotFound, match=f"^No tie with id '{tie.id}'"):
        await network.update_tie(tie.id, {"strength": 0.5})
    assert await store.get_ties([tie.id]) == [None]


async def test_updates_of_two_fields_made_at_once_both_stay(
    two_writers: tuple[InterleavedStore, NetworkService, NetworkService],
) -> None:
    store, network, other = two_writers
    tie = await a_tie(network)
    store.before = [lambda: other.update_tie(tie.id, {"role": "Mentor"})]
    updated = await network.update_tie(tie.id, {"strength": 0.9})
    assert (updated.strength, updated.role) == (0.9, "Mentor")
    (stored,) = await store.get_ties([tie.id])
    assert stored == updated


async def test_of_two_deletes_of_one_tie_only_one_deletes_it(
    two_writers: tuple[InterleavedStore, NetworkService, NetworkService],
) -> None:
    store, network, other = two_writers
    tie = await a_tie(network)
    revision = await store.revision()
    store.before = [lambda: other.delete_tie(tie.id)]
    with pytest.raises(NotFound, match=f"^No tie with id '{tie.id}'"):
        await network.delete_tie(tie.id)
    assert await store.revision() == revision + 1


async def test_an_update_of_a_stakeholder_deleted_after_it_was_read_does_not_bring_it_back(
    two_writers: tuple[InterleavedStore, NetworkService, NetworkService],
) -> None:
    store, network, other = two_writers
    ada = await network.create_stakeholder(StakeholderKind.PERSON, {"name": "Ada"})
    store.before = [lambda: other.delete_stakeholder(ada.id)]
    with pytest.raises(NotFound, match=f"^No stakeholder with id '{ada.id}'"):
        await network.update_stakeholder(ada.id, {"title": "CEO"})
    assert await store.get_stakeholders([ada.id]) == [None]


async def test_an_interaction_updated_by_two_writers_keeps_both_changes(
    two_writers: tuple[InterleavedStore, NetworkService, NetworkService],
) -> None:
    store, network, other = two_writers
    tie = await a_tie(network)
    meeting = await network.log_interaction(
        {
            "kind": "MEETING",
            "occurredAt": "2026-03-02T10:00:00Z",
            "participants": [tie.source_id, tie.target_id],
        }
    )
    store.before = [lambda: other.update_interaction(meeting.id, {"subject": "Budget"})]
    updated = await network.update_interaction(meeting.id, {"sentiment": 0.5})
    assert (updated.subject, updated.sentiment) == ("Budget", 0.5)
    store.before = [lambda: other.delete_interaction(meeting.id)]
    with pytest.raises(NotFound, match=f"^No interaction with id '{meeting.id}'"):
        await network.delete_interaction(meeting.id)


async def test_an_update_whose_tie_keeps_changing_is_refused_and_writes_nothing(
    two_writers: tuple[InterleavedStore, NetworkService, NetworkService],
) -> None:
    store, network, other = two_writers
    tie = await a_tie(network)
    store.applied = 0
    strengths = [0.3 + step / 100 for step in range(STALE_READ_ATTEMPTS)]
    store.before = [
        (lambda value=value: other.update_tie(tie.id, {"strength": value})) for value in strengths
    ]
    with pytest.raises(Conflict) as refused:
        await network.update_tie(tie.id, {"role": "Mentor"})
    assert str(refused.value) == (
        f"The tie '{tie.id}' was changed by another write. "
        "Other writes kept changing it while this one was made: send it again."
    )
    assert store.applied == STALE_READ_ATTEMPTS
    (stored,) = await store.get_ties([tie.id])
    assert stored is not None and (stored.strength, stored.role) == (strengths[-1], None)
