"""Derived tie strength: declared, observed, blended, default; decay, sentiment and as-of."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import pytest
from analytics_helpers import GraphBuilder

from stakenet.analytics.errors import InvalidParameter
from stakenet.analytics.strength import (
    InteractionRecord,
    StrengthParams,
    compute_tie_strengths,
    distance,
    index_interactions,
    pair_evidence,
    tie_strength,
)

NOW = datetime(2025, 6, 1, tzinfo=UTC)


def meeting(
    iid: str, *people: str, days_ago: float = 0.0, kind: str = "MEETING", sentiment=None
) -> InteractionRecord:
    return InteractionRecord(iid, kind, NOW - timedelta(days=days_ago), sentiment, people)


def _graph() -> tuple[GraphBuilder, dict[str, str]]:
    b = GraphBuilder()
    for p in ("ann", "bo", "cy", "di"):
        b.person(p)
    b.org("acme")
    t = {
        "declared": b.tie("ann", "bo", "KNOWS", 0.8),
        "observed": b.tie("ann", "cy", "KNOWS"),
        "neither": b.tie("bo", "cy", "KNOWS"),
        "family": b.tie("cy", "di", "FAMILY"),
        "works": b.tie("di", "acme", "WORKS_FOR"),
        "blend": b.tie("di", "ann", "KNOWS", 0.4),
    }
    return b, t


def test_declared_only_observed_only_neither_and_blend() -> None:
    b, t = _graph()
    interactions = {
        "i1": meeting("i1", "ann", "cy"),
        "i2": meeting("i2", "ann", "di", "cy"),  # evidence for ann-cy, ann-di and cy-di
    }
    p = StrengthParams()
    s = compute_tie_strengths(b.G, interactions, NOW, p)
    assert s[t["declared"]].value == 0.8 and s[t["declared"]].basis == "declared"
    observed = 1 - math.exp(-2.0 / p.saturation)
    assert s[t["observed"]].value == pytest.approx(observed)
    assert s[t["observed"]].interaction_count == 2
    assert s[t["observed"]].last_interaction_at == NOW
    assert s[t["neither"]].value == 0.3 and s[t["neither"]].basis == "default"
    assert s[t["works"]].value == 0.5
    one = 1 - math.exp(-1.0 / p.saturation)
    assert s[t["family"]].value == pytest.approx(one)  # observed replaces the FAMILY default
    assert s[t["blend"]].value == pytest.approx(0.5 * 0.4 + 0.5 * one)
    assert s[t["blend"]].basis == "blended"
    comp = s[t["blend"]].components
    assert sum(c.value * c.weight for c in comp) == pytest.approx(s[t["blend"]].value)
    assert s.effective[t["declared"]] == 0.8


def test_half_life_halves_the_contribution() -> None:
    b, t = _graph()
    p = StrengthParams(half_life_days=100.0)

    def evidence(days: float) -> float:
        s = compute_tie_strengths(b.G, [meeting("m", "ann", "cy", days_ago=days)], NOW, p)
        return -p.saturation * math.log(1 - s[t["observed"]].value)

    assert evidence(0) == pytest.approx(1.0)
    assert evidence(100) == pytest.approx(0.5)
    assert evidence(200) == pytest.approx(0.25)


def test_kind_weight_and_sentiment() -> None:
    b, t = _graph()
    p = StrengthParams()

    def value(record: InteractionRecord) -> float:
        return compute_tie_strengths(b.G, [record], NOW, p)[t["observed"]].value

    assert value(meeting("e", "ann", "cy", kind="EMAIL")) == pytest.approx(1 - math.exp(-0.15))
    assert value(meeting("w", "ann", "cy", sentiment=1.0)) == pytest.approx(1 - math.exp(-0.75))
    assert value(meeting("h", "ann", "cy", sentiment=-1.0)) == pytest.approx(1 - math.exp(-0.25))


def test_as_of_excludes_later_interactions_and_ended_ties() -> None:
    b, t = _graph()
    old = b.tie("ann", "di", "KNOWS", 0.9, until=date(2025, 1, 1))
    future = b.tie("bo", "di", "KNOWS", 0.9, since=date(2025, 7, 1))
    later = InteractionRecord("x", "MEETING", NOW + timedelta(days=1), None, ("ann", "cy"))
    s = compute_tie_strengths(b.G, {"x": later}, NOW)
    assert s[t["observed"]].basis == "default"
    assert s[t["observed"]].interaction_count == 0
    assert old not in s and future not in s
    past = compute_tie_strengths(b.G, {"x": later}, datetime(2024, 6, 1, tzinfo=UTC))
    assert old in past and future not in past


def test_each_tie_is_explained_as_tie_strength_explains_it() -> None:
    b, t = _graph()
    interactions = [
        meeting("i1", "ann", "cy", days_ago=3),
        meeting("i2", "ann", "di", "cy", days_ago=40, sentiment=0.5),
        meeting("i3", "di", "acme", days_ago=400, kind="EMAIL"),
    ]
    p = StrengthParams(declared_weight=0.3)
    s = compute_tie_strengths(b.G, interactions, NOW, p)
    index = index_interactions(interactions, NOW, p)
    assert sorted(s) == sorted(t.values()) and len(s) == len(t)
    for u, v, key, attrs in b.G.edges(keys=True, data=True):
        expected = tie_strength(key, u, v, attrs, index.get(frozenset((u, v))), p)
        assert s[key] == expected
        assert s.effective[key] == expected.value  # the values a refresh uses
    assert {s[key].basis for key in s} == {"declared", "observed", "blended", "default"}


def test_strengths_keep_the_ties_as_they_were_when_computed() -> None:
    b, t = _graph()
    s = compute_tie_strengths(b.G, [], NOW)
    attrs = next(a for _, _, key, a in b.G.edges(keys=True, data=True) if key == t["declared"])
    attrs["strength"] = 0.1
    attrs["kind"] = "FAMILY"
    assert s[t["declared"]].value == 0.8
    assert s[t["declared"]].kind == "KNOWS"
    assert s[t["declared"]].declared == 0.8


def test_distance() -> None:
    assert distance(1.0) == 0.0
    assert distance(0.5) == pytest.approx(math.log(2))
    assert distance(0.0) == pytest.approx(-math.log(1e-9))
    assert distance(0.9 * 0.9) == pytest.approx(2 * distance(0.9))


def test_params_validate() -> None:
    with pytest.raises(InvalidParameter) as zero_half_life:
        StrengthParams(half_life_days=0)
    assert zero_half_life.value.name == "half_life_days"
    with pytest.raises(InvalidParameter) as heavy_declared:
        StrengthParams(declared_weight=1.5)
    assert heavy_declared.value.name == "declared_weight"


def test_the_evidence_of_one_pair_is_the_index_s() -> None:
    at = datetime(2025, 6, 1, tzinfo=UTC)
    shared = [
        InteractionRecord("m1", "MEETING", at - timedelta(days=200), 0.5, ("a", "b")),
        InteractionRecord("m2", "EMAIL", at - timedelta(days=10), -0.5, ("a", "b", "c")),
        InteractionRecord("m3", "CALL", at + timedelta(days=1), None, ("a", "b")),
    ]
    indexed = index_interactions(shared, at)[frozenset(("a", "b"))]
    found = pair_evidence(shared, at)
    assert found is not None
    assert (found.evidence, found.count, found.last_at) == (
        pytest.approx(indexed.evidence),
        2,
        at - timedelta(days=10),
    )
    assert pair_evidence(shared, at - timedelta(days=300)) is None
