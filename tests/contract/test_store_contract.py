"""The store contract: what every `Store` adapter does, checked through the port alone."""

from __future__ import annotations

import asyncio
import base64
import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import pytest

from stakenet.domain.access import ApiToken, AuditEntry, Role
from stakenet.domain.errors import (
    ChangeLogPruned,
    Conflict,
    NotFound,
    StaleRead,
    ValidationFailed,
)
from stakenet.domain.model import (
    Change,
    ChangeOp,
    DecisionRole,
    EntityType,
    Evidence,
    Interaction,
    InteractionKind,
    OrganizationCategory,
    Participant,
    Seniority,
    Stakeholder,
    StakeholderKind,
    Tie,
    TieKind,
)
from stakenet.store.port import (
    MAX_PAGE_SIZE,
    Direction,
    PageRequest,
    StakeholderFilter,
    StakeholderOrder,
    Store,
    WriteBatch,
)

E = TypeVar("E", Stakeholder, Tie, Interaction)

MOMENT = datetime(2024, 6, 3, 10, 15, 30, 250000, tzinfo=UTC)


def person(sid: str, name: str | None = None, **fields: Any) -> Stakeholder:
    return Stakeholder(sid, StakeholderKind.PERSON, name or f"Person {sid}", **fields)


def company(sid: str, name: str | None = None, **fields: Any) -> Stakeholder:
    return Stakeholder(sid, StakeholderKind.COMPANY, name or f"Company {sid}", **fields)


def tie(tid: str, source: str, target: str, kind: TieKind = TieKind.KNOWS, **fields: Any) -> Tie:
    return Tie(tid, kind, source, target, **fields)


def interaction(iid: str, *participants: str, at: datetime = MOMENT, **fields: Any) -> Interaction:
    return Interaction(
        iid,
        InteractionKind.MEETING,
        at,
        tuple(Participant(p) for p in participants),
        **fields,
    )


def without_times(entity: E) -> E:
    return replace(entity, created_at=None, updated_at=None)


FULL_STAKEHOLDERS = [
    Stakeholder(
        "p1",
        StakeholderKind.PERSON,
        "Søren Kierkegaard",
        key="crm-p1",
        internal=True,
        tags=("vip", "board", "north"),
        notes="Prefers mornings.",
        title="Chief Financial Officer",
        email="soren@example.com",
        phone="+45 12 34 56 78",
        seniority=Seniority.C_LEVEL,
    ),
    Stakeholder(
        "c1",
        StakeholderKind.COMPANY,
        "Ærø Energi A/S",
        key="cvr-12345678",
        tags=("supplier",),
        notes="Wind parks.",
        industry="Energy",
        website="https://aeroe.example",
        registration_number="12345678",
        country="DK",
        city="Marstal",
    ),
    Stakeholder(
        "m1",
        StakeholderKind.MUNICIPALITY,
        "Aarhus Kommune",
        key="mun-751",
        code="751",
        region="Midtjylland",
        country="DK",
        population=367_095,
    ),
    Stakeholder(
        "o1",
        StakeholderKind.ORGANIZATION,
        "Dansk Industri",
        key="org-di",
        tags=("association",),
        category=OrganizationCategory.ASSOCIATION,
    ),
]

FULL_TIE = Tie(
    "t1",
    TieKind.WORKS_FOR,
    "p1",
    "c1",
    key="hr-t1",
    strength=0.8,
    role="CFO",
    since=date(2019, 4, 1),
    until=date(2031, 3, 31),
    confidence=0.95,
    evidence=Evidence.PUBLIC_RECORD,
    notes="Annual report 2023.",
    decision_role=DecisionRole.ECONOMIC_BUYER,
    department="Finance",
    context="employment",
    share=2.5,
)

FULL_INTERACTION = Interaction(
    "i1",
    InteractionKind.NEGOTIATION,
    MOMENT,
    (Participant("c1", "host"), Participant("p1", "buyer"), Participant("m1")),
    key="cal-i1",
    sentiment=-0.4,
    subject="Supply contract 2025",
    summary="Price is the open point.",
    outcome="Second round in June.",
    notes="Bring the volume forecast.",
)


async def write(store: Store, **batch: Any) -> int:
    return (await store.apply(WriteBatch(**batch))).revision


# --- round trips -----------------------------------------------------------------------------


@pytest.mark.parametrize("stakeholder", FULL_STAKEHOLDERS, ids=lambda s: s.kind.value)
async def test_each_stakeholder_kind_keeps_every_field(
    store: Store, stakeholder: Stakeholder
) -> None:
    await write(store, upsert_stakeholders=[stakeholder])
    [stored] = await store.get_stakeholders([stakeholder.id])
    assert stored is not None
    assert without_times(stored) == stakeholder
    assert stored.created_at is not None
    assert stored.updated_at is not None


@pytest.mark.parametrize("order", list(StakeholderOrder))
async def test_listings_return_every_field_as_stored(store: Store, order: StakeholderOrder) -> None:
    await write(store, upsert_stakeholders=FULL_STAKEHOLDERS)
    page = await store.find_stakeholders(StakeholderFilter(), PageRequest(first=10), order)
    stored = await store.get_stakeholders([s.id for s in page.items])
    assert page.items == stored
    assert sorted(map(without_times, page.items), key=lambda s: s.id) == sorted(
        FULL_STAKEHOLDERS, key=lambda s: s.id
    )


async def test_a_tie_keeps_every_field(store: Store) -> None:
    await write(store, upsert_stakeholders=FULL_STAKEHOLDERS, upsert_ties=[FULL_TIE])
    [stored] = await store.get_ties(["t1"])
    assert stored is not None
    assert without_times(stored) == FULL_TIE


async def test_an_interaction_keeps_every_field_and_the_order_of_its_participants(
    store: Store,
) -> None:
    await write(
        store, upsert_stakeholders=FULL_STAKEHOLDERS, upsert_interactions=[FULL_INTERACTION]
    )
    [stored] = await store.get_interactions(["i1"])
    assert stored is not None
    assert without_times(stored) == FULL_INTERACTION
    assert stored.participant_ids == ("c1", "p1", "m1")


