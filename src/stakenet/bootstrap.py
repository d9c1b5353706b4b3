"""The composition root: turns a database URL and settings into running services.

Only `app.py` and `cli.py` import this module; it is the one place that knows the concrete
store adapters.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    # Loaded by build_services only: the services bring NetworkX, which a command that only
    # reads or writes the store (`stakenet import`, tokens, the audit export) does without.
    from stakenet.services.container import Services, Settings
    from stakenet.store.port import Store

DEFAULT_DATABASE_URL = "sqlite:///stakenet.db"


class ConfigError(Exception):
    """A setting that cannot work, said plainly."""


@dataclass(frozen=True, slots=True)
class DatabaseUrl:
    scheme: str
    location: str

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


def build_services(url: DatabaseUrl, settings: Settings | None = None) -> Services:
    from stakenet.services.container import Services
    from stakenet.services.network import NetworkService

    return Services.around(NetworkService(build_store(url)), settings)
