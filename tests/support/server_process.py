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
        terminate(self.process)


def terminate(process: subprocess.Popen[bytes], grace: float = 10) -> None:
    """SIGTERM, and SIGKILL if the process has not ended `grace` seconds later."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def start_server(
    database: Path | str,
    *,
    demo: bool = False,
    port: int | None = None,
    extra: list[str] | None = None,
    log_dir: Path | None = None,
    ready_within: float = 60,
) -> ServerProcess:
    """Serve a SQLite file (a Path; the log beside it) or any database URL (a str; the log in
    `log_dir`), once /readyz says ready."""
    port = port or free_port()
    if isinstance(database, Path):
        url, log_dir = f"sqlite:///{database}", log_dir or database.parent
    else:
        url = database
    assert log_dir is not None, "a server on a database URL needs a log_dir"
    log_path = log_dir / f"server-{port}-{time.monotonic_ns()}.log"
    command = [
        sys.executable, "-m", "stakenet.cli", "serve",
        "--db", url, "--host", "127.0.0.1", "--port", str(port),
        "--poll-interval", "0.2", "--log-level", "warning",
        # Test clients write far faster than people; the rate limit has tests of its own.
        "--rate-limit", "0",
        *(["--demo"] if demo else []), *(extra or []),
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    server = ServerProcess(process, port, log_path)
    deadline = time.monotonic() + ready_within
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


@dataclass
class WorkerProcess:
    """A `stakenet analytics` worker process writing snapshots into a directory."""

    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        terminate(self.process)


def start_worker(database: Path | str, snapshot_dir: Path, log_dir: Path) -> WorkerProcess:
    """Start `stakenet analytics` on a SQLite file (a Path) or any database URL (a str)."""
    url = f"sqlite:///{database}" if isinstance(database, Path) else database
    log_path = log_dir / f"worker-{time.monotonic_ns()}.log"
    command = [
        sys.executable, "-m", "stakenet.cli", "analytics", "--db", url,
        "--snapshot-dir", str(snapshot_dir), "--poll-interval", "0.2", "--log-level", "info",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    return WorkerProcess(process, log_path)


def readiness(server: ServerProcess) -> dict[str, Any]:
    """What /readyz says, once it says the server is ready."""
    with urllib.request.urlopen(server.base_url + "/readyz", timeout=5) as response:
        body: dict[str, Any] = json.load(response)
    return body


def child_pids(pid: int) -> list[int]:
    """The processes `pid` started that still run (Linux)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def is_running(pid: int) -> bool:
    """Whether `pid` runs (a zombie, dead but not yet reaped, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in {"Z", "X"}
