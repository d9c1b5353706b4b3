"""Fixtures: a real server over HTTP on loopback, empty or with the demo network.

A module that sets ``STORES = ("sqlite", "bolt")`` runs each of its tests that use ``api``,
``demo_api`` or ``database`` once per store: on a SQLite file, and on the session's Neo4j (the one started for
the tests, or the one named by ``STAKENET_TEST_NEO4J_URI``). Other modules run on SQLite only.

Neo4j Community has a single user database: each ``api`` server starts on it emptied, and a
module's ``demo_api`` server keeps the demo network in it only until the next ``api`` server. So
within a module's run on Neo4j, the tests that use ``demo_api`` run first.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from support.bolt_server import BoltServer, wipe_database
from support.live_server import Api, serve


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    stores = getattr(metafunc.module, "STORES", None)
    if stores and {"api", "demo_api", "database"} & set(metafunc.fixturenames):
        metafunc.parametrize(
            "store_kind",
            [
                pytest.param(kind, id=kind, marks=(pytest.mark.bolt,) if kind == "bolt" else ())
                for kind in stores
            ],
            indirect=True,
            scope="module",
        )


@pytest.hookimpl(trylast=True)  # after pytest has grouped the tests by module-scoped store
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Within each module's run on Neo4j, the tests that read the demo network go first."""
    start = 0
    while start < len(items):
        group = _run_key(items[start])
        end = start + 1
        while end < len(items) and _run_key(items[end]) == group:
            end += 1
        if group[1] == "bolt":
            items[start:end] = sorted(
                items[start:end], key=lambda item: "demo_api" not in item.fixturenames
            )
        start = end


def _run_key(item: pytest.Item) -> tuple[object, object]:
    """The module of a test and the store its module-scoped parameter names, if any."""
    callspec = getattr(item, "callspec", None)
    kind = callspec.params.get("store_kind") if callspec is not None else None
    return (item.parent, kind)


@pytest.fixture(scope="module")
def store_kind(request: pytest.FixtureRequest) -> str:
    kind: str = getattr(request, "param", "sqlite")
    return kind


def database_for(kind: str, request: pytest.FixtureRequest, directory: Path) -> Path | str:
    """An empty database of `kind`: a new SQLite file's path, or the Bolt server's emptied database."""
    if kind == "sqlite":
        return directory / "stakenet.db"
    server: BoltServer = request.getfixturevalue("bolt_server")
    wipe_database(server)
    host = server.uri.split("://", 1)[1]
    return f"bolt://{server.user}:{server.password}@{host}/{server.database}"


@pytest.fixture
def api(store_kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Api]:
    yield from serve(database_for(store_kind, request, tmp_path))


@pytest.fixture
def database(store_kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """An empty database of the module's store, for a test that serves it more than once."""
    return database_for(store_kind, request, tmp_path)


@pytest.fixture(scope="module")
def demo_api(
    store_kind: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    """A server with the demo network loaded; tests must not change it."""
    yield from serve(database_for(store_kind, request, tmp_path_factory.mktemp("demo")), demo=True)
