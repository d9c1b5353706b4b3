"""An import through each adapter's bulk write keeps the ids a document gives and merges a
partial row onto the record it matches."""

from __future__ import annotations

from typing import Any

import pytest
from test_store_contract import company, interaction, person, tie

from stakenet.demo import load_demo_document
from stakenet.domain.model import TieKind
from stakenet.services.ids import new_ids
from stakenet.services.transfer import export_document, import_into
from stakenet.store.port import Store, WriteBatch
from stakenet.store.sqlite import SQLiteStore

pytestmark = pytest.mark.usefixtures("local_operator")

SECTIONS = ("stakeholders", "ties", "interactions")


async def demo_export() -> dict[str, Any]:
    """The demo network as `stakenet export` writes it: every record with its id."""
    scratch = SQLiteStore(":memory:")
    await scratch.open()
    try:
        await import_into(scratch, load_demo_document())
        return await export_document(scratch)
    finally:
        await scratch.close()


async def test_an_export_imported_into_an_empty_store_keeps_every_id(store: Store) -> None:
    exported = await demo_export()
    summary = await import_into(store, exported)
    assert summary.by_section() == {section: (len(exported[section]), 0, 0) for section in SECTIONS}
    data = await store.load_all()
    for section in SECTIONS:
        assert sorted(e.id for e in getattr(data, section)) == sorted(
            row["id"] for row in exported[section]
        )
    assert {**await export_document(store), "revision": 0} == {**exported, "revision": 0}

    again = await import_into(store, exported)
    assert (again.revision, again.by_section()) == (
        summary.revision,
        {section: (0, 0, len(exported[section])) for section in SECTIONS},
    )


async def test_records_written_without_keys_come_back_from_their_export(store: Store) -> None:
    # The API writes a stakeholder, tie or interaction without a key when none is given, and
    # logs one meeting twice if asked twice: their export names them by id alone.
    person_id, company_id, tie_id, first_log, second_log = new_ids(5)
    scratch = SQLiteStore(":memory:")
    await scratch.open()
    try:
        await scratch.apply(
            WriteBatch(
                upsert_stakeholders=[person(person_id), company(company_id)],
                upsert_ties=[tie(tie_id, person_id, company_id, TieKind.WORKS_FOR)],
                upsert_interactions=[
                    interaction(first_log, person_id, subject="Budget"),
                    interaction(second_log, person_id, subject="Budget"),
                ],
            )
        )
        exported = await export_document(scratch)
    finally:
        await scratch.close()
    assert not any("key" in row for section in SECTIONS for row in exported[section])

    summary = await import_into(store, exported)
    assert summary.by_section() == {"stakeholders": (2, 0, 0), "ties": (1, 0, 0),
                                    "interactions": (2, 0, 0)}  # fmt: skip
    assert {**await export_document(store), "revision": 0} == {**exported, "revision": 0}
    again = await import_into(store, exported)
    assert again.by_section() == {"stakeholders": (0, 0, 2), "ties": (0, 0, 1),
                                  "interactions": (0, 0, 2)}  # fmt: skip


async def test_a_partial_row_keeps_what_it_leaves_out(store: Store) -> None:
    exported = await demo_export()
    await import_into(store, exported)
    company = next(
        row for row in exported["stakeholders"] if row["kind"] == "COMPANY" and row.get("city")
    )
    tie = next(row for row in exported["ties"] if row.get("role") and row.get("since"))
    summary = await import_into(
        store,
        {
            "stakeholders": [
                {"key": company["key"], "kind": "COMPANY", "name": company["name"],
                 "industry": "Changed"},
            ],
            "ties": [
                {"id": tie["id"], "source": tie["source"], "target": tie["target"],
                 "kind": tie["kind"], "strength": 0.11},
            ],
        },
    )  # fmt: skip
    assert summary.by_section() == {
        "stakeholders": (0, 1, 0),
        "ties": (0, 1, 0),
        "interactions": (0, 0, 0),
    }
    (stored_company,) = await store.get_stakeholders([company["id"]])
    assert stored_company is not None
    assert (stored_company.industry, stored_company.city) == ("Changed", company["city"])
    (stored_tie,) = await store.get_ties([tie["id"]])
    assert stored_tie is not None
    assert (stored_tie.strength, stored_tie.role, stored_tie.since.isoformat()) == (  # type: ignore[union-attr]
        0.11,
        tie["role"],
        tie["since"],
    )
