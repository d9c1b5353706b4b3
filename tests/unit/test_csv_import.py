"""`stakenet import` reads the CSV files `stakenet export --format csv` writes, with the checks of
a document, and `--replace` replaces records instead of merging onto them."""

from __future__ import annotations

import asyncio
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from stakenet.cli import main as cli
from stakenet.demo import load_demo_document
from stakenet.domain.model import Stakeholder
from stakenet.services.transfer import export_document
from stakenet.store.sqlite import SQLiteStore


def exported(database: Path) -> dict[str, Any]:
    async def read() -> dict[str, Any]:
        store = SQLiteStore(str(database))
        await store.open()
        try:
            document = await export_document(store)
        finally:
            await store.close()
        return {**document, "revision": 0}

    return asyncio.run(read())


def stored(database: Path, key: str) -> Stakeholder:
    async def read() -> Stakeholder:
        store = SQLiteStore(str(database))
        await store.open()
        try:
            (found,) = await store.get_stakeholders_by_key([key])
        finally:
            await store.close()
        assert found is not None
        return found

    return asyncio.run(read())


def demo_with_awkward_lists() -> dict[str, Any]:
    """The demo network, with a tag holding the list separator and a participant acting as
    someone: lists a plain ";"-joined cell cannot hold."""
    document = json.loads(json.dumps(load_demo_document()))
    document["stakeholders"][0]["tags"] = ["board; advisory", "energy"]
    meeting = document["interactions"][0]
    first, *others = meeting["participants"]
    meeting["participants"] = [{"key": first, "actingAs": "chair; host"}, *others]
    return document


