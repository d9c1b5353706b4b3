"""An analytic question stopped at the deadline while no snapshot exists yet says why.

A first snapshot takes minutes on a large network; until it is adopted every analytic
question waits for it, and the usual advice (ask for less) would not help.
"""

from __future__ import annotations

from pathlib import Path

from stakenet.services.container import Settings
from support.live_server import serve


def test_a_question_stopped_while_no_snapshot_exists_says_so(tmp_path: Path) -> None:
    # A follower whose worker has written nothing yet: every analytic question waits.
    settings = Settings(
        rate_limit_per_minute=0,
        analytics="follow",
        snapshot_dir=str(tmp_path / "empty"),
        execution_deadline=0.5,
    )
    for api in serve(tmp_path / "s.db", settings=settings):
        body = api.post("{ influenceRanking(first: 3) { score } }")
    assert body == {
        "data": None,
        "errors": [
            {
                "message": "The operation did not finish within 0.5 s and was stopped before "
                "it wrote anything. No analytics snapshot exists yet (the first is still being "
                "computed; /readyz answers 503 until it is adopted) and every analytic question "
                "waits for it: retry shortly.",
                "extensions": {"code": "DEADLINE_EXCEEDED"},
            }
        ],
    }
