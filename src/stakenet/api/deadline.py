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
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager

from graphql import (
    FieldNode,
    GraphQLError,
    NullValueNode,
    ValueNode,
    VariableNode,
    Visitor,
    parse,
    visit,
)

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


def deadline_error(
    services: Services,
    operation_name: str | None,
    query: str | None = None,
    variables: Mapping[str, object] | None = None,
) -> GraphQLError:
    """The error an operation stopped at the deadline gets, logged once; `query` and
    `variables` tell whether it asked about a past date."""
    seconds = services.settings.execution_deadline
    log.warning(
        "operation %s stopped at the %.1f s deadline", operation_name or "(anonymous)", seconds
    )
    about_the_past = query is not None and asks_about_the_past(
        query, variables or {}, services.settings.max_tokens
    )
    return GraphQLError(
        _past_deadline(services, seconds, about_the_past), extensions={"code": DEADLINE_EXCEEDED}
    )


def _past_deadline(services: Services, seconds: float, about_the_past: bool) -> str:
    """While no analytics snapshot exists yet (a first one takes minutes on a large network),
    every analytic question waits for it, and asking for less would not help; nor does it for
    a past date, whose analytics are computed whole (and kept) whatever was asked of them."""
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
    if about_the_past:
        return (
            f"{stopped}. The analytics of the past date it asks about are still being "
            "computed, and are kept once done: ask again shortly."
        )
    return (
        f"{stopped}; ask for less (smaller 'first', 'depth' or 'limit'), or retry a mutation later."
    )


# Fields whose answer needs the analytics of a past date whatever their arguments.
ALWAYS_PAST = frozenset({"networkDiff"})


def asks_about_the_past(
    query: str, variables: Mapping[str, object], max_tokens: int | None = None
) -> bool:
    """Does the document ask a field for a past date: an `asOf` given a value (literal or
    through a variable), or a field that always compares past dates? Read within the same
    token limit as any document, so a second reading costs no more than the first."""
    try:
        document = parse(query, max_tokens=max_tokens)
    except GraphQLError:
        return False
    found = False

    class Finder(Visitor):
        def enter_field(self, node: FieldNode, *_: object) -> None:
            nonlocal found
            if node.name.value in ALWAYS_PAST:
                found = True
            for argument in node.arguments or ():
                if argument.name.value == "asOf" and _given(argument.value, variables):
                    found = True

    visit(document, Finder())
    return found


def _given(value: ValueNode, variables: Mapping[str, object]) -> bool:
    if isinstance(value, VariableNode):
        return variables.get(value.name.value) is not None
    return not isinstance(value, NullValueNode)


def _lifter(deadline: asyncio.Timeout) -> Callable[[], Awaitable[None]]:
    """A deadline already past stops the operation where this is called, not mid-write."""

    async def lift() -> None:
        if deadline.expired():
            await asyncio.sleep(0)  # its cancellation is pending: taken here
        deadline.reschedule(None)

    return lift


__all__ = ["DEADLINE_EXCEEDED", "deadline_error", "execution_deadline"]
