"""Two network services on one SQLite file, as two server processes on one database are."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from stakenet.bootstrap import Runtime, assemble
from stakenet.domain.access import LOCAL_USER
from stakenet.services.access import acting_as
from stakenet.services.network import NetworkService
from stakenet.store.sqlite import SQLiteStore


@contextlib.asynccontextmanager
async def beside_another(
    store: SQLiteStore, path: str
) -> AsyncIterator[tuple[NetworkService, NetworkService]]:
    """A service on `store` (of the file `path`) and another on the same file, both started,
    acting as the local user."""
    runtimes: list[Runtime] = [assemble(store), assemble(SQLiteStore(path))]
    for runtime in runtimes:
        await runtime.start()
    try:
        with acting_as(LOCAL_USER):
            yield runtimes[0].services.network, runtimes[1].services.network
    finally:
        for runtime in runtimes:
            await runtime.stop()