def db(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.mark.parametrize("output", ["csv", "network.zip"])
def test_a_csv_export_imports_into_an_empty_store_as_the_same_network(
    tmp_path: Path, output: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "demo.json"
    source.write_text(json.dumps(demo_with_awkward_lists()), encoding="utf-8")
    original, copy = tmp_path / "original.db", tmp_path / "copy.db"
    assert cli(["import", str(source), "--db", db(original)]) == 0
    target = tmp_path / output
    assert cli(["export", "--format", "csv", "-o", str(target), "--db", db(original)]) == 0
    assert target.is_dir() == (output == "csv")
    capsys.readouterr()

    assert cli(["import", str(target), "--db", db(copy)]) == 0
    assert capsys.readouterr().out == (
        "Imported at revision 1: stakeholders 123 new, 0 changed, 0 unchanged; "
        "ties 408 new, 0 changed, 0 unchanged; interactions 195 new, 0 changed, 0 unchanged.\n"
    )
    # Every record, every id and every value: the CSV round trip loses nothing.
    assert exported(copy) == exported(original)
    # Imported again, every row matches its record unchanged.
    assert cli(["import", str(target), "--db", db(copy)]) == 0
    assert capsys.readouterr().out == (
        "Imported at revision 1: stakeholders 0 new, 0 changed, 123 unchanged; "
        "ties 0 new, 0 changed, 408 unchanged; interactions 0 new, 0 changed, 195 unchanged.\n"
    )


def test_every_bad_cell_is_named_by_file_row_and_column_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "stakeholders.csv").write_text(
        "key,kind,name,colour,internal\n"
        "p-anna,PERSON,Anna Holm,red,false\n"
        "p-bo,PERSON,Bo Lund,,yes\n"
        "c-acme,ROBOT,Acme,,\n"
        "p-anna,PERSON,Anna again,,\n",
        encoding="utf-8",
    )
    (folder / "ties.csv").write_text(
        "source,target,kind,strength\n"
        "p-anna,p-bo,KNOWS,0.5\n"
        "p-bo,p-anna,INFLUENCES,high\n"
        "p-anna,p-nobody,KNOWS,\n"
        "p-anna,p-bo,REPORTS_TO,0.2,extra\n",
        encoding="utf-8",
    )
    (folder / "interactions.csv").write_text(
        'kind,occurredAt,participants\nCALL,2026-10-02T09:00:00Z,"p-anna;p-bo"\nCALL,soon,p-anna\n',
        encoding="utf-8",
    )
    database = tmp_path / "s.db"
    assert cli(["import", str(folder), "--db", db(database)]) == 1
    error = capsys.readouterr().err
    assert error.splitlines() == [
        "Import rejected; nothing was written. 8 problem(s):",
        "  stakeholders.csv, row 1, column 'colour': Unknown column 'colour'.",
        "  ties.csv, row 5: The row has 5 cells; the header names 4 columns.",
        "  stakeholders.csv, row 3, column 'internal': 'internal' must be true or false, "
        "got 'yes'.",
        "  stakeholders.csv, row 4, column 'kind': Unknown kind 'ROBOT'; expected one of "
        "PERSON, COMPANY, MUNICIPALITY, ORGANIZATION.",
        # Another row is named as a row of the files too.
        "  stakeholders.csv, row 5, column 'key': Duplicate key 'p-anna' (first used at "
        "stakeholders.csv row 2).",
        "  ties.csv, row 3, column 'strength': 'strength' must be a number between 0 and 1, "
        "got 'high'.",
        "  ties.csv, row 4, column 'target': No stakeholder with key 'p-nobody' in the "
        "document or the store.",
        "  interactions.csv, row 3, column 'occurredAt': 'occurredAt' must be a date-time like "
        "2026-10-02T09:00:00Z, got 'soon'.",
    ]
    assert exported(database)["stakeholders"] == []


def test_a_csv_of_some_columns_updates_those_and_an_empty_cell_clears(tmp_path: Path) -> None:
    database = tmp_path / "s.db"
    first = tmp_path / "first.json"
    first.write_text(
        json.dumps(
            {
                "stakeholders": [
                    {
                        "key": "c-1",
                        "kind": "COMPANY",
                        "name": "Nordhavn",
                        "city": "Aarhus",
                        "website": "https://nordhavn.example",
                        "tags": ["heat"],
                    },
                ]
            }
        ),
        encoding="utf-8",
    )
    assert cli(["import", str(first), "--db", db(database)]) == 0
    folder = tmp_path / "crm"
    folder.mkdir()
    (folder / "stakeholders.csv").write_text(
        "key,kind,name,city,website\nc-1,COMPANY,Nordhavn,Odense,\n", encoding="utf-8"
    )
    assert cli(["import", str(folder), "--db", db(database)]) == 0
    company = stored(database, "c-1")
    assert (company.city, company.website, company.tags) == ("Odense", None, ("heat",))


def test_the_import_command_merges_by_default_and_replaces_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "s.db"
    full, partial = tmp_path / "full.json", tmp_path / "partial.json"
    full.write_text(
        json.dumps(
            {
                "stakeholders": [
                    {
                        "key": "p-1",
                        "kind": "PERSON",
                        "name": "Anna",
                        "title": "CFO",
                        "email": "anna@example.org",
                        "tags": ["finance"],
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    partial.write_text(
        json.dumps({"stakeholders": [{"key": "p-1", "kind": "PERSON", "name": "Anna Holm"}]}),
        encoding="utf-8",
    )
    assert cli(["import", str(full), "--db", db(database)]) == 0
    assert cli(["import", str(partial), "--db", db(database)]) == 0
    anna = stored(database, "p-1")
    assert (anna.name, anna.title, anna.email, anna.tags) == (
        "Anna Holm",
        "CFO",
        "anna@example.org",
        ("finance",),
    )
    capsys.readouterr()
    assert cli(["import", "--replace", str(partial), "--db", db(database)]) == 0
    assert capsys.readouterr().out == (
        "Imported at revision 3: stakeholders 0 new, 1 changed, 0 unchanged; "
        "ties 0 new, 0 changed, 0 unchanged; interactions 0 new, 0 changed, 0 unchanged.\n"
    )
    anna = stored(database, "p-1")
    assert (anna.name, anna.title, anna.email, anna.tags) == ("Anna Holm", None, None, ())


def test_a_folder_without_any_section_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = tmp_path / "other.zip"
    with zipfile.ZipFile(archive, "w") as writing:
        writing.writestr("people.csv", "key,kind,name\n")
    assert cli(["import", str(archive), "--db", db(tmp_path / "s.db")]) == 1
    assert capsys.readouterr().err == (
        f"Import rejected; nothing was written: {archive} holds none of stakeholders.csv, "
        "ties.csv, interactions.csv.\n"
    )
