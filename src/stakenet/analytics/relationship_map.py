"""The relationship map: the neighbourhood of one stakeholder, breadth-first to a depth.

When `limit` cuts a ring of the breadth-first search, the stakeholders joined to the map by the
strongest ties are kept first (then by name, then by id), and the map says it was truncated.

A map is asked for on every screen, and a ring of a depth-2 map around someone at a big
organisation reaches every colleague of it: thousands of ties. So the search reads the
graph's adjacency dicts directly (read only, as `paths` does), looks each tie's strength up
once, and ranks only what a cut ring keeps: the candidates above the strength the ring is cut
at need no name, and only those tied with it are ordered by name and id.

The map also says what the graph knows of each stakeholder it keeps (kind, name, internal), read
under the same lock as the rings: a client drawing only those needs no store read.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from stakenet.analytics.errors import UnknownStakeholder

DEFAULT_STRENGTH = 0.5  # a tie with neither a derived nor a declared strength


@dataclass(frozen=True, slots=True)
class MapEdge:
    tie_id: str
    source: str
    target: str
    kind: str
    strength: float


class MapStakeholder(NamedTuple):
    """A stakeholder as the graph knows it (a tuple: one is made per stakeholder per map)."""

    kind: str
    name: str
    internal: bool


@dataclass(frozen=True, slots=True)
class RelationshipMap:
    center: str
    distances: dict[str, int]  # stakeholder id -> hops from the centre, in the order added
    edges: list[MapEdge]
    truncated: bool
    # Every stakeholder of `distances`, as the graph the map was drawn on knows it.
    stakeholders: dict[str, MapStakeholder] = field(default_factory=dict)


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
    given kinds and at least `min_strength` are followed and drawn. A tie's strength is its
    entry in `strengths`, else its declared strength, else 0.5.

    Raises
    ------
    UnknownStakeholder
        If `center` is not in the graph.
    """
    if center not in graph:
        raise UnknownStakeholder(center)
    kinds = tie_kinds or None
    strength_of = (strengths or {}).get

    def followed(tie_id: str, data: Mapping[str, Any]) -> float | None:
        """The tie's strength if the map follows it, else None (the rings' loop reads each
        pair's ties the same way, inline: it reads every tie of every ring member)."""
        strength = strength_of(tie_id)
        if strength is None:
            declared = data.get("strength")
            strength = float(declared) if declared is not None else DEFAULT_STRENGTH
        if strength < min_strength or (kinds is not None and data["kind"] not in kinds):
            return None
        until = data.get("until")
        return strength if until is None or until >= on else None

    # NetworkX's own adjacency dicts, read only: node -> neighbour -> tie id -> attributes.
    successors, predecessors, attributes = graph._succ, graph._pred, graph._node
    distances: dict[str, int] = {center: 0}
    frontier = [center]
    truncated = False
    for ring in range(1, depth + 1):
        best: dict[str, float] = {}
        for node in frontier:
            for adjacency in (successors[node], predecessors[node]):
                for other, keyed in adjacency.items():
                    if other in distances:
                        continue
                    # The strongest followed tie of the pair (at least 0), or None if none is.
                    strongest = None
                    for tie_id, data in keyed.items():
                        strength = strength_of(tie_id)
                        if strength is None:
                            declared = data.get("strength")
                            strength = float(declared) if declared is not None else DEFAULT_STRENGTH
                        if (
                            strength >= min_strength
                            and (kinds is None or data["kind"] in kinds)
                            and (
                                "until" not in data or data["until"] is None or data["until"] >= on
                            )
                        ):
                            strongest = max(strength, strongest or 0.0)
                    if strongest is not None:
                        known = best.get(other)
                        if known is None or strongest > known:
                            best[other] = strongest
        room = max(limit - len(distances), 0)
        if len(best) > room:
            truncated = True
            best = _strongest(best, room, attributes)
        ranked = sorted(best, key=lambda n: (-best[n], attributes[n].get("name", ""), n))
        for node in ranked:
            distances[node] = ring
        frontier = ranked
        if truncated or not frontier:
            break
    edges = []
    for node in distances:
        for target, keyed in successors[node].items():
            if target in distances:
                for tie_id, data in keyed.items():
                    strength = followed(tie_id, data)
                    if strength is not None:
                        edges.append(MapEdge(tie_id, node, target, data["kind"], strength))
    stakeholders: dict[str, MapStakeholder] = {}
    for node in distances:
        attrs = attributes[node]
        stakeholders[node] = MapStakeholder(
            attrs.get("kind", ""), attrs.get("name", ""), bool(attrs.get("internal"))
        )
    return RelationshipMap(center, distances, edges, truncated, stakeholders)


def _strongest(best: dict[str, float], room: int, attributes: Any) -> dict[str, float]:
    """The `room` candidates first by strongest tie, then name, then id."""
    if room == 0:
        return {}
    cut = heapq.nlargest(room, best.values())[-1]
    kept = {node: s for node, s in best.items() if s > cut}
    level = sorted((attributes[n].get("name", ""), n) for n, s in best.items() if s == cut)
    for _, node in level[: room - len(kept)]:
        kept[node] = cut
    return kept
