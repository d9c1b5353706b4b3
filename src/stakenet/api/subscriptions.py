"""Subscriptions: `graphChanged`, one event per change the network service applies.

The network service calls its `listeners` with `(revision, touched stakeholder ids)` after each
change reaches the projection, for local writes and for writes other processes made. One
`ChangeFeed` per service turns those calls into events on a queue per subscriber.

A subscription lives as long as its caller may read: its connection's token is checked again
every `REVALIDATE_EVERY` seconds, and a revoked token ends the subscription with an error.

Events carry global ids. The type part of a global id comes from the stakeholder's kind; a
deleted stakeholder is gone from the projection by the time the listener runs, so the feed keeps
the kind of every stakeholder it has seen and still answers with the id the client knew.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import weakref
from collections.abc import AsyncGenerator, Iterable
from dataclasses import dataclass, field

import strawberry

from stakenet.api.context import Context
from stakenet.api.ids import from_global_id, to_global_id
from stakenet.api.types import TYPE_NAMES
from stakenet.domain.access import NOBODY
from stakenet.domain.errors import Unauthenticated
from stakenet.domain.model import StakeholderKind
from stakenet.services.network import NetworkService

Info = strawberry.Info[Context, None]

# A subscriber that stops reading loses its oldest events, never the newest: the latest revision
# always arrives, and with it the means to catch up by querying.
QUEUE_SIZE = 256
# Stands in for the type of a stakeholder removed before the feed ever saw it.
UNKNOWN_TYPE = "Stakeholder"
# How often an open subscription checks that its caller's token is still valid.
REVALIDATE_EVERY = 1.0


@dataclass(frozen=True, slots=True)
class Change:
    revision: int
    stakeholder_ids: frozenset[str]
    deleted_ids: frozenset[str]
    type_names: dict[str, str] = field(hash=False, compare=False)


@dataclass(eq=False, slots=True)
class _Subscriber:
    wanted: frozenset[str] | None
    queue: asyncio.Queue[Change] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))


class ChangeFeed:
    """Fans the network service's change notifications out to subscribers."""

    def __init__(self, network: NetworkService, loop: asyncio.AbstractEventLoop) -> None:
        self.network = network
        self.loop = loop
        self._subscribers: set[_Subscriber] = set()
        self._type_names: dict[str, str] = {}
        self._lock = threading.Lock()
        self._started = False
        self._start_lock = asyncio.Lock()

    async def start(self) -> None:
        async with self._start_lock:
            if self._started:
                return
            # Listen first, then scan: a change applied during the scan is seen by one or both.
            self.network.listeners.append(self._on_change)
            scanned = await asyncio.to_thread(self._scan)
            with self._lock:
                self._type_names = scanned | self._type_names
            self._started = True

    def close(self) -> None:
        with contextlib.suppress(ValueError):
            self.network.listeners.remove(self._on_change)

    def _scan(self) -> dict[str, str]:
        projection = self.network.projection
        with projection.lock:
            return {
                node: TYPE_NAMES[StakeholderKind(kind)]
                for node, kind in projection.graph.nodes(data="kind")
            }

    def _on_change(self, revision: int, touched: set[str]) -> None:
        # Resolve kinds now, while the projection is as the change left it.
        graph = self.network.projection.graph
        present: dict[str, str] = {}
        deleted: set[str] = set()
        for node in touched:
            kind = graph.nodes[node].get("kind") if graph.has_node(node) else None
            if kind is None:
                deleted.add(node)
            else:
                present[node] = TYPE_NAMES[StakeholderKind(kind)]
        with self._lock:
            self._type_names.update(present)
            type_names = dict(present)
            for node in deleted:
                type_names[node] = self._type_names.pop(node, UNKNOWN_TYPE)
        change = Change(revision, frozenset(touched), frozenset(deleted), type_names)
        try:
            on_loop = asyncio.get_running_loop() is self.loop
        except RuntimeError:
            on_loop = False
        if on_loop:
            self._publish(change)
        else:
            # Called from a worker thread or another loop: queues belong to this loop.
            self.loop.call_soon_threadsafe(self._publish, change)

    def _publish(self, change: Change) -> None:
        for subscriber in self._subscribers:
            if subscriber.wanted is not None and not (subscriber.wanted & change.stakeholder_ids):
                continue
            if subscriber.queue.full():
                subscriber.queue.get_nowait()
            subscriber.queue.put_nowait(change)

    async def changes(
        self, wanted: Iterable[str] | None, idle_after: float
    ) -> AsyncGenerator[Change | None, None]:
        """The changes touching `wanted` (all, for None); None after `idle_after` s without one."""
        await self.start()
        subscriber = _Subscriber(frozenset(wanted) if wanted is not None else None)
        self._subscribers.add(subscriber)
        try:
            while True:
                try:
                    yield await asyncio.wait_for(subscriber.queue.get(), idle_after)
                except TimeoutError:
                    yield None
        finally:
            self._subscribers.discard(subscriber)


_feeds: weakref.WeakKeyDictionary[NetworkService, ChangeFeed] = weakref.WeakKeyDictionary()


def change_feed(network: NetworkService) -> ChangeFeed:
    """The feed of one network service, made on first use on the running loop."""
    feed = _feeds.get(network)
    if feed is None or feed.loop is not asyncio.get_running_loop():
        feed = _feeds[network] = ChangeFeed(network, asyncio.get_running_loop())
    return feed


@strawberry.type(description="Stakeholders touched by one change to the network.")
class GraphChange:
    revision: int = strawberry.field(description="The graph revision after the change.")
    stakeholder_ids: list[strawberry.ID] = strawberry.field(
        description="Global ids of every stakeholder the change touched: created, updated, "
        "deleted, an end of a tie, or a participant of an interaction."
    )
    deleted_ids: list[strawberry.ID] = strawberry.field(
        description="The subset of stakeholderIds that no longer exist."
    )


def _event(change: Change) -> GraphChange:
    def global_ids(ids: Iterable[str]) -> list[strawberry.ID]:
        return [strawberry.ID(to_global_id(change.type_names[i], i)) for i in sorted(ids)]

    return GraphChange(
        revision=change.revision,
        stakeholder_ids=global_ids(change.stakeholder_ids),
        deleted_ids=global_ids(change.deleted_ids),
    )


@strawberry.type(description="Follow the network as it changes.")
class Subscription:
    @strawberry.subscription(
        description="One event per change applied to the network, local or by another process; "
        "with `ids`, only changes that touch one of those stakeholders."
    )
    async def graph_changed(
        self, info: Info, ids: list[strawberry.ID] | None = None
    ) -> AsyncGenerator[GraphChange, None]:
        wanted = (
            None
            if ids is None
            else [from_global_id(global_id, f"ids[{i}]")[1] for i, global_id in enumerate(ids)]
        )
        context = info.context
        feed = change_feed(context.services.network)
        async for change in feed.changes(wanted, idle_after=REVALIDATE_EVERY):
            principal = context.principal or NOBODY
            if not await context.services.access.still_valid(principal):
                raise Unauthenticated(
                    f"The token '{principal.name}' is no longer valid; the subscription ended."
                )
            if change is not None:
                yield _event(change)
