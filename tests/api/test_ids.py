"""Relay global ids: URL-safe base64 of ``Type:id`` without padding, and back."""

from __future__ import annotations

import pytest

from stakenet.api.ids import from_global_id, to_global_id


@pytest.mark.parametrize(
    ("type_name", "raw", "expected"),
    [
        ("Tie", "t1", "VGllOnQx"),
        ("Tie", "??>", "VGllOj8_Pg"),  # "/" of plain base64 is "_"
        ("Tie", "~~~", "VGllOn5-fg"),  # "+" of plain base64 is "-"
        ("Person", "ø", "UGVyc29uOsO4"),
    ],
)
def test_a_global_id_is_url_safe_base64_without_padding_and_reads_back(
    type_name: str, raw: str, expected: str
) -> None:
    assert to_global_id(type_name, raw) == expected
    assert from_global_id(expected) == (type_name, raw)
