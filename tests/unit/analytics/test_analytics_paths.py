"""Introduction paths: strongest first, people only, never through our other people."""

from __future__ import annotations

import itertools
import math
import random

import networkx as nx
import pytest
from analytics_helpers import GraphBuilder

from stakenet.analytics.errors import UnknownStakeholder, WrongKind
from stakenet.analytics.paths import (
    COLLEAGUE,
    _HopBoundedDistances,
    introduction_paths,
    members,
    person_graph,
)


def _base() -> GraphBuilder:
    b = GraphBuilder()
    b.org("us", internal=True)
    b.person("me", internal=True)
    b.person("pal", internal=True)
    b.tie("me", "us", "WORKS_FOR", 0.9)
    b.tie("pal", "us", "WORKS_FOR", 0.9)
    b.org("acme")
    for p, sen in (("ceo", "C_LEVEL"), ("cfo", "C_LEVEL"), ("x", None), ("y", None)):
        b.person(p, sen)
    b.tie("ceo", "acme", "WORKS_FOR", 0.8)
    b.tie("cfo", "acme", "WORKS_FOR", 0.8)
    return b


def test_strong_two_hop_beats_weak_direct_and_strengths_are_products() -> None:
    b = _base()
    direct = b.tie("me", "ceo", "KNOWS", 0.3)
    t1 = b.tie("me", "x", "KNOWS", 0.9)
    t2 = b.tie("ceo", "x", "KNOWS", 0.8)  # written the other way round: symmetric
    paths = introduction_paths(b.G, b.strengths(), "ceo", from_id="me", limit=3)
    assert [p.steps for p in paths] == [("me", "x", "ceo"), ("me", "ceo")]
    best = paths[0]
    assert best.strength == pytest.approx(0.72)
    assert best.hops == 2
    assert best.tie_ids == (t1, t2)
    assert best.weakest_link is not None and best.weakest_link.tie_id == t2
    assert best.weakest_link.strength == 0.8
    assert paths[1].strength == pytest.approx(0.3) and paths[1].tie_ids == (direct,)
    assert paths[1].target == "ceo"


def test_no_path_runs_through_another_internal_person() -> None:
    b = _base()
    b.tie("pal", "me", "KNOWS", 1.0)
    b.tie("pal", "x", "KNOWS", 0.9)
    b.tie("me", "x", "KNOWS", 0.5)
    b.tie("x", "ceo", "KNOWS", 0.9)
    b.tie("me", "y", "KNOWS", 0.6)
    b.tie("y", "ceo", "KNOWS", 0.6)
    paths = introduction_paths(b.G, b.strengths(), "ceo", limit=10)
    internal = {"me", "pal"}
    assert paths, "expected paths"
    for path in paths:
        assert path.steps[0] in internal
        assert not internal & set(path.steps[1:])
    expected = [("pal", "x", "ceo"), ("me", "x", "ceo"), ("me", "y", "ceo")]
    assert [p.steps for p in paths] == expected
    assert [p.strength for p in paths] == pytest.approx([0.81, 0.45, 0.36])


def test_organisations_are_not_introducers() -> None:
    b = _base()
    b.org("club", kind="ORGANIZATION")
    b.tie("me", "club", "MEMBER_OF", 1.0)
    b.tie("ceo", "club", "MEMBER_OF", 1.0)
    assert introduction_paths(b.G, b.strengths(), "ceo") == []
    b.tie("me", "x", "KNOWS", 0.5)
    b.tie("x", "club", "INFLUENCES", 1.0)
    b.tie("club", "ceo", "INFLUENCES", 1.0)
    assert introduction_paths(b.G, b.strengths(), "ceo") == []


