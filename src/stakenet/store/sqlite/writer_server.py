"""The bulk writer process: a bulk write's transaction, held by a process of its own.

A streamed import checks rows in Python and SQLite writes them; in one process the two take
turns on one core, as sqlite3 gives the interpreter back after every row. Here the checking
process sends each checked batch (`batch_pickle`) through a pipe (`writer_protocol`) to a writer
process, which writes it into the one transaction while the next batch is being checked, on the
other core; `writer_client` is the checking process's end.

The writer is started as `python -m stakenet.store.sqlite.writer_main PATH`. It begins the
transaction, answers each request on its standard output, and commits only when asked to. If
the checking process goes away (killed, or done without committing), the writer reads the end
of its input, rolls back and exits: nothing of the bulk write is left behind.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
from typing import IO, Any

from stakenet.store.sqlite.batch_pickle import load_batch
from stakenet.store.sqlite.binding import register_direct_adapters
from stakenet.store.sqlite.bulk_changes import BULK_CACHE_KIB, BulkChanges, begin_bulk_write
from stakenet.store.sqlite.connection import connect
from stakenet.store.sqlite.errors import translated
from stakenet.store.sqlite.reads import read_revision
from stakenet.store.sqlite.writer_protocol import error_answer, receive_message, send_message


def serve(path: str, requests: IO[bytes], answers: IO[bytes]) -> None:
    """Hold one bulk write's transaction on `path`, answering `requests` until a commit, an
    error or the end of the requests."""
    register_direct_adapters()
    try:
        connection = translated(lambda: connect(path, cache_kib=BULK_CACHE_KIB))
    except BaseException as error:
        send_message(answers, error_answer(error))
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
        translated(lambda: begin_bulk_write(connection))
        send_message(answers, ("ok", None))
        while (request := receive_message(requests)) is not None:
            kind, value = request
            if kind == "write":
                batch = load_batch(value)
                translated(lambda: changes.write(connection, batch))  # noqa: B023 (called now)
                send_message(answers, ("ok", None))
                del request, value, batch
                gc.collect()
            elif kind == "commit":
                send_message(answers, ("ok", translated(lambda: commit(value))))  # noqa: B023
                return
            else:
                raise ValueError(f"unknown request {kind!r}")
    except BrokenPipeError:
        return  # the checking process is gone; the transaction rolls back below
    except BaseException as error:
        with contextlib.suppress(BrokenPipeError):
            send_message(answers, error_answer(error))
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
