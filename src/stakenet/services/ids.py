"""Identifiers for new entities: random, opaque, URL-safe."""

from __future__ import annotations

import os
import re

_VALID_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def new_id() -> str:
    # 32 hex digits like uuid4().hex, without building a UUID: a bulk import makes 100k+ ids.
    return os.urandom(16).hex()


def is_valid_id(candidate: str) -> bool:
    return bool(_VALID_ID.match(candidate))


def new_ids(count: int) -> list[str]:
    """`count` ids like `new_id`'s, from one read of the random source."""
    digits = os.urandom(16 * count).hex()
    return [digits[start : start + 32] for start in range(0, 32 * count, 32)]
