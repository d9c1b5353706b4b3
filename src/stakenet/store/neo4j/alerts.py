"""Alerts as `(:Alert)` nodes (`AlertLog`): the transaction functions that write and read them.

An alert is not part of the graph model: it names its organisation and stakeholders by id, so
deleting a stakeholder leaves the record of what was raised, and erasing one deletes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from stakenet.domain.alerts import Alert, AlertKind, AlertSeverity, AlertUpdate
from stakenet.store.neo4j.cypher import (
    ALERT_COUNT,
    ALERT_PAGE,
    CLEAR_ALERTS,
    DELETE_ALERTS_NAMING,
    EXISTING_STAKEHOLDERS,
    INSERT_ALERTS,
    LAST_ALERT_SEQ,
    OPEN_ALERT_CAUSES,
    OPEN_ALERTS,
    RESERVE_ALERT_SEQS,
)
from stakenet.store.neo4j.queries import Tx, run_query
from stakenet.store.neo4j.records import utc_text
from stakenet.store.port import AlertFilter, Page, PageRequest, alert_cursor, alert_seq_of


def alert_from_props(props: Mapping[str, Any]) -> Alert:
    cleared = props.get("cleared_at")
    return Alert(
        id=props["id"],
        kind=AlertKind(props["kind"]),
        severity=AlertSeverity(props["severity"]),
        raised_at=datetime.fromisoformat(props["raised_at"]),
        revision=int(props["revision"]),
        organization_id=props["organization_id"],
        stakeholder_ids=tuple(props.get("stakeholder_ids") or ()),
        explanation=props["explanation"],
        fingerprint=props["fingerprint"],
        seq=int(props["seq"]),
        cleared_at=datetime.fromisoformat(cleared) if cleared else None,
    )


def _alert_props(alert: Alert) -> dict[str, Any]:
    return {
        "seq": alert.seq,
        "id": alert.id,
        "kind": alert.kind.value,
        "severity": alert.severity.value,
        "raised_at": utc_text(alert.raised_at),
        "revision": alert.revision,
        "organization_id": alert.organization_id,
        "stakeholder_ids": list(alert.stakeholder_ids),
        "explanation": alert.explanation,
        "fingerprint": alert.fingerprint,
    }


async def record_alerts(tx: Tx, update: AlertUpdate) -> list[Alert]:
    """`AlertLog.record_alerts`. Derived inside the transaction, so a retry starts afresh."""
    # Taking the seqs first locks GraphMeta: writers of alerts run one after another.
    [row] = await run_query(tx, RESERVE_ALERT_SEQS, count=0)
    last = int(row["last"])
    if update.cleared:
        await run_query(
            tx, CLEAR_ALERTS, fingerprints=sorted(update.cleared), at=utc_text(update.at)
        )
    causes = sorted({alert.fingerprint for alert in update.raised})
    taken = {r["cause"] for r in await run_query(tx, OPEN_ALERT_CAUSES, fingerprints=causes)}
    named = sorted({i for alert in update.raised for i in alert.named_ids})
    stored_ids = {r["id"] for r in await run_query(tx, EXISTING_STAKEHOLDERS, ids=named)}
    recorded: list[Alert] = []
    for alert in update.raised:
        if alert.fingerprint in taken or not alert.named_ids <= stored_ids:
            continue
        taken.add(alert.fingerprint)
        recorded.append(replace(alert, seq=last + len(recorded) + 1, cleared_at=None))
    if recorded:
        await run_query(tx, RESERVE_ALERT_SEQS, count=len(recorded))
        await run_query(tx, INSERT_ALERTS, rows=[_alert_props(alert) for alert in recorded])
    return recorded


async def open_alerts(tx: Tx) -> list[Alert]:
    return [alert_from_props(row["props"]) for row in await run_query(tx, OPEN_ALERTS)]


async def alert_page(tx: Tx, where: AlertFilter, page: PageRequest) -> Page[Alert]:
    params: dict[str, Any] = {
        "organization_id": where.organization_id,
        "kinds": [kind.value for kind in where.kinds] or None,
    }
    rows = await run_query(
        tx, ALERT_PAGE, after=alert_seq_of(page.after), limit=page.first + 1, **params
    )
    [count] = await run_query(tx, ALERT_COUNT, **params)
    alerts = [alert_from_props(row["props"]) for row in rows[: page.first]]
    cursors = [alert_cursor(alert.seq) for alert in alerts]
    return Page(alerts, cursors, len(rows) > page.first, int(count["total"]))


async def last_alert_seq(tx: Tx) -> int:
    [row] = await run_query(tx, LAST_ALERT_SEQ)
    return int(row["seq"])


async def delete_alerts_naming(tx: Tx, stakeholder_id: str) -> None:
    """Delete every alert that names the stakeholder (in an erasure's transaction)."""
    await run_query(tx, DELETE_ALERTS_NAMING, id=stakeholder_id)
