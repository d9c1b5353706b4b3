"""Stakeholders, ties and interactions: the entities of a stakeholder network and their rules.

Everything here is plain data. Which endpoints a tie kind allows, whether it is symmetric, what
role it plays and how strong it is assumed to be is declared once in `TIE_RULES`; validation,
every adapter and the analytics read it from there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar

_Entity = TypeVar("_Entity", bound=type)


class StakeholderKind(StrEnum):
    PERSON = "PERSON"
    COMPANY = "COMPANY"
    MUNICIPALITY = "MUNICIPALITY"
    ORGANIZATION = "ORGANIZATION"


ORGANISATION_KINDS = frozenset(
    {StakeholderKind.COMPANY, StakeholderKind.MUNICIPALITY, StakeholderKind.ORGANIZATION}
)
ALL_KINDS = frozenset(StakeholderKind)


class Seniority(StrEnum):
    C_LEVEL = "C_LEVEL"
    VP_DIRECTOR = "VP_DIRECTOR"
    MANAGER = "MANAGER"
    STAFF = "STAFF"


class DecisionRole(StrEnum):
    DECISION_MAKER = "DECISION_MAKER"
    ECONOMIC_BUYER = "ECONOMIC_BUYER"
    TECHNICAL_BUYER = "TECHNICAL_BUYER"
    INFLUENCER = "INFLUENCER"
    GATEKEEPER = "GATEKEEPER"
    CHAMPION = "CHAMPION"
    BLOCKER = "BLOCKER"
    USER = "USER"


class OrganizationCategory(StrEnum):
    PUBLIC_AGENCY = "PUBLIC_AGENCY"
    ASSOCIATION = "ASSOCIATION"
    NGO = "NGO"
    UNION = "UNION"
    POLITICAL_BODY = "POLITICAL_BODY"
    EDUCATION = "EDUCATION"
    OTHER = "OTHER"


class Evidence(StrEnum):
    DECLARED = "DECLARED"
    OBSERVED = "OBSERVED"
    PUBLIC_RECORD = "PUBLIC_RECORD"
    INFERRED = "INFERRED"


class InteractionKind(StrEnum):
    MEETING = "MEETING"
    CALL = "CALL"
    EMAIL = "EMAIL"
    EVENT = "EVENT"
    NEGOTIATION = "NEGOTIATION"
    SITE_VISIT = "SITE_VISIT"
    LETTER = "LETTER"


class TieKind(StrEnum):
    WORKS_FOR = "WORKS_FOR"
    BOARD_MEMBER_OF = "BOARD_MEMBER_OF"
    REPORTS_TO = "REPORTS_TO"
    KNOWS = "KNOWS"
    FAMILY = "FAMILY"
    ADVISES = "ADVISES"
    REPRESENTS = "REPRESENTS"
    INFLUENCES = "INFLUENCES"
    OWNS = "OWNS"
    PARTNER_OF = "PARTNER_OF"
    SUPPLIES = "SUPPLIES"
    CLIENT_OF = "CLIENT_OF"
    MEMBER_OF = "MEMBER_OF"
    LOCATED_IN = "LOCATED_IN"
    RELATIONSHIP_OWNER = "RELATIONSHIP_OWNER"


class TieRole(StrEnum):
    """What a tie says about its ends: the analytics treat kinds alike by it, and the explorer
    draws each role in a colour of its own."""

    EMPLOYMENT = "EMPLOYMENT"  # a person works for an organisation
    BOARD = "BOARD"  # a person sits on an organisation's board
    REPORTING = "REPORTING"  # a person reports to a manager
    ACQUAINTANCE = "ACQUAINTANCE"  # two people know each other, or are family
    ADVICE = "ADVICE"  # one party advises another
    INFLUENCE = "INFLUENCE"  # one party sways another without advising it
    OWNERSHIP = "OWNERSHIP"  # one party owns an organisation
    COMMERCIAL = "COMMERCIAL"  # organisations that trade or partner with each other
    ACCOUNT = "ACCOUNT"  # one of our people looks after the stakeholder


@dataclass(frozen=True, slots=True)
class TieRule:
    """Which stakeholder kinds a tie kind may join, how it reads in words (source, label,
    target: "works for"), whether it reads the same both ways, its role, and the strength
    assumed for it when none is declared or observed."""

    sources: frozenset[StakeholderKind]
    targets: frozenset[StakeholderKind]
    default_strength: float
    label: str
    symmetric: bool = False
    source_must_be_internal: bool = False
    carries_decision_role: bool = False
    role: TieRole | None = None


_PERSON = frozenset({StakeholderKind.PERSON})
_MUNICIPALITY = frozenset({StakeholderKind.MUNICIPALITY})
_LOCATABLE = frozenset({StakeholderKind.COMPANY, StakeholderKind.ORGANIZATION})
_ORGS = ORGANISATION_KINDS

TIE_RULES: Mapping[TieKind, TieRule] = {
    TieKind.WORKS_FOR: TieRule(
        _PERSON, _ORGS, 0.5, "works for", carries_decision_role=True, role=TieRole.EMPLOYMENT
    ),
    TieKind.BOARD_MEMBER_OF: TieRule(
        _PERSON,
        _ORGS,
        0.6,
        "is on the board of",
        carries_decision_role=True,
        role=TieRole.BOARD,
    ),
    TieKind.REPORTS_TO: TieRule(_PERSON, _PERSON, 0.6, "reports to", role=TieRole.REPORTING),
    TieKind.KNOWS: TieRule(
        _PERSON, _PERSON, 0.3, "knows", symmetric=True, role=TieRole.ACQUAINTANCE
    ),
    TieKind.FAMILY: TieRule(
        _PERSON, _PERSON, 0.8, "is family of", symmetric=True, role=TieRole.ACQUAINTANCE
    ),
    TieKind.ADVISES: TieRule(ALL_KINDS, ALL_KINDS, 0.5, "advises", role=TieRole.ADVICE),
    TieKind.REPRESENTS: TieRule(ALL_KINDS, ALL_KINDS, 0.5, "represents"),
    TieKind.INFLUENCES: TieRule(ALL_KINDS, ALL_KINDS, 0.5, "influences", role=TieRole.INFLUENCE),
    TieKind.OWNS: TieRule(ALL_KINDS, _ORGS, 0.7, "owns", role=TieRole.OWNERSHIP),
    TieKind.PARTNER_OF: TieRule(
        _ORGS, _ORGS, 0.5, "is a partner of", symmetric=True, role=TieRole.COMMERCIAL
    ),
    TieKind.SUPPLIES: TieRule(_ORGS, _ORGS, 0.4, "supplies", role=TieRole.COMMERCIAL),
    TieKind.CLIENT_OF: TieRule(_ORGS, _ORGS, 0.4, "is a client of", role=TieRole.COMMERCIAL),
    TieKind.MEMBER_OF: TieRule(ALL_KINDS, _ORGS, 0.4, "is a member of"),
    TieKind.LOCATED_IN: TieRule(_LOCATABLE, _MUNICIPALITY, 0.2, "is located in"),
    TieKind.RELATIONSHIP_OWNER: TieRule(
        _PERSON,
        ALL_KINDS,
        0.6,
        "looks after",
        source_must_be_internal=True,
        role=TieRole.ACCOUNT,
    ),
}


def tie_kinds_in(*roles: TieRole) -> frozenset[str]:
    """The names of the tie kinds that play any of `roles`."""
    return frozenset(kind.value for kind, rule in TIE_RULES.items() if rule.role in roles)


def _slot_setting_init(entity: _Entity) -> _Entity:
    """`entity`, a frozen dataclass with slots, with an `__init__` of the same parameters that
    sets each slot through the slot's own descriptor.

    The `__init__` a frozen dataclass gets calls `object.__setattr__` with each field's name,
    a look-up per field that makes building a tie more than twice as slow; an import builds
    every entity of its document, and a store read every entity it returns.
    """
    if hasattr(entity, "__post_init__") or any(
        not f.init or f.kw_only or f.default_factory is not MISSING for f in fields(entity)
    ):
        raise TypeError(f"{entity.__name__}'s fields need the dataclass's own __init__.")
    namespace: dict[str, Any] = {}
    parameters = []
    for f in fields(entity):
        namespace[f"_set_{f.name}"] = getattr(entity, f.name).__set__
        if f.default is MISSING:
            parameters.append(f.name)
        else:
            namespace[f"_default_{f.name}"] = f.default
            parameters.append(f"{f.name}=_default_{f.name}")
    body = "".join(f"    _set_{f.name}(self, {f.name})\n" for f in fields(entity))
    exec(f"def __init__(self, {', '.join(parameters)}):\n{body}", namespace)
    init = namespace["__init__"]
    original = vars(entity)["__init__"]
    init.__qualname__ = original.__qualname__
    init.__annotations__ = original.__annotations__
    setattr(entity, "__init__", init)  # noqa: B010 (mypy refuses assigning a method)
    return entity


SYMMETRIC_TIE_KINDS = frozenset(kind for kind, rule in TIE_RULES.items() if rule.symmetric)


@_slot_setting_init
@dataclass(frozen=True, slots=True)
class Stakeholder:
    """A person, company, municipality or other organisation in the network.

    Kind-specific attributes are optional fields; validation keeps each on its own kind.
    `seniority` is the declared level; `seniority.effective_seniority` falls back to the title.
    """

    id: str
    kind: StakeholderKind
    name: str
    key: str | None = None
    internal: bool = False
    tags: tuple[str, ...] = ()
    notes: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    # Person
    title: str | None = None
    email: str | None = None
    phone: str | None = None
    seniority: Seniority | None = None
    # Company
    industry: str | None = None
    website: str | None = None
    registration_number: str | None = None
    # Company, Municipality
    country: str | None = None
    city: str | None = None
    # Municipality
    code: str | None = None
    region: str | None = None
    population: int | None = None
    # Organization
    category: OrganizationCategory | None = None


@_slot_setting_init
@dataclass(frozen=True, slots=True)
class Tie:
    """A directed edge between two stakeholders; symmetric kinds read the same both ways."""

    id: str
    kind: TieKind
    source_id: str
    target_id: str
    key: str | None = None
    strength: float | None = None
    role: str | None = None
    since: date | None = None
    until: date | None = None
    confidence: float | None = None
    evidence: Evidence | None = None
    notes: str | None = None
    decision_role: DecisionRole | None = None
    department: str | None = None
    context: str | None = None
    share: float | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def symmetric(self) -> bool:
        return self.kind in SYMMETRIC_TIE_KINDS

    def is_current(self, on: date) -> bool:
        return (self.since is None or self.since <= on) and (self.until is None or self.until >= on)


@_slot_setting_init
@dataclass(frozen=True, slots=True)
class Participant:
    stakeholder_id: str
    acting_as: str | None = None


@_slot_setting_init
@dataclass(frozen=True, slots=True)
class Interaction:
    """A meeting, call, e-mail … between stakeholders; what keeps ties warm."""

    id: str
    kind: InteractionKind
    occurred_at: datetime
    participants: tuple[Participant, ...]
    key: str | None = None
    sentiment: float | None = None
    subject: str | None = None
    summary: str | None = None
    outcome: str | None = None
    notes: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def participant_ids(self) -> tuple[str, ...]:
        return tuple([p.stakeholder_id for p in self.participants])


class EntityType(StrEnum):
    STAKEHOLDER = "stakeholder"
    TIE = "tie"
    INTERACTION = "interaction"


class ChangeOp(StrEnum):
    UPSERT = "upsert"
    DELETE = "delete"


Entity = Stakeholder | Tie | Interaction


@dataclass(frozen=True, slots=True)
class Change:
    """One entry of the change log: what a committed write did, at which graph revision.

    `entity` holds the new state for an upsert and is None for a delete, so a replica can
    apply the change to its projection without reading the store again.
    """

    revision: int
    entity_type: EntityType
    op: ChangeOp
    entity_id: str
    entity: Entity | None = None


@dataclass(frozen=True, slots=True)
class GraphData:
    """Everything in the store at one revision: what the projection is built from."""

    revision: int
    stakeholders: list[Stakeholder] = field(default_factory=list)
    ties: list[Tie] = field(default_factory=list)
    interactions: list[Interaction] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Counts:
    stakeholders: int
    ties: int
    interactions: int
    revision: int