def test_colleague_link_is_inferred_and_explicit() -> None:
    b = _base()
    b.tie("me", "x", "KNOWS", 0.8)
    b.tie("x", "acme", "WORKS_FOR", 0.5)
    path, *others = introduction_paths(b.G, b.strengths(), "ceo")
    assert path.steps == ("me", "x", "ceo")
    # the other route runs through a second inferred colleague link (x, cfo, ceo)
    assert [p.steps for p in others] == [("me", "x", "cfo", "ceo")]
    last = path.links[-1]
    assert last.tie_id is None and last.kind == COLLEAGUE and last.via == "acme"
    assert last.strength == 0.25
    assert path.strength == pytest.approx(0.2)
    assert path.weakest_link == last
    # a direct tie replaces the inferred link, even a weaker one
    direct = b.tie("x", "ceo", "KNOWS", 0.1)
    path = introduction_paths(b.G, b.strengths(), "ceo")[0]
    assert path.tie_ids[-1] == direct and path.strength == pytest.approx(0.08)
    P = person_graph(b.G, b.strengths())
    assert "acme" not in P and P["x"]["ceo"]["tie_id"] == direct
    # The organisation's colleague links are alike and share one attribute dict.
    assert P["x"]["cfo"] is P["cfo"]["ceo"] is P["cfo"]["x"]
    assert P["x"]["cfo"] == {
        "strength": 0.25,
        "distance": pytest.approx(-math.log(0.25)),
        "cost": pytest.approx(-math.log(0.25)),
        "tie_id": None,
        "kind": COLLEAGUE,
        "via": "acme",
    }


def test_organisation_target_ends_at_its_people() -> None:
    b = _base()
    b.tie("me", "x", "KNOWS", 0.9)
    b.tie("x", "ceo", "KNOWS", 0.5)
    b.tie("me", "cfo", "KNOWS", 0.4)
    board = b.person("chair", "C_LEVEL")
    b.tie(board, "acme", "BOARD_MEMBER_OF", 0.9, role="chair")
    b.tie("pal", board, "FAMILY", 0.7)
    paths = introduction_paths(b.G, b.strengths(), "acme", limit=5)
    assert [p.steps for p in paths] == [("pal", "chair"), ("me", "x", "ceo"), ("me", "cfo")]
    assert all(p.target == "acme" for p in paths)
    assert all("acme" not in p.steps for p in paths)
    assert [p.strength for p in paths] == pytest.approx([0.7, 0.45, 0.4])


def test_path_ends_at_first_person_of_the_target_organisation() -> None:
    b = _base()
    b.tie("me", "cfo", "KNOWS", 0.9)
    b.tie("cfo", "ceo", "KNOWS", 0.9)
    paths = introduction_paths(b.G, b.strengths(), "acme", limit=5)
    assert [p.steps for p in paths] == [("me", "cfo")]


def test_hop_bound_and_limit() -> None:
    b = _base()
    chain = ["me", "a", "b", "c", "d", "ceo"]
    for p in chain[1:-1]:
        b.person(p)
    for u, v in itertools.pairwise(chain):
        b.tie(u, v, "KNOWS", 0.99)
    assert introduction_paths(b.G, b.strengths(), "ceo", max_hops=4) == []
    (path,) = introduction_paths(b.G, b.strengths(), "ceo", max_hops=5)
    assert path.hops == 5 and path.strength == pytest.approx(0.99**5)
    assert introduction_paths(b.G, b.strengths(), "ceo", limit=0) == []


def test_unknown_and_invalid_ids() -> None:
    b = _base()
    with pytest.raises(UnknownStakeholder):
        introduction_paths(b.G, b.strengths(), "nobody")
    with pytest.raises(UnknownStakeholder):
        introduction_paths(b.G, b.strengths(), "ceo", from_id="nobody")
    with pytest.raises(WrongKind) as wrong:
        introduction_paths(b.G, b.strengths(), "ceo", from_id="acme")
    assert (wrong.value.stakeholder_id, wrong.value.wanted) == ("acme", "a person")


def test_ended_ties_are_not_used() -> None:
    b = _base()
    t = b.tie("me", "ceo", "KNOWS", 0.9)
    strengths = b.strengths()
    del strengths[t]  # not current
    assert introduction_paths(b.G, strengths, "ceo") == []


