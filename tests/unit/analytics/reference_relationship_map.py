"""The relationship map in its straightforward NetworkX form, which the product's is checked
against: NetworkX edge views for every tie of every ring member, every candidate of a ring
sorted by strongest tie, name and id."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

from stakenet.analytics.errors import UnknownStakeholder
from stakenet.analytics.relationship_map import MapEdge, RelationshipMap


def _tie_strength(tie_id: str, data: Mapping[str, Any], strengths: Mapping[str, float]) -> float:
    known = strengths.get(tie_id)
    if known is not None:
        return known
    declared = data.get("strength")
    return float(declared) if declared is not None else 0.5


def _passes(
    data: Mapping[str, Any],
    strength: float,
    tie_kinds: Collection[str] | None,
    min_strength: float,
    on: date,
) -> bool:
    if tie_kinds and data["kind"] not in tie_kinds:
        return False
    until = data.get("until")
    if until is not None and until < on:
        return False
    return strength >= min_strength


def relationship_map(
    graph: Any,
    center: str,
    *,
    depth: int,
    limit: int,
    on: date,
    tie_kinds: Collection[str] | None = None,
    min_strength: float = 0.0,
    strengths: Mapping[str, float] | None = None,
) -> RelationshipMap:
    """The map around `center`: at most `limit` stakeholders within `depth` hops.

    Ties are followed in both directions. Only current ties (no `until` before `on`) of the
    given kinds and at least `min_strength` are followed and drawn.

    Raises
    ------
    UnknownStakeholder
        If `center` is not in the graph.
    """
    if center not in graph:
        raise UnknownStakeholder(center)
    strengths = strengths or {}
    distances: dict[str, int] = {center: 0}
    frontier = [center]
    truncated = False
    for ring in range(1, depth + 1):
        best: dict[str, float] = {}
        for node in frontier:
            for source, target, tie_id, data in _incident_edges(graph, node):
                other = target if source == node else source
                if other in distances:
                    continue
                strength = _tie_strength(tie_id, data, strengths)
                if _passes(data, strength, tie_kinds, min_strength, on):
                    best[other] = max(best.get(other, 0.0), strength)
        ranked = sorted(best, key=lambda n: (-best[n], graph.nodes[n].get("name", ""), n))
        room = limit - len(distances)
        if len(ranked) > room:
            ranked, truncated = ranked[: max(room, 0)], True
        for node in ranked:
            distances[node] = ring
        frontier = ranked
        if truncated or not frontier:
            break
    edges = []
    for node in distances:
        for source, target, tie_id, data in graph.out_edges(node, keys=True, data=True):
            if target not in distances:
                continue
            strength = _tie_strength(tie_id, data, strengths)
            if _passes(data, strength, tie_kinds, min_strength, on):
                edges.append(MapEdge(tie_id, source, target, data["kind"], strength))
    return RelationshipMap(center, distances, edges, truncated)


def _incident_edges(graph: Any, node: str) -> Any:
    yield from graph.out_edges(node, keys=True, data=True)
    yield from graph.in_edges(node, keys=True, data=True)
