"""Subscriptions: `graphChanged`, one event per change the network service applies.

The network service publishes a `GraphChanged` event after each change reaches the in-memory
network, for local writes and for writes other processes made. One `ChangeFeed` per service
turns those events into events on a queue per subscriber.

A subscription lives as long as its caller may read: its connection's token is checked again
every `REVALIDATE_EVERY` seconds, and a revoked or expired token ends the subscription with an
error.

Events carry global ids. The type part of a global id comes from the stakeholder's kind, which
the event carries for a deleted stakeholder too (the kind it had), so the client gets the id it
knew.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncGenerator, Iterable
from dataclasses import dataclass, field

import strawberry

from stakenet.api.access import no_longer_valid
from stakenet.api.context import Context
from stakenet.api.ids import from_global_id, to_global_id
from stakenet.api.types import TYPE_NAMES
from stakenet.domain.access import NOBODY
from stakenet.domain.errors import Unauthenticated
from stakenet.services.network import GraphChanged, NetworkService

Info = strawberry.Info[Context, None]

# A subscriber that stops reading loses its oldest events, never the newest: the latest revision
# always arrives, and with it the means to catch up by querying.
QUEUE_SIZE = 256
# Stands in for the type of a stakeholder removed before the in-memory network ever held it.
UNKNOWN_TYPE = "Stakeholder"
# How often an open subscription checks that its caller's token is still valid.
REVALIDATE_EVERY = 1.0


@dataclass(eq=False, slots=True)
class _Subscriber:
    wanted: frozenset[str] | None
    queue: asyncio.Queue[GraphChanged] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))


class ChangeFeed:
    """Fans the network service's change events out to subscribers."""

    def __init__(self, network: NetworkService, loop: asyncio.AbstractEventLoop) -> None:
        self.network = network
        self.loop = loop
        self._subscribers: set[_Subscriber] = set()
        self._started = False

    def start(self) -> None:
        if not self._started:
            self.network.subscribe(self._on_change)
            self._started = True

    def close(self) -> None:
        self.network.unsubscribe(self._on_change)
        self._started = False

    def _on_change(self, change: GraphChanged) -> None:
        try:
            on_loop = asyncio.get_running_loop() is self.loop
        except RuntimeError:
            on_loop = False
        if on_loop:
            self._publish(change)
        else:
            # Called from a worker thread or another loop: queues belong to this loop.
            self.loop.call_soon_threadsafe(self._publish, change)

    def _publish(self, change: GraphChanged) -> None:
        for subscriber in self._subscribers:
            if subscriber.wanted is not None and not (subscriber.wanted & change.touched_ids):
                continue
            if subscriber.queue.full():
                subscriber.queue.get_nowait()
            subscriber.queue.put_nowait(change)

    async def changes(
        self, wanted: Iterable[str] | None, idle_after: float
    ) -> AsyncGenerator[GraphChanged | None, None]:
        """The changes touching `wanted` (all, for None); None after `idle_after` s without one."""
        self.start()
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


async def end_if_revoked(context: Context) -> None:
    """Raise Unauthenticated, ending the subscription, once its caller's token is no longer
    valid (revoked or expired); every subscription checks at least every `REVALIDATE_EVERY`
    seconds."""
    principal = context.principal or NOBODY
    if not await context.services.access.still_valid(principal):
        raise Unauthenticated(f"{no_longer_valid(principal)}; the subscription ended.")


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


def _event(change: GraphChanged) -> GraphChange:
    def global_id(stakeholder_id: str) -> strawberry.ID:
        kind = change.kinds.get(stakeholder_id) or change.deleted.get(stakeholder_id)
        type_name = TYPE_NAMES[kind] if kind is not None else UNKNOWN_TYPE
        return strawberry.ID(to_global_id(type_name, stakeholder_id))

    return GraphChange(
        revision=change.revision,
        stakeholder_ids=[global_id(i) for i in sorted(change.touched_ids)],
        deleted_ids=[global_id(i) for i in sorted(change.deleted)],
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
            await end_if_revoked(context)
            if change is not None:
                yield _event(change)
