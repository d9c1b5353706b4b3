"""Alert detection: what got worse for each organisation between two evaluations.

This module owns the alert rules (docs/analytics.md, "Alerts"). After each refresh,
`watch_network` records, for every organisation that is not ours, what the alerts watch (a
`Watch`): its top decision-makers, the ties between our people and them, who of us reaches
each by a warm tie (`stakenet.analytics.coverage`), and the recent sentiment of our interactions
with its people. `detect` compares the new watch with the previous one and with the alerts
still open, and says which causes to raise and which open alerts to clear:

* a cause is raised when it holds now and did not at the previous evaluation (an organisation
  the previous watch did not hold raises nothing: it sets the baseline);
* an open alert is cleared when its cause no longer holds (judged only by a snapshot at least
  as new as the one that raised it);
* a cause whose alert is still open is not raised again.

Everything here is a pure function of its arguments.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

import networkx as nx

from stakenet.analytics.coverage import WARM_THRESHOLD
from stakenet.analytics.decision_makers import DecisionMaker
from stakenet.analytics.paths import MEMBERSHIP_KINDS
from stakenet.analytics.strength import InteractionRecord
from stakenet.analytics.views import ORGANISATION_KINDS
from stakenet.domain.alerts import Alert, AlertKind, AlertSeverity, fingerprint

__all__ = [
    "AlertParams",
    "Cause",
    "Detection",
    "OrganisationWatch",
    "Sentiment",
    "Watch",
    "WatchedTie",
    "detect",
    "watch_network",
]

DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class AlertParams:
    """Thresholds of the alert rules (see docs/analytics.md)."""

    warm: float = WARM_THRESHOLD
    top: int = 5  # the decision-makers the key-person risks examine
    sentiment_recent_days: float = 30.0
    sentiment_baseline_days: float = 180.0
    sentiment_drop: float = 0.3
    sentiment_min_interactions: int = 2


@dataclass(frozen=True, slots=True)
class WatchedTie:
    """A current tie between one of our people and a top decision-maker."""

    ours: str
    decision_maker: str
    strength: float


@dataclass(frozen=True, slots=True)
class Sentiment:
    """Mean sentiment of our interactions with an organisation's people in two windows."""

    recent_mean: float
    recent_count: int
    baseline_mean: float
    baseline_count: int


@dataclass(frozen=True, slots=True)
class OrganisationWatch:
    """What the alerts watch at one organisation at one evaluation."""

    id: str
    name: str
    top: tuple[str, ...]
    ties: Mapping[str, WatchedTie]
    contacts: Mapping[str, frozenset[str]]  # top decision-maker -> our people with a warm tie
    sentiment: Sentiment | None
    names: Mapping[str, str]

    @property
    def covered(self) -> tuple[str, ...]:
        return tuple(d for d in self.top if self.contacts.get(d))

    @property
    def coverage(self) -> float:
        return len(self.covered) / len(self.top) if self.top else 0.0

    def label(self, stakeholder_id: str) -> str:
        return self.names.get(stakeholder_id, stakeholder_id)


@dataclass(frozen=True, slots=True)
class Watch:
    """One evaluation of every organisation."""

    revision: int
    at: datetime
    organisations: Mapping[str, OrganisationWatch]
    params: AlertParams = field(default_factory=AlertParams)


@dataclass(frozen=True, slots=True)
class Cause:
    """An alert to raise, before it is given an id."""

    kind: AlertKind
    severity: AlertSeverity
    organization_id: str
    stakeholder_ids: tuple[str, ...]
    condition: str
    explanation: str

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.kind, self.organization_id, self.stakeholder_ids, self.condition)


@dataclass(frozen=True, slots=True)
class Detection:
    raised: tuple[Cause, ...]
    cleared: frozenset[str]  # fingerprints of open alerts whose cause is gone


# -- watching --------------------------------------------------------------------------------


