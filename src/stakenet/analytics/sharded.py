"""Tables of up to millions of entries that never grow in one long step.

A dict grows by copying every entry into a table twice its size, in one call that holds the
interpreter lock: at a million entries the last such step copies 700,000 entries, 30–100 ms in a
serving process, during which no request runs. A serving process builds tables of a million
entries beside its queries (a snapshot file read into a tie's strength and its inputs, the
timeline's ties by id). `ShardedTable` spreads its entries over `SHARDS` dicts chosen by the key's
hash, so none grows past a few thousand entries at a million, and keeps its keys in the order
they came in a list (whose growth reallocates in place, not entry by entry).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TypeVar, overload

__all__ = ["SHARDS", "ShardedTable"]

SHARDS = 256
"""How many dicts hold a table's entries (a power of two)."""
_SHARD_OF = SHARDS - 1  # a hash masked by this picks the shard

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")


class ShardedTable(Mapping[K, V]):
    """A mapping filled once and then read, in `SHARDS` dicts; iterated in insertion order.

    Lookups are a method call more than a dict's. Filled by one thread (`update`,
    `setdefault`), read by many once filled; emptied a slice at a time (`pop_last`).
    """

    __slots__ = ("_keys", "shards")

    def __init__(self, pairs: Iterable[tuple[K, V]] = ()) -> None:
        self.shards: list[dict[K, V]] = [{} for _ in range(SHARDS)]
        self._keys: list[K] = []
        self.update(pairs)

    def update(self, pairs: Iterable[tuple[K, V]]) -> None:
        shards, keys = self.shards, self._keys
        for key, value in pairs:
            shard = shards[hash(key) & _SHARD_OF]
            if key not in shard:
                keys.append(key)
            shard[key] = value

    def setdefault(self, key: K, default: V) -> V:
        shard = self.shards[hash(key) & _SHARD_OF]
        if key not in shard:
            self._keys.append(key)
            shard[key] = default
        return shard[key]

    def __getitem__(self, key: K) -> V:
        return self.shards[hash(key) & _SHARD_OF][key]

    @overload
    def get(self, key: K, /) -> V | None: ...

    @overload
    def get(self, key: K, /, default: V | T) -> V | T: ...

    def get(self, key: K, /, default: object = None) -> object:
        return self.shards[hash(key) & _SHARD_OF].get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self.shards[hash(key) & _SHARD_OF]

    def __iter__(self) -> Iterator[K]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def pop_last(self, count: int) -> None:
        """Remove the `count` entries added last (all, if fewer): to empty a table a slice at
        a time, so that no one call frees all it holds."""
        shards, keys = self.shards, self._keys
        for _ in range(min(count, len(keys))):
            key = keys.pop()
            del shards[hash(key) & _SHARD_OF][key]
