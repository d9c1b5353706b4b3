"""The response cache never serves an answer of another revision or another caller; persisted
queries run by their hash once the server has seen them."""

from __future__ import annotations

import contextvars
import gc
import hashlib
import json
from datetime import date
from pathlib import Path

import pytest
from graphql import ExecutionResult, parse, specified_rules
from graphql import build_schema as graphql_schema
from graphql.language import Token

from stakenet.api import caching
from stakenet.api.caching import (
    HOT_DOCUMENTS,
    DocumentCache,
    ResponseCache,
    declared_caching,
    frozen_answer,
    is_cacheable,
    remember_written,
    thawed_answer,
    written_answer,
)
from stakenet.api.context import Context
from stakenet.api.http import GraphQLView
from stakenet.api.schema import PARSED_DOCUMENTS, build_schema
from stakenet.bootstrap import assemble
from stakenet.domain.access import LOCAL_USER, Principal, Role
from stakenet.domain.model import StakeholderKind
from stakenet.services.access import acting_as
from stakenet.services.container import Settings
from stakenet.store.sqlite import SQLiteStore
from support.live_server import Api

LIST = "{ stakeholders { totalCount edges { node { name notes } } } }"


async def test_cached_answers_follow_the_revision_and_the_caller(tmp_path: Path) -> None:
    runtime = assemble(SQLiteStore(str(tmp_path / "s.db")))
    await runtime.start()
    services = runtime.services
    network = services.network
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
        await runtime.stop()