def watch_network(
    G: nx.MultiDiGraph,
    strengths: Mapping[str, float],
    interactions: Iterable[InteractionRecord],
    decision_makers: Callable[[str, int], Sequence[DecisionMaker]],
    revision: int,
    at: datetime,
    params: AlertParams | None = None,
) -> Watch:
    """What the alerts watch at every organisation that is not ours.

    Parameters
    ----------
    G : nx.MultiDiGraph
        The projection of the snapshot.
    strengths : Mapping[str, float]
        ``tie_id -> effective strength`` of the current ties (the snapshot's).
    interactions : iterable of InteractionRecord
    decision_makers : callable
        ``(org_id, limit) -> ranked decision-makers`` of the snapshot.
    revision, at
        The snapshot's revision and as-of instant.
    """
    p = params or AlertParams()
    nodes = G.nodes
    organisations = [
        v
        for v, attrs in nodes(data=True)
        if attrs.get("kind") in ORGANISATION_KINDS and not attrs.get("internal")
    ]
    sentiments = _sentiments(G, strengths, interactions, at, p)
    watched: dict[str, OrganisationWatch] = {}
    for org in organisations:
        top = tuple(d.id for d in decision_makers(org, p.top)) if p.top > 0 else ()
        ties: dict[str, WatchedTie] = {}
        contacts: dict[str, frozenset[str]] = {}
        for d in top:
            with_us = _ties_with_us(G, strengths, d)
            ties.update(with_us)
            # `warm_contacts` of d, read off the same pass over d's ties.
            contacts[d] = frozenset(t.ours for t in with_us.values() if t.strength >= p.warm)
        named = set(top) | {t.ours for t in ties.values()}
        watched[org] = OrganisationWatch(
            id=org,
            name=str(nodes[org].get("name", org)),
            top=top,
            ties=MappingProxyType(ties),
            contacts=MappingProxyType(contacts),
            sentiment=sentiments.get(org),
            names=MappingProxyType({v: str(nodes[v].get("name", v)) for v in named}),
        )
    return Watch(revision, at, MappingProxyType(watched), p)


def _ties_with_us(
    G: nx.MultiDiGraph, strengths: Mapping[str, float], person: str
) -> dict[str, WatchedTie]:
    nodes = G.nodes
    found: dict[str, WatchedTie] = {}
    # A decision-maker may have thousands of ties and we are few: look at each neighbour once,
    # and at the ties only of those who are ours.
    for neighbours in (G.succ[person], G.pred[person]):
        for other, keyed in neighbours.items():
            if other == person or not nodes[other].get("internal"):
                continue
            for key in keyed:
                s = strengths.get(key)
                if s is not None:
                    found[key] = WatchedTie(other, person, s)
    return found


def _organisations_of(
    G: nx.MultiDiGraph, strengths: Mapping[str, float], person: str
) -> Iterator[str]:
    """The organisations `person` is a member of (`stakenet.analytics.paths.members`)."""
    nodes = G.nodes
    for org, keyed in G.succ[person].items():
        if nodes[org].get("kind") in ORGANISATION_KINDS and any(
            key in strengths and attrs.get("kind") in MEMBERSHIP_KINDS
            for key, attrs in keyed.items()
        ):
            yield org


def _sentiments(
    G: nx.MultiDiGraph,
    strengths: Mapping[str, float],
    interactions: Iterable[InteractionRecord],
    at: datetime,
    p: AlertParams,
) -> dict[str, Sentiment]:
    """Per organisation, the mean sentiment of our interactions with it (an internal person and
    the organisation or one of its people took part) in the recent and the baseline window."""
    nodes = G.nodes
    recent: dict[str, list[float]] = {}
    baseline: dict[str, list[float]] = {}
    horizon = p.sentiment_recent_days + p.sentiment_baseline_days
    for record in interactions:
        if record.sentiment is None:
            continue
        age = (at - record.occurred_at).total_seconds() / DAY
        if age < 0 or age >= horizon:
            continue
        participants = [v for v in record.participants if v in nodes]
        if not any(nodes[v].get("internal") for v in participants):
            continue
        orgs: set[str] = set()
        for v in participants:
            if nodes[v].get("internal"):
                continue
            if nodes[v].get("kind") == "PERSON":
                orgs.update(_organisations_of(G, strengths, v))
            elif nodes[v].get("kind") in ORGANISATION_KINDS:
                orgs.add(v)
        window = recent if age < p.sentiment_recent_days else baseline
        for org in orgs:
            window.setdefault(org, []).append(record.sentiment)
    found: dict[str, Sentiment] = {}
    for org in recent.keys() & baseline.keys():
        now, before = recent[org], baseline[org]
        found[org] = Sentiment(
            sum(now) / len(now), len(now), sum(before) / len(before), len(before)
        )
    return found


