"""The execution deadline, the same on every transport.

An operation (a query or a mutation, over HTTP or WebSocket) is stopped once it has run for
`Settings.execution_deadline` seconds, but only until it hands a write to the store: from there
on it waits for the outcome, since a write the database has cannot be taken back. A stopped
operation gets one error coded `DEADLINE_EXCEEDED` saying what to do instead. Subscriptions
are not bounded: they last as long as their client listens.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from graphql import GraphQLError

from stakenet.services.container import Services
from stakenet.services.network import irrevocable_write_hook

log = logging.getLogger("stakenet.http")

DEADLINE_EXCEEDED = "DEADLINE_EXCEEDED"


@asynccontextmanager
async def execution_deadline(seconds: float) -> AsyncIterator[Callable[[], Awaitable[None]]]:
    """Run the body under the deadline; raises `TimeoutError` once it stops the body.

    Yields `lift`, which ends the deadline for the rest of the body (or, past it, stops the
    body right there): the store calls it right before a write becomes irrevocable, and a
    transport calls it right before it sends an answer already computed."""
    async with asyncio.timeout(seconds) as deadline:
        lift = _lifter(deadline)
        hook = irrevocable_write_hook.set(lift)
        try:
            yield lift
        finally:
            irrevocable_write_hook.reset(hook)


def deadline_error(services: Services, operation_name: str | None) -> GraphQLError:
    """The error an operation stopped at the deadline gets, logged once."""
    seconds = services.settings.execution_deadline
    log.warning(
        "operation %s stopped at the %.1f s deadline", operation_name or "(anonymous)", seconds
    )
    return GraphQLError(_past_deadline(services, seconds), extensions={"code": DEADLINE_EXCEEDED})


def _past_deadline(services: Services, seconds: float) -> str:
    """While no analytics snapshot exists yet (a first one takes minutes on a large network),
    every analytic question waits for it, and asking for less would not help."""
    stopped = (
        f"The operation did not finish within {seconds:g} s and was stopped before "
        "it wrote anything"
    )
    if services.analytics.state is None:
        return (
            f"{stopped}. No analytics snapshot exists yet (the first is still being "
            "computed; /readyz answers 503 until it is adopted) and every analytic "
            "question waits for it: retry shortly."
        )
    return (
        f"{stopped}; ask for less (smaller 'first', 'depth' or 'limit'), or retry a mutation later."
    )


def _lifter(deadline: asyncio.Timeout) -> Callable[[], Awaitable[None]]:
    """A deadline already past stops the operation where this is called, not mid-write."""

    async def lift() -> None:
        if deadline.expired():
            await asyncio.sleep(0)  # its cancellation is pending: taken here
        deadline.reschedule(None)

    return lift


__all__ = ["DEADLINE_EXCEEDED", "deadline_error", "execution_deadline"]
