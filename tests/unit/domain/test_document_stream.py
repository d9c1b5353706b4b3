"""Reading an interchange document in chunks gives what `json.loads` gives, or its error, within
the limits of `json_text` (nesting, long integers, NaN and Infinity, lone surrogates)."""

from __future__ import annotations

import io
import json
import pickle
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stakenet.domain.document_stream import (
    Member,
    Rows,
    UnreadableDocument,
    _DocumentReader,
    _Source,
    document_members,
    read_document,
)

SAMPLE = """{"format": "stakenet", "version": 1,
 "stakeholders": [
  {"key": "p-1", "kind": "PERSON", "name": "Søren Mørch", "city": "Zürich", "tags": ["😀", "ünïcödé"]},
  {"key": "p-2", "kind": "PERSON", "name": "\\u00c6bel\\u00f8 \\ud83d\\ude00", "note": "tab\\there \\"quoted\\" \\\\ slash"},
  {"key": "org-1", "kind": "COMPANY", "nested": {"deep": [[1, 2], {"x": null}], "empty": {}}}
 ],
 "ties": [12345, -0.5, 1.5e10, 2E-3, -1e300, 1e-300, true, false, null, "", [], {}],
 "interactions": [],
 "meta": {"generated": "2026-06-01", "counts": [3, 12, 0]},
 "comment": "a string member",
 "number": 98765432109876543210
}"""
BLOCK_SIZES = [1, 2, 7, 64, 1 << 20]
CHUNK_SIZES = [1, 2, 5, 5_000]


def _stream(text: str, *, binary: bool) -> io.BytesIO | io.StringIO:
    return io.BytesIO(text.encode("utf-8")) if binary else io.StringIO(text, newline="")


def _events(
    text: str, *, binary: bool = False, chunk_rows: int = 5_000, block_chars: int = 1 << 20
) -> list[Member | Rows]:
    return list(
        read_document(_stream(text, binary=binary), chunk_rows=chunk_rows, block_chars=block_chars)
    )


def _members(events: list[Member | Rows], chunk_rows: int) -> list[tuple[str, object]]:
    """The (name, value) pairs the events describe, checking how array members are chunked."""
    members: list[tuple[str, object]] = []
    array_in_progress: str | None = None
    for event in events:
        if isinstance(event, Member):
            array_in_progress = None
            members.append((event.name, event.value))
            continue
        assert len(event.rows) <= chunk_rows
        if event.start == 0:
            array_in_progress = event.name
            members.append((event.name, list(event.rows)))
        else:
            assert event.name == array_in_progress, "a continuation must follow its array"
            rows = members[-1][1]
            assert isinstance(rows, list)
            assert event.start == len(rows), "chunks must be consecutive"
            assert event.rows, "only an empty array gives an empty Rows"
            rows.extend(event.rows)
    return members


def _json_members(text: str) -> list[tuple[str, object]]:
    """The top-level members as json.loads decodes them, in order and with duplicates."""
    outermost: list[list[tuple[str, Any]]] = []

    def keep_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        outermost[:] = [pairs]  # the outermost object is decoded last
        return dict(pairs)

    json.loads(text, object_pairs_hook=keep_pairs)
    return list(outermost[0])


def _json_error(text: str) -> tuple[str, int, int, int]:
    with pytest.raises(json.JSONDecodeError) as raised:
        json.loads(text)
    error = raised.value
    return error.msg, error.lineno, error.colno, error.pos


def _read_error(text: str, **options: Any) -> tuple[str, int, int, int]:
    with pytest.raises(UnreadableDocument) as raised:
        _events(text, **options)
    error = raised.value
    return error.message, error.line, error.column, error.offset


@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
@pytest.mark.parametrize("block_chars", BLOCK_SIZES)
@pytest.mark.parametrize("chunk_rows", CHUNK_SIZES)
def test_the_members_are_what_json_loads_decodes(
    chunk_rows: int, block_chars: int, binary: bool
) -> None:
    events = _events(SAMPLE, binary=binary, chunk_rows=chunk_rows, block_chars=block_chars)
    assert _members(events, chunk_rows) == _json_members(SAMPLE)


