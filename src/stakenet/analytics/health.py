"""Relationship health over time, and the portfolio of accounts ordered by risk.

This module owns the health of our relationship with one organisation, interval by interval,
and the account list built from it (docs/analytics.md has the formulas). Each point is read
locally at the interval's last instant (`stakenet.analytics.timeline`):

``interactions``
    Interactions in ``[start, end)`` in which the organisation took part, or someone employed
    or on its board on the interaction's date.
``mean_sentiment``
    Their mean recorded sentiment; None when none has one.
``coverage``
    The share of the organisation's top `TOP_DECISION_MAKERS` decision-makers then whom one of
    our people reaches by a warm tie: a direct tie current then whose strength then is at least
    `WARM_STRENGTH`, the strength below which the key-person risks call a tie cold. 0 when the
    organisation has no decision-makers. The top decision-makers are ranked with every factor
    but our coverage (`Timeline`): a measure of our reach must not count someone among the
    deciders because we reach them.
``best_path_strength``
    The strength of our strongest introduction path (at most 4 links) to the top
    decision-maker then; None when there is none or no path.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from stakenet.analytics.errors import InvalidParameter, NotAnOrganisation, UnknownStakeholder
from stakenet.analytics.risks import Risk
from stakenet.analytics.strength import InteractionRecord, is_current
from stakenet.analytics.timeline import StrengthsAt, Timeline
from stakenet.analytics.views import ORGANISATION_KINDS
from stakenet.domain.model import TieRole, tie_kinds_in

__all__ = [
    "MAX_POINTS",
    "TOP_DECISION_MAKERS",
    "TREND_DAYS",
    "WARM_STRENGTH",
    "AccountHealth",
    "HealthInterval",
    "HealthPoint",
    "Portfolio",
    "intervals",
    "relationship_health",
]

TOP_DECISION_MAKERS = 5
"""How many of the ranking count as the top decision-makers (as the key-person risks)."""

WARM_STRENGTH = 0.2
"""A tie this strong or stronger is warm: the key-person risks' cold threshold."""

MAX_POINTS = 120
"""The most intervals one question may ask for."""

TREND_DAYS = 90
"""The portfolio compares the last this many days with the as many before."""

_TICK = timedelta(microseconds=1)
_MEMBERSHIP_KINDS = tie_kinds_in(TieRole.EMPLOYMENT, TieRole.BOARD)


class HealthInterval(StrEnum):
    WEEK = "WEEK"
    MONTH = "MONTH"
    QUARTER = "QUARTER"


@dataclass(frozen=True, slots=True)
class HealthPoint:
    """The relationship with one organisation over ``[start, end)`` (see the module docstring).

    ``top_decision_maker`` is the first of the ranking at the interval's last instant.
    """

    start: datetime
    end: datetime
    interactions: int
    mean_sentiment: float | None
    coverage: float
    best_path_strength: float | None
    top_decision_maker: str | None
    decision_makers: int


def _add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def intervals(
    start: datetime, end: datetime, interval: HealthInterval
) -> list[tuple[datetime, datetime]]:
    """``[start, end)`` cut into weeks, calendar months or quarters counted from `start`; the
    last one ends at `end`.

    Raises
    ------
    InvalidParameter
        `end` is not after `start`, or there would be more than `MAX_POINTS` intervals.
    """
    if end <= start:
        raise InvalidParameter("to", "'to' must be after 'from'.")
    found: list[tuple[datetime, datetime]] = []
    step = 0
    lower = start
    while lower < end:
        step += 1
        if interval is HealthInterval.WEEK:
            upper = start + timedelta(weeks=step)
        else:
            upper = _add_months(start, step * (3 if interval is HealthInterval.QUARTER else 1))
        found.append((lower, min(upper, end)))
        if len(found) > MAX_POINTS:
            raise InvalidParameter(
                "interval", f"At most {MAX_POINTS} intervals fit in one question."
            )
        lower = upper
    return found


