"""A re-import merges each row onto the record it matches, or replaces it when asked, and keeps
the ids a document gives."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from stakenet.demo import load_demo_document
from stakenet.domain.errors import ImportRejected
from stakenet.domain.interchange import ImportMode
from stakenet.domain.model import DecisionRole, Stakeholder, Tie
from stakenet.services.transfer import export_document, import_into
from stakenet.store.sqlite import SQLiteStore

pytestmark = pytest.mark.usefixtures("local_operator")


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SQLiteStore]:
    opened = SQLiteStore(str(tmp_path / "graph.db"))
    await opened.open()
    try:
        yield opened
    finally:
        await opened.close()


def full_document() -> dict[str, Any]:
    return {
        "stakeholders": [
            {
                "key": "c-nordhavn",
                "kind": "COMPANY",
                "name": "Nordhavn Energi A/S",
                "industry": "Energy",
                "city": "Aarhus",
                "website": "https://nordhavn.example",
                "registrationNumber": "DK-1234",
                "tags": ["tender", "heat"],
                "notes": "Key account.",
            },
            {
                "key": "p-anna",
                "kind": "PERSON",
                "name": "Anna Holm",
                "title": "CFO",
                "email": "anna@nordhavn.example",
                "tags": ["finance"],
            },
            {"key": "p-bo", "kind": "PERSON", "name": "Bo Lund", "internal": True},
        ],
        "ties": [
            {
                "key": "t-anna-works",
                "source": "p-anna",
                "target": "c-nordhavn",
                "kind": "WORKS_FOR",
                "role": "CFO",
                "since": "2021-03-01",
                "decisionRole": "ECONOMIC_BUYER",
                "strength": 0.9,
                "notes": "Signs the contracts.",
            },
            {
                "source": "p-bo",
                "target": "p-anna",
                "kind": "KNOWS",
                "strength": 0.4,
                "context": "alumni",
            },
            {"source": "p-bo", "target": "p-anna", "kind": "RELATIONSHIP_OWNER"},
        ],
        "interactions": [
            {
                "key": "m-1",
                "kind": "MEETING",
                "occurredAt": "2026-10-02T09:00:00Z",
                "participants": ["p-anna", "p-bo"],
                "sentiment": 0.6,
                "subject": "Heat supply tender",
                "summary": "Anna wants a fixed price.",
            }
        ],
    }


def partial_document() -> dict[str, Any]:
    """What a weekly CRM export gives: some fields of some records, one of them set to null."""
    return {
        "stakeholders": [
            {"key": "c-nordhavn", "kind": "COMPANY", "name": "Nordhavn Energi A/S",
             "industry": "Utilities"},
            {"key": "p-anna", "kind": "PERSON", "name": "Anna Holm", "title": None},
            {"key": "p-bo", "kind": "PERSON", "name": "Bo Lund"},
            {"key": "p-cai", "kind": "PERSON", "name": "Cai Berg"},
        ],
        "ties": [
            {"key": "t-anna-works", "source": "p-anna", "target": "c-nordhavn",
             "kind": "WORKS_FOR", "strength": 0.7, "notes": None},
            {"source": "p-anna", "target": "p-bo", "kind": "KNOWS"},
            {"source": "p-bo", "target": "p-anna", "kind": "RELATIONSHIP_OWNER"},
            {"source": "p-cai", "target": "c-nordhavn", "kind": "WORKS_FOR"},
        ],
        "interactions": [
            {"key": "m-1", "kind": "MEETING", "occurredAt": "2026-10-02T09:00:00Z",
             "participants": ["p-anna", "p-bo"], "outcome": "Offer by Friday"},
        ],
    }  # fmt: skip


async def stakeholder(store: SQLiteStore, key: str) -> Stakeholder:
    (found,) = await store.get_stakeholders_by_key([key])
    assert found is not None
    return found


async def ties_by_kind(store: SQLiteStore) -> dict[str, Tie]:
    data = await store.load_all()
    return {tie.key or tie.kind.value: tie for tie in data.ties}


async def test_a_partial_row_updates_the_fields_it_names_and_keeps_the_others(
    store: SQLiteStore,
) -> None:
    await import_into(store, full_document())
    before = await store.load_all()
    summary = await import_into(store, partial_document())

    company = await stakeholder(store, "c-nordhavn")
    assert (company.industry, company.city, company.website, company.registration_number) == (
        "Utilities",
        "Aarhus",
        "https://nordhavn.example",
        "DK-1234",
    )
    assert (company.tags, company.notes) == (("tender", "heat"), "Key account.")
    anna = await stakeholder(store, "p-anna")
    # Given as null: cleared; left out: kept.
    assert (anna.title, anna.email, anna.tags) == (None, "anna@nordhavn.example", ("finance",))
    bo = await stakeholder(store, "p-bo")
    assert bo.internal is True

    ties = await ties_by_kind(store)
    works = ties["t-anna-works"]
    assert (works.strength, works.notes, works.role, works.since, works.decision_role) == (
        0.7,
        None,
        "CFO",
        date(2021, 3, 1),
        DecisionRole.ECONOMIC_BUYER,
    )
    # A keyless row matches the stored tie either way round and keeps what it leaves out.
    assert (ties["KNOWS"].strength, ties["KNOWS"].context) == (0.4, "alumni")
    (meeting,) = (await store.load_all()).interactions
    assert (meeting.summary, meeting.sentiment, meeting.outcome) == (
        "Anna wants a fixed price.",
        0.6,
        "Offer by Friday",
    )
    # Every record keeps its id.
    after = await store.load_all()
    assert {s.id for s in before.stakeholders} < {s.id for s in after.stakeholders}
    assert {t.id for t in before.ties} < {t.id for t in after.ties}
    assert [i.id for i in before.interactions] == [i.id for i in after.interactions]

    assert summary.by_section() == {
        "stakeholders": (1, 2, 1),
        "ties": (1, 2, 1),
        "interactions": (0, 1, 0),
    }
    assert summary.unchanged == 2


async def test_the_same_partial_document_again_changes_nothing(store: SQLiteStore) -> None:
    await import_into(store, full_document())
    first = await import_into(store, partial_document())
    again = await import_into(store, partial_document())
    assert again.revision == first.revision
    assert again.by_section() == {
        "stakeholders": (0, 0, 4),
        "ties": (0, 0, 4),
        "interactions": (0, 0, 1),
    }


async def test_replace_mode_clears_every_field_a_row_leaves_out(store: SQLiteStore) -> None:
    await import_into(store, full_document())
    document = partial_document()
    # Left out, Bo would no longer be internal, and could not own a relationship.
    document["stakeholders"][2]["internal"] = True
    summary = await import_into(store, document, mode=ImportMode.REPLACE)

    company = await stakeholder(store, "c-nordhavn")
    assert (company.industry, company.city, company.website, company.tags, company.notes) == (
        "Utilities",
        None,
        None,
        (),
        None,
    )
    anna = await stakeholder(store, "p-anna")
    assert (anna.title, anna.email, anna.tags) == (None, None, ())
    ties = await ties_by_kind(store)
    works = ties["t-anna-works"]
    assert (works.strength, works.role, works.since, works.decision_role) == (0.7, None, None, None)
    assert (ties["KNOWS"].strength, ties["KNOWS"].context) == (None, None)
    (meeting,) = (await store.load_all()).interactions
    assert (meeting.summary, meeting.sentiment, meeting.outcome) == (None, None, "Offer by Friday")
    assert summary.by_section() == {
        "stakeholders": (1, 2, 1),
        "ties": (1, 2, 1),
        "interactions": (0, 1, 0),
    }


async def test_an_export_imported_into_an_empty_store_keeps_every_id(tmp_path: Path) -> None:
    source, target = SQLiteStore(str(tmp_path / "a.db")), SQLiteStore(str(tmp_path / "b.db"))
    await source.open()
    await target.open()
    try:
        await import_into(source, load_demo_document())
        exported = await export_document(source)
        summary = await import_into(target, copy.deepcopy(exported))
        assert summary.by_section() == {
            section: (len(exported[section]), 0, 0)
            for section in ("stakeholders", "ties", "interactions")
        }
        original, copied = await source.load_all(), await target.load_all()
        for section in ("stakeholders", "ties", "interactions"):
            assert sorted(e.id for e in getattr(copied, section)) == sorted(
                e.id for e in getattr(original, section)
            )
        again = await export_document(target)
        assert {**again, "revision": 0} == {**exported, "revision": 0}
        # Imported again, the export matches every record by id or key: nothing changes.
        unchanged = await import_into(target, exported)
        assert unchanged.by_section() == {
            section: (0, 0, len(exported[section]))
            for section in ("stakeholders", "ties", "interactions")
        }
    finally:
        await source.close()
        await target.close()


async def test_a_keyless_tie_with_an_unknown_id_updates_the_stored_tie_of_its_endpoints(
    store: SQLiteStore,
) -> None:
    await import_into(store, full_document())
    stored = (await ties_by_kind(store))["KNOWS"]
    document = {
        "ties": [
            {"id": "0123456789abcdef", "source": "p-bo", "target": "p-anna", "kind": "KNOWS",
             "strength": 0.8},
        ]
    }  # fmt: skip
    summary = await import_into(store, document)
    assert summary.by_section()["ties"] == (0, 1, 0)
    ties = [t for t in (await store.load_all()).ties if t.kind.value == "KNOWS"]
    assert [(t.id, t.strength) for t in ties] == [(stored.id, 0.8)]


async def test_two_rows_for_one_record_are_refused_and_nothing_is_written(
    store: SQLiteStore,
) -> None:
    await import_into(store, full_document())
    anna = await stakeholder(store, "p-anna")
    revision = await store.revision()
    document = {
        "stakeholders": [
            {"key": "p-anna", "kind": "PERSON", "name": "Anna"},
            # A new key on Anna's id: the same record as the row before.
            {"id": anna.id, "key": "p-anna-2", "kind": "PERSON", "name": "Anna H."},
        ],
        "ties": [
            {"id": "t1", "source": "p-anna", "target": "p-bo", "kind": "INFLUENCES"},
            {"id": "t1", "source": "p-bo", "target": "p-anna", "kind": "INFLUENCES"},
        ],
        "interactions": [
            {"id": "not a valid id!", "kind": "CALL", "occurredAt": "2026-10-03T09:00:00Z",
             "participants": ["p-anna"]},
        ],
    }  # fmt: skip
    with pytest.raises(ImportRejected) as rejected:
        await import_into(store, document)
    assert [(issue.path, issue.code) for issue in rejected.value.issues] == [
        ("stakeholders[1].id", "DUPLICATE"),
        ("ties[1].id", "DUPLICATE"),
        ("interactions[0].id", "INVALID"),
    ]
    assert rejected.value.issues[0].message == (
        f"This row is the same record (id '{anna.id}') as stakeholders[0]."
    )
    assert await store.revision() == revision


async def test_a_keyless_row_updates_the_keyless_tie_of_its_ends_beside_a_keyed_one(
    store: SQLiteStore,
) -> None:
    people = [{"key": k, "kind": "PERSON", "name": k.upper()} for k in ("a", "b")]
    await import_into(
        store,
        {
            "stakeholders": people,
            "ties": [
                {"key": "alumni", "source": "a", "target": "b", "kind": "KNOWS", "strength": 0.2},
                {"source": "a", "target": "b", "kind": "KNOWS", "strength": 0.5},
            ],
        },
    )
    row = {"source": "b", "target": "a", "kind": "KNOWS", "strength": 0.9}
    summary = await import_into(store, {"ties": [row]}, mode=ImportMode.REPLACE)
    assert summary.by_section()["ties"] == (0, 1, 0)
    ties = (await store.load_all()).ties
    assert sorted((t.key or "", t.strength) for t in ties) == [("", 0.9), ("alumni", 0.2)]
