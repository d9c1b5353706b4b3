"""Synthetic stakeholder networks in the interchange format, at a chosen number of ties.

Two shapes, both with a chosen number of ties:

- ``crm`` (`network`) follows a relationship manager's CRM: organisations (companies,
  municipalities, associations) with org charts (WORKS_FOR with titles and decision roles,
  REPORTS_TO trees, board seats), acquaintance that is power-law distributed (a few people know
  very many) and half inside the same organisation, advisers and influencers, our own people
  (1 %) owning relationships, and interactions (meetings, calls, e-mails ...) spread over two
  years, mostly between people who are tied.
- ``regional`` (`regional_network`) is a region as it is: organisation sizes follow a power law
  (the municipality, the hospital and the big utility employ thousands, most organisations a
  handful), a fifth of the people hold a second position elsewhere, and a small pool of
  directors sits on many boards (board interlocks). Acquaintance and interactions as above.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

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
REGIONAL_ANCHORS = [
    ("MUNICIPALITY", "Region Municipality"),
    ("ORGANIZATION", "University Hospital"),
    ("COMPANY", "Regional Utility"),
]


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
    stakeholders.extend(_people(internal))
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
    _org_charts(members, out)
    interactions = _acquaintance(rng, out, ties, internal, members, employer)
    return {"stakeholders": stakeholders, "ties": out, "interactions": interactions}


def regional_network(ties: int, seed: int = 7) -> dict[str, Any]:
    """An interchange document with about `ties` ties, ``ties // 5`` people and one organisation
    per 20 people, whose sizes follow a power law: weights ``rank ** -1.1``, so at 100k ties the
    largest employer has a few thousand people and the median a handful. The three largest are
    the region's municipality, hospital and utility. A fifth of the people also work for or
    advise a second organisation; about 4 % are directors, and each organisation of four or more
    people seats one to six of them on its board beside its chair, the busiest directors on many
    boards."""
    rng = np.random.default_rng(seed)
    people = max(60, ties // 5)
    orgs = max(3, people // 20)
    weights = 1.0 / np.arange(1, orgs + 1) ** 1.1
    weights /= weights.sum()
    stakeholders: list[dict[str, Any]] = [
        {"key": "org-us", "kind": "COMPANY", "name": "Our Company", "internal": True}
    ]
    for o in range(orgs):
        kind, name = REGIONAL_ANCHORS[o] if o < len(REGIONAL_ANCHORS) else (
            ORG_KINDS[o % len(ORG_KINDS)], f"{ORG_KINDS[o % len(ORG_KINDS)].title()} {o}"
        )  # fmt: skip
        row: dict[str, Any] = {"key": f"org-{o}", "kind": kind, "name": name}
        if kind == "COMPANY":
            row["industry"] = ["Energy", "Retail", "Logistics", "Finance"][o % 4]
        stakeholders.append(row)
    internal = rng.random(people) < 0.01
    employer = rng.choice(orgs, size=people, p=weights).astype(np.int64)
    second = rng.choice(orgs, size=people, p=weights)
    has_second = (rng.random(people) < 0.2) & (second != employer) & ~internal
    stakeholders.extend(_people(internal))
    out: list[dict[str, Any]] = []
    members: dict[str, list[int]] = {}
    since = (NOW - timedelta(days=2000)).date().isoformat()
    for i in range(people):
        org = "org-us" if internal[i] else f"org-{employer[i]}"
        members.setdefault(org, []).append(i)
        tie: dict[str, Any] = {
            "source": f"p-{i}",
            "target": org,
            "kind": "WORKS_FOR",
            "role": TITLES[i % len(TITLES)],
            "since": since,
        }
        if i % 7 == 0:
            tie["decisionRole"] = DECISION_ROLES[(i // 7) % len(DECISION_ROLES)]
        out.append(tie)
        if has_second[i]:
            kind = "WORKS_FOR" if i % 2 else "ADVISES"
            out.append({"source": f"p-{i}", "target": f"org-{second[i]}", "kind": kind})
    _org_charts(members, out)
    outside = np.flatnonzero(~internal)
    directors = rng.choice(outside, size=max(3, people // 25), replace=False)
    # Directors are picked by a power law too, so a few of them sit on a dozen boards or more.
    busy = 1.0 / np.arange(1, len(directors) + 1) ** 0.6
    busy /= busy.sum()
    for org, staff in members.items():
        if org == "org-us" or len(staff) < 4:
            continue
        seats = min(len(directors), 1 + int(rng.integers(0, 6)))
        for d in rng.choice(len(directors), size=seats, replace=False, p=busy):
            if int(directors[d]) != staff[1]:
                out.append(
                    {"source": f"p-{directors[d]}", "target": org, "kind": "BOARD_MEMBER_OF"}
                )
    interactions = _acquaintance(rng, out, ties, internal, members, employer)
    return {"stakeholders": stakeholders, "ties": out, "interactions": interactions}


SHAPES = {"crm": network, "regional": regional_network}


def _people(internal: NDArray[np.bool_]) -> list[dict[str, Any]]:
    """One PERSON row per entry of `internal` (keys ``p-<i>``), titles in turn."""
    return [
        {
            "key": f"p-{i}",
            "kind": "PERSON",
            "name": f"Person {i}",
            "title": TITLES[i % len(TITLES)],
            "internal": bool(is_ours),
        }
        for i, is_ours in enumerate(internal)
    ]


def _org_charts(members: dict[str, list[int]], out: list[dict[str, Any]]) -> None:
    """Append each organisation's REPORTS_TO tree (four reports per manager, in hiring order)
    and its chair: the second person of every outside organisation of four or more."""
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


def _acquaintance(
    rng: np.random.Generator,
    out: list[dict[str, Any]],
    ties: int,
    internal: NDArray[np.bool_],
    members: dict[str, list[int]],
    employer: NDArray[np.int64],
) -> list[dict[str, Any]]:
    """Fill `out` up to `ties` with power-law acquaintance, advice and influence between the
    people, half of it among colleagues, and return ``ties // 4`` interactions between tied
    people."""
    people = len(internal)
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
        row: dict[str, Any] = {
            "kind": INTERACTION_KINDS[k % len(INTERACTION_KINDS)],
            "occurredAt": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "participants": [f"p-{u}", f"p-{v}"],
            "subject": f"Interaction {k}",
        }
        if k % 3:
            row["sentiment"] = round(float(rng.uniform(-0.5, 1.0)), 2)
        interactions.append(row)
    return interactions


def write(ties: int, directory: Path, seed: int = 7, shape: str = "crm") -> Path:
    """Write the `shape` network of `ties` ties as ``network-<ties>.json`` (``crm``) or
    ``<shape>-<ties>.json``, reused when present."""
    name = f"network-{ties}.json" if shape == "crm" else f"{shape}-{ties}.json"
    path = directory / name
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(SHAPES[shape](ties, seed)), encoding="utf-8")
    return path
