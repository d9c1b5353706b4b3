"""Alerts in SQLite: the `alerts` table (`AlertLog`).

Functions take a connection; the store runs each write in its write transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from stakenet.domain.alerts import Alert, AlertKind, AlertSeverity, AlertUpdate
from stakenet.store.port import AlertFilter, Page, PageRequest, alert_cursor, alert_seq_of
from stakenet.store.sqlite.reads import existing_ids
from stakenet.store.sqlite.rows import to_json, utc_text

ALERT_SELECT = (
    "SELECT seq, id, kind, severity, raised_at, revision, organization_id, stakeholder_ids, "
    "explanation, fingerprint, cleared_at FROM alerts"
)


def alert_from_row(row: Sequence[Any]) -> Alert:
    seq, alert_id, kind, severity, raised_at, revision, org, ids, text, cause, cleared = row
    return Alert(
        id=alert_id,
        kind=AlertKind(kind),
        severity=AlertSeverity(severity),
        raised_at=datetime.fromisoformat(raised_at),
        revision=revision,
        organization_id=org,
        stakeholder_ids=tuple(json.loads(ids)),
        explanation=text,
        fingerprint=cause,
        seq=seq,
        cleared_at=datetime.fromisoformat(cleared) if cleared else None,
    )


def record_alerts(connection: sqlite3.Connection, update: AlertUpdate) -> list[Alert]:
    """`AlertLog.record_alerts`; in a write transaction."""
    if update.cleared:
        connection.execute(
            "UPDATE alerts SET cleared_at = ? WHERE cleared_at IS NULL "
            "AND fingerprint IN (SELECT value FROM json_each(?))",
            (utc_text(update.at), to_json(sorted(update.cleared))),
        )
    named = sorted({i for alert in update.raised for i in alert.named_ids})
    stored_ids = existing_ids(connection, "stakeholders", named)
    recorded: list[Alert] = []
    for alert in update.raised:
        if not alert.named_ids <= stored_ids:
            continue
        cursor = connection.execute(
            "INSERT INTO alerts (id, kind, severity, raised_at, revision, organization_id, "
            "stakeholder_ids, explanation, fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (fingerprint) WHERE cleared_at IS NULL DO NOTHING",
            (
                alert.id,
                alert.kind.value,
                alert.severity.value,
                utc_text(alert.raised_at),
                alert.revision,
                alert.organization_id,
                to_json(list(alert.stakeholder_ids)),
                alert.explanation,
                alert.fingerprint,
            ),
        )
        if cursor.rowcount == 1:
            recorded.append(replace(alert, seq=int(cursor.lastrowid or 0), cleared_at=None))
    return recorded


def open_alerts(connection: sqlite3.Connection) -> list[Alert]:
    rows = connection.execute(f"{ALERT_SELECT} WHERE cleared_at IS NULL ORDER BY seq")
    return [alert_from_row(row) for row in rows]


def alert_page(
    connection: sqlite3.Connection, where: AlertFilter, page: PageRequest
) -> Page[Alert]:
    conditions: list[str] = []
    params: list[Any] = []
    if where.organization_id is not None:
        conditions.append("organization_id = ?")
        params.append(where.organization_id)
    if where.kinds:
        conditions.append("kind IN (SELECT value FROM json_each(?))")
        params.append(to_json([kind.value for kind in where.kinds]))
    matching = " AND ".join(conditions) or "1"
    total = connection.execute(
        f"SELECT COUNT(*) FROM alerts WHERE {matching}",  # noqa: S608 (our conditions)
        params,
    ).fetchone()[0]
    rows = connection.execute(
        f"{ALERT_SELECT} WHERE {matching} AND seq > ? ORDER BY seq LIMIT ?",
        [*params, alert_seq_of(page.after), page.first + 1],
    ).fetchall()
    alerts = [alert_from_row(row) for row in rows[: page.first]]
    return Page(alerts, [alert_cursor(a.seq) for a in alerts], len(rows) > page.first, total)


def last_alert_seq(connection: sqlite3.Connection) -> int:
    return int(connection.execute("SELECT COALESCE(MAX(seq), 0) FROM alerts").fetchone()[0])


def delete_alerts_naming(connection: sqlite3.Connection, stakeholder_id: str) -> None:
    """Delete every alert that names the stakeholder; in a write transaction (an erasure's)."""
    connection.execute(
        "DELETE FROM alerts WHERE organization_id = :id OR (instr(stakeholder_ids, "
        "json_quote(:id)) > 0 AND EXISTS (SELECT 1 FROM json_each(alerts.stakeholder_ids) "
        "WHERE value = :id))",
        {"id": stakeholder_id},
    )
