"""API tokens and the audit trail as `(:ApiToken)` and `(:AuditEntry)` nodes: the transaction
functions that write and read them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from stakenet.domain.access import ApiToken, AuditEntry, Role
from stakenet.domain.errors import (
    Conflict,
    NotFound,
)
from stakenet.store.neo4j.cypher import (
    ACTIVE_TOKEN_COUNT,
    ACTIVE_TOKENS_NAMED,
    ALL_TOKENS,
    AUDIT_ENTRIES,
    INSERT_AUDIT_ENTRY,
    INSERT_TOKEN,
    LOCK_META,
    NEXT_AUDIT_SEQ,
    REVOKE_TOKEN,
    TOKEN_BY_DIGEST,
    TOMBSTONE_AUDIT_ENTRIES,
)
from stakenet.store.neo4j.queries import Tx, run_query
from stakenet.store.neo4j.records import as_utc, utc_text


def _token_props(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.id,
        "name": token.name,
        "role": token.role.value,
        "token_hash": token.token_hash,
        "created_at": utc_text(token.created_at),
        "revoked_at": None if token.revoked_at is None else utc_text(token.revoked_at),
        "expires_at": None if token.expires_at is None else utc_text(token.expires_at),
    }


def token_from_props(props: Mapping[str, Any]) -> ApiToken:
    revoked_at = props.get("revoked_at")
    # A token stored before tokens could expire has no `expires_at`: it never expires.
    expires_at = props.get("expires_at")
    return ApiToken(
        id=props["id"],
        name=props["name"],
        role=Role(props["role"]),
        token_hash=props["token_hash"],
        created_at=datetime.fromisoformat(props["created_at"]),
        revoked_at=None if revoked_at is None else datetime.fromisoformat(revoked_at),
        expires_at=None if expires_at is None else datetime.fromisoformat(expires_at),
    )


def audit_from_props(props: Mapping[str, Any]) -> AuditEntry:
    return AuditEntry(
        at=datetime.fromisoformat(props["at"]),
        actor=props["actor"],
        operation=props["operation"],
        entity_ids=tuple(props.get("entity_ids") or ()),
        fields=tuple(props.get("fields") or ()),
        seq=int(props["seq"]),
        revision=None if props.get("revision") is None else int(props["revision"]),
        detail=json.loads(props.get("detail") or "{}"),
    )


async def insert_audit(tx: Tx, entry: AuditEntry) -> AuditEntry:
    [row] = await run_query(tx, NEXT_AUDIT_SEQ)
    stored = replace(entry, seq=int(row["seq"]))
    props = {
        "seq": stored.seq,
        "at": utc_text(stored.at),
        "actor": stored.actor,
        "operation": stored.operation,
        "revision": stored.revision,
        "entity_ids": list(stored.entity_ids),
        "fields": list(stored.fields),
        "detail": json.dumps(stored.detail, sort_keys=True),
    }
    await run_query(tx, INSERT_AUDIT_ENTRY, props=props)
    return stored


async def tombstone_audit_entries(tx: Tx, entity_id: str, tombstone: str) -> None:
    """Name `tombstone` instead of `entity_id` in every audit entry."""
    await run_query(tx, TOMBSTONE_AUDIT_ENTRIES, id=entity_id, tombstone=tombstone)


async def create_token(tx: Tx, token: ApiToken) -> None:
    await run_query(tx, LOCK_META)
    if await run_query(tx, ACTIVE_TOKENS_NAMED, name=token.name):
        raise Conflict(f"An active token named '{token.name}' already exists.")
    await run_query(tx, INSERT_TOKEN, props=_token_props(token))


async def revoke_token(tx: Tx, name: str, at: datetime) -> ApiToken:
    await run_query(tx, LOCK_META)
    rows = await run_query(tx, ACTIVE_TOKENS_NAMED, name=name)
    if not rows:
        raise NotFound(f"No active token named '{name}'.")
    token = token_from_props(rows[0]["props"])
    await run_query(tx, REVOKE_TOKEN, id=token.id, at=utc_text(at))
    return replace(token, revoked_at=as_utc(at))


async def list_tokens(tx: Tx) -> list[ApiToken]:
    tokens = [token_from_props(row["props"]) for row in await run_query(tx, ALL_TOKENS)]
    return sorted(tokens, key=lambda token: (token.created_at, token.id))


async def token_by_digest(tx: Tx, digest: str) -> ApiToken | None:
    rows = await run_query(tx, TOKEN_BY_DIGEST, digest=digest)
    return token_from_props(rows[0]["props"]) if rows else None


async def active_token_count(tx: Tx) -> int:
    [row] = await run_query(tx, ACTIVE_TOKEN_COUNT)
    return int(row["active"])


async def audit_entries(
    tx: Tx, after_seq: int, first: int, entity_id: str | None, ids_limit: int | None = None
) -> list[AuditEntry]:
    rows = await run_query(
        tx,
        AUDIT_ENTRIES,
        after_seq=after_seq,
        first=first,
        entity_id=entity_id,
        ids_limit=ids_limit,
    )
    return [
        replace(
            audit_from_props(row["props"]),
            entity_ids=tuple(row["entity_ids"] or ()),
            entity_count=int(row["entity_count"]),
        )
        for row in rows
    ]
