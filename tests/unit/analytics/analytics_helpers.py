"""Builders of small graphs in the projection's shape, shared by the analytics tests."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

import networkx as nx

from stakenet.analytics.centrality import NodeCentrality
from stakenet.analytics.network_at import NetworkAt
from stakenet.domain.model import (
    DecisionRole,
    GraphData,
    Interaction,
    InteractionKind,
    Participant,
    Stakeholder,
    StakeholderKind,
    Tie,
    TieKind,
)

NOW = datetime(2025, 6, 1, tzinfo=UTC)
PERSON, COMPANY = StakeholderKind.PERSON, StakeholderKind.COMPANY


class GraphBuilder:
    """Build a projection-shaped `MultiDiGraph` tie by tie, with readable ids."""

    def __init__(self) -> None:
        self.G = nx.MultiDiGraph()
        self._n = 0

    def person(
        self, pid: str, seniority: str | None = None, internal: bool = False, **kw: Any
    ) -> str:
        self.G.add_node(
            pid,
            kind="PERSON",
            name=kw.get("name", pid),
            internal=internal,
            seniority=seniority,
            title=kw.get("title"),
        )
        return pid

    def org(self, oid: str, kind: str = "COMPANY", internal: bool = False) -> str:
        self.G.add_node(oid, kind=kind, name=oid, internal=internal, seniority=None, title=None)
        return oid

    def tie(
        self,
        u: str,
        v: str,
        kind: str,
        strength: float | None = None,
        key: str | None = None,
        **kw: Any,
    ) -> str:
        self._n += 1
        tid = key or f"{kind.lower()}-{u}-{v}-{self._n}"
        self.G.add_edge(
            u,
            v,
            key=tid,
            kind=kind,
            strength=strength,
            symmetric=kind in {"KNOWS", "FAMILY", "PARTNER_OF"},
            decision_role=kw.get("decision_role"),
            role=kw.get("role"),
            since=kw.get("since"),
            until=kw.get("until"),
        )
        return tid

    def strengths(self, default: float = 0.5) -> dict[str, float]:
        return {
            k: (d["strength"] if d["strength"] is not None else default)
            for _, _, k, d in self.G.edges(keys=True, data=True)
        }

    def network(
        self,
        strengths: Mapping[str, float] | None = None,
        centrality: Mapping[str, NodeCentrality] | None = None,
        **kw: Any,
    ) -> NetworkAt:
        """The graph at `NOW` (or ``now=``), with `strengths()` unless given."""
        return NetworkAt.of(
            self.G,
            self.strengths() if strengths is None else strengths,
            kw.pop("now", NOW),
            centrality=centrality,
            **kw,
        )


def from_reference(g: nx.Graph, weighted: bool) -> tuple[nx.MultiDiGraph, dict[str, float]]:
    """A reference graph as an all-person KNOWS projection.

    Strength is the edge ``weight`` divided by the largest weight when `weighted`, else 1.0.
    """
    top = max((d.get("weight", 1) for _, _, d in g.edges(data=True)), default=1)
    G = nx.MultiDiGraph()
    for v in g:
        G.add_node(v, kind="PERSON", name=str(v), internal=False, seniority=None, title=None)
    strengths: dict[str, float] = {}
    for i, (u, v, d) in enumerate(g.edges(data=True)):
        s = d.get("weight", 1) / top if weighted else 1.0
        key = f"t{i}"
        G.add_edge(u, v, key=key, kind="KNOWS", strength=s, symmetric=True)
        strengths[key] = s
    return G, strengths


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def meeting(key: str, day: str, people: tuple[str, ...], sentiment: float) -> Interaction:
    return Interaction(
        id=key,
        kind=InteractionKind.MEETING,
        occurred_at=at(day),
        participants=tuple(Participant(p) for p in people),
        sentiment=sentiment,
    )


def account() -> GraphData:
    """Olga ran Acme until 30 June 2025, Nina since 1 July, Dan (CFO) joined on 15 September.
    Uma (ours) knows Olga, and Nina from 1 August; Ulf (ours) meets them but has no tie."""
    return GraphData(
        revision=7,
        stakeholders=[
            Stakeholder(id="acme", kind=COMPANY, name="Acme"),
            Stakeholder(id="olga", kind=PERSON, name="Olga", title="CEO"),
            Stakeholder(id="nina", kind=PERSON, name="Nina", title="CEO"),
            Stakeholder(id="dan", kind=PERSON, name="Dan", title="CFO"),
            Stakeholder(id="uma", kind=PERSON, name="Uma", internal=True),
            Stakeholder(id="ulf", kind=PERSON, name="Ulf", internal=True),
        ],
        ties=[
            Tie(
                id="olga-acme",
                kind=TieKind.WORKS_FOR,
                source_id="olga",
                target_id="acme",
                decision_role=DecisionRole.DECISION_MAKER,
                since=date(2024, 1, 1),
                until=date(2025, 6, 30),
            ),
            Tie(
                id="nina-acme",
                kind=TieKind.WORKS_FOR,
                source_id="nina",
                target_id="acme",
                decision_role=DecisionRole.DECISION_MAKER,
                since=date(2025, 7, 1),
            ),
            Tie(
                id="dan-acme",
                kind=TieKind.WORKS_FOR,
                source_id="dan",
                target_id="acme",
                decision_role=DecisionRole.ECONOMIC_BUYER,
                since=date(2025, 9, 15),
            ),
            Tie(id="uma-olga", kind=TieKind.KNOWS, source_id="uma", target_id="olga", strength=0.8),
            Tie(
                id="uma-nina",
                kind=TieKind.KNOWS,
                source_id="uma",
                target_id="nina",
                strength=0.5,
                since=date(2025, 8, 1),
            ),
        ],
        interactions=[
            meeting("jan", "2025-01-15", ("ulf", "olga"), 0.5),
            meeting("mar", "2025-03-10", ("ulf", "olga"), 0.5),
            meeting("aug", "2025-08-20", ("ulf", "nina"), -0.5),
            # Olga has left Acme by then: the meeting is not Acme's.
            meeting("sep", "2025-09-05", ("ulf", "olga"), 0.9),
        ],
    )
