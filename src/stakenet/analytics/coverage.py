"""Warm coverage: which of our people reach a decision-maker by a warm tie, and the share of an
organisation's top decision-makers reached so.

A tie is **warm** when its effective strength is at least `WARM_THRESHOLD` (0.2), the strength
below which the key-person risks call a tie cold (`stakenet.analytics.risks`). The **coverage**
of an organisation is the share of its top decision-makers that at least one of our (internal)
people reaches by a current warm tie of any kind, in either direction:

    coverage = |{d ∈ top : warm_contacts(d) ≠ ∅}| / |top|     (0 when top is empty)
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import networkx as nx

__all__ = ["WARM_THRESHOLD", "coverage", "warm_contacts"]

WARM_THRESHOLD = 0.2


def warm_contacts(
    G: nx.MultiDiGraph,
    strengths: Mapping[str, float],
    person_id: str,
    warm: float = WARM_THRESHOLD,
) -> dict[str, tuple[str, float]]:
    """Our people with a warm tie to `person_id`: ``our person -> (tie id, strength)`` of their
    strongest current tie to them (the lesser tie id first among equals).

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("us", internal=True); G.add_node("them", internal=False)
    >>> _ = G.add_edge("us", "them", key="t1"); _ = G.add_edge("them", "us", key="t2")
    >>> warm_contacts(G, {"t1": 0.3, "t2": 0.5}, "them")
    {'us': ('t2', 0.5)}
    >>> warm_contacts(G, {"t1": 0.1}, "them")
    {}
    """
    found: dict[str, tuple[str, float]] = {}
    if person_id not in G:
        return found
    nodes = G.nodes
    for source, target, key in (
        *G.out_edges(person_id, keys=True),
        *G.in_edges(person_id, keys=True),
    ):
        other = target if source == person_id else source
        s = strengths.get(key)
        if s is None or s < warm or other == person_id or not nodes[other].get("internal"):
            continue
        best = found.get(other)
        if best is None or (-s, key) < (-best[1], best[0]):
            found[other] = (key, s)
    return found


def coverage(
    G: nx.MultiDiGraph,
    strengths: Mapping[str, float],
    top: Collection[str],
    warm: float = WARM_THRESHOLD,
) -> float:
    """The share of `top` (decision-maker ids) reached by a warm tie from one of our people.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("us", internal=True)
    >>> for p in ("a", "b"): G.add_node(p, internal=False)
    >>> _ = G.add_edge("us", "a", key="t1")
    >>> coverage(G, {"t1": 0.9}, ["a", "b"])
    0.5
    """
    if not top:
        return 0.0
    reached = sum(1 for d in top if warm_contacts(G, strengths, d, warm))
    return reached / len(top)