def _organisation(timeline: Timeline, org_id: str) -> None:
    attrs = timeline.graph.nodes.get(org_id)
    if attrs is None:
        raise UnknownStakeholder(org_id)
    if attrs.get("kind") not in ORGANISATION_KINDS:
        raise NotAnOrganisation(org_id, attrs.get("kind"))


def account_interactions(timeline: Timeline, org_id: str) -> list[InteractionRecord]:
    """The interactions that count for `org_id`, oldest first: the organisation took part, or
    someone employed or on its board on the interaction's date."""
    counted: dict[str, InteractionRecord] = {
        r.id: r for r in timeline.by_participant.get(org_id, ())
    }
    for person, ties in timeline.members_ever(org_id).items():
        for record in timeline.by_participant.get(person, ()):
            on = record.occurred_at.date()
            if record.id not in counted and any(is_current(t, on) for t in ties):
                counted[record.id] = record
    return sorted(counted.values(), key=lambda r: (r.occurred_at, r.id))


def _warm(strengths: StrengthsAt, person: str) -> bool:
    graph = strengths.timeline.graph
    nodes = graph.nodes
    edges = list(graph.out_edges(person, keys=True)) + [
        (v, u, key) for u, v, key in graph.in_edges(person, keys=True)
    ]
    return any(
        nodes[other].get("internal") and strengths.get(key, 0.0) >= WARM_STRENGTH
        for _, other, key in edges
    )


@dataclass(frozen=True, slots=True)
class _Standing:
    coverage: float
    best_path_strength: float | None
    top: str | None
    decision_makers: int


def _standing(
    timeline: Timeline, org_id: str, instant: datetime, *, best_path: bool = True
) -> _Standing:
    """The organisation's top decision-makers at `instant`, our warm coverage of them, and
    (with `best_path`) the strength of our best path to the first."""
    strengths = timeline.at(instant)
    top = [d.id for d in strengths.ranked_without_coverage(org_id)[:TOP_DECISION_MAKERS]]
    if not top:
        return _Standing(0.0, None, None, 0)
    covered = sum(1 for v in top if _warm(strengths, v))
    best = strengths.coverage(top[0]) if best_path else 0.0
    return _Standing(covered / len(top), best or None, top[0], len(top))


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def relationship_health(
    timeline: Timeline,
    org_id: str,
    windows: Sequence[tuple[datetime, datetime]],
    latest: datetime,
) -> list[HealthPoint]:
    """One `HealthPoint` per window, each read at the window's last instant (at `latest` when
    the window reaches past it)."""
    _organisation(timeline, org_id)
    counted = account_interactions(timeline, org_id)
    points = []
    for start, end in windows:
        inside = [r for r in counted if start <= r.occurred_at < end]
        standing = _standing(timeline, org_id, min(end - _TICK, latest))
        points.append(
            HealthPoint(
                start=start,
                end=end,
                interactions=len(inside),
                mean_sentiment=_mean([r.sentiment for r in inside if r.sentiment is not None]),
                coverage=standing.coverage,
                best_path_strength=standing.best_path_strength,
                top_decision_maker=standing.top,
                decision_makers=standing.decision_makers,
            )
        )
    return points


@dataclass(frozen=True, slots=True)
class AccountHealth:
    """One organisation we work with, and how much attention it needs.

    The trends compare the last `TREND_DAYS` days before ``as_of`` with the as many before
    them; ``risk`` orders the portfolio (see docs/analytics.md) and ``explanation`` says why.
    """

    org_id: str
    risk: float
    coverage: float
    coverage_before: float
    interactions: int
    interactions_before: int
    mean_sentiment: float | None
    mean_sentiment_before: float | None
    open_risks: tuple[Risk, ...]
    explanation: str

    @property
    def coverage_trend(self) -> float:
        return self.coverage - self.coverage_before

    @property
    def sentiment_trend(self) -> float | None:
        if self.mean_sentiment is None or self.mean_sentiment_before is None:
            return None
        return self.mean_sentiment - self.mean_sentiment_before


RISK_WEIGHTS: Mapping[str, float] = {
    "open_risk": 0.35,
    "exposure": 0.25,
    "coverage_loss": 0.15,
    "cooling": 0.15,
    "souring": 0.10,
}
"""The blend of an account's risk; each signal is in 0..1, so the risk is too."""