def test_members_come_in_document_order_as_rows_or_whole() -> None:
    events = _events(SAMPLE, chunk_rows=5)
    assert [(type(e).__name__, e.name) for e in events] == [
        ("Member", "format"),
        ("Member", "version"),
        ("Rows", "stakeholders"),
        ("Rows", "ties"),
        ("Rows", "ties"),
        ("Rows", "ties"),
        ("Rows", "interactions"),
        ("Member", "meta"),
        ("Member", "comment"),
        ("Member", "number"),
    ]
    assert [e.start for e in events if isinstance(e, Rows) and e.name == "ties"] == [0, 5, 10]
    assert Member("meta", {"generated": "2026-06-01", "counts": [3, 12, 0]}) in events


def test_an_empty_array_gives_exactly_one_empty_rows() -> None:
    assert _events('{"ties": [], "interactions": [ \n ]}', block_chars=1) == [
        Rows("ties", 0, []),
        Rows("interactions", 0, []),
    ]


def test_an_array_of_exactly_chunk_rows_gives_one_chunk() -> None:
    assert _events('{"ties": [1, 2, 3]}', chunk_rows=3) == [Rows("ties", 0, [1, 2, 3])]
    assert _events('{"ties": [1, 2, 3, 4]}', chunk_rows=2) == [
        Rows("ties", 0, [1, 2]),
        Rows("ties", 2, [3, 4]),
    ]


def test_rows_keep_nested_arrays_and_objects_whole() -> None:
    text = '{"rows": [[1, [2, [3]]], {"a": {"b": [{}, []]}}, [[]]]}'
    assert _events(text, chunk_rows=2, block_chars=3) == [
        Rows("rows", 0, [[1, [2, [3]]], {"a": {"b": [{}, []]}}]),
        Rows("rows", 2, [[[]]]),
    ]


def test_duplicate_names_are_yielded_as_they_appear() -> None:
    text = '{"ties": [1], "format": "a", "ties": [2, 3], "format": "b"}'
    assert _events(text) == [
        Rows("ties", 0, [1]),
        Member("format", "a"),
        Rows("ties", 0, [2, 3]),
        Member("format", "b"),
    ]


def test_an_empty_object_gives_nothing() -> None:
    assert _events(" { \n } \n") == []


@pytest.mark.parametrize("block_chars", [1, 2, 1 << 20])
@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        ('{"values": [1, NaN]}', "NaN is not a JSON value; send a number or null", 16),
        ('{"values": [-Infinity]}', "-Infinity is not a JSON value; send a number or null", 13),
        ('{"value": {"big": ' + "9" * 101 + "}}", "An integer of 101 digits is too long (at most 100)", 11),
        ('{"values": [' + "[" * 63 + "]" * 63 + "]}", "Arrays and objects are nested deeper than 64 levels", 13),
        ('{"values": [' + "[" * 5000 + "]" * 5000 + "]}", "Arrays and objects are nested deeper than 64 levels", 13),
        ('{"value": ' + "[" * 5000 + "]" * 5000 + "}", "Arrays and objects are nested deeper than 64 levels", 12),
        ('{"value": {"a": ' + "[" * 63 + "]" * 63 + "}}", "Arrays and objects are nested deeper than 64 levels", 11),
        ('{"values": ["ok", {"name": "A\\ud800"}]}', "A string holds a lone surrogate (\\ud800), which is not Unicode text", 19),
        ('{"values": [{"\\udfff": 1}]}', "A string holds a lone surrogate (\\udfff), which is not Unicode text", 13),
    ],
)  # fmt: skip
def test_json_beyond_the_limits_is_unreadable_at_its_row(
    text: str, message: str, column: int, block_chars: int
) -> None:
    assert _read_error(text, block_chars=block_chars) == (message, 1, column, column - 1)


def test_the_limits_leave_room_for_what_documents_hold() -> None:
    # 64 levels: the document, its array, 62 arrays in a row.
    text = '{"values": [' + "[" * 62 + "]" * 62 + ', "\\ud83d\\ude00", ' + "9" * 100 + "]}"
    assert _members(_events(text, block_chars=3), 5_000) == _json_members(text)


@pytest.mark.parametrize(
    "dump_options",
    [
        {"indent": 2},
        {"indent": "\t"},
        {"separators": (",", ":")},
        {"separators": (" ,  ", " : ")},
        {"ensure_ascii": False},
    ],
    ids=["indent", "tabs", "compact", "spacious", "unicode"],
)
@pytest.mark.parametrize("block_chars", [1, 5, 1 << 20])
def test_any_json_layout_reads_the_same(dump_options: dict[str, Any], block_chars: int) -> None:
    text = json.dumps(json.loads(SAMPLE), **dump_options)
    events = _events(text, binary=True, chunk_rows=4, block_chars=block_chars)
    assert _members(events, 4) == _json_members(text)


