"""API tokens and the audit trail in SQLite: the `api_tokens` and `audit_log` tables.

Functions take a connection; the store runs the writes in its write transaction, and a
batch's audit entry is inserted in the batch's own transaction (`insert_audit`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from stakenet.domain.access import ApiToken, AuditEntry, Role
from stakenet.domain.errors import Conflict, NotFound
from stakenet.store.sqlite.rows import as_utc, to_json, utc_text

TOKEN_SELECT = (
    "SELECT id, name, role, token_hash, created_at, revoked_at, expires_at FROM api_tokens"
)


def token_from_row(row: Sequence[Any]) -> ApiToken:
    token_id, name, role, token_hash, created_at, revoked_at, expires_at = row
    return ApiToken(
        id=token_id,
        name=name,
        role=Role(role),
        token_hash=token_hash,
        created_at=datetime.fromisoformat(created_at),
        revoked_at=datetime.fromisoformat(revoked_at) if revoked_at else None,
        expires_at=datetime.fromisoformat(expires_at) if expires_at else None,
    )


def insert_audit(connection: sqlite3.Connection, entry: AuditEntry) -> AuditEntry:
    cursor = connection.execute(
        "INSERT INTO audit_log (at, actor, operation, revision, entity_ids, fields, detail) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            utc_text(entry.at),
            entry.actor,
            entry.operation,
            entry.revision,
            to_json(list(entry.entity_ids)),
            json.dumps(list(entry.fields)),
            json.dumps(entry.detail, sort_keys=True),
        ),
    )
    return replace(entry, seq=cursor.lastrowid)


def tombstone_audit_entries(connection: sqlite3.Connection, entity_id: str, tombstone: str) -> None:
    """Name `tombstone` instead of `entity_id` in every audit entry; in a write transaction.

    `instr` picks the entries to rewrite without parsing every entry's ids (an import's entry
    may name millions); `json_each` gives them back in order.
    """
    connection.execute(
        "UPDATE audit_log SET entity_ids = (SELECT json_group_array("
        "CASE WHEN value = :id THEN :tombstone ELSE value END) "
        "FROM json_each(audit_log.entity_ids)) "
        "WHERE instr(entity_ids, json_quote(:id)) > 0",
        {"id": entity_id, "tombstone": tombstone},
    )


def audit_from_row(row: Sequence[Any]) -> AuditEntry:
    seq, at, actor, operation, revision, entity_ids, entity_count, fields, detail = row
    return AuditEntry(
        at=datetime.fromisoformat(at),
        actor=actor,
        operation=operation,
        entity_ids=tuple(json.loads(entity_ids)),
        fields=tuple(json.loads(fields)),
        seq=seq,
        revision=revision,
        detail=json.loads(detail),
        entity_count=entity_count,
    )


def create_token(connection: sqlite3.Connection, token: ApiToken) -> None:
    """Insert `token`, unless an active token has its name; in a write transaction."""
    taken = connection.execute(
        "SELECT 1 FROM api_tokens WHERE name = ? AND revoked_at IS NULL", (token.name,)
    ).fetchone()
    if taken:
        raise Conflict(f"An active token named '{token.name}' already exists.")
    connection.execute(
        "INSERT INTO api_tokens (id, name, role, token_hash, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (
            token.id,
            token.name,
            token.role.value,
            token.token_hash,
            utc_text(token.created_at),
            None if token.expires_at is None else utc_text(token.expires_at),
        ),
    )


def list_tokens(connection: sqlite3.Connection) -> list[ApiToken]:
    rows = connection.execute(f"{TOKEN_SELECT} ORDER BY created_at, id").fetchall()
    return [token_from_row(row) for row in rows]


def revoke_token(connection: sqlite3.Connection, name: str, at: datetime) -> ApiToken:
    """Revoke the active token called `name`; in a write transaction."""
    row = connection.execute(
        f"{TOKEN_SELECT} WHERE name = ? AND revoked_at IS NULL",
        (name,),
    ).fetchone()
    if row is None:
        raise NotFound(f"No active token named '{name}'.")
    connection.execute("UPDATE api_tokens SET revoked_at = ? WHERE id = ?", (utc_text(at), row[0]))
    return replace(token_from_row(row), revoked_at=as_utc(at))


def token_by_digest(connection: sqlite3.Connection, digest: str) -> ApiToken | None:
    row = connection.execute(f"{TOKEN_SELECT} WHERE token_hash = ?", (digest,)).fetchone()
    return token_from_row(row) if row else None


def active_token_count(connection: sqlite3.Connection) -> int:
    """Unrevoked tokens, expired ones included (see `AccessTokens.active_token_count`)."""
    row = connection.execute("SELECT COUNT(*) FROM api_tokens WHERE revoked_at IS NULL").fetchone()
    return int(row[0])


# An entry's first ids: json_each gives an array's elements in order, and stops at the limit.
_FIRST_IDS = (
    "CASE WHEN :ids_limit IS NULL THEN entity_ids ELSE (SELECT json_group_array(value) FROM "
    "(SELECT value FROM json_each(audit_log.entity_ids) LIMIT :ids_limit)) END"
)


def audit_entries(
    connection: sqlite3.Connection,
    after_seq: int,
    first: int,
    entity_id: str | None,
    ids_limit: int | None = None,
) -> list[AuditEntry]:
    sql = (
        f"SELECT seq, at, actor, operation, revision, {_FIRST_IDS}, "  # noqa: S608 (ours)
        "json_array_length(entity_ids), fields, detail FROM audit_log WHERE seq > :after_seq"
    )
    params: dict[str, Any] = {"after_seq": after_seq, "ids_limit": ids_limit, "first": first}
    if entity_id is not None:
        sql += " AND EXISTS (SELECT 1 FROM json_each(entity_ids) WHERE value = :entity_id)"
        params["entity_id"] = entity_id
    rows = connection.execute(sql + " ORDER BY seq LIMIT :first", params).fetchall()
    return [audit_from_row(row) for row in rows]
