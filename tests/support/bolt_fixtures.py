"""Pytest fixtures giving tests a live Bolt server.

The ``bolt_server`` fixture starts one Neo4j 5.26 Community server per test session (see
``bolt_server.py``) and stops it at the end; ``gds_bolt_server`` starts another, with Graph Data
Science, for the tests that need it (loading GDS makes a start slower, so the others do without). A server that cannot start fails the
tests that use it; nothing is skipped. Tests share its one database and empty it first
(``wipe_database``).

To run the same tests against another Neo4j instead (whose database they empty; it needs Graph
Data Science for the tests that use ``gds_bolt_server``), set::

    STAKENET_TEST_NEO4J_URI       e.g. bolt://127.0.0.1:7687
    STAKENET_TEST_NEO4J_USER      default "neo4j"
    STAKENET_TEST_NEO4J_PASSWORD  default ""
    STAKENET_TEST_NEO4J_DATABASE  default "neo4j"

Use it from a conftest.py with ``from tests.support.bolt_fixtures import bolt_server``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from .bolt_server import BoltServer, start_bolt_server, stop_bolt_server

ENV_URI = "STAKENET_TEST_NEO4J_URI"
ENV_USER = "STAKENET_TEST_NEO4J_USER"
ENV_PASSWORD = "STAKENET_TEST_NEO4J_PASSWORD"
ENV_DATABASE = "STAKENET_TEST_NEO4J_DATABASE"


def external_server() -> BoltServer | None:
    """The server named by STAKENET_TEST_NEO4J_URI and friends, if that is set."""
    uri = os.environ.get(ENV_URI, "").strip()
    if not uri:
        return None
    return BoltServer(
        uri=uri,
        user=os.environ.get(ENV_USER, "neo4j"),
        password=os.environ.get(ENV_PASSWORD, ""),
        database=os.environ.get(ENV_DATABASE, "neo4j"),
    )


@pytest.fixture(scope="session")
def bolt_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BoltServer]:
    """A running Bolt server for the whole test session."""
    yield from _session_server(tmp_path_factory, gds=False)


@pytest.fixture(scope="session")
def gds_bolt_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BoltServer]:
    """A running Bolt server with Graph Data Science for the whole test session."""
    yield from _session_server(tmp_path_factory, gds=True)


def _session_server(tmp_path_factory: pytest.TempPathFactory, *, gds: bool) -> Iterator[BoltServer]:
    external = external_server()
    if external is not None:
        yield external
        return
    server = start_bolt_server(tmp_path_factory.mktemp("neo4j-gds" if gds else "neo4j"), gds=gds)
    try:
        yield server
    finally:
        stop_bolt_server(server)