async def test_an_entity_with_only_required_fields_comes_back_with_its_defaults(
    store: Store,
) -> None:
    await write(
        store,
        upsert_stakeholders=[company("c"), person("p")],
        upsert_ties=[tie("t", "p", "c", TieKind.WORKS_FOR)],
        upsert_interactions=[interaction("i", "p")],
    )
    [stakeholder] = await store.get_stakeholders(["c"])
    [stored_tie] = await store.get_ties(["t"])
    [stored_interaction] = await store.get_interactions(["i"])
    assert stakeholder is not None and without_times(stakeholder) == company("c")
    assert stakeholder.tags == () and stakeholder.internal is False and stakeholder.key is None
    assert stored_tie is not None and without_times(stored_tie) == tie(
        "t", "p", "c", TieKind.WORKS_FOR
    )
    assert stored_interaction is not None
    assert without_times(stored_interaction) == interaction("i", "p")


async def test_apply_reports_each_entity_exactly_as_stored(store: Store) -> None:
    result = await store.apply(
        WriteBatch(
            upsert_stakeholders=FULL_STAKEHOLDERS,
            upsert_ties=[FULL_TIE],
            upsert_interactions=[FULL_INTERACTION],
        )
    )
    stored = {
        **{s.id: s for s in await store.get_stakeholders([s.id for s in FULL_STAKEHOLDERS])},
        "t1": (await store.get_ties(["t1"]))[0],
        "i1": (await store.get_interactions(["i1"]))[0],
    }
    assert {change.entity_id: change.entity for change in result.changes} == stored
    assert all(change.op is ChangeOp.UPSERT for change in result.changes)


async def test_the_store_stamps_new_entities_in_utc(store: Store) -> None:
    before = datetime.now(UTC) - timedelta(seconds=5)
    await write(store, upsert_stakeholders=[person("p")])
    [stored] = await store.get_stakeholders(["p"])
    assert stored is not None and stored.created_at is not None and stored.updated_at is not None
    assert stored.created_at.utcoffset() == timedelta(0)
    assert before <= stored.created_at <= datetime.now(UTC) + timedelta(seconds=5)
    assert stored.updated_at == stored.created_at


async def test_an_update_keeps_created_at_and_moves_updated_at(store: Store) -> None:
    await write(store, upsert_stakeholders=[person("p", "Anna")])
    [first] = await store.get_stakeholders(["p"])
    await asyncio.sleep(0.01)
    await write(store, upsert_stakeholders=[person("p", "Anna Berg")])
    [second] = await store.get_stakeholders(["p"])
    assert first is not None and second is not None
    assert second.name == "Anna Berg"
    assert second.created_at == first.created_at
    assert first.updated_at is not None and second.updated_at is not None
    assert second.updated_at > first.updated_at


async def test_an_upsert_replaces_the_whole_entity(store: Store) -> None:
    await write(
        store,
        upsert_stakeholders=[person("p", tags=("a", "b"), title="CEO", key="k1"), company("c")],
        upsert_interactions=[interaction("i", "p", "c")],
    )
    await write(
        store,
        upsert_stakeholders=[person("p", tags=("c",))],
        upsert_interactions=[interaction("i", "c")],
    )
    [stakeholder] = await store.get_stakeholders(["p"])
    assert stakeholder is not None and without_times(stakeholder) == person("p", tags=("c",))
    assert await store.get_stakeholders_by_key(["k1"]) == [None]
    tagged_a = await store.find_stakeholders(StakeholderFilter(tags=("a",)), PageRequest())
    assert tagged_a.items == []
    [stored_interaction] = await store.get_interactions(["i"])
    assert stored_interaction is not None and stored_interaction.participant_ids == ("c",)
    assert await store.interactions_of(["p"]) == []


async def test_a_batch_expecting_entities_unchanged_is_applied_only_if_they_are(
    store: Store,
) -> None:
    await write(
        store,
        upsert_stakeholders=[person("p"), company("c")],
        upsert_ties=[tie("t", "p", "c", TieKind.WORKS_FOR)],
        upsert_interactions=[interaction("i", "p", "c")],
    )
    [p, c] = await store.get_stakeholders(["p", "c"])
    [t] = await store.get_ties(["t"])
    [i] = await store.get_interactions(["i"])
    assert p is not None and c is not None and t is not None and i is not None
    # As read: applied.
    await write(store, upsert_ties=[replace(t, strength=0.4)], expect_unchanged=[p, c, t, i])
    [stored] = await store.get_ties(["t"])
    assert stored is not None and stored.strength == 0.4
    revision = await store.revision()
    # The tie changed since `t` was read, and is then deleted: each write made from the old
    # read is refused whole, the stakeholder it would have renamed too.
    stale_writes = [
        WriteBatch(upsert_ties=[replace(t, role="CTO")], expect_unchanged=[t]),
        WriteBatch(delete_ties=["t"], expect_unchanged=[t]),
        WriteBatch(
            upsert_stakeholders=[replace(p, name="Renamed")], expect_unchanged=[p, stored, t]
        ),
    ]
    for batch in stale_writes:
        with pytest.raises(StaleRead, match=r"^The tie 't' was changed by another write\.$"):
            await store.apply(batch)
    assert await store.revision() == revision
    assert await store.get_ties(["t"]) == [stored]
    assert await store.get_stakeholders(["p"]) == [p]
    # Deleting the person deletes their tie and takes them out of the interaction.
    await write(store, delete_stakeholders=["p"])
    revision = await store.revision()
    for read, happened in ((p, "stakeholder 'p' was deleted"), (i, "interaction 'i' was changed")):
        with pytest.raises(StaleRead, match=rf"^The {happened} by another write\.$"):
            await store.apply(WriteBatch(upsert_stakeholders=[p], expect_unchanged=[read]))
    assert await store.get_stakeholders(["p"]) == [None]
    assert await store.revision() == revision


# --- batch getters ---------------------------------------------------------------------------


async def test_batch_getters_answer_in_the_order_asked_with_none_for_missing(
    store: Store,
) -> None:
    await write(
        store,
        upsert_stakeholders=[person("a", key="ka"), person("b", key="kb")],
        upsert_ties=[tie("t1", "a", "b", key="kt1"), tie("t2", "b", "a", key="kt2")],
        upsert_interactions=[
            interaction("i1", "a", key="ki1"),
            interaction("i2", "b", key="ki2"),
        ],
    )
    assert [s and s.id for s in await store.get_stakeholders(["b", "x", "a", "b"])] == [
        "b",
        None,
        "a",
        "b",
    ]
    assert [s and s.id for s in await store.get_stakeholders_by_key(["kb", "nope", "ka"])] == [
        "b",
        None,
        "a",
    ]
    assert [t and t.id for t in await store.get_ties(["t2", "x", "t1"])] == ["t2", None, "t1"]
    assert [t and t.id for t in await store.get_ties_by_key(["x", "kt1", "kt2"])] == [
        None,
        "t1",
        "t2",
    ]
    assert [i and i.id for i in await store.get_interactions(["i2", "i1", "x"])] == [
        "i2",
        "i1",
        None,
    ]
    assert [i and i.id for i in await store.get_interactions_by_key(["ki2", "x"])] == ["i2", None]


