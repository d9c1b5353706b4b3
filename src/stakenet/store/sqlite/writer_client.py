"""The checking process's end of the bulk writer process (`writer_server`): starting it, sending
it requests through the pipe (`writer_protocol`) and stopping it."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from stakenet.domain.errors import StoreUnavailable
from stakenet.store.sqlite.writer_protocol import rebuilt_error, receive_message, send_message

# How long a writer that was told to stop may take to roll back before it is killed.
STOP_TIMEOUT_S = 60.0


class WriterProcess:
    """A running writer and the pipes to it; its calls block, so they run off the event loop."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self._process = process

    @classmethod
    def start(cls, path: str) -> WriterProcess:
        """Start a writer on the database file `path`; `ready` tells when it has begun."""
        # The directory that holds the stakenet package: stakenet/store/sqlite/ is below it.
        package_root = str(Path(__file__).resolve().parents[3])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            part for part in (package_root, env.get("PYTHONPATH")) if part
        )
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "stakenet.store.sqlite.writer_main", path],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=env,
            )
        except OSError as error:
            raise StoreUnavailable("The bulk writer process could not be started.") from error
        return cls(process)

    def ready(self) -> None:
        """Wait until the writer has begun its transaction; raise if it could not."""
        self._answer()

    def request(self, kind: str, value: object) -> Any:
        """Send a request and wait for its answer; raise the error the writer reports."""
        assert self._process.stdin is not None
        try:
            send_message(self._process.stdin, (kind, value))
        except (BrokenPipeError, ValueError) as gone:
            raise self._gone() from gone
        return self._answer()

    def _answer(self) -> Any:
        assert self._process.stdout is not None
        answer = receive_message(self._process.stdout)
        if answer is None:
            raise self._gone()
        if answer[0] == "error":
            raise rebuilt_error(*answer[1:])
        return answer[1]

    def _gone(self) -> StoreUnavailable:
        return StoreUnavailable(
            "The bulk writer process ended before it answered; nothing of the write was kept."
        )

    def stop(self) -> None:
        """End the writer: without a commit first, it rolls back. Kill it if it hangs."""
        if self._process.stdin is not None and not self._process.stdin.closed:
            with contextlib.suppress(BrokenPipeError):
                self._process.stdin.close()
        try:
            self._process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        finally:
            if self._process.stdout is not None:
                self._process.stdout.close()
