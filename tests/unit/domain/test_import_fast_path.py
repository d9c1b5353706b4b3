"""The bulk-import shortcuts build exactly what the general code paths build."""

from dataclasses import fields, replace
from datetime import UTC, date, datetime
from types import MappingProxyType
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from stakenet.domain.errors import Issue
from stakenet.domain.interchange import (
    InteractionDraft,
    TieDraft,
    _simple_tie,
    parse_interaction,
    parse_stakeholder,
    parse_stakeholder_draft,
    parse_tie,
    same_content,
)
from stakenet.domain.model import (
    DecisionRole,
    Evidence,
    Interaction,
    InteractionKind,
    Participant,
    Tie,
    TieKind,
)


def test_placed_tie_equals_replace_on_every_field() -> None:
    values = {
        f.name: f"value-{f.name}" for f in fields(Tie) if f.name not in {"kind"}
    }  # distinct values, so a field read into the wrong position would show
    tie = Tie(**{**values, "kind": TieKind.WORKS_FOR})  # type: ignore[arg-type]
    draft = TieDraft.of(tie, "a", "b")
    assert draft.placed("t1", "s1", "s2") == replace(tie, id="t1", source_id="s1", target_id="s2")


def test_placed_interaction_equals_replace_on_every_field() -> None:
    values = {f.name: f"value-{f.name}" for f in fields(Interaction)}
    values["kind"] = InteractionKind.CALL
    interaction = Interaction(**values)  # type: ignore[arg-type]
    draft = InteractionDraft(
        interaction.id,
        interaction.kind,
        interaction.occurred_at,
        interaction.key,
        interaction.sentiment,
        interaction.subject,
        interaction.summary,
        interaction.outcome,
        interaction.notes,
        (("a", None),),
    )
    participants = (Participant("s1"),)
    assert draft.placed("i1", "k1", participants) == replace(
        interaction,
        id="i1",
        key="k1",
        participants=participants,
        created_at=None,
        updated_at=None,
    )
    assert draft.interaction == replace(
        interaction, participants=(), created_at=None, updated_at=None
    )


def test_a_draft_agrees_with_a_tie_exactly_when_its_placed_tie_has_the_same_content() -> None:
    ignored = frozenset({"id", "created_at", "updated_at"})
    stored = Tie("t1", TieKind.WORKS_FOR, "s1", "s2", key="k", strength=0.5, role="CFO")
    draft = TieDraft.of(replace(stored, id="", source_id="", target_id=""), "a", "b")
    variants = [
        stored,
        replace(stored, id="t2", created_at=datetime(2020, 1, 1, tzinfo=UTC)),
        replace(stored, strength=0.6),
        replace(stored, role=None),
        replace(stored, kind=TieKind.KNOWS),
        replace(stored, source_id="s3"),
        replace(stored, target_id="s1"),
        replace(stored, until=date(2030, 1, 1)),
        replace(stored, share=1.0),
    ]
    for tie in variants:
        placed = draft.placed(tie.id, "s1", "s2")
        assert draft.agrees_with(tie, "s1", "s2") is same_content(tie, placed, ignored)
    assert [draft.agrees_with(tie, "s1", "s2") for tie in variants[:3]] == [True, True, False]


def parsed(row: dict[str, object]) -> tuple[TieDraft | None, list[Issue]]:
    issues: list[Issue] = []
    return parse_tie(row, "ties[0]", issues), issues


def test_simple_tie_row_parses_to_the_full_tie() -> None:
    draft, issues = parsed(
        {"kind": "KNOWS", "source": " a ", "target": "b", "strength": 1, "key": "k1"}
    )
    assert issues == []
    assert draft is not None
    assert (draft.source_ref, draft.target_ref) == ("a", "b")
    assert draft.tie == Tie("", TieKind.KNOWS, "", "", key="k1", strength=1.0)
    assert isinstance(draft.tie.strength, float)