@pytest.mark.parametrize("production", [False, True])
async def test_a_kept_document_is_not_validated_again_whatever_its_variables(
    production: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The limits' validation rules are the same on every request, so a kept document's
    validity holds for the next."""
    validations = counted(monkeypatch, caching, "validate_document")
    runtime = assemble(SQLiteStore(":memory:"))
    await runtime.start()
    services = runtime.services
    settings = Settings(production=True) if production else Settings()
    schema = build_schema(settings, services)
    document = "query($n: Int!) { stakeholders(first: $n) { totalCount } }"
    try:
        for first in (1, 2, 3, 4, 5):
            result = await schema.execute(
                document, variable_values={"n": first}, context_value=Context(services, LOCAL_USER)
            )
            assert result.errors is None
            assert result.data == {"stakeholders": {"totalCount": 0}}
        # Once as a text seen once, once when kept (its second coming), never again.
        assert len(validations) == 2
    finally:
        await runtime.stop()


def counted(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[object]:
    """The calls of `module.name` from now on, each as its return value."""
    calls: list[object] = []
    original = getattr(module, name)

    def counting(*args: object) -> object:
        calls.append(result := original(*args))
        return result

    monkeypatch.setattr(module, name, counting)
    return calls


async def test_a_document_dropped_from_the_caches_leaves_nothing_for_the_cycle_collector() -> None:
    """Documents that differ every time (values in the text, or a typo in a client's loop)
    pass through the caches; a dropped one must be freed at once, not wait in the oldest
    generation for a full pass of the collector, whose length grows with the whole heap."""
    runtime = assemble(SQLiteStore(":memory:"))
    await runtime.start()
    services = runtime.services
    schema = build_schema(services.settings, services)
    context = Context(services, LOCAL_USER)
    mark = "droppedDocument"  # an alias: a token of these documents alone
    gc.collect()
    gc.disable()  # a young pass after each request, as a busy server makes them
    try:
        for n in range(PARSED_DOCUMENTS + 300):  # every cache drops documents
            for _ in range(2):  # a text that comes twice is kept
                valid = await schema.execute(
                    f"{{ {mark}: stakeholders(first: {n % 100 + 1}) {{ totalCount }} }} # {n}",
                    context_value=context,
                )
                assert valid.errors is None
                refused = await schema.execute(
                    f'{{ {mark}: relationshipMap(center: "{n}") {{ truncated }} }}',
                    context_value=context,
                )
                assert refused.errors
                gc.collect(1)
        gc.set_debug(gc.DEBUG_SAVEALL)  # what the full pass finds is kept, to be counted
        gc.collect()
        tokens = sum(
            isinstance(unreachable, Token) and unreachable.value == mark
            for unreachable in gc.garbage
        )
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
        await runtime.stop()
    assert tokens == 0


def test_a_document_is_kept_from_the_second_time_its_text_comes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    schema = graphql_schema("type Query { a(n: Int): Int b: Int c: Int d: Int }")
    validations = counted(monkeypatch, caching, "validate_document")
    documents = DocumentCache(maxsize=2)
    for n in range(20):
        once = documents.parse(f"{{ a(n: {n}) }}", {})
        assert documents.validate(schema, f"{{ a(n: {n}) }}", {}, once, specified_rules) == []
    assert len(documents) == 0  # texts that came once: remembered by their hash alone
    assert len(validations) == 20
    first, second, third = (documents.parse("{ b }", {"max_tokens": 9}) for _ in range(3))
    assert len(documents) == 1 and first == second == third
    for document in (second, third, third):
        assert (
            documents.validate(schema, "{ b }", {"max_tokens": 9}, document, specified_rules) == []
        )
    assert len(validations) == 21  # validated when kept, never again under the same rules
    assert documents.validate(schema, "{ b }", {"max_tokens": 9}, third, specified_rules[:3]) == []
    assert len(validations) == 22  # other rules: validated anew
    refused = documents.parse("{ e }", {})
    refused = documents.parse("{ e }", {})
    for _ in range(2):
        errors = documents.validate(schema, "{ e }", {}, refused, specified_rules)
        assert [error.message for error in errors] == [
            "Cannot query field 'e' on type 'Query'. Did you mean 'a', 'b', 'c', or 'd'?"
        ]
    assert len(validations) == 24  # a document that failed is validated every time
    # The least recently used document is the one given up.
    documents.parse("{ c }", {}), documents.parse("{ c }", {})
    assert len(documents) == 2
    assert documents.parse("{ b }", {"max_tokens": 9}) == first
    assert len(validations) == 24
    # Tokens hold no reference cycle: a document dropped is freed without the collector.
    token = third.loc.start_token if third.loc is not None else None
    assert token is not None and token.next is None and token.prev is None


def test_kept_documents_give_the_cycle_collector_a_bounded_number_of_objects_to_walk() -> None:
    def tracked_for(kept: int) -> int:
        """Objects the collector tracks for a cache keeping `kept` documents."""
        texts = [
            f"query Q{n}($n: Int) {{ stakeholders(first: $n) {{ totalCount }} }}"
            for n in range(kept)
        ]
        gc.collect()
        before = len(gc.get_objects())
        documents = DocumentCache(maxsize=kept)
        for _ in range(3):  # seen, kept, unpickled
            for text in texts:
                documents.parse(text, {})
        gc.collect()
        assert len(documents) == kept
        return len(gc.get_objects()) - before

    assert tracked_for(8 * HOT_DOCUMENTS) < 1.1 * tracked_for(HOT_DOCUMENTS)


def test_a_persisted_query_runs_by_its_hash_after_it_was_sent_once(api: Api) -> None:
    query = "{ networkStats { revision } }"
    digest = hashlib.sha256(query.encode()).hexdigest()
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    unknown = api.client.post("/graphql", json={"extensions": extensions}).json()
    # Apollo matches the code, urql the message: both exactly as the convention spells them.
    assert unknown == {
        "errors": [
            {
                "message": "PersistedQueryNotFound",
                "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
            }
        ]
    }
    registered = api.client.post("/graphql", json={"query": query, "extensions": extensions})
    assert registered.json() == {"data": {"networkStats": {"revision": 0}}}
    by_hash = api.client.post("/graphql", json={"extensions": extensions})
    assert by_hash.json() == {"data": {"networkStats": {"revision": 0}}}
    wrong = {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}
    mismatch = api.client.post("/graphql", json={"query": query, "extensions": wrong})
    assert mismatch.status_code == 400
    assert "does not match" in mismatch.json()["errors"][0]["message"]


PERSONAL_DATA = "query($id: ID!) { personalData(id: $id) }"
# The same export through a fragment and an alias: a name check on the document would miss it.
PERSONAL_DATA_IN_A_FRAGMENT = """query($id: ID!) { ...Export }
fragment Export on Query { export: personalData(id: $id) }"""
AUDIT_LOG = "{ auditLog(first: 100) { edges { node { operation } } } }"


def audited_operations(api: Api) -> list[str]:
    edges = api.data(AUDIT_LOG)["auditLog"]["edges"]
    return [edge["node"]["operation"] for edge in edges]


def test_every_personal_data_export_is_run_and_audited(api: Api) -> None:
    created = api.data('mutation { createPerson(input: {name: "Anna"}) { person { id } } }')
    person = {"id": created["createPerson"]["person"]["id"]}
    for document in (PERSONAL_DATA, PERSONAL_DATA, PERSONAL_DATA_IN_A_FRAGMENT) * 2:
        data = api.data(document, person)
        (export,) = data.values()
        assert export["stakeholder"]["name"] == "Anna"
    assert audited_operations(api).count("personalData") == 6


def test_the_audit_log_shows_an_entry_as_soon_as_it_is_written(api: Api) -> None:
    created = api.data('mutation { createPerson(input: {name: "Bo"}) { person { id } } }')
    assert audited_operations(api) == ["createPerson"]
    # An export is audited without a graph revision: nothing else tells a cache it happened.
    api.data(PERSONAL_DATA, {"id": created["createPerson"]["person"]["id"]})
    assert audited_operations(api) == ["createPerson", "personalData"]


def test_every_root_query_field_declares_whether_its_answer_may_be_cached() -> None:
    schema = build_schema()._schema
    query = schema.query_type
    assert query is not None
    declared = {name: declared_caching(schema, name, query.name) for name in query.fields}
    assert [name for name, caching in declared.items() if caching is None] == []
    assert {name for name, caching in declared.items() if caching is False} == {
        "viewer",
        "auditLog",
        "personalData",
        "alerts",
        "apiTokens",
    }


def test_a_query_touching_a_field_that_is_not_cacheable_anywhere_is_never_cached() -> None:
    schema = build_schema()._schema
    assert is_cacheable(schema, parse("{ networkStats { revision } }"))
    assert is_cacheable(schema, parse("{ __typename s: networkStats { revision } }"))
    assert not is_cacheable(schema, parse("{ networkStats { revision } viewer { role } }"))
    assert not is_cacheable(schema, parse(PERSONAL_DATA_IN_A_FRAGMENT))
    # A fragment that the operation does not even spread still counts.
    unused = "{ networkStats { revision } } fragment Who on Query { viewer { name } }"
    assert not is_cacheable(schema, parse(unused))


def test_a_newer_generation_forgets_every_older_answer() -> None:
    cache = ResponseCache()
    today = date(2026, 1, 1)
    assert cache.get((1, 1, today), ("q",)) is None
    cache.put((1, 1, today), ("q",), "before")
    assert cache.get((1, 1, today), ("q",)) == "before"
    assert cache.get((2, 1, today), ("q",)) is None
    assert len(cache.answers) == 0
    cache.put((1, 1, today), ("q",), "late")  # computed before the write: of no use
    assert len(cache.answers) == 0
    assert cache.get((2, 1, date(2026, 1, 2)), ("q",)) is None  # a new day, too


def test_a_cached_answer_is_text_the_collector_never_walks_and_comes_back_exactly() -> None:
    data = {
        "relationshipMap": {
            "nodes": [{"id": "p1", "score": 0.1 + 0.2, "tags": ["board", "cfo"]}],
            "edges": [{"source": "p1", "target": "o1", "strength": 1 / 3, "until": None}],
        }
    }
    cache = ResponseCache()
    today = date(2026, 1, 1)
    assert cache.get((1, 1, today), ("q",)) is None  # as a request does: a miss, then a put
    cache.put((1, 1, today), ("q",), frozen_answer(ExecutionResult(data, None, {"cost": 7})))
    kept = cache.get((1, 1, today), ("q",))
    assert isinstance(kept, str)
    assert not gc.is_tracked(kept)
    assert kept == (
        '[{"relationshipMap":{"nodes":[{"id":"p1","score":0.30000000000000004,'
        '"tags":["board","cfo"]}],"edges":[{"source":"p1","target":"o1",'
        '"strength":0.3333333333333333,"until":null}]}},{"cost":7}]'
    )
    answer = thawed_answer(kept)
    assert answer.data == data
    assert answer.data["relationshipMap"]["nodes"][0]["score"] == 0.1 + 0.2
    assert answer.errors is None
    assert answer.extensions == {"cost": 7}


@pytest.mark.parametrize(
    "value",
    [
        "Søren Ølgaard — 北京",  # written as UTF-8 by orjson, as \u escapes by the standard library
        "a lone surrogate \ud800 from a client",  # orjson refuses it; the standard library writes it
        1e16,
        5e-324,
        -0.0,
        2**53 + 1,
        2**70,  # beyond 64 bits: orjson refuses it
    ],
)
def test_a_cached_answer_comes_back_the_same_whatever_writes_its_text(value: object) -> None:
    data = {"stakeholder": {"name": value, "tags": [value]}}
    answer = thawed_answer(frozen_answer(ExecutionResult(data, None, {"cost": 1})))
    assert answer.data == data
    kept = answer.data["stakeholder"]["name"]  # type: ignore[index]
    assert type(kept) is type(value) and repr(kept) == repr(value)


@pytest.mark.parametrize("extensions", [None, {"cost": 7}])
async def test_the_response_sends_the_text_the_cache_wrote_for_its_answer(
    extensions: dict[str, object] | None,
) -> None:
    data = {"relationshipMap": {"nodes": [{"id": "p1", "score": 0.1 + 0.2}], "truncated": False}}
    result = ExecutionResult(data, None, extensions)
    runtime = assemble(SQLiteStore(":memory:"))
    view = GraphQLView(build_schema(runtime.services.settings), runtime.services)

    def respond() -> tuple[object, str, str]:
        remember_written(result, frozen_answer(result))
        written = written_answer.get()
        assert written is not None
        # The view's own data object: the text is sent; a copy of it is written anew.
        return written, view.encode_json({"data": data}), view.encode_json({"data": dict(data)})

    written, sent, copy_sent = contextvars.copy_context().run(respond)
    assert written == (data, '{"relationshipMap":{"nodes":[{"id":"p1","score":0.30000000000000004}],"truncated":false}}')  # fmt: skip
    assert sent == copy_sent == f'{{"data":{written[1]}}}'  # type: ignore[index]
    assert json.loads(sent) == {"data": data}


def test_an_answer_the_standard_library_wrote_is_written_again_for_the_response() -> None:
    result = ExecutionResult({"name": "a lone surrogate \ud800"}, None, None)
    text = frozen_answer(result)
    assert text.startswith(" ")
    assert (
        contextvars.copy_context().run(
            lambda: (remember_written(result, text), written_answer.get())[1]
        )
        is None
    )