async def test_batch_getters_answer_for_more_ids_than_one_query_takes(store: Store) -> None:
    people = [person(f"p{n:04d}", key=f"k{n:04d}") for n in range(1200)]
    await write(store, upsert_stakeholders=people)
    asked = [f"p{n:04d}" for n in reversed(range(1300))]
    got = await store.get_stakeholders(asked)
    assert [s and s.id for s in got] == [None] * 100 + [f"p{n:04d}" for n in reversed(range(1200))]
    by_key = await store.get_stakeholders_by_key([f"k{n:04d}" for n in range(1200)])
    assert [s and s.id for s in by_key] == [p.id for p in people]


async def test_batch_getters_given_no_ids_return_nothing(store: Store) -> None:
    assert await store.get_stakeholders([]) == []
    assert await store.get_ties_by_key([]) == []
    assert await store.get_interactions([]) == []


# --- finding stakeholders --------------------------------------------------------------------


async def find_ids(
    store: Store,
    where: StakeholderFilter,
    order: StakeholderOrder = StakeholderOrder.NAME,
) -> list[str]:
    page = await store.find_stakeholders(where, PageRequest(first=MAX_PAGE_SIZE), order)
    assert page.total_count == len(page.items)
    return [s.id for s in page.items]


async def test_find_filters_by_kind(store: Store) -> None:
    await write(store, upsert_stakeholders=FULL_STAKEHOLDERS)
    assert await find_ids(store, StakeholderFilter(kind=StakeholderKind.MUNICIPALITY)) == ["m1"]
    assert await find_ids(store, StakeholderFilter(kind=StakeholderKind.PERSON)) == ["p1"]


async def test_search_ignores_case_and_accents(store: Store) -> None:
    await write(
        store,
        upsert_stakeholders=[
            person("a", "Søren Berg"),
            person("b", "SØREN HANSEN"),
            person("c", "Sören Åberg"),
            person("d", "Anders Sorensen"),
            person("e", "Mette Frederiksen"),
        ],
    )
    assert await find_ids(store, StakeholderFilter(search="Soren")) == ["d", "c", "a", "b"]
    assert await find_ids(store, StakeholderFilter(search="soren h")) == ["b"]
    assert await find_ids(store, StakeholderFilter(search="ÅBERG")) == ["c"]
    assert await find_ids(store, StakeholderFilter(search="søren berg")) == ["a"]
    assert await find_ids(store, StakeholderFilter(search="xyz")) == []


async def test_search_matches_percent_and_underscore_literally(store: Store) -> None:
    await write(
        store,
        upsert_stakeholders=[
            company("a", "100% Solar"),
            company("b", "1000 Solar"),
            company("c", "snake_case ApS"),
            company("d", "snakeXcase ApS"),
        ],
    )
    assert await find_ids(store, StakeholderFilter(search="0%")) == ["a"]
    assert await find_ids(store, StakeholderFilter(search="e_c")) == ["c"]
    assert await find_ids(store, StakeholderFilter(search="%")) == ["a"]


async def test_find_requires_every_given_tag(store: Store) -> None:
    await write(
        store,
        upsert_stakeholders=[
            person("a", "A", tags=("vip", "north")),
            person("b", "B", tags=("vip",)),
            person("c", "C", tags=("north", "vip", "board")),
            person("d", "D"),
        ],
    )
    assert await find_ids(store, StakeholderFilter(tags=("vip",))) == ["a", "b", "c"]
    assert await find_ids(store, StakeholderFilter(tags=("vip", "north"))) == ["a", "c"]
    assert await find_ids(store, StakeholderFilter(tags=("vip", "nowhere"))) == []


async def test_find_filters_by_internal(store: Store) -> None:
    await write(
        store,
        upsert_stakeholders=[person("a", "A", internal=True), person("b", "B"), company("c", "C")],
    )
    assert await find_ids(store, StakeholderFilter(internal=True)) == ["a"]
    assert await find_ids(store, StakeholderFilter(internal=False)) == ["b", "c"]


async def test_find_filters_by_updated_since(store: Store) -> None:
    await write(store, upsert_stakeholders=[person("old")])
    await asyncio.sleep(0.01)
    result = await store.apply(WriteBatch(upsert_stakeholders=[person("new")]))
    entity = result.changes[0].entity
    assert isinstance(entity, Stakeholder) and entity.updated_at is not None
    assert await find_ids(store, StakeholderFilter(updated_since=entity.updated_at)) == ["new"]
    earlier = entity.updated_at - timedelta(hours=1)
    assert await find_ids(store, StakeholderFilter(updated_since=earlier)) == ["new", "old"]


async def test_find_combines_every_filter(store: Store) -> None:
    await write(
        store,
        upsert_stakeholders=[
            person("match", "Søren A", tags=("vip",), internal=True),
            person("wrong-tag", "Søren B", tags=("other",), internal=True),
            person("external", "Søren C", tags=("vip",)),
            company("company", "Søren D", tags=("vip",), internal=True),
            person("other-name", "Mette", tags=("vip",), internal=True),
        ],
    )
    where = StakeholderFilter(
        kind=StakeholderKind.PERSON,
        search="soren",
        tags=("vip",),
        internal=True,
        updated_since=datetime.now(UTC) - timedelta(hours=1),
    )
    assert await find_ids(store, where) == ["match"]


async def test_name_order_sorts_by_folded_name_then_id(store: Store) -> None:
    await write(
        store,
        upsert_stakeholders=[
            person("3", "beta"),
            person("2", "Alpha"),
            person("1", "Åse"),  # folds to "ase"
            person("0", "alpha"),
        ],
    )
    assert await find_ids(store, StakeholderFilter()) == ["0", "2", "1", "3"]


async def test_updated_at_order_lists_the_latest_change_first(store: Store) -> None:
    for sid in ("a", "b", "c"):
        await write(store, upsert_stakeholders=[person(sid)])
        await asyncio.sleep(0.005)
    await write(store, upsert_stakeholders=[person("a", "A again")])
    ids = await find_ids(store, StakeholderFilter(), StakeholderOrder.UPDATED_AT)
    assert ids == ["a", "c", "b"]