def accounts(timeline: Timeline, as_of: datetime) -> list[str]:
    """The organisations we work with at `as_of`: those, not ours, that one of our people has
    a current tie to (or to someone employed or on its board then), or that one of our people
    met (an interaction counted for it) in the last two trend windows."""
    graph = timeline.graph
    nodes = graph.nodes
    on = as_of.date()
    since = as_of - timedelta(days=2 * TREND_DAYS)

    def employers(person: str, day: Any) -> set[str]:
        return {
            org
            for _, org, attrs in graph.out_edges(person, data=True)
            if nodes[org].get("kind") in ORGANISATION_KINDS
            and attrs.get("kind") in _MEMBERSHIP_KINDS
            and is_current(attrs, day)
        }

    found: set[str] = set()
    ours = [
        v for v, attrs in nodes(data=True) if attrs.get("internal") and attrs["kind"] == "PERSON"
    ]
    for person in ours:
        edges = list(graph.out_edges(person, data=True)) + [
            (v, u, attrs) for u, v, attrs in graph.in_edges(person, data=True)
        ]
        for _, other, attrs in edges:
            if not is_current(attrs, on):
                continue
            if nodes[other].get("kind") in ORGANISATION_KINDS:
                found.add(other)
            else:
                found |= employers(other, on)
        for record in timeline.by_participant.get(person, ()):
            if not since <= record.occurred_at <= as_of:
                continue
            for other in record.participants:
                if nodes.get(other, {}).get("kind") in ORGANISATION_KINDS:
                    found.add(other)
                elif other in nodes:
                    found |= employers(other, record.occurred_at.date())
    return sorted(v for v in found if not nodes[v].get("internal"))


@dataclass(frozen=True, slots=True)
class _Trends:
    """An account's signals but its open risks, and the part of its risk they make."""

    org_id: str
    name: str
    now: _Standing
    before: _Standing
    interactions: int
    interactions_before: int
    mean_sentiment: float | None
    mean_sentiment_before: float | None
    partial_risk: float


def _trends(timeline: Timeline, org_id: str, as_of: datetime) -> _Trends:
    window = timedelta(days=TREND_DAYS)
    now = _standing(timeline, org_id, as_of, best_path=False)
    before = _standing(timeline, org_id, as_of - window, best_path=False)
    counted = account_interactions(timeline, org_id)
    last = [r for r in counted if as_of - window < r.occurred_at <= as_of]
    earlier = [r for r in counted if as_of - 2 * window < r.occurred_at <= as_of - window]
    sentiment = _mean([r.sentiment for r in last if r.sentiment is not None])
    sentiment_before = _mean([r.sentiment for r in earlier if r.sentiment is not None])
    signals = {
        "exposure": 1.0 - now.coverage,
        "coverage_loss": max(0.0, before.coverage - now.coverage),
        "cooling": (
            max(0.0, 1.0 - len(last) / len(earlier)) if earlier else (0.0 if last else 1.0)
        ),
        "souring": min(1.0, max(0.0, ((sentiment_before or 0.0) - (sentiment or 0.0)) / 2.0)),
    }
    return _Trends(
        org_id=org_id,
        name=str(timeline.graph.nodes[org_id].get("name", org_id)),
        now=now,
        before=before,
        interactions=len(last),
        interactions_before=len(earlier),
        mean_sentiment=sentiment,
        mean_sentiment_before=sentiment_before,
        partial_risk=sum(RISK_WEIGHTS[name] * value for name, value in signals.items()),
    )


def _account_health(trends: _Trends, risks: Sequence[Risk]) -> AccountHealth:
    worst = max((r.severity for r in risks), default=0.0)
    return AccountHealth(
        org_id=trends.org_id,
        risk=trends.partial_risk + RISK_WEIGHTS["open_risk"] * worst,
        coverage=trends.now.coverage,
        coverage_before=trends.before.coverage,
        interactions=trends.interactions,
        interactions_before=trends.interactions_before,
        mean_sentiment=trends.mean_sentiment,
        mean_sentiment_before=trends.mean_sentiment_before,
        open_risks=tuple(risks),
        explanation=_explain(
            trends.now,
            trends.before,
            trends.interactions,
            trends.interactions_before,
            trends.mean_sentiment,
            trends.mean_sentiment_before,
            risks,
        ),
    )


