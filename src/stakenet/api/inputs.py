"""Mutation inputs and payloads. Inputs become interchange rows, so one parser validates all."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from stakenet.api.types import (
    Company,
    DecisionRole,
    Evidence,
    ImportMode,
    Interaction,
    InteractionKind,
    Municipality,
    Organization,
    OrganizationCategory,
    Person,
    Seniority,
    TieKind,
    UserError,
)
from stakenet.api.types import Tie as TieType


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def input_row(value: object) -> dict[str, Any]:
    """An input object as an interchange row: camelCase names, enums as values, None dropped."""
    row: dict[str, Any] = {}
    for field in dataclasses.fields(value):  # type: ignore[arg-type]
        item = getattr(value, field.name)
        if item is None or item is strawberry.UNSET:
            continue
        if hasattr(item, "value") and not isinstance(item, date | datetime):
            item = item.value
        row[_camel(field.name)] = item
    return row


@strawberry.input(description="Fields every stakeholder has.")
class _StakeholderFields:
    name: str = strawberry.field(description="Display name.")
    key: str | None = strawberry.field(
        default=None, description="Source-system id; a retried create with it does not duplicate."
    )
    internal: bool | None = strawberry.field(default=None, description="One of our own.")
    tags: list[str] | None = strawberry.field(default=None, description="Free labels.")
    notes: str | None = strawberry.field(default=None, description="Private notes.")


@strawberry.input(description="A new person.")
class PersonInput(_StakeholderFields):
    title: str | None = strawberry.field(default=None, description="Job title.")
    email: str | None = strawberry.field(default=None, description="E-mail address.")
    phone: str | None = strawberry.field(default=None, description="Telephone number.")
    seniority: Seniority | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Overrides the seniority inferred from the title."
    )


@strawberry.input(description="A new company.")
class CompanyInput(_StakeholderFields):
    industry: str | None = strawberry.field(default=None, description="Industry.")
    country: str | None = strawberry.field(default=None, description="Country code.")
    city: str | None = strawberry.field(default=None, description="City.")
    website: str | None = strawberry.field(default=None, description="Web site.")
    registration_number: str | None = strawberry.field(
        default=None, description="Registration number (CVR)."
    )


@strawberry.input(description="A new municipality.")
class MunicipalityInput(_StakeholderFields):
    code: str | None = strawberry.field(default=None, description="Official code.")
    region: str | None = strawberry.field(default=None, description="Region.")
    country: str | None = strawberry.field(default=None, description="Country code.")
    population: int | None = strawberry.field(default=None, description="Inhabitants.")


@strawberry.input(description="A new organisation.")
class OrganizationInput(_StakeholderFields):
    category: OrganizationCategory | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="What kind of organisation."
    )
    country: str | None = strawberry.field(default=None, description="Country code.")
    city: str | None = strawberry.field(default=None, description="City.")
    website: str | None = strawberry.field(default=None, description="Web site.")


@strawberry.input(description="A new tie between two existing stakeholders.")
class TieInput:
    source_id: strawberry.ID = strawberry.field(description="Global id of the source.")
    target_id: strawberry.ID = strawberry.field(description="Global id of the target.")
    kind: TieKind = strawberry.field(description="What the tie means.")  # type: ignore[valid-type]
    key: str | None = strawberry.field(default=None, description="Source-system id.")
    strength: float | None = strawberry.field(default=None, description="Closeness, 0..1.")
    role: str | None = strawberry.field(default=None, description="Role or title in the tie.")
    since: date | None = strawberry.field(default=None, description="When it began.")
    until: date | None = strawberry.field(default=None, description="When it ended.")
    confidence: float | None = strawberry.field(default=None, description="Certainty, 0..1.")
    evidence: Evidence | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="How we know."
    )
    decision_role: DecisionRole | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Part in buying decisions (WORKS_FOR, BOARD_MEMBER_OF)."
    )
    department: str | None = strawberry.field(default=None, description="Department.")
    context: str | None = strawberry.field(default=None, description="Acquaintance context.")
    share: float | None = strawberry.field(default=None, description="Share in percent (OWNS).")
    notes: str | None = strawberry.field(default=None, description="Private notes.")


@strawberry.input(description="A participant of an interaction.")
class ParticipantInput:
    stakeholder_id: strawberry.ID = strawberry.field(description="Global id of the stakeholder.")
    acting_as: str | None = strawberry.field(default=None, description="The role they acted in.")


@strawberry.input(description="An interaction to record.")
class InteractionInput:
    kind: InteractionKind = strawberry.field(description="How.")  # type: ignore[valid-type]
    occurred_at: datetime = strawberry.field(description="When (ISO 8601; UTC if no offset).")
    participants: list[ParticipantInput] = strawberry.field(description="Who took part.")
    key: str | None = strawberry.field(default=None, description="Source-system id.")
    sentiment: float | None = strawberry.field(default=None, description="-1 .. 1.")
    subject: str | None = strawberry.field(default=None, description="Subject.")
    summary: str | None = strawberry.field(default=None, description="Summary.")
    outcome: str | None = strawberry.field(default=None, description="Outcome.")
    notes: str | None = strawberry.field(default=None, description="Private notes.")


@strawberry.input(description="A whole interchange document to import atomically.")
class GraphImportInput:
    document: JSON = strawberry.field(
        description="The interchange document: {stakeholders, ties, interactions}."
    )
    mode: ImportMode = strawberry.field(  # type: ignore[valid-type]
        default=ImportMode.MERGE,
        description="What a row does to the record it matches: MERGE (fields it leaves out are "
        "kept) or REPLACE (they are cleared).",
    )


@strawberry.type(description="Result of createPerson.")
class PersonPayload:
    person: Person | None = strawberry.field(description="The person, unless errors.")
    errors: list[UserError] = strawberry.field(description="Expected problems; empty on success.")


@strawberry.type(description="Result of createCompany.")
class CompanyPayload:
    company: Company | None = strawberry.field(description="The company, unless errors.")
    errors: list[UserError] = strawberry.field(description="Expected problems; empty on success.")


@strawberry.type(description="Result of createMunicipality.")
class MunicipalityPayload:
    municipality: Municipality | None = strawberry.field(description="The municipality.")
    errors: list[UserError] = strawberry.field(description="Expected problems; empty on success.")


@strawberry.type(description="Result of createOrganization.")
class OrganizationPayload:
    organization: Organization | None = strawberry.field(description="The organisation.")
    errors: list[UserError] = strawberry.field(description="Expected problems; empty on success.")


@strawberry.type(description="Result of a tie mutation.")
class TiePayload:
    tie: TieType | None = strawberry.field(description="The tie, unless errors.")
    errors: list[UserError] = strawberry.field(description="Expected problems; empty on success.")


@strawberry.type(description="Result of logInteraction.")
class InteractionPayload:
    interaction: Interaction | None = strawberry.field(description="The interaction.")
    errors: list[UserError] = strawberry.field(description="Expected problems; empty on success.")


@strawberry.type(description="Result of importGraph: what was written, or every bad row.")
class ImportPayload:
    errors: list[UserError] = strawberry.field(description="Every bad row; nothing was written.")
    stakeholders_created: int = strawberry.field(description="New stakeholders.")
    stakeholders_updated: int = strawberry.field(description="Changed stakeholders.")
    stakeholders_unchanged: int = strawberry.field(
        description="Stakeholders that matched a row and had not changed."
    )
    ties_created: int = strawberry.field(description="New ties.")
    ties_updated: int = strawberry.field(description="Changed ties.")
    ties_unchanged: int = strawberry.field(
        description="Ties that matched a row and had not changed."
    )
    interactions_created: int = strawberry.field(description="New interactions.")
    interactions_updated: int = strawberry.field(description="Changed interactions.")
    interactions_unchanged: int = strawberry.field(
        description="Interactions that matched a row and had not changed."
    )
    unchanged: int = strawberry.field(
        description="Records of every section that matched a row and had not changed."
    )
    revision: int = strawberry.field(description="Graph revision after the import.")
