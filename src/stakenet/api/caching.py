"""Serving fast: a response cache for read queries, and persisted queries by SHA-256.

The response cache keys an answer by everything it depends on: the document, the variables, the
operation name, who asked (notes are private, `viewer` names the caller), the projection's graph
revision and the analytics revision. A write through this process moves the revision before the
mutation answers, so a cached answer of an older revision is never served again; writes by other
replicas arrive with the change-log poll, as they do for every projection-based answer.

Persisted queries follow the automatic persisted queries convention: a client sends
`extensions.persistedQuery.sha256Hash` without the query; an unknown hash answers
`PERSISTED_QUERY_NOT_FOUND` and the client sends query and hash once, after which the hash alone
is enough.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from stakenet.services.access import current_principal
from stakenet.services.container import Services

K = TypeVar("K")
V = TypeVar("V")

RESPONSE_CACHE_SIZE = 2048
PERSISTED_QUERY_LIMIT = 10_000


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

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.maxsize:
            self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


def response_caching(services: Services, cache: LRU[tuple[Any, ...], Any]) -> Callable[[], Any]:
    """A factory of the per-request extension that answers repeated read queries from `cache`."""

    class ResponseCaching(SchemaExtension):
        def on_execute(self) -> Iterator[None]:
            context = self.execution_context
            key: tuple[Any, ...] | None = None
            if context.operation_type is OperationType.QUERY:
                principal = current_principal()
                key = (
                    context.query,
                    json.dumps(context.variables or {}, sort_keys=True, default=str),
                    context.operation_name,
                    principal.name,
                    principal.role,
                    services.network.projection.revision,
                    services.analytics.revision,
                )
                cached = cache.get(key)
                if cached is not None:
                    context.result = cached
                    key = None  # nothing to store afterwards
            yield
            result = context.result
            if key is not None and result is not None and not getattr(result, "errors", None):
                cache.put(key, result)

    return ResponseCaching


@functools.cache
def validation_cache(maxsize: int) -> Callable[..., Any]:
    """graphql-core validation behind an LRU keyed by (schema, document, rules), one per size."""
    from strawberry.schema.schema import validate_document

    return functools.lru_cache(maxsize=maxsize)(validate_document)


class CachedValidation(SchemaExtension):
    """Validation with a shared LRU cache that, unlike strawberry's `ValidationCache`, leaves
    alone a document already refused (by the selection limits): validating a fragment bomb is
    exactly the work those limits exist to avoid."""

    def __init__(self, maxsize: int) -> None:
        self.validate = validation_cache(maxsize)

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None and context.pre_execution_errors is None:
            context.pre_execution_errors = self.validate(
                context.schema._schema, context.graphql_document, context.validation_rules
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
