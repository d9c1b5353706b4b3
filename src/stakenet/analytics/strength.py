"""Derived tie strength: how strong each tie is today, from what was declared and what happened.

This module owns the strength of a tie and nothing else. A tie's effective strength in 0..1
comes from up to two sources of evidence:

* **declared** -- the ``strength`` attribute someone entered on the tie (``None`` if not given);
* **observed** -- the interactions (meetings, calls, e-mails, ...) in which both endpoints took
  part. Each interaction adds ``kind_weight × 2^(−age_days / half_life_days) × sentiment_factor``
  where ``sentiment_factor = 1 + sentiment_gain × sentiment`` (neutral or unknown sentiment is
  1.0; with the default gain 0.5 a hostile meeting counts half, a warm one one and a half). The
  evidence ``x`` is saturated into 0..1 as ``observed = 1 − exp(−x / saturation)``.

They are combined as:

=====================  ==================================================================
declared only          ``declared``
observed only          ``observed``
both                   ``declared_weight × declared + (1 − declared_weight) × observed``
neither                ``default_strength[kind]`` (or ``fallback_strength``)
=====================  ==================================================================

A tie counts only while it is current: ``since`` not after and ``until`` not before the as-of
date. Ties that are not current get no strength at all, and the rest of the analytics read a
tie missing from the strength mapping as "not current". Interactions after the as-of instant are
ignored, so a snapshot can be recomputed for any past date.

Interactions are indexed once by unordered participant pair, so computing every tie's strength
costs O(interactions × participants² + ties), never O(ties × interactions).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, Literal

import networkx as nx

from stakenet.analytics.errors import InvalidParameter
from stakenet.domain.model import TIE_RULES

__all__ = [
    "EPS",
    "FORMULA_VERSION",
    "InteractionRecord",
    "PairEvidence",
    "StrengthComponent",
    "StrengthParams",
    "TieStrength",
    "TieStrengths",
    "compute_tie_strengths",
    "distance",
    "effective_strength",
    "index_interactions",
    "is_current",
    "pair_evidence",
    "tie_strength",
]

FORMULA_VERSION = "strength/1"
"""Changes whenever the strength formula or its defaults change."""

EPS = 1e-9
"""Smallest strength used when turning a strength into a distance, so ``log`` stays finite."""

Basis = Literal["declared", "observed", "blended", "default"]


def _frozen(mapping: Mapping[str, float]) -> Mapping[str, float]:
    return MappingProxyType(dict(mapping))


DEFAULT_KIND_WEIGHTS: Mapping[str, float] = _frozen(
    {
        "NEGOTIATION": 1.0,
        "MEETING": 1.0,
        "SITE_VISIT": 0.9,
        "EVENT": 0.6,
        "CALL": 0.6,
        "LETTER": 0.4,
        "EMAIL": 0.3,
    }
)
"""How much one fresh, neutral interaction of each kind says about a relationship."""

DEFAULT_TIE_STRENGTHS: Mapping[str, float] = _frozen(
    {kind.value: rule.default_strength for kind, rule in TIE_RULES.items()}
)
"""Strength assumed for a tie of each kind when nothing was declared and nothing observed."""


@dataclass(frozen=True, slots=True)
class InteractionRecord:
    """One recorded interaction, as the analytics see it.

    Attributes
    ----------
    id : str
        Interaction id.
    kind : str
        ``MEETING``, ``CALL``, ``EMAIL``, ``EVENT``, ``NEGOTIATION``, ``SITE_VISIT`` or ``LETTER``.
    occurred_at : datetime
        When it happened (timezone-aware, UTC).
    sentiment : float or None
        -1 (hostile) .. 1 (warm); ``None`` when not recorded (read as neutral).
    participants : tuple of str
        Stakeholder ids that took part.
    """

    id: str
    kind: str
    occurred_at: datetime
    sentiment: float | None
    participants: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StrengthParams:
    """Parameters of the derived tie strength (all defaults documented in docs/analytics.md).

    Attributes
    ----------
    half_life_days : float
        Age at which an interaction counts half as much as a fresh one. Default 180.
    kind_weights : Mapping[str, float]
        Weight of one interaction per kind; unknown kinds use `unknown_kind_weight`.
    unknown_kind_weight : float
        Weight of an interaction kind missing from `kind_weights`. Default 0.3.
    sentiment_gain : float
        ``sentiment_factor = 1 + sentiment_gain × sentiment``. Default 0.5 (range 0.5..1.5).
    saturation : float
        ``observed = 1 − exp(−evidence / saturation)``. Default 2.0: one fresh meeting gives
        0.39, three give 0.78.
    declared_weight : float
        Share of the declared strength when a tie has both declared and observed strength.
        Default 0.5.
    default_strength : Mapping[str, float]
        Strength per tie kind when neither declared nor observed.
    fallback_strength : float
        Strength for a tie kind missing from `default_strength`. Default 0.3.
    colleague_strength : float
        Strength of the inferred link between two people working for the same organisation
        who have no direct tie. Default 0.25.
    """

    half_life_days: float = 180.0
    kind_weights: Mapping[str, float] = field(default_factory=lambda: DEFAULT_KIND_WEIGHTS)
    unknown_kind_weight: float = 0.3
    sentiment_gain: float = 0.5
    saturation: float = 2.0
    declared_weight: float = 0.5
    default_strength: Mapping[str, float] = field(default_factory=lambda: DEFAULT_TIE_STRENGTHS)
    fallback_strength: float = 0.3
    colleague_strength: float = 0.25

    def __post_init__(self) -> None:
        if self.half_life_days <= 0:
            raise InvalidParameter("half_life_days", "It must be positive.")
        if self.saturation <= 0:
            raise InvalidParameter("saturation", "It must be positive.")
        if not 0.0 <= self.declared_weight <= 1.0:
            raise InvalidParameter("declared_weight", "It must be between 0 and 1.")


@dataclass(frozen=True, slots=True)
class StrengthComponent:
    """One input to a tie's effective strength: its `value` and the `weight` it was given."""

    name: str
    value: float
    weight: float


