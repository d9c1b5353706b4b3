"""The rate limit as `stakenet serve` is told it on its command line, on a real server process:
a burst never exceeds the rate a minute unless `--rate-burst` says so."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from support.server_process import ServerProcess, start_server

pytestmark = pytest.mark.server


def statuses(server: ServerProcess, count: int) -> list[int]:
    body = json.dumps({"query": "{ networkStats { revision } }"}).encode()
    found = []
    for _ in range(count):
        request = urllib.request.Request(
            f"{server.base_url}/graphql", body, {"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                found.append(response.status)
        except urllib.error.HTTPError as refused:
            found.append(refused.code)
    return found


@pytest.mark.parametrize(
    ("flags", "allowed"),
    [
        (["--rate-limit", "6"], 6),  # a burst as big as the rate, not the default 200
        (["--rate-limit", "6", "--rate-burst", "3"], 3),  # one more every ten seconds
    ],
)
def test_a_burst_is_the_rate_a_minute_at_most_unless_set(
    tmp_path: Path, flags: list[str], allowed: int
) -> None:
    server = start_server(tmp_path / "s.db", extra=flags)
    try:
        assert statuses(server, allowed + 2) == [200] * allowed + [429, 429]
    finally:
        server.stop()


def test_a_burst_of_none_is_refused_on_the_command_line(tmp_path: Path) -> None:
    from stakenet.cli import main

    with pytest.raises(SystemExit) as refused:
        main(["serve", "--db", f"sqlite:///{tmp_path / 's.db'}", "--rate-burst", "0"])
    assert refused.value.code == 2