# -- detecting -------------------------------------------------------------------------------


def detect(previous: Watch | None, current: Watch, open_alerts: Sequence[Alert]) -> Detection:
    """The causes to raise and the open alerts to clear (see the module docstring)."""
    open_causes = {alert.fingerprint for alert in open_alerts}
    raised: list[Cause] = []
    if previous is not None:
        for org, now in current.organisations.items():
            before = previous.organisations.get(org)
            if before is None:
                continue
            for cause in _causes(before, now, current.params):
                if cause.fingerprint not in open_causes:
                    open_causes.add(cause.fingerprint)
                    raised.append(cause)
    # An alert raised from a newer snapshot (by another replica) is judged by newer ones only.
    cleared = frozenset(
        alert.fingerprint
        for alert in open_alerts
        if alert.revision <= current.revision
        and not _holds(alert, current.organisations.get(alert.organization_id), current.params)
    )
    return Detection(tuple(raised), cleared)


def _causes(before: OrganisationWatch, now: OrganisationWatch, p: AlertParams) -> list[Cause]:
    return [
        *_decision_makers_changed(before, now),
        *_coverage_dropped(before, now),
        *_single_contacts(before, now),
        *_ties_gone_cold(before, now, p),
        *_sentiment_dropped(before, now, p),
    ]


def _tie_is_cold(now: OrganisationWatch, tie_id: str, p: AlertParams) -> bool:
    tie = now.ties.get(tie_id)
    return tie is not None and tie.strength < p.warm


def _ties_gone_cold(
    before: OrganisationWatch, now: OrganisationWatch, p: AlertParams
) -> list[Cause]:
    found = []
    for tie_id in sorted(now.ties):
        tie = now.ties[tie_id]
        was = before.ties.get(tie_id)
        if tie.strength >= p.warm or was is None or was.strength < p.warm:
            continue
        d = tie.decision_maker
        left = now.contacts.get(d, frozenset())
        severity = AlertSeverity.MEDIUM if left else AlertSeverity.HIGH
        remaining = (
            f"{len(left)} of our people still reach them warmly"
            if left
            else "none of our people reaches them by a warm tie now"
        )
        found.append(
            Cause(
                AlertKind.TIE_COLD,
                severity,
                now.id,
                (d, tie.ours),
                f"tie {tie_id}",
                f"The tie between {now.label(tie.ours)} and {now.label(d)}, a top "
                f"decision-maker at {now.name}, fell below the warm threshold "
                f"{p.warm:.2f}: strength {was.strength:.2f} before, {tie.strength:.2f} now; "
                f"{remaining}.",
            )
        )
    return found


def _uncovered(watch: OrganisationWatch) -> set[str]:
    return {d for d in watch.top if not watch.contacts.get(d)}


def _coverage_dropped(before: OrganisationWatch, now: OrganisationWatch) -> list[Cause]:
    if now.coverage >= before.coverage:
        return []
    newly = [d for d in now.top if d in _uncovered(now) - _uncovered(before)]
    if not newly:
        return []
    names = ", ".join(now.label(d) for d in newly)
    return [
        Cause(
            AlertKind.COVERAGE_DROPPED,
            AlertSeverity.HIGH if not now.covered else AlertSeverity.MEDIUM,
            now.id,
            tuple(newly),
            "uncovered",
            f"Coverage of {now.name} fell from {len(before.covered)} of "
            f"{len(before.top)} to {len(now.covered)} of {len(now.top)} top decision-makers: "
            f"none of our people reaches {names} by a warm tie.",
        )
    ]


