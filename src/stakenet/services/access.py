"""Access: API tokens, who is acting, the audit trail, and a person's data (export, erasure).

The acting principal is established at the edge, once per operation: by the GraphQL layer from
the caller of the HTTP request or WebSocket connection, by the CLI as the local operator. The
service layer reads it (`current_principal`) to check roles and to name the actor of every audit
entry. Where nobody established a caller, the principal is `NOBODY`, which may do nothing.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Protocol

from stakenet.domain.access import (
    LOCAL_USER,
    NOBODY,
    ApiToken,
    AuditEntry,
    Principal,
    Role,
    expiry_notice,
    new_token_secret,
    token_digest,
)
from stakenet.domain.errors import (
    Issue,
    NotFound,
    PermissionDenied,
    Unauthenticated,
    ValidationFailed,
)
from stakenet.domain.interchange import interaction_to_row, stakeholder_to_row, tie_to_row
from stakenet.services.ids import new_id
from stakenet.store.port import AccessTokens, AuditLog, GraphReads

_principal: ContextVar[Principal] = ContextVar("stakenet_principal", default=NOBODY)

# How long a "does any token exist" or "which tokens are revoked" answer is trusted: a new first
# token, or a revocation made through another replica, takes effect within it.
TOKEN_PRESENCE_TTL = 1.0
MAX_TOKEN_NAME = 100


def current_principal() -> Principal:
    return _principal.get()


@contextlib.contextmanager
def acting_as(principal: Principal) -> Iterator[None]:
    token = _principal.set(principal)
    try:
        yield
    finally:
        # A streamed operation closed from another task (a WebSocket gone) ends in a context
        # that never held this caller: there is nothing to restore there.
        with contextlib.suppress(ValueError):
            _principal.reset(token)


def require(role: Role, action: str) -> Principal:
    """The acting principal, if its role allows `action`; PermissionDenied otherwise."""
    principal = current_principal()
    if principal.may(role):
        return principal
    if principal.role is None:
        raise PermissionDenied(f"{action} needs the {role.value} role, and no caller is known.")
    held = principal.role.value
    article = "an" if held[0] in "aeiou" else "a"
    raise PermissionDenied(
        f"{action} needs the {role.value} role; the token '{principal.name}' is {article} {held}."
    )


def visible_notes(notes: str | None) -> str | None:
    """Notes are private: viewers get None, editors and admins the text."""
    return notes if current_principal().may(Role.EDITOR) else None


def audit_entry(
    operation: str,
    entity_ids: Sequence[str] = (),
    fields: Sequence[str] = (),
    detail: dict[str, int] | None = None,
) -> AuditEntry:
    return AuditEntry(
        at=datetime.now(UTC),
        actor=current_principal().name,
        operation=operation,
        entity_ids=tuple(entity_ids),
        fields=tuple(sorted(fields)),
        detail=detail or {},
    )


class AccessStore(AccessTokens, AuditLog, GraphReads, Protocol):
    """What the access service uses of the store: tokens, the audit trail, and reads of the
    graph for a person's data; it never writes the graph."""


