"""The relationship map: which stakeholders a cut ring keeps, which ties it draws, and the same
answers as the straightforward NetworkX form (`reference_relationship_map`) on random networks
with hubs, cut rings, kind filters, minimum strengths, ended ties and past dates."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from reference_relationship_map import relationship_map as reference_map

from stakenet.analytics.errors import UnknownStakeholder
from stakenet.analytics.projection import Projection
from stakenet.analytics.relationship_map import MapEdge, MapStakeholder, relationship_map
from stakenet.domain.model import GraphData, Stakeholder, StakeholderKind, Tie, TieKind

TODAY = date(2026, 6, 1)
KINDS = [TieKind.KNOWS, TieKind.WORKS_FOR, TieKind.ADVISES, TieKind.BOARD_MEMBER_OF]


def stakeholder(sid: str, name: str | None = None) -> Stakeholder:
    return Stakeholder(id=sid, kind=StakeholderKind.PERSON, name=name or sid.upper())


def tie(tid: str, source: str, target: str, strength: float | None = None, **extra: object) -> Tie:
    kind = extra.pop("kind", TieKind.KNOWS)
    return Tie(id=tid, kind=kind, source_id=source, target_id=target, strength=strength, **extra)  # type: ignore[arg-type]


def graph_of(stakeholders: list[Stakeholder], ties: list[Tie]) -> object:
    return Projection.from_data(GraphData(revision=1, stakeholders=stakeholders, ties=ties)).graph


def test_a_cut_ring_keeps_the_strongest_then_by_name_then_id() -> None:
    # c joins by 0.9; d, e and f tie at 0.5 and are ordered by name (E before F), then id.
    people = [stakeholder("a"), stakeholder("c"), stakeholder("d", "F"), stakeholder("e", "E")]
    people += [stakeholder("f", "F"), stakeholder("g")]
    ties = [
        tie("t1", "a", "c", 0.9),
        tie("t2", "d", "a", 0.5),
        tie("t3", "a", "e", 0.5),
        tie("t4", "a", "f", 0.5),
        tie("t5", "a", "g", 0.2),
        tie("t6", "a", "g", 0.45),  # only a pair's strongest tie counts for its rank
        tie("t7", "c", "d", 0.7),
    ]
    found = relationship_map(graph_of(people, ties), "a", depth=2, limit=4, on=TODAY)
    assert found.distances == {"a": 0, "c": 1, "e": 1, "d": 1}
    assert list(found.distances) == ["a", "c", "e", "d"]
    assert found.truncated is True
    assert found.edges == [
        MapEdge("t1", "a", "c", "KNOWS", 0.9),
        MapEdge("t3", "a", "e", "KNOWS", 0.5),
        MapEdge("t7", "c", "d", "KNOWS", 0.7),
        MapEdge("t2", "d", "a", "KNOWS", 0.5),
    ]


def test_the_map_says_what_its_graph_knows_of_each_stakeholder_it_keeps() -> None:
    acme = Stakeholder(id="c", kind=StakeholderKind.COMPANY, name="Acme")
    ada = Stakeholder(id="a", kind=StakeholderKind.PERSON, name="Ada", internal=True)
    people = [ada, acme, stakeholder("b", "Bo"), stakeholder("x", "Far")]
    ties = [
        tie("t1", "a", "c", 0.9, kind=TieKind.WORKS_FOR),
        tie("t2", "b", "c", 0.8),
        tie("t3", "x", "b"),
    ]
    found = relationship_map(graph_of(people, ties), "c", depth=1, limit=10, on=TODAY)
    assert found.stakeholders == {
        "c": MapStakeholder("COMPANY", "Acme", False),
        "a": MapStakeholder("PERSON", "Ada", True),
        "b": MapStakeholder("PERSON", "Bo", False),
    }


def test_the_snapshot_strength_wins_over_the_declared_one_and_no_strength_counts_half() -> None:
    people = [stakeholder(s) for s in "abcd"]
    ties = [tie("t1", "a", "b", 0.9), tie("t2", "a", "c"), tie("t3", "a", "d", 0.1)]
    found = relationship_map(
        graph_of(people, ties), "a", depth=1, limit=3, on=TODAY, strengths={"t3": 0.95}
    )
    assert found.distances == {"a": 0, "d": 1, "b": 1}
    assert found.truncated is True
    assert [(e.tie_id, e.strength) for e in found.edges] == [("t1", 0.9), ("t3", 0.95)]
    whole = relationship_map(graph_of(people, ties), "a", depth=1, limit=9, on=TODAY)
    assert [(e.tie_id, e.strength) for e in whole.edges] == [
        ("t1", 0.9),
        ("t2", 0.5),
        ("t3", 0.1),
    ]
    assert whole.truncated is False


def test_a_map_of_an_unknown_stakeholder_is_refused() -> None:
    with pytest.raises(UnknownStakeholder):
        relationship_map(graph_of([stakeholder("a")], []), "zz", depth=2, limit=5, on=TODAY)


def random_network(rng: random.Random) -> tuple[object, dict[str, float], list[str]]:
    """People, a few hubs tied to many of them, parallel and ended ties, repeated names and a
    snapshot that knows the strength of only some ties (the rest are newer than it)."""
    count = rng.randint(5, 60)
    ids = [f"s{i}" for i in range(count)]
    names = [f"N{rng.randint(0, count // 3)}" for _ in ids]
    people = [stakeholder(i, n) for i, n in zip(ids, names, strict=True)]
    hubs = rng.sample(ids, k=min(3, count))
    ties: list[Tie] = []
    for t in range(rng.randint(0, count * 4)):
        source = rng.choice(hubs) if rng.random() < 0.4 else rng.choice(ids)
        target = rng.choice(ids)
        extra: dict[str, object] = {"kind": rng.choice(KINDS)}
        if rng.random() < 0.2:
            extra["until"] = TODAY + timedelta(days=rng.randint(-400, 400))
        declared = rng.choice([None, 0.5, 0.3, 0.8, round(rng.random(), 2)])
        ties.append(tie(f"t{t}", source, target, declared, **extra))
    strengths = {
        t.id: rng.choice([0.5, 0.9, round(rng.random(), 2)]) for t in ties if rng.random() < 0.6
    }
    return graph_of(people, ties), strengths, ids


@pytest.mark.parametrize("seed", range(300))
def test_the_map_answers_as_the_networkx_form_does(seed: int) -> None:
    rng = random.Random(seed)
    graph, strengths, ids = random_network(rng)
    kinds = None if rng.random() < 0.5 else {k.value for k in rng.sample(KINDS, rng.randint(1, 3))}
    options = {
        "depth": rng.randint(0, 4),
        "limit": rng.randint(1, len(ids) + 2),
        "on": TODAY + timedelta(days=rng.choice([0, -200, -500, 300])),
        "tie_kinds": kinds,
        "min_strength": rng.choice([0.0, 1e-12, 0.3, 0.5, 0.85]),
        "strengths": strengths if rng.random() < 0.8 else None,
    }
    for center in rng.sample(ids, k=min(4, len(ids))):
        ours = relationship_map(graph, center, **options)  # type: ignore[arg-type]
        expected = reference_map(graph, center, **options)  # type: ignore[arg-type]
        assert list(ours.distances.items()) == list(expected.distances.items())
        assert ours.edges == expected.edges
        assert ours.truncated == expected.truncated
