"""The N+1 guard: store calls for a nested query do not grow with the number of items."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from stakenet.api.context import Context
from stakenet.api.ids import to_global_id
from stakenet.api.schema import build_schema
from stakenet.api.types import graph_stakeholder
from stakenet.bootstrap import assemble
from stakenet.domain import model
from stakenet.domain.access import LOCAL_USER
from stakenet.services.transfer import import_document
from stakenet.store.sqlite import SQLiteStore

# These tests call the service layer directly, as the CLI does.
pytestmark = pytest.mark.usefixtures("local_operator")


class CountingStore:
    """Wraps a real store and counts the calls of each method."""

    def __init__(self, inner: SQLiteStore) -> None:
        self.inner = inner
        self.calls: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.inner, name)
        if name == "bulk_write":  # a context manager, not a coroutine
            self.calls[name] += 1
            return method

        async def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return await method(*args, **kwargs)

        return counted


def network_of(people: int) -> dict[str, Any]:
    stakeholders: list[dict[str, Any]] = [{"key": "c", "kind": "COMPANY", "name": "Acme"}]
    ties: list[dict[str, Any]] = []
    interactions: list[dict[str, Any]] = []
    for i in range(people):
        stakeholders.append({"key": f"p{i}", "kind": "PERSON", "name": f"Person {i:03}"})
        ties.append({"source": f"p{i}", "target": "c", "kind": "WORKS_FOR"})
        if i:
            ties.append({"source": f"p{i}", "target": f"p{i - 1}", "kind": "REPORTS_TO"})
            interactions.append(
                {
                    "kind": "CALL",
                    "occurredAt": f"2026-01-{1 + i % 28:02}T10:00:00Z",
                    "participants": [f"p{i}", f"p{i - 1}"],
                }
            )
    return {"stakeholders": stakeholders, "ties": ties, "interactions": interactions}


NESTED = """{ stakeholders(kind: PERSON, first: 100) { edges { node {
  name
  ... on Person { employers { name } reportsTo { name } directReports { name } }
  ties(first: 10) { totalCount edges { node { kind source { name } target { name } } } }
  interactions(first: 5) { edges { node { kind participants { stakeholder { name } } } } }
} } } }"""


async def store_calls_for(people: int, tmp_path: Path) -> Counter[str]:
    store = CountingStore(SQLiteStore(str(tmp_path / f"n{people}.db")))
    runtime = assemble(store)  # type: ignore[arg-type]
    await runtime.start()
    try:
        await import_document(runtime.services.network, network_of(people))
        store.calls.clear()
        result = await build_schema().execute(
            NESTED, context_value=Context(runtime.services, LOCAL_USER)
        )
        assert result.errors is None, result.errors
        assert result.data is not None
        nodes = [e["node"] for e in result.data["stakeholders"]["edges"]]
        assert len(nodes) == people
        assert nodes[1]["reportsTo"] == {"name": "Person 000"}
        assert nodes[1]["employers"] == [{"name": "Acme"}]
        return store.calls
    finally:
        await runtime.stop()


@pytest.mark.parametrize("people", [5, 50])
async def test_a_nested_query_costs_the_same_store_calls_for_5_or_50_people(
    people: int, tmp_path: Path
) -> None:
    calls = await store_calls_for(people, tmp_path)
    baseline = await store_calls_for(2, tmp_path)
    assert calls == baseline, f"store calls grew with the number of items: {calls} vs {baseline}"
    assert sum(calls.values()) <= 6


ANALYTIC_LISTS = """query($center: ID!) {
  relationshipMap(centerId: $center, depth: 2) {
    center { name } nodes { stakeholder { name } } }
  communities { size members { name } }
}"""


@pytest.mark.parametrize("people", [5, 50])
async def test_maps_and_communities_read_their_stakeholders_in_one_store_call(
    people: int, tmp_path: Path
) -> None:
    store = CountingStore(SQLiteStore(str(tmp_path / f"a{people}.db")))
    runtime = assemble(store)  # type: ignore[arg-type]
    await runtime.start()
    services = runtime.services
    network = services.network
    try:
        await import_document(network, network_of(people))
        await services.analytics.refresh()
        company = (await network.stakeholders_by_key(["c"]))[0]
        assert company is not None
        store.calls.clear()
        result = await build_schema().execute(
            ANALYTIC_LISTS,
            variable_values={"center": to_global_id("Company", company.id)},
            context_value=Context(services, LOCAL_USER),
        )
        assert result.errors is None, result.errors
        assert result.data is not None
        drawn = result.data["relationshipMap"]["nodes"]
        assert len(drawn) == people + 1
        members = [m for c in result.data["communities"] for m in c["members"]]
        assert len(members) == people + 1
        assert store.calls == {"get_stakeholders": 1}, store.calls
    finally:
        await runtime.stop()


ACME = {
    "stakeholders": [
        {"key": "c", "kind": "COMPANY", "name": "Acme"},
        {"key": "ada", "kind": "PERSON", "name": "Ada", "title": "CEO", "internal": True},
        {"key": "bo", "kind": "PERSON", "name": "Bo", "title": "CFO"},
    ],
    "ties": [
        {"source": "ada", "target": "c", "kind": "WORKS_FOR"},
        {"source": "bo", "target": "c", "kind": "WORKS_FOR"},
    ],
}
MAP_OF = """query($center: ID!) {
  relationshipMap(centerId: $center, depth: 1) {
    center { %s } nodes { distance stakeholder { %s } } } }"""
LABEL = "\nfragment Label on Stakeholder { name ... on Person { kind } }"


async def map_with_calls(
    store: CountingStore, services: Any, center: str, selection: str
) -> tuple[dict[str, Any], Counter[str]]:
    store.calls.clear()
    result = await build_schema().execute(
        MAP_OF % (selection, selection) + (LABEL if "...Label" in selection else ""),
        variable_values={"center": center},
        context_value=Context(services, LOCAL_USER),
    )
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data["relationshipMap"], Counter(store.calls)


@pytest.mark.parametrize(
    ("selection", "expected", "reads"),
    [
        (
            "__typename name kind internal",
            [
                {"__typename": "Company", "name": "Acme", "kind": "COMPANY", "internal": False},
                {"__typename": "Person", "name": "Ada", "kind": "PERSON", "internal": True},
                {"__typename": "Person", "name": "Bo", "kind": "PERSON", "internal": False},
            ],
            {},
        ),
        (
            "...Label ... on Stakeholder { internal }",
            [
                {"name": "Acme", "internal": False},
                {"name": "Ada", "kind": "PERSON", "internal": True},
                {"name": "Bo", "kind": "PERSON", "internal": False},
            ],
            {},
        ),
        (
            "name key",
            [
                {"name": "Acme", "key": "c"},
                {"name": "Ada", "key": "ada"},
                {"name": "Bo", "key": "bo"},
            ],
            {"get_stakeholders": 1},
        ),
        (
            "...Label ... on Person { title }",
            [
                {"name": "Acme"},
                {"name": "Ada", "kind": "PERSON", "title": "CEO"},
                {"name": "Bo", "kind": "PERSON", "title": "CFO"},
            ],
            {"get_stakeholders": 1},
        ),
    ],
)
async def test_a_map_reads_the_store_only_for_stakeholder_fields_its_graph_lacks(
    selection: str, expected: list[dict[str, Any]], reads: dict[str, int], tmp_path: Path
) -> None:
    store = CountingStore(SQLiteStore(str(tmp_path / "acme.db")))
    runtime = assemble(store)  # type: ignore[arg-type]
    await runtime.start()
    try:
        await import_document(runtime.services.network, ACME)
        (company,) = await runtime.services.network.stakeholders_by_key(["c"])
        assert company is not None
        center = to_global_id("Company", company.id)
        drawn, calls = await map_with_calls(store, runtime.services, center, selection)
        assert drawn["center"] == expected[0]
        assert drawn["nodes"] == [
            {"distance": d, "stakeholder": s} for d, s in zip([0, 1, 1], expected, strict=True)
        ]
        assert calls == reads
    finally:
        await runtime.stop()


async def test_a_map_drawn_from_its_graph_names_a_renamed_stakeholder_anew(
    tmp_path: Path,
) -> None:
    store = CountingStore(SQLiteStore(str(tmp_path / "acme.db")))
    runtime = assemble(store)  # type: ignore[arg-type]
    await runtime.start()
    network = runtime.services.network
    try:
        await import_document(network, ACME)
        company, bo = await network.stakeholders_by_key(["c", "bo"])
        assert company is not None and bo is not None
        center = to_global_id("Company", company.id)
        before, _ = await map_with_calls(store, runtime.services, center, "id name internal")
        # Maps drawn again share a stakeholder's (immutable) entity until it changes.
        first = graph_stakeholder(bo.id, "PERSON", "Bo", False)
        assert graph_stakeholder(bo.id, "PERSON", "Bo", False).entity is first.entity
        assert first.entity == model.Stakeholder(
            id=bo.id, kind=model.StakeholderKind.PERSON, name="Bo", internal=False
        )
        await network.update_stakeholder(bo.id, {"name": "Bob", "internal": True})
        drawn, calls = await map_with_calls(store, runtime.services, center, "id name internal")
        renamed = graph_stakeholder(bo.id, "PERSON", "Bob", True)
        assert renamed.entity is not first.entity and renamed.entity.name == "Bob"
        bo_id = to_global_id("Person", bo.id)
        assert before["nodes"][2]["stakeholder"] == {"id": bo_id, "name": "Bo", "internal": False}
        assert drawn["nodes"][2]["stakeholder"] == {"id": bo_id, "name": "Bob", "internal": True}
        assert "get_stakeholders" not in calls
    finally:
        await runtime.stop()
