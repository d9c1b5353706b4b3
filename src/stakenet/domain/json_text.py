"""The limits on JSON that comes from outside: a request body, an import file.

The json module decodes some text no client needs to send, and fails on other text in ways a
caller cannot tell from a bad document: nesting deep enough to exhaust the stack raises
RecursionError, an integer of more than 4300 digits a bare ValueError; NaN and Infinity are
decoded though JSON has no such values, and an escaped lone surrogate (`"\\ud800"`) becomes a
string that no later UTF-8 encoding accepts. `loads` refuses all of these with
`UnacceptableJSON`, saying which; `check_value` applies the nesting and text limits to a value
decoded by a decoder made with `DECODER_HOOKS` (the streaming reader of interchange documents).
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = [
    "DECODER_HOOKS",
    "MAX_INTEGER_DIGITS",
    "MAX_NESTING",
    "UnacceptableJSON",
    "check_nesting",
    "check_value",
    "loads",
]

# Far deeper than any request or document (an import is 3 levels, a GraphQL body 6) and far
# below what exhausts the stack of whatever walks the value afterwards.
MAX_NESTING = 64
# Longer than any count or amount; Python refuses to convert more than 4300.
MAX_INTEGER_DIGITS = 100

_SURROGATE = re.compile("[\ud800-\udfff]")


class UnacceptableJSON(ValueError):
    """JSON text the json module might decode, but no reader here accepts; str() says why."""


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise UnacceptableJSON(
            f"An integer of {len(text.lstrip('-'))} digits is too long "
            f"(at most {MAX_INTEGER_DIGITS})."
        )
    return int(text)


def _no_constant(name: str) -> float:
    raise UnacceptableJSON(f"{name} is not a JSON value; send a number or null.")


# Keyword arguments for json.loads and json.JSONDecoder.
DECODER_HOOKS: dict[str, Any] = {"parse_int": _integer, "parse_constant": _no_constant}


def loads(text: str | bytes) -> object:
    """Decode `text` as json.loads does, within the limits above.

    Raises json.JSONDecodeError for text that is not JSON and `UnacceptableJSON` for JSON
    beyond the limits.
    """
    try:
        value: object = json.loads(text, **DECODER_HOOKS)
    except RecursionError:
        raise _too_deep() from None
    check_value(value)
    return value


def check_value(value: object, level: int = 1) -> None:
    """Raise `UnacceptableJSON` if `value`, found at `level` of its document (1 for the whole
    document), nests deeper than MAX_NESTING arrays and objects in it, or holds a string (or a
    member name) with a lone surrogate."""
    _check(value, level)


def check_nesting(value: object, level: int = 1) -> None:
    """`check_value` for a value whose strings are known to hold no lone surrogate (decoded
    from text with no `\\u` escape and no character beyond ASCII): only the nesting."""
    if isinstance(value, dict | list):
        _check_nesting(value, level)


def _check_nesting(value: dict[str, object] | list[object], depth: int) -> None:
    if depth > MAX_NESTING:
        raise _too_deep()
    for member in value.values() if type(value) is dict else value:
        if type(member) is dict or type(member) is list:
            _check_nesting(member, depth + 1)


def _check(value: object, depth: int) -> None:
    # Recursive (the limit bounds the recursion) and inlined for strings: the streaming reader
    # checks every row of an import this way.
    if isinstance(value, str):
        if not value.isascii():
            _check_text(value)
        return
    if isinstance(value, dict):
        if depth > MAX_NESTING:
            raise _too_deep()
        for name, member in value.items():
            if not name.isascii():
                _check_text(name)
            if isinstance(member, str):
                if not member.isascii():
                    _check_text(member)
            elif isinstance(member, dict | list):
                _check(member, depth + 1)
    elif isinstance(value, list):
        if depth > MAX_NESTING:
            raise _too_deep()
        for element in value:
            if isinstance(element, str):
                if not element.isascii():
                    _check_text(element)
            elif isinstance(element, dict | list):
                _check(element, depth + 1)


def _check_text(text: str) -> None:
    found = _SURROGATE.search(text)
    if found:
        raise UnacceptableJSON(
            f"A string holds a lone surrogate (\\u{ord(found.group()):04x}), "
            "which is not Unicode text."
        )


def _too_deep() -> UnacceptableJSON:
    return UnacceptableJSON(f"Arrays and objects are nested deeper than {MAX_NESTING} levels.")
