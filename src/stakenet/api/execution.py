"""Executing lists of plain objects without a resolver call per field.

graphql-core completes every field of every list item on its own: a path, a resolve-info
object, the resolver, awaitable checks and the leaf coercion, several microseconds each. A
relationship map of 100 stakeholders and 400 ties is over 2,000 such fields, and they are most
of the time of an uncached map request. Yet most of them are *plain* fields: strawberry fields
without a resolver, arguments, directives or extensions, whose value is the attribute of the
same name.

`PlainListsExecutor` completes a list whose items select only plain fields (leaves, lists of
leaves, and nested or abstract-typed plain objects) in one pass over the items, with each
field's attribute name and leaf coercion looked up once per list, and each object's fields
written out as one function (`_compiled_plan`); an abstract-typed item's concrete type is
looked up once per Python class. Anything else, and any item
that would need an error (a null in a non-null field, a value its scalar refuses), leaves the
whole list to graphql-core's own completion, so results and errors are exactly graphql-core's.

It overrides and calls parts of graphql-core and strawberry that are not public API;
tests/api/test_execution.py names each one and fails on an upgrade that changes it.
"""

from __future__ import annotations

import functools
import keyword
import math
import types
from collections.abc import Callable, Iterable
from typing import Any

from graphql import (
    FieldNode,
    GraphQLAbstractType,
    GraphQLBoolean,
    GraphQLError,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLString,
    is_abstract_type,
    is_enum_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import AwaitableOrValue, Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.base import get_object_definition
from strawberry.types.field import StrawberryField

Complete = Callable[[Any], Any]
# How to complete one field of an object: (response name, attribute or None for the object
# itself, completion, and the condition on `{value}` under which the completion would return
# the value as it is, or None).
Step = tuple[str, str | None, Complete, str | None]


class _NotPlain(Exception):
    """A value the plain path cannot complete; graphql-core completes the list instead."""


class PlainListsExecutor(StrawberryGraphQLCoreExecutionContext):
    """strawberry's executor, completing lists of plain objects in one pass."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Completion functions per (runtime type, selection); None where a field is not plain.
        self._plans: dict[tuple[str, int], Complete | None] = {}
        # The same per list field: a list nested in every item of another list (a stakeholder's
        # tags on a page of stakeholders) is planned once. The selections stay alive as long
        # as the executor (graphql-core memoises them), so their ids cannot be reused.
        self._list_items: dict[tuple[int, int], Complete | None] = {}

    def complete_list_value(
        self,
        return_type: GraphQLList[GraphQLOutputType],
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> AwaitableOrValue[list[Any]]:
        if self._plain_path_allowed(field_details_list) and isinstance(result, list | tuple):
            key = (id(return_type), id(field_details_list))
            if key not in self._list_items:
                self._list_items[key] = self._completion(return_type.of_type, field_details_list)
            complete = self._list_items[key]
            if complete is not None:
                try:
                    return [complete(item) for item in result]
                except Exception:
                    # _NotPlain, or anything a value raised: graphql-core completes the
                    # list again and reports its errors at their paths.
                    pass
        return super().complete_list_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _plain_path_allowed(self, field_details_list: FieldDetailsList) -> bool:
        # Field middleware (a schema extension with `resolve`) must see every field.
        middleware = getattr(self.middleware_manager, "_middleware_resolvers", None)
        return not middleware and all(_plain(d.node) for d in field_details_list)

    def _completion(
        self, return_type: GraphQLOutputType, field_details_list: FieldDetailsList
    ) -> Complete | None:
        """How to complete one value of `return_type`, or None if it is not plain."""
        if is_non_null_type(return_type):
            assert isinstance(return_type, GraphQLNonNull)
            if is_leaf_type(return_type.of_type):
                return _leaf(return_type.of_type, required=True)
            inner = self._completion(return_type.of_type, field_details_list)
            return None if inner is None else _non_null(inner)
        if is_leaf_type(return_type):
            return _leaf(return_type, required=False)
        if is_list_type(return_type):
            assert isinstance(return_type, GraphQLList)
            item = self._completion(return_type.of_type, field_details_list)
            return None if item is None else _nullable(_each(item))
        if is_object_type(return_type):
            assert isinstance(return_type, GraphQLObjectType)
            plan = self._object_plan(return_type, field_details_list)
            return None if plan is None else _nullable(plan)
        if is_abstract_type(return_type):
            return _nullable(self._runtime_plan(return_type, field_details_list))
        return None

    def _runtime_plan(
        self, abstract_type: GraphQLAbstractType, field_details_list: FieldDetailsList
    ) -> Complete:
        """Completion of an interface or union value by the plan of its concrete type."""

        # The concrete type follows from the value's class: looked up once per class.
        by_class: dict[type, Complete | None] = {}

        def plan_of(value: Any) -> Complete | None:
            definition = get_object_definition(value)
            runtime = self.schema.get_type(definition.name) if definition else None
            if not isinstance(runtime, GraphQLObjectType) or not self.schema.is_sub_type(
                abstract_type, runtime
            ):
                return None
            return self._object_plan(runtime, field_details_list)

        def complete(value: Any) -> Any:
            kind = type(value)
            if kind not in by_class:
                by_class[kind] = plan_of(value)
            plan = by_class[kind]
            if plan is None:
                raise _NotPlain
            return plan(value)

        return complete

    def _object_plan(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> Complete | None:
        key = (object_type.name, id(field_details_list))
        if key not in self._plans:
            self._plans[key] = self._build_object_plan(object_type, field_details_list)
        return self._plans[key]

    def _build_object_plan(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> Complete | None:
        grouped, defer_usages, _ = self.collect_subfields(object_type, field_details_list)
        if defer_usages:
            return None
        steps: list[Step] = []
        for response_name, details in grouped.items():
            node = details[0].node
            name = node.name.value
            if name == "__typename":
                steps.append((response_name, None, _constant(object_type.name), None))
                continue
            field_def = self.schema.get_field(object_type, name)
            if field_def is None or field_def.args or not _plain(node):
                return None
            field = field_def.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
            if not isinstance(field, StrawberryField) or not field.is_basic_field:
                return None
            if field.default_resolver is not getattr:
                return None
            complete = self._completion(field_def.type, details)
            if complete is None:
                return None
            steps.append((response_name, field.python_name, complete, _kept_when(field_def.type)))

        return _compiled_plan(steps, object_type.is_type_of)


def _compiled_plan(steps: list[Step], is_type_of: Any) -> Complete | None:
    """One object's completion as a function of its own, written out field by field.

    A map completes hundreds of objects of the same few plans: reading each attribute into a
    local and answering one dict display runs in half the time of a loop over the steps (each
    step a tuple to unpack and a `getattr` call), and a value its scalar would return as it is
    (`_KEPT_WHEN`) is not passed to the scalar at all. Attribute names come from the Python
    classes and response names are GraphQL names, both identifiers; each is checked before it
    is written into the source, and an object with any other name (None) is left to
    graphql-core.

    graphql-core refuses a value its type does not recognise (strawberry checks the class of
    an interface's implementations); the plain path leaves such a list to it. strawberry's
    check ignores its info argument; one that needs it raises on None, and graphql-core then
    completes the list.
    """
    namespace: dict[str, Any] = {
        "_NotPlain": _NotPlain,
        "is_type_of": is_type_of,
        "isfinite": math.isfinite,
    }
    lines = (
        ["    if is_type_of(source, None) is not True:", "        raise _NotPlain"]
        if is_type_of is not None
        else []
    )
    entries = []
    for index, (response_name, attribute, complete, kept_when) in enumerate(steps):
        if not response_name.isidentifier() or not (
            attribute is None or (attribute.isidentifier() and not keyword.iskeyword(attribute))
        ):
            return None
        namespace[f"complete_{index}"] = complete
        value = f"value_{index}"
        lines.append(f"    {value} = {'source' if attribute is None else f'source.{attribute}'}")
        completed = f"complete_{index}({value})"
        if kept_when is not None:
            completed = f"{value} if {kept_when.format(value=value)} else {completed}"
        entries.append(f"{response_name!r}: {completed}")
    lines.append(f"    return {{{', '.join(entries)}}}")
    source = "def plan(source):\n" + "".join(f"{line}\n" for line in lines)
    plan: Complete = types.FunctionType(_plan_code(source), namespace, "plan")
    return plan


@functools.lru_cache(maxsize=1024)
def _plan_code(source: str) -> types.CodeType:
    """The code of the function `source` defines, compiled once for every request that asks
    for the same fields: compiling takes far longer than completing a map."""
    module = compile(source, "<plan>", "exec")
    return next(c for c in module.co_consts if isinstance(c, types.CodeType))


# Applied while the fields were collected; any other directive may mean something at run time.
_COLLECTION_DIRECTIVES = frozenset({"include", "skip"})


def _plain(node: FieldNode) -> bool:
    """No arguments, and no directives but those already applied."""
    return not node.arguments and all(
        directive.name.value in _COLLECTION_DIRECTIVES for directive in node.directives or ()
    )


# Scalars whose coercion returns some values as they are, and the condition on `{value}` under
# which it does: such a value needs no call. `serialize_string`, `serialize_id` and
# `serialize_boolean` begin by returning a value of their own exact type; `serialize_int`
# returns an int within 32 bits, and `serialize_float` a finite float, as `int()` and `float()`
# of themselves.
_KEPT_WHEN: dict[GraphQLScalarType, str] = {
    GraphQLString: "type({value}) is str",
    GraphQLID: "type({value}) is str",
    GraphQLBoolean: "type({value}) is bool",
    GraphQLInt: "type({value}) is int and -2147483648 <= {value} <= 2147483647",
    GraphQLFloat: "type({value}) is float and isfinite({value})",
}


def _kept_when(field_type: GraphQLOutputType) -> str | None:
    """The condition under which a field's values come through completion as they are."""
    if isinstance(field_type, GraphQLNonNull):
        field_type = field_type.of_type
    return _KEPT_WHEN.get(field_type) if isinstance(field_type, GraphQLScalarType) else None


def _non_null(complete: Complete) -> Complete:
    def non_null(value: Any) -> Any:
        if value is None:
            raise _NotPlain
        completed = complete(value)
        if completed is None:
            raise _NotPlain
        return completed

    return non_null


def _nullable(complete: Complete) -> Complete:
    return lambda value: None if value is None else complete(value)


def _leaf(leaf_type: GraphQLLeafType, *, required: bool) -> Complete:
    """Coercion of a scalar or enum value; an enum's is remembered per member, since
    strawberry's enum coercion compares the member with every value of the enum."""
    coerce = leaf_type.coerce_output_value
    known: dict[Any, Any] | None = {} if is_enum_type(leaf_type) else None

    def leaf(value: Any) -> Any:
        if value is None:
            if required:
                raise _NotPlain
            return None
        if known is not None and value in known:
            return known[value]
        try:
            coerced = coerce(value)
        except (GraphQLError, TypeError, ValueError) as error:
            raise _NotPlain from error
        if coerced is None or coerced is Undefined:
            raise _NotPlain
        if known is not None:
            known[value] = coerced
        return coerced

    return leaf


def _each(complete: Complete) -> Complete:
    def each(values: Any) -> list[Any]:
        if isinstance(values, str | bytes | dict) or not isinstance(values, Iterable):
            raise _NotPlain
        return [complete(value) for value in values]

    return each


def _constant(value: str) -> Complete:
    return lambda _: value
