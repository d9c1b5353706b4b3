"""The command line starts without the analytics: every command but `serve` and `schema` works
on the store alone, and loading NetworkX and SciPy would cost each run half a second."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HEAVY = ("networkx", "scipy", "numpy", "strawberry", "starlette")

RUN_AND_LIST_LOADED = """
import contextlib, io, json, sys
from stakenet.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    code = main(sys.argv[2:])
heavy = sorted({m.split('.')[0] for m in sys.modules} & set(sys.argv[1].split(',')))
print(json.dumps({"code": code, "heavy": heavy}))
"""


def loaded_by(arguments: list[str]) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", RUN_AND_LIST_LOADED, ",".join(HEAVY), *arguments],
        capture_output=True,
        text=True,
        check=True,
    )
    outcome: dict[str, object] = json.loads(result.stdout)
    return outcome


def test_commands_on_the_store_alone_load_no_analytics_nor_web_stack(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    document = tmp_path / "network.json"
    document.write_text(
        json.dumps({"stakeholders": [{"key": "a", "kind": "PERSON", "name": "Anna"}]}),
        encoding="utf-8",
    )
    for arguments in (
        ["import", "--db", url, str(document)],
        ["token", "create", "--db", url, "--role", "admin", "--name", "ops"],
        ["audit", "export", "--db", url],
        ["log", "prune", "--keep-revisions", "1", "--db", url],
        ["migrate", "--db", url],
        ["export", "--db", url, "-o", str(tmp_path / "exported.json")],
    ):
        assert loaded_by(arguments) == {"code": 0, "heavy": []}, arguments


def test_the_schema_command_still_loads_what_it_needs() -> None:
    # The other side of the test above: the check sees a module that is loaded.
    outcome = loaded_by(["schema"])
    assert outcome["code"] == 0 and "strawberry" in outcome["heavy"]  # type: ignore[operator]
