"""Fixtures: a real server over HTTP on loopback, empty or with the demo network."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from support.live_server import Api, serve


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    yield from serve(tmp_path / "stakenet.db")


@pytest.fixture(scope="module")
def demo_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """A server with the demo network loaded; tests must not change it."""
    yield from serve(tmp_path_factory.mktemp("demo") / "stakenet.db", demo=True)
