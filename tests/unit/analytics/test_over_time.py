"""What changed, relationship health month by month and the portfolio, on a hand-built
account: a chief executive who leaves and is replaced, months without interactions, sentiment
turning negative, and a decision-maker added."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import networkx as nx
import pytest
from analytics_helpers import account, at, meeting

from stakenet.analytics.decision_makers import coverage_from_us
from stakenet.analytics.errors import InvalidParameter, NotAnOrganisation
from stakenet.analytics.health import HealthInterval, intervals
from stakenet.analytics.network_view import AnalyticsState, NetworkView
from stakenet.analytics.paths import person_graph
from stakenet.analytics.sharded import ShardedTable
from stakenet.analytics.strength import InteractionRecord
from stakenet.analytics.timeline import Timeline
from stakenet.domain.model import GraphData, Stakeholder, StakeholderKind, Tie, TieKind

PERSON, COMPANY = StakeholderKind.PERSON, StakeholderKind.COMPANY
NOW = datetime(2025, 12, 1, tzinfo=UTC)


def state_of(data: GraphData, now: datetime = NOW) -> AnalyticsState:
    view = NetworkView()
    view.load(data)
    return view.refresh(now)


def test_health_month_by_month_follows_the_account() -> None:
    state = state_of(account())
    windows = intervals(at("2025-01-01"), at("2025-10-01"), HealthInterval.MONTH)
    points = state.relationship_health("acme", windows)
    assert [
        (
            p.start.date().isoformat(),
            p.interactions,
            p.mean_sentiment,
            p.coverage,
            p.best_path_strength,
            p.top_decision_maker,
            p.decision_makers,
        )
        for p in points
    ] == [
        ("2025-01-01", 1, 0.5, 1.0, 0.8, "olga", 1),
        ("2025-02-01", 0, None, 1.0, 0.8, "olga", 1),
        ("2025-03-01", 1, 0.5, 1.0, 0.8, "olga", 1),
        ("2025-04-01", 0, None, 1.0, 0.8, "olga", 1),
        ("2025-05-01", 0, None, 1.0, 0.8, "olga", 1),
        # Olga's last day is 30 June: June is still hers.
        ("2025-06-01", 0, None, 1.0, 0.8, "olga", 1),
        # Nina decides from July; we know her only from August.
        ("2025-07-01", 0, None, 0.0, None, "nina", 1),
        ("2025-08-01", 1, -0.5, 1.0, 0.5, "nina", 1),
        # Dan joins: Nina is still first, and Dan has no warm tie to us.
        ("2025-09-01", 0, None, 0.5, 0.5, "nina", 2),
    ]
    assert points[-1].end == at("2025-10-01")


def test_the_local_ranking_and_coverage_are_the_past_snapshots() -> None:
    data = account()
    state = state_of(data)
    for day in ("2025-03-01", "2025-07-15", "2025-09-30"):
        instant = at(day)
        view = NetworkView()
        view.load(data)
        past = view.past(instant)
        local = state.timeline().at(instant)
        # The same ranking, less the factor of our coverage.
        expected = [
            (d.id, d.score - d.factors[-1].contribution)
            for d in past.key_decision_makers("acme", None)
        ]
        assert [d.factors[-1].name for d in past.key_decision_makers("acme", None)] == [
            "our_coverage"
        ] * len(expected)
        expected.sort(key=lambda item: -item[1])
        assert [(d.id, d.score) for d in local.ranked_without_coverage("acme")] == [
            (v, pytest.approx(s, abs=1e-12)) for v, s in expected
        ]
        everyone = coverage_from_us(person_graph(past._graph, past.snapshot.strengths))
        for person in ("olga", "nina", "dan", "uma"):
            assert local.coverage(person) == pytest.approx(everyone.get(person, 0.0))


def test_intervals_are_calendar_steps_and_the_last_one_ends_at_to() -> None:
    assert intervals(at("2025-01-31"), at("2025-04-15"), HealthInterval.MONTH) == [
        (at("2025-01-31"), at("2025-02-28")),
        (at("2025-02-28"), at("2025-03-31")),
        (at("2025-03-31"), at("2025-04-15")),
    ]
    assert intervals(at("2025-01-01"), at("2025-07-01"), HealthInterval.QUARTER) == [
        (at("2025-01-01"), at("2025-04-01")),
        (at("2025-04-01"), at("2025-07-01")),
    ]
    assert intervals(at("2025-01-01"), at("2025-01-10"), HealthInterval.WEEK) == [
        (at("2025-01-01"), at("2025-01-08")),
        (at("2025-01-08"), at("2025-01-10")),
    ]


def test_a_window_the_wrong_way_round_or_too_long_is_refused() -> None:
    with pytest.raises(InvalidParameter, match="'to' must be after 'from'"):
        intervals(at("2025-02-01"), at("2025-01-01"), HealthInterval.MONTH)
    with pytest.raises(InvalidParameter, match="At most 120 intervals"):
        intervals(at("2000-01-01"), at("2025-01-01"), HealthInterval.WEEK)


def test_health_of_a_person_is_refused() -> None:
    with pytest.raises(NotAnOrganisation):
        state_of(account()).relationship_health("uma", [(at("2025-01-01"), at("2025-02-01"))])


def test_the_portfolio_puts_the_souring_account_first_and_says_why() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)

    def day(days_ago: int) -> str:
        return (now - timedelta(days=days_ago)).date().isoformat()

    data = GraphData(
        revision=3,
        stakeholders=[
            Stakeholder(id="acme", kind=COMPANY, name="Acme"),
            Stakeholder(id="bolt", kind=COMPANY, name="Bolt"),
            Stakeholder(id="ann", kind=PERSON, name="Ann", title="CEO"),
            Stakeholder(id="ben", kind=PERSON, name="Ben", title="CEO"),
            Stakeholder(id="uma", kind=PERSON, name="Uma", internal=True),
            Stakeholder(id="ulf", kind=PERSON, name="Ulf", internal=True),
        ],
        ties=[
            Tie(id="ann-acme", kind=TieKind.WORKS_FOR, source_id="ann", target_id="acme"),
            Tie(id="ben-bolt", kind=TieKind.WORKS_FOR, source_id="ben", target_id="bolt"),
            Tie(id="uma-ann", kind=TieKind.KNOWS, source_id="uma", target_id="ann", strength=0.9),
            Tie(id="ulf-ben", kind=TieKind.KNOWS, source_id="ulf", target_id="ben", strength=0.9),
        ],
        interactions=[
            # Acme: steady and warm.
            meeting("a1", day(150), ("ulf", "ann"), 0.5),
            meeting("a2", day(30), ("ulf", "ann"), 0.5),
            # Bolt: two warm meetings before, one hostile since.
            meeting("b1", day(170), ("uma", "ben"), 0.6),
            meeting("b2", day(120), ("uma", "ben"), 0.6),
            meeting("b3", day(20), ("uma", "ben"), -0.4),
        ],
    )
    state = state_of(data, now)
    found = state.portfolio(5)
    assert state.portfolio(1) == found[:1]
    assert [a.org_id for a in found] == ["bolt", "acme"]
    bolt, acme = found
    assert (bolt.interactions, bolt.interactions_before) == (1, 2)
    assert (bolt.mean_sentiment, bolt.mean_sentiment_before) == (-0.4, 0.6)
    assert bolt.sentiment_trend == pytest.approx(-1.0)
    assert (bolt.coverage, bolt.coverage_before, bolt.coverage_trend) == (1.0, 1.0, 0.0)
    # Each of Ann and Ben is reached by one of ours only.
    assert [r.kind for r in bolt.open_risks] == ["SINGLE_RELATIONSHIP_OWNER"]
    severity = 0.8
    assert bolt.risk == pytest.approx(0.35 * severity + 0.15 * 0.5 + 0.10 * 0.5)
    assert acme.risk == pytest.approx(0.35 * severity)
    assert bolt.explanation == (
        "We reach the top decision-maker by a warm tie. "
        "1 interaction in the last 90 days, 2 in the 90 before. "
        "Sentiment fell from +0.60 to -0.40. "
        "1 open key-person risk; the worst: Only Ulf on our side can reach Ben (Bolt)."
    )


def test_what_changed_is_read_from_the_dates_of_the_ties() -> None:
    graph = state_of(account())
    changes = graph.changes(at("2025-06-30"), at("2025-09-15"), "acme")
    assert [(c.tie_id, c.on.isoformat()) for c in changes.joined] == [
        ("nina-acme", "2025-07-01"),
        ("dan-acme", "2025-09-15"),
    ]
    # Olga's last day was 30 June, the window's first: she was there at its start.
    assert [(c.tie_id, c.on.isoformat()) for c in changes.left] == [("olga-acme", "2025-07-01")]
    assert [c.tie_id for c in changes.ties_started] == ["nina-acme", "uma-nina", "dan-acme"]
    later = graph.changes(at("2025-07-01"), at("2025-09-14"), None)
    assert [c.tie_id for c in later.joined] == []
    assert [c.tie_id for c in later.ties_started] == ["uma-nina"]
    assert later.left == [] and later.ties_ended == []


def test_at_the_snapshot_instant_the_local_ranking_weighs_advisers_as_the_snapshot() -> None:
    data = account()
    data.stakeholders.append(Stakeholder(id="vera", kind=PERSON, name="Vera"))
    data.ties.append(Tie(id="vera-nina", kind=TieKind.ADVISES, source_id="vera", target_id="nina"))
    state = state_of(data)
    ranked = state.key_decision_makers("acme", None)
    expected = sorted(
        ((d.id, d.score - d.factors[-1].contribution) for d in ranked), key=lambda i: -i[1]
    )
    local = state.timeline().at(NOW).ranked_without_coverage("acme")
    assert [(d.id, d.score) for d in local] == [
        (v, pytest.approx(s, abs=1e-12)) for v, s in expected
    ]
    assert [d.id for d in local] == ["nina", "dan", "vera"]
    assert local[0].factors[3].value > 0  # Vera's advice reaches Nina


def test_a_timeline_finds_every_tie_by_id_without_one_table_of_them_all() -> None:
    """A million ties in one dict grow it in steps that hold the interpreter for up to a tenth
    of a second while a server adopts a snapshot; no dict of a timeline holds more than a small
    share of its ties or of its pairs of people met."""
    graph = nx.MultiDiGraph()
    for number in range(20_000):
        graph.add_edge(f"p{number % 700}", f"o{number % 90}", key=f"t{number}", kind="knows")
    pairs = [(f"p{n % 700}", f"q{n}") for n in range(20_000)]
    interactions = {
        f"i{n}": InteractionRecord(f"i{n}", "MEETING", NOW, None, pair)
        for n, pair in enumerate(pairs)
    }
    timeline = Timeline(graph, interactions)
    assert len(timeline.ties) == 20_000
    for source, target, key, attrs in graph.edges(keys=True, data=True):
        assert timeline.ties.get(key) == (source, target, attrs)
    assert timeline.ties.get("t20000") is None
    largest = max(
        len(part)
        for table in timeline.tables()
        for part in (table.shards if isinstance(table, ShardedTable) else [table])
    )
    assert largest <= 20_000 / 64


def test_the_strengths_at_an_instant_list_the_ties_in_the_graph_s_order() -> None:
    state = state_of(account())
    strengths = state.timeline().at(at("2025-09-30"))
    current = [key for _, _, key in state._graph.edges(keys=True) if key in strengths]
    assert list(strengths) == current and len(current) >= 4