@dataclass(frozen=True, slots=True)
class TieStrength:
    """A tie's strength and the evidence behind it.

    Attributes
    ----------
    tie_id, source, target, kind : str
        The tie.
    declared : float or None
        Declared strength, if any.
    observed : float or None
        Strength observed from interactions (``None`` when there were none).
    interaction_count : int
        Interactions up to the as-of instant in which both endpoints took part.
    last_interaction_at : datetime or None
        The most recent of them.
    value : float
        The effective strength in 0..1 every other analytic uses.
    basis : {"declared", "observed", "blended", "default"}
        Which rule produced `value`.
    components : tuple of StrengthComponent
        The weighted inputs; ``sum(c.value * c.weight)`` equals `value`.
    """

    tie_id: str
    source: str
    target: str
    kind: str
    declared: float | None
    observed: float | None
    interaction_count: int
    last_interaction_at: datetime | None
    value: float
    basis: Basis
    components: tuple[StrengthComponent, ...]


@dataclass(slots=True)
class PairEvidence:
    """Interaction evidence accumulated for one unordered pair of stakeholders."""

    evidence: float = 0.0
    count: int = 0
    last_at: datetime | None = None


def distance(strength: float, eps: float = EPS) -> float:
    """Turn a strength into an additive cost: ``−log(max(strength, eps))``.

    Strong ties are short: the product of strengths along a path is maximal exactly when the sum
    of distances is minimal. Strengths above 1 are read as 1 (distance 0).
    """
    return -math.log(min(max(strength, eps), 1.0))


def is_current(attrs: Mapping[str, Any], on: date | None) -> bool:
    """Whether a tie is current on date `on` (``since`` not after it, ``until`` not before it).

    With ``on=None`` every tie is current.
    """
    if on is None:
        return True
    since = attrs.get("since")
    until = attrs.get("until")
    if since is not None and _as_date(since) > on:
        return False
    return not (until is not None and _as_date(until) < on)