def _percent(share: float) -> str:
    return f"{round(share * 100)} %"


def _count(n: int, noun: str) -> str:
    """`n` and `noun`, plural unless `n` is 1 (the nouns used here take an "s")."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _coverage_sentence(now: _Standing, before: _Standing, days: int) -> str:
    changed = before.decision_makers and abs(now.coverage - before.coverage) > 1e-9
    if now.decision_makers == 1:
        if now.coverage > 0:
            return "We reach the top decision-maker by a warm tie" + (
                f" (we did not {days} days ago)." if changed else "."
            )
        return "None of our people reaches the top decision-maker by a warm tie" + (
            f" (we did {days} days ago)." if changed else "."
        )
    sentence = (
        f"We reach {_percent(now.coverage)} of the top {now.decision_makers} "
        "decision-makers by a warm tie"
    )
    if changed:
        sentence += f", {_percent(before.coverage)} {days} days ago"
    return sentence + "."


def _explain(
    now: _Standing,
    before: _Standing,
    interactions: int,
    interactions_before: int,
    sentiment: float | None,
    sentiment_before: float | None,
    risks: Sequence[Risk],
) -> str:
    days = TREND_DAYS
    sentences = []
    if now.decision_makers == 0:
        sentences.append("No decision-makers are on file.")
    else:
        sentences.append(_coverage_sentence(now, before, days))
    sentences.append(
        f"{_count(interactions, 'interaction')} in the last {days} days, "
        f"{interactions_before} in the {days} before."
    )
    if sentiment is not None and sentiment_before is not None:
        if sentiment < sentiment_before:
            sentences.append(f"Sentiment fell from {sentiment_before:+.2f} to {sentiment:+.2f}.")
        elif sentiment > sentiment_before:
            sentences.append(f"Sentiment rose from {sentiment_before:+.2f} to {sentiment:+.2f}.")
    elif sentiment is not None:
        sentences.append(f"Sentiment {sentiment:+.2f}.")
    if risks:
        worst = max(risks, key=lambda r: r.severity)
        risk_count = _count(len(risks), "open key-person risk")
        sentences.append(f"{risk_count}; the worst: {worst.explanation}")
    else:
        sentences.append("No open key-person risks.")
    return " ".join(sentences)


class Portfolio:
    """Every account (`accounts`) at one instant, riskiest first, then by name and id.

    The key-person risks are the costly signal, and they add at most their weight to an
    account's risk: the accounts are scored without them first, and an account's risks are
    found only while it could still be among those asked for. What is found is kept.
    """

    def __init__(
        self, timeline: Timeline, as_of: datetime, risks_of: Callable[[str], Sequence[Risk]]
    ) -> None:
        self._risks_of = risks_of
        self._bound = RISK_WEIGHTS["open_risk"]
        self._trends = sorted(
            (_trends(timeline, org, as_of) for org in accounts(timeline, as_of)),
            key=lambda t: (-t.partial_risk, t.name, t.org_id),
        )
        self._found: dict[str, AccountHealth] = {}

    def first(self, count: int) -> list[AccountHealth]:
        """The `count` accounts most at risk, in order."""
        ranked: list[AccountHealth] = []
        names = {t.org_id: t.name for t in self._trends}

        def order(account: AccountHealth) -> tuple[float, str, str]:
            return (-account.risk, names[account.org_id], account.org_id)

        for trends in self._trends:
            if len(ranked) >= count and trends.partial_risk + self._bound < ranked[count - 1].risk:
                break
            account = self._found.get(trends.org_id)
            if account is None:
                account = _account_health(trends, self._risks_of(trends.org_id))
                self._found[trends.org_id] = account
            ranked.append(account)
            ranked.sort(key=order)
        return ranked[:count]
