"""stakenet's centralities against Neo4j Graph Data Science's, on the Florentine families.

Padgett's marriage network of the Florentine families (15 families, 20 marriages, as NetworkX
publishes it) goes in through the API (``importGraph``), so the Neo4j adapter stores it: each
family a person, each marriage a FAMILY tie, with no declared strength, so every tie has
FAMILY's default strength. GDS then projects the stored graph with the projection
docs/neo4j.md gives, and each of its scores, normalised as docs/neo4j.md says, must equal what
the API serves (``Stakeholder.metrics``, ``influenceRanking``) for every family.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import neo4j
import networkx as nx
import pytest

from stakenet.domain.model import TIE_RULES, TieKind
from support.bolt_server import BoltServer, wipe_database
from support.documented_cypher import cypher_blocks
from support.live_server import serve

pytestmark = pytest.mark.bolt

METRICS = ("degree", "betweenness", "closeness", "eigenvector", "pagerank", "coreness")
# Computed exactly on both sides, so equal up to rounding.
EXACT = 1e-12
# Iterated to convergence on both sides, from different starts and with different stopping rules.
ITERATED = 1e-8

IMPORT = """mutation($doc: JSON!) { importGraph(input: {document: $doc}) {
  errors { field message } stakeholdersCreated tiesCreated } }"""
METRICS_QUERY = """{ stakeholders(first: 100) { edges { node { key
  metrics { degree betweenness closeness eigenvector pagerank coreness } } } } }"""


def florentine_document() -> dict[str, Any]:
    graph = nx.florentine_families_graph()
    return {
        "stakeholders": [{"key": family, "kind": "PERSON", "name": family} for family in graph],
        "ties": [{"source": a, "target": b, "kind": "FAMILY"} for a, b in graph.edges],
    }


def bolt_url(server: BoltServer) -> str:
    host = server.uri.split("://", 1)[1]
    return f"bolt://{server.user}:{server.password}@{host}/{server.database}"


def projection_query() -> str:
    return cypher_blocks("neo4j.md", "## Graph Data Science")[0]


@pytest.fixture(scope="module")
def stakenet_metrics(gds_bolt_server: BoltServer) -> dict[str, dict[str, float]]:
    """The Florentine families stored through the API, and the metrics the API serves for them."""
    wipe_database(gds_bolt_server)
    for api in serve(bolt_url(gds_bolt_server)):
        imported = api.data(IMPORT, {"doc": florentine_document()})["importGraph"]
        assert (imported["errors"], imported["stakeholdersCreated"], imported["tiesCreated"]) == (
            [],
            15,
            20,
        )
        api.wait_for_analytics()
        edges = api.data(METRICS_QUERY)["stakeholders"]["edges"]
        metrics = {edge["node"]["key"]: edge["node"]["metrics"] for edge in edges}
        ranking = api.data(
            "{ influenceRanking(metric: BETWEENNESS, first: 3) { score stakeholder { key } } }"
        )["influenceRanking"]
        assert [(row["stakeholder"]["key"], row["score"]) for row in ranking] == [
            (key, metrics[key]["betweenness"]) for key in ("Medici", "Guadagni", "Albizzi")
        ]
    return metrics


GdsScores = Callable[..., dict[str, float]]


@pytest.fixture(scope="module")
def gds(
    gds_bolt_server: BoltServer, stakenet_metrics: dict[str, dict[str, float]]
) -> Iterator[GdsScores]:
    """``gds(procedure, **config)``: the procedure's score for each family, on the documented
    projection of the stored families."""
    database = gds_bolt_server.database
    with neo4j.GraphDatabase.driver(gds_bolt_server.uri, auth=gds_bolt_server.auth) as driver:

        def scores(procedure: str, **config: object) -> dict[str, float]:
            column = "coreValue" if procedure == "gds.kcore" else "score"
            records, _, _ = driver.execute_query(
                f"CALL {procedure}.stream('stakeholders', $config) YIELD nodeId, {column} "
                f"RETURN gds.util.asNode(nodeId).key AS family, {column} AS score",
                config=config,
                database_=database,
            )
            return {record["family"]: record["score"] for record in records}

        records, _, _ = driver.execute_query(projection_query(), database_=database)
        assert records[0].data() == {"stakeholders": 15, "tiedPairs": 20}
        try:
            yield scores
        finally:
            driver.execute_query(
                "CALL gds.graph.drop('stakeholders') YIELD graphName", database_=database
            )


def assert_equal_for_every_family(
    ours: dict[str, dict[str, float]], metric: str, theirs: dict[str, float], tolerance: float
) -> None:
    assert set(theirs) == set(ours)
    for family, score in theirs.items():
        assert ours[family][metric] == pytest.approx(score, rel=tolerance, abs=tolerance), family


def test_degree_is_gds_degree_over_n_minus_one(
    stakenet_metrics: dict[str, dict[str, float]], gds: GdsScores
) -> None:
    n = len(stakenet_metrics)
    reference = {family: score / (n - 1) for family, score in gds("gds.degree").items()}
    assert reference["Medici"] == 6 / 14
    assert_equal_for_every_family(stakenet_metrics, "degree", reference, EXACT)


def test_betweenness_is_gds_betweenness_over_the_pairs(
    stakenet_metrics: dict[str, dict[str, float]], gds: GdsScores
) -> None:
    """Every tie has the same strength, so stakenet's weighted shortest paths count hops."""
    n = len(stakenet_metrics)
    raw = gds("gds.betweenness")
    # The Medici lie on 47.5 of the 91 pairs' shortest paths (Padgett and Ansell's point).
    assert raw["Medici"] == 47.5
    reference = {family: 2 * score / ((n - 1) * (n - 2)) for family, score in raw.items()}
    assert stakenet_metrics["Medici"]["betweenness"] == pytest.approx(95 / 182, abs=EXACT)
    assert_equal_for_every_family(stakenet_metrics, "betweenness", reference, EXACT)


