"""Query limits: what one GraphQL document may ask of the server before any resolver runs.

Every limit is checked while parsing or validating, so a hostile document costs the server a
parse and a walk of its syntax tree, never an execution. The defaults follow graphql-armor's and
are set in `Settings` (`stakenet.services.container`); docs/api.md lists them.

- tokens: the parser stops at `max_tokens` (graphql-core's `max_tokens` parse option), which also
  bounds the work every later check can be made to do;
- depth: strawberry's `QueryDepthLimiter` (introspection fields are not counted);
- aliases: strawberry's `MaxAliasesLimiter`;
- fields, directives and relationship maps: `SelectionLimits` below, counting fragments where
  they are spread (a map walks up to `limit` stakeholders' ties: a document of many aliased
  maps would hold the server for seconds);
- introspection: graphql-core's `NoSchemaIntrospectionCustomRule` when it is switched off;
- suggestions: "Did you mean …?" is cut from every error message when they are switched off
  (`without_suggestions`, applied to every answer's errors by the schema).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)

from stakenet.services.container import Settings


@dataclass(frozen=True, slots=True)
class QueryLimits:
    max_depth: int = 10
    max_aliases: int = 15
    max_tokens: int = 2000
    max_fields: int = 1000
    max_directives: int = 50
    max_maps: int = 3
    introspection: bool = True
    suggestions: bool = True

    @classmethod
    def from_settings(cls, settings: Settings) -> QueryLimits:
        return cls(
            max_depth=settings.max_depth,
            max_aliases=settings.max_aliases,
            max_tokens=settings.max_tokens,
            max_fields=settings.max_fields,
            max_directives=settings.max_directives,
            max_maps=settings.max_maps,
            introspection=not settings.production,
            suggestions=not settings.production,
        )


@dataclass(slots=True)
class SelectionCount:
    fields: int = 0
    directives: int = 0
    maps: int = 0  # `relationshipMap` fields
    cycle: str | None = None  # a fragment that spreads itself

    def add(self, other: SelectionCount) -> None:
        self.fields += other.fields
        self.directives += other.directives
        self.maps += other.maps


def count_selections(document: DocumentNode) -> SelectionCount:
    """Fields and directives of the executable operations, each fragment counted where spread.

    A fragment's own count is computed once and added at each use, so a document of nested
    fragment spreads (a "fragment bomb") is measured in linear time; a fragment cycle is
    recorded and counts as empty on its second visit.
    """
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    memo: dict[str, SelectionCount] = {}
    total = SelectionCount()

    def directives(nodes: tuple[DirectiveNode, ...] | None) -> int:
        return len(nodes or ())

    def of_fragment(name: str, visiting: frozenset[str]) -> SelectionCount:
        if name in memo:
            return memo[name]
        fragment = fragments.get(name)
        if name in visiting:
            total.cycle = total.cycle or name
            return SelectionCount()
        if fragment is None:
            return SelectionCount()
        found = of_selection_set(fragment.selection_set, visiting | {name})
        found.directives += directives(fragment.directives)
        memo[name] = found
        return found

    def of_selection_set(
        selection_set: SelectionSetNode | None, visiting: frozenset[str]
    ) -> SelectionCount:
        found = SelectionCount()
        for selection in selection_set.selections if selection_set else ():
            found.directives += directives(selection.directives)
            if isinstance(selection, FieldNode):
                found.fields += 1
                found.maps += selection.name.value == MAP_FIELD
                found.add(of_selection_set(selection.selection_set, visiting))
            elif isinstance(selection, InlineFragmentNode):
                found.add(of_selection_set(selection.selection_set, visiting))
            elif isinstance(selection, FragmentSpreadNode):
                found.add(of_fragment(selection.name.value, visiting))
        return found

    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            total.directives += directives(definition.directives)
            total.add(of_selection_set(definition.selection_set, frozenset()))
    return total


MAP_FIELD = "relationshipMap"


class SelectionLimits(SchemaExtension):
    """Refuse too many fields or directives, or a fragment cycle, before validation starts.

    This runs ahead of graphql-core's and strawberry's validation rules on purpose: the depth and
    alias limiters walk every fragment spread afresh, so a "fragment bomb" (ten fragments each
    spreading the next ten times) would keep them busy for hours on the event loop. Setting
    `pre_execution_errors` makes strawberry skip validation altogether.
    """

    def __init__(self, *, max_fields: int, max_directives: int, max_maps: int) -> None:
        self.max_fields = max_fields
        self.max_directives = max_directives
        self.max_maps = max_maps

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None and context.pre_execution_errors is None:
            errors = selection_errors(
                count_selections(context.graphql_document),
                self.max_fields,
                self.max_directives,
                self.max_maps,
            )
            if errors:
                context.pre_execution_errors = errors
        yield


def selection_errors(
    found: SelectionCount, max_fields: int, max_directives: int, max_maps: int
) -> list[GraphQLError]:
    errors = []
    if found.cycle is not None:
        errors.append(GraphQLError(f"Fragment '{found.cycle}' spreads itself, directly or not."))
    if found.fields > max_fields:
        errors.append(
            GraphQLError(
                f"The document selects {found.fields} fields (fragments counted where they are "
                f"used); at most {max_fields} are allowed."
            )
        )
    if found.directives > max_directives:
        errors.append(
            GraphQLError(
                f"The document uses {found.directives} directives; "
                f"at most {max_directives} are allowed."
            )
        )
    if found.maps > max_maps:
        errors.append(
            GraphQLError(
                f"The document asks for {found.maps} relationship maps (fragments counted where "
                f"they are used); at most {max_maps} are allowed: send the others separately."
            )
        )
    return errors


_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def without_suggestions(message: str) -> str:
    """Cut graphql-core's "Did you mean …?" hints, which spell out the schema to a prober."""
    return _SUGGESTION.sub("", message)


def limit_extensions(limits: QueryLimits) -> list[Callable[[], SchemaExtension]]:
    """Factories, not instances: strawberry then gives each operation its own extension.

    The depth and alias rules are built once here, not per operation as their extensions do:
    the same rule classes on every request keep the validation cache (keyed by document and
    rules) hitting.
    """
    rules = [
        *QueryDepthLimiter(max_depth=limits.max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=limits.max_aliases).validation_rules,
    ]
    if not limits.introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    extensions: list[Callable[[], SchemaExtension]] = [
        functools.partial(MaxTokensLimiter, max_token_count=limits.max_tokens),
        functools.partial(
            SelectionLimits,
            max_fields=limits.max_fields,
            max_directives=limits.max_directives,
            max_maps=limits.max_maps,
        ),
        functools.partial(AddValidationRules, rules),
    ]
    return extensions
