"""The network as it stood at a past instant, and the few past snapshots kept at hand.

A past network is the in-memory network filtered to an instant ``as_of``: every stakeholder
the network holds now, the ties current on ``as_of``'s date (``since`` not after it, ``until``
not before it, as `stakenet.analytics.strength.is_current` reads them) and the interactions up
to ``as_of``. It is filtered from the live network, which no longer holds what was deleted or
erased, so nothing deleted comes back in a past answer.

`PastSnapshots` keeps the latest few past analytics states by (instant, revision), apart from
the current snapshot, so asking about the past never evicts today's answers.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from stakenet.analytics.projection import TieGraph
from stakenet.analytics.strength import InteractionRecord, is_current

__all__ = ["PAST_SNAPSHOTS", "PastSnapshots", "graph_as_of", "instant", "interactions_until"]

PAST_SNAPSHOTS = 3
"""How many past snapshots are kept (least recently used first out). Each holds its own copy
of the graph, as the current snapshot does."""

T = TypeVar("T")


def instant(moment: datetime) -> datetime:
    """`moment` in UTC; a naive datetime is read as UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def graph_as_of(graph: Any, as_of: datetime) -> Any:
    """A new graph with every node of `graph` and the ties current on `as_of`'s date."""
    on = as_of.date()
    past = TieGraph()
    past.add_nodes_from(graph.nodes(data=True))
    past.add_edges_from(
        (u, v, key, attrs)
        for u, v, key, attrs in graph.edges(keys=True, data=True)
        if is_current(attrs, on)
    )
    return past


def interactions_until(
    interactions: Mapping[str, InteractionRecord], as_of: datetime
) -> dict[str, InteractionRecord]:
    """The interactions that had happened by `as_of`."""
    return {key: record for key, record in interactions.items() if record.occurred_at <= as_of}


class PastSnapshots(Generic[T]):
    """The latest `size` values by (instant, revision), least recently used evicted first."""

    def __init__(self, size: int = PAST_SNAPSHOTS) -> None:
        self._size = size
        self._kept: OrderedDict[tuple[datetime, int], T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, as_of: datetime, revision: int) -> T | None:
        with self._lock:
            found = self._kept.get((as_of, revision))
            if found is not None:
                self._kept.move_to_end((as_of, revision))
            return found

    def put(self, as_of: datetime, revision: int, value: T) -> list[T]:
        """Keep `value`; returns the values evicted to make room."""
        evicted = []
        with self._lock:
            self._kept[(as_of, revision)] = value
            self._kept.move_to_end((as_of, revision))
            while len(self._kept) > self._size:
                evicted.append(self._kept.popitem(last=False)[1])
        return evicted

    def keys(self) -> list[tuple[datetime, int]]:
        """The kept (instant, revision) keys, least recently used first."""
        with self._lock:
            return list(self._kept)