@pytest.mark.parametrize("order", list(StakeholderOrder))
async def test_paging_visits_every_match_once_with_a_stable_total(
    store: Store, order: StakeholderOrder
) -> None:
    # Equal names and one batch (equal updated_at) make the id the tie-breaker.
    people = [person(f"p{n:02d}", f"Name {n % 4}", tags=("x",)) for n in range(23)]
    await write(store, upsert_stakeholders=[*people, company("c", "Name 1")])
    where = StakeholderFilter(kind=StakeholderKind.PERSON, tags=("x",))
    seen: list[str] = []
    after: str | None = None
    pages = 0
    while True:
        page = await store.find_stakeholders(where, PageRequest(first=5, after=after), order)
        pages += 1
        assert page.total_count == 23
        assert len(page.cursors) == len(page.items)
        seen += [s.id for s in page.items]
        if not page.has_next_page:
            break
        assert len(page.items) == 5
        after = page.cursors[-1]
    assert pages == 5
    assert sorted(seen) == sorted(p.id for p in people)
    assert len(seen) == len(set(seen))
    everything = await store.find_stakeholders(where, PageRequest(first=MAX_PAGE_SIZE), order)
    assert seen == [s.id for s in everything.items]


async def test_paging_resumes_after_any_cursor(store: Store) -> None:
    await write(store, upsert_stakeholders=[person(f"p{n}", f"N{n}") for n in range(6)])
    first = await store.find_stakeholders(StakeholderFilter(), PageRequest(first=6))
    rest = await store.find_stakeholders(StakeholderFilter(), PageRequest(2, first.cursors[2]))
    assert [s.id for s in rest.items] == ["p3", "p4"]
    assert rest.has_next_page is True
    last = await store.find_stakeholders(StakeholderFilter(), PageRequest(5, first.cursors[5]))
    assert last.items == [] and last.has_next_page is False and last.total_count == 6


@pytest.mark.parametrize("first", [0, -1, MAX_PAGE_SIZE + 1])
async def test_a_page_size_out_of_range_is_rejected(store: Store, first: int) -> None:
    with pytest.raises(ValidationFailed) as raised:
        await store.find_stakeholders(StakeholderFilter(), PageRequest(first=first))
    assert raised.value.issues[0].path == "first"
    assert str(MAX_PAGE_SIZE) in str(raised.value)


async def test_the_largest_page_size_is_accepted(store: Store) -> None:
    await write(store, upsert_stakeholders=[person(f"p{n:03d}") for n in range(MAX_PAGE_SIZE + 1)])
    page = await store.find_stakeholders(StakeholderFilter(), PageRequest(first=MAX_PAGE_SIZE))
    assert len(page.items) == MAX_PAGE_SIZE and page.has_next_page is True


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor!",
        "",
        base64.urlsafe_b64encode(b"{not json").decode(),
        base64.urlsafe_b64encode(json.dumps({"a": 1}).encode()).decode(),
        base64.urlsafe_b64encode(json.dumps([1, 2, 3]).encode()).decode(),
    ],
)
async def test_a_malformed_cursor_is_rejected(store: Store, cursor: str) -> None:
    await write(store, upsert_stakeholders=[person("p")])
    with pytest.raises(ValidationFailed) as raised:
        await store.find_stakeholders(StakeholderFilter(), PageRequest(first=5, after=cursor))
    assert raised.value.issues[0].path == "after"


async def test_a_cursor_only_fits_the_order_that_returned_it(store: Store) -> None:
    await write(store, upsert_stakeholders=[person("a"), person("b")])
    page = await store.find_stakeholders(StakeholderFilter(), PageRequest(first=1))
    with pytest.raises(ValidationFailed):
        await store.find_stakeholders(
            StakeholderFilter(), PageRequest(1, page.cursors[0]), StakeholderOrder.UPDATED_AT
        )


# --- writes, revisions and the change log ----------------------------------------------------


async def test_a_batch_that_fails_part_way_writes_nothing(store: Store) -> None:
    revision = await write(store, upsert_stakeholders=[person("a"), person("b"), person("d")])
    bad = WriteBatch(
        upsert_stakeholders=[person("c"), person("a", "A renamed")],
        upsert_ties=[tie("t1", "a", "b"), tie("t2", "a", "c"), tie("t3", "a", "ghost")],
        upsert_interactions=[interaction("i1", "a", "c")],
        delete_stakeholders=["d"],
    )
    with pytest.raises(NotFound) as raised:
        await store.apply(bad)
    assert "ghost" in str(raised.value)
    assert await store.revision() == revision
    assert await store.changes_since(revision) == []
    [c, d] = await store.get_stakeholders(["c", "d"])
    assert c is None and d is not None
    [a] = await store.get_stakeholders(["a"])
    assert a is not None and a.name == "Person a"
    assert await store.get_ties(["t1", "t2", "t3"]) == [None, None, None]
    assert await store.get_interactions(["i1"]) == [None]
    counts = await store.counts()
    assert (counts.stakeholders, counts.ties, counts.interactions) == (3, 0, 0)


async def test_an_interaction_with_a_missing_participant_is_not_found(store: Store) -> None:
    await write(store, upsert_stakeholders=[person("a")])
    with pytest.raises(NotFound) as raised:
        await store.apply(WriteBatch(upsert_interactions=[interaction("i", "a", "nobody")]))
    assert "nobody" in str(raised.value)
    assert await store.get_interactions(["i"]) == [None]


async def test_each_batch_that_changes_something_bumps_the_revision_by_one(
    store: Store,
) -> None:
    assert await store.revision() == 0
    revisions = [
        await write(store, upsert_stakeholders=[person("a"), person("b")]),
        await write(store, upsert_ties=[tie("t", "a", "b")]),
        await write(store, delete_ties=["t"]),
        await write(store, upsert_stakeholders=[person("a", "A2")], delete_stakeholders=["b"]),
    ]
    assert revisions == [1, 2, 3, 4]
    assert await store.revision() == 4


async def test_a_batch_that_changes_nothing_keeps_the_revision(store: Store) -> None:
    await write(store, upsert_stakeholders=[person("a")])
    empty = await store.apply(WriteBatch())
    assert (empty.revision, empty.changes) == (1, [])
    gone = await store.apply(
        WriteBatch(delete_stakeholders=["x"], delete_ties=["y"], delete_interactions=["z"])
    )
    assert (gone.revision, gone.changes) == (1, [])
    assert await store.revision() == 1
    assert [c.revision for c in await store.changes_since(0)] == [1]