def test_windows_line_ends_are_whitespace() -> None:
    text = '{\r\n\t"ties": [\r\n\t\t1,\r\n\t\t2\r\n\t],\r\n\t"x": 3\r\n}\r\n'
    assert _events(text, block_chars=2) == [Rows("ties", 0, [1, 2]), Member("x", 3)]


@pytest.mark.parametrize("block_chars", [1, 3, 1 << 20])
def test_rows_separated_unevenly_read_the_same(block_chars: int) -> None:
    text = '{"rows": [1,\n  2,\n  3,\n    4,\n  5, 6,7 ,\t8\r\n,\n\n  9,\n  [10],\n  {"a": 11}  ]}'
    events = _events(text, chunk_rows=4, block_chars=block_chars)
    assert _members(events, 4) == [("rows", [1, 2, 3, 4, 5, 6, 7, 8, 9, [10], {"a": 11}])]


@pytest.mark.parametrize("block_chars", range(1, 9))
def test_multi_byte_characters_split_across_blocks_decode_whole(block_chars: int) -> None:
    text = '{"names": ["Mørch", "Zürich", "😀🎉", "日本語", "\\ud83d\\ude00", "\\u00f8"]}'
    encoded = text.encode("utf-8")
    events = list(read_document(io.BytesIO(encoded), chunk_rows=2, block_chars=block_chars))
    assert _members(events, 2) == _json_members(text)
    assert _members(events, 2)[0][1] == ["Mørch", "Zürich", "😀🎉", "日本語", "😀", "ø"]


@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
@pytest.mark.parametrize("block_chars", [1, 2, 1 << 20])
def test_a_byte_order_mark_is_skipped(binary: bool, block_chars: int) -> None:
    text = '\ufeff{"ties": [1]}'
    assert _events(text, binary=binary, block_chars=block_chars) == [Rows("ties", 0, [1])]


def test_positions_after_a_byte_order_mark_are_those_json_gives_for_the_bytes() -> None:
    encoded = '\ufeff{"ties": [1,\n 2 3]}'.encode()
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(encoded)
    with pytest.raises(UnreadableDocument) as raised:
        list(read_document(io.BytesIO(encoded), block_chars=1))
    error = raised.value
    assert (error.message, error.line, error.column, error.offset) == (
        expected.value.msg,
        expected.value.lineno,
        expected.value.colno,
        expected.value.pos,
    )


def test_a_huge_element_is_read_with_doubling_reads() -> None:
    big = {"text": "ø" * 200_000, "numbers": list(range(20_000))}
    text = json.dumps({"rows": [1, big, 2]}, ensure_ascii=False)
    sizes: list[int] = []

    class CountingStream(io.BytesIO):
        def read(self, size: int | None = -1, /) -> bytes:
            sizes.append(-1 if size is None else size)
            return super().read(size)

    stream = CountingStream(text.encode("utf-8"))
    assert list(read_document(stream, block_chars=16)) == [Rows("rows", 0, [1, big, 2])]
    # Half a megabyte in 16-byte blocks: doubled reads need a few dozen calls, not 33 000.
    assert len(sizes) < 40
    assert max(sizes) >= 1 << 17


def test_document_members_gives_the_same_events_as_read_document() -> None:
    document = json.loads(SAMPLE)
    for chunk_rows in CHUNK_SIZES:
        decoded = list(document_members(document, chunk_rows=chunk_rows))
        assert decoded == _events(SAMPLE, chunk_rows=chunk_rows, block_chars=3)


def test_document_members_gives_one_empty_rows_for_an_empty_list() -> None:
    document = {"ties": [], "format": "stakenet", "meta": {"a": []}, "rows": [1, 2, 3]}
    assert list(document_members(document, chunk_rows=2)) == [
        Rows("ties", 0, []),
        Member("format", "stakenet"),
        Member("meta", {"a": []}),
        Rows("rows", 0, [1, 2]),
        Rows("rows", 2, [3]),
    ]


@pytest.mark.parametrize(
    ("text", "message", "line", "column", "offset"),
    [
        ("", "The document is empty", 1, 1, 0),
        ("  \n\t ", "The document is empty", 2, 3, 5),
        ("[1, 2]", "The document must be a JSON object", 1, 1, 0),
        ('\n  "ties"', "The document must be a JSON object", 2, 3, 3),
        ("nonsense", "The document must be a JSON object", 1, 1, 0),
    ],
)
def test_a_document_that_is_not_an_object_is_unreadable(
    text: str, message: str, line: int, column: int, offset: int
) -> None:
    for block_chars in (1, 1 << 20):
        assert _read_error(text, block_chars=block_chars) == (message, line, column, offset)


