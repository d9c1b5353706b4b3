"""Other shapes of the interchange document: GraphML for graph tools, CSV for spreadsheets.

Both are written from the same document `stakenet export` produces, so every format carries the
same rows. GraphML holds stakeholders as nodes and ties as edges (interactions join any number of
people, which GraphML's edges cannot say; they stay in the JSON and CSV exports).

CSV is one file per section, a column per field of the document. A list value (tags,
participants) is joined with ";", or written as a JSON array when an item holds a ";" or is not
a plain reference (a participant acting as someone). `CsvExport` reads such files back as the
document's rows, so a CSV export imports like the JSON one: a column left out is a field the
rows leave out, an empty cell a field given as null.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree

from stakenet.domain.document_stream import Rows
from stakenet.domain.errors import ImportRejected, Issue
from stakenet.domain.interchange import KIND_ATTRIBUTES, SECTION_FIELDS

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
CSV_SECTIONS = ("stakeholders", "ties", "interactions")
LIST_SEPARATOR = ";"


def _columns(rows: Sequence[Mapping[str, Any]], first: Sequence[str]) -> list[str]:
    seen = dict.fromkeys(first)
    for row in rows:
        seen.update(dict.fromkeys(row))
    return (
        [column for column in seen if any(column in row for row in rows)] if rows else list(first)
    )


def _graphml_type(values: Iterable[Any]) -> str:
    kinds = {type(v) for v in values if v is not None}
    if kinds <= {bool}:
        return "boolean"
    if kinds <= {int}:
        return "long"
    if kinds <= {int, float}:
        return "double"
    return "string"


# Characters XML 1.0 cannot hold, not even as references (control characters, surrogates,
# non-characters): a text holding one is written with U+FFFD in its place, so that the file parses.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return _NOT_IN_XML.sub("\ufffd", text)


def _graphml_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return _xml_text(LIST_SEPARATOR.join(str(item) for item in value))
    return _xml_text(str(value))


def to_graphml(document: Mapping[str, Any]) -> str:
    """The stakeholders and ties of an interchange document as a GraphML graph."""
    ElementTree.register_namespace("", GRAPHML_NS)
    root = ElementTree.Element(f"{{{GRAPHML_NS}}}graphml")
    stakeholders: list[Mapping[str, Any]] = document.get("stakeholders", [])
    ties: list[Mapping[str, Any]] = document.get("ties", [])
    keys: dict[tuple[str, str], str] = {}
    for domain, rows, skip in (
        ("node", stakeholders, {"key"}),
        ("edge", ties, {"source", "target"}),
    ):
        for column in _columns(rows, []):
            if column in skip:
                continue
            key_id = f"{domain[0]}_{column}"
            keys[(domain, column)] = key_id
            ElementTree.SubElement(
                root,
                f"{{{GRAPHML_NS}}}key",
                {
                    "id": key_id,
                    "for": domain,
                    "attr.name": column,
                    "attr.type": _graphml_type(row.get(column) for row in rows),
                },
            )
    graph = ElementTree.SubElement(
        root, f"{{{GRAPHML_NS}}}graph", {"id": "stakenet", "edgedefault": "directed"}
    )
    for row in stakeholders:
        node = ElementTree.SubElement(
            graph, f"{{{GRAPHML_NS}}}node", {"id": _xml_text(str(row.get("key") or row.get("id")))}
        )
        _data(node, "node", row, keys)
    for index, row in enumerate(ties):
        edge = ElementTree.SubElement(
            graph,
            f"{{{GRAPHML_NS}}}edge",
            {"id": _xml_text(str(row.get("key") or row.get("id") or f"e{index}")),
             "source": _xml_text(str(row["source"])), "target": _xml_text(str(row["target"]))},
        )  # fmt: skip
        _data(edge, "edge", row, keys)
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _data(
    element: ElementTree.Element,
    domain: str,
    row: Mapping[str, Any],
    keys: Mapping[tuple[str, str], str],
) -> None:
    for column, value in row.items():
        key_id = keys.get((domain, column))
        if key_id is not None and value is not None:
            data = ElementTree.SubElement(element, f"{{{GRAPHML_NS}}}data", {"key": key_id})
            data.text = _graphml_text(value)


def to_csv(document: Mapping[str, Any]) -> dict[str, str]:
    """One CSV text per section, named `<section>.csv`."""
    files: dict[str, str] = {}
    for section in CSV_SECTIONS:
        rows: list[Mapping[str, Any]] = document.get(section, [])
        first = (
            ["id", "key", "kind", "name"] if section == "stakeholders" else ["id", "key", "kind"]
        )
        columns = _columns(rows, first)
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({column: _csv_text(row.get(column)) for column in columns})
        files[f"{section}.csv"] = buffer.getvalue()
    return files


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        if _joinable(value):
            return LIST_SEPARATOR.join(value)
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _joinable(items: list[Any]) -> bool:
    """Whether joining `items` with ";" reads back as the same list."""
    return all(isinstance(item, str) and LIST_SEPARATOR not in item for item in items) and not (
        items and items[0].startswith("[")
    )


# How a cell is read back into the document's value; every other column holds text. A cell
# that does not read as its column's type is passed on as text, for the import's checks to name.
_NUMBER_COLUMNS = frozenset({"strength", "confidence", "share", "sentiment"})
_WHOLE_NUMBER_COLUMNS = frozenset({"population"})
_BOOLEAN_COLUMNS = frozenset({"internal"})
_LIST_COLUMNS = frozenset({"tags", "participants"})
_ATTRIBUTES_OF_KIND = {
    kind.value: frozenset(doc for doc, _, _ in attributes)
    for kind, attributes in KIND_ATTRIBUTES.items()
}
_OTHER_KINDS_ATTRIBUTES = frozenset().union(*_ATTRIBUTES_OF_KIND.values())
_ROW_PATH = re.compile(r"(stakeholders|ties|interactions)\[(\d+)\](?:\.(\w+))?")
_ROW_MENTION = re.compile(r"\b(stakeholders|ties|interactions)\[(\d+)\]")


def _cell_value(column: str, text: str) -> Any:
    if not text.strip():
        return None
    if column in _NUMBER_COLUMNS:
        with contextlib.suppress(ValueError):
            return float(text)
    elif column in _WHOLE_NUMBER_COLUMNS:
        with contextlib.suppress(ValueError):
            return int(text)
    elif column in _BOOLEAN_COLUMNS:
        return {"true": True, "false": False}.get(text.strip().lower(), text)
    elif column in _LIST_COLUMNS:
        if text.lstrip().startswith("["):
            with contextlib.suppress(ValueError):
                return json.loads(text)
            return text
        return [item.strip() for item in text.split(LIST_SEPARATOR) if item.strip()]
    return text


class CsvExport:
    """The CSV files of an export (`<section>.csv`, any of them may be missing), read back as
    the rows of an interchange document.

    Problems with the files themselves (an unknown column, a row with more cells than the
    header names, text that is not UTF-8) are collected in `issues` while `members` is read;
    `located` says where in the files an issue about a document row is.
    """

    def __init__(self, files: Mapping[str, IO[str]]) -> None:
        self.files = files
        self.issues: list[Issue] = []
        # The spreadsheet row (the header is row 1) of each document row, by section.
        self._row_numbers: dict[str, list[int]] = {section: [] for section in CSV_SECTIONS}

    def members(self, chunk_rows: int) -> Iterator[Rows]:
        """The rows of each section's file, in the order of the document, `chunk_rows` at a
        time."""
        for section in CSV_SECTIONS:
            stream = self.files.get(section)
            if stream is not None:
                yield from self._section(section, stream, chunk_rows)

    def located(self, issue: Issue) -> Issue:
        """`issue` with its path a file, row and column instead of a document path."""
        found = _ROW_PATH.match(issue.path)
        if found is None:
            return issue
        section, index, column = found[1], int(found[2]), found[3]
        place = f"{section}.csv, row {self._row_numbers[section][index]}"
        if column:
            place += f", column '{column}'"
        # A message naming another row ("first used at stakeholders[0]") names it in the files.
        message = _ROW_MENTION.sub(self._row_mentioned, issue.message)
        return Issue(place, message, issue.code)

    def _row_mentioned(self, mention: re.Match[str]) -> str:
        section, index = mention[1], int(mention[2])
        rows = self._row_numbers[section]
        return f"{section}.csv row {rows[index]}" if index < len(rows) else mention[0]

    def _fail(self, section: str, row: int | None, message: str, column: str | None = None) -> None:
        place = f"{section}.csv"
        if row is not None:
            place += f", row {row}"
        if column:
            place += f", column '{column}'"
        self.issues.append(Issue(place, message, "BAD_CSV"))

    def _section(self, section: str, stream: IO[str], chunk_rows: int) -> Iterator[Rows]:
        reader = csv.reader(stream, strict=True)
        row_numbers = self._row_numbers[section]
        start, chunk = 0, list[object]()
        try:
            header = next(reader, None)
            columns = self._columns(section, header or [])
            for row_number, cells in enumerate(reader, 2):
                if not cells:
                    continue  # a blank line
                if len(cells) > len(columns):
                    self._fail(
                        section,
                        row_number,
                        f"The row has {len(cells)} cells; the header names {len(columns)} columns.",
                    )
                    continue
                row = {
                    column: _cell_value(column, text)
                    for column, text in zip(columns, cells, strict=False)
                    if column
                }
                for column in columns[len(cells) :]:
                    if column:
                        row[column] = None
                if section == "stakeholders":
                    _drop_other_kinds_attributes(row)
                row_numbers.append(row_number)
                chunk.append(row)
                if len(chunk) == chunk_rows:
                    yield Rows(section, start, chunk)
                    start, chunk = start + len(chunk), []
        except UnicodeDecodeError as error:
            # Text is decoded ahead of the rows, so the row is not known.
            self._fail(section, None, f"The file is not UTF-8 text ({error.reason}).")
        except csv.Error as error:
            self._fail(section, reader.line_num, f"The file is not valid CSV: {error}.")
        except zipfile.BadZipFile as error:
            self._fail(section, None, f"The file cannot be read from the archive: {error}.")
        if chunk or not start:
            yield Rows(section, start, chunk)

    def _columns(self, section: str, header: list[str]) -> list[str]:
        """The header's field names, "" for a column to skip (after naming its problem)."""
        allowed = SECTION_FIELDS[section]
        columns: list[str] = []
        for position, name in enumerate(header, 1):
            name = name.strip()
            if name not in allowed:
                self._fail(
                    section,
                    1,
                    f"Unknown column '{name}'." if name else f"Column {position} has no name.",
                    name or None,
                )
                name = ""
            elif name in columns:
                self._fail(section, 1, f"The column '{name}' appears twice.", name)
                name = ""
            columns.append(name)
        return columns


