"""A create or an update whose entity another writer deletes between the write and the read
back answers that the entity is gone (NotFound), never an unexpected error."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from stakenet.bootstrap import Runtime, assemble
from stakenet.domain.access import LOCAL_USER
from stakenet.domain.errors import NotFound
from stakenet.domain.model import Stakeholder, StakeholderKind
from stakenet.services.access import acting_as
from stakenet.services.network import NetworkService
from stakenet.store.port import WriteBatch, WriteResult
from stakenet.store.sqlite import SQLiteStore


class InterleavedStore(SQLiteStore):
    """A SQLite store that lets another writer in right after its next write commits."""

    between: Callable[[], Awaitable[object]] | None = None

    async def apply(self, batch: WriteBatch) -> WriteResult:
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
    runtimes: list[Runtime] = [assemble(store), assemble(SQLiteStore(path))]
    for runtime in runtimes:
        await runtime.start()
    try:
        with acting_as(LOCAL_USER):
            yield store, runtimes[0].services.network, runtimes[1].services.network
    finally:
        for runtime in runtimes:
            await runtime.stop()


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
