"""Services on a real SQLite file, shared by the service tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from stakenet.bootstrap import assemble
from stakenet.services.network import NetworkService
from stakenet.store.sqlite import SQLiteStore


@pytest.fixture
async def replicas(tmp_path: Path) -> AsyncIterator[tuple[NetworkService, NetworkService]]:
    """Two services on one database file, as two server processes would be."""
    path = str(tmp_path / "graph.db")
    first, second = assemble(SQLiteStore(path)), assemble(SQLiteStore(path))
    await first.start()
    await second.start()
    try:
        yield first.services.network, second.services.network
    finally:
        await first.stop()
        await second.stop()


@pytest.fixture
def follower_notices(
    replicas: tuple[NetworkService, NetworkService],
) -> list[tuple[int, set[str]]]:
    """What the second replica tells its listeners as it follows: (revision, stakeholder ids)."""
    heard: list[tuple[int, set[str]]] = []
    replicas[1].subscribe(lambda change: heard.append((change.revision, set(change.touched_ids))))
    return heard
