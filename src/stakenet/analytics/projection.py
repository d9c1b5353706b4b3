"""The projection: the whole network as one NetworkX graph, kept in step with the change log.

Nodes are stakeholder ids, edges are ties keyed by tie id (a `MultiDiGraph`, since two people
can share several ties). It holds what the analytics need and nothing else: no notes, e-mails
or other personal fields beyond the name. A projection is not thread-safe by itself: its one
owner, `NetworkView`, serialises every read and write under its lock, in worker threads.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import networkx as nx

from stakenet.analytics.strength import InteractionRecord
from stakenet.analytics.views import SYMMETRIC_KINDS
from stakenet.domain.model import (
    Change,
    ChangeOp,
    GraphData,
    Interaction,
    Stakeholder,
    Tie,
)
from stakenet.domain.seniority import effective_seniority

# Attribute dicts hold only what is set: an absent key reads as None through `.get`, and a
# millions-of-ties projection spends most of its memory on these dicts. `kind`, `name` and
# `internal` are always present. Most ties carry nothing but their kind and declared strength:
# those share one read-only `SharedAttributes` dict per (kind, strength, symmetric), see
# `TieGraph`.


class SharedAttributes(dict[str, Any]):
    """An edge attribute dict shared by many ties: reads like a dict, refuses writes.

    Copies (``dict(attrs)``, ``attrs.copy()``, `copy.copy`, `copy.deepcopy`, pickling) are
    plain, writable dicts, so ``G.copy()`` and friends behave as usual. To change a tie, replace
    it (`Projection.apply` does).
    """

    __slots__ = ()

    def _refuse(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("this edge attribute dict is shared by many ties; replace the tie")

    __setitem__ = __delitem__ = update = clear = pop = popitem = setdefault = _refuse  # type: ignore[assignment]
    __ior__ = _refuse  # type: ignore[assignment]

    def __copy__(self) -> dict[str, Any]:
        return dict(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        return dict(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, (dict(self),))


_SHAREABLE = frozenset({"kind", "strength", "symmetric"})
# One dict per combination ever seen, for every projection of the process: declared strengths
# are few distinct values, so this stays small. `dict.setdefault` is atomic, so projections
# built in different threads share it safely.
_SHARED: dict[tuple[Any, ...], SharedAttributes] = {}


class _InterningTieKeys(dict[str, dict[str, Any]]):
    """The key dict of one (source, target) pair: tie id -> attribute dict.

    A tie whose attributes are only ``kind`` (and ``strength``, ``symmetric``) is stored with
    the one `SharedAttributes` dict of that combination instead of its own copy. An empty dict
    is kept as given: `add_edges_from` (and so ``G.copy()``) adds an edge first and fills its
    dict afterwards, so those copies hold plain, writable dicts.
    """

    __slots__ = ()

    def __setitem__(self, tie_id: str, attrs: dict[str, Any]) -> None:
        if 0 < len(attrs) <= 3 and attrs.keys() <= _SHAREABLE:
            signature = (attrs["kind"], attrs.get("strength"), attrs.get("symmetric"))
            shared = _SHARED.get(signature)
            if shared is None:
                shared = _SHARED.setdefault(signature, SharedAttributes(attrs))
            attrs = shared
        dict.__setitem__(self, tie_id, attrs)


class TieGraph(nx.MultiDiGraph):  # type: ignore[misc]
    """The projection's graph: a `MultiDiGraph` whose common ties share their attribute dict.

    It changes nothing but the key dict class, through NetworkX's documented
    `edge_key_dict_factory` hook, so every NetworkX algorithm and view reads it as it reads any
    `MultiDiGraph`; ``G.edges[u, v, key]["kind"]`` reads the shared dict.
    """

    edge_key_dict_factory = _InterningTieKeys


def node_attributes(stakeholder: Stakeholder) -> dict[str, Any]:
    seniority = effective_seniority(stakeholder)
    attrs: dict[str, Any] = {
        "kind": stakeholder.kind.value,
        "name": stakeholder.name,
        "internal": stakeholder.internal,
    }
    if seniority:
        attrs["seniority"] = seniority.value
    if stakeholder.title is not None:
        attrs["title"] = stakeholder.title
    if stakeholder.tags:
        attrs["tags"] = stakeholder.tags
    if stakeholder.updated_at is not None:
        attrs["updated_at"] = stakeholder.updated_at
    return attrs


def edge_attributes(tie: Tie) -> dict[str, Any]:
    attrs: dict[str, Any] = {"kind": tie.kind.value}
    if tie.symmetric != (tie.kind.value in SYMMETRIC_KINDS):
        attrs["symmetric"] = tie.symmetric
    for name, value in (
        ("strength", tie.strength),
        ("decision_role", tie.decision_role.value if tie.decision_role else None),
        ("role", tie.role),
        ("since", tie.since),
        ("until", tie.until),
    ):
        if value is not None:
            attrs[name] = value
    return attrs


def interaction_record(interaction: Interaction) -> InteractionRecord:
    return InteractionRecord(
        id=interaction.id,
        kind=interaction.kind.value,
        occurred_at=interaction.occurred_at,
        sentiment=interaction.sentiment,
        participants=interaction.participant_ids,
    )


class Projection:
    """The in-memory graph at `revision`; `apply` moves it forward one change at a time."""

    def __init__(self) -> None:
        self.graph: Any = TieGraph()
        self.interactions: dict[str, InteractionRecord] = {}
        self.revision = 0
        self._tie_endpoints: dict[str, tuple[str, str]] = {}

    @classmethod
    def from_data(cls, data: GraphData) -> Projection:
        projection = cls()
        graph = projection.graph
        graph.add_nodes_from((s.id, node_attributes(s)) for s in data.stakeholders)
        for tie in data.ties:
            projection.add_tie(tie)
        projection.interactions = {i.id: interaction_record(i) for i in data.interactions}
        projection.revision = data.revision
        return projection

    def add_tie(self, tie: Tie) -> None:
        """Add `tie` as an edge keyed by its id (the caller removed any older version)."""
        self.graph.add_edge(tie.source_id, tie.target_id, key=tie.id, **edge_attributes(tie))
        self._tie_endpoints[tie.id] = (tie.source_id, tie.target_id)

    @property
    def tie_count(self) -> int:
        return len(self._tie_endpoints)

    def tie_ends(self, tie_id: str) -> tuple[str, str] | None:
        """The source and target of tie `tie_id`, None if the graph has no such tie."""
        return self._tie_endpoints.get(tie_id)

    def apply(
        self, changes: Iterable[Change], removed_kinds: dict[str, str] | None = None
    ) -> set[str]:
        """Apply committed changes in log order; returns the ids of the stakeholders touched.

        Changes at or below the current revision were applied already and are skipped, so
        replaying an overlapping stretch of the log is harmless. `removed_kinds`, when given,
        receives the kind of every stakeholder removed (which the graph no longer knows).
        """
        touched: set[str] = set()
        removed = removed_kinds if removed_kinds is not None else {}
        applied_up_to = self.revision
        for change in changes:
            if change.revision <= applied_up_to:
                continue
            touched |= self._apply_one(change, removed)
            self.revision = max(self.revision, change.revision)
        return touched

    def _apply_one(self, change: Change, removed_kinds: dict[str, str]) -> set[str]:
        entity = change.entity
        if change.op is ChangeOp.DELETE:
            return self._delete(change, removed_kinds)
        if isinstance(entity, Stakeholder):
            if self.graph.has_node(entity.id):
                attrs = self.graph.nodes[entity.id]
                attrs.clear()
                attrs.update(node_attributes(entity))
            else:
                self.graph.add_node(entity.id, **node_attributes(entity))
            return {entity.id}
        if isinstance(entity, Tie):
            self._remove_tie(entity.id)
            self.add_tie(entity)
            return {entity.source_id, entity.target_id}
        if isinstance(entity, Interaction):
            old = self.interactions.get(entity.id)
            self.interactions[entity.id] = interaction_record(entity)
            return set(entity.participant_ids) | set(old.participants if old else ())
        return set()

    def _delete(self, change: Change, removed_kinds: dict[str, str]) -> set[str]:
        entity_id = change.entity_id
        if change.entity_type.value == "stakeholder":
            if not self.graph.has_node(entity_id):
                return set()
            removed_kinds[entity_id] = self.graph.nodes[entity_id]["kind"]
            neighbours = set(self.graph.predecessors(entity_id)) | set(
                self.graph.successors(entity_id)
            )
            for _, _, tie_id in list(self.graph.in_edges(entity_id, keys=True)) + list(
                self.graph.out_edges(entity_id, keys=True)
            ):
                self._tie_endpoints.pop(tie_id, None)
            self.graph.remove_node(entity_id)
            return neighbours | {entity_id}
        if change.entity_type.value == "tie":
            endpoints = self._tie_endpoints.get(entity_id)
            self._remove_tie(entity_id)
            return set(endpoints or ())
        old = self.interactions.pop(entity_id, None)
        return set(old.participants) if old else set()

    def _remove_tie(self, tie_id: str) -> None:
        endpoints = self._tie_endpoints.pop(tie_id, None)
        if endpoints and self.graph.has_edge(*endpoints, key=tie_id):
            self.graph.remove_edge(*endpoints, key=tie_id)
