"""The behaviour switches of a running stakenet, which the composition root fills from flags.

A module of its own, so that the command line reads the defaults without loading the services
(and NetworkX with them).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Settings:
    """Behaviour switches the API reads; the composition root fills them from flags."""

    production: bool = False
    poll_interval: float = 0.5
    # The newest revisions of the change log a server keeps, pruning the older ones at start
    # and every `prune_interval` seconds; None keeps them all (`stakenet log prune` by hand).
    keep_revisions: int | None = None
    prune_interval: float = 3600.0
    analytics_debounce: float = 0.3
    # Where the analytics snapshots are computed (docs/scaling.md): "thread" in a worker thread
    # of this process; "process" in a `stakenet analytics` child process writing snapshot
    # files that this process adopts; "follow" nowhere here: the files another process writes
    # into `snapshot_dir` are adopted.
    analytics: str = "thread"
    # The snapshot directory ("process": a private temporary one when None; "follow": needed).
    snapshot_dir: str | None = None
    # Snapshot files a worker keeps, newest first.
    snapshots_kept: int = 3
    # Seconds between the alert clock checks: a refresh without writes, so that causes that
    # come with time alone (a tie cooling as its last interaction ages) are raised.
    alert_check_interval: float = 86_400.0
    # Query limits (docs/api.md): close to graphql-armor's defaults, high enough for GraphiQL's
    # own introspection query and for the deepest operation the explorer sends.
    max_depth: int = 10
    max_aliases: int = 15
    max_tokens: int = 2000
    max_fields: int = 1000
    max_directives: int = 50
    # Each relationship map walks up to its `limit` stakeholders' ties.
    max_maps: int = 3
    # A GraphQL request is a small JSON document; importGraph of a large network belongs to
    # `stakenet import`, so 1 MiB leaves room for a sizeable import while refusing floods early.
    max_body_bytes: int = 1 << 20
    # Seconds one query or mutation may run before the client gets an error instead.
    execution_deadline: float = 10.0
    # Requests a minute per token (per client address without tokens), and the burst allowed;
    # 0 turns rate limiting off.
    rate_limit_per_minute: int = 1200
    rate_limit_burst: int = 200
