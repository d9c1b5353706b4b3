"""How many past dates a server computes at once: a new date waits for at most a few others,
and beyond them is refused with a retry message (each is a whole snapshot), on a real SQLite
file; the computation is held at a gate so that the dates stay pending."""

from __future__ import annotations

import asyncio
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import anyio.to_thread
import pytest

from stakenet.domain.errors import StoreUnavailable
from stakenet.domain.model import Stakeholder, StakeholderKind
from stakenet.services.analytics import MAX_PAST_PENDING, AnalyticsService, AnalyticsState
from stakenet.services.network import NetworkService
from stakenet.services.snapshots import PastAnswers
from stakenet.store.port import WriteBatch


async def analytics_of_one_person(network: NetworkService) -> AnalyticsService:
    """The analytics of a network of one person, at revision 1."""
    analytics = AnalyticsService(network)
    person = Stakeholder("p1", StakeholderKind.PERSON, "Person p1")
    await network.store.apply(WriteBatch(upsert_stakeholders=[person]))
    await network.sync()
    return analytics


async def test_a_new_past_date_is_refused_while_as_many_as_are_kept_are_computed(
    replicas: tuple[NetworkService, NetworkService],
) -> None:
    analytics = await analytics_of_one_person(replicas[0])
    await analytics.refresh()
    gate = asyncio.Event()
    computed: list[datetime] = []

    async def held_then_computed(moment: datetime, revision: int) -> AnalyticsState:
        await gate.wait()
        computed.append(moment)
        return await anyio.to_thread.run_sync(analytics.view.past, moment)

    analytics.past_from = held_then_computed
    dates = [datetime(2025, month, 1, tzinfo=UTC) for month in range(1, MAX_PAST_PENDING + 2)]
    pending = [asyncio.create_task(analytics.at(moment)) for moment in dates[:MAX_PAST_PENDING]]
    # The same date again waits for the computation under way.
    pending.append(asyncio.create_task(analytics.at(dates[0])))
    await asyncio.sleep(0.05)
    with pytest.raises(StoreUnavailable) as refused:
        await analytics.at(dates[-1])
    assert str(refused.value) == (
        f"The analytics of {MAX_PAST_PENDING} other past dates are being computed; "
        "ask about this one again once they are answered."
    )
    # A request that stops waiting (its deadline) leaves its date to be computed and kept.
    pending[1].cancel()
    gate.set()
    answered = await asyncio.gather(*pending, return_exceptions=True)
    assert [state.as_of for state in answered if isinstance(state, AnalyticsState)] == [
        dates[0],
        dates[2],
        dates[0],
    ]
    for _ in range(500):  # the date nobody waits for any more: at most five seconds
        if analytics.past_adoptions == MAX_PAST_PENDING:
            break
        await asyncio.sleep(0.01)
    assert sorted(computed) == dates[:MAX_PAST_PENDING]
    assert analytics.past_adoptions == MAX_PAST_PENDING
    assert analytics.view.kept_past(dates[1]) is not None
    # Once they are answered, the refused date is computed.
    assert (await analytics.at(dates[-1])).as_of == dates[-1]


async def test_a_worker_behind_the_server_s_revision_does_not_answer_from_its_older_graph(
    replicas: tuple[NetworkService, NetworkService], tmp_path: Path
) -> None:
    analytics = await analytics_of_one_person(replicas[0])
    own = tmp_path / "answers"
    own.mkdir()
    answers = PastAnswers(analytics, tmp_path, lambda _: None, catch_up=0.2)
    question = {"id": 4, "asOf": "2025-01-01T00:00:00+00:00", "revision": 2}
    behind = await answers.answer(json.dumps(question).encode(), own)
    assert behind == {
        "id": 4,
        "error": "The analytics worker has not reached this server's revision yet; retry shortly.",
    }
    assert os.listdir(own) == []
    question["revision"] = 1
    answered = await answers.answer(json.dumps(question).encode(), own)
    assert answered["id"] == 4 and Path(answered["path"]).parent == own
