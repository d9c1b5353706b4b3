"""Who may do what: roles, API tokens, the acting principal, and audit entries.

Tokens are random secrets shown once; only their SHA-256 digest is stored (a token carries 256
bits of entropy, so a slow password hash would add nothing). A token may be given an expiry: from
that instant on it is refused as a revoked one is. Audit entries name operations, ids and the
names of changed fields, never the values.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

TOKEN_PREFIX = "snk_"


class Role(StrEnum):
    VIEWER = "viewer"
    EDITOR = "editor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


_RANKS = {Role.VIEWER: 0, Role.EDITOR: 1, Role.ADMIN: 2}


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is acting: a token's name and role, the local user when no token exists, or nobody.

    `role` is None for `NOBODY`, the principal of code that no caller was established for: it
    may read nothing private and write nothing, so a path that forgets to say who is calling
    fails closed.
    """

    name: str
    role: Role | None
    token_id: str | None = None
    # A token's expiry never changes, so the caller carries it and is checked without the store.
    expires_at: datetime | None = None

    def may(self, needed: Role) -> bool:
        return self.role is not None and self.role.allows(needed)

    def expired(self, moment: datetime) -> bool:
        return expired(self.expires_at, moment)

    @property
    def role_name(self) -> str:
        return self.role.value if self.role is not None else "none"


NOBODY = Principal(name="nobody", role=None)
# The operator of a store without tokens: the CLI, and the server while no token exists.
LOCAL_USER = Principal(name="local", role=Role.ADMIN)
# The server itself, e.g. loading the demo network at start.
SYSTEM = Principal(name="system", role=Role.ADMIN)


@dataclass(frozen=True, slots=True)
class ApiToken:
    id: str
    name: str
    role: Role
    token_hash: str
    created_at: datetime
    revoked_at: datetime | None = None
    expires_at: datetime | None = None  # None: never expires

    def expired(self, moment: datetime) -> bool:
        return expired(self.expires_at, moment)

    def active_at(self, moment: datetime) -> bool:
        """Whether the token lets its holder in at `moment`: not revoked, and not expired."""
        return self.revoked_at is None and not self.expired(moment)


def expired(expires_at: datetime | None, moment: datetime) -> bool:
    """Whether a token with this expiry (None: never) has expired at `moment`."""
    return expires_at is not None and expires_at <= moment


def expiry_notice(name: str, expires_at: datetime) -> str:
    """What a caller whose token expired is told, on every transport."""
    return f"The token '{name}' expired at {expires_at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"


def new_token_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One audited operation. `seq` and `revision` are set by the store when it is written.

    An import touches every row it writes, so an entry can name millions of ids; read back, an
    entry may hold only the first of them (`AuditLog.audit_entries`), and `entity_count`, set
    by the store on reading, tells how many there are.
    """

    at: datetime
    actor: str
    operation: str
    entity_ids: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    seq: int | None = None
    revision: int | None = None
    detail: dict[str, int] = field(default_factory=dict)  # counts, e.g. rows of an import
    entity_count: int | None = None

    @property
    def touched(self) -> int:
        """How many entities the operation touched, whether or not `entity_ids` lists them all."""
        return len(self.entity_ids) if self.entity_count is None else self.entity_count
