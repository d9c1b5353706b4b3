"""The Cypher that docs/neo4j.md gives for Neo4j Browser, run on the demo network stored in Neo4j.

The demo network goes in through the store as `stakenet serve --demo` puts it there, and each
documented query must give the answers the demo network was built to hold. The Graph Data
Science queries run on the tests' Neo4j with GDS, and must give stakenet's own degree and
coreness, and the betweenness of the current ties counted in hops.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import neo4j
import networkx as nx
import pytest

from stakenet.bootstrap import assemble
from stakenet.demo import load_demo_document
from stakenet.domain.access import SYSTEM
from stakenet.services.access import acting_as
from stakenet.services.transfer import import_document
from stakenet.store.neo4j import Neo4jStore
from support.bolt_server import BoltServer, wipe_database
from support.documented_cypher import cypher_blocks
from support.live_server import serve


def documented_queries() -> list[str]:
    return cypher_blocks("neo4j.md", "### Questions to ask in Neo4j Browser")


async def store_the_demo_network(server: BoltServer) -> None:
    runtime = assemble(Neo4jStore(server.uri, server.user, server.password, server.database))
    await runtime.start()
    try:
        with acting_as(SYSTEM):
            await import_document(runtime.services.network, load_demo_document())
    finally:
        await runtime.stop()


@pytest.fixture(scope="module")
def demo_in_neo4j(bolt_server: BoltServer) -> BoltServer:
    wipe_database(bolt_server)
    asyncio.run(store_the_demo_network(bolt_server))
    return bolt_server


def run(server: BoltServer, query: str) -> list[dict[str, Any]]:
    with neo4j.GraphDatabase.driver(server.uri, auth=server.auth) as driver:
        records, _, _ = driver.execute_query(query, database_=server.database)
    return [record.data() for record in records]


def test_the_section_documents_three_queries() -> None:
    assert len(documented_queries()) == 3


@pytest.mark.bolt
def test_who_works_where_and_reports_to_whom(demo_in_neo4j: BoltServer) -> None:
    rows = run(demo_in_neo4j, documented_queries()[0])
    by_person = {row["person"]: (row["role"], row["reportsTo"]) for row in rows}
    assert by_person["Mette Kjær"] == ("adm. direktør", None)
    assert by_person["Jonas Brandt"] == ("Partner", "Mette Kjær")
    assert by_person["Ida Nørgaard"] == ("Relationship Manager", "Jonas Brandt")
    assert by_person["Emil Skov"] == ("konsulent", "Sofie Lind")
    assert len(by_person) == 10


@pytest.mark.bolt
def test_board_interlocks_between_two_companies(demo_in_neo4j: BoltServer) -> None:
    assert run(demo_in_neo4j, documented_queries()[1]) == [
        {"director": "Anders Juhl"},
        {"director": "Erik Lykke"},
    ]


@pytest.mark.bolt
def test_the_warmest_path_to_a_decision_maker_beats_the_weak_direct_tie(
    demo_in_neo4j: BoltServer,
) -> None:
    rows = run(demo_in_neo4j, documented_queries()[2])
    assert rows[0] == {
        "introductions": ["Ida Nørgaard", "Mikkel Ravn", "Peter Mørch"],
        "warmth": 0.765,
    }
    assert ["Ida Nørgaard", "Peter Mørch"] not in [row["introductions"] for row in rows]


def gds_queries() -> list[str]:
    return cypher_blocks("neo4j.md", "## Graph Data Science")


def current_pairs(document: dict[str, Any]) -> nx.Graph:
    """The demo network as the documented projection should see it: every stakeholder, and
    each pair with a tie current today, once."""
    today = datetime.now(UTC).date().isoformat()
    graph = nx.Graph()
    graph.add_nodes_from(row["name"] for row in document["stakeholders"])
    name = {row["key"]: row["name"] for row in document["stakeholders"]}
    for tie in document["ties"]:
        if tie.get("since", today) <= today <= tie.get("until", today):
            graph.add_edge(name[tie["source"]], name[tie["target"]])
    return graph


@pytest.fixture(scope="module")
def demo_in_gds(gds_bolt_server: BoltServer) -> Iterator[BoltServer]:
    """The demo network stored on the server with Graph Data Science, projected as documented."""
    wipe_database(gds_bolt_server)
    asyncio.run(store_the_demo_network(gds_bolt_server))
    projected = run(gds_bolt_server, gds_queries()[0])
    demo = current_pairs(load_demo_document())
    assert projected == [
        {"stakeholders": demo.number_of_nodes(), "tiedPairs": demo.number_of_edges()}
    ]
    try:
        yield gds_bolt_server
    finally:
        run(gds_bolt_server, "CALL gds.graph.drop('stakeholders') YIELD graphName")


def served_ranking(server: BoltServer, metric: str) -> dict[str, float]:
    """The top 100 of stakenet's ranking by ``metric``, by name, as its API serves them."""
    host = server.uri.split("://", 1)[1]
    for api in serve(f"bolt://{server.user}:{server.password}@{host}/{server.database}"):
        api.wait_for_analytics()
        rows = api.data(
            "query($metric: Metric!) { influenceRanking(metric: $metric, first: 100) "
            "{ score stakeholder { name } } }",
            {"metric": metric},
        )["influenceRanking"]
    return {row["stakeholder"]["name"]: row["score"] for row in rows}


def test_the_gds_section_documents_a_projection_and_three_metrics() -> None:
    assert len(gds_queries()) == 4


@pytest.mark.bolt
def test_gds_degree_as_documented_is_stakenets_degree(demo_in_gds: BoltServer) -> None:
    rows = run(demo_in_gds, gds_queries()[1])
    ours = served_ranking(demo_in_gds, "DEGREE")
    assert len(rows) == 10
    assert rows[0]["stakeholder"] == "Kystlinje Rådgivning A/S"
    for row in rows:
        assert row["degree"] == pytest.approx(ours[row["stakeholder"]], abs=1e-12)
    assert rows[-1]["degree"] == pytest.approx(sorted(ours.values())[-10], abs=1e-12)


@pytest.mark.bolt
def test_gds_coreness_as_documented_is_stakenets_coreness(demo_in_gds: BoltServer) -> None:
    rows = run(demo_in_gds, gds_queries()[2])
    ours = served_ranking(demo_in_gds, "CORENESS")
    assert len(rows) == 10
    assert {row["stakeholder"]: row["coreness"] for row in rows} == {
        row["stakeholder"]: ours[row["stakeholder"]] for row in rows
    }
    assert rows[-1]["coreness"] == sorted(ours.values())[-10]


@pytest.mark.bolt
def test_gds_betweenness_as_documented_counts_hops_on_the_current_ties(
    demo_in_gds: BoltServer,
) -> None:
    """The demo's ties differ in strength, so stakenet's betweenness weighs them; the documented
    query counts hops, as NetworkX's unweighted betweenness of the current ties does."""
    rows = run(demo_in_gds, gds_queries()[3])
    in_hops = nx.betweenness_centrality(current_pairs(load_demo_document()))
    expected = sorted(in_hops.items(), key=lambda item: (-item[1], item[0]))[:10]
    assert [row["stakeholder"] for row in rows] == [name for name, _ in expected]
    for row, (_, score) in zip(rows, expected, strict=True):
        assert row["betweenness"] == pytest.approx(score, abs=1e-12)
