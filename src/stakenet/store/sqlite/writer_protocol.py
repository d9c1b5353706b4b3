"""The pipe between a bulk write and its writer process: messages, their framing, and errors
sent across by name.

Requests and answers are pickled tuples, each framed by its length:

- ("write", batch bytes) -> ("ok", None)
- ("commit", audit entry or None) -> ("ok", revision)
- any request that fails -> ("error", error class name, message, issues); the writer then
  rolls back and exits, since a half-written batch may only be rolled back.
"""

from __future__ import annotations

import pickle
import struct
import sys
import traceback
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


def send_message(stream: IO[bytes], message: object) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_LENGTH.pack(len(data)))
    stream.write(data)
    stream.flush()


def receive_message(stream: IO[bytes]) -> Any:
    """The next message, or None at the end of the stream."""
    header = stream.read(_LENGTH.size)
    if len(header) < _LENGTH.size:
        return None
    (length,) = _LENGTH.unpack(header)
    data = stream.read(length)
    if len(data) < length:
        return None
    return pickle.loads(data)


def error_answer(error: BaseException) -> tuple[str, str, str, list[tuple[str, str, str]]]:
    if isinstance(error, StakenetError) and type(error).__name__ in _ERRORS:
        issues = error.issues if isinstance(error, ValidationFailed) else []
        described = [(issue.path, issue.message, issue.code) for issue in issues]
        return ("error", type(error).__name__, str(error), described)
    # A bug, not a store error: its traceback goes to the log, the caller gets a plain error.
    traceback.print_exception(error, file=sys.stderr)
    return ("error", "StoreUnavailable", "The bulk writer failed; nothing was written.", [])


def rebuilt_error(name: str, message: str, issues: list[tuple[str, str, str]]) -> StakenetError:
    error = _ERRORS.get(name, StoreUnavailable)
    if issubclass(error, ValidationFailed):
        return error([Issue(*issue) for issue in issues])
    return error(message)
