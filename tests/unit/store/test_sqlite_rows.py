"""How the SQLite store writes JSON columns: the same text whichever encoder writes it."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from stakenet.domain.model import OrganizationCategory, Seniority
from stakenet.store.sqlite.rows import to_json

STANDARD = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode

texts = st.text()  # lone surrogates and control characters included
values = st.one_of(
    texts,
    st.integers(min_value=0, max_value=2**80),  # beyond 64 bits too
    st.sampled_from([*Seniority, *OrganizationCategory]),
)


@given(st.lists(texts) | st.tuples(texts, texts))
def test_tags_are_written_as_the_standard_library_writes_them(tags: list[str]) -> None:
    assert to_json(tags) == STANDARD(tags)


@given(st.dictionaries(texts, values))
def test_attributes_are_written_as_the_standard_library_writes_them(
    attributes: dict[str, object],
) -> None:
    assert to_json(attributes) == STANDARD(attributes)
