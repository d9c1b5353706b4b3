"""An import file beyond the JSON limits ends the command with one line and exit 1, and
`stakenet --version` says the version."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from stakenet import __version__


def stakenet(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stakenet.cli", *arguments],
        capture_output=True,
        text=True,
        timeout=60,
    )


ROW = '{"key": "p-1", "kind": "PERSON", "name": NAME}'


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (
            '{"stakeholders": [' + "[" * 3000 + "]" * 3000 + "]}",
            "Arrays and objects are nested deeper than 64 levels: line 1 column 19 (char 18)",
        ),
        (
            '{"stakeholders": [' + ROW.replace("NAME", '"A\\ud800"') + "]}",
            "A string holds a lone surrogate (\\ud800), which is not Unicode text: "
            "line 1 column 19 (char 18)",
        ),
        (
            '{"stakeholders": [' + ROW.replace("NAME", "9" * 5000) + "]}",
            "An integer of 5000 digits is too long (at most 100): line 1 column 19 (char 18)",
        ),
    ],
    ids=["deep", "lone-surrogate", "long-integer"],
)
def test_an_import_beyond_the_json_limits_is_one_line_and_exit_1(
    tmp_path: Path, document: str, reason: str
) -> None:
    source = tmp_path / "import.json"
    source.write_text(document)
    database = tmp_path / "stakenet.db"
    finished = stakenet("import", "--db", f"sqlite:///{database}", str(source))
    assert finished.returncode == 1
    assert finished.stderr == f"Import rejected; nothing was written: {reason}\n"
    counted = stakenet("export", "--db", f"sqlite:///{database}")
    assert counted.returncode == 0
    assert '"stakeholders": []' in counted.stdout


def test_version_prints_the_version() -> None:
    finished = stakenet("--version")
    assert (finished.returncode, finished.stdout) == (0, f"stakenet {__version__}\n")
