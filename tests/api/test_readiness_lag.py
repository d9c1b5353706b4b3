"""/readyz shows how far the analytics a server answers from lag behind its store."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from stakenet.analytics.snapshot_file import write_snapshot
from stakenet.services.container import Settings
from support.live_server import serve
from support.snapshot_states import computed

COMPUTED_AT = datetime(2026, 6, 1, tzinfo=UTC)


def test_a_server_whose_analytics_lag_stays_ready_and_shows_the_lag(tmp_path: Path) -> None:
    snapshots = tmp_path / "snapshots"
    # The last file a worker wrote before it stopped: nothing computes the next one.
    write_snapshot(snapshots, computed(0, COMPUTED_AT))
    settings = Settings(rate_limit_per_minute=0, analytics="follow", snapshot_dir=str(snapshots))
    for api in serve(tmp_path / "s.db", settings=settings):
        deadline = time.monotonic() + 30
        while api.client.get("/readyz").status_code != 200:  # until the file is adopted
            assert time.monotonic() < deadline
            time.sleep(0.05)
        for name in ("Ada", "Bo"):
            api.data('mutation($n: String!) { createPerson(input: {name: $n}) { person { id } } }',
                     {"n": name})  # fmt: skip
        before = datetime.now(UTC)
        ready = api.client.get("/readyz")
        after = datetime.now(UTC)
    assert ready.status_code == 200
    body = ready.json()
    analytics = body.pop("analytics")
    age = analytics.pop("age_seconds")
    assert body == {"status": "ready", "revision": 2}
    assert analytics == {
        "mode": "follow",
        "computed": 0,
        "adopted": 1,
        "past_adopted": 0,
        "revision": 0,
        "behind": 2,
        "computed_at": "2026-06-01T00:00:00+00:00",
    }
    assert (before - COMPUTED_AT).total_seconds() - 0.1 <= age
    assert age <= (after - COMPUTED_AT).total_seconds() + 0.1
