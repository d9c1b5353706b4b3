"""Serving fast: a response cache for read queries, and persisted queries by SHA-256.

The response cache keys an answer by everything it depends on: the document, the variables, the
operation name, who asked (notes are private, `viewer` names the caller), and its generation:
the projection's graph revision, the analytics revision and the date (a tie whose `until` has
passed is no longer current). A write through this process moves the revision before the
mutation answers; writes by other replicas arrive with the change-log poll, as they do for every
projection-based answer. Answers of an older generation are never served again, so a newer
generation forgets them all: an erased person's data does not linger in the cache either.
An answer is kept as its JSON text, one string, rather than as a tree of dicts and lists: the
cycle collector walks every container the process holds, and thousands of cached answers made
each of its full passes long; a string it never walks.

Parsed documents and whether they passed validation are kept by their text (`DocumentCache`)
in forms that give the collector little to walk, for the same reason. graphql-core's lexer
links a document's tokens both ways, a reference cycle for every document; a client sending
documents that differ every time (values written into the text rather than passed as
variables) filled a cache of documents as they were, and every few seconds a full pass walked
and freed 100,000 of their objects: over 100 ms at a million ties. The tokens are unlinked as a
document is parsed, a text is kept only from its second coming, and kept documents are pickles
but for the few in use.

Which answers may be cached is declared on the schema's fields, not guessed from their names:
every root query field says `CACHEABLE` (its answer follows from the generation, the caller and
the arguments) or `NOT_CACHEABLE` (it is audited, or its answer changes without a revision: the
audit log, the caller's own identity). A field anywhere in the schema may say `NOT_CACHEABLE`.
A query that selects, anywhere in its document, a field that is not cacheable, or a root field
that declares nothing, is always run.

Persisted queries follow the automatic persisted queries convention: a client sends
`extensions.persistedQuery.sha256Hash` without the query; an unknown hash answers an error whose
message is exactly `PersistedQueryNotFound` and whose `extensions.code` is
`PERSISTED_QUERY_NOT_FOUND` (clients match one or the other, so both are kept to the letter), and
the client sends query and hash once, after which the hash alone is enough.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from datetime import date
from types import MappingProxyType
from typing import Any, Generic, TypeVar

import orjson
from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    parse,
    visit,
)
from graphql.language import FieldNode, OperationDefinitionNode
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.graphql import OperationType

from stakenet.services.access import current_principal
from stakenet.services.container import Services

K = TypeVar("K")
V = TypeVar("V")

RESPONSE_CACHE_SIZE = 2048
PERSISTED_QUERY_LIMIT = 10_000
# What clients match to resend the query: urql the message, Apollo the code.
PERSISTED_QUERY_NOT_FOUND = "PersistedQueryNotFound"
PERSISTED_QUERY_NOT_FOUND_CODE = "PERSISTED_QUERY_NOT_FOUND"

# Field metadata: `@strawberry.field(..., metadata=CACHEABLE)`.
_RESPONSE_CACHE = "response_cache"
CACHEABLE: Mapping[str, bool] = MappingProxyType({_RESPONSE_CACHE: True})
NOT_CACHEABLE: Mapping[str, bool] = MappingProxyType({_RESPONSE_CACHE: False})


class LRU(Generic[K, V]):
    """A bounded mapping that forgets the least recently used entry first."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[K, V] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: K) -> V | None:
        found = self._items.get(key)
        if found is None:
            self.misses += 1
            return None
        self._items.move_to_end(key)
        self.hits += 1
        return found

    def peek(self, key: K) -> V | None:
        """The entry for `key`, as it stands: neither counted nor made more recent."""
        return self._items.get(key)

    def replace(self, key: K, value: V) -> None:
        """Change the entry for `key` without making it more recent."""
        self._items[key] = value

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.maxsize:
            self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        self._items.clear()


# What an answer depends on besides its request: graph revision, analytics revision (-1 before
# the first snapshot) and the date. Each part only moves forward.
Generation = tuple[int, int, date]


