"""Identifiers for new entities: random, opaque, URL-safe."""

from __future__ import annotations

import re
import uuid

_VALID_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def new_id() -> str:
    return uuid.uuid4().hex


def is_valid_id(candidate: str) -> bool:
    return bool(_VALID_ID.match(candidate))
