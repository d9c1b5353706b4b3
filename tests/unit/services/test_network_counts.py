"""The network's counts (`networkStats`) come from the projection, caught up with the store
first: the store never counts its rows for them, a write by another process on the same
database shows at once, and a catch-up already under way is not waited for."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from stakenet.domain.model import Change, Counts, StakeholderKind
from stakenet.services.network import NetworkService
from stakenet.store.sqlite import SQLiteStore
from support.two_services import beside_another


class NoCountingStore(SQLiteStore):
    """A SQLite store that refuses to count its rows (a scan of every tie), and whose reads
    of the change log can be held at a gate."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.gate: asyncio.Event | None = None
        self.held = asyncio.Event()

    async def counts(self) -> Counts:
        raise AssertionError("the store was asked to count its rows")

    async def changes_since(self, revision: int, limit: int = 10_000) -> list[Change]:
        if self.gate is not None:
            self.held.set()
            await self.gate.wait()
        return await super().changes_since(revision, limit)


@pytest.fixture
async def two_services(
    tmp_path: Path,
) -> AsyncIterator[tuple[NoCountingStore, NetworkService, NetworkService]]:
    path = str(tmp_path / "graph.db")
    store = NoCountingStore(path)
    async with beside_another(store, path) as (network, other):
        yield store, network, other


async def test_counts_follow_every_kind_of_write_without_the_store_counting(
    two_services: tuple[NoCountingStore, NetworkService, NetworkService],
) -> None:
    _, network, other = two_services
    assert await network.counts() == Counts(0, 0, 0, 0)
    ada = await network.create_stakeholder(StakeholderKind.PERSON, {"name": "Ada"})
    bo = await network.create_stakeholder(StakeholderKind.PERSON, {"name": "Bo"})
    acme = await network.create_stakeholder(StakeholderKind.COMPANY, {"name": "Acme"})
    await network.create_tie({"source": ada.id, "target": acme.id, "kind": "WORKS_FOR"})
    await network.create_tie({"source": bo.id, "target": acme.id, "kind": "WORKS_FOR"})
    await network.log_interaction(
        {"kind": "MEETING", "occurredAt": "2026-03-02T10:00:00Z", "participants": [ada.id, bo.id]}
    )
    stored = await other.store.counts()
    assert await network.counts() == stored == Counts(3, 2, 1, stored.revision)
    # Deleting Bo takes his tie and leaves the meeting with Ada alone.
    await network.delete_stakeholder(bo.id)
    counted = await network.counts()
    assert counted == await other.store.counts()
    assert (counted.stakeholders, counted.ties) == (2, 1)


async def test_a_write_by_another_process_counts_at_once(
    two_services: tuple[NoCountingStore, NetworkService, NetworkService],
) -> None:
    _, network, other = two_services
    await network.create_stakeholder(StakeholderKind.PERSON, {"name": "Ada"})
    await other.create_stakeholder(StakeholderKind.COMPANY, {"name": "Acme"})
    # No poll of the change log ran: the count catches up by itself.
    counted = await network.counts()
    assert counted == await other.store.counts()
    assert counted.stakeholders == 2


async def test_counts_do_not_wait_for_a_catch_up_under_way(
    two_services: tuple[NoCountingStore, NetworkService, NetworkService],
) -> None:
    store, network, other = two_services
    await network.create_stakeholder(StakeholderKind.PERSON, {"name": "Ada"})
    before = await network.counts()
    await other.create_stakeholder(StakeholderKind.COMPANY, {"name": "Acme"})
    store.gate = asyncio.Event()
    catching_up = asyncio.create_task(network.sync())
    await asyncio.wait_for(store.held.wait(), 5)
    # The catch-up holds at its read of the log; the counts answer as the projection stands.
    assert await asyncio.wait_for(network.counts(), 5) == before
    store.gate.set()
    await catching_up
    assert (await network.counts()).stakeholders == 2