def test_rich_tie_row_still_parses() -> None:
    draft, issues = parsed(
        {
            "kind": "WORKS_FOR",
            "source": "a",
            "target": "b",
            "since": "2021-01-01",
            "decisionRole": "CHAMPION",
            "evidence": "OBSERVED",
        }
    )
    assert issues == []
    assert draft is not None
    assert draft.tie.since == date(2021, 1, 1)
    assert draft.tie.decision_role is DecisionRole.CHAMPION
    assert draft.tie.evidence is Evidence.OBSERVED


def test_bad_simple_rows_get_the_general_messages() -> None:
    cases = {
        "strength": ({"kind": "KNOWS", "source": "a", "target": "b", "strength": True}, "INVALID"),
        "kind": ({"kind": "LIKES", "source": "a", "target": "b"}, "UNKNOWN_KIND"),
        "target": ({"kind": "KNOWS", "source": "a", "target": "a"}, "SELF_TIE"),
        "source": ({"kind": "KNOWS", "source": " ", "target": "b"}, "REQUIRED"),
        "key": ({"kind": "KNOWS", "source": "a", "target": "b", "key": 7}, "INVALID"),
    }
    for field_name, (row, code) in cases.items():
        draft, issues = parsed(row)
        assert draft is None
        assert [(i.path, i.code) for i in issues] == [(f"ties[0].{field_name}", code)]


# Every shortcut must build exactly what the reader builds, and leave every row it cannot take
# to the reader (which names the problems). The reader is reached with a read-only mapping,
# which the shortcuts do not take.
TEXTS = st.one_of(
    st.none(), st.sampled_from(["", " ", "x", " padded ", "a" * 201, "b" * 301]), st.integers()
)


def through_reader(parse: Any, row: dict[str, object]) -> tuple[object, list[Issue]]:
    issues: list[Issue] = []
    return parse(MappingProxyType(row), "rows[0]", issues), issues


def through_shortcut(parse: Any, row: dict[str, object]) -> tuple[object, list[Issue]]:
    issues: list[Issue] = []
    return parse(row, "rows[0]", issues), issues


@settings(max_examples=400, deadline=None)
@given(
    st.fixed_dictionaries(
        {"kind": st.sampled_from(["PERSON", "COMPANY", "MUNICIPALITY", "ORGANIZATION", "X", 3])},
        optional={
            "name": TEXTS,
            "key": TEXTS,
            "notes": TEXTS,
            "id": st.sampled_from(["", "abc"]),
            "internal": st.one_of(st.booleans(), st.none(), st.just(1)),
            "tags": st.one_of(
                st.none(), st.lists(st.sampled_from(["a", " a", "", "b"])), st.just([1])
            ),
            "title": TEXTS,
            "seniority": st.sampled_from(["C_LEVEL", "STAFF", "BOSS", None]),
            "industry": TEXTS,
            "population": st.one_of(st.integers(-1, 5), st.just(True), st.none()),
            "category": st.sampled_from(["NGO", "UNION", "CLUB", None]),
            "country": TEXTS,
            "bogus": st.just(1),
        },
    )
)
def test_the_stakeholder_shortcut_builds_what_the_reader_builds(row: dict[str, object]) -> None:
    general = through_reader(parse_stakeholder, row)
    assert through_shortcut(parse_stakeholder, row) == general
    # The importer builds the stakeholder from the draft, with the id it settles on.
    for through in (through_reader, through_shortcut):
        draft, issues = through(parse_stakeholder_draft, row)
        assert issues == general[1]
        placed = None if draft is None else draft.placed("s1")
        assert placed == (None if general[0] is None else replace(general[0], id="s1"))


@settings(max_examples=400, deadline=None)
@given(
    st.fixed_dictionaries(
        {
            "kind": st.sampled_from(["WORKS_FOR", "KNOWS", "LIKES"]),
            "source": TEXTS,
            "target": TEXTS,
        },
        optional={
            "key": TEXTS,
            "role": TEXTS,
            "strength": st.one_of(st.floats(-0.5, 1.5), st.just(True), st.none(), st.just(1)),
            "since": st.sampled_from(["2021-03-01", "2021-13-01", "", None]),
            "decisionRole": st.sampled_from(["CHAMPION", "KING", None]),
            "until": st.sampled_from(["2020-01-01", None]),
        },
    )
)
def test_the_tie_shortcut_builds_what_the_reader_builds(row: dict[str, object]) -> None:
    assert through_shortcut(parse_tie, row) == through_reader(parse_tie, row)


