"""A question about a past date stopped at the execution deadline says that its analytics are
still being computed and to ask again, not to ask for less: over HTTP and WebSocket, on a
server whose worker process computes the past."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from stakenet.api.deadline import asks_about_the_past
from support.graphql_socket import GraphQLSocket
from support.server_process import child_pids, start_server

RANKING_AS_OF = "query($at: DateTime) { influenceRanking(first: 3, asOf: $at) { rank asOf } }"
STILL_COMPUTING = (
    "The operation did not finish within 0.05 s and was stopped before it wrote anything. "
    "The analytics of the past date it asks about are still being computed, and are kept "
    "once done: ask again shortly."
)


def test_a_document_over_the_token_limit_is_not_read_whole_to_tell() -> None:
    huge = "query($at: DateTime) { influenceRanking(asOf: $at) { " + "rank " * 5000 + "} }"
    assert asks_about_the_past(huge, {"at": "2025-01-01"}) is True
    assert asks_about_the_past(huge, {"at": "2025-01-01"}, max_tokens=2000) is False


@pytest.mark.parametrize(
    ("query", "variables", "expected"),
    [
        ('{ influenceRanking(asOf: "2025-01-01T00:00:00Z") { rank } }', {}, True),
        ("{ influenceRanking(asOf: null) { rank } }", {}, False),
        ("{ influenceRanking { rank } }", {}, False),
        (RANKING_AS_OF, {"at": "2025-01-01T00:00:00Z"}, True),
        (RANKING_AS_OF, {"at": None}, False),
        (RANKING_AS_OF, {}, False),
        (
            'query { ...past } fragment past on Query { keyPersonRisks(organizationId: "x",'
            ' asOf: "2025-01-01") { kind } }',
            {},
            True,
        ),
        ('{ networkDiff(from: "2025-01-01", to: "2025-02-01") { __typename } }', {}, True),
        (
            '{ relationshipHealth(organizationId: "x", from: "2025-01-01", to: "2025-02-01")'
            " { coverage } }",
            {},
            False,
        ),
        ("{ influenceRanking(asOf: ", {}, False),
    ],
)
def test_which_documents_ask_about_a_past_date(
    query: str, variables: dict[str, Any], expected: bool
) -> None:
    assert asks_about_the_past(query, variables) is expected


@pytest.mark.server
def test_a_past_question_stopped_at_the_deadline_says_to_ask_again_and_then_answers(
    tmp_path: Path,
) -> None:
    server = start_server(tmp_path / "s.db", demo=True, extra=["--execution-deadline", "0.05"])
    try:
        # The worker is paused while the questions are asked, so that on however fast a
        # machine none is answered within the deadline; it computes them once resumed.
        (worker,) = child_pids(server.process.pid)
        os.kill(worker, signal.SIGSTOP)
        try:
            over_http = server.graphql(RANKING_AS_OF, {"at": "2025-01-01T00:00:00Z"})

            async def over_websocket() -> dict[str, Any]:
                async with GraphQLSocket.open(server.base_url) as socket:
                    return await socket.execute(RANKING_AS_OF, {"at": "2025-02-01T00:00:00Z"})

            over_ws = asyncio.run(over_websocket())
        finally:
            os.kill(worker, signal.SIGCONT)
        for answer in (over_http, over_ws):
            assert answer == {
                "data": None,
                "errors": [
                    {"message": STILL_COMPUTING, "extensions": {"code": "DEADLINE_EXCEEDED"}}
                ],
            }
        # The computation went on in the worker and was kept: asked again, it answers.
        deadline = time.monotonic() + 30
        while True:
            again = server.graphql(RANKING_AS_OF, {"at": "2025-01-01T00:00:00Z"})
            if "errors" not in again or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert [entry["asOf"] for entry in again["data"]["influenceRanking"]] == [
            "2025-01-01T00:00:00+00:00"
        ] * 3
    finally:
        server.stop()
