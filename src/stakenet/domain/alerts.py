"""Alerts: what changed for the worse in our access to an organisation, raised once per cause.

An alert is derived data: the analytics raise it after a refresh (docs/analytics.md, "Alerts"),
the store keeps it so a client that was offline catches up, and nothing else depends on it.
Each alert carries the `fingerprint` of its cause (kind, organisation, stakeholders and the
condition); while an alert of a fingerprint is open (`cleared_at` is None) the same cause is not
raised again. When the cause no longer holds the alert is cleared; if it returns later, a new
alert is raised.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class AlertKind(StrEnum):
    TIE_COLD = "TIE_COLD"
    COVERAGE_DROPPED = "COVERAGE_DROPPED"
    SINGLE_CONTACT = "SINGLE_CONTACT"
    DECISION_MAKER_CHANGED = "DECISION_MAKER_CHANGED"
    SENTIMENT_DROP = "SENTIMENT_DROP"


class AlertSeverity(StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"


def fingerprint(
    kind: AlertKind, organization_id: str, stakeholder_ids: Iterable[str], condition: str
) -> str:
    """The identity of a cause: the same cause always gives the same text."""
    return "|".join((kind.value, organization_id, ",".join(stakeholder_ids), condition))


@dataclass(frozen=True, slots=True)
class Alert:
    """One alert.

    Attributes
    ----------
    id : str
    kind : AlertKind
    severity : AlertSeverity
    raised_at : datetime
        The as-of instant of the evaluation that raised it.
    revision : int
        The graph revision of the snapshot that raised it.
    organization_id : str
    stakeholder_ids : tuple of str
        The people the cause is about, in the order the explanation names them.
    explanation : str
    fingerprint : str
        See `fingerprint`.
    seq : int
        Its place in the order alerts were stored (0 until stored).
    cleared_at : datetime or None
        When an evaluation found the cause gone; None while it holds.
    """

    id: str
    kind: AlertKind
    severity: AlertSeverity
    raised_at: datetime
    revision: int
    organization_id: str
    stakeholder_ids: tuple[str, ...]
    explanation: str
    fingerprint: str
    seq: int = 0
    cleared_at: datetime | None = None

    @property
    def named_ids(self) -> frozenset[str]:
        """Every stakeholder the alert names, its organisation included."""
        return frozenset((self.organization_id, *self.stakeholder_ids))


@dataclass(frozen=True, slots=True)
class AlertUpdate:
    """What one evaluation found, written in one transaction.

    `raised` are stored unless an open alert has their fingerprint, or they name a stakeholder
    that is no longer stored (erased or deleted meanwhile); open alerts whose fingerprint is in
    `cleared` are cleared at `at`.
    """

    raised: tuple[Alert, ...]
    cleared: frozenset[str]
    at: datetime