@settings(max_examples=400, deadline=None)
@given(
    st.fixed_dictionaries(
        {
            "kind": st.sampled_from(["MEETING", "CALL", "PARTY"]),
            "occurredAt": st.sampled_from(
                ["2026-10-02T09:00:00Z", "2026-10-02T09:00:00", "2026-10-02T11:00:00+02:00", "soon"]
            ),
            "participants": st.one_of(
                st.lists(st.sampled_from(["a", " b ", "", "a", None, 7]), max_size=3),
                st.just([{"key": "a", "actingAs": "chair"}]),
            ),
        },
        optional={
            "sentiment": st.one_of(st.floats(-1.5, 1.5), st.just(float("nan")), st.none()),
            "subject": TEXTS,
            "summary": TEXTS,
            "key": TEXTS,
        },
    )
)
def test_the_interaction_shortcut_builds_what_the_reader_builds(row: dict[str, object]) -> None:
    assert through_shortcut(parse_interaction, row) == through_reader(parse_interaction, row)


STORED_TIE = Tie(
    "t1",
    TieKind.WORKS_FOR,
    "s1",
    "s2",
    key="k1",
    strength=0.5,
    role="CFO",
    since=date(2021, 3, 1),
    decision_role=DecisionRole.CHAMPION,
    notes="Signs.",
)


@settings(max_examples=300, deadline=None)
@given(
    st.fixed_dictionaries(
        {
            "kind": st.sampled_from(["WORKS_FOR", "BOARD_MEMBER_OF"]),
            "source": st.just("a"),
            "target": st.just("b"),
        },
        optional={
            "key": st.sampled_from(["k1", "k2", None]),
            "strength": st.sampled_from([0.5, 0.7, None]),
            "role": st.sampled_from(["CFO", "CEO", None]),
            "since": st.sampled_from(["2021-03-01", "2020-01-01", None]),
            "decisionRole": st.sampled_from(["CHAMPION", "BLOCKER", None]),
            "notes": st.sampled_from(["Signs.", None]),
            "context": st.sampled_from(["alumni", None]),
        },
    ),
    st.sampled_from([("s1", "s2"), ("s2", "s1")]),
)
def test_whether_a_merge_changes_a_tie_is_what_the_merged_tie_says(
    row: dict[str, object], ends: tuple[str, str]
) -> None:
    issues: list[Issue] = []
    draft = parse_tie(row, "ties[0]", issues)
    assert draft is not None and issues == []
    merged = draft.merged_onto(STORED_TIE)
    # Fields the row leaves out keep the stored values; those it gives are the row's.
    for name in ("strength", "role", "notes", "context"):
        stored_value = getattr(STORED_TIE, name)
        assert getattr(merged.tie, name) == (
            getattr(draft.tie, name) if name in row else stored_value
        )
    assert draft.changes_when_merged(STORED_TIE, *ends) == (
        not merged.agrees_with(STORED_TIE, *ends)
    )


def test_the_tie_shortcut_puts_every_field_it_reads_where_the_tie_has_it() -> None:
    # A distinct value in every field the shortcut reads: a value placed by position in the
    # wrong field of `Tie` (a field added or moved) would show.
    row = {
        "id": "t1",
        "kind": "WORKS_FOR",
        "source": "a",
        "target": "b",
        "key": "k1",
        "strength": 0.25,
        "confidence": 0.75,
        "role": "CFO",
        "since": "2021-03-01",
        "decisionRole": "CHAMPION",
    }
    shortcut = _simple_tie(row)
    assert shortcut is not None  # the shortcut takes the row, not the reader
    assert shortcut.placed("t1", "s1", "s2") == Tie(
        id="t1",
        kind=TieKind.WORKS_FOR,
        source_id="s1",
        target_id="s2",
        key="k1",
        strength=0.25,
        confidence=0.75,
        role="CFO",
        since=date(2021, 3, 1),
        decision_role=DecisionRole.CHAMPION,
    )
    assert (shortcut, []) == through_reader(parse_tie, row)
