"""How parameters reach SQLite: direct adapters for None and the domain's enums.

Python's sqlite3 (3.11) binds exact int, float, str and bytes directly; for anything else, None
and `StrEnum` members included, it walks the adapter protocol on every parameter, looking up
`__adapt__` and `__conform__` before binding the value as it was. That walk cost about half the
insert time of a bulk import (a tie row has a dozen empty columns). With an adapter registered
for the type, the walk is one dictionary hit and one call of a C function.
"""

from __future__ import annotations

import operator
import sqlite3
from collections.abc import Callable
from enum import StrEnum
from types import ModuleType
from typing import cast

from stakenet.domain import access, interchange, model


def _enums_of(*modules: ModuleType) -> tuple[type[StrEnum], ...]:
    """The StrEnum classes `modules` define, so that a new one is bound without a list to keep."""
    return tuple(
        value
        for module in modules
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, StrEnum)
        and value.__module__ == module.__name__
    )


BOUND_ENUMS = _enums_of(model, access, interchange)


_ENUM_VALUE = operator.attrgetter("_value_")

# `{}.get` is a C function that answers None for any one argument.
_NULL = cast(Callable[[None], None], {}.get)


def register_direct_adapters() -> None:
    """Register the adapters; idempotent, and global to the process's sqlite3 module."""
    sqlite3.register_adapter(type(None), _NULL)
    for enum in BOUND_ENUMS:
        sqlite3.register_adapter(enum, _ENUM_VALUE)
