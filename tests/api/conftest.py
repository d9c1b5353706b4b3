"""Fixtures: a real server over HTTP on loopback, empty or with the demo network.

A module that sets ``STORES = ("sqlite", "bolt")`` runs each of its tests that use ``api`` or
``demo_api`` once per store: on a SQLite file, and on the session's Bolt server (ArcadeDB, or
the Neo4j named by ``STAKENET_TEST_NEO4J_URI``) in a database of its own. Other modules run on
SQLite only.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.bolt_server import BoltServer, create_database
from support.live_server import Api, serve

_databases = itertools.count(1)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    stores = getattr(metafunc.module, "STORES", None)
    if stores and {"api", "demo_api"} & set(metafunc.fixturenames):
        metafunc.parametrize(
            "store_kind",
            [
                pytest.param(kind, id=kind, marks=(pytest.mark.bolt,) if kind == "bolt" else ())
                for kind in stores
            ],
            indirect=True,
            scope="module",
        )


@pytest.fixture(scope="module")
def store_kind(request: pytest.FixtureRequest) -> str:
    kind: str = getattr(request, "param", "sqlite")
    return kind


def database_for(kind: str, request: pytest.FixtureRequest, directory: Path) -> Path | str:
    """A fresh, empty database of `kind`: a SQLite file path, or a Bolt URL."""
    if kind == "sqlite":
        return directory / "stakenet.db"
    server: BoltServer = request.getfixturevalue("bolt_server")
    name = create_database(server, f"api{next(_databases)}")
    host = server.uri.split("://", 1)[1]
    return f"bolt://{server.user}:{server.password}@{host}/{name}"


@pytest.fixture
def api(store_kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Api]:
    yield from serve(database_for(store_kind, request, tmp_path))


@pytest.fixture(scope="module")
def demo_api(
    store_kind: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    """A server with the demo network loaded; tests must not change it."""
    yield from serve(database_for(store_kind, request, tmp_path_factory.mktemp("demo")), demo=True)
