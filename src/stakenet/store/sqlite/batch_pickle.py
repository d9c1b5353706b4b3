"""A `WriteBatch` as bytes, for the bulk writer process: its rows, cheap to make and to read.

The checking process builds the batch's table rows (`batch_rows`) and pickles them: flat tuples
and lists of text, numbers and None, which pickle writes and reads in C without calling back
into Python. The writer only writes them; the entities themselves never cross the pipe.
"""

from __future__ import annotations

import copyreg
import io
import pickle
from enum import StrEnum

from stakenet.store.port import WriteBatch
from stakenet.store.sqlite.batch_rows import BatchRows, batch_rows
from stakenet.store.sqlite.binding import BOUND_ENUMS


def _as_text(member: StrEnum) -> tuple[type[str], tuple[str]]:
    return (str, (member.value,))


# An enum member in a row (a tie's kind, say) travels as its text: pickle reduces each member
# once per batch and refers back to it after, and the writer binds plain text directly.
_DISPATCH = {**copyreg.dispatch_table, **dict.fromkeys(BOUND_ENUMS, _as_text)}


def dump_batch(batch: WriteBatch) -> bytes:
    """The batch's rows (`batch_rows`, at the current time) as bytes.

    Raises what `batch_rows` raises, before anything is sent.
    """
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _DISPATCH
    pickler.dump(tuple(batch_rows(batch)))
    return buffer.getvalue()


def load_batch(data: bytes) -> BatchRows:
    """The rows `dump_batch` made."""
    return BatchRows(*pickle.loads(data))
