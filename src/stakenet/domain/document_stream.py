"""Incremental reading of interchange documents: one JSON object, mostly big arrays.

An import file can run to several hundred megabytes, so it is read a block at a time and every
top-level array is handed over in chunks of rows (`Rows`), while the other top-level members
come whole (`Member`). Values decode as `json_text.loads` decodes them: a document that
`json.loads` rejects is rejected here too, and so is one beyond the limits of `json_text` (nested
too deep, an integer too long, NaN, a lone surrogate), as `UnreadableDocument` with the absolute
position (of the row, for a limit). Rows that are objects are decoded a slice of many at a time,
by one call of the json module's decoder; a slice that does not decode by itself is decoded a
row at a time, which places any error.
`document_members` gives the same events for a document that is already decoded, so one
importer serves both a file and a GraphQL argument.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass
from typing import BinaryIO, TextIO

from stakenet.domain.json_text import (
    DECODER_HOOKS,
    MAX_NESTING,
    UnacceptableJSON,
    check_nesting,
    check_value,
)

__all__ = ["Member", "Rows", "UnreadableDocument", "document_members", "read_document"]


@dataclass(frozen=True, slots=True)
class Member:
    """A top-level member that is not an array, given whole."""

    name: str
    value: object


@dataclass(frozen=True, slots=True)
class Rows:
    """Consecutive rows of a top-level array member: rows[i] is element `start + i`."""

    name: str
    start: int
    rows: list[object]


class UnreadableDocument(ValueError):
    """The text is not JSON, or not a JSON object.

    `line` and `column` are 1-based, `offset` is the 0-based character offset in the whole text
    (a byte order mark is not part of the text); str(error) reads like json's messages, e.g.
    "Expecting ',' delimiter: line 3 column 5 (char 120)".
    """

    message: str
    line: int
    column: int
    offset: int

    def __init__(self, message: str, line: int, column: int, offset: int) -> None:
        super().__init__(f"{message}: line {line} column {column} (char {offset})")
        self.message = message
        self.line = line
        self.column = column
        self.offset = offset

    def __reduce__(self) -> tuple[type[UnreadableDocument], tuple[str, int, int, int]]:
        return (type(self), (self.message, self.line, self.column, self.offset))


_NON_WHITESPACE = re.compile(r"[^ \t\n\r]")
_BYTE_ORDER_MARK = "\ufeff"
# A value that ends this close to the end of the text read so far may be the prefix of a longer
# one ("12" of "123", "1" of "1.5e3"), and a failure this close may be a value cut short
# ("-Infinit" is blamed on its "-", 8 characters back). Either is retried with more text.
_LOOKAHEAD = 16
# Elements are decoded together from slices of at most this many characters (`_slice_rows`):
# one call of the json module's decoder instead of one per element.
_SLICE_CHARS = 1 << 20
# How many ends of a slice it tries, from the last, for one where its rows end.
_CUTS_TRIED = 64
# Where member values and array elements sit in the document: {"member": [row, ...]}.
_MEMBER_LEVEL = 2
_ROW_LEVEL = 3


def read_document(
    stream: BinaryIO | TextIO, *, chunk_rows: int = 5_000, block_chars: int = 1 << 20
) -> Iterator[Member | Rows]:
    """Yield the members of the document in the order they appear.

    Each array member gives one or more `Rows` of at most `chunk_rows` rows, in order (an empty
    array gives exactly one empty `Rows`); any other member gives one `Member`. Duplicate names
    are yielded as they appear. The stream is read `block_chars` at a time; a binary stream is
    decoded as UTF-8, a text stream is taken as it is, and a leading byte order mark is skipped.
    Raises `UnreadableDocument` when the text is not a JSON object, possibly after some rows
    have been yielded: a consumer treats that as a rejected document.
    """
    _require_positive("chunk_rows", chunk_rows)
    _require_positive("block_chars", block_chars)
    return _DocumentReader(_Source(stream, block_chars), chunk_rows).members()


def document_members(
    document: Mapping[str, object], *, chunk_rows: int = 5_000
) -> Iterator[Member | Rows]:
    """The same events for a document already decoded (e.g. a GraphQL argument), so that one
    importer serves both."""
    _require_positive("chunk_rows", chunk_rows)
    return _decoded_members(document, chunk_rows)


def _decoded_members(document: Mapping[str, object], chunk_rows: int) -> Iterator[Member | Rows]:
    for name, value in document.items():
        if not isinstance(value, list):
            yield Member(name, value)
        elif not value:
            yield Rows(name, 0, [])
        else:
            for start in range(0, len(value), chunk_rows):
                yield Rows(name, start, value[start : start + chunk_rows])


def _require_positive(name: str, value: int) -> None:
    if value < 1:
        raise ValueError(f"{name} must be at least 1, not {value}")


def _row_end(text: str, start: int, end: int) -> int:
    """Of the positions after a `},` in `text[start:end + 1]`, from the last, the first (of
    `_CUTS_TRIED`) with as many braces opened as closed since `start`, or 0 if none: between
    rows that are objects, from the start of one, none is left open, and at a `},` inside a
    row at least the row's own is. Braces in strings may mislead this count, never the
    decoding after it."""
    unclosed = text.count("{", start, end) - text.count("}", start, end)
    for _ in range(_CUTS_TRIED):
        if not unclosed:
            return end
        before = text.rfind("},", start, end - 1) + 1
        if not before:
            return 0
        unclosed -= text.count("{", before, end) - text.count("}", before, end)
        end = before
    return 0 if unclosed else end


class _Source:
    """The text of a stream from the first character not yet consumed, with the bookkeeping
    that places a position in it within the whole text."""

    __slots__ = (
        "_at_start",
        "_decoder",
        "_dropped_chars",
        "_dropped_lines",
        "_last_dropped_newline",
        "_stream",
        "block_chars",
        "exhausted",
        "text",
    )

    def __init__(self, stream: BinaryIO | TextIO, block_chars: int) -> None:
        self._stream = stream
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._at_start = True
        # Where text[0] lies in the whole text, how many newlines precede it and where the last
        # of them is (-1 when none, which makes the column arithmetic the same as json's).
        self._dropped_chars = 0
        self._dropped_lines = 0
        self._last_dropped_newline = -1
        self.block_chars = block_chars
        self.text = ""
        self.exhausted = False

    def read_more(self, keep_from: int, size: int) -> int:
        """Drop the text before `keep_from` and append at least one more character, unless the
        stream is exhausted. Returns how many characters were dropped, by which every position
        the caller holds moves back."""
        self._drop(keep_from)
        while not self.exhausted:
            block: bytes | str = self._stream.read(size)
            if not block:
                self.exhausted = True
            if isinstance(block, str):
                more = block
            else:
                try:
                    more = self._decoder.decode(block, final=self.exhausted)
                except UnicodeDecodeError as error:
                    raise self._invalid_utf8(error) from None
            if more and self._at_start:
                self._at_start = False
                more = more.removeprefix(_BYTE_ORDER_MARK)
            if more:
                self.text += more
                break
        return keep_from

    def error(self, message: str, position: int) -> UnreadableDocument:
        """`message` about `position` in the current text, placed in the whole text."""
        text = self.text
        offset = self._dropped_chars + position
        line = self._dropped_lines + text.count("\n", 0, position) + 1
        newline = text.rfind("\n", 0, position)
        last_newline = self._last_dropped_newline if newline < 0 else self._dropped_chars + newline
        return UnreadableDocument(message, line, offset - last_newline, offset)

    def _drop(self, count: int) -> None:
        if count <= 0:
            return
        text = self.text
        newlines = text.count("\n", 0, count)
        if newlines:
            self._dropped_lines += newlines
            self._last_dropped_newline = self._dropped_chars + text.rfind("\n", 0, count)
        self._dropped_chars += count
        self.text = text[count:]

    def _invalid_utf8(self, error: UnicodeDecodeError) -> UnreadableDocument:
        # The bytes before the bad one are valid, so they decode, and the error lands after them.
        valid = error.object[: error.start].decode("utf-8")
        if self._at_start and valid:
            valid = valid.removeprefix(_BYTE_ORDER_MARK)
        self.text += valid
        return self.error(f"Invalid UTF-8 ({error.reason})", len(self.text))


class _DocumentReader:
    """The parse of the document's outer object. Member values and array elements are decoded
    by the json module's scanner, which does nearly all the work."""

    __slots__ = ("_chunk_rows", "_decode_array", "_raw_decode", "_scan_once", "_source")

    def __init__(self, source: _Source, chunk_rows: int) -> None:
        self._source = source
        self._chunk_rows = chunk_rows
        decoder = json.JSONDecoder(**DECODER_HOOKS)
        self._raw_decode = decoder.raw_decode
        self._decode_array = decoder.decode
        # The scanner that raw_decode wraps (set by JSONDecoder.__init__, absent from the type
        # stubs); calling it directly saves a Python call per array element, about 15 % of the time.
        self._scan_once: Callable[[str, int], tuple[object, int]] = vars(decoder)["scan_once"]

    def members(self) -> Iterator[Member | Rows]:
        source = self._source
        position = self._skip_whitespace(0)
        if position == len(source.text):
            raise source.error("The document is empty", position)
        if source.text[position] != "{":
            raise source.error("The document must be a JSON object", position)
        position = self._skip_whitespace(position + 1)
        if source.text.startswith("}", position):
            position += 1
        else:
            while True:
                if not source.text.startswith('"', position):
                    raise source.error(
                        "Expecting property name enclosed in double quotes", position
                    )
                name, position = self._decode(position)
                assert isinstance(name, str)
                position = self._skip_whitespace(position)
                if not source.text.startswith(":", position):
                    raise source.error("Expecting ':' delimiter", position)
                position = self._skip_whitespace(position + 1)
                if source.text.startswith("[", position):
                    position = yield from self._rows(name, position + 1)
                else:
                    value, position = self._decode(position)
                    yield Member(name, value)
                position = self._skip_whitespace(position)
                if source.text.startswith(",", position):
                    position = self._skip_whitespace(position + 1)
                elif source.text.startswith("}", position):
                    position += 1
                    break
                else:
                    raise source.error("Expecting ',' delimiter", position)
        position = self._skip_whitespace(position)
        if position < len(source.text):
            raise source.error("Extra data", position)

    def _rows(self, name: str, position: int) -> Generator[Rows, None, int]:
        """The elements of the array whose first element (or closing bracket) is at or after
        `position`, in chunks; returns the position after the closing bracket."""
        source = self._source
        scan_once = self._scan_once
        non_whitespace = _NON_WHITESPACE.search
        chunk_rows = self._chunk_rows
        block_chars = source.block_chars
        position = self._skip_whitespace(position)
        if source.text.startswith("]", position):
            yield Rows(name, 0, [])
            return position + 1
        text = source.text
        # An element that ends before `fast_end` is complete, and is followed by enough text to
        # look at the separator without bounds checks.
        fast_end = len(text) - _LOOKAHEAD
        read_size = block_chars
        rows: list[object] = []
        start = 0
        separator = ", "
        # Elements that start before this position are decoded one at a time (`_slice_rows`
        # could not decode them together).
        one_at_a_time_until = 0
        while True:
            # `position` is where an element starts.
            decoded: list[object] = []
            if position >= one_at_a_time_until and text.startswith("{", position):
                decoded, end = self._slice_rows(text, position, fast_end)
                if decoded:
                    rows += decoded
                else:
                    one_at_a_time_until = end
            if not decoded:
                try:
                    value, end = scan_once(text, position)
                except StopIteration as stop:
                    # raw_decode's "Expecting value".
                    end = self._decode_failure("Expecting value", stop.value)
                except json.JSONDecodeError as error:
                    end = self._decode_failure(error.msg, error.pos)
                except (RecursionError, UnacceptableJSON) as error:
                    raise self._unacceptable(error, position) from None
                if end >= fast_end and not source.exhausted:
                    # The element may go on past the text read so far: read more and decode
                    # it again, reading twice as much each time so that a huge element costs
                    # linear time.
                    dropped = source.read_more(position, read_size)
                    position -= dropped
                    one_at_a_time_until -= dropped
                    read_size *= 2
                    text = source.text
                    fast_end = len(text) - _LOOKAHEAD
                    continue
                read_size = block_chars
                self._check(value, _ROW_LEVEL, position)
                rows.append(value)
            if len(rows) >= chunk_rows:
                whole = len(rows) - len(rows) % chunk_rows
                for at in range(0, whole, chunk_rows):
                    yield Rows(name, start, rows[at : at + chunk_rows])
                    start += chunk_rows
                rows = rows[whole:]
            # Rows are usually separated alike ("," or ", ", or a line break and indent after the
            # comma): try the separator after the previous row before looking for one.
            after = end + len(separator)
            if (
                after < fast_end
                and text.startswith(separator, end)
                and text[after] not in " \t\n\r"
            ):
                position = after
                continue
            if end < fast_end and text[end] == ",":
                found = non_whitespace(text, end + 1)
                if found:
                    position = found.start()
                    separator = text[end:position]
                else:
                    position = len(text)
                continue
            position = self._skip_whitespace(end)
            text = source.text
            if text.startswith(",", position):
                position = self._skip_whitespace(position + 1)
                text = source.text
                fast_end = len(text) - _LOOKAHEAD
            elif text.startswith("]", position):
                if rows:
                    yield Rows(name, start, rows)
                return position + 1
            else:
                raise source.error("Expecting ',' delimiter", position)

    def _slice_rows(self, text: str, position: int, fast_end: int) -> tuple[list[object], int]:
        """The elements from `position` (an object's start) up to the last object followed by a
        comma in the next `_SLICE_CHARS` characters before `fast_end`, decoded together, and
        the position after the last of them; or no elements, and the position up to which to
        decode them one at a time.

        The slice is decoded as the array it would be alone: if that array is JSON, its elements
        are the document's (JSON reads one way from where an element starts), and the comma after
        it continues the document's array. If it is not, the slice may end inside a row (at a
        `},` between the objects of a list): it is tried once more up to the last `},` with as
        many braces opened as closed before it. If that is not JSON either (a row is bad, a
        string holds `},`), the elements are decoded one at a time, which places any error.
        """
        limit = min(fast_end, position + _SLICE_CHARS)
        end = text.rfind("},", position, limit) + 1
        if not end:
            return [], limit
        decoded = self._decoded_slice(text[position:end])
        if decoded is None:
            row_end = _row_end(text, position, end)
            if not row_end or row_end == end:
                return [], end
            end = row_end
            decoded = self._decoded_slice(text[position:end])
        return decoded or [], end

    def _decoded_slice(self, piece: str) -> list[object] | None:
        """The elements of `piece` decoded as an array and checked; None if it is not one or
        they are beyond a limit."""
        try:
            decoded = self._decode_array(f"[{piece}]")
            # A lone surrogate comes only from a \u escape, or from a text stream's own
            # characters; otherwise only the nesting is left to check.
            if "\\u" in piece or not piece.isascii():
                check_value(decoded, _MEMBER_LEVEL)
            else:
                check_nesting(decoded, _MEMBER_LEVEL)
        except (ValueError, RecursionError):
            # json.JSONDecodeError and UnacceptableJSON are ValueErrors.
            return None
        assert isinstance(decoded, list)
        return decoded

    def _decode(self, position: int) -> tuple[object, int]:
        """The value at `position` and the position after it, reading more text as needed."""
        source = self._source
        read_size = source.block_chars
        while True:
            text = source.text
            try:
                value, end = self._raw_decode(text, position)
            except json.JSONDecodeError as error:
                self._decode_failure(error.msg, error.pos)
            except (RecursionError, UnacceptableJSON) as error:
                raise self._unacceptable(error, position) from None
            else:
                if end < len(text) - _LOOKAHEAD or source.exhausted:
                    self._check(value, _MEMBER_LEVEL, position)
                    return value, end
            position -= source.read_more(position, read_size)
            read_size *= 2

    def _check(self, value: object, level: int, position: int) -> None:
        try:
            check_value(value, level)
        except UnacceptableJSON as error:
            raise self._unacceptable(error, position) from None

    def _unacceptable(
        self, error: RecursionError | UnacceptableJSON, position: int
    ) -> UnreadableDocument:
        """The value at `position` is beyond a limit of json_text (a RecursionError: nested
        too deep for the decoder, and so for that limit too)."""
        if isinstance(error, RecursionError):
            error = UnacceptableJSON(
                f"Arrays and objects are nested deeper than {MAX_NESTING} levels."
            )
        return self._source.error(str(error).rstrip("."), position)

    def _decode_failure(self, message: str, position: int) -> int:
        """Raise the decoder's complaint about `position`, unless it may only mean that the text
        read so far stops too early; then return the length of the text."""
        source = self._source
        text_length = len(source.text)
        cut_short = position >= text_length - _LOOKAHEAD or message.startswith(
            "Unterminated string"
        )
        if source.exhausted or not cut_short:
            raise source.error(message, position) from None
        return text_length

    def _skip_whitespace(self, position: int) -> int:
        """The position of the first non-whitespace character at or after `position`, or the
        end of the text when only whitespace is left."""
        source = self._source
        while True:
            found = _NON_WHITESPACE.search(source.text, position)
            if found:
                return found.start()
            if source.exhausted:
                return len(source.text)
            # Whitespace up to the end of the text read so far tells nothing; drop it.
            end = len(source.text)
            position = end - source.read_more(end, source.block_chars)
