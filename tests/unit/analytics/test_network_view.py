"""The read model: the projection's graph against NetworkX, the change events, and the revision
each answer reports."""

from __future__ import annotations

from datetime import UTC, date, datetime

import networkx as nx
import pytest

from stakenet.analytics.network_view import ListingFilter, NetworkView
from stakenet.analytics.projection import Projection, SharedAttributes, edge_attributes
from stakenet.domain.model import (
    Change,
    ChangeOp,
    DecisionRole,
    EntityType,
    GraphData,
    Stakeholder,
    StakeholderKind,
    Tie,
    TieKind,
)

PERSON, COMPANY = StakeholderKind.PERSON, StakeholderKind.COMPANY
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def network() -> GraphData:
    return GraphData(
        revision=5,
        stakeholders=[
            Stakeholder(id="acme", kind=COMPANY, name="Acme"),
            Stakeholder(id="ann", kind=PERSON, name="Ann"),
            Stakeholder(id="bob", kind=PERSON, name="Bob"),
            Stakeholder(id="cy", kind=PERSON, name="Cy"),
        ],
        ties=[
            Tie(id="t1", kind=TieKind.KNOWS, source_id="ann", target_id="bob", strength=0.7),
            Tie(id="t2", kind=TieKind.KNOWS, source_id="bob", target_id="cy", strength=0.7),
            Tie(id="t3", kind=TieKind.KNOWS, source_id="ann", target_id="bob"),
            Tie(
                id="t4",
                kind=TieKind.WORKS_FOR,
                source_id="ann",
                target_id="acme",
                decision_role=DecisionRole.DECISION_MAKER,
                role="CFO",
            ),
        ],
    )


def upsert(revision: int, entity: Stakeholder | Tie) -> Change:
    kind = EntityType.STAKEHOLDER if isinstance(entity, Stakeholder) else EntityType.TIE
    return Change(revision, kind, ChangeOp.UPSERT, entity.id, entity)


def test_the_projection_graph_is_the_multidigraph_networkx_builds_from_the_same_ties() -> None:
    data = network()
    projection = Projection.from_data(data)
    plain = nx.MultiDiGraph()
    plain.add_nodes_from((n, attrs) for n, attrs in projection.graph.nodes(data=True))
    for tie in data.ties:
        plain.add_edge(tie.source_id, tie.target_id, key=tie.id, **edge_attributes(tie))
    assert nx.utils.graphs_equal(projection.graph, plain)
    assert nx.pagerank(projection.graph) == nx.pagerank(plain)


def test_ties_of_one_kind_and_strength_share_one_read_only_dict() -> None:
    graph = Projection.from_data(network()).graph
    t1, t2 = graph.edges["ann", "bob", "t1"], graph.edges["bob", "cy", "t2"]
    assert t1 is t2 and isinstance(t1, SharedAttributes)
    assert t1 == {"kind": "KNOWS", "strength": 0.7}
    assert graph.edges["ann", "bob", "t3"] == {"kind": "KNOWS"}
    assert graph.edges["ann", "bob", "t3"] is not t1
    # A tie with more than kind and strength keeps its own dict.
    own = graph.edges["ann", "acme", "t4"]
    assert not isinstance(own, SharedAttributes) and own["role"] == "CFO"
    with pytest.raises(TypeError):
        t1["strength"] = 0.1
    # A copy holds plain, writable dicts with the same values.
    copy = graph.copy()
    copy.edges["ann", "bob", "t1"]["strength"] = 0.1
    assert graph.edges["ann", "bob", "t1"]["strength"] == 0.7
    assert not isinstance(copy.edges["bob", "cy", "t2"], SharedAttributes)


def test_an_updated_tie_gets_the_dict_of_its_new_attributes() -> None:
    projection = Projection.from_data(network())
    stronger = Tie(id="t1", kind=TieKind.KNOWS, source_id="ann", target_id="bob", strength=0.9)
    projection.apply([upsert(6, stronger)])
    assert projection.graph.edges["ann", "bob", "t1"] == {"kind": "KNOWS", "strength": 0.9}
    assert projection.graph.edges["bob", "cy", "t2"] == {"kind": "KNOWS", "strength": 0.7}


def test_a_change_event_names_the_deleted_stakeholders_with_the_kind_they_had() -> None:
    view = NetworkView()
    view.load(network())
    changed = view.apply([Change(6, EntityType.STAKEHOLDER, ChangeOp.DELETE, "acme")])
    assert changed.revision == view.revision == 6
    assert changed.touched_ids == {"acme", "ann"}
    assert dict(changed.deleted) == {"acme": COMPANY}
    assert dict(changed.kinds) == {"ann": PERSON}
    assert view.stakeholder("acme") is None


def test_loading_again_touches_the_old_and_the_new_stakeholders() -> None:
    view = NetworkView()
    view.load(network())
    smaller = GraphData(revision=9, stakeholders=[Stakeholder(id="ann", kind=PERSON, name="Ann")])
    changed = view.load(smaller)
    assert changed.revision == 9
    assert changed.touched_ids == {"acme", "ann", "bob", "cy"}
    assert dict(changed.deleted) == {"acme": COMPANY, "bob": PERSON, "cy": PERSON}
    assert view.stakeholder_ids() == {"ann"} and view.tie_ids() == set()


def test_live_answers_report_the_revision_of_the_graph_they_read() -> None:
    view = NetworkView()
    view.load(network())
    state = view.refresh(NOW)
    assert view.analytics is state and state.revision == 5
    dee = Stakeholder(id="dee", kind=PERSON, name="Dee")
    knows = Tie(id="t5", kind=TieKind.KNOWS, source_id="cy", target_id="dee")
    view.apply([upsert(6, dee), upsert(7, knows)])

    listing = view.ranked_by_influence(ListingFilter(kind=PERSON))
    assert listing.revision == 7 and "dee" in listing.value
    mapped = view.relationship_map(
        "cy", depth=1, limit=10, on=date(2026, 6, 1), tie_kinds=None, min_strength=0.0
    )
    assert mapped.revision == 7 and set(mapped.value.distances) == {"cy", "bob", "dee"}
    # The snapshot's answers stay those of its own revision.
    assert state.kind_of("dee") is None and state.metrics_of("dee") is None
    assert view.analytics is state
