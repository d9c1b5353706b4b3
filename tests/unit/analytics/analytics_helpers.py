"""Builders of small graphs in the projection's shape, shared by the analytics tests."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import networkx as nx

from stakenet.analytics.centrality import NodeCentrality
from stakenet.analytics.network_at import NetworkAt

NOW = datetime(2025, 6, 1, tzinfo=UTC)


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
