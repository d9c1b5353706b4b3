"""A command whose reader has gone away (`stakenet token list | head -1`) ends quietly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


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