def _drop_other_kinds_attributes(row: dict[str, Any]) -> None:
    """Leave out the empty cells of columns that belong to other kinds: a company's row does not
    give a person's title, it only shares the file with people."""
    own = _ATTRIBUTES_OF_KIND.get(row.get("kind"), frozenset())  # type: ignore[arg-type]
    for column in _OTHER_KINDS_ATTRIBUTES - own:
        if column in row and row[column] is None:
            del row[column]


@contextlib.contextmanager
def opened_csv_export(path: Path) -> Iterator[CsvExport]:
    """The CSV files of an export, in a directory or a zip archive at `path`.

    Raises ImportRejected when `path` holds none of them, or a zip archive holds one twice;
    OSError when it cannot be read.
    """
    with contextlib.ExitStack() as stack:
        files: dict[str, IO[str]] = {}
        if path.is_dir():
            for section in CSV_SECTIONS:
                file = path / f"{section}.csv"
                if file.is_file():
                    files[section] = stack.enter_context(
                        file.open(encoding="utf-8-sig", newline="")
                    )
        else:
            try:
                archive = stack.enter_context(zipfile.ZipFile(path))
            except zipfile.BadZipFile as error:
                raise ImportRejected(
                    [Issue("", f"{path} is not a zip archive: {error}.", "BAD_CSV")]
                ) from None
            for section in CSV_SECTIONS:
                names = [n for n in archive.namelist() if n.rsplit("/", 1)[-1] == f"{section}.csv"]
                if len(names) > 1:
                    raise ImportRejected(
                        [
                            Issue(
                                "",
                                f"{path} holds {section}.csv more than once: {', '.join(names)}.",
                            )
                        ]
                    )
                if names:
                    binary = stack.enter_context(archive.open(names[0]))
                    files[section] = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
        if not files:
            wanted = ", ".join(f"{section}.csv" for section in CSV_SECTIONS)
            raise ImportRejected([Issue("", f"{path} holds none of {wanted}.", "BAD_CSV")])
        yield CsvExport(files)


def is_csv_export(path: Path) -> bool:
    """Whether `path` is where `stakenet export --format csv` writes: a directory or a zip."""
    return path.is_dir() or (path.is_file() and zipfile.is_zipfile(path))


def write_csv_zip(path: Path, files: Mapping[str, str]) -> None:
    """The CSV files of an export, as one zip archive."""
    # Built in memory first: an archive that cannot be written leaves no half of itself.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    path.write_bytes(buffer.getvalue())