def _single_contacts(before: OrganisationWatch, now: OrganisationWatch) -> list[Cause]:
    found = []
    for rank, d in enumerate(now.top, start=1):
        contacts = now.contacts.get(d, frozenset())
        had = before.contacts.get(d, frozenset())
        if len(contacts) != 1 or d not in before.top or len(had) < 2:
            continue
        (ours,) = contacts
        found.append(
            Cause(
                AlertKind.SINGLE_CONTACT,
                AlertSeverity.HIGH if rank == 1 else AlertSeverity.MEDIUM,
                now.id,
                (d, ours),
                "only warm contact",
                f"{now.label(ours)} is now our only warm contact with {now.label(d)}, "
                f"decision-maker #{rank} at {now.name} (we had {len(had)}).",
            )
        )
    return found


def _decision_makers_changed(before: OrganisationWatch, now: OrganisationWatch) -> list[Cause]:
    found = []
    for rank, d in enumerate(now.top, start=1):
        if d in before.top:
            continue
        reached = bool(now.contacts.get(d))
        found.append(
            Cause(
                AlertKind.DECISION_MAKER_CHANGED,
                AlertSeverity.LOW if reached else AlertSeverity.MEDIUM,
                now.id,
                (d,),
                "entered",
                f"{now.label(d)} is now decision-maker #{rank} at {now.name}; "
                + (
                    "one of our people reaches them by a warm tie."
                    if reached
                    else "none of our people reaches them by a warm tie."
                ),
            )
        )
    for d in before.top:
        if d in now.top:
            continue
        found.append(
            Cause(
                AlertKind.DECISION_MAKER_CHANGED,
                AlertSeverity.LOW,
                now.id,
                (d,),
                "left",
                f"{before.label(d)} is no longer one of the top {len(before.top)} "
                f"decision-makers at {now.name}.",
            )
        )
    return found


def _sentiment_fell(watch: OrganisationWatch | None, p: AlertParams) -> bool:
    s = watch.sentiment if watch is not None else None
    return bool(
        s is not None
        and s.recent_count >= p.sentiment_min_interactions
        and s.baseline_count >= p.sentiment_min_interactions
        and s.baseline_mean - s.recent_mean >= p.sentiment_drop
    )


def _sentiment_dropped(
    before: OrganisationWatch, now: OrganisationWatch, p: AlertParams
) -> list[Cause]:
    s = now.sentiment
    if s is None or not _sentiment_fell(now, p) or _sentiment_fell(before, p):
        return []
    return [
        Cause(
            AlertKind.SENTIMENT_DROP,
            AlertSeverity.HIGH if s.recent_mean < 0 else AlertSeverity.MEDIUM,
            now.id,
            (),
            "fell",
            f"Sentiment of our interactions with {now.name} fell from "
            f"{s.baseline_mean:+.2f} ({s.baseline_count} in the "
            f"{p.sentiment_baseline_days:g} days before) to {s.recent_mean:+.2f} "
            f"({s.recent_count} in the last {p.sentiment_recent_days:g} days).",
        )
    ]


def _holds(alert: Alert, now: OrganisationWatch | None, p: AlertParams) -> bool:
    """Whether an open alert's cause still holds in `now` (its organisation's watch)."""
    if now is None:
        return False
    people = alert.stakeholder_ids
    condition = alert.fingerprint.rsplit("|", 1)[-1]
    match alert.kind:
        case AlertKind.TIE_COLD:
            return _tie_is_cold(now, condition.removeprefix("tie "), p)
        case AlertKind.COVERAGE_DROPPED:
            return any(d in _uncovered(now) for d in people)
        case AlertKind.SINGLE_CONTACT:
            d, ours = people
            return d in now.top and now.contacts.get(d) == frozenset({ours})
        case AlertKind.DECISION_MAKER_CHANGED:
            (d,) = people
            return (d in now.top) == (condition == "entered")
        case AlertKind.SENTIMENT_DROP:
            return _sentiment_fell(now, p)
    return False
