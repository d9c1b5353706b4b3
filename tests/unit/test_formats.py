"""GraphML and CSV exports carry the same rows as the interchange document."""

from __future__ import annotations

import csv
import gc
import io
import json
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from stakenet.cli import main as cli
from stakenet.demo import load_demo_document
from stakenet.services.formats import to_csv, to_graphml


def document() -> dict[str, Any]:
    return dict(load_demo_document())


def test_graphml_holds_every_stakeholder_and_tie_with_their_attributes(tmp_path: Path) -> None:
    source = document()
    path = tmp_path / "network.graphml"
    path.write_text(to_graphml(source), encoding="utf-8")
    graph = nx.read_graphml(path, force_multigraph=True)
    assert graph.number_of_nodes() == len(source["stakeholders"])
    assert graph.number_of_edges() == len(source["ties"])
    peter = next(s for s in source["stakeholders"] if s["key"] == "p-peter-moerch")
    assert graph.nodes["p-peter-moerch"]["name"] == peter["name"]
    assert graph.nodes["p-peter-moerch"]["kind"] == "PERSON"
    strengths = [t["strength"] for t in source["ties"] if "strength" in t]
    read = [d["strength"] for _, _, d in graph.edges(data=True) if "strength" in d]
    assert sorted(read) == sorted(strengths)


def test_graphml_of_names_with_control_characters_still_parses(tmp_path: Path) -> None:
    # XML 1.0 cannot hold them at all: a name an editor may set must not spoil the file.
    source = {
        "stakeholders": [
            {"key": "p-a\x01", "kind": "PERSON", "name": "A\x00b", "tags": ["x\x1f"]},
            {"key": "c", "kind": "COMPANY", "name": "C\tand\nnewline"},
        ],
        "ties": [{"source": "p-a\x01", "target": "c", "kind": "WORKS_FOR", "role": "r\x0b"}],
    }
    path = tmp_path / "network.graphml"
    path.write_text(to_graphml(source), encoding="utf-8")
    graph = nx.read_graphml(path, force_multigraph=True)
    assert graph.nodes["p-a\ufffd"]["name"] == "A\ufffdb"
    assert graph.nodes["p-a\ufffd"]["tags"] == "x\ufffd"
    assert graph.nodes["c"]["name"] == "C\tand\nnewline"
    assert [d["role"] for _, _, d in graph.edges(data=True)] == ["r\ufffd"]


def test_csv_has_one_file_per_section_with_every_row() -> None:
    source = document()
    files = to_csv(source)
    assert sorted(files) == ["interactions.csv", "stakeholders.csv", "ties.csv"]
    for section in ("stakeholders", "ties", "interactions"):
        rows = list(csv.DictReader(io.StringIO(files[f"{section}.csv"])))
        assert len(rows) == len(source[section])
    interactions = list(csv.DictReader(io.StringIO(files["interactions.csv"])))
    assert interactions[0]["participants"] == ";".join(source["interactions"][0]["participants"])


def test_the_export_command_writes_each_format(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 's.db'}"
    demo = tmp_path / "demo.json"
    demo.write_text(json.dumps(document()), encoding="utf-8")
    assert cli(["import", str(demo), "--db", database]) == 0
    assert (
        cli(["export", "--format", "graphml", "-o", str(tmp_path / "n.graphml"), "--db", database])
        == 0
    )
    assert nx.read_graphml(tmp_path / "n.graphml").number_of_nodes() == 123
    assert cli(["export", "--format", "csv", "-o", str(tmp_path / "csv"), "--db", database]) == 0
    assert sorted(p.name for p in (tmp_path / "csv").iterdir()) == [
        "interactions.csv",
        "stakeholders.csv",
        "ties.csv",
    ]
    assert cli(["export", "--format", "csv", "--db", database]) == 2


@pytest.mark.parametrize(
    "command",
    [
        ["export"],
        ["export", "--format", "graphml"],
        ["export", "--format", "csv"],
        ["audit", "export"],
    ],
)
def test_an_export_to_a_place_it_cannot_write_says_so_and_leaves_nothing(
    tmp_path: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    database = f"sqlite:///{tmp_path / 's.db'}"
    assert cli(["token", "create", "--role", "admin", "--db", database]) == 0
    capsys.readouterr()
    # A file where a directory should be: neither the file nor the directory can be made.
    blocker = tmp_path / "blocker"
    blocker.write_text("", encoding="utf-8")
    target = blocker / "out"
    assert cli([*command, "-o", str(target), "--db", database]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"stakenet: cannot write {target}: ") and "Traceback" not in error
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith("s.db")] == ["blocker"]
    assert blocker.is_file() and blocker.read_text(encoding="utf-8") == ""


def test_the_import_command_pauses_the_cycle_collector_and_restores_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import stakenet.services.transfer as transfer

    seen: list[bool] = []
    original = transfer.import_stream

    async def observed(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return await original(*args, **kwargs)

    monkeypatch.setattr(transfer, "import_stream", observed)
    database = f"sqlite:///{tmp_path / 's.db'}"
    demo = tmp_path / "demo.json"
    demo.write_text(json.dumps(document()), encoding="utf-8")
    assert cli(["import", str(demo), "--db", database]) == 0
    assert seen == [False]
    assert gc.isenabled()
    demo.write_text('{"ties": [{"kind": "KNOWS"}]}', encoding="utf-8")
    assert cli(["import", str(demo), "--db", database]) == 1
    assert seen == [False, False]
    assert gc.isenabled()
