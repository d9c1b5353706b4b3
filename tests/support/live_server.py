"""A real stakenet server on a loopback port, run in a thread of the test process."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from stakenet.app import create_app
from stakenet.bootstrap import database_url
from stakenet.services.container import Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Api:
    base_url: str
    client: httpx.Client
    # The SQLite file behind the server; None when it runs on a Bolt server.
    database: Path | None

    def post(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.client.post("/graphql", json={"query": query, "variables": variables or {}})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = self.post(query, variables)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    def wait_for_analytics(self) -> int:
        """Wait until the analytics snapshot is of the latest revision; return that revision.

        Analytics are recomputed in the background after a write, so a test that reads
        scores right after writing must wait for them, as a client watching
        `analyticsRevision` would.
        """
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            stats = self.data("{ networkStats { revision analyticsRevision } }")["networkStats"]
            if stats["analyticsRevision"] == stats["revision"]:
                return int(stats["revision"])
            time.sleep(0.1)
        raise AssertionError("analytics did not catch up")


def serve(
    database: Path | str, *, demo: bool = False, settings: Settings | None = None
) -> Iterator[Api]:
    """Serve a SQLite file (a Path) or any database URL (a str) until the caller is done."""
    port = free_port()
    # Tests send bursts far beyond a person's pace; the rate limit has tests of its own.
    settings = settings or Settings(rate_limit_per_minute=0)
    url = f"sqlite:///{database}" if isinstance(database, Path) else database
    app = create_app(database_url(url), settings, demo=demo)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the stakenet server did not start")
        time.sleep(0.02)
    base_url = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=base_url, timeout=30) as client:
        yield Api(base_url, client, database if isinstance(database, Path) else None)
    server.should_exit = True
    thread.join(timeout=10)
