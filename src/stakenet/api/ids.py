"""Relay global ids: opaque to clients, `base64("Type:id")` underneath."""

from __future__ import annotations

import base64
import binascii
import functools
from collections.abc import Collection

from stakenet.domain.errors import Issue, ValidationFailed

_URL_SAFE = bytes.maketrans(b"+/", b"-_")


# A map encodes an id for every stakeholder and three for every tie it draws, and the same
# stakeholders come back in map after map: the latest ids encoded are remembered.
@functools.lru_cache(maxsize=1 << 16)
def to_global_id(type_name: str, entity_id: str) -> str:
    # `base64.urlsafe_b64encode` spelt out.
    encoded = binascii.b2a_base64(f"{type_name}:{entity_id}".encode(), newline=False)
    return encoded.translate(_URL_SAFE).decode().rstrip("=")


def from_global_id(global_id: str, field: str = "id") -> tuple[str, str]:
    """Split a global id into (type name, entity id), or raise ValidationFailed."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        decoded = base64.urlsafe_b64decode(padded.encode()).decode()
        type_name, entity_id = decoded.split(":", 1)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValidationFailed(
            [Issue(field, f"'{global_id}' is not a valid id.", "INVALID_ID")]
        ) from None
    if not type_name or not entity_id:
        raise ValidationFailed([Issue(field, f"'{global_id}' is not a valid id.", "INVALID_ID")])
    return type_name, entity_id


def entity_id(global_id: str, field: str, allowed: Collection[str]) -> str:
    """The entity id inside a global id of one of the `allowed` types, or ValidationFailed."""
    type_name, found = from_global_id(global_id, field)
    if type_name not in allowed:
        raise ValidationFailed(
            [
                Issue(
                    field,
                    f"'{global_id}' is a {type_name} id, not a {' or '.join(allowed)} id.",
                    "INVALID_ID",
                )
            ]
        )
    return found