async def test_changes_since_returns_exactly_the_changes_after_a_revision(
    store: Store,
) -> None:
    first = await store.apply(WriteBatch(upsert_stakeholders=[person("a"), person("b")]))
    second = await store.apply(WriteBatch(upsert_ties=[tie("t", "a", "b")]))
    third = await store.apply(WriteBatch(delete_ties=["t"]))
    assert await store.changes_since(0) == first.changes + second.changes + third.changes
    assert await store.changes_since(1) == second.changes + third.changes
    assert await store.changes_since(3) == []
    assert [(c.revision, c.entity_type, c.op, c.entity_id) for c in third.changes] == [
        (3, EntityType.TIE, ChangeOp.DELETE, "t")
    ]
    assert third.changes[0].entity is None
    [upserted] = second.changes
    assert upserted.revision == 2
    assert isinstance(upserted.entity, Tie) and upserted.entity.source_id == "a"


async def test_changes_since_never_splits_a_revision(store: Store) -> None:
    await write(store, upsert_stakeholders=[person("a")])
    await write(store, upsert_stakeholders=[person(f"b{n}") for n in range(5)])
    await write(store, upsert_stakeholders=[person("c")])
    limited = await store.changes_since(0, limit=2)
    assert [c.revision for c in limited] == [1, 2, 2, 2, 2, 2]
    assert [c.revision for c in await store.changes_since(1, limit=1)] == [2] * 5
    assert [c.revision for c in await store.changes_since(0, limit=1)] == [1]
    assert [c.revision for c in await store.changes_since(0, limit=6)] == [1, 2, 2, 2, 2, 2]
    assert [c.revision for c in await store.changes_since(0, limit=7)] == [1, 2, 2, 2, 2, 2, 3]


async def test_a_stakeholder_named_twice_in_a_batch_is_logged_once_in_its_last_state(
    store: Store,
) -> None:
    result = await store.apply(
        WriteBatch(upsert_stakeholders=[person("a", "First"), person("a", "Second")])
    )
    [change] = result.changes
    assert isinstance(change.entity, Stakeholder) and change.entity.name == "Second"
    [stored] = await store.get_stakeholders(["a"])
    assert stored is not None and stored.name == "Second"


async def test_deleting_a_stakeholder_takes_its_ties_and_participation_with_it(
    store: Store,
) -> None:
    await write(
        store,
        upsert_stakeholders=[person("a"), person("b"), person("c")],
        upsert_ties=[tie("ab", "a", "b"), tie("ca", "c", "a"), tie("bc", "b", "c")],
        upsert_interactions=[
            interaction("shared", "a", "b"),
            interaction("alone", "a"),
            interaction("other", "b", "c"),
        ],
    )
    result = await store.apply(WriteBatch(delete_stakeholders=["a"]))
    assert result.revision == 2
    logged = {(c.entity_type, c.op, c.entity_id) for c in result.changes}
    assert logged == {
        (EntityType.STAKEHOLDER, ChangeOp.DELETE, "a"),
        (EntityType.TIE, ChangeOp.DELETE, "ab"),
        (EntityType.TIE, ChangeOp.DELETE, "ca"),
        (EntityType.INTERACTION, ChangeOp.UPSERT, "shared"),
        (EntityType.INTERACTION, ChangeOp.DELETE, "alone"),
    }
    assert len(result.changes) == len(logged)
    assert all(c.revision == 2 for c in result.changes)
    [shared_change] = [c for c in result.changes if c.entity_id == "shared"]
    [shared] = await store.get_interactions(["shared"])
    assert shared is not None and shared.participant_ids == ("b",)
    assert shared_change.entity == shared
    assert await store.get_stakeholders(["a"]) == [None]
    assert [t and t.id for t in await store.get_ties(["ab", "ca", "bc"])] == [None, None, "bc"]
    assert await store.get_interactions(["alone"]) == [None]
    assert await store.interactions_of(["a"]) == []
    assert await store.ties_of(["a"]) == []
    assert await store.changes_since(1) == result.changes


async def test_explicit_deletes_are_logged(store: Store) -> None:
    await write(
        store,
        upsert_stakeholders=[person("a"), person("b")],
        upsert_ties=[tie("t", "a", "b")],
        upsert_interactions=[interaction("i", "a", "b")],
    )
    result = await store.apply(WriteBatch(delete_ties=["t"], delete_interactions=["i"]))
    assert [(c.entity_type, c.op, c.entity_id, c.entity) for c in result.changes] == [
        (EntityType.INTERACTION, ChangeOp.DELETE, "i", None),
        (EntityType.TIE, ChangeOp.DELETE, "t", None),
    ]
    assert await store.get_ties(["t"]) == [None]
    assert await store.get_interactions(["i"]) == [None]
    [a] = await store.get_stakeholders(["a"])
    assert a is not None


async def test_a_stakeholder_key_taken_by_another_stakeholder_is_a_conflict(
    store: Store,
) -> None:
    await write(store, upsert_stakeholders=[company("c", key="dk-1")])
    revision = await store.revision()
    # Keys are unique across kinds, not per kind.
    with pytest.raises(Conflict) as raised:
        await store.apply(WriteBatch(upsert_stakeholders=[person("p", key="dk-1")]))
    assert str(raised.value) == "Key 'dk-1' is already used by another stakeholder."
    assert await store.get_stakeholders(["p"]) == [None]
    assert await store.revision() == revision


async def test_two_stakeholders_in_one_batch_cannot_share_a_key(store: Store) -> None:
    with pytest.raises(Conflict) as raised:
        await store.apply(
            WriteBatch(upsert_stakeholders=[person("a", key="k"), company("b", key="k")])
        )
    assert "'k'" in str(raised.value)
    assert await store.revision() == 0


async def test_a_stakeholder_keeps_its_own_key_and_a_deleted_ones_key_is_free(
    store: Store,
) -> None:
    await write(store, upsert_stakeholders=[person("a", key="ka"), person("b", key="kb")])
    await write(store, upsert_stakeholders=[person("a", "Renamed", key="ka")])
    await write(store, delete_stakeholders=["b"], upsert_stakeholders=[person("c", key="kb")])
    assert [s and s.id for s in await store.get_stakeholders_by_key(["ka", "kb"])] == ["a", "c"]


