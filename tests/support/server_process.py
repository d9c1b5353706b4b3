"""A real `stakenet serve` process on a loopback port, started and stopped by its pid."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ServerProcess:
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def graphql(
        self, query: str, variables: dict[str, Any] | None = None, timeout: float = 10
    ) -> dict[str, Any]:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        request = urllib.request.Request(
            self.base_url + "/graphql", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            result: dict[str, Any] = json.load(response)
        return result

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, as in a crash or an OOM kill."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def start_server(
    database: Path, *, demo: bool = False, port: int | None = None, extra: list[str] | None = None
) -> ServerProcess:
    port = port or free_port()
    log_path = database.with_name(f"server-{port}-{time.monotonic_ns()}.log")
    command = [
        sys.executable, "-m", "stakenet.cli", "serve",
        "--db", f"sqlite:///{database}", "--host", "127.0.0.1", "--port", str(port),
        "--poll-interval", "0.2", "--log-level", "warning",
        # Test clients write far faster than people; the rate limit has tests of its own.
        "--rate-limit", "0",
        *(["--demo"] if demo else []), *(extra or []),
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    server = ServerProcess(process, port, log_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log_path.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(server.base_url + "/readyz", timeout=1) as response:
                if response.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    server.kill()
    raise RuntimeError(f"server not ready in time: {log_path.read_text()[-2000:]}")
