"""Update and delete mutations, with patch semantics: omitted fields stay, null clears."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any

import strawberry

from stakenet.api.ids import entity_id
from stakenet.api.inputs import TiePayload, _camel
from stakenet.api.types import (
    DecisionRole,
    Evidence,
    Info,
    Interaction,
    InteractionKind,
    OrganizationCategory,
    Seniority,
    Stakeholder,
    TieKind,
    UserError,
    interaction_type,
    stakeholder_id,
    stakeholder_type,
    tie_type,
    user_errors,
)
from stakenet.domain.errors import StakenetError

UNSET: Any = strawberry.UNSET


def patch_row(value: object) -> dict[str, Any]:
    """The fields a patch names, camelCase; an explicit null is kept (it clears the field)."""
    row: dict[str, Any] = {}
    for field in dataclasses.fields(value):  # type: ignore[arg-type]
        item = getattr(value, field.name)
        if item is strawberry.UNSET:
            continue
        if hasattr(item, "value") and not isinstance(item, date | datetime):
            item = item.value
        row[_camel(field.name)] = item
    return row


@strawberry.input(description="Changes to a stakeholder: omitted fields stay, null clears.")
class StakeholderPatch:
    name: str | None = strawberry.field(default=UNSET, description="New `name`; null clears it.")
    key: str | None = strawberry.field(default=UNSET, description="New `key`; null clears it.")
    internal: bool | None = strawberry.field(
        default=UNSET, description="New `internal`; null clears it."
    )
    tags: list[str] | None = strawberry.field(
        default=UNSET, description="New `tags`; null clears it."
    )
    notes: str | None = strawberry.field(default=UNSET, description="New `notes`; null clears it.")
    title: str | None = strawberry.field(default=UNSET, description="New `title`; null clears it.")
    email: str | None = strawberry.field(default=UNSET, description="New `email`; null clears it.")
    phone: str | None = strawberry.field(default=UNSET, description="New `phone`; null clears it.")
    seniority: Seniority | None = strawberry.field(  # type: ignore[valid-type]
        default=UNSET, description="New `seniority`; null clears it."
    )
    industry: str | None = strawberry.field(
        default=UNSET, description="New `industry`; null clears it."
    )
    country: str | None = strawberry.field(
        default=UNSET, description="New `country`; null clears it."
    )
    city: str | None = strawberry.field(default=UNSET, description="New `city`; null clears it.")
    website: str | None = strawberry.field(
        default=UNSET, description="New `website`; null clears it."
    )
    registration_number: str | None = strawberry.field(
        default=UNSET, description="New `registrationNumber`; null clears it."
    )
    code: str | None = strawberry.field(default=UNSET, description="New `code`; null clears it.")
    region: str | None = strawberry.field(
        default=UNSET, description="New `region`; null clears it."
    )
    population: int | None = strawberry.field(
        default=UNSET, description="New `population`; null clears it."
    )
    category: OrganizationCategory | None = strawberry.field(  # type: ignore[valid-type]
        default=UNSET, description="New `category`; null clears it."
    )


@strawberry.input(description="Changes to a tie: omitted fields stay, null clears.")
class TiePatch:
    source_id: strawberry.ID | None = strawberry.field(
        default=UNSET, description="New `sourceId`; null clears it."
    )
    target_id: strawberry.ID | None = strawberry.field(
        default=UNSET, description="New `targetId`; null clears it."
    )
    kind: TieKind | None = strawberry.field(  # type: ignore[valid-type]
        default=UNSET, description="New `kind`; null clears it."
    )
    key: str | None = strawberry.field(default=UNSET, description="New `key`; null clears it.")
    strength: float | None = strawberry.field(
        default=UNSET, description="New `strength`; null clears it."
    )
    role: str | None = strawberry.field(default=UNSET, description="New `role`; null clears it.")
    since: date | None = strawberry.field(default=UNSET, description="New `since`; null clears it.")
    until: date | None = strawberry.field(default=UNSET, description="New `until`; null clears it.")
    confidence: float | None = strawberry.field(
        default=UNSET, description="New `confidence`; null clears it."
    )
    evidence: Evidence | None = strawberry.field(  # type: ignore[valid-type]
        default=UNSET, description="New `evidence`; null clears it."
    )
    decision_role: DecisionRole | None = strawberry.field(  # type: ignore[valid-type]
        default=UNSET, description="New `decisionRole`; null clears it."
    )
    department: str | None = strawberry.field(
        default=UNSET, description="New `department`; null clears it."
    )
    context: str | None = strawberry.field(
        default=UNSET, description="New `context`; null clears it."
    )
    share: float | None = strawberry.field(
        default=UNSET, description="New `share`; null clears it."
    )
    notes: str | None = strawberry.field(default=UNSET, description="New `notes`; null clears it.")


@strawberry.input(description="Changes to an interaction: omitted fields stay, null clears.")
class InteractionPatch:
    kind: InteractionKind | None = strawberry.field(  # type: ignore[valid-type]
        default=UNSET, description="New `kind`; null clears it."
    )
    occurred_at: datetime | None = strawberry.field(
        default=UNSET, description="New `occurredAt`; null clears it."
    )
    participant_ids: list[strawberry.ID] | None = strawberry.field(
        default=UNSET, description="New `participantIds`; null clears it."
    )
    sentiment: float | None = strawberry.field(
        default=UNSET, description="New `sentiment`; null clears it."
    )
    subject: str | None = strawberry.field(
        default=UNSET, description="New `subject`; null clears it."
    )
    summary: str | None = strawberry.field(
        default=UNSET, description="New `summary`; null clears it."
    )
    outcome: str | None = strawberry.field(
        default=UNSET, description="New `outcome`; null clears it."
    )
    notes: str | None = strawberry.field(default=UNSET, description="New `notes`; null clears it.")


@strawberry.type(description="Result of updateStakeholder.")
class StakeholderPayload:
    stakeholder: Stakeholder | None = strawberry.field(description="The stakeholder as stored.")
    errors: list[UserError] = strawberry.field(description="Expected problems; empty on success.")


@strawberry.type(description="Result of updateInteraction.")
class InteractionUpdatePayload:
    interaction: Interaction | None = strawberry.field(description="The interaction as stored.")
    errors: list[UserError] = strawberry.field(description="Expected problems; empty on success.")


@strawberry.type(description="Result of a delete.")
class DeletePayload:
    deleted_id: strawberry.ID | None = strawberry.field(description="The id that was deleted.")
    errors: list[UserError] = strawberry.field(description="Expected problems; empty on success.")


@strawberry.type
class EditingMutation:
    @strawberry.mutation(description="Change a stakeholder (patch semantics).")
    async def update_stakeholder(
        self, info: Info, id: strawberry.ID, input: StakeholderPatch
    ) -> StakeholderPayload:
        try:
            updated = await info.context.services.network.update_stakeholder(
                stakeholder_id(id, "id"), patch_row(input)
            )
        except StakenetError as error:
            return StakeholderPayload(stakeholder=None, errors=user_errors(error))
        return StakeholderPayload(stakeholder=stakeholder_type(updated), errors=[])

    @strawberry.mutation(description="Delete a stakeholder with its ties and participation.")
    async def delete_stakeholder(self, info: Info, id: strawberry.ID) -> DeletePayload:
        try:
            await info.context.services.network.delete_stakeholder(stakeholder_id(id, "id"))
        except StakenetError as error:
            return DeletePayload(deleted_id=None, errors=user_errors(error))
        return DeletePayload(deleted_id=id, errors=[])

    @strawberry.mutation(description="Change a tie (patch semantics).")
    async def update_tie(self, info: Info, id: strawberry.ID, input: TiePatch) -> TiePayload:
        try:
            row = patch_row(input)
            for field, name in (("sourceId", "source"), ("targetId", "target")):
                if field in row:
                    row[name] = stakeholder_id(row.pop(field) or "", field)
            updated = await info.context.services.network.update_tie(
                entity_id(id, "id", ("Tie",)), row
            )
        except StakenetError as error:
            return TiePayload(tie=None, errors=user_errors(error))
        return TiePayload(tie=tie_type(updated), errors=[])

    @strawberry.mutation(description="Delete a tie.")
    async def delete_tie(self, info: Info, id: strawberry.ID) -> DeletePayload:
        try:
            await info.context.services.network.delete_tie(entity_id(id, "id", ("Tie",)))
        except StakenetError as error:
            return DeletePayload(deleted_id=None, errors=user_errors(error))
        return DeletePayload(deleted_id=id, errors=[])

    @strawberry.mutation(description="Change an interaction (patch semantics).")
    async def update_interaction(
        self, info: Info, id: strawberry.ID, input: InteractionPatch
    ) -> InteractionUpdatePayload:
        try:
            row = patch_row(input)
            if "participantIds" in row:
                row["participants"] = [
                    stakeholder_id(p, f"participantIds[{i}]")
                    for i, p in enumerate(row.pop("participantIds") or [])
                ]
            updated = await info.context.services.network.update_interaction(
                entity_id(id, "id", ("Interaction",)), row
            )
        except StakenetError as error:
            return InteractionUpdatePayload(interaction=None, errors=user_errors(error))
        return InteractionUpdatePayload(interaction=interaction_type(updated), errors=[])

    @strawberry.mutation(description="Delete an interaction.")
    async def delete_interaction(self, info: Info, id: strawberry.ID) -> DeletePayload:
        try:
            await info.context.services.network.delete_interaction(
                entity_id(id, "id", ("Interaction",))
            )
        except StakenetError as error:
            return DeletePayload(deleted_id=None, errors=user_errors(error))
        return DeletePayload(deleted_id=id, errors=[])
