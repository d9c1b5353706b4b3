"""A serving application collects young objects less often than the interpreter's default."""

from __future__ import annotations

import gc
from pathlib import Path

from stakenet.app import YOUNG_PASS_EVERY, create_app, young_passes_every
from stakenet.bootstrap import database_url
from stakenet.services.container import Settings


async def test_young_passes_are_rarer_while_the_application_serves(tmp_path: Path) -> None:
    before = gc.get_threshold()
    app = create_app(database_url(f"sqlite:///{tmp_path / 'network.db'}"), Settings())
    async with app.router.lifespan_context(app):
        assert gc.get_threshold() == (YOUNG_PASS_EVERY, before[1], before[2])
    assert gc.get_threshold() == before


def test_overlapping_applications_restore_the_threshold_when_the_last_one_stops() -> None:
    before = gc.get_threshold()
    with young_passes_every(5_000):
        with young_passes_every(5_000):
            assert gc.get_threshold()[0] == 5_000
        assert gc.get_threshold()[0] == 5_000  # the first still serves
    assert gc.get_threshold() == before
