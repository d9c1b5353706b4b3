"""The relationship map: the neighbourhood of one stakeholder, breadth-first to a depth.

When `limit` cuts a ring of the breadth-first search, the stakeholders joined to the map by the
strongest ties are kept first (then by name, then by id), and the map says it was truncated.

A map is asked for on every screen, and a ring of a depth-2 map around someone at a big
organisation reaches every colleague of it: thousands of ties. So the search reads the
graph's adjacency dicts directly (read only, as `paths` does), looks each tie's strength up
once, and ranks only what a cut ring keeps: the candidates above the strength the ring is cut
at need no name, and only those tied with it are ordered by name and id. With the rankings of
hubs' ties the graph's owner keeps (`TiesByStrength`), a ring through a hub reads its ties in
the ring's order and stops once the ring is full, and a hub kept in the map has only its ties
to the map read for the edges: a map then costs what it keeps.

The map also says what the graph knows of each stakeholder it keeps (kind, name, internal), read
under the same lock as the rings: a client drawing only those needs no store read.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from stakenet.analytics.errors import UnknownStakeholder

DEFAULT_STRENGTH = 0.5  # a tie with neither a derived nor a declared strength
# A stakeholder with more neighbours than this has its ties ranked by strength once, for the
# maps whose rings pass through it: an organisation's colleagues, a well-connected person's
# acquaintances. Below it, reading every tie costs less than keeping a ranking.
HUB_NEIGHBOURS = 64

# One tie of a hub, as its ranking holds it: (minus its strength, the name and the id of the
# stakeholder at its other end, the tie's id, the hub, whether it points from the hub), so
# that a ranking sorts as a cut ring ranks. Strings, a float and a bool only: the cycle
# collector stops tracking it.
RankedTie = tuple[float, str, str, str, str, bool]


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


class TiesByStrength:
    """The ties of each hub of one graph, strongest first, each ranking made on first use.

    A map's ring through an organisation of thousands then reads its ties in the order the
    ring ranks them (strongest first, then by name and id) and stops once the ring is full, so
    a map costs what it keeps, not what it passes through. A ranking holds each tie's strength
    for one `strengths` mapping (a snapshot's, by identity: `use` starts afresh for another)
    or the declared strength, and the names at the other ends. The graph's owner calls
    `forget` with the stakeholders whose ties a change adds, alters or removes, and the
    neighbours of one renamed or removed; a tie's kind and dates are read from the graph when
    a map reads it, so a tie removed since is passed over.
    """

    def __init__(self, min_neighbours: int = HUB_NEIGHBOURS) -> None:
        self.min_neighbours = min_neighbours
        self._strengths: Mapping[str, float] | None = None
        self._ranked: dict[str, list[RankedTie]] = {}
        # A hub's successors by their place in its adjacency, which new ties only extend.
        self._places: dict[str, dict[str, int]] = {}

    def use(self, strengths: Mapping[str, float] | None) -> None:
        """Rank by `strengths` from now on; rankings made with others are dropped."""
        if strengths is not self._strengths:
            self._strengths = strengths
            self._ranked = {}

    def forget(self, stakeholders: Iterable[str]) -> None:
        """Drop the rankings of `stakeholders`, whose ties changed."""
        ranked, places = self._ranked, self._places
        for stakeholder in stakeholders:
            ranked.pop(stakeholder, None)
            places.pop(stakeholder, None)

    def in_adjacency_order(self, graph: Any, node: str, wanted: Collection[str]) -> list[str]:
        """The stakeholders of `wanted` that `node` has ties to, in the order of its adjacency
        (where a full read finds them), found without reading the rest of it."""
        adjacency = graph._succ[node]
        places = self._places.get(node)
        if places is None:
            places = self._places[node] = {other: i for i, other in enumerate(adjacency)}
        return sorted((other for other in wanted if other in adjacency), key=places.__getitem__)

    def ranked(
        self, graph: Any, node: str, strength_of: Callable[[str], float | None]
    ) -> list[RankedTie] | None:
        """`node`'s ties strongest first (the ranking made now if it has none), or None if it
        has too few neighbours to be worth one."""
        found = self._ranked.get(node)
        if found is not None:
            return found
        successors, predecessors = graph._succ[node], graph._pred[node]
        if len(successors) + len(predecessors) <= self.min_neighbours:
            return None
        found = []
        attributes = graph._node
        for outgoing, adjacency in ((True, successors), (False, predecessors)):
            for other, keyed in adjacency.items():
                name = attributes[other].get("name", "")
                for tie_id, data in keyed.items():
                    strength = _strength(tie_id, data, strength_of)
                    # A pair's strength counts from 0 up, as the full read has it.
                    found.append((-max(strength, 0.0), name, other, tie_id, node, outgoing))
        found.sort()
        self._ranked[node] = found
        return found


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
    ranking: TiesByStrength | None = None,
) -> RelationshipMap:
    """The map around `center`: at most `limit` stakeholders within `depth` hops.

    Ties are followed in both directions. Only current ties (no `until` before `on`) of the
    given kinds and at least `min_strength` are followed and drawn. A tie's strength is its
    entry in `strengths`, else its declared strength, else 0.5. With `ranking` (kept for this
    graph and these `strengths` by the graph's owner), a ring reads a hub's ties strongest
    first and stops once it holds what it keeps; the answer is the same.

    Raises
    ------
    UnknownStakeholder
        If `center` is not in the graph.
    """
    if center not in graph:
        raise UnknownStakeholder(center)
    kinds = tie_kinds or None
    strength_of = (strengths or {}).get
    if ranking is not None:
        ranking.use(strengths)

    def followed(tie_id: str, data: Mapping[str, Any]) -> float | None:
        """The tie's strength if the map follows it, else None (the rings' loop reads each
        pair's ties the same way, inline: it reads every tie of every ring member)."""
        strength = _strength(tie_id, data, strength_of)
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
        room = max(limit - len(distances), 0)
        best: dict[str, float] = {}
        hubs: list[list[RankedTie]] = []
        for node in frontier:
            ranked_ties = ranking.ranked(graph, node, strength_of) if ranking else None
            if ranked_ties is not None:
                hubs.append(ranked_ties)
                continue
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
        if hubs:
            ranked, truncated = _ring_through_hubs(
                best, hubs, room, min_strength, distances, followed, graph
            )
        else:
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
        adjacency = successors[node]
        if ranking is not None and len(adjacency) > 2 * len(distances):
            # A hub kept in the map (a person who knows thousands): its few ties to the map,
            # in the order of its adjacency, without reading the rest.
            targets: Iterable[str] = ranking.in_adjacency_order(graph, node, distances)
        else:
            targets = [target for target in adjacency if target in distances]
        for target in targets:
            for tie_id, data in adjacency[target].items():
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


def _ring_through_hubs(
    best: Mapping[str, float],
    hubs: list[list[RankedTie]],
    room: int,
    min_strength: float,
    distances: Mapping[str, int],
    followed: Callable[[str, Mapping[str, Any]], float | None],
    graph: Any,
) -> tuple[list[str], bool]:
    """A ring's stakeholders in order, and whether it is cut: the candidates of `best` (read
    in full from the frontier's small stakeholders) and of the hubs' rankings, merged
    strongest first (then by name, then id) and read only until the ring is full and one more
    says it is cut. A candidate's first appearance is its strongest followed tie."""
    attributes = graph._node
    merged = heapq.merge(
        sorted((-s, attributes[n].get("name", ""), n, "", "", False) for n, s in best.items()),
        *hubs,
    )
    found: list[str] = []
    seen: set[str] = set()
    for negated, _, other, tie_id, hub, outgoing in merged:
        if -negated < min_strength:
            break  # every tie after it is weaker still
        if other in seen or other in distances:
            continue
        if hub:
            # The ranking holds the tie's strength, the graph its kind and dates; a tie
            # removed since the ranking was made is no longer there.
            adjacency = graph._succ if outgoing else graph._pred
            data = adjacency[hub].get(other, {}).get(tie_id)
            if data is None or followed(tie_id, data) is None:
                continue
        if len(found) == room:
            return found, True
        found.append(other)
        seen.add(other)
    return found, False


def _strength(
    tie_id: str, data: Mapping[str, Any], strength_of: Callable[[str], float | None]
) -> float:
    """The tie's strength in the snapshot, else its declared strength, else the default."""
    strength = strength_of(tie_id)
    if strength is None:
        declared = data.get("strength")
        strength = float(declared) if declared is not None else DEFAULT_STRENGTH
    return strength


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
