"""A command whose reader has gone away (`stakenet token list | head -1`) ends quietly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from stakenet.services.container import Settings


@pytest.mark.parametrize(
    "command",
    [
        ["token", "create", "--role", "admin", "--name", "ops", "--db", "DATABASE"],
        ["schema"],
    ],
)
def test_a_closed_output_ends_the_command_without_a_traceback(
    tmp_path: Path, command: list[str]
) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the command writes a byte
    try:
        database = f"sqlite:///{tmp_path / 's.db'}"
        finished = subprocess.run(
            [
                sys.executable,
                "-m",
                "stakenet.cli",
                *(database if a == "DATABASE" else a for a in command),
            ],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert finished.returncode == 1
    assert "Traceback" not in finished.stderr and "BrokenPipeError" not in finished.stderr


def test_listing_no_tokens_says_so_on_stderr_and_lists_nothing(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 's.db'}"
    migrate = [sys.executable, "-m", "stakenet.cli", "migrate", "--db", database]
    subprocess.run(migrate, capture_output=True, check=True, timeout=60)
    finished = subprocess.run(
        [sys.executable, "-m", "stakenet.cli", "token", "list", "--db", database],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode == 0
    assert finished.stdout == ""
    assert finished.stderr == (
        "No tokens yet: create one with `stakenet token create --role ROLE`.\n"
    )


def test_serve_help_shows_the_defaults_of_its_timing_flags() -> None:
    finished = subprocess.run(
        [sys.executable, "-m", "stakenet.cli", "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "200"},
    )
    text = " ".join(finished.stdout.split())
    defaults = Settings()
    assert f"(0: off; default: {defaults.rate_limit_per_minute})" in text
    assert f"(writes by other processes; default: {defaults.poll_interval})" in text
    assert f"before recomputing (default: {defaults.analytics_debounce})" in text
