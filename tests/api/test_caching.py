"""The response cache never serves an answer of another revision or another caller; persisted
queries run by their hash once the server has seen them."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from stakenet.api.caching import validation_cache
from stakenet.api.context import Context
from stakenet.api.schema import PARSED_DOCUMENTS, build_schema
from stakenet.domain.access import LOCAL_USER, Principal, Role
from stakenet.domain.model import StakeholderKind
from stakenet.services.access import acting_as
from stakenet.services.container import Services, Settings
from stakenet.services.network import NetworkService
from stakenet.store.sqlite import SQLiteStore
from support.live_server import Api

LIST = "{ stakeholders { totalCount edges { node { name notes } } } }"


async def test_cached_answers_follow_the_revision_and_the_caller(tmp_path: Path) -> None:
    network = NetworkService(SQLiteStore(str(tmp_path / "s.db")))
    await network.start()
    services = Services.around(network)
    schema = build_schema(services.settings, services)
    try:
        editor = Principal("e", Role.EDITOR)
        viewer = Principal("v", Role.VIEWER)
        with acting_as(editor):
            await network.create_stakeholder(
                StakeholderKind.PERSON, {"name": "Anna", "notes": "private"}
            )

        async def run(principal: Principal) -> object:
            with acting_as(principal):
                result = await schema.execute(LIST, context_value=Context(services, principal))
            assert result.errors is None
            return result.data

        store = network.store
        listings = 0
        original = store.find_stakeholders

        async def counted(*args: object, **kwargs: object) -> object:
            nonlocal listings
            listings += 1
            return await original(*args, **kwargs)  # type: ignore[arg-type]

        store.find_stakeholders = counted  # type: ignore[method-assign,assignment]
        first = await run(editor)
        again = await run(editor)
        assert again == first
        assert listings == 1  # the second answer came from the cache
        assert first == {
            "stakeholders": {
                "totalCount": 1,
                "edges": [{"node": {"name": "Anna", "notes": "private"}}],
            }
        }
        # The viewer's answer is its own: the editor's cached one would leak the note.
        seen_by_viewer = await run(viewer)
        assert seen_by_viewer == {
            "stakeholders": {"totalCount": 1, "edges": [{"node": {"name": "Anna", "notes": None}}]}
        }
        with acting_as(editor):
            await network.create_stakeholder(StakeholderKind.PERSON, {"name": "Bo"})
        after_write = await run(editor)
        assert after_write["stakeholders"]["totalCount"] == 2  # type: ignore[index]
        assert listings == 3  # the viewer's answer and the one after the write were computed
    finally:
        await network.stop()


@pytest.mark.parametrize("production", [False, True])
async def test_a_document_is_validated_once_whatever_its_variables(production: bool) -> None:
    """The limits' validation rules are the same on every request, so the cache can hit."""
    network = NetworkService(SQLiteStore(":memory:"))
    await network.start()
    services = Services.around(network)
    settings = Settings(production=True) if production else Settings()
    schema = build_schema(settings, services)
    document = "query($n: Int!) { stakeholders(first: $n) { totalCount } }"
    try:
        cache = validation_cache(PARSED_DOCUMENTS)
        before = cache.cache_info()
        for first in (1, 2, 3):
            result = await schema.execute(
                document, variable_values={"n": first}, context_value=Context(services, LOCAL_USER)
            )
            assert result.errors is None
        after = cache.cache_info()
        assert (after.misses - before.misses, after.hits - before.hits) == (1, 2)
    finally:
        await network.stop()


def test_a_persisted_query_runs_by_its_hash_after_it_was_sent_once(api: Api) -> None:
    query = "{ networkStats { revision } }"
    digest = hashlib.sha256(query.encode()).hexdigest()
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    unknown = api.client.post("/graphql", json={"extensions": extensions}).json()
    assert unknown["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    registered = api.client.post("/graphql", json={"query": query, "extensions": extensions})
    assert registered.json() == {"data": {"networkStats": {"revision": 0}}}
    by_hash = api.client.post("/graphql", json={"extensions": extensions})
    assert by_hash.json() == {"data": {"networkStats": {"revision": 0}}}
    wrong = {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}
    mismatch = api.client.post("/graphql", json={"query": query, "extensions": wrong})
    assert mismatch.status_code == 400
    assert "does not match" in mismatch.json()["errors"][0]["message"]