@pytest.mark.parametrize(
    ("text", "message", "line", "column", "offset"),
    [
        ('{"ties": [1]} x', "Extra data", 1, 15, 14),
        ('{"ties": [1]}\n\n  {}', "Extra data", 3, 3, 17),
        ('{"ties": [1 2]}', "Expecting ',' delimiter", 1, 13, 12),
        ('{"ties": [1, 2,, 3]}', "Expecting value", 1, 16, 15),
        ('{"ties": [1] "x": 2}', "Expecting ',' delimiter", 1, 14, 13),
        ('{"ties" [1]}', "Expecting ':' delimiter", 1, 9, 8),
        ("{ties: [1]}", "Expecting property name enclosed in double quotes", 1, 2, 1),
        ('{"ties": [{"a": tru}]}', "Expecting value", 1, 17, 16),
        ('{"ties": [{"a" 1}]}', "Expecting ':' delimiter", 1, 16, 15),
        ('{"ties": ["a\tb"]}', "Invalid control character at", 1, 13, 12),
        ('{"ties": ["a\\qb"]}', "Invalid \\escape", 1, 13, 12),
        ('{"ties": ["\\u12x4"]}', "Invalid \\uXXXX escape", 1, 13, 12),
        ('{"ties": ["never closed]}', "Unterminated string starting at", 1, 11, 10),
        ('{"format": "stakenet"\n,\n  "version": 1 2}', "Expecting ',' delimiter", 3, 16, 39),
        ('{"ties": [1.]}', "Expecting ',' delimiter", 1, 12, 11),
        ('{"ties": [-]}', "Expecting value", 1, 11, 10),
    ],
)
def test_a_syntax_error_is_placed_where_json_places_it(
    text: str, message: str, line: int, column: int, offset: int
) -> None:
    assert _json_error(text) == (message, line, column, offset)
    for block_chars in BLOCK_SIZES:
        for binary in (False, True):
            found = _read_error(text, binary=binary, block_chars=block_chars)
            assert found == (message, line, column, offset), (block_chars, binary)


def test_an_error_far_into_a_long_document_has_its_absolute_position() -> None:
    rows = ",\n".join(json.dumps({"key": f"p-{i}", "name": "Mørch"}) for i in range(3_000))
    text = '{"format": "stakenet",\n"ties": [\n' + rows + ",\n  {oops}\n]}"
    expected = _json_error(text)
    assert expected[1] > 3_000
    for block_chars in (7, 1_000, 1 << 20):
        assert _read_error(text, binary=True, block_chars=block_chars) == expected
        assert _read_error(text, block_chars=block_chars) == expected


def test_rows_before_an_error_have_been_yielded() -> None:
    seen: list[Member | Rows] = []
    with pytest.raises(UnreadableDocument):
        for event in read_document(io.StringIO('{"a": [1, 2, 3], "b": [4, }'), chunk_rows=2):
            seen.append(event)
    assert seen == [Rows("a", 0, [1, 2]), Rows("a", 2, [3])]


@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
@pytest.mark.parametrize("block_chars", [1, 3, 16, 1 << 20])
def test_every_truncation_is_unreadable_where_json_says(binary: bool, block_chars: int) -> None:
    text = SAMPLE
    for cut in range(len(text)):
        prefix = text[:cut]
        if not prefix.strip():
            expected = ("The document is empty", *_json_error(prefix)[1:])
        else:
            expected = _json_error(prefix)
        assert _read_error(prefix, binary=binary, block_chars=block_chars) == expected, cut


@pytest.mark.parametrize("block_chars", [1, 2, 1 << 20])
def test_invalid_utf8_is_unreadable_at_the_bad_byte(block_chars: int) -> None:
    encoded = '{"ties": ["Mørch",\n "x'.encode() + b"\xff" + b'"]}'
    with pytest.raises(UnreadableDocument) as raised:
        list(read_document(io.BytesIO(encoded), block_chars=block_chars))
    error = raised.value
    assert error.message.startswith("Invalid UTF-8")
    assert (error.line, error.column, error.offset) == (2, 4, 22)


def test_a_multi_byte_character_cut_at_the_end_is_unreadable() -> None:
    encoded = '{"ties": ["Mø'.encode()[:-1]
    with pytest.raises(UnreadableDocument) as raised:
        list(read_document(io.BytesIO(encoded), block_chars=4))
    assert raised.value.message.startswith("Invalid UTF-8")
    assert raised.value.offset == 12


