"""The Cypher that docs/neo4j.md gives for Neo4j Browser, run on the demo network stored in Neo4j.

The demo network goes in through the store as `stakenet serve --demo` puts it there, and each
documented query must give the answers the demo network was built to hold.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import neo4j
import pytest

from stakenet.bootstrap import assemble
from stakenet.demo import load_demo_document
from stakenet.domain.access import SYSTEM
from stakenet.services.access import acting_as
from stakenet.services.transfer import import_document
from stakenet.store.neo4j import Neo4jStore
from support.bolt_server import BoltServer, wipe_database

DOC = Path(__file__).resolve().parents[3] / "docs" / "neo4j.md"
SECTION = "### Questions to ask in Neo4j Browser"


def documented_queries() -> list[str]:
    text = DOC.read_text("utf-8")
    section = text[text.index(SECTION) :]
    section = section[: section.index("\n## ")]
    return re.findall(r"```cypher\n(.*?)```", section, flags=re.DOTALL)


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
