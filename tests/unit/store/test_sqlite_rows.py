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


def test_every_enum_of_the_domain_is_bound_directly_to_its_value() -> None:
    import sqlite3
    from enum import StrEnum

    import stakenet.domain.access
    import stakenet.domain.model  # noqa: F401  (their enums are the subclasses below)
    from stakenet.store.sqlite.binding import BOUND_ENUMS, register_direct_adapters

    # The enums of the modules whose entities are stored; which others are loaded (interchange's
    # ImportMode, once a test imported the services) depends on the tests run before.
    stored_modules = {"stakenet.domain.model", "stakenet.domain.access"}
    domain_enums = {e for e in StrEnum.__subclasses__() if e.__module__ in stored_modules}
    assert domain_enums and domain_enums <= set(BOUND_ENUMS)
    register_direct_adapters()
    connection = sqlite3.connect(":memory:")
    for enum in BOUND_ENUMS:
        assert (enum, sqlite3.PrepareProtocol) in sqlite3.adapters
        member = next(iter(enum))
        assert connection.execute("SELECT ?", (member,)).fetchone() == (member.value,)
    connection.close()
