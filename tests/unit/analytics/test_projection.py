"""The projection follows the change log: every change of a revision, in order, once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from stakenet.analytics.projection import Projection
from stakenet.analytics.relationship_map import relationship_map
from stakenet.domain.model import (
    Change,
    ChangeOp,
    EntityType,
    GraphData,
    Stakeholder,
    StakeholderKind,
    Tie,
    TieKind,
)

PERSON = StakeholderKind.PERSON


def person(pid: str, title: str | None = None) -> Stakeholder:
    return Stakeholder(id=pid, kind=PERSON, name=pid.upper(), title=title)


def upsert(revision: int, entity: Stakeholder | Tie) -> Change:
    kind = EntityType.STAKEHOLDER if isinstance(entity, Stakeholder) else EntityType.TIE
    return Change(revision, kind, ChangeOp.UPSERT, entity.id, entity)


def test_every_change_of_one_revision_is_applied() -> None:
    projection = Projection()
    changes = [upsert(1, person(p)) for p in "abc"] + [
        upsert(1, Tie(id="t1", kind=TieKind.KNOWS, source_id="a", target_id="b", strength=0.7))
    ]
    touched = projection.apply(changes)
    assert sorted(projection.graph.nodes) == ["a", "b", "c"]
    assert projection.graph.edges["a", "b", "t1"]["strength"] == 0.7
    assert projection.revision == 1
    assert touched == {"a", "b", "c"}


def test_replayed_changes_are_skipped_and_deletes_cascade() -> None:
    projection = Projection.from_data(
        GraphData(
            revision=3,
            stakeholders=[person("a", "CEO"), person("b")],
            ties=[Tie(id="t1", kind=TieKind.KNOWS, source_id="a", target_id="b")],
        )
    )
    assert projection.graph.nodes["a"]["seniority"] == "C_LEVEL"
    projection.apply([upsert(2, person("old"))])  # already part of revision 3
    assert "old" not in projection.graph
    projection.apply([Change(4, EntityType.STAKEHOLDER, ChangeOp.DELETE, "b")])
    assert list(projection.graph.nodes) == ["a"] and projection.tie_count == 0
    assert projection.revision == 4


def test_moving_a_tie_to_new_endpoints_leaves_no_stale_edge() -> None:
    projection = Projection.from_data(
        GraphData(revision=1, stakeholders=[person("a"), person("b"), person("c")])
    )
    tie = Tie(id="t1", kind=TieKind.KNOWS, source_id="a", target_id="b")
    projection.apply([upsert(2, tie)])
    projection.apply([upsert(3, Tie(id="t1", kind=TieKind.KNOWS, source_id="a", target_id="c"))])
    assert list(projection.graph.edges(keys=True)) == [("a", "c", "t1")]


def test_relationship_map_skips_ties_that_have_ended() -> None:
    projection = Projection.from_data(
        GraphData(
            revision=1,
            stakeholders=[person("a"), person("b"), person("c")],
            ties=[
                Tie(id="t1", kind=TieKind.KNOWS, source_id="a", target_id="b", strength=0.5),
                Tie(
                    id="t2",
                    kind=TieKind.KNOWS,
                    source_id="a",
                    target_id="c",
                    strength=0.9,
                    until=datetime(2020, 1, 1, tzinfo=UTC).date(),
                ),
            ],
        )
    )
    found = relationship_map(projection.graph, "a", depth=2, limit=10, on=datetime.now(UTC).date())
    assert found.distances == {"a": 0, "b": 1}
    assert [e.tie_id for e in found.edges] == ["t1"]


def test_plain_ties_share_one_read_only_attribute_dict_and_can_still_change() -> None:
    projection = Projection()
    ties = [
        Tie(id=f"t{i}", kind=TieKind.KNOWS, source_id="a", target_id=t, strength=0.7)
        for i, t in enumerate("bc")
    ]
    projection.apply([upsert(1, person(p)) for p in "abc"] + [upsert(1, t) for t in ties])
    G = projection.graph
    ab, ac = G.edges["a", "b", "t0"], G.edges["a", "c", "t1"]
    assert ab is ac and ab == {"kind": "KNOWS", "strength": 0.7}
    assert G.pred["b"]["a"]["t0"] is ab
    with pytest.raises(TypeError):
        ab["strength"] = 0.1
    copy = G.copy()
    copy.edges["a", "b", "t0"]["strength"] = 0.1
    assert G.edges["a", "b", "t0"]["strength"] == 0.7
    stronger = Tie(id="t0", kind=TieKind.KNOWS, source_id="a", target_id="b", strength=0.9)
    projection.apply([upsert(2, stronger)])
    assert G.edges["a", "b", "t0"]["strength"] == 0.9
    assert G.edges["a", "c", "t1"]["strength"] == 0.7
