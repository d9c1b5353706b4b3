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

from stakenet.store.port import GraphStore
from stakenet.store.sqlite import SQLiteStore


@dataclass(frozen=True)
class Adapter:
    name: str
    make: Callable[[pytest.FixtureRequest, Path], GraphStore]
    marks: tuple[pytest.MarkDecorator, ...] = ()


ADAPTERS: tuple[Adapter, ...] = (
    Adapter("sqlite-memory", lambda _request, _tmp_path: SQLiteStore(":memory:")),
    Adapter("sqlite-file", lambda _request, tmp_path: SQLiteStore(str(tmp_path / "stakenet.db"))),
)


@pytest.fixture(
    params=[pytest.param(adapter, id=adapter.name, marks=adapter.marks) for adapter in ADAPTERS]
)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[GraphStore]:
    """An opened, empty store of the adapter this test run is for."""
    adapter: Adapter = request.param
    opened = adapter.make(request, tmp_path)
    await opened.open()
    try:
        yield opened
    finally:
        await opened.close()
