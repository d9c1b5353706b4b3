"""The Neo4j database URL split into what the driver needs; the password kept out of reprs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

NEO4J_SCHEMES = frozenset({"bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"})


@dataclass(frozen=True, slots=True)
class Neo4jSettings:
    uri: str  # scheme, host and port only: what the driver connects to
    user: str
    password: str = field(repr=False)
    database: str


def neo4j_settings(url: str, environ: Mapping[str, str]) -> Neo4jSettings:
    """Split `bolt://user:password@host:7687/database` (or neo4j://, neo4j+s://, bolt+s://).

    The URL's user, password and database win; STAKENET_NEO4J_USER, STAKENET_NEO4J_PASSWORD and
    STAKENET_NEO4J_DATABASE in `environ` fill what it leaves out (user and database default to
    "neo4j"). Raises ValueError, never quoting the URL, for one the driver could not use.
    """
    parts = urlsplit(url)
    if parts.scheme not in NEO4J_SCHEMES:
        raise ValueError(f"the scheme must be one of {', '.join(sorted(NEO4J_SCHEMES))}.")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("the port is not a number between 0 and 65535.") from None
    if not parts.hostname:
        raise ValueError("no host is named.")
    if parts.query or parts.fragment:
        raise ValueError("a query string or fragment is not supported.")
    database = unquote(parts.path.strip("/"))
    if "/" in database:
        raise ValueError("the path must be one database name.")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return Neo4jSettings(
        uri=f"{parts.scheme}://{host}" + (f":{port}" if port is not None else ""),
        user=unquote(parts.username or "") or environ.get("STAKENET_NEO4J_USER") or "neo4j",
        password=unquote(parts.password or "") or environ.get("STAKENET_NEO4J_PASSWORD", ""),
        database=database or environ.get("STAKENET_NEO4J_DATABASE") or "neo4j",
    )
