"""Fixtures shared by every test directory: one Bolt test server for the whole session (and one
with Graph Data Science for the tests that compare with it), and the local operator for tests
that call the service layer directly."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from stakenet.domain.access import LOCAL_USER
from stakenet.services.access import acting_as
from support.bolt_fixtures import bolt_server, gds_bolt_server

__all__ = ["bolt_server", "gds_bolt_server", "local_operator"]


@pytest.fixture
def local_operator() -> Iterator[None]:
    """Act as the local operator, as the CLI does: the service layer refuses a caller-less write."""
    with acting_as(LOCAL_USER):
        yield