async def test_tie_and_interaction_keys_are_unique(store: Store) -> None:
    await write(
        store,
        upsert_stakeholders=[person("a"), person("b")],
        upsert_ties=[tie("t1", "a", "b", key="tk")],
        upsert_interactions=[interaction("i1", "a", key="ik")],
    )
    with pytest.raises(Conflict) as tie_conflict:
        await store.apply(WriteBatch(upsert_ties=[tie("t2", "b", "a", key="tk")]))
    assert str(tie_conflict.value) == "Key 'tk' is already used by another tie."
    with pytest.raises(Conflict) as interaction_conflict:
        await store.apply(WriteBatch(upsert_interactions=[interaction("i2", "b", key="ik")]))
    assert str(interaction_conflict.value) == "Key 'ik' is already used by another interaction."
    assert await store.get_ties(["t2"]) == [None]
    assert await store.get_interactions(["i2"]) == [None]


TIE_TAKEN = (
    "A tie without a key of this kind between these stakeholders is stored already; update "
    "that tie, or give each a key."
)


async def test_a_second_keyless_tie_of_one_kind_between_the_same_ends_is_a_conflict(
    store: Store,
) -> None:
    await write(
        store,
        upsert_stakeholders=[person("a"), person("b")],
        upsert_ties=[tie("t1", "a", "b", TieKind.KNOWS), tie("r1", "a", "b", TieKind.REPORTS_TO)],
    )
    revision = await store.revision()
    # KNOWS is symmetric: b-a is a-b. REPORTS_TO is not: b->a is another tie.
    for duplicate in (
        tie("t2", "a", "b", TieKind.KNOWS),
        tie("t3", "b", "a", TieKind.KNOWS),
        tie("r2", "a", "b", TieKind.REPORTS_TO),
    ):
        with pytest.raises(Conflict) as raised:
            await store.apply(WriteBatch(upsert_ties=[duplicate]))
        assert str(raised.value) == TIE_TAKEN
    with pytest.raises(Conflict) as in_one_batch:
        await store.apply(
            WriteBatch(
                upsert_ties=[
                    tie("f1", "a", "b", TieKind.FAMILY),
                    tie("f2", "b", "a", TieKind.FAMILY),
                ]
            )
        )
    assert str(in_one_batch.value) == TIE_TAKEN
    assert await store.revision() == revision
    await write(
        store,
        upsert_ties=[
            tie("r3", "b", "a", TieKind.REPORTS_TO),
            tie("t1", "b", "a", TieKind.KNOWS, strength=0.4),  # the tie itself, rewritten
            tie("k1", "a", "b", TieKind.KNOWS, key="crm-1"),  # a key makes another tie
            tie("k2", "b", "a", TieKind.KNOWS, key="crm-2"),
        ],
    )
    ties = await store.ties_of(["a"])
    assert sorted((t.id, t.kind.value) for t in ties) == [
        ("k1", "KNOWS"),
        ("k2", "KNOWS"),
        ("r1", "REPORTS_TO"),
        ("r3", "REPORTS_TO"),
        ("t1", "KNOWS"),
    ]


async def test_moving_a_keyless_tie_onto_another_ones_ends_is_a_conflict(
    store: Store,
) -> None:
    await write(
        store,
        upsert_stakeholders=[person("a"), person("b"), person("c")],
        upsert_ties=[tie("ab", "a", "b"), tie("ac", "a", "c")],
    )
    for moved in (tie("ac", "b", "a"), tie("ab", "c", "a")):
        with pytest.raises(Conflict) as raised:
            await store.apply(WriteBatch(upsert_ties=[moved]))
        assert str(raised.value) == TIE_TAKEN
    ties = await store.get_ties(["ab", "ac"])
    assert [(t.source_id, t.target_id) for t in ties if t] == [("a", "b"), ("a", "c")]


async def test_concurrent_writers_of_one_keyless_tie_store_it_once(store: Store) -> None:
    await write(store, upsert_stakeholders=[person("a"), person("b")])

    async def create(number: int) -> str:
        try:
            await store.apply(WriteBatch(upsert_ties=[tie(f"t{number}", "a", "b")]))
        except Conflict:
            return "conflict"
        return "stored"

    outcomes = await asyncio.gather(*(create(number) for number in range(16)))
    assert sorted(outcomes) == ["conflict"] * 15 + ["stored"]
    assert len(await store.ties_of(["a"])) == 1


async def test_a_bulk_write_of_a_stored_keyless_tie_is_a_conflict(store: Store) -> None:
    await write(
        store, upsert_stakeholders=[person("a"), person("b")], upsert_ties=[tie("t1", "a", "b")]
    )
    revision = await store.revision()
    with pytest.raises(Conflict):
        async with store.bulk_write() as bulk:
            await bulk.write(WriteBatch(upsert_ties=[tie("t2", "b", "a")]))
            await bulk.commit()
    assert await store.revision() == revision
    assert [t.id for t in await store.ties_of(["a"])] == ["t1"]


async def test_a_tie_to_a_missing_stakeholder_is_not_found(store: Store) -> None:
    await write(store, upsert_stakeholders=[person("a")])
    with pytest.raises(NotFound) as raised:
        await store.apply(WriteBatch(upsert_ties=[tie("t", "missing-source", "a")]))
    assert "missing-source" in str(raised.value)


# --- whole-graph reads -----------------------------------------------------------------------


async def test_load_all_returns_everything_written_at_the_current_revision(
    store: Store,
) -> None:
    result = await store.apply(
        WriteBatch(
            upsert_stakeholders=FULL_STAKEHOLDERS,
            upsert_ties=[FULL_TIE, tie("t2", "c1", "o1", TieKind.MEMBER_OF)],
            upsert_interactions=[FULL_INTERACTION, interaction("i2", "o1")],
        )
    )
    await write(store, delete_interactions=["i2"])
    data = await store.load_all()
    assert data.revision == 2
    written = {c.entity_id: c.entity for c in result.changes}
    assert sorted(data.stakeholders, key=lambda s: s.id) == sorted(
        (e for e in written.values() if isinstance(e, Stakeholder)), key=lambda s: s.id
    )
    assert sorted(data.ties, key=lambda t: t.id) == [written["t1"], written["t2"]]
    assert data.interactions == [written["i1"]]


async def test_load_all_of_an_empty_store(store: Store) -> None:
    data = await store.load_all()
    assert (data.revision, data.stakeholders, data.ties, data.interactions) == (0, [], [], [])


async def test_counts_report_each_entity_and_the_revision(store: Store) -> None:
    await write(
        store,
        upsert_stakeholders=FULL_STAKEHOLDERS,
        upsert_ties=[FULL_TIE],
        upsert_interactions=[FULL_INTERACTION],
    )
    await write(store, upsert_stakeholders=[person("extra")])
    counts = await store.counts()
    assert (counts.stakeholders, counts.ties, counts.interactions, counts.revision) == (5, 1, 1, 2)