def frozen_answer(result: Any) -> str:
    """`result`'s data and extensions as compact JSON text: what the cache holds.

    orjson writes a map's answer in a tenth of the standard library's time, and the same
    floats (the shortest text that reads back as the same value). What it refuses, a lone
    surrogate in a text or an integer beyond 64 bits, the standard library writes, after a
    space that tells `thawed_answer` to read it back the same way (orjson would read such an
    integer as a float).
    """
    answer = [result.data, result.extensions]
    try:
        return orjson.dumps(answer, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:
        return " " + json.dumps(answer, separators=(",", ":"))


# The answer of the operation this task runs, as the response cache wrote or read it: its data
# object and that data's JSON text, so that the HTTP response, which holds the same object,
# sends the text instead of writing the data again (`api/http.py`).
written_answer: ContextVar[tuple[Any, str] | None] = ContextVar("written_answer", default=None)


def remember_written(result: Any, text: str) -> None:
    """Let the response reuse `text`, `frozen_answer`'s writing of `result`, for its data."""
    if text.startswith(" "):
        return  # written by the standard library: the response writes it as it always does
    try:
        extensions = orjson.dumps(result.extensions, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:
        return
    # orjson writes [data, extensions] as "[", the data, ",", the extensions and "]".
    written_answer.set((result.data, text[1 : -len(extensions) - 2]))


def thawed_answer(text: str) -> ExecutionResult:
    """The answer `frozen_answer` kept, as a new result (JSON keeps a float's exact value)."""
    data, extensions = json.loads(text) if text.startswith(" ") else orjson.loads(text)
    return ExecutionResult(data, None, extensions)


class ResponseCache:
    """Answers of the newest generation seen; a newer generation forgets all older answers."""

    def __init__(self, maxsize: int = RESPONSE_CACHE_SIZE) -> None:
        self.answers: LRU[tuple[Any, ...], str] = LRU(maxsize)
        self.generation: Generation | None = None

    def _move_to(self, generation: Generation) -> None:
        if self.generation is None or generation > self.generation:
            self.answers.clear()
            self.generation = generation

    def get(self, generation: Generation, key: tuple[Any, ...]) -> str | None:
        self._move_to(generation)
        return self.answers.get(key) if generation == self.generation else None

    def put(self, generation: Generation, key: tuple[Any, ...], answer: str) -> None:
        # An answer computed while the generation moved on is of no use to anyone.
        if generation == self.generation:
            self.answers.put(key, answer)


def declared_caching(schema: GraphQLSchema, field_name: str, parent_name: str) -> bool | None:
    """What the schema's field `parent_name.field_name` declares: True for `CACHEABLE`, False
    for `NOT_CACHEABLE`, None for nothing (or no such field)."""
    parent = schema.get_type(parent_name)
    field = getattr(parent, "fields", {}).get(field_name)
    if field is None:
        return None
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    metadata = getattr(definition, "metadata", None) or {}
    declared = metadata.get(_RESPONSE_CACHE)
    return declared if isinstance(declared, bool) else None


def is_cacheable(schema: GraphQLSchema, document: DocumentNode) -> bool:
    """Whether an answer to `document` may be cached: each root query field it selects is
    declared `CACHEABLE`, and no field it selects, in any operation or fragment, is declared
    `NOT_CACHEABLE`. Introspection (`__typename`, `__schema`, `__type`) follows the schema alone.
    """
    type_info = TypeInfo(schema)
    query_type = schema.query_type
    refused: list[str] = []

    class Fields(Visitor):
        def enter_field(self, node: FieldNode, *_: Any) -> None:
            parent = type_info.get_parent_type()
            name = node.name.value
            if name.startswith("__") or parent is None:
                return
            declared = declared_caching(schema, name, parent.name)
            if declared is False or (declared is None and parent is query_type):
                refused.append(f"{parent.name}.{name}")

    visit(document, TypeInfoVisitor(type_info, Fields()))
    return not refused


def response_caching(services: Services, cache: ResponseCache) -> Callable[[], Any]:
    """A factory of the per-request extension that answers repeated read queries from `cache`."""
    verdicts: LRU[str, bool] = LRU(RESPONSE_CACHE_SIZE)  # is_cacheable, by document text

    def cacheable(query: str, schema: GraphQLSchema, document: DocumentNode) -> bool:
        verdict = verdicts.get(query)
        if verdict is None:
            verdict = is_cacheable(schema, document)
            verdicts.put(query, verdict)
        return verdict

    class ResponseCaching(SchemaExtension):
        def on_execute(self) -> Iterator[None]:
            context = self.execution_context
            key: tuple[Any, ...] | None = None
            analytics = services.analytics.revision
            generation: Generation = (
                services.network.revision,
                -1 if analytics is None else analytics,
                services.network.today(),
            )
            if (
                context.operation_type is OperationType.QUERY
                and context.query is not None
                and context.graphql_document is not None
                and cacheable(context.query, context.schema._schema, context.graphql_document)
            ):
                principal = current_principal()
                key = (
                    context.query,
                    json.dumps(context.variables or {}, sort_keys=True, default=str),
                    context.operation_name,
                    principal.name,
                    principal.role,
                )
                cached = cache.get(generation, key)
                if cached is not None:
                    context.result = thawed_answer(cached)
                    remember_written(context.result, cached)
                    key = None  # nothing to store afterwards
            yield
            result = context.result
            if key is not None and result is not None and not getattr(result, "errors", None):
                answer = frozen_answer(result)
                cache.put(generation, key, answer)
                remember_written(result, answer)

    return ResponseCaching


def parse_unlinked(source: str, **options: Any) -> DocumentNode:
    """graphql-core's `parse`, with the document's tokens unlinked from one another: no node
    reads them once parsed, and their links are the document's only reference cycles."""
    document = parse(source, **options)
    token = document.loc.start_token if document.loc is not None else None
    while token is not None:
        following = token.next
        token.prev = token.next = None
        token = following
    return document


# A text is remembered as seen (by its hash) for this many times as many texts as are kept.
SEEN_PER_KEPT = 4

# Kept documents also held as objects, the most recently used: at about 250 objects for a
# map's document, a full pass of the collector walks at most some 16,000 for them.
HOT_DOCUMENTS = 64


class DocumentCache:
    """Parsed documents by their text and parse options, kept from the second time their text
    comes: each as its pickle (bytes), with whether it passed validation, and the
    `HOT_DOCUMENTS` most recently used also as the document itself.

    Whatever a long-lived cache holds as Python containers, every full pass of the cycle
    collector walks: a thousand parsed documents are some 100,000 to 250,000 objects, 90 ms
    and more per pass in a process holding a million ties. A pickle is one string the
    collector never walks; unpickling one costs about half a parse (160 µs for a map's
    document), so the documents in use are kept as they are, in a number that bounds the
    walk. Texts that come once (values written into the text, a client's typo in a loop) are
    remembered by their hash only, so they never push a reused document out.

    A document's validity is remembered for one set of validation rules, the first asked
    about (the schema's, the same on every request); under other rules it is validated anew.
    """

    def __init__(self, maxsize: int) -> None:
        # (text, options) -> (pickled document, passed validation)
        self._kept: LRU[tuple[str, tuple[tuple[str, Any], ...]], tuple[bytes, bool]] = LRU(maxsize)
        self._hot: LRU[tuple[str, tuple[tuple[str, Any], ...]], DocumentNode] = LRU(HOT_DOCUMENTS)
        self._seen: LRU[int, bool] = LRU(maxsize * SEEN_PER_KEPT)
        self._rules: tuple[Any, ...] | None = None  # the rules validity is remembered for

    def parse(self, text: str, options: Mapping[str, Any]) -> DocumentNode:
        """The document of `text` (`parse_unlinked`), from the cache when it holds it."""
        key = _document_key(text, options)
        document = self._hot.get(key)
        if document is not None:
            self._kept.get(key)  # used: the last to be given up
            return document
        kept = self._kept.get(key)
        if kept is not None:
            document = pickle.loads(kept[0])
        else:
            document = parse_unlinked(text, **options)
            fingerprint = hash(key)
            if not self._seen.get(fingerprint):
                self._seen.put(fingerprint, True)
                return document
            self._kept.put(key, (pickle.dumps(document, pickle.HIGHEST_PROTOCOL), False))
        self._hot.put(key, document)
        return document

    def validate(
        self,
        schema: GraphQLSchema,
        text: str,
        options: Mapping[str, Any],
        document: DocumentNode,
        rules: Sequence[Any],
    ) -> list[GraphQLError]:
        """The errors of validating `document` (parsed from `text`) against `schema` by `rules`:
        none, without validating again, for a kept document that passed before."""
        rules = tuple(rules)
        if self._rules is None:
            self._rules = rules
        key = _document_key(text, options)
        kept = self._kept.peek(key) if rules == self._rules else None
        if kept is not None and kept[1]:
            return []
        errors: list[GraphQLError] = validate_document(schema, document, rules)
        if kept is not None and not errors:
            self._kept.replace(key, (kept[0], True))
        return errors

    def __len__(self) -> int:
        return len(self._kept)


def _document_key(text: str, options: Mapping[str, Any]) -> tuple[str, tuple[tuple[str, Any], ...]]:
    return text, tuple(sorted(options.items()))


class CachedParsing(SchemaExtension):
    """strawberry's `ParserCache`, with the documents of a `DocumentCache`."""

    def __init__(self, documents: DocumentCache) -> None:
        self.documents = documents

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query is not None:  # else strawberry refuses the request itself
            context.graphql_document = self.documents.parse(context.query, context.parse_options)
        yield


OPERATION_NAME_NEEDED = "Must provide operation name if query contains multiple operations."


class CachedValidation(SchemaExtension):
    """Validation remembered by a `DocumentCache` for the documents it keeps, which, unlike
    strawberry's `ValidationCache`, leaves alone a document already refused (by the selection
    limits): validating a fragment bomb is exactly the work those limits exist to avoid."""

    def __init__(self, documents: DocumentCache) -> None:
        self.documents = documents

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if (
            document is not None
            and context.pre_execution_errors is None
            # The name the request gave: `operation_name` falls back to the first operation's.
            and context._provided_operation_name is None
            and sum(isinstance(d, OperationDefinitionNode) for d in document.definitions) > 1
        ):
            # GraphQL's GetOperation: which of several to run is the request's to say; strawberry
            # would run the first.
            context.pre_execution_errors = [GraphQLError(OPERATION_NAME_NEEDED)]
        if document is not None and context.pre_execution_errors is None:
            context.pre_execution_errors = self.documents.validate(
                context.schema._schema,
                context.query or "",
                context.parse_options,
                document,
                context.validation_rules,
            )
        yield


class PersistedQueries:
    """Documents by the SHA-256 of their text, learnt from clients, bounded in number."""

    def __init__(self, limit: int = PERSISTED_QUERY_LIMIT) -> None:
        self._documents: LRU[str, str] = LRU(limit)

    def resolve(self, query: str | None, extensions: dict[str, Any] | None) -> str | None:
        """The query to run: as sent, or looked up by its hash.

        Raises
        ------
        LookupError
            The hash is unknown (the client should send the query with it once).
        ValueError
            The hash does not match the query sent with it.
        """
        persisted = (extensions or {}).get("persistedQuery")
        if not isinstance(persisted, dict):
            return query
        digest = persisted.get("sha256Hash")
        if not isinstance(digest, str) or len(digest) != 64:
            raise ValueError("persistedQuery.sha256Hash must be a 64-character hex digest.")
        if query is None:
            known = self._documents.get(digest.lower())
            if known is None:
                raise LookupError(digest)
            return known
        if hashlib.sha256(query.encode()).hexdigest() != digest.lower():
            raise ValueError("persistedQuery.sha256Hash does not match the query sent with it.")
        self._documents.put(digest.lower(), query)
        return query