def test_closeness_is_gds_closeness_in_hops_of_the_family_tie_length(
    stakenet_metrics: dict[str, dict[str, float]], gds: GdsScores
) -> None:
    """stakenet measures a path in −log strength: each hop here is −log 0.8, FAMILY's default."""
    hop = -math.log(TIE_RULES[TieKind.FAMILY].default_strength)
    hops = gds("gds.closeness", useWassermanFaust=True)
    assert hops["Medici"] == pytest.approx(0.56, abs=EXACT)  # 14 families at 25 hops in all
    reference = {family: score / hop for family, score in hops.items()}
    assert_equal_for_every_family(stakenet_metrics, "closeness", reference, EXACT)


def test_eigenvector_is_gds_eigenvector(
    stakenet_metrics: dict[str, dict[str, float]], gds: GdsScores
) -> None:
    reference = gds("gds.eigenvector", maxIterations=1000, tolerance=1e-12)
    assert_equal_for_every_family(stakenet_metrics, "eigenvector", reference, ITERATED)


def test_pagerank_is_gds_pagerank_over_n(
    stakenet_metrics: dict[str, dict[str, float]], gds: GdsScores
) -> None:
    """Every tie is symmetric and every family has one: GDS's ranks sum to n, stakenet's to 1."""
    n = len(stakenet_metrics)
    raw = gds("gds.pageRank", dampingFactor=0.85, maxIterations=1000, tolerance=1e-12)
    assert sum(raw.values()) == pytest.approx(n, abs=1e-9)
    reference = {family: score / n for family, score in raw.items()}
    assert_equal_for_every_family(stakenet_metrics, "pagerank", reference, ITERATED)


def test_coreness_is_gds_kcore(
    stakenet_metrics: dict[str, dict[str, float]], gds: GdsScores
) -> None:
    reference = gds("gds.kcore")
    assert sorted(reference.values()) == [1] * 5 + [2] * 10
    assert {family: stakenet_metrics[family]["coreness"] for family in reference} == reference
