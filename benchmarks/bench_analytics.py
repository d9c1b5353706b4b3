"""Time an analytics refresh on synthetic stakeholder graphs of growing size.

Generates a graph in the projection's shape (people working for companies, REPORTS_TO lines,
KNOWS/FAMILY ties inside and across organisations, advisers, influencers, board seats, our own
people with RELATIONSHIP_OWNER ties) with about N ties, plus N/4 interactions, and prints the
seconds spent per metric of `compute_snapshot`, next to plain ``nx.pagerank`` and
``nx.eigenvector_centrality_numpy`` on the same views, and one per-organisation query.

Usage::

    PYTHONPATH=src .venv/bin/python benchmarks/bench_analytics.py --sizes 10000,100000,500000
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime, timedelta

import networkx as nx
import numpy as np

from stakenet.analytics.decision_makers import key_decision_makers
from stakenet.analytics.network_at import NetworkAt
from stakenet.analytics.paths import introduction_paths, person_graph
from stakenet.analytics.risks import key_person_risks
from stakenet.analytics.snapshot import compute_snapshot
from stakenet.analytics.strength import InteractionRecord
from stakenet.analytics.views import directed_view, undirected_view

NOW = datetime(2025, 6, 1, tzinfo=UTC)
SENIORITY = ["C_LEVEL", "VP_DIRECTOR", "MANAGER", "STAFF", "STAFF", "STAFF", None]


def synthetic(ties: int, seed: int = 7) -> tuple[nx.MultiDiGraph, dict[str, InteractionRecord]]:
    """A projection-shaped graph with about `ties` ties, and interactions among tied people."""
    rng = np.random.default_rng(seed)
    G = nx.MultiDiGraph()
    people_count = max(20, ties // 5)
    org_count = max(2, people_count // 20)
    G.add_node("us", kind="COMPANY", name="Us", internal=True, seniority=None, title=None)
    for o in range(org_count):
        kind = ("COMPANY", "MUNICIPALITY", "ORGANIZATION")[o % 3]
        G.add_node(f"o{o}", kind=kind, name=f"Org {o}", internal=False, seniority=None, title=None)
    employer = rng.integers(0, org_count, size=people_count)
    internal = rng.random(people_count) < 0.01
    for i in range(people_count):
        G.add_node(
            f"p{i}",
            kind="PERSON",
            name=f"Person {i}",
            internal=bool(internal[i]),
            seniority=SENIORITY[i % len(SENIORITY)],
            title=None,
        )
    n = 0

    def tie(u: str, v: str, kind: str, strength: float | None, **kw: object) -> None:
        nonlocal n
        n += 1
        G.add_edge(
            u,
            v,
            key=f"t{n}",
            kind=kind,
            strength=strength,
            symmetric=kind in ("KNOWS", "FAMILY", "PARTNER_OF"),
            decision_role=kw.get("decision_role"),
            role=kw.get("role"),
            since=None,
            until=None,
        )

    by_org: dict[int, list[int]] = {}
    for i in range(people_count):
        org = "us" if internal[i] else f"o{employer[i]}"
        role = "DECISION_MAKER" if i % 97 == 0 else None
        tie(f"p{i}", org, "WORKS_FOR", None, decision_role=role)
        by_org.setdefault(-1 if internal[i] else int(employer[i]), []).append(i)
    for members in by_org.values():
        for j, i in enumerate(members[1:], start=1):
            tie(f"p{i}", f"p{members[(j - 1) // 3]}", "REPORTS_TO", None)
    kinds = ["KNOWS"] * 8 + ["FAMILY", "ADVISES", "INFLUENCES", "RELATIONSHIP_OWNER"]
    pairs: list[tuple[str, str]] = []
    while n < ties:
        batch = min(100_000, ties - n)
        a = rng.integers(0, people_count, size=batch)
        same_org = rng.random(batch) < 0.5
        b = rng.integers(0, people_count, size=batch)
        strengths = np.round(rng.uniform(0.05, 1.0, size=batch), 2)
        declared = rng.random(batch) < 0.5
        kind_ix = rng.integers(0, len(kinds), size=batch)
        for k in range(batch):
            u = int(a[k])
            if same_org[k]:
                members = by_org[-1 if internal[u] else int(employer[u])]
                v = members[int(rng.integers(0, len(members)))]
            else:
                v = int(b[k])
            if u == v:
                continue
            kind = kinds[kind_ix[k]]
            if kind == "RELATIONSHIP_OWNER" and not internal[u]:
                kind = "KNOWS"
            if kind == "INFLUENCES" and k % 50 == 0:
                tie(f"p{u}", f"o{employer[v]}", "BOARD_MEMBER_OF", 0.8, role="chair")
                continue
            s = float(strengths[k]) if declared[k] else None
            tie(f"p{u}", f"p{v}", kind, s)
            pairs.append((f"p{u}", f"p{v}"))
    interactions: dict[str, InteractionRecord] = {}
    count = ties // 4
    picks = rng.integers(0, len(pairs), size=count)
    ages = rng.uniform(0, 720, size=count)
    kinds_i = ["MEETING", "CALL", "EMAIL", "EVENT", "NEGOTIATION", "SITE_VISIT", "LETTER"]
    for k in range(count):
        u, v = pairs[int(picks[k])]
        iid = f"i{k}"
        interactions[iid] = InteractionRecord(
            iid,
            kinds_i[k % len(kinds_i)],
            NOW - timedelta(days=float(ages[k])),
            float(rng.uniform(-1, 1)) if k % 3 else None,
            (u, v),
        )
    return G, interactions


def run(ties: int) -> dict[str, float | str]:
    t = time.perf_counter()
    G, interactions = synthetic(ties)
    built = time.perf_counter() - t
    t = time.perf_counter()
    snap = compute_snapshot(G, interactions, revision=1, now=NOW)
    total = time.perf_counter() - t
    directed, undirected = directed_view(G, snap.strengths), undirected_view(G, snap.strengths)
    t = time.perf_counter()
    nx.pagerank(directed, weight="weight")
    raw_pr = time.perf_counter() - t
    t = time.perf_counter()
    nx.eigenvector_centrality_numpy(undirected, weight="strength")
    raw_ev = time.perf_counter() - t
    org = max(
        (v for v, k in G.nodes(data="kind") if k != "PERSON" and v != "us"),
        key=G.in_degree,
    )
    t = time.perf_counter()
    people = person_graph(G, snap.strengths)
    query_graph = time.perf_counter() - t
    t = time.perf_counter()
    network = NetworkAt(G, snap.strengths, NOW, people, snap.centrality)
    dms = key_decision_makers(network, org)
    introduction_paths(G, snap.strengths, org, people=people)
    key_person_risks(network, org, dms)
    query = time.perf_counter() - t
    row: dict[str, float | str] = {
        "ties": float(G.number_of_edges()),
        "nodes": float(G.number_of_nodes()),
        "generate": built,
        **{k: v for k, v in snap.timings.items() if k != "degree"},
        "betweenness mode": (
            snap.betweenness_mode + (f" k={snap.betweenness_k}" if snap.betweenness_k else "")
        ),
        "closeness mode": (
            snap.closeness_mode + (f" k={snap.closeness_k}" if snap.closeness_k else "")
        ),
        "refresh total": total,
        "nx.pagerank": raw_pr,
        "nx.eigenvector_numpy": raw_ev,
        "person graph (query)": query_graph,
        "org query (dm+paths+risks)": query,
    }
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated tie counts")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    rows = [run(size) for size in sizes]
    keys = list(dict.fromkeys(k for row in rows for k in row))
    width = max(len(k) for k in keys)
    print(f"{'metric (seconds)':<{width}}  " + "  ".join(f"{s:>14,}" for s in sizes))
    for key in keys:
        cells = []
        for row in rows:
            value = row.get(key, "")
            if isinstance(value, float):
                cells.append(f"{value:>14,.0f}" if key in ("ties", "nodes") else f"{value:>14.3f}")
            else:
                cells.append(f"{value!s:>14}")
        print(f"{key:<{width}}  " + "  ".join(cells))


if __name__ == "__main__":
    main()
