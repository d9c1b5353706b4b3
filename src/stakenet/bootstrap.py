"""The composition root: turns a database URL and settings into a running stakenet.

The one place that knows the concrete store adapters and that builds the services: the
`stakenet` command and the ASGI application (`app.py`) get everything from here, and only they
import this module.

- `build_store`: the adapter the database URL names, unopened
- `opened_store`: that store alone, open, for a command that needs no read model
- `build_access`: the access service alone, for the token commands
- `assemble`, `build_runtime`: a `Runtime`, the store and every service around it
- `Runtime.running`: the store opened, the read model built, the demo network loaded if asked,
  and the background tasks (change-log poller, analytics refresher and alert clock check, or
  the analytics worker process and the follower of its snapshot files; change-log pruner)
  running
- `run_analytics_worker`: the `stakenet analytics` worker, which computes the snapshots that
  servers in `--analytics process` or `follow` mode load
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    # Loaded where they are built: the services bring NetworkX, which a command that only
    # reads or writes the store (`stakenet import`, tokens, the audit export) does without.
    from stakenet.services.access import AccessService, AccessStore
    from stakenet.services.container import Services, Settings
    from stakenet.store.port import Store

log = logging.getLogger("stakenet.bootstrap")

DEFAULT_DATABASE_URL = "sqlite:///stakenet.db"


class ConfigError(Exception):
    """A setting that cannot work, said plainly."""


@dataclass(frozen=True, slots=True)
class DatabaseUrl:
    scheme: str
    location: str

    def text(self) -> str:
        """The URL as given, password included: for a child process's environment only."""
        return f"sqlite:///{self.location}" if self.scheme == "sqlite" else self.location

    def redacted(self) -> str:
        """The URL fit for logs and errors: the password is never shown."""
        if self.scheme == "sqlite":
            return f"sqlite:///{self.location}"
        parts = urlsplit(self.location)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        user = f"{parts.username}:***@" if parts.username else ""
        return f"{parts.scheme}://{user}{host}{port}{parts.path}"


def database_url(explicit: str | None) -> DatabaseUrl:
    url = explicit or os.environ.get("STAKENET_DATABASE_URL") or DEFAULT_DATABASE_URL
    if url.startswith("sqlite:///"):
        location = url.removeprefix("sqlite:///")
        if not location:
            raise ConfigError("Database URL 'sqlite:///' names no file; try sqlite:///stakenet.db.")
        return DatabaseUrl("sqlite", location)
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme in {"bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"}:
        return DatabaseUrl("neo4j", url)
    shown = DatabaseUrl("neo4j", url).redacted() if "@" in url else url
    raise ConfigError(
        f"Database URL '{shown}' is not supported; use sqlite:///path/to/file.db, "
        "bolt://user:password@host:7687/database or neo4j://…"
    )


def build_store(url: DatabaseUrl) -> Store:
    if url.scheme == "sqlite":
        from stakenet.store.sqlite import SQLiteStore

        if url.location != ":memory:":
            Path(url.location).expanduser().parent.mkdir(parents=True, exist_ok=True)
        return SQLiteStore(url.location)
    from stakenet.store.neo4j import Neo4jStore, neo4j_settings

    try:
        settings = neo4j_settings(url.location, os.environ)
    except ValueError as exc:
        # Not quoting the URL: redacted() itself cannot parse some of the URLs refused here.
        raise ConfigError(f"The Neo4j database URL cannot be used: {exc}") from None
    return Neo4jStore(settings.uri, settings.user, settings.password, settings.database)


@contextlib.asynccontextmanager
async def opened_store(url: DatabaseUrl) -> AsyncIterator[Store]:
    """The store alone, open until the block ends: no read model, no analytics."""
    store = build_store(url)
    await store.open()
    try:
        yield store
    finally:
        await store.close()


def build_access(store: AccessStore) -> AccessService:
    from stakenet.services.access import AccessService

    return AccessService(store)


