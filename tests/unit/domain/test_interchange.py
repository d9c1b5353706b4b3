from __future__ import annotations

from datetime import UTC, datetime

from stakenet.domain.errors import Issue
from stakenet.domain.interchange import (
    endpoint_issues,
    parse_interaction,
    parse_stakeholder,
    parse_tie,
)
from stakenet.domain.model import Stakeholder, StakeholderKind, TieKind
from stakenet.domain.text import fold


def issues_of(parse: object, row: object) -> list[Issue]:
    issues: list[Issue] = []
    parse(row, "rows[0]", issues)  # type: ignore[operator]
    return issues


def test_a_valid_person_row_parses_every_field() -> None:
    issues: list[Issue] = []
    person = parse_stakeholder(
        {"key": "p-1", "kind": "PERSON", "name": " Anna Holm ", "title": "CFO", "tags": ["a", "a"]},
        "stakeholders[0]",
        issues,
    )
    assert issues == []
    assert person is not None
    assert (person.key, person.name, person.title, person.tags) == (
        "p-1",
        "Anna Holm",
        "CFO",
        ("a",),
    )


def test_unknown_kind_is_reported_with_the_allowed_values() -> None:
    (issue,) = issues_of(parse_stakeholder, {"kind": "ROBOT", "name": "R2"})
    assert issue.path == "rows[0].kind"
    assert "ROBOT" in issue.message and "PERSON" in issue.message


def test_attributes_of_another_kind_are_rejected() -> None:
    (issue,) = issues_of(parse_stakeholder, {"kind": "COMPANY", "name": "Acme", "title": "CEO"})
    assert issue.path == "rows[0].title"
    assert issue.code == "NOT_APPLICABLE"


def test_strength_out_of_range_names_the_value() -> None:
    found = issues_of(parse_tie, {"kind": "KNOWS", "source": "a", "target": "b", "strength": 1.5})
    assert [(i.path, i.code) for i in found] == [("rows[0].strength", "OUT_OF_RANGE")]
    assert "1.5" in found[0].message


def test_a_tie_to_itself_is_rejected() -> None:
    found = issues_of(parse_tie, {"kind": "KNOWS", "source": "a", "target": "a"})
    assert [i.code for i in found] == ["SELF_TIE"]


def test_bad_dates_and_reversed_periods_are_rejected() -> None:
    found = issues_of(
        parse_tie, {"kind": "WORKS_FOR", "source": "a", "target": "b", "since": "2021-13-01"}
    )
    assert [(i.path, i.code) for i in found] == [("rows[0].since", "BAD_DATE")]
    found = issues_of(
        parse_tie,
        {
            "kind": "WORKS_FOR",
            "source": "a",
            "target": "b",
            "since": "2022-01-01",
            "until": "2021-01-01",
        },
    )
    assert [i.path for i in found] == ["rows[0].until"]


def test_sentiment_must_lie_between_minus_one_and_one() -> None:
    row = {"kind": "MEETING", "occurredAt": "2026-01-01T10:00:00Z", "participants": ["a", "b"]}
    assert issues_of(parse_interaction, {**row, "sentiment": -1}) == []
    (issue,) = issues_of(parse_interaction, {**row, "sentiment": -1.2})
    assert issue.path == "rows[0].sentiment"


def test_interaction_times_are_read_as_utc() -> None:
    issues: list[Issue] = []
    draft = parse_interaction(
        {"kind": "CALL", "occurredAt": "2026-01-01T10:00:00+02:00", "participants": ["a"]},
        "",
        issues,
    )
    assert draft is not None
    assert draft.interaction.occurred_at == datetime(2026, 1, 1, 8, 0, tzinfo=UTC)


def test_works_for_from_a_company_is_a_bad_endpoint() -> None:
    company = Stakeholder(id="c1", kind=StakeholderKind.COMPANY, name="Acme", key="c-acme")
    other = Stakeholder(id="c2", kind=StakeholderKind.COMPANY, name="Beta")
    (issue,) = endpoint_issues(TieKind.WORKS_FOR, company, other, "ties[3]")
    assert issue.path == "ties[3].source"
    assert "WORKS_FOR" in issue.message and "c-acme" in issue.message


def test_relationship_owner_must_be_one_of_our_people() -> None:
    outsider = Stakeholder(id="p1", kind=StakeholderKind.PERSON, name="Out")
    company = Stakeholder(id="c1", kind=StakeholderKind.COMPANY, name="Acme")
    (issue,) = endpoint_issues(TieKind.RELATIONSHIP_OWNER, outsider, company, "t")
    assert "internal" in issue.message


def test_folding_makes_search_accent_and_case_insensitive() -> None:
    assert fold("Søren Ågård") == fold("soren agard") == "soren agard"
    assert fold("ÆBLE") == "aeble"
