"""The `store` fixture: every contract test runs once per store adapter in `ADAPTERS`.

To run the suite against another adapter, add one `Adapter` to `ADAPTERS`. Its `make` gets the
test's request (for session fixtures, e.g. ``request.getfixturevalue("bolt_server")``) and a
fresh temporary directory, and returns an empty, unopened store; `marks` tag its tests, e.g.
``Adapter("bolt", make_bolt_store, marks=(pytest.mark.bolt,))``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from stakenet.store.neo4j import Neo4jStore
from stakenet.store.port import Store
from stakenet.store.sqlite import SQLiteStore
from support.bolt_server import BoltServer, wipe_database


def make_bolt_store(request: pytest.FixtureRequest, _tmp_path: Path) -> Store:
    """A store on the session's Bolt server, emptied first: the tests share one database."""
    server: BoltServer = request.getfixturevalue("bolt_server")
    wipe_database(server)
    return Neo4jStore(server.uri, server.user, server.password, server.database)


@dataclass(frozen=True)
class Adapter:
    name: str
    make: Callable[[pytest.FixtureRequest, Path], Store]
    marks: tuple[pytest.MarkDecorator, ...] = ()


ADAPTERS: tuple[Adapter, ...] = (
    Adapter("sqlite-memory", lambda _request, _tmp_path: SQLiteStore(":memory:")),
    Adapter("sqlite-file", lambda _request, tmp_path: SQLiteStore(str(tmp_path / "stakenet.db"))),
    # Bulk writes handed to a writer process from their first batch, however small.
    Adapter(
        "sqlite-file-writer",
        lambda _request, tmp_path: SQLiteStore(str(tmp_path / "stakenet.db"), bulk_writer_rows=0),
    ),
    Adapter("bolt", make_bolt_store, marks=(pytest.mark.bolt,)),
)


@pytest.fixture(
    params=[pytest.param(adapter, id=adapter.name, marks=adapter.marks) for adapter in ADAPTERS]
)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """An opened, empty store of the adapter this test run is for."""
    adapter: Adapter = request.param
    opened = adapter.make(request, tmp_path)
    await opened.open()
    try:
        yield opened
    finally:
        await opened.close()