def test_the_error_reads_like_json_and_survives_pickling() -> None:
    error = UnreadableDocument("Expecting ',' delimiter", 3, 5, 120)
    assert isinstance(error, ValueError)
    assert str(error) == "Expecting ',' delimiter: line 3 column 5 (char 120)"
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.message, copy.line, copy.column, copy.offset, str(copy)) == (
        error.message,
        3,
        5,
        120,
        str(error),
    )


@pytest.mark.parametrize("option", ["chunk_rows", "block_chars"])
def test_sizes_must_be_positive(option: str) -> None:
    with pytest.raises(ValueError, match=option):
        read_document(io.StringIO("{}"), **{option: 0})
    if option == "chunk_rows":
        with pytest.raises(ValueError, match=option):
            document_members({}, chunk_rows=0)


_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=12,
)
_DOCUMENTS = st.dictionaries(
    st.text(max_size=8), st.lists(_VALUES, max_size=12) | _VALUES, max_size=6
)
_LAYOUTS = st.sampled_from(
    [
        {},
        {"separators": (",", ":")},
        {"indent": 1},
        {"ensure_ascii": False},
        {"ensure_ascii": False, "indent": "\t"},
    ]
)


def _with_rows(events: Iterator[Member | Rows], chunk_rows: int) -> list[tuple[str, object]]:
    return _members(list(events), chunk_rows)


@settings(max_examples=300, deadline=None)
@given(
    document=_DOCUMENTS,
    layout=_LAYOUTS,
    chunk_rows=st.integers(min_value=1, max_value=6),
    block_chars=st.integers(min_value=1, max_value=40),
    binary=st.booleans(),
)
def test_any_document_reads_as_json_loads_decodes_it(
    document: dict[str, Any],
    layout: dict[str, Any],
    chunk_rows: int,
    block_chars: int,
    binary: bool,
) -> None:
    text = json.dumps(document, **layout)
    stream = _stream(text, binary=binary)
    events = read_document(stream, chunk_rows=chunk_rows, block_chars=block_chars)
    assert _with_rows(events, chunk_rows) == _json_members(text)
    assert _with_rows(document_members(document, chunk_rows=chunk_rows), chunk_rows) == (
        _json_members(text)
    )


@settings(max_examples=100, deadline=None)
@given(document=_DOCUMENTS, layout=_LAYOUTS, data=st.data())
def test_any_truncated_document_is_unreadable(
    document: dict[str, Any], layout: dict[str, Any], data: st.DataObject
) -> None:
    text = json.dumps(document, **layout)
    cut = data.draw(st.integers(min_value=0, max_value=len(text) - 1), label="cut")
    block_chars = data.draw(st.integers(min_value=1, max_value=40), label="block_chars")
    prefix = text[:cut]
    expected = _json_error(prefix)[1:]
    assert _read_error(prefix, block_chars=block_chars)[1:] == expected


# Rows of objects, as documents hold them, are decoded a slice of many rows at a time; a slice
# that is not JSON by itself is decoded a row at a time. These documents put what would mislead
# a slice (text that looks like the end of a row, an error, a value beyond a limit) among many
# rows, so that slices hold them.
def _object_rows(count: int) -> list[str]:
    return [json.dumps({"key": f"p-{i}", "name": f"Person {i}", "n": i}) for i in range(count)]


@pytest.mark.parametrize("block_chars", [64, 1_000, 1 << 20])
@pytest.mark.parametrize("separator", [", ", ",", ",\n    "])
@pytest.mark.parametrize(
    "odd_row",
    [
        '{"note": "a}, {\\"b\\": 1}, {"}',
        '{"note": "}, {"}',
        '{"note": "ends with }, ", "x": [{"y": {}}, {}]}',
        '{"big": 123456789012345678901234567890, "tiny": 5e-324, "huge": 1e308}',
        '{"name": "\\u00c6bel\\u00f8 \\ud83d\\ude00", "city": "Zürich"}',
        '{"deep": ' + "[" * 61 + "]" * 61 + "}",
        '{"a": 1, "a": 2}',
        '{"participants": [{"key": "p-1", "actingAs": "chair"}, "p-2", {"key": "p-3"}]}',
        '{"note": "[{", "x": [{}, {}]}',
    ],
)
def test_rows_among_many_read_as_json_loads_decodes_them(
    odd_row: str, separator: str, block_chars: int
) -> None:
    rows = _object_rows(300)
    rows[150:150] = [odd_row] * 3
    text = '{"ties": [' + separator.join(rows) + '], "interactions": [' + odd_row + "]}"
    for chunk_rows in (7, 5_000):
        events = _events(text, chunk_rows=chunk_rows, block_chars=block_chars)
        assert _members(events, chunk_rows) == _json_members(text)


