"""Personal data and accountability in GraphQL: the audit log, a person's data, erasure, tokens.

All of it is for admins; the service layer checks the role, so the CLI and the API share one
rule.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from stakenet.api.caching import NOT_CACHEABLE
from stakenet.api.editing import DeletePayload
from stakenet.api.ids import to_global_id
from stakenet.api.types import Info, PageInfo, UserError, stakeholder_id, user_errors
from stakenet.domain.access import Role
from stakenet.domain.errors import Issue, StakenetError, ValidationFailed
from stakenet.services.access import current_principal

MAX_AUDIT_PAGE = 100
# Ids an entry shows: an import's entry names every row it wrote, perhaps millions.
AUDIT_IDS_SHOWN = 1000


@strawberry.type(description="One audited operation: who, when, what, which fields; never values.")
class AuditEntry:
    seq: int = strawberry.field(description="Position in the audit log.")
    at: datetime = strawberry.field(description="When (UTC).")
    actor: str = strawberry.field(description="The token's name ('local' without tokens).")
    operation: str = strawberry.field(description="The mutation or administrative action.")
    entity_ids: list[str] = strawberry.field(
        description=f"Raw ids of the entities touched, the first {AUDIT_IDS_SHOWN:,} of them "
        "(`entityCount` tells how many; `stakenet audit export` writes them all)."
    )
    entity_count: int = strawberry.field(description="How many entities the operation touched.")
    fields: list[str] = strawberry.field(description="Names of the fields changed.")
    revision: int | None = strawberry.field(description="Graph revision the change produced.")
    detail: JSON = strawberry.field(description="Counts, e.g. rows of an import.")


@strawberry.type(description="An audit entry with its cursor.")
class AuditEntryEdge:
    cursor: str = strawberry.field(description="Pass as `after` to continue.")
    node: AuditEntry = strawberry.field(description="The entry.")


@strawberry.type(description="A page of the audit log, oldest first.")
class AuditEntryConnection:
    edges: list[AuditEntryEdge] = strawberry.field(description="The entries of this page.")
    page_info: PageInfo = strawberry.field(description="Paging information.")


@strawberry.type(description="Who is calling.")
class Viewer:
    name: str = strawberry.field(description="The token's name, or 'local'.")
    role: str = strawberry.field(description="viewer, editor or admin.")


@strawberry.type(description="An API token as admins see it: never its secret.")
class Token:
    id: strawberry.ID = strawberry.field(description="The token's global id.")
    name: str = strawberry.field(description="The token's name.")
    role: str = strawberry.field(description="viewer, editor or admin.")
    created_at: datetime = strawberry.field(description="When it was created (UTC).")
    revoked_at: datetime | None = strawberry.field(description="When it was revoked, if it was.")
    expires_at: datetime | None = strawberry.field(
        description="When it stops working (UTC); null if it never expires."
    )
    active: bool = strawberry.field(
        description="Whether it lets its holder in now: neither revoked nor expired."
    )


@strawberry.type(description="A new API token; its secret is shown once and never again.")
class TokenPayload:
    name: str | None = strawberry.field(description="The token's name.")
    role: str | None = strawberry.field(description="Its role.")
    secret: str | None = strawberry.field(description="The secret to send as a bearer token.")
    expires_at: datetime | None = strawberry.field(
        description="When the token stops working (UTC); null if it never expires."
    )
    errors: list[UserError] = strawberry.field(description="Expected problems.")


# Sequence numbers are SQLite integers (and Neo4j's): a larger one was never handed out.
_LAST_SEQUENCE = 2**63 - 1


def _audit_position(cursor: str | None) -> int:
    """The sequence number an audit cursor stands for: one we returned, the decimal digits of a
    sequence number."""
    if not cursor:
        return 0
    # Digits only: int() would also take " 7", "+7", "7_0" and other scripts' digits.
    if (
        cursor.isascii()
        and cursor.isdigit()
        and len(cursor) <= 19
        and int(cursor) <= _LAST_SEQUENCE
    ):
        return int(cursor)
    raise ValidationFailed([Issue("after", "'after' is not a valid cursor.")])


@strawberry.type
class PrivacyQuery:
    # The caller's identity and role can change (a revoked or renamed token) at no revision.
    @strawberry.field(description="Who is calling, and with which role.", metadata=NOT_CACHEABLE)
    def viewer(self) -> Viewer:
        principal = current_principal()
        return Viewer(name=principal.name, role=principal.role_name)

    # Tokens are created, revoked and expire without a graph revision.
    @strawberry.field(
        description="Every API token, revoked and expired ones too, oldest first (admins only).",
        metadata=NOT_CACHEABLE,
    )
    async def api_tokens(self, info: Info) -> list[Token]:
        tokens = await info.context.services.access.list_tokens()
        now = datetime.now(UTC)
        return [
            Token(
                id=strawberry.ID(to_global_id("Token", t.id)),
                name=t.name,
                role=t.role.value,
                created_at=t.created_at,
                revoked_at=t.revoked_at,
                expires_at=t.expires_at,
                active=t.active_at(now),
            )
            for t in tokens
        ]

    # New entries (exports, token changes) come without a graph revision.
    @strawberry.field(
        description="The audit log, oldest first (admins only).", metadata=NOT_CACHEABLE
    )
    async def audit_log(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> AuditEntryConnection:
        if not 1 <= first <= MAX_AUDIT_PAGE:
            raise ValidationFailed(
                [Issue("first", f"'first' must be between 1 and {MAX_AUDIT_PAGE}, got {first}.")]
            )
        after_seq = _audit_position(after)
        entries = await info.context.services.access.audit_log(
            after_seq, first + 1, AUDIT_IDS_SHOWN
        )
        shown = entries[:first]
        edges = [
            AuditEntryEdge(
                cursor=str(e.seq),
                node=AuditEntry(
                    seq=e.seq or 0,
                    at=e.at,
                    actor=e.actor,
                    operation=e.operation,
                    entity_ids=list(e.entity_ids),
                    entity_count=e.touched,
                    fields=list(e.fields),
                    revision=e.revision,
                    detail=JSON(dict(e.detail)),
                ),
            )
            for e in shown
        ]
        return AuditEntryConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=len(entries) > first,
                has_previous_page=after_seq > 0,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )

    # Each export is audited, so each must run.
    @strawberry.field(
        description="Everything stakenet holds about one person, as JSON (admins).",
        metadata=NOT_CACHEABLE,
    )
    async def personal_data(self, info: Info, id: strawberry.ID) -> JSON:
        document: dict[str, Any] = await info.context.services.access.personal_data(
            stakeholder_id(id)
        )
        return JSON(document)


@strawberry.type
class PrivacyMutation:
    @strawberry.mutation(
        description="Erase a person everywhere: their data, ties, participation, change-log "
        "copies and the projection; a tombstone stays in the audit log (admins only)."
    )
    async def erase_stakeholder(self, info: Info, id: strawberry.ID) -> DeletePayload:
        try:
            await info.context.services.network.erase_stakeholder(stakeholder_id(id))
            # No cached answer may still show the person: recompute now, not after a debounce.
            await info.context.services.analytics.refresh()
        except StakenetError as error:
            return DeletePayload(deleted_id=None, errors=user_errors(error))
        return DeletePayload(deleted_id=id, errors=[])

    @strawberry.mutation(
        description="Create an API token (admins only); the secret is shown once. With "
        "`expiresAt`, a future instant, the token is refused from then on, as a revoked one is."
    )
    async def create_token(
        self, info: Info, name: str, role: str, expires_at: datetime | None = None
    ) -> TokenPayload:
        try:
            try:
                chosen = Role(role.lower())
            except ValueError:
                raise ValidationFailed(
                    [Issue("role", "'role' must be viewer, editor or admin.")]
                ) from None
            access = info.context.services.access
            token, secret = await access.create_token(name, chosen, expires_at)
        except StakenetError as error:
            return TokenPayload(
                name=None, role=None, secret=None, expires_at=None, errors=user_errors(error)
            )
        return TokenPayload(
            name=token.name,
            role=token.role.value,
            secret=secret,
            expires_at=token.expires_at,
            errors=[],
        )

    @strawberry.mutation(description="Revoke an API token by name (admins only).")
    async def revoke_token(self, info: Info, name: str) -> DeletePayload:
        try:
            token = await info.context.services.access.revoke_token(name)
        except StakenetError as error:
            return DeletePayload(deleted_id=None, errors=user_errors(error))
        return DeletePayload(deleted_id=strawberry.ID(to_global_id("Token", token.id)), errors=[])