def _as_date(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _sentiment_factor(sentiment: float | None, params: StrengthParams) -> float:
    if sentiment is None:
        return 1.0
    return max(0.0, 1.0 + params.sentiment_gain * max(-1.0, min(1.0, sentiment)))


def _evidence_of(record: InteractionRecord, as_of: datetime, p: StrengthParams) -> float:
    """What one interaction, not after `as_of`, says about a relationship at `as_of`."""
    age_days = max(0.0, (as_of - record.occurred_at).total_seconds() / 86400.0)
    weight = p.kind_weights.get(record.kind, p.unknown_kind_weight)
    decay = float(2.0 ** (-age_days / p.half_life_days))
    return weight * decay * _sentiment_factor(record.sentiment, p)


def pair_evidence(
    shared: Iterable[InteractionRecord], as_of: datetime, params: StrengthParams | None = None
) -> PairEvidence | None:
    """The evidence of one pair from the interactions both took part in (`shared`), as
    `index_interactions` gives it for that pair; None when none happened by `as_of`."""
    p = params or StrengthParams()
    found = PairEvidence()
    for record in shared:
        if record.occurred_at > as_of:
            continue
        found.evidence += _evidence_of(record, as_of, p)
        found.count += 1
        if found.last_at is None or record.occurred_at > found.last_at:
            found.last_at = record.occurred_at
    return found if found.count else None


def index_interactions(
    interactions: Iterable[InteractionRecord],
    as_of: datetime,
    params: StrengthParams | None = None,
) -> dict[frozenset[str], PairEvidence]:
    """Index interaction evidence by unordered participant pair, once for all ties.

    Parameters
    ----------
    interactions : iterable of InteractionRecord
        The interactions; those after `as_of` are ignored.
    as_of : datetime
        The instant the strengths are computed for (timezone-aware).
    params : StrengthParams, optional
        Weights, half-life and sentiment gain.

    Returns
    -------
    dict
        ``frozenset({a, b}) -> PairEvidence`` with the decayed, weighted evidence sum, the count
        and the most recent interaction of the pair.
    """
    p = params or StrengthParams()
    index: dict[frozenset[str], PairEvidence] = {}
    for record in interactions:
        if record.occurred_at > as_of:
            continue
        amount = _evidence_of(record, as_of, p)
        people = sorted(set(record.participants))
        for i, a in enumerate(people):
            for b in people[i + 1 :]:
                pair = frozenset((a, b))
                ev = index.get(pair)
                if ev is None:
                    ev = index[pair] = PairEvidence()
                ev.evidence += amount
                ev.count += 1
                if ev.last_at is None or record.occurred_at > ev.last_at:
                    ev.last_at = record.occurred_at
    return index


def _declared(raw: Any) -> float | None:
    return None if raw is None else min(1.0, max(0.0, float(raw)))


def _observed(evidence: PairEvidence | None, params: StrengthParams) -> float | None:
    if evidence is None or evidence.count <= 0:
        return None
    return 1.0 - math.exp(-evidence.evidence / params.saturation)


def _effective(
    kind: str, declared: float | None, observed: float | None, params: StrengthParams
) -> float:
    """The effective strength from its inputs (the table in the module docstring)."""
    if declared is not None:
        if observed is None:
            return declared
        w = params.declared_weight
        return w * declared + (1.0 - w) * observed
    if observed is not None:
        return observed
    return params.default_strength.get(kind, params.fallback_strength)


def effective_strength(
    attrs: Mapping[str, Any], evidence: PairEvidence | None, params: StrengthParams | None = None
) -> float:
    """The effective strength of a tie with attributes `attrs` and its pair's evidence (the
    value `tie_strength` explains, without the explanation)."""
    p = params or StrengthParams()
    kind = str(attrs.get("kind", ""))
    return _effective(kind, _declared(attrs.get("strength")), _observed(evidence, p), p)


def tie_strength(
    tie_id: str,
    source: str,
    target: str,
    attrs: Mapping[str, Any],
    evidence: PairEvidence | None,
    params: StrengthParams | None = None,
) -> TieStrength:
    """Effective strength of one tie from its attributes and its pair's interaction evidence.

    Parameters
    ----------
    tie_id, source, target : str
        The tie and its endpoints.
    attrs : Mapping
        Edge attributes (``kind``, ``strength``).
    evidence : PairEvidence or None
        Interaction evidence of the endpoint pair (``None`` or zero count if there was none).
    params : StrengthParams, optional
        Formula parameters.

    Returns
    -------
    TieStrength
    """
    p = params or StrengthParams()
    kind = str(attrs.get("kind", ""))
    declared = _declared(attrs.get("strength"))
    observed = _observed(evidence, p)
    value = _effective(kind, declared, observed, p)
    basis: Basis
    components: tuple[StrengthComponent, ...]
    if declared is not None and observed is not None:
        w = p.declared_weight
        components = (
            StrengthComponent("declared", declared, w),
            StrengthComponent("observed", observed, 1.0 - w),
        )
        basis = "blended"
    elif declared is not None:
        components = (StrengthComponent("declared", declared, 1.0),)
        basis = "declared"
    elif observed is not None:
        components = (StrengthComponent("observed", observed, 1.0),)
        basis = "observed"
    else:
        components = (StrengthComponent(f"default:{kind}", value, 1.0),)
        basis = "default"
    return TieStrength(
        tie_id=tie_id,
        source=source,
        target=target,
        kind=kind,
        declared=declared,
        observed=observed,
        interaction_count=evidence.count if evidence is not None else 0,
        last_interaction_at=evidence.last_at if evidence is not None else None,
        value=value,
        basis=basis,
        components=components,
    )


class TieStrengths(Mapping[str, TieStrength]):
    """Every current tie's `TieStrength`, made when it is asked for.

    A refresh needs only the values (`effective`); the explanation of a tie is read one tie at a
    time. So each tie keeps only what its explanation is made from, copied at the refresh (the
    projection's attributes may change after it): about half the memory of every explanation.
    """

    __slots__ = ("_inputs", "_params", "effective")

    def __init__(
        self,
        inputs: Mapping[str, tuple[str, str, str, Any, PairEvidence | None]],
        effective: Mapping[str, float],
        params: StrengthParams,
    ) -> None:
        self._inputs = inputs
        self._params = params
        self.effective = effective
        """``tie_id -> value``, as each tie's `TieStrength.value`."""

    def __getitem__(self, tie_id: str) -> TieStrength:
        source, target, kind, raw, evidence = self._inputs[tie_id]
        attrs = {"kind": kind, "strength": raw}
        return tie_strength(tie_id, source, target, attrs, evidence, self._params)

    def __iter__(self) -> Iterator[str]:
        return iter(self._inputs)

    def __len__(self) -> int:
        return len(self._inputs)

    def __contains__(self, tie_id: object) -> bool:
        return tie_id in self._inputs

    def copy(self) -> TieStrengths:
        """The same strengths, sharing their records (nothing here changes after the refresh);
        what a snapshot's read-only proxy hands out, so that its records can be saved."""
        return TieStrengths(self._inputs, self.effective, self._params)

    @property
    def params(self) -> StrengthParams:
        return self._params

    def records(self) -> Mapping[str, tuple[str, str, str, Any, PairEvidence | None]]:
        """``tie_id -> (source, target, kind, declared, evidence)``, what each tie's
        `TieStrength` is made from."""
        return MappingProxyType(self._inputs)


def compute_tie_strengths(
    G: nx.MultiDiGraph,
    interactions: Mapping[str, InteractionRecord] | Iterable[InteractionRecord],
    as_of: datetime,
    params: StrengthParams | None = None,
) -> TieStrengths:
    """Strength of every current tie of `G` at `as_of`.

    Parameters
    ----------
    G : nx.MultiDiGraph
        The projection (edge key = tie id).
    interactions : Mapping[str, InteractionRecord] or iterable of InteractionRecord
        All interactions; later than `as_of` ones are ignored.
    as_of : datetime
        The instant (timezone-aware); a tie is current on ``as_of.date()``.
    params : StrengthParams, optional
        Formula parameters.

    Returns
    -------
    TieStrengths
        ``tie_id -> TieStrength`` for current ties only.
    """
    p = params or StrengthParams()
    records = interactions.values() if isinstance(interactions, Mapping) else interactions
    index = index_interactions(records, as_of, p)
    on = as_of.date()
    inputs: dict[str, tuple[str, str, str, Any, PairEvidence | None]] = {}
    effective: dict[str, float] = {}
    for u, v, key, attrs in G.edges(keys=True, data=True):
        if not is_current(attrs, on):
            continue
        evidence = index.get(frozenset((u, v))) if u != v else None
        kind = str(attrs.get("kind", ""))
        raw = attrs.get("strength")
        tie_id = str(key)
        inputs[tie_id] = (u, v, kind, raw, evidence)
        effective[tie_id] = _effective(kind, _declared(raw), _observed(evidence, p), p)
    return TieStrengths(inputs, effective, p)