@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
@pytest.mark.parametrize("block_chars", [64, 1_000, 1 << 20])
@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        ('{"a": tru}', "Expecting value"),
        ('{"a" 1}', "Expecting ':' delimiter"),
        ('{"note": "a}, {"} x', "Expecting ',' delimiter"),
        ('{"a": 1,}', "Expecting property name enclosed in double quotes"),
    ],
)
def test_a_bad_row_among_many_is_placed_where_json_places_it(
    bad_row: str, message: str, block_chars: int, binary: bool
) -> None:
    rows = _object_rows(300)
    rows.insert(200, bad_row)
    text = '{"ties": [\n' + ",\n".join(rows) + "\n]}"
    expected = _json_error(text)
    assert expected[0] == message
    assert _read_error(text, binary=binary, block_chars=block_chars) == expected


@pytest.mark.parametrize("block_chars", [64, 1 << 20])
@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        ('{"name": "A\\ud800"}', "A string holds a lone surrogate (\\ud800), which is not Unicode text"),
        ('{"\\udfff": 1}', "A string holds a lone surrogate (\\udfff), which is not Unicode text"),
        ('{"x": NaN}', "NaN is not a JSON value; send a number or null"),
        ('{"big": ' + "9" * 101 + "}", "An integer of 101 digits is too long (at most 100)"),
        ('{"deep": ' + "[" * 62 + "]" * 62 + "}", "Arrays and objects are nested deeper than 64 levels"),
        ('{"deep": ' + "[" * 5000 + "]" * 5000 + "}", "Arrays and objects are nested deeper than 64 levels"),
    ],
)  # fmt: skip
def test_a_row_beyond_the_limits_among_many_is_unreadable_at_that_row(
    bad_row: str, message: str, block_chars: int
) -> None:
    rows = _object_rows(300)
    text = '{"ties": [' + ", ".join(rows[:200]) + ", "
    offset = len(text)
    text += bad_row + ", " + ", ".join(rows[200:]) + "]}"
    assert _read_error(text, block_chars=block_chars) == (message, 1, offset + 1, offset)


def test_a_lone_surrogate_in_a_text_stream_among_many_rows_is_unreadable_at_its_row() -> None:
    rows = _object_rows(300)
    text = '{"ties": [' + ", ".join(rows[:200]) + ", "
    offset = len(text)
    text += '{"name": "A\ud800"}, ' + ", ".join(rows[200:]) + "]}"
    assert _read_error(text) == (
        "A string holds a lone surrogate (\\ud800), which is not Unicode text",
        1,
        offset + 1,
        offset,
    )


_OBJECT_ROWS = st.lists(st.dictionaries(st.text(max_size=5), _VALUES, max_size=4), max_size=40)


@settings(max_examples=200, deadline=None)
@given(
    rows=_OBJECT_ROWS,
    layout=_LAYOUTS,
    chunk_rows=st.integers(min_value=1, max_value=50),
    block_chars=st.sampled_from([50, 200, 1_000, 1 << 20]),
    binary=st.booleans(),
)
def test_any_rows_of_objects_read_as_json_loads_decodes_them(
    rows: list[dict[str, Any]],
    layout: dict[str, Any],
    chunk_rows: int,
    block_chars: int,
    binary: bool,
) -> None:
    text = json.dumps({"ties": rows, "after": 1}, **layout)
    events = read_document(
        _stream(text, binary=binary), chunk_rows=chunk_rows, block_chars=block_chars
    )
    assert _with_rows(events, chunk_rows) == _json_members(text)


def test_a_slice_ends_where_a_row_ends_not_between_the_objects_in_one() -> None:
    row = '{"kind": "MEETING", "participants": [{"key": "p-1", "actingAs": "chair"}, "p-2"]}'
    text = "[" + ", ".join([row] * 50) + "]" + " " * 100
    reader = _DocumentReader(_Source(io.StringIO(""), 1 << 20), 5_000)
    rows, end = reader._slice_rows(text, 1, len(text) - 16)
    assert rows == [json.loads(row)] * 49
    assert text[end:] == ", " + row + "]" + " " * 100
