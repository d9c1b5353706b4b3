"""The bulk-import shortcuts build exactly what the general code paths build."""

from dataclasses import fields, replace
from datetime import date

from stakenet.domain.errors import Issue
from stakenet.domain.interchange import TieDraft, parse_tie
from stakenet.domain.model import DecisionRole, Evidence, Tie, TieKind


def test_placed_tie_equals_replace_on_every_field() -> None:
    values = {
        f.name: f"value-{f.name}" for f in fields(Tie) if f.name not in {"kind"}
    }  # distinct values, so a field read into the wrong position would show
    tie = Tie(**{**values, "kind": TieKind.WORKS_FOR})  # type: ignore[arg-type]
    draft = TieDraft(tie, "a", "b")
    assert draft.placed("t1", "s1", "s2") == replace(tie, id="t1", source_id="s1", target_id="s2")


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