def _brute_force(
    P: nx.Graph, starts: set[str], ends: set[str], blocked: set[str], max_hops: int
) -> list[float]:
    """Every allowed route's strength, by enumerating all simple paths."""
    strengths = [1.0 for s in starts if s in ends]
    for s in starts:
        for route in nx.all_simple_paths(P, s, ends, cutoff=max_hops):
            inner = route[1:]
            if any(v in starts or v in blocked for v in inner) or any(
                v in ends for v in route[:-1]
            ):
                continue
            strength = 1.0
            for a, b in itertools.pairwise(route):
                strength *= P[a][b]["strength"]
            strengths.append(strength)
    return sorted(strengths, reverse=True)


@pytest.mark.parametrize("seed", range(40))
def test_k_strongest_paths_match_brute_force_on_random_graphs(seed: int) -> None:
    rng = random.Random(seed)
    b = GraphBuilder()
    people = [b.person(f"p{i}", internal=i < 3) for i in range(12)]
    b.org("acme")
    for p in people[3:]:
        if rng.random() < 0.3:
            b.tie(p, "acme", "WORKS_FOR", 0.8)
    for u, v in itertools.combinations(people, 2):
        if rng.random() < 0.3:
            b.tie(u, v, "KNOWS", round(rng.uniform(0.05, 1.0), 2))
    strengths = b.strengths()
    P = person_graph(b.G, strengths)
    internal = set(people[:3])
    target = rng.choice(people[3:])
    limit, hops = rng.randint(1, 6), rng.randint(1, 5)
    cases = [
        (target, None, internal, {target}, internal),
        (target, "p0", {"p0"}, {target}, set()),
        ("acme", None, internal, members(b.G, "acme", strengths), internal),
    ]
    for to_id, from_id, starts, ends, blocked in cases:
        found = introduction_paths(
            b.G, strengths, to_id, from_id, limit=limit, max_hops=hops, people=P
        )
        expected = _brute_force(P, starts, ends, blocked, hops)[:limit]
        assert [p.strength for p in found] == pytest.approx(expected)
        for path in found:
            assert path.hops <= hops and len(set(path.steps)) == len(path.steps)


def _hop_limited_distances(
    P: nx.Graph, ends: set[str], max_hops: int, stop_at: set[str]
) -> list[dict[str, float]]:
    """Bellman-Ford by layers: ``[left][v]`` the least distance from v to an end in ≤ left links."""
    layers = [dict.fromkeys(ends, 0.0)]
    for _ in range(max_hops):
        previous = layers[-1]
        layer = dict(previous)
        for u, du in previous.items():
            if u in stop_at:
                continue  # a route never runs through a start or a blocked person
            for v, data in P[u].items():
                layer[v] = min(layer.get(v, math.inf), du + data["distance"])
        layers.append(layer)
    return layers


@pytest.mark.parametrize("seed", range(20))
def test_the_remaining_distance_bound_is_the_hop_limited_distance(seed: int) -> None:
    rng = random.Random(seed)
    P = nx.Graph()
    people = [f"p{i}" for i in range(30)]
    P.add_nodes_from(people)
    for u, v in itertools.combinations(people, 2):
        if rng.random() < 0.15:
            strength = rng.choice((0.25, 0.5, rng.uniform(0.05, 1.0)))
            P.add_edge(u, v, distance=-math.log(strength))
    ends = set(rng.sample(people, rng.randint(1, 3)))
    stop_at = set(rng.sample(people, 4))
    max_hops = rng.randint(1, 5)
    expected = _hop_limited_distances(P, ends, max_hops, stop_at)
    remaining = _HopBoundedDistances(P, ends, max_hops, stop_at)
    asked = [(v, left) for v in people for left in range(max_hops + 1)]
    rng.shuffle(asked)  # answers must not depend on how far earlier questions grew the search
    for v, left in asked:
        lower, exact = remaining.known(v, left)
        assert lower <= expected[left].get(v, math.inf) + 1e-12
        found, exact = remaining.at_least(v, left, math.inf)
        assert exact
        assert found == pytest.approx(expected[left].get(v, math.inf))