@dataclass(frozen=True, slots=True)
class Runtime:
    """One stakenet: its store, the services around it, and how they start and stop."""

    store: Store
    services: Services
    # The database's URL, which an analytics worker process is given; None for a store built
    # by the caller (`assemble`), whose analytics cannot run in another process.
    url: DatabaseUrl | None = None

    async def start(self) -> None:
        """Open the store and build the read model from it."""
        await self.store.open()
        try:
            await self.services.network.start()
        except BaseException:
            await self.store.close()
            raise

    async def stop(self) -> None:
        await self.store.close()

    @contextlib.asynccontextmanager
    async def running(self, *, demo: bool = False, refresh: bool = True) -> AsyncIterator[None]:
        """Started, with the demo network loaded into an empty store if `demo`, and the
        background tasks running until the block ends: the change-log poller (writes by other
        processes), the analytics refresher and the alerts' clock check (unless not `refresh`)
        and, with `keep_revisions` set, the change-log pruner."""
        services = self.services
        settings = services.settings
        await self.start()
        tasks: list[asyncio.Task[None]] = []
        opened = contextlib.ExitStack()
        try:
            if demo:
                await load_demo_if_empty(services)
            tasks.append(
                asyncio.create_task(
                    services.network.poll_changes(settings.poll_interval), name="change-poller"
                )
            )
            if settings.analytics == "thread":
                if refresh:
                    tasks.append(
                        asyncio.create_task(services.analytics.run(), name="analytics-refresher")
                    )
                    tasks.append(
                        asyncio.create_task(
                            services.alerts.check_periodically(settings.alert_check_interval),
                            name="alert-clock-check",
                        )
                    )
            else:
                tasks.extend(self._snapshot_tasks(opened))
            if settings.keep_revisions is not None:
                tasks.append(
                    asyncio.create_task(
                        services.network.prune_change_log_periodically(
                            settings.keep_revisions, settings.prune_interval
                        ),
                        name="change-log-pruner",
                    )
                )
            yield
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            opened.close()
            await self.stop()

    def _snapshot_tasks(self, opened: contextlib.ExitStack) -> list[asyncio.Task[None]]:
        """The tasks of analytics computed in another process: the follower of the snapshot
        directory and the worker process this server asks for the past analytics: with
        ``process`` the one writing into the directory, with ``follow`` one computing only
        those."""
        from stakenet.services.snapshots import PastFromWorker, SnapshotFollower, WorkerProcess

        settings = self.services.settings
        tasks = []

        def private_directory() -> Path:
            # Its worker removes it too when this server ends without removing it (killed).
            temporary = tempfile.TemporaryDirectory(prefix="stakenet-", ignore_cleanup_errors=True)
            return Path(opened.enter_context(temporary))

        given = settings.snapshot_dir
        directory = Path(given) if given is not None else private_directory()
        worker = None
        if settings.analytics == "process":
            assert self.url is not None
            worker = WorkerProcess(
                analytics_worker_command(directory, settings, private=given is None),
                {"STAKENET_DATABASE_URL": self.url.text()},
            )
        elif self.url is not None:
            # The followed directory may be read-only here: the answers go to one of our own.
            worker = WorkerProcess(
                analytics_worker_command(
                    private_directory(), settings, private=True, past_only=True
                ),
                {"STAKENET_DATABASE_URL": self.url.text()},
            )
        if worker is not None:
            tasks.append(asyncio.create_task(worker.run(), name="analytics-worker"))
            # Past analytics are whole snapshots too: this process never computes them.
            self.services.analytics.past_from = PastFromWorker(worker)
        follower = SnapshotFollower(self.services.analytics, directory)
        tasks.append(asyncio.create_task(follower.run(), name="snapshot-follower"))
        return tasks


ANALYTICS_MODES = ("thread", "process", "follow")


def assemble(
    store: Store, settings: Settings | None = None, url: DatabaseUrl | None = None
) -> Runtime:
    """Every service around `store`, built but not started."""
    from stakenet.services.alerts import AlertService
    from stakenet.services.analytics import AnalyticsService
    from stakenet.services.container import Services, Settings
    from stakenet.services.network import NetworkService

    settings = settings or Settings()
    check_analytics_settings(settings, url)
    network = NetworkService(store)
    analytics = AnalyticsService(
        network, debounce=settings.analytics_debounce, computes=settings.analytics == "thread"
    )
    services = Services(
        network=network,
        analytics=analytics,
        access=build_access(store),
        alerts=AlertService(analytics, store),
        settings=settings,
    )
    return Runtime(store, services, url)


