"""The network as of a past instant: which ties and interactions it holds, and the few past
snapshots the read model keeps beside the current one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from analytics_helpers import account

from stakenet.analytics.history import PastSnapshots, instant
from stakenet.analytics.network_view import NetworkView
from stakenet.domain.model import Change, ChangeOp, EntityType

NOW = datetime(2026, 6, 1, tzinfo=UTC)
SPRING_2025 = datetime(2025, 3, 1, tzinfo=UTC)
AUTUMN_2025 = datetime(2025, 9, 1, tzinfo=UTC)


def view() -> NetworkView:
    read_model = NetworkView()
    read_model.load(account())
    read_model.refresh(NOW)
    return read_model


def test_a_past_snapshot_holds_the_ties_current_then_and_the_interactions_before_it() -> None:
    past = view().past(SPRING_2025)
    assert (past.revision, past.as_of) == (7, SPRING_2025)
    assert sorted(past.snapshot.strengths) == ["olga-acme", "uma-olga"]
    # Uma and Olga never met: the declared strength stands alone.
    assert past.snapshot.strengths["uma-olga"] == 0.8
    ranked = past.key_decision_makers("acme", None)
    assert [(d.id, round(d.score, 6)) for d in ranked] == [("olga", 0.73)]


def test_later_the_successor_is_the_decision_maker() -> None:
    past = view().past(AUTUMN_2025)
    ranked = past.key_decision_makers("acme", None)
    assert [(d.id, round(d.score, 6)) for d in ranked] == [("nina", 0.7)]


def test_a_past_snapshot_is_kept_and_leaves_the_current_one_alone() -> None:
    read_model = view()
    current = read_model.analytics
    first = read_model.past(SPRING_2025)
    assert read_model.past(SPRING_2025) is first
    assert read_model.kept_past(SPRING_2025) is first
    assert read_model.analytics is current
    assert current is not None and current.as_of == NOW


def test_a_write_makes_a_new_past_snapshot_without_the_deleted_stakeholder() -> None:
    read_model = view()
    before = read_model.past(SPRING_2025)
    read_model.apply([Change(8, EntityType.STAKEHOLDER, ChangeOp.DELETE, "olga", None)])
    assert read_model.kept_past(SPRING_2025) is None
    after = read_model.past(SPRING_2025)
    assert after is not before and after.revision == 8
    assert after.key_decision_makers("acme", None) == []


def test_the_least_recently_used_past_snapshot_goes_first() -> None:
    kept: PastSnapshots[str] = PastSnapshots(size=2)
    kept.put(SPRING_2025, 1, "spring")
    kept.put(AUTUMN_2025, 1, "autumn")
    assert kept.get(SPRING_2025, 1) == "spring"
    kept.put(NOW, 1, "now")
    assert kept.keys() == [(SPRING_2025, 1), (NOW, 1)]
    assert kept.get(AUTUMN_2025, 1) is None


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (datetime(2025, 3, 1), SPRING_2025),
        (datetime.fromisoformat("2025-03-01T02:00:00+02:00"), SPRING_2025),
    ],
)
def test_an_instant_is_read_in_utc(given: datetime, expected: datetime) -> None:
    assert instant(given) == expected
