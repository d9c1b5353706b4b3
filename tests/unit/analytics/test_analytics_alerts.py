"""Alert detection on a small hand-built network whose every answer is worked out by hand.

Acme's people, ranked by `key_decision_makers` (no centrality, our coverage from paths):
carla (C_LEVEL, DECISION_MAKER) 0.35 + 0.30 + 0.10 × 0.8 = 0.73, finn (VP_DIRECTOR,
ECONOMIC_BUYER) 0.2625 + 0.27 + 0.05 = 0.5825, sam (STAFF) about 0.09. Our people: ulla knows
carla (0.8) and finn (0.5), uwe knows carla (0.6).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from analytics_helpers import GraphBuilder

from stakenet.analytics.alerts import (
    AlertParams,
    Cause,
    Sentiment,
    Watch,
    detect,
    watch_network,
)
from stakenet.analytics.coverage import WARM_THRESHOLD, coverage, warm_contacts
from stakenet.analytics.decision_makers import key_decision_makers
from stakenet.analytics.network_at import NetworkAt
from stakenet.analytics.risks import RiskParams
from stakenet.analytics.strength import InteractionRecord
from stakenet.domain.alerts import Alert, AlertKind, AlertSeverity

NOW = datetime(2026, 6, 1, tzinfo=UTC)
MEDIUM, HIGH, LOW = AlertSeverity.MEDIUM, AlertSeverity.HIGH, AlertSeverity.LOW


def acme() -> tuple[GraphBuilder, dict[str, float]]:
    b = GraphBuilder()
    b.org("us", internal=True)
    b.org("acme")
    b.person("ulla", internal=True)
    b.person("uwe", internal=True)
    b.person("carla", "C_LEVEL")
    b.person("finn", "VP_DIRECTOR")
    b.person("sam", "STAFF")
    b.tie("ulla", "us", "WORKS_FOR", 1.0, key="w-ulla")
    b.tie("uwe", "us", "WORKS_FOR", 1.0, key="w-uwe")
    b.tie("carla", "acme", "WORKS_FOR", 1.0, key="w-carla", decision_role="DECISION_MAKER")
    b.tie("finn", "acme", "WORKS_FOR", 1.0, key="w-finn", decision_role="ECONOMIC_BUYER")
    b.tie("sam", "acme", "WORKS_FOR", 1.0, key="w-sam")
    b.tie("ulla", "carla", "KNOWS", 0.8, key="t-ulla-carla")
    b.tie("uwe", "carla", "KNOWS", 0.6, key="t-uwe-carla")
    b.tie("ulla", "finn", "KNOWS", 0.5, key="t-ulla-finn")
    return b, b.strengths()


def watch(
    b: GraphBuilder,
    strengths: dict[str, float],
    interactions: list[InteractionRecord] | None = None,
    params: AlertParams | None = None,
    at: datetime = NOW,
) -> Watch:
    network = NetworkAt.of(b.G, strengths, at)

    def ranked(org: str, limit: int) -> list:  # type: ignore[type-arg]
        return key_decision_makers(network, org, limit)

    return watch_network(b.G, strengths, interactions or [], ranked, 7, at, params)


def stored(cause: Cause, alert_id: str = "a") -> Alert:
    return Alert(
        alert_id,
        cause.kind,
        cause.severity,
        NOW,
        7,
        cause.organization_id,
        cause.stakeholder_ids,
        cause.explanation,
        cause.fingerprint,
    )


def test_the_warm_threshold_is_the_one_the_key_person_risks_call_cold() -> None:
    assert WARM_THRESHOLD == RiskParams().cold_threshold == 0.2
    assert AlertParams().top == RiskParams().top == 5


def test_coverage_is_the_share_of_top_decision_makers_one_of_us_reaches_warmly() -> None:
    b, strengths = acme()
    assert warm_contacts(b.G, strengths, "carla") == {
        "ulla": ("t-ulla-carla", 0.8),
        "uwe": ("t-uwe-carla", 0.6),
    }
    assert coverage(b.G, strengths, ["carla", "finn", "sam"]) == 2 / 3
    assert coverage(b.G, {**strengths, "t-ulla-finn": 0.19}, ["carla", "finn", "sam"]) == 1 / 3
    assert coverage(b.G, {**strengths, "t-ulla-finn": 0.2}, ["carla", "finn"]) == 1.0
    assert coverage(b.G, strengths, []) == 0.0


def test_the_watch_holds_the_top_decision_makers_their_ties_with_us_and_coverage() -> None:
    b, strengths = acme()
    found = watch(b, strengths)
    assert set(found.organisations) == {"acme"}  # our own organisation is not watched
    acme_watch = found.organisations["acme"]
    assert acme_watch.top == ("carla", "finn", "sam")
    assert {t: (w.ours, w.decision_maker, w.strength) for t, w in acme_watch.ties.items()} == {
        "t-ulla-carla": ("ulla", "carla", 0.8),
        "t-uwe-carla": ("uwe", "carla", 0.6),
        "t-ulla-finn": ("ulla", "finn", 0.5),
    }
    assert dict(acme_watch.contacts) == {
        "carla": frozenset({"ulla", "uwe"}),
        "finn": frozenset({"ulla"}),
        "sam": frozenset(),
    }
    assert acme_watch.coverage == 2 / 3


def test_the_first_evaluation_sets_the_baseline_and_raises_nothing() -> None:
    b, strengths = acme()
    cold = {**strengths, "t-ulla-finn": 0.1}
    assert detect(None, watch(b, cold), []).raised == ()
    # An organisation the previous evaluation did not hold raises nothing either.
    empty = replace(watch(b, strengths), organisations={})
    assert detect(empty, watch(b, cold), []).raised == ()


def test_a_tie_to_a_decision_maker_that_goes_cold_drops_coverage() -> None:
    b, strengths = acme()
    before = watch(b, strengths)
    after = watch(b, {**strengths, "t-ulla-finn": 0.1})
    found = detect(before, after, [])
    assert found.cleared == frozenset()
    assert found.raised == (
        Cause(
            AlertKind.COVERAGE_DROPPED,
            MEDIUM,
            "acme",
            ("finn",),
            "uncovered",
            "Coverage of acme fell from 2 of 3 to 1 of 3 top decision-makers: none of our "
            "people reaches finn by a warm tie.",
        ),
        Cause(
            AlertKind.TIE_COLD,
            HIGH,
            "acme",
            ("finn", "ulla"),
            "tie t-ulla-finn",
            "The tie between ulla and finn, a top decision-maker at acme, fell below the warm "
            "threshold 0.20: strength 0.50 before, 0.10 now; none of our people reaches them "
            "by a warm tie now.",
        ),
    )
    assert found.raised[1].fingerprint == "TIE_COLD|acme|finn,ulla|tie t-ulla-finn"


def test_a_cause_is_raised_once_and_cleared_when_it_no_longer_holds() -> None:
    b, strengths = acme()
    warm, cold = watch(b, strengths), watch(b, {**strengths, "t-ulla-finn": 0.1})
    raised = detect(warm, cold, []).raised
    open_alerts = [stored(cause, f"a{i}") for i, cause in enumerate(raised)]
    # The next refresh finds the same causes: none is raised again, none is cleared.
    assert detect(cold, cold, open_alerts) == detect(cold, cold, open_alerts)
    again = detect(cold, cold, open_alerts)
    assert (again.raised, again.cleared) == ((), frozenset())
    # Even against a baseline where the tie was warm (another replica's view), the open alerts
    # keep the causes from being raised twice.
    assert detect(warm, cold, open_alerts).raised == ()
    # The tie warms up again: both causes are gone.
    healed = detect(cold, warm, open_alerts)
    assert healed.raised == ()
    assert healed.cleared == {a.fingerprint for a in open_alerts}
    # ... and when it cools once more, they are raised anew.
    assert [c.kind for c in detect(warm, cold, []).raised] == [
        AlertKind.COVERAGE_DROPPED,
        AlertKind.TIE_COLD,
    ]


def test_a_decision_maker_left_with_one_warm_contact_is_a_new_single_contact() -> None:
    b, strengths = acme()
    before = watch(b, strengths)
    after = watch(b, {**strengths, "t-uwe-carla": 0.1})
    found = detect(before, after, [])
    assert found.raised == (
        Cause(
            AlertKind.SINGLE_CONTACT,
            HIGH,
            "acme",
            ("carla", "ulla"),
            "only warm contact",
            "ulla is now our only warm contact with carla, decision-maker #1 at acme (we had 2).",
        ),
        Cause(
            AlertKind.TIE_COLD,
            MEDIUM,
            "acme",
            ("carla", "uwe"),
            "tie t-uwe-carla",
            "The tie between uwe and carla, a top decision-maker at acme, fell below the warm "
            "threshold 0.20: strength 0.60 before, 0.10 now; 1 of our people still reach them "
            "warmly.",
        ),
    )
    # finn had one warm contact all along: that is not new.
    assert all(c.stakeholder_ids[0] != "finn" for c in found.raised)


def test_someone_entering_the_top_decision_makers_is_reported_with_the_coverage_drop() -> None:
    b, strengths = acme()
    before = watch(b, strengths)
    b.person("dana", "C_LEVEL")
    b.tie("dana", "acme", "WORKS_FOR", 1.0, key="w-dana", decision_role="DECISION_MAKER")
    after = watch(b, b.strengths())
    assert after.organisations["acme"].top == ("carla", "dana", "finn", "sam")
    assert detect(before, after, []).raised == (
        Cause(
            AlertKind.DECISION_MAKER_CHANGED,
            MEDIUM,
            "acme",
            ("dana",),
            "entered",
            "dana is now decision-maker #2 at acme; none of our people reaches them by a warm tie.",
        ),
        Cause(
            AlertKind.COVERAGE_DROPPED,
            MEDIUM,
            "acme",
            ("dana",),
            "uncovered",
            "Coverage of acme fell from 2 of 3 to 2 of 4 top decision-makers: none of our "
            "people reaches dana by a warm tie.",
        ),
    )


def test_someone_leaving_the_top_decision_makers_is_reported_and_clears_when_back() -> None:
    b, strengths = acme()
    top_three = AlertParams(top=3)
    before = watch(b, strengths, params=top_three)
    b.person("dana", "C_LEVEL")
    b.tie("dana", "acme", "WORKS_FOR", 1.0, key="w-dana", decision_role="DECISION_MAKER")
    b.tie("uwe", "dana", "KNOWS", 0.7, key="t-uwe-dana")
    after = watch(b, b.strengths(), params=top_three)
    found = detect(before, after, [])
    assert [(c.kind, c.severity, c.stakeholder_ids, c.explanation) for c in found.raised] == [
        (
            AlertKind.DECISION_MAKER_CHANGED,
            LOW,
            ("dana",),
            "dana is now decision-maker #2 at acme; one of our people reaches them by a warm tie.",
        ),
        (
            AlertKind.DECISION_MAKER_CHANGED,
            LOW,
            ("sam",),
            "sam is no longer one of the top 3 decision-makers at acme.",
        ),
    ]
    # dana leaves the organisation: both alerts' causes are gone.
    open_alerts = [stored(c, f"a{i}") for i, c in enumerate(found.raised)]
    assert detect(after, before, open_alerts).cleared == {a.fingerprint for a in open_alerts}


def meeting(at: datetime, sentiment: float, n: int) -> InteractionRecord:
    return InteractionRecord(f"i{n}", "MEETING", at, sentiment, ("ulla", "sam"))


def test_recent_sentiment_that_fell_markedly_is_a_sentiment_drop() -> None:
    b, strengths = acme()
    earlier = [
        meeting(NOW - timedelta(days=60), 0.8, 1),
        meeting(NOW - timedelta(days=90), 0.6, 2),
        # Older than the two windows together (210 days): not counted.
        meeting(NOW - timedelta(days=300), -1.0, 3),
    ]
    one_bad = [*earlier, meeting(NOW - timedelta(days=2), -0.2, 4)]
    two_bad = [*one_bad, meeting(NOW - timedelta(days=1), 0.0, 5)]
    before = watch(b, strengths, one_bad)
    # One recent interaction is not enough to judge.
    assert before.organisations["acme"].sentiment == Sentiment(-0.2, 1, 0.7, 2)
    assert detect(watch(b, strengths, earlier), before, []).raised == ()
    after = watch(b, strengths, two_bad)
    assert after.organisations["acme"].sentiment == Sentiment(-0.1, 2, 0.7, 2)
    assert detect(before, after, []).raised == (
        Cause(
            AlertKind.SENTIMENT_DROP,
            HIGH,
            "acme",
            (),
            "fell",
            "Sentiment of our interactions with acme fell from +0.70 (2 in the 180 days before) "
            "to -0.10 (2 in the last 30 days).",
        ),
    )
    # A drop of less than 0.3 is not marked: 0.7 → 0.45.
    mild = [
        *earlier,
        meeting(NOW - timedelta(days=2), 0.4, 4),
        meeting(NOW - timedelta(days=1), 0.5, 5),
    ]
    assert detect(before, watch(b, strengths, mild), []).raised == ()


def test_the_alerts_of_an_organisation_that_is_gone_are_cleared() -> None:
    b, strengths = acme()
    warm, cold = watch(b, strengths), watch(b, {**strengths, "t-ulla-finn": 0.1})
    open_alerts = [stored(c, f"a{i}") for i, c in enumerate(detect(warm, cold, []).raised)]
    gone = replace(cold, organisations={})
    assert detect(cold, gone, open_alerts).cleared == {a.fingerprint for a in open_alerts}


def test_an_alert_raised_from_a_newer_snapshot_is_not_cleared_by_an_older_one() -> None:
    b, strengths = acme()
    warm, cold = watch(b, strengths), watch(b, {**strengths, "t-ulla-finn": 0.1})
    # Another replica, at revision 8, raised the causes; this one is still at revision 7.
    newer = [replace(stored(c), revision=8) for c in detect(warm, cold, []).raised]
    assert detect(warm, warm, newer).cleared == frozenset()
    assert detect(warm, replace(warm, revision=8), newer).cleared == {a.fingerprint for a in newer}
