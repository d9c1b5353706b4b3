"""A server's questions about the past, asked of its worker process over its standard input:
what the server does when the worker answers, fails, or ends before answering (real child
processes standing in for the worker's side of the protocol)."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from stakenet.domain.errors import StoreUnavailable
from stakenet.services.snapshots import (
    HEALTHY_RUN,
    RESTART_DELAYS,
    PastFromWorker,
    WorkerProcess,
    restart_delay,
)

MOMENT = datetime(2025, 9, 1, tzinfo=UTC)

# Answers each question line with `reply(question)`, written in Python by each test.
ANSWERING = """
import json, sys
for line in sys.stdin:
    question = json.loads(line)
    print(json.dumps({reply}), flush=True)
"""


@contextlib.asynccontextmanager
async def running(script: str) -> AsyncIterator[WorkerProcess]:
    worker = WorkerProcess([sys.executable, "-c", script], {})
    task = asyncio.create_task(worker.run())
    try:
        for _ in range(1000):  # its start: at most ten seconds
            if worker.process is not None:
                break
            await asyncio.sleep(0.01)
        yield worker
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_the_worker_s_answer_names_the_file_it_wrote_for_that_question() -> None:
    reply = '{"id": question["id"], "path": "/snapshots/.past-1/" + question["asOf"]}'
    async with running(ANSWERING.replace("{reply}", reply)) as worker:
        first, second = await asyncio.gather(
            worker.past(MOMENT, 7), worker.past(datetime(2024, 1, 1, tzinfo=UTC), 7)
        )
    assert first == Path("/snapshots/.past-1/2025-09-01T00:00:00+00:00")
    assert second == Path("/snapshots/.past-1/2024-01-01T00:00:00+00:00")


async def test_a_question_the_worker_could_not_answer_is_unavailable_with_its_reason() -> None:
    reply = '{"id": question["id"], "error": "The analytics of that date failed: no memory"}'
    async with running(ANSWERING.replace("{reply}", reply)) as worker:
        with pytest.raises(StoreUnavailable) as refused:
            await worker.past(MOMENT, 7)
    assert str(refused.value) == "The analytics of that date failed: no memory"


async def test_a_worker_that_ends_before_answering_leaves_the_question_unavailable() -> None:
    script = "import sys; sys.stdin.readline(); sys.exit(3)"
    async with running(script) as worker:
        with pytest.raises(StoreUnavailable) as refused:
            await asyncio.wait_for(worker.past(MOMENT, 7), 10)
    assert str(refused.value) == (
        "The analytics worker stopped before it computed that date; retry shortly."
    )


async def test_a_question_before_the_worker_runs_is_unavailable() -> None:
    worker = WorkerProcess([sys.executable, "-c", "pass"], {})
    with pytest.raises(StoreUnavailable, match="starting; retry shortly"):
        await worker.past(MOMENT, 7)


async def test_a_line_that_answers_no_question_is_skipped() -> None:
    script = (
        "import json, sys\n"
        "question = json.loads(sys.stdin.readline())\n"
        "print('not an answer', flush=True)\n"
        "print(json.dumps({'id': question['id'], 'path': '/p'}), flush=True)\n"
        "sys.stdin.read()\n"
    )
    async with running(script) as worker:
        assert await asyncio.wait_for(worker.past(MOMENT, 1), 10) == Path("/p")


async def test_a_file_the_worker_named_that_does_not_load_is_unavailable_and_removed(
    tmp_path: Path,
) -> None:
    damaged = tmp_path / "0000000000000007-00000000000000000001.snapshot"
    damaged.write_bytes(b"STAKENET-SNAPSHOT\n" + b"\0" * 40)
    reply = '{"id": question["id"], "path": ' + repr(str(damaged)) + "}"
    async with running(ANSWERING.replace("{reply}", reply)) as worker:
        with pytest.raises(StoreUnavailable) as refused:
            await PastFromWorker(worker)(MOMENT, 7)
    assert str(refused.value) == "The analytics of that date could not be loaded; retry shortly."
    assert not damaged.exists()


def test_a_worker_crashing_again_and_again_waits_longer_but_after_a_healthy_run_not() -> None:
    crashes, delays = 0, []
    for ran_for in (0.5, 3.0, 10.0, 20.0, 40.0, 50.0, HEALTHY_RUN, 1.0):
        delay, crashes = restart_delay(crashes, ran_for)
        delays.append(delay)
    assert delays == [*RESTART_DELAYS, RESTART_DELAYS[-1], RESTART_DELAYS[0], RESTART_DELAYS[1]]