async def test_ties_of_follows_direction_and_kind(store: Store) -> None:
    await write(
        store,
        upsert_stakeholders=[person("a"), person("b"), person("c"), company("x")],
        upsert_ties=[
            tie("ab", "a", "b"),
            tie("ca", "c", "a", TieKind.REPORTS_TO),
            tie("ax", "a", "x", TieKind.WORKS_FOR),
            tie("bc", "b", "c"),
        ],
    )

    async def ids(*args: Any) -> list[str]:
        return sorted(t.id for t in await store.ties_of(*args))

    assert await ids(["a"]) == ["ab", "ax", "ca"]
    assert await ids(["a"], (), Direction.OUT) == ["ab", "ax"]
    assert await ids(["a"], (), Direction.IN) == ["ca"]
    assert await ids(["a"], [TieKind.WORKS_FOR, TieKind.REPORTS_TO]) == ["ax", "ca"]
    assert await ids(["a", "b"], [TieKind.KNOWS], Direction.BOTH) == ["ab", "bc"]
    assert await ids(["nobody"]) == []
    both = await store.ties_of(["a", "b"])
    assert len(both) == len({t.id for t in both})


async def test_interactions_of_lists_the_newest_first_and_respects_since(
    store: Store,
) -> None:
    day = timedelta(days=1)
    await write(
        store,
        upsert_stakeholders=[person("a"), person("b"), person("c")],
        upsert_interactions=[
            interaction("old", "a", at=MOMENT - 10 * day),
            interaction("new", "a", "b", at=MOMENT),
            interaction("mid", "b", at=MOMENT - 5 * day),
            interaction("elsewhere", "c", at=MOMENT + day),
        ],
    )
    assert [i.id for i in await store.interactions_of(["a", "b"])] == ["new", "mid", "old"]
    assert [i.id for i in await store.interactions_of(["a"], MOMENT - 5 * day)] == ["new"]
    assert [i.id for i in await store.interactions_of(["b"], MOMENT - 5 * day)] == ["new", "mid"]
    [shared] = await store.interactions_of(["b"], MOMENT)
    assert shared.participant_ids == ("a", "b")


async def test_concurrent_batches_each_get_their_own_revision(store: Store) -> None:
    results = await asyncio.gather(
        *(store.apply(WriteBatch(upsert_stakeholders=[person(f"p{n}")])) for n in range(10))
    )
    assert sorted(r.revision for r in results) == list(range(1, 11))
    changes: list[Change] = await store.changes_since(0)
    assert sorted(c.revision for c in changes) == list(range(1, 11))


async def test_a_pruned_change_log_keeps_the_newest_revisions_and_refuses_older_ones(
    store: Store,
) -> None:
    for n in (1, 2, 3):
        await store.apply(WriteBatch(upsert_stakeholders=[person(f"p{n}")]))
    assert await store.changes_since(0) != []  # nothing pruned yet: every revision is there
    assert await store.prune_change_log(1) == 2
    for behind in (0, 1):
        with pytest.raises(ChangeLogPruned) as pruned:
            await store.changes_since(behind)
        assert pruned.value.horizon == 2
    assert [(c.revision, c.entity_id) for c in await store.changes_since(2)] == [(3, "p3")]
    # The horizon never moves back, and the network itself is untouched.
    assert await store.prune_change_log(5) == 2
    assert [s is not None for s in await store.get_stakeholders(["p1", "p2", "p3"])] == [True] * 3
    assert (await store.load_all()).revision == 3
    assert await store.prune_change_log(0) == 3
    assert await store.changes_since(3) == []
    # A write after the pruning is logged as ever.
    await store.apply(WriteBatch(upsert_stakeholders=[person("p4")]))
    assert [(c.revision, c.entity_id) for c in await store.changes_since(3)] == [(4, "p4")]
    with pytest.raises(ValidationFailed):
        await store.prune_change_log(-1)


# --- access: tokens, the audit trail, erasure --------------------------------------------------


def token(name: str, role: Role = Role.VIEWER, digest: str | None = None) -> ApiToken:
    return ApiToken(
        id=f"tok-{name}",
        name=name,
        role=role,
        token_hash=digest or f"digest-{name}",
        created_at=MOMENT,
    )


async def test_tokens_are_found_by_digest_and_revoked_by_name(store: Store) -> None:
    assert await store.active_token_count() == 0
    await store.create_token(token("ops", Role.ADMIN))
    await store.create_token(token("crm"))
    assert await store.active_token_count() == 2
    found = await store.token_by_digest("digest-ops")
    assert found is not None and (found.name, found.role, found.revoked_at) == (
        "ops",
        Role.ADMIN,
        None,
    )
    assert await store.token_by_digest("digest-unknown") is None
    revoked = await store.revoke_token("crm", MOMENT)
    assert revoked.revoked_at is not None
    assert await store.active_token_count() == 1
    stored = await store.token_by_digest("digest-crm")
    assert stored is not None and stored.revoked_at is not None
    assert sorted(t.name for t in await store.list_tokens()) == ["crm", "ops"]


async def test_a_token_expiry_round_trips_and_an_expired_token_still_counts(store: Store) -> None:
    expires = MOMENT + timedelta(days=30, microseconds=1)
    await store.create_token(replace(token("contractor"), expires_at=expires))
    await store.create_token(replace(token("ci"), expires_at=MOMENT + timedelta(seconds=1)))
    await store.create_token(token("ops", Role.ADMIN))
    found = await store.token_by_digest("digest-contractor")
    assert found is not None and found.expires_at == expires
    assert {t.name: t.expires_at for t in await store.list_tokens()} == {
        "contractor": expires,
        "ci": MOMENT + timedelta(seconds=1),
        "ops": None,
    }
    # Long past MOMENT, "ci" has expired: it still counts, so tokens stay required.
    assert await store.active_token_count() == 3
    revoked = await store.revoke_token("ci", MOMENT + timedelta(days=1))
    assert revoked.expires_at == MOMENT + timedelta(seconds=1)
    assert await store.active_token_count() == 2


async def test_an_active_token_name_is_unique_and_revoking_an_unknown_one_is_not_found(
    store: Store,
) -> None:
    await store.create_token(token("ops"))
    with pytest.raises(Conflict):
        await store.create_token(token("ops", digest="other-digest"))
    with pytest.raises(NotFound):
        await store.revoke_token("nobody", MOMENT)


