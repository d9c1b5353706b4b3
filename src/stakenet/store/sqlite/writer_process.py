"""The bulk writer process: a bulk write's transaction, held by a process of its own.

A streamed import checks rows in Python and SQLite writes them; in one process the two take
turns on one core, as sqlite3 gives the interpreter back after every row. Here the checking
process sends each checked batch (`batch_pickle`) through a pipe to a writer process, which
writes it into the one transaction while the next batch is being checked, on the other core.

The writer is started as `python -m stakenet.store.sqlite.writer_main PATH`. It begins the
transaction, answers each request on its standard output, and commits only when asked to. If
the checking process goes away (killed, or done without committing), the writer reads the end
of its input, rolls back and exits: nothing of the bulk write is left behind.

Requests and answers are pickled tuples, each framed by its length:

- ("write", batch bytes) -> ("ok", None)
- ("commit", audit entry or None) -> ("ok", revision)
- any request that fails -> ("error", error class name, message, issues); the writer then
  rolls back and exits, since a half-written batch may only be rolled back.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import struct
import subprocess
import sys
import traceback
from pathlib import Path
from typing import IO, Any

from stakenet.domain.errors import (
    Conflict,
    ImportRejected,
    Issue,
    NotFound,
    PermissionDenied,
    StakenetError,
    StoreTimeout,
    StoreUnavailable,
    ValidationFailed,
)

_LENGTH = struct.Struct("!Q")
# The errors a writer sends back by name, rebuilt as they were.
_ERRORS: dict[str, type[StakenetError]] = {
    error.__name__: error
    for error in (
        Conflict,
        ImportRejected,
        NotFound,
        PermissionDenied,
        StoreTimeout,
        StoreUnavailable,
        ValidationFailed,
    )
}
# How long a writer that was told to stop may take to roll back before it is killed.
STOP_TIMEOUT_S = 60.0


def _send(stream: IO[bytes], message: object) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_LENGTH.pack(len(data)))
    stream.write(data)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    """The next message, or None at the end of the stream."""
    header = stream.read(_LENGTH.size)
    if len(header) < _LENGTH.size:
        return None
    (length,) = _LENGTH.unpack(header)
    data = stream.read(length)
    if len(data) < length:
        return None
    return pickle.loads(data)


def _error_answer(error: BaseException) -> tuple[str, str, str, list[tuple[str, str, str]]]:
    if isinstance(error, StakenetError) and type(error).__name__ in _ERRORS:
        issues = error.issues if isinstance(error, ValidationFailed) else []
        described = [(issue.path, issue.message, issue.code) for issue in issues]
        return ("error", type(error).__name__, str(error), described)
    # A bug, not a store error: its traceback goes to the log, the caller gets a plain error.
    traceback.print_exception(error, file=sys.stderr)
    return ("error", "StoreUnavailable", "The bulk writer failed; nothing was written.", [])


def _rebuilt(name: str, message: str, issues: list[tuple[str, str, str]]) -> StakenetError:
    error = _ERRORS.get(name, StoreUnavailable)
    if issubclass(error, ValidationFailed):
        return error([Issue(*issue) for issue in issues])
    return error(message)


# -- the writer's side


def serve(path: str, requests: IO[bytes], answers: IO[bytes]) -> None:
    """Hold one bulk write's transaction on `path`, answering `requests` until a commit, an
    error or the end of the requests."""
    # Imported here: the checking process needs none of it to start a writer.
    from stakenet.store.sqlite.batch_pickle import load_batch
    from stakenet.store.sqlite.binding import register_direct_adapters
    from stakenet.store.sqlite.bulk import BULK_CACHE_KIB, BulkChanges
    from stakenet.store.sqlite.connection import connect
    from stakenet.store.sqlite.errors import translated
    from stakenet.store.sqlite.reads import read_revision

    register_direct_adapters()
    try:
        connection = translated(lambda: connect(path, cache_kib=BULK_CACHE_KIB))
    except BaseException as error:
        _send(answers, _error_answer(error))
        return
    changes = BulkChanges()

    def commit(audit: Any) -> int:
        revision = changes.finish(connection, audit)
        if revision is None:
            connection.execute("ROLLBACK")
            return read_revision(connection)
        connection.execute("COMMIT")
        return revision

    # Unpickling a batch makes tens of thousands of objects, and the cycle collector would
    # walk them, and every module's, again and again (a sixth of the writer's time). A batch
    # makes no reference cycles to speak of; collecting once per batch, with what was loaded
    # to start set aside, frees any it does make at the cost of a few objects' walk.
    gc.freeze()
    gc.disable()
    try:
        translated(lambda: connection.execute("BEGIN IMMEDIATE"))
        _send(answers, ("ok", None))
        while (request := _receive(requests)) is not None:
            kind, value = request
            if kind == "write":
                batch = load_batch(value)
                translated(lambda: changes.write(connection, batch))  # noqa: B023 (called now)
                _send(answers, ("ok", None))
                del request, value, batch
                gc.collect()
            elif kind == "commit":
                _send(answers, ("ok", translated(lambda: commit(value))))  # noqa: B023
                return
            else:
                raise ValueError(f"unknown request {kind!r}")
    except BrokenPipeError:
        return  # the checking process is gone; the transaction rolls back below
    except BaseException as error:
        with contextlib.suppress(BrokenPipeError):
            _send(answers, _error_answer(error))
    finally:
        # Closing a connection in a transaction rolls it back.
        connection.close()


def main() -> None:
    # Ctrl-C reaches the whole process group: the checking process decides, and the writer
    # stops when its requests end.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    requests = os.fdopen(os.dup(sys.stdin.fileno()), "rb")
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    # Whatever else is printed goes to standard error, never between the answers.
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    serve(sys.argv[1], requests, answers)


# -- the checking process's side


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
            _send(self._process.stdin, (kind, value))
        except (BrokenPipeError, ValueError) as gone:
            raise self._gone() from gone
        return self._answer()

    def _answer(self) -> Any:
        assert self._process.stdout is not None
        answer = _receive(self._process.stdout)
        if answer is None:
            raise self._gone()
        if answer[0] == "error":
            raise _rebuilt(*answer[1:])
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
