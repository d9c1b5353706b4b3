"""Where the analytics run is chosen on the command line: a setting that cannot work ends
`stakenet serve` with one line and exit 2, before anything is served."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def stakenet(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stakenet.cli", *arguments],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["--analytics", "follow"],
            "stakenet: '--analytics follow' needs the --snapshot-dir a worker writes into.\n",
        ),
        (
            ["--db", "sqlite:///:memory:"],
            "stakenet: An in-memory database is private to one process; use "
            "'--analytics thread' or a database file.\n",
        ),
    ],
)
def test_an_analytics_setting_that_cannot_work_is_refused(
    tmp_path: Path, arguments: list[str], message: str
) -> None:
    database = ["--db", f"sqlite:///{tmp_path / 'x.db'}"] if "--db" not in arguments else []
    result = stakenet("serve", *database, *arguments, "--port", "1")
    assert result.returncode == 2
    assert result.stderr == message


def test_the_worker_needs_a_snapshot_directory() -> None:
    result = stakenet("analytics")
    assert result.returncode == 2
    assert "the following arguments are required: --snapshot-dir" in result.stderr