async def test_a_batch_writes_its_audit_entry_with_the_revision(store: Store) -> None:
    entry = AuditEntry(
        at=MOMENT, actor="ops", operation="createPerson", entity_ids=("p1",), fields=("name",)
    )
    revision = (
        await store.apply(WriteBatch(upsert_stakeholders=[person("p1")], audit=entry))
    ).revision
    await store.record_audit(AuditEntry(at=MOMENT, actor="ops", operation="createToken"))
    entries = await store.audit_entries()
    assert [(e.operation, e.actor, e.revision) for e in entries] == [
        ("createPerson", "ops", revision),
        ("createToken", "ops", None),
    ]
    assert entries[0].entity_ids == ("p1",) and entries[0].fields == ("name",)
    assert entries[0].seq is not None and entries[1].seq is not None
    assert entries[0].seq < entries[1].seq
    assert [e.operation for e in await store.audit_entries(after_seq=entries[0].seq)] == [
        "createToken"
    ]
    assert [e.operation for e in await store.audit_entries(entity_id="p1")] == ["createPerson"]


async def test_audit_entries_show_the_first_ids_asked_for_and_count_them_all(
    store: Store,
) -> None:
    # An import's entry names every row it wrote; a page of the log shows the first few.
    many = tuple(f"e{n:04d}" for n in range(2500))
    await store.record_audit(AuditEntry(MOMENT, "ops", "importGraph", many))
    await store.record_audit(AuditEntry(MOMENT, "ops", "createPerson", ("p1",)))
    shown = await store.audit_entries(ids_limit=1000)
    assert [entry.entity_ids for entry in shown] == [many[:1000], ("p1",)]
    assert [(entry.entity_count, entry.touched) for entry in shown] == [(2500, 2500), (1, 1)]
    (whole, _) = await store.audit_entries()
    assert whole.entity_ids == many and whole.entity_count == 2500
    (counted, _) = await store.audit_entries(ids_limit=0)
    assert counted.entity_ids == () and counted.touched == 2500
    # The filter looks at every id, shown or not.
    (found,) = await store.audit_entries(entity_id="e2499", ids_limit=10)
    assert found.entity_ids == many[:10] and found.seq == whole.seq


async def test_an_audit_entry_is_not_written_when_its_batch_fails(store: Store) -> None:
    entry = AuditEntry(at=MOMENT, actor="ops", operation="createTie")
    with pytest.raises(NotFound):
        await store.apply(WriteBatch(upsert_ties=[tie("t1", "nobody", "none")], audit=entry))
    assert await store.audit_entries() == []


async def test_erasing_a_person_leaves_no_copy_of_what_they_said_or_did(
    store: Store,
) -> None:
    solo = Interaction(
        "solo",
        InteractionKind.CALL,
        MOMENT,
        (Participant("p1", "Erasable solo role"),),
        subject="Erasable solo subject",
        summary="Erasable solo summary",
        notes="Erasable solo note",
    )
    group = Interaction(
        "group",
        InteractionKind.NEGOTIATION,
        MOMENT,
        (Participant("p2", "host"), Participant("p1", "Erasable group role"), Participant("p3")),
        key="mtg-1",
        sentiment=0.5,
        subject="Erasable group subject",
        summary="Erasable group summary",
        outcome="Erasable group outcome",
        notes="Erasable group note",
    )
    others = interaction("others", "p2", "p3", subject="Kept subject", notes="Kept note")
    await write(
        store,
        upsert_stakeholders=[person("p1", "Erasable Person"), person("p2"), person("p3")],
        upsert_ties=[tie("t1", "p1", "p2"), tie("t2", "p2", "p3")],
        upsert_interactions=[solo, group, others],
        audit=AuditEntry(MOMENT, "ops", "importGraph", ("p1", "p2", "p3", "t1", "t2")),
    )
    await write(store, upsert_stakeholders=[person("p1", "Erasable Person Renamed")])
    await store.record_audit(AuditEntry(MOMENT, "ops", "personalData", ("p1",)))
    await store.record_audit(AuditEntry(MOMENT, "ops", "createTie", ("t2", "p2", "p3")))

    erasure = AuditEntry(MOMENT, "ops", "eraseStakeholder", ("erased-1",))
    result = await store.erase_stakeholder("p1", erasure, "erased-1")

    assert result.revision == await store.revision()
    assert await store.get_stakeholders(["p1"]) == [None]
    assert [t.id for t in await store.ties_of(["p2"])] == ["t2"]
    # A call with the person alone is gone; a meeting with others stays as a fact between them,
    # without the person and without its words, which may be theirs.
    solo_after, group_after, others_after = await store.get_interactions(
        ["solo", "group", "others"]
    )
    assert solo_after is None
    assert group_after is not None
    assert without_times(group_after) == replace(
        group,
        participants=(Participant("p2", "host"), Participant("p3")),
        subject=None,
        summary=None,
        outcome=None,
        notes=None,
    )
    assert others_after is not None and without_times(others_after) == others
    # Nothing of the person is left to read: not the network, not the change log.
    assert "Erasable" not in repr(await store.load_all())
    with pytest.raises(ChangeLogPruned) as pruned:
        await store.changes_since(0)
    assert pruned.value.horizon == result.revision
    assert await store.changes_since(result.revision) == []
    # This process's projection follows from the result; it holds no words either.
    assert "Erasable" not in repr(result.changes)
    assert {(c.entity_type, c.entity_id, c.op) for c in result.changes} == {
        (EntityType.STAKEHOLDER, "p1", ChangeOp.DELETE),
        (EntityType.TIE, "t1", ChangeOp.DELETE),
        (EntityType.INTERACTION, "solo", ChangeOp.DELETE),
        (EntityType.INTERACTION, "group", ChangeOp.UPSERT),
    }
    # The audit trail names the tombstone wherever it named the person.
    assert await store.audit_entries(entity_id="p1") == []
    about = await store.audit_entries(entity_id="erased-1")
    assert [(e.operation, e.entity_ids) for e in about] == [
        ("importGraph", ("erased-1", "p2", "p3", "t1", "t2")),
        ("personalData", ("erased-1",)),
        ("eraseStakeholder", ("erased-1",)),
    ]
    assert about[-1].revision == result.revision
    (untouched,) = await store.audit_entries(entity_id="t2", after_seq=about[0].seq or 0)
    assert untouched.entity_ids == ("t2", "p2", "p3")
    with pytest.raises(NotFound):
        await store.erase_stakeholder("p1", erasure, "erased-2")
    assert await store.revision() == result.revision
