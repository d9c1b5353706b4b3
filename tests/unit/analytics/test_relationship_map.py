"""The relationship map: which stakeholders a cut ring keeps, which ties it draws, and the same
answers as the straightforward NetworkX form (`reference_relationship_map`) on random networks
with hubs, cut rings, kind filters, minimum strengths, ended ties and past dates."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from reference_relationship_map import relationship_map as reference_map

from stakenet.analytics.errors import UnknownStakeholder
from stakenet.analytics.network_view import NetworkView
from stakenet.analytics.projection import Projection
from stakenet.analytics.relationship_map import (
    MapEdge,
    MapStakeholder,
    RelationshipMap,
    TiesByStrength,
    relationship_map,
)
from stakenet.domain.model import (
    Change,
    ChangeOp,
    EntityType,
    GraphData,
    Interaction,
    InteractionKind,
    Participant,
    Stakeholder,
    StakeholderKind,
    Tie,
    TieKind,
)

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


@pytest.mark.parametrize("hubs_from", [None, 0, 3])
@pytest.mark.parametrize("seed", range(300))
def test_the_map_answers_as_the_networkx_form_does(seed: int, hubs_from: int | None) -> None:
    """Read in full, and with the ties of every stakeholder (or of those with more than three
    neighbours) ranked by strength, one ranking serving several maps."""
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
    ranking = TiesByStrength(hubs_from) if hubs_from is not None else None
    for center in rng.sample(ids, k=min(4, len(ids))):
        ours = relationship_map(graph, center, ranking=ranking, **options)  # type: ignore[arg-type]
        expected = reference_map(graph, center, **options)  # type: ignore[arg-type]
        assert list(ours.distances.items()) == list(expected.distances.items())
        assert ours.edges == expected.edges
        assert ours.truncated == expected.truncated


@pytest.mark.parametrize("seed", range(30))
def test_maps_through_big_hubs_answer_as_the_networkx_form_does(seed: int) -> None:
    """Hubs of 70 to 400 people, above the neighbours from which a hub's ties are ranked, with
    few distinct strengths and names, so that cut rings end among many equals."""
    rng = random.Random(seed)
    people = [stakeholder(f"s{i}", f"N{rng.randint(0, 9)}") for i in range(rng.randint(80, 400))]
    ids = [p.id for p in people]
    ties: list[Tie] = []
    for h, hub in enumerate(rng.sample(ids, k=3)):
        for member in rng.sample(ids, k=rng.randint(70, len(ids) - 1)):
            extra: dict[str, object] = {"kind": rng.choice(KINDS)}
            if rng.random() < 0.1:
                extra["until"] = TODAY + timedelta(days=rng.choice([-30, 30]))
            source, target = (hub, member) if rng.random() < 0.5 else (member, hub)
            ties.append(tie(f"h{h}-{member}", source, target, rng.choice([0.3, 0.5, 0.9]), **extra))
    for t in range(len(ids)):
        ties.append(tie(f"k{t}", rng.choice(ids), rng.choice(ids), rng.choice([None, 0.9])))
    graph = graph_of(people, ties)
    strengths = {t.id: rng.choice([0.5, 0.9]) for t in ties if rng.random() < 0.3}
    ranking = TiesByStrength()
    for center in rng.sample(ids, k=8):
        options = {
            "depth": rng.randint(1, 3),
            "limit": rng.randint(1, 120),
            "on": TODAY,
            "tie_kinds": None if rng.random() < 0.7 else {TieKind.KNOWS.value},
            "min_strength": rng.choice([0.0, 0.0, 0.5]),
            "strengths": strengths,
        }
        ours = relationship_map(graph, center, ranking=ranking, **options)  # type: ignore[arg-type]
        expected = reference_map(graph, center, **options)  # type: ignore[arg-type]
        assert list(ours.distances.items()) == list(expected.distances.items())
        assert ours.edges == expected.edges
        assert ours.truncated == expected.truncated


def test_a_ranking_made_for_other_strengths_is_made_again() -> None:
    people = [stakeholder(s) for s in "abcde"]
    ties = [tie("t1", "a", "b", 0.9), tie("t2", "a", "c", 0.2), tie("t3", "d", "a", 0.5)]
    ties.append(tie("t4", "a", "e", 0.4))
    graph = graph_of(people, ties)
    ranking = TiesByStrength(0)
    first = relationship_map(graph, "a", depth=1, limit=3, on=TODAY, ranking=ranking)
    assert list(first.distances) == ["a", "b", "d"]
    snapshot = {"t2": 0.95, "t1": 0.1}
    second = relationship_map(
        graph, "a", depth=1, limit=3, on=TODAY, strengths=snapshot, ranking=ranking
    )
    assert list(second.distances) == ["a", "c", "d"]


def organisation_network(members: int) -> GraphData:
    """Acme and `members` people who work for it, their declared strengths repeating, so that
    a cut ring has many candidates at the strength it is cut at (names, then ids, decide);
    p0 also knows p1 and p2, and works for Beta beside p1."""
    acme = Stakeholder(id="acme", kind=StakeholderKind.COMPANY, name="Acme")
    beta = Stakeholder(id="beta", kind=StakeholderKind.COMPANY, name="Beta")
    people = [stakeholder(f"p{i}", f"N{i % 7}") for i in range(members)]
    ties = [
        tie(f"w{i}", f"p{i}", "acme", [0.3, 0.6, 0.6, 0.9][i % 4], kind=TieKind.WORKS_FOR)
        for i in range(members)
    ]
    ties += [tie("k1", "p0", "p1", 0.4), tie("k2", "p2", "p0", 0.7)]
    ties += [tie("b0", "p0", "beta", kind=TieKind.WORKS_FOR)]
    ties += [tie("b1", "p1", "beta", kind=TieKind.WORKS_FOR)]
    return GraphData(revision=1, stakeholders=[acme, beta, *people], ties=ties)


def test_the_live_map_through_a_big_organisation_follows_every_change() -> None:
    """The read model keeps Acme's ties ranked between maps; each change below touches them,
    and each map is the one the NetworkX form draws on the graph as it then is."""
    view = NetworkView()
    view.load(organisation_network(300))
    graph = view._projection.graph

    def both() -> tuple[RelationshipMap, RelationshipMap]:
        options = {"depth": 2, "limit": 12, "on": TODAY}
        ours = view.relationship_map("p0", tie_kinds=None, min_strength=0.0, **options).value  # type: ignore[arg-type]
        return ours, reference_map(graph, "p0", **options)  # type: ignore[arg-type]

    ours, expected = both()
    # 75 people work for Acme at 0.9 (p3, p7, p11 …) and the ring keeps 7: the 11 named N0
    # (p7, p35, p63 …) come first, then ids decide, as strings.
    ring_2 = ["p119", "p147", "p175", "p203", "p231", "p259", "p287"]
    assert list(ours.distances) == ["p0", "p2", "beta", "p1", "acme", *ring_2]
    assert ours.truncated is True
    assert list(ours.distances.items()) == list(expected.distances.items())

    person = stakeholder("zed", "Zed")
    steps: list[list[Change]] = [
        # A newcomer at Acme, stronger than anyone.
        [upsert(2, person), upsert(3, tie("wz", "zed", "acme", 0.99, kind=TieKind.WORKS_FOR))],
        # p147's tie to Acme ended; p175's now joins it to Beta instead (Acme's ranking still
        # names it, as the change touched only p175 and Beta).
        [
            upsert(
                4, tie("w147", "p147", "acme", 0.9, kind=TieKind.WORKS_FOR, until=date(2026, 1, 1))
            )
        ],
        [upsert(5, tie("w175", "p175", "beta", 0.9, kind=TieKind.WORKS_FOR))],
        # The newcomer leaves the network; p203 is weaker now.
        [Change(6, EntityType.STAKEHOLDER, ChangeOp.DELETE, "zed")],
        [upsert(7, tie("w203", "p203", "acme", 0.1, kind=TieKind.WORKS_FOR))],
        # Names decide among equals: p11 (N4) is now first of them, p119 (N0) last.
        [upsert(8, stakeholder("p11", "A")), upsert(9, stakeholder("p119", "Z"))],
    ]
    kept = []
    for changes in steps:
        view.apply(changes)
        ours, expected = both()
        assert list(ours.distances.items()) == list(expected.distances.items())
        assert ours.edges == expected.edges
        assert ours.truncated == expected.truncated
        kept.append(list(ours.distances)[5:])
    assert kept[0][0] == "zed"
    assert "p147" not in kept[1]
    assert "p175" in kept[2]  # through Beta now, at the same strength
    assert "zed" not in kept[3]
    assert "p203" not in kept[4]
    assert kept[5][0] == "p11"
    assert "p119" not in kept[5]


def test_an_interaction_keeps_the_rankings_of_the_ties_of_its_participants() -> None:
    """An interaction changes no tie (derived strengths change with the next snapshot, which
    ranks afresh), so Acme's ranking outlives a meeting with Acme."""
    view = NetworkView()
    view.load(organisation_network(300))
    view.relationship_map("p0", depth=2, limit=12, on=TODAY, tie_kinds=None, min_strength=0)
    ranking = view._ranking
    assert ranking.ranked(view._projection.graph, "acme", {}.get) is ranking._ranked["acme"]
    meeting = Interaction(
        id="i1",
        kind=InteractionKind.MEETING,
        occurred_at=datetime(2026, 5, 1, tzinfo=UTC),
        participants=(Participant("acme"), Participant("p3")),
    )
    view.apply([Change(2, EntityType.INTERACTION, ChangeOp.UPSERT, "i1", meeting)])
    assert "acme" in ranking._ranked
    view.apply([upsert(3, tie("w3", "p3", "acme", 0.2, kind=TieKind.WORKS_FOR))])
    assert "acme" not in ranking._ranked


def upsert(revision: int, entity: Stakeholder | Tie) -> Change:
    kind = EntityType.STAKEHOLDER if isinstance(entity, Stakeholder) else EntityType.TIE
    return Change(revision, kind, ChangeOp.UPSERT, entity.id, entity)


def test_a_snapshot_map_through_a_big_organisation_answers_as_the_networkx_form_does() -> None:
    """A snapshot (the maps `asOf` draws) keeps its own ranking of Acme's ties, by its
    strengths: the second map reads it."""
    view = NetworkView()
    view.load(organisation_network(300))
    state = view.refresh(datetime(2026, 6, 1, tzinfo=UTC))
    for limit in (12, 40):
        ours = state.relationship_map("p0", depth=2, limit=limit, tie_kinds=None, min_strength=0)
        expected = reference_map(
            state._graph, "p0", depth=2, limit=limit, on=TODAY, strengths=state.snapshot.strengths
        )
        assert list(ours.distances.items()) == list(expected.distances.items())
        assert ours.edges == expected.edges
        assert ours.truncated is expected.truncated is True
