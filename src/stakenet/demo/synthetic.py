"""Synthetic stakeholder networks in the interchange format, at a chosen number of ties.

The shape follows a relationship manager's CRM: organisations (companies, municipalities,
associations) with org charts (WORKS_FOR with titles and decision roles, REPORTS_TO trees,
board seats), acquaintance that is power-law distributed (a few people know very many) and
half inside the same organisation, advisers and influencers, our own people (1 %) owning
relationships, and interactions (meetings, calls, e-mails ...) spread over two years, mostly
between people who are tied.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

NOW = datetime(2026, 6, 1, tzinfo=UTC)
TITLES = [
    "CEO",
    "CFO",
    "CTO",
    "Director of Sales",
    "Head of Procurement",
    "Manager",
    "Engineer",
    "Consultant",
    "Analyst",
    "Coordinator",
]
DECISION_ROLES = [
    "DECISION_MAKER",
    "ECONOMIC_BUYER",
    "TECHNICAL_BUYER",
    "INFLUENCER",
    "GATEKEEPER",
    "CHAMPION",
    "BLOCKER",
    "USER",
]
INTERACTION_KINDS = ["MEETING", "CALL", "EMAIL", "EMAIL", "EVENT", "NEGOTIATION", "SITE_VISIT"]
ORG_KINDS = ["COMPANY", "COMPANY", "COMPANY", "MUNICIPALITY", "ORGANIZATION"]


def network(ties: int, seed: int = 7) -> dict[str, Any]:
    """An interchange document with about `ties` ties, ``ties // 5`` people, ``ties // 4``
    interactions, and one organisation per 20 people."""
    rng = np.random.default_rng(seed)
    people = max(40, ties // 5)
    orgs = max(2, people // 20)
    stakeholders: list[dict[str, Any]] = [
        {"key": "org-us", "kind": "COMPANY", "name": "Our Company", "internal": True}
    ]
    for o in range(orgs):
        kind = ORG_KINDS[o % len(ORG_KINDS)]
        row: dict[str, Any] = {"key": f"org-{o}", "kind": kind, "name": f"{kind.title()} {o}"}
        if kind == "COMPANY":
            row["industry"] = ["Energy", "Retail", "Logistics", "Finance"][o % 4]
        stakeholders.append(row)
    internal = rng.random(people) < 0.01
    # Organisation sizes are skewed: a few large employers, many small ones.
    employer = np.minimum((rng.pareto(1.5, people) * orgs / 4).astype(np.int64), orgs - 1)
    employer = rng.permutation(orgs)[employer]
    for i in range(people):
        stakeholders.append(
            {
                "key": f"p-{i}",
                "kind": "PERSON",
                "name": f"Person {i}",
                "title": TITLES[i % len(TITLES)],
                "internal": bool(internal[i]),
            }
        )
    out: list[dict[str, Any]] = []
    members: dict[str, list[int]] = {}
    since = (NOW - timedelta(days=2000)).date()
    for i in range(people):
        org = "org-us" if internal[i] else f"org-{employer[i]}"
        members.setdefault(org, []).append(i)
        tie: dict[str, Any] = {
            "source": f"p-{i}",
            "target": org,
            "kind": "WORKS_FOR",
            "role": TITLES[i % len(TITLES)],
            "since": since.isoformat(),
        }
        if i % 7 == 0:
            tie["decisionRole"] = DECISION_ROLES[(i // 7) % len(DECISION_ROLES)]
        out.append(tie)
    for org, staff in members.items():
        for j, i in enumerate(staff[1:], start=1):
            out.append(
                {"source": f"p-{i}", "target": f"p-{staff[(j - 1) // 4]}", "kind": "REPORTS_TO"}
            )
        if org != "org-us" and len(staff) > 3:
            out.append(
                {
                    "source": f"p-{staff[1]}",
                    "target": org,
                    "kind": "BOARD_MEMBER_OF",
                    "role": "chair",
                    "strength": 0.8,
                }
            )
    # Power-law acquaintance: endpoints drawn with Zipf-like weights over a random order.
    popularity = 1.0 / np.arange(1, people + 1) ** 0.8
    popularity /= popularity.sum()
    order = rng.permutation(people)
    kinds = ["KNOWS"] * 8 + ["FAMILY", "ADVISES", "INFLUENCES", "RELATIONSHIP_OWNER"]
    seen: set[tuple[int, int, str]] = set()
    pairs: list[tuple[int, int]] = []
    internal_people = np.flatnonzero(internal)
    while len(out) < ties:
        batch = min(200_000, 2 * (ties - len(out)))
        a = order[rng.choice(people, size=batch, p=popularity)]
        b = order[rng.choice(people, size=batch, p=popularity)]
        colleague = rng.random(batch) < 0.5
        strength = np.round(rng.uniform(0.1, 1.0, size=batch), 2)
        declared = rng.random(batch) < 0.4
        kind_ix = rng.integers(0, len(kinds), size=batch)
        for k in range(batch):
            if len(out) >= ties:
                break
            u = int(a[k])
            kind = kinds[kind_ix[k]]
            if kind == "RELATIONSHIP_OWNER" and len(internal_people):
                u = int(internal_people[k % len(internal_people)])
            elif colleague[k]:
                staff = members["org-us" if internal[u] else f"org-{employer[u]}"]
                b[k] = staff[k % len(staff)]
            v = int(b[k])
            if (
                u == v
                or (u, v, kind) in seen
                or (kind in ("KNOWS", "FAMILY") and (v, u, kind) in seen)
            ):
                continue
            seen.add((u, v, kind))
            tie = {"source": f"p-{u}", "target": f"p-{v}", "kind": kind}
            if declared[k]:
                tie["strength"] = float(strength[k])
            out.append(tie)
            pairs.append((u, v))
    interactions: list[dict[str, Any]] = []
    count = ties // 4
    picks = rng.integers(0, max(1, len(pairs)), size=count)
    ages = rng.exponential(200.0, size=count)
    for k in range(count):
        u, v = pairs[int(picks[k])] if pairs else (0, 1)
        when = NOW - timedelta(days=float(min(ages[k], 730.0)))
        row = {
            "kind": INTERACTION_KINDS[k % len(INTERACTION_KINDS)],
            "occurredAt": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "participants": [f"p-{u}", f"p-{v}"],
            "subject": f"Interaction {k}",
        }
        if k % 3:
            row["sentiment"] = round(float(rng.uniform(-0.5, 1.0)), 2)
        interactions.append(row)
    return {"stakeholders": stakeholders, "ties": out, "interactions": interactions}


def write(ties: int, directory: Path, seed: int = 7) -> Path:
    """Write `network(ties)` as ``network-<ties>.json`` (reused when present)."""
    path = directory / f"network-{ties}.json"
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(network(ties, seed)), encoding="utf-8")
    return path