class AccessService:
    def __init__(self, store: AccessStore) -> None:
        self.store = store
        self._tokens_exist: tuple[float, bool] | None = None
        self._active_ids: tuple[float, frozenset[str]] | None = None

    # -- tokens ----------------------------------------------------------------------------

    async def create_token(
        self, name: str, role: Role, expires_at: datetime | None = None
    ) -> tuple[ApiToken, str]:
        """A new token and its secret; the secret is returned once and never stored. With
        `expires_at` (a naive moment is taken as UTC), the token is refused from then on."""
        require(Role.ADMIN, "Creating a token")
        created_at = datetime.now(UTC)
        if expires_at is not None:
            naive = expires_at.tzinfo is None
            expires_at = expires_at.replace(tzinfo=UTC) if naive else expires_at.astimezone(UTC)
            if expires_at <= created_at:
                raise ValidationFailed(
                    [
                        Issue(
                            "expiresAt",
                            f"A token's expiry must be in the future; {expires_at.isoformat()} "
                            "has passed.",
                        )
                    ]
                )
        name = name.strip()
        if not name or len(name) > MAX_TOKEN_NAME:
            raise ValidationFailed(
                [Issue("name", f"A token name needs 1 to {MAX_TOKEN_NAME} characters.")]
            )
        # A tab or a line break would split the name across fields and lines of a listing.
        if not name.isprintable():
            unprintable = (
                "A token name cannot hold a tab, a line break or another unprintable character."
            )
            raise ValidationFailed([Issue("name", unprintable)])
        secret = new_token_secret()
        token = ApiToken(
            id=new_id(),
            name=name,
            role=role,
            token_hash=token_digest(secret),
            created_at=created_at,
            expires_at=expires_at,
        )
        await self.store.create_token(token)
        fields = ["name", "role"] + (["expiresAt"] if expires_at is not None else [])
        await self.store.record_audit(audit_entry("createToken", [token.id], fields))
        self._tokens_exist = None
        self._active_ids = None
        return token, secret

    async def list_tokens(self) -> list[ApiToken]:
        require(Role.ADMIN, "Listing tokens")
        return await self.store.list_tokens()

    async def revoke_token(self, name: str) -> ApiToken:
        require(Role.ADMIN, "Revoking a token")
        token = await self.store.revoke_token(name, datetime.now(UTC))
        await self.store.record_audit(audit_entry("revokeToken", [token.id], ["revokedAt"]))
        self._tokens_exist = None
        self._active_ids = None
        return token

    async def tokens_required(self) -> bool:
        """Whether any unrevoked token exists, expired or not: from then on every request needs
        one. An expired token still counts, so a server whose tokens all expired stays closed
        rather than falling back to the local user."""
        now = time.monotonic()
        if self._tokens_exist is None or now - self._tokens_exist[0] > TOKEN_PRESENCE_TTL:
            self._tokens_exist = (now, await self.store.active_token_count() > 0)
        return self._tokens_exist[1]

    async def authenticate(self, secret: str) -> Principal | None:
        """The principal of an active token, or None for a forged or revoked one; an expired
        one raises Unauthenticated, saying when it expired."""
        token = await self.store.token_by_digest(token_digest(secret))
        if token is None or token.revoked_at is not None:
            return None
        if token.expires_at is not None and token.expired(datetime.now(UTC)):
            raise Unauthenticated(f"{expiry_notice(token.name, token.expires_at)}.")
        return Principal(
            name=token.name, role=token.role, token_id=token.id, expires_at=token.expires_at
        )

    async def still_valid(self, principal: Principal) -> bool:
        """Whether a caller authenticated earlier (e.g. when a WebSocket opened) may still act.

        A token's caller loses that right when the token is revoked or expires; the local user
        loses it when the first token is created, since from then on every caller needs one.
        """
        if principal.token_id is None:
            return principal == LOCAL_USER and not await self.tokens_required()
        if principal.expired(datetime.now(UTC)):
            return False
        now = time.monotonic()
        if self._active_ids is None or now - self._active_ids[0] > TOKEN_PRESENCE_TTL:
            tokens = await self.store.list_tokens()
            self._active_ids = (now, frozenset(t.id for t in tokens if t.revoked_at is None))
        return principal.token_id in self._active_ids[1]

    # -- audit -----------------------------------------------------------------------------

    async def audit_log(self, after_seq: int, first: int, ids_limit: int) -> list[AuditEntry]:
        """A page of the audit log, each entry with its first `ids_limit` ids and their count."""
        require(Role.ADMIN, "Reading the audit log")
        return await self.store.audit_entries(after_seq, first, ids_limit=ids_limit)

    # -- a person's data -------------------------------------------------------------------

    async def personal_data(self, stakeholder_id: str) -> dict[str, Any]:
        """Everything stakenet holds about one stakeholder, as one JSON document."""
        require(Role.ADMIN, "Exporting personal data")
        (stakeholder,) = await self.store.get_stakeholders([stakeholder_id])
        if stakeholder is None:
            raise NotFound(f"No stakeholder with id '{stakeholder_id}'.")
        ties = await self.store.ties_of([stakeholder_id])
        interactions = await self.store.interactions_of([stakeholder_id])
        names: dict[str, str] = {}
        others = {t.source_id for t in ties} | {t.target_id for t in ties}
        others |= {p for i in interactions for p in i.participant_ids}
        for found in await self.store.get_stakeholders(sorted(others)):
            if found is not None:
                names[found.id] = found.name
        # The entries, not the other ids they name: an import's may name millions.
        audit = await self.store.audit_entries(0, 10_000, entity_id=stakeholder_id, ids_limit=0)
        await self.store.record_audit(audit_entry("personalData", [stakeholder_id]))
        return {
            "exportedAt": datetime.now(UTC).isoformat(),
            "stakeholder": stakeholder_to_row(stakeholder)
            | {
                "createdAt": _iso(stakeholder.created_at),
                "updatedAt": _iso(stakeholder.updated_at),
            },
            "ties": [tie_to_row(t, lambda ref: names.get(ref, ref)) for t in ties],
            "interactions": [
                interaction_to_row(i, lambda ref: names.get(ref, ref)) for i in interactions
            ],
            "auditEntries": [
                {
                    "at": e.at.isoformat(),
                    "actor": e.actor,
                    "operation": e.operation,
                    "fields": list(e.fields),
                    "revision": e.revision,
                }
                for e in audit
            ],
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
