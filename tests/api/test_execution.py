"""Lists of plain objects completed in one pass answer exactly what graphql-core answers.

Every query runs twice, through the schema's `PlainListsExecutor` and through strawberry's own
executor, and the two results (data and errors) must be equal; a counting subclass shows the
plain path was taken where it should be. The graphql-core and strawberry internals the executor
relies on are checked one by one, so an upgrade that changes one says which.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from typing import Any

import pytest
import strawberry
from graphql import GraphQLEnumType, GraphQLInt, GraphQLObjectType, MiddlewareManager
from graphql.execution.collect_fields import CollectedFields, FieldDetails
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.base import get_object_definition
from strawberry.types.field import StrawberryField

from stakenet.api.context import Context
from stakenet.api.execution import PlainListsExecutor
from stakenet.api.ids import to_global_id
from stakenet.api.schema import build_schema
from stakenet.bootstrap import assemble
from stakenet.demo import load_demo_document
from stakenet.domain.access import LOCAL_USER
from stakenet.services.container import Services
from stakenet.services.transfer import import_document
from stakenet.store.sqlite import SQLiteStore

# These tests call the service layer directly, as the CLI does.
pytestmark = pytest.mark.usefixtures("local_operator")


class CountingPlainExecutor(PlainListsExecutor):
    fields = 0

    def execute_field(self, *args: Any, **kwargs: Any) -> Any:
        CountingPlainExecutor.fields += 1
        return super().execute_field(*args, **kwargs)


class CountingReferenceExecutor(StrawberryGraphQLCoreExecutionContext):
    fields = 0

    def execute_field(self, *args: Any, **kwargs: Any) -> Any:
        CountingReferenceExecutor.fields += 1
        return super().execute_field(*args, **kwargs)


def result_of(result: Any) -> tuple[Any, list[dict[str, Any]]]:
    errors = [
        {"message": e.message, "path": e.path, "locations": e.locations}
        for e in result.errors or ()
    ]
    return result.data, errors


@pytest.fixture
async def demo() -> AsyncIterator[Services]:
    runtime = assemble(SQLiteStore(":memory:"))
    await runtime.start()
    services = runtime.services
    await import_document(services.network, load_demo_document())
    await services.analytics.refresh()
    yield services
    await runtime.stop()


MAP = """query($id: ID!, $withKind: Boolean!) {
  relationshipMap(centerId: $id, depth: 2) {
    __typename
    center { __typename id name }
    nodes {
      distance influence interactionIntensity
      who: stakeholder {
        __typename id name kind @include(if: $withKind) tags internal createdAt
        ... on Person { title }
        ... on Company { industry registrationNumber }
        ...org
      }
    }
    edges { id source target kind strength heavy: strength }
    truncated revision
  }
}
fragment org on Employer { name key }"""

LISTS = """{
  stakeholders(first: 100) { totalCount edges { cursor node {
    __typename id key kind name internal tags notes createdAt updatedAt
    ... on Person { title email phone seniority }
    ... on Organization { category country city website }
    ... on Municipality { code region population }
    ties(first: 10) { edges { node {
      id key kind symmetric role since until confidence evidence decisionRole department
      context share source { name } target { id }
    } } }
    interactions(first: 5) { edges { node {
      id kind occurredAt sentiment subject summary outcome
      participants { stakeholder { name } }
    } } }
  } } }
}"""


@pytest.mark.parametrize("query", ["map", "map-without-kind", "lists", "analytics"])
async def test_the_plain_path_answers_what_graphql_core_answers(demo: Services, query: str) -> None:
    view = demo.network.view
    company = next(
        n for n in sorted(view.stakeholder_ids()) if view.stakeholder(n).kind.value == "COMPANY"
    )
    documents = {
        "map": (MAP, {"id": to_global_id("Company", company), "withKind": True}),
        "map-without-kind": (MAP, {"id": to_global_id("Company", company), "withKind": False}),
        "lists": (LISTS, {}),
        "analytics": (
            """query($org: ID!) {
              keyDecisionMakers(organizationId: $org) {
                rank score factors { name value weight contribution detail }
                person { name seniority }
              }
              communities { id size members { name } }
              influenceRanking(first: 20) { rank score stakeholder { id name } }
            }""",
            {"org": to_global_id("Company", company)},
        ),
    }
    document, variables = documents[query]
    plain = build_schema()
    plain.execution_context_class = CountingPlainExecutor
    reference = build_schema()
    reference.execution_context_class = CountingReferenceExecutor
    CountingPlainExecutor.fields = CountingReferenceExecutor.fields = 0

    answers = []
    for schema in (plain, reference):
        result = await schema.execute(
            document, variable_values=variables, context_value=Context(demo, LOCAL_USER)
        )
        answers.append(result_of(result))
    assert answers[0] == answers[1]
    data, errors = answers[0]
    assert errors == [] and data
    if query.startswith("map"):
        assert len(data["relationshipMap"]["edges"]) > 50
        # Only the root's fields go through field execution; the lists are plain.
        assert CountingPlainExecutor.fields < 15 < 1000 < CountingReferenceExecutor.fields


@strawberry.type
class Item:
    name: str
    count: int | None
    tags: list[str]


@strawberry.type
class Query:
    @strawberry.field
    def items(self, broken: str = "") -> list[Item]:
        items = [Item(name="a", count=1, tags=["x"]), Item(name="b", count=None, tags=[])]
        if broken == "null":
            items[1].name = None  # type: ignore[assignment]
        elif broken == "scalar":
            items[0].count = "many"  # type: ignore[assignment]
        elif broken == "list":
            items[0].tags = 3  # type: ignore[assignment]
        return items


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Thing(Named):
    size: int


@strawberry.type
class Impostor:
    name: str
    size: int


@strawberry.type
class Things:
    @strawberry.field
    def things(self, impostor: bool = False) -> list[Thing]:
        things = [Thing(name="a", size=1), Thing(name="b", size=2)]
        if impostor:
            things[1] = Impostor(name="c", size=3)  # type: ignore[call-overload]
        return things


@pytest.mark.parametrize("impostor", [False, True])
async def test_an_item_of_another_type_is_refused_as_graphql_core_refuses_it(
    impostor: bool,
) -> None:
    document = f"{{ things(impostor: {str(impostor).lower()}) {{ name size }} }}"
    plain = strawberry.Schema(Things, execution_context_class=PlainListsExecutor)
    reference = strawberry.Schema(Things)
    answers = [result_of(await schema.execute(document)) for schema in (plain, reference)]
    assert answers[0] == answers[1]
    assert bool(answers[0][1]) is impostor


@pytest.mark.parametrize("broken", ["", "null", "scalar", "list"])
async def test_a_list_that_needs_an_error_gets_graphql_cores_error(broken: str) -> None:
    document = f'{{ items(broken: "{broken}") {{ name count tags }} }}'
    plain = strawberry.Schema(Query, execution_context_class=PlainListsExecutor)
    reference = strawberry.Schema(Query)
    answers = [result_of(await schema.execute(document)) for schema in (plain, reference)]
    assert answers[0] == answers[1]
    if broken:
        assert answers[0][1], "the broken value must be reported"
    else:
        assert answers[0] == (
            {
                "items": [
                    {"name": "a", "count": 1, "tags": ["x"]},
                    {"name": "b", "count": None, "tags": []},
                ]
            },
            [],
        )


@strawberry.type
class Label:
    text: str
    code: strawberry.ID
    shown: bool


@strawberry.type
class Labels:
    @strawberry.field
    def labels(self) -> list[Label]:
        # Strings, ids and booleans of their own Python type are served as they are; other
        # values go through the scalar's coercion.
        return [
            Label(text="a", code=strawberry.ID("x"), shown=True),
            Label(text=7, code=8, shown=1),  # type: ignore[arg-type]
            Label(text=1.5, code=2.0, shown=0.0),  # type: ignore[arg-type]
            Label(text=False, code=strawberry.ID("y"), shown=False),  # type: ignore[arg-type]
        ]


async def test_strings_ids_and_booleans_are_coerced_as_graphql_core_coerces_them() -> None:
    document = "{ labels { text code shown } }"
    plain = strawberry.Schema(Labels, execution_context_class=PlainListsExecutor)
    reference = strawberry.Schema(Labels)
    answers = [result_of(await schema.execute(document)) for schema in (plain, reference)]
    assert answers[0] == answers[1]
    assert answers[0] == (
        {
            "labels": [
                {"text": "a", "code": "x", "shown": True},
                {"text": "7", "code": "8", "shown": True},
                {"text": "1.5", "code": "2", "shown": False},
                {"text": "false", "code": "y", "shown": False},
            ]
        },
        [],
    )


async def test_field_middleware_still_sees_every_field() -> None:
    seen: list[str] = []

    class Watching(SchemaExtension):
        def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
            seen.append(info.field_name)
            return _next(root, info, *args, **kwargs)

    schema = strawberry.Schema(
        Query, extensions=[Watching], execution_context_class=PlainListsExecutor
    )
    result = await schema.execute("{ items { name } }")
    assert result.errors is None
    assert seen == ["items", "name", "name"]


def _parameters(function: Any) -> list[str]:
    return list(inspect.signature(function).parameters)


def test_the_graphql_core_and_strawberry_internals_the_executor_uses_are_unchanged() -> None:
    """`PlainListsExecutor` overrides and calls parts of graphql-core and strawberry that are
    not public API; an upgrade that changes one must fail here, naming it, rather than quietly
    take the plain path where it no longer answers what graphql-core answers."""

    converted = strawberry.Schema(Things)._schema.get_type("Thing")
    assert isinstance(converted, GraphQLObjectType)
    backref = converted.fields["size"].extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    executor = StrawberryGraphQLCoreExecutionContext
    changed = [
        what
        for what, holds in [
            (
                "graphql-core calls Executor.complete_list_value(return_type, "
                "field_details_list, info, path, result, position_context), which "
                "PlainListsExecutor overrides",
                _parameters(executor.complete_list_value)
                == [
                    "self",
                    "return_type",
                    "field_details_list",
                    "info",
                    "path",
                    "result",
                    "position_context",
                ],
            ),
            (
                "Executor.collect_subfields(return_type, field_details_list) returns "
                "CollectedFields(grouped_field_set, new_defer_usages, ...)",
                _parameters(executor.collect_subfields)
                == ["self", "return_type", "field_details_list"]
                and CollectedFields._fields[:2] == ("grouped_field_set", "new_defer_usages"),
            ),
            (
                "graphql-core's FieldDetails has the field's `node`",
                "node" in FieldDetails._fields,
            ),
            (
                "MiddlewareManager keeps field middleware in `_middleware_resolvers` "
                "(the plain path must step aside for it)",
                "_middleware_resolvers" in MiddlewareManager.__slots__
                and MiddlewareManager(lambda next_, *args: next_(*args))._middleware_resolvers,
            ),
            (
                "leaf types coerce results with `coerce_output_value`",
                GraphQLInt.coerce_output_value(3) == 3
                and GraphQLEnumType("Size", {"BIG": 1}).coerce_output_value(1) == "BIG",
            ),
            (
                "strawberry links each graphql-core field to its StrawberryField under "
                "GraphQLCoreConverter.DEFINITION_BACKREF",
                isinstance(backref, StrawberryField),
            ),
            (
                "a StrawberryField without a resolver has `is_basic_field`, `python_name` "
                "and `default_resolver` getattr",
                isinstance(backref, StrawberryField)
                and backref.is_basic_field
                and backref.python_name == "size"
                and backref.default_resolver is getattr,
            ),
            (
                "strawberry's is_type_of answers without its info argument",
                converted.is_type_of is not None
                and converted.is_type_of(Thing(name="a", size=1), None) is True,  # type: ignore[arg-type]
            ),
            (
                "strawberry.types.base.get_object_definition names a value's type",
                getattr(get_object_definition(Thing(name="a", size=1)), "name", None) == "Thing",
            ),
        ]
        if not holds
    ]
    assert changed == [], "graphql-core or strawberry changed what PlainListsExecutor uses"


@strawberry.type
class Reading:
    count: int
    level: float


@strawberry.type
class Readings:
    @strawberry.field
    def readings(self) -> list[Reading]:
        # Ints within 32 bits and finite floats are served as they are; other values go
        # through the scalar's coercion.
        return [
            Reading(count=7, level=0.5),
            Reading(count=-(2**31), level=-0.0),
            Reading(count=2**31 - 1, level=1e308),
            Reading(count=True, level=False),
            Reading(count=3.0, level=2),  # type: ignore[arg-type]
        ]

    @strawberry.field
    def out_of_range(self) -> list[Reading]:
        return [Reading(count=1, level=0.5), Reading(count=2**31, level=0.5)]

    @strawberry.field
    def not_finite(self) -> list[Reading]:
        return [Reading(count=1, level=0.5), Reading(count=1, level=float("inf"))]


async def test_ints_and_floats_are_coerced_as_graphql_core_coerces_them() -> None:
    plain = strawberry.Schema(Readings, execution_context_class=PlainListsExecutor)
    reference = strawberry.Schema(Readings)
    for field in ("readings", "outOfRange", "notFinite"):
        document = f"{{ {field} {{ count level }} }}"
        answers = [result_of(await schema.execute(document)) for schema in (plain, reference)]
        assert answers[0] == answers[1]
    kept = result_of(await plain.execute("{ readings { count level } }"))
    assert kept == (
        {
            "readings": [
                {"count": 7, "level": 0.5},
                {"count": -(2**31), "level": -0.0},
                {"count": 2**31 - 1, "level": 1e308},
                {"count": 1, "level": 0},
                {"count": 3, "level": 2.0},
            ]
        },
        [],
    )
    assert [type(r["count"]) for r in kept[0]["readings"]] == [int] * 5  # type: ignore[index]
    refused = result_of(await plain.execute("{ outOfRange { count } }"))
    assert refused[1][0]["path"] == ["outOfRange", 1, "count"]
