"""Our coverage computed once per snapshot gives the same decision-makers as a per-query search."""

from __future__ import annotations

from dataclasses import replace

from test_analytics_decision_makers import scenario

from stakenet.analytics.centrality import compute_centrality
from stakenet.analytics.decision_makers import coverage_from_us, key_decision_makers
from stakenet.analytics.paths import person_graph


def test_shared_coverage_gives_the_same_ranking_and_factors() -> None:
    b = scenario()
    strengths = b.strengths()
    centrality = compute_centrality(b.G, strengths).nodes
    people = person_graph(b.G, strengths)
    shared = coverage_from_us(people)
    assert shared["me"] == 1.0 and 0 < shared["junior"] < 1
    network = b.network(strengths, centrality)
    alone = key_decision_makers(network, "acme", None)
    reused = key_decision_makers(replace(network, coverage=shared), "acme", None)
    assert alone == reused
    assert any(f.name == "our_coverage" and f.value > 0 for d in reused for f in d.factors)