def check_analytics_settings(settings: Settings, url: DatabaseUrl | None) -> None:
    if settings.analytics not in ANALYTICS_MODES:
        raise ConfigError(
            f"Analytics mode '{settings.analytics}' is unknown; use thread, process or follow."
        )
    if settings.analytics == "follow" and settings.snapshot_dir is None:
        raise ConfigError("'--analytics follow' needs the --snapshot-dir a worker writes into.")
    if settings.analytics == "process":
        if url is None:
            raise ConfigError("Analytics in a process need the database's URL.")
        if url.scheme == "sqlite" and url.location == ":memory:":
            raise ConfigError(
                "An in-memory database is private to one process; use '--analytics thread' "
                "or a database file."
            )


# How much lower a server's own analytics worker runs than the server (`nice`): when the cores
# are busy the operating system runs the requests first and the next snapshot a little later,
# which is what the freshness rule allows; an idle core still goes to the worker whole.
WORKER_NICENESS = 10


def analytics_worker_command(
    directory: Path, settings: Settings, *, private: bool = False, past_only: bool = False
) -> list[str]:
    """The `stakenet analytics` command a server runs as its child, given the database URL in
    its environment (never on its command line, which any local user may read); with
    `private`, the directory is the server's own, which the worker removes when it ends; with
    `past_only`, the worker computes only the past analytics the server asks for."""
    level = logging.getLevelName(logging.getLogger().getEffectiveLevel()).lower()
    return [
        sys.executable, "-m", "stakenet.cli", "analytics",
        "--snapshot-dir", str(directory),
        "--analytics-debounce", repr(settings.analytics_debounce),
        "--poll-interval", repr(settings.poll_interval),
        "--alert-check-interval", repr(settings.alert_check_interval),
        "--keep", str(settings.snapshots_kept),
        "--log-level", level if level in {"debug", "info", "warning", "error"} else "warning",
        "--nice", str(WORKER_NICENESS),
        "--parent-watch", *(["--remove-snapshot-dir"] if private else []),
        *(["--past-only"] if past_only else []),
    ]  # fmt: skip


def build_runtime(url: DatabaseUrl, settings: Settings | None = None) -> Runtime:
    return assemble(build_store(url), settings, url)


async def run_analytics_worker(
    url: DatabaseUrl,
    settings: Settings,
    directory: Path,
    stopped: asyncio.Event,
    questions: tuple[asyncio.Queue[bytes], Callable[[bytes], object]] | None = None,
    *,
    past_only: bool = False,
) -> None:
    """Follow the database's change log, compute a snapshot after each settled burst of
    writes (evaluating the alerts) and write each into `directory`, until `stopped`. With
    `questions` (its server's, and how to answer them), also compute the past analytics the
    server asks for (`stakenet.services.snapshots.PastAnswers`); `past_only`, only those."""
    from stakenet.services.snapshots import PastAnswers, SnapshotPublisher

    runtime = build_runtime(url, settings)
    analytics = runtime.services.analytics
    if not past_only:
        publisher = SnapshotPublisher(analytics, directory, settings.snapshots_kept)
    async with runtime.running(refresh=not past_only):
        log.info("analytics worker on %s writing to %s", url.redacted(), directory)
        if not past_only:
            await publisher.remove_unreached(runtime.store.revision)
        if questions is None:
            await stopped.wait()
            return
        queue, reply = questions
        answering = asyncio.create_task(PastAnswers(analytics, directory, reply).run(queue))
        try:
            await stopped.wait()
        finally:
            answering.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await answering


async def load_demo_if_empty(services: Services) -> None:
    from stakenet.demo import load_demo_document
    from stakenet.domain.access import SYSTEM
    from stakenet.services.access import acting_as
    from stakenet.services.transfer import import_document

    counts = await services.network.counts()
    if counts.stakeholders == 0:
        with acting_as(SYSTEM):
            summary = await import_document(services.network, load_demo_document())
        log.info(
            "demo network loaded: %d stakeholders, %d ties, %d interactions",
            summary.stakeholders_created,
            summary.ties_created,
            summary.interactions_created,
        )
