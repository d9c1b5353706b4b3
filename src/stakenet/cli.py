"""The `stakenet` command: serve, import, export, schema, migrate."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import ipaddress
import json
import logging
import math
import os
import select
import shutil
import signal
import socket
import stat
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, TextIO, TypeVar

from stakenet import __version__
from stakenet.bootstrap import (
    WORKER_NICENESS,
    ConfigError,
    DatabaseUrl,
    build_access,
    database_url,
    opened_store,
)
from stakenet.domain.access import LOCAL_USER, ApiToken, AuditEntry, Role
from stakenet.domain.errors import ImportRejected, StakenetError
from stakenet.domain.interchange import ImportMode
from stakenet.services.access import acting_as
from stakenet.services.settings import Settings

if TYPE_CHECKING:
    from stakenet.store.port import Store

DEFAULT_PORT = 8000
R = TypeVar("R")
# Audit entries read at a time by `stakenet audit export`, each with all its ids.
AUDIT_EXPORT_PAGE = 20


class ProgressBar:
    """A one-line progress bar of an import on a terminal (one closing line elsewhere).

    `done` and `total` count rows (`total` 0 while unknown; the last call has done == total).
    With the file being read, the bar shows how much of it has been read.
    """

    def __init__(self, stream: TextIO, source: BinaryIO | None = None) -> None:
        self.stream = stream
        self.last_draw = 0.0
        self.tty = stream.isatty()
        self.source = source
        self.size = _file_size(source)

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        finished = total > 0 and done >= total
        if not finished and now - self.last_draw < 0.1:
            return
        self.last_draw = now
        if finished:
            fraction = 1.0
        elif total:
            fraction = done / total
        elif self.size and self.source is not None:
            fraction = min(self.source.tell() / self.size, 1.0)
        else:
            fraction = 0.0
        filled = int(fraction * 30)
        line = f"{stage:<9} [{'#' * filled}{'.' * (30 - filled)}] {fraction:4.0%} {done:>11,} rows"
        if self.tty:
            self.stream.write("\r" + line + ("\n" if finished else ""))
        elif finished:
            self.stream.write(line + "\n")
        self.stream.flush()

    def break_line(self) -> None:
        """End a bar left unfinished on a terminal, so that what is printed next has a line of
        its own."""
        if self.tty and self.last_draw:
            self.stream.write("\n")
            self.stream.flush()


def _file_size(source: BinaryIO | None) -> int | None:
    """The size of a regular file being read; None for a pipe or a terminal."""
    if source is None:
        return None
    try:
        status = os.fstat(source.fileno())
    except (OSError, ValueError):
        return None
    return status.st_size if stat.S_ISREG(status.st_mode) else None


def _count(text: str) -> int:
    """An argument that is a whole number, 0 or more."""
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number, 0 or more, not {text!r}")
    return int(text)


def _at_least_one(text: str) -> int:
    """An argument that is a whole number, 1 or more."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number, 1 or more, not {text!r}")
    return int(text)


def _niceness(text: str) -> int:
    """How much lower a process's CPU priority goes: 0 to 19, as `nice` takes it."""
    if not text.isdigit() or int(text) > 19:
        raise argparse.ArgumentTypeError(f"expected a whole number from 0 to 19, not {text!r}")
    return int(text)


def _port(text: str) -> int:
    """A TCP port to listen on: a port outside 1 to 65535 would be bound as another one (the
    socket layer keeps its low 16 bits), or as any free port for 0, not the one announced."""
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 1 to 65535, not {text!r}")
    return int(text)


def _seconds_argument(*, zero_allowed: bool) -> Callable[[str], float]:
    """An argument type: a finite number of seconds above 0 (or 0 too, if `zero_allowed`)."""
    wanted = "0 or more" if zero_allowed else "above 0"

    def parse(text: str) -> float:
        try:
            seconds = float(text)
        except ValueError:
            seconds = math.nan
        # NaN fails both comparisons.
        if not (seconds >= 0 if zero_allowed else seconds > 0) or seconds == math.inf:
            raise argparse.ArgumentTypeError(f"expected a number of seconds {wanted}, not {text!r}")
        return seconds

    return parse


_seconds = _seconds_argument(zero_allowed=False)
_delay = _seconds_argument(zero_allowed=True)


def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="URL",
        help="database URL: sqlite:///path.db (default: sqlite:///stakenet.db, or "
        "$STAKENET_DATABASE_URL)",
    )


def _add_following(parser: argparse.ArgumentParser) -> None:
    """How a server or the analytics worker follows the change log and refreshes."""
    parser.add_argument(
        "--poll-interval",
        type=_seconds,
        default=Settings().poll_interval,
        help="seconds between reads of the change log (writes by other processes; "
        "default: %(default)s)",
    )
    parser.add_argument(
        "--analytics-debounce",
        type=_delay,
        default=Settings().analytics_debounce,
        help="seconds the analytics wait for a burst of writes to settle before recomputing "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--alert-check-interval",
        type=_seconds,
        default=Settings().alert_check_interval,
        metavar="SECONDS",
        help="seconds between refreshes that evaluate the alerts against the clock, without "
        "writes (default 86400: daily)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stakenet", description="Stakeholder network mapping for relationship managers."
    )
    parser.add_argument("--version", action="version", version=f"stakenet {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the GraphQL service")
    _add_db(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=DEFAULT_PORT, help="port (default 8000)")
    serve.add_argument(
        "--demo", action="store_true", help="load the demo network into an empty store"
    )
    serve.add_argument(
        "--production", action="store_true", help="no IDE, no introspection, no field suggestions"
    )
    _add_following(serve)
    serve.add_argument(
        "--keep-revisions",
        type=_count,
        default=None,
        metavar="N",
        help="prune the change log to its newest N revisions at start and every "
        "--prune-interval (default: keep them all; see 'stakenet log prune')",
    )
    serve.add_argument(
        "--prune-interval",
        type=_seconds,
        default=Settings().prune_interval,
        metavar="SECONDS",
        help="seconds between prunings of the change log (default 3600)",
    )
    serve.add_argument(
        "--analytics",
        choices=["process", "thread", "follow"],
        default="process",
        help="where the analytics snapshots are computed: process, a worker process of this "
        "server's; thread, in this process; follow, elsewhere: adopt the snapshot files a "
        "'stakenet analytics' worker writes into --snapshot-dir (default process)",
    )
    serve.add_argument(
        "--snapshot-dir",
        type=Path,
        metavar="DIR",
        help="the snapshot directory a worker writes and servers follow (default with process: "
        "a private temporary directory)",
    )
    serve.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    serve.add_argument(
        "--log-format", default="text", choices=["text", "json"], help="json: one object a line"
    )
    serve.add_argument(
        "--allow-anonymous",
        action="store_true",
        help="serve a non-loopback address although no API token exists (anyone can write)",
    )
    serve.add_argument(
        "--rate-limit",
        type=_count,
        default=Settings().rate_limit_per_minute,
        help="requests a minute per token or client address (0: off; default: %(default)s)",
    )
    serve.add_argument(
        "--rate-burst",
        type=_at_least_one,
        metavar="N",
        help="requests a token or client address may send at once before the rate applies "
        f"(default: the rate, at most {Settings().rate_limit_burst})",
    )
    limits = serve.add_argument_group("query limits (docs/api.md)")
    defaults = Settings()
    # A limit below 1 (or a deadline of no time) would refuse every operation.
    for flag, kind, help_text in (
        ("--max-depth", _at_least_one, "deepest operation"),
        ("--max-aliases", _count, "aliases in one document"),
        ("--max-tokens", _at_least_one, "tokens in one document"),
        ("--max-fields", _at_least_one, "fields in one document, fragments counted where spread"),
        ("--max-directives", _count, "directives in one document"),
        ("--max-maps", _count, "relationship maps in one document"),
        ("--max-body-bytes", _at_least_one, "request body size"),
        ("--execution-deadline", _seconds, "seconds one operation may run"),
    ):
        default = getattr(defaults, flag[2:].replace("-", "_"))
        limits.add_argument(flag, type=kind, default=default, help=f"{help_text} ({default})")

    worker = commands.add_parser(
        "analytics",
        help="compute the analytics snapshots after each burst of writes into a directory "
        "that servers with '--analytics follow' read",
    )
    _add_db(worker)
    worker.add_argument(
        "--snapshot-dir", type=Path, required=True, metavar="DIR", help="where to write them"
    )
    _add_following(worker)
    worker.add_argument(
        "--keep",
        type=_count,
        default=Settings().snapshots_kept,
        metavar="N",
        help="snapshot files to keep, newest first (default 3)",
    )
    worker.add_argument(
        "--log-level", default="info", choices=["debug", "info", "warning", "error"]
    )
    worker.add_argument(
        "--parent-watch",
        action="store_true",
        help="stop when standard input ends or the parent process goes (a server's child)",
    )
    worker.add_argument(
        "--remove-snapshot-dir",
        action="store_true",
        help="with --parent-watch: remove the snapshot directory when stopping because the "
        "parent went (the directory is the server's own)",
    )
    worker.add_argument(
        "--nice",
        type=_niceness,
        default=0,
        metavar="N",
        help="lower this process's CPU priority by N (0-19) so that servers on the same host "
        "come first when the cores are busy (a server's own worker runs at "
        f"{WORKER_NICENESS}; default 0)",
    )
    worker.add_argument(
        "--past-only",
        action="store_true",
        help="with --parent-watch: compute only the past analytics (asOf) the parent server "
        "asks for, no snapshot after each write (a server with '--analytics follow' runs one)",
    )

    importer = commands.add_parser(
        "import", help="import an interchange JSON document or a CSV export"
    )
    _add_db(importer)
    importer.add_argument(
        "file",
        type=Path,
        help="the JSON document ('-' for standard input), or a CSV export: a directory or a "
        ".zip of stakeholders.csv, ties.csv and interactions.csv",
    )
    importer.add_argument(
        "--replace",
        action="store_true",
        help="a row replaces the whole record it matches (fields it leaves out are cleared); "
        "by default it is merged, and fields it leaves out are kept",
    )

    exporter = commands.add_parser("export", help="export the network as an interchange document")
    _add_db(exporter)
    exporter.add_argument(
        "--format",
        choices=["json", "graphml", "csv"],
        default="json",
        help="json: the interchange document; graphml: stakeholders and ties; "
        "csv: one file per section into the directory given by -o, or into a zip archive if "
        "its name ends in .zip",
    )
    exporter.add_argument(
        "-o",
        "--output",
        type=Path,
        help="file to write (default: stdout); a directory or a .zip for csv",
    )

    migrate = commands.add_parser("migrate", help="create or upgrade the database schema")
    _add_db(migrate)

    commands.add_parser("schema", help="print the GraphQL schema (SDL)")

    token = commands.add_parser("token", help="manage API tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True)
    create = token_commands.add_parser("create", help="create a token; prints it once")
    _add_db(create)
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.add_argument("--name", help="a name for the token (default: <role>-<date>)")
    expiry = create.add_mutually_exclusive_group()
    expiry.add_argument(
        "--expires-in",
        metavar="DAYS",
        help="the token stops working this many days from now (a whole number, at least 1)",
    )
    expiry.add_argument(
        "--expires-at",
        metavar="WHEN",
        help="the token stops working at this ISO date (its midnight, UTC) or instant, e.g. "
        "2027-03-31 or 2027-03-31T17:00:00+01:00 (default: it never expires)",
    )
    listing = token_commands.add_parser("list", help="list tokens (never their secrets)")
    _add_db(listing)
    revoke = token_commands.add_parser("revoke", help="revoke a token by name")
    _add_db(revoke)
    revoke.add_argument("name")

    audit = commands.add_parser("audit", help="the audit trail")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    audit_export = audit_commands.add_parser("export", help="export the audit log as JSON lines")
    _add_db(audit_export)
    audit_export.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")

    change_log = commands.add_parser("log", help="the change log replicas follow")
    log_commands = change_log.add_subparsers(dest="log_command", required=True)
    prune = log_commands.add_parser(
        "prune",
        help="forget the changes of all but the newest revisions; replicas behind them read "
        "the whole network again",
    )
    _add_db(prune)
    prune.add_argument(
        "--keep-revisions", type=_count, required=True, metavar="N", help="revisions to keep"
    )
    return parser


@contextlib.contextmanager
def _cycle_collection_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for a bulk import.

    An import holds millions of objects until it ends (the document, its rows, the batch), and
    the collector would walk all of them again and again, for about a third of the import's
    time, finding next to nothing to free; plain reference counting still frees the rest.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


async def _import(url: DatabaseUrl, file: Path, mode: ImportMode) -> int:
    with _cycle_collection_paused():
        return await _import_document(url, file, mode)


async def _import_document(url: DatabaseUrl, file: Path, mode: ImportMode) -> int:
    from stakenet.services.formats import is_csv_export, opened_csv_export
    from stakenet.services.transfer import import_csv, import_stream

    with contextlib.ExitStack() as opened:
        try:
            if str(file) != "-" and is_csv_export(file):
                source = None
                export = opened.enter_context(opened_csv_export(file))
            else:
                source = sys.stdin.buffer if str(file) == "-" else file.open("rb")
                if source is not sys.stdin.buffer:
                    opened.callback(source.close)
        except OSError as error:
            print(f"stakenet: cannot read {file}: {error}", file=sys.stderr)
            return 2
        except ImportRejected as rejected:
            return _rejected(rejected)
        # Only the store: a projection built here would be thrown away when the command
        # exits (a running server follows the change log on its own).
        progress = ProgressBar(sys.stderr, source)
        try:
            async with opened_store(url) as store:
                if source is None:
                    summary = await import_csv(store, export, progress, mode=mode)
                else:
                    summary = await import_stream(store, source, progress, mode=mode)
        except ImportRejected as rejected:
            progress.break_line()
            return _rejected(rejected)
        except OSError as error:
            print(f"stakenet: cannot read {file}: {error}", file=sys.stderr)
            return 2
    counts = "; ".join(
        f"{section} {created} new, {changed} changed, {unchanged} unchanged"
        for section, (created, changed, unchanged) in summary.by_section().items()
    )
    print(f"Imported at revision {summary.revision}: {counts}.")
    return 0


def _rejected(rejected: ImportRejected) -> int:
    issues = rejected.issues
    if len(issues) == 1 and not issues[0].path:
        # The document as a whole (unreadable, not an object): one line says it.
        print(f"Import rejected; nothing was written: {issues[0].message}", file=sys.stderr)
        return 1
    print(f"Import rejected; nothing was written. {len(issues)} problem(s):", file=sys.stderr)
    for issue in issues:
        print(f"  {issue.path or '(document)'}: {issue.message}", file=sys.stderr)
    return 1


class _OutputUnwritable(Exception):
    """An export's output file or directory cannot be written."""

    def __init__(self, path: Path, error: OSError) -> None:
        super().__init__(path, error)
        self.path = path
        self.reason = error.strerror or str(error)


async def _write_output(path: Path, write: Callable[[], object]) -> None:
    """Run `write` off the event loop; an OS error is the output's, said plainly."""
    try:
        await asyncio.to_thread(write)
    except OSError as error:
        raise _OutputUnwritable(path, error) from error


async def _export(url: DatabaseUrl, output: Path | None, export_format: str) -> int:
    from stakenet.services.formats import to_csv, to_graphml, write_csv_zip
    from stakenet.services.transfer import export_document

    if export_format == "csv" and output is None:
        print("stakenet: --format csv writes one file per section; give a directory or a .zip "
              "with -o.", file=sys.stderr)  # fmt: skip
        return 2
    document = await _with_store(url, export_document)
    if export_format == "csv":
        assert output is not None
        files = to_csv(document)

        def write_all() -> None:
            if output.suffix.lower() == ".zip":
                write_csv_zip(output, files)
                return
            output.mkdir(parents=True, exist_ok=True)
            for name, text in files.items():
                (output / name).write_text(text, encoding="utf-8")

        await _write_output(output, write_all)
        return 0
    if export_format == "graphml":
        text = to_graphml(document)
    else:
        text = json.dumps(document, ensure_ascii=False, indent=1) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        await _write_output(output, lambda: output.write_text(text, encoding="utf-8"))
    return 0


async def _migrate(url: DatabaseUrl) -> int:
    # Opening the store applies the migrations it has not applied yet.
    revision = await _with_store(url, lambda store: store.revision())
    print(f"Schema up to date on {url.redacted()} (graph revision {revision}).")
    return 0


async def _with_store(url: DatabaseUrl, work: Callable[[Store], Awaitable[R]]) -> R:
    """Run `work` on the open store alone: no projection, no analytics."""
    async with opened_store(url) as store:
        return await work(store)


class _BadExpiry(Exception):
    """An expiry flag's value that names no future instant."""


def _token_expiry(args: argparse.Namespace, now: datetime) -> datetime | None:
    """The instant `--expires-in` or `--expires-at` names; _BadExpiry unless it is to come."""
    if args.expires_in is not None:
        text = args.expires_in.strip()
        days = int(text) if text.isascii() and text.isdigit() else 0
        if not 1 <= days <= 36_500:
            raise _BadExpiry(
                "--expires-in takes a whole number of days from 1 to 36500; "
                f"got '{args.expires_in}'."
            )
        return now + timedelta(days=days)
    if args.expires_at is None:
        return None
    try:
        moment = datetime.fromisoformat(args.expires_at.strip())
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise _BadExpiry(
            "--expires-at takes an ISO date or instant such as 2027-03-31 or "
            f"2027-03-31T17:00:00+01:00; got '{args.expires_at}'."
        ) from None
    if moment <= now:
        raise _BadExpiry(
            f"--expires-at {args.expires_at} has passed; a token's expiry must be in the future."
        )
    return moment


def _token_state(token: ApiToken, now: datetime) -> str:
    if token.revoked_at is not None:
        return f"revoked {token.revoked_at:%Y-%m-%d}"
    if token.expires_at is not None and token.expired(now):
        return f"expired {token.expires_at:%Y-%m-%d}"
    return "active"


async def _token(args: argparse.Namespace, url: DatabaseUrl) -> int:
    expires_at = None
    if args.token_command == "create":
        try:
            # Before the store opens: a refused expiry creates no database and no token.
            expires_at = _token_expiry(args, datetime.now(UTC))
        except _BadExpiry as refused:
            print(f"stakenet: {refused}", file=sys.stderr)
            return 2

    async def work(store: Store) -> int:
        access = build_access(store)
        if args.token_command == "create":
            role = Role(args.role)
            name = args.name or f"{role.value}-{datetime.now(UTC):%Y%m%d-%H%M%S}"
            token, secret = await access.create_token(name, role, expires_at)
            expiry = (
                f" It expires at {token.expires_at:%Y-%m-%dT%H:%M:%SZ}."
                if token.expires_at is not None
                else ""
            )
            print(
                f"Created {token.role.value} token '{token.name}'.{expiry} It is shown only once:"
            )
            print(secret)
        elif args.token_command == "list":
            tokens = await access.list_tokens()
            if not tokens:
                # On stderr: a script reading the listing reads no rows.
                print(
                    "No tokens yet: create one with `stakenet token create --role ROLE`.",
                    file=sys.stderr,
                )
            now = datetime.now(UTC)
            for token in tokens:
                state = _token_state(token, now)
                expires = (
                    "never"
                    if token.expires_at is None
                    else f"{token.expires_at:%Y-%m-%dT%H:%M:%SZ}"
                )
                print(
                    f"{token.name}\t{token.role.value}\t{token.created_at:%Y-%m-%d}\t{state}"
                    f"\texpires {expires}"
                )
        else:
            token = await access.revoke_token(args.name)
            print(f"Revoked token '{token.name}'.")
        return 0

    return await _with_store(url, work)


async def _audit_export(url: DatabaseUrl, output: Path | None) -> int:
    def lines(entries: list[AuditEntry]) -> str:
        return "".join(
            json.dumps(
                {
                    "seq": entry.seq,
                    "at": entry.at.isoformat(),
                    "actor": entry.actor,
                    "operation": entry.operation,
                    "revision": entry.revision,
                    "entityIds": list(entry.entity_ids),
                    "fields": list(entry.fields),
                    "detail": entry.detail,
                },
                ensure_ascii=False,
            )
            + "\n"
            for entry in entries
        )

    async def export(store: Store, sink: TextIO) -> None:
        # Every id of every entry, a page at a time: an import's entry may name millions.
        after = 0
        while batch := await store.audit_entries(after, AUDIT_EXPORT_PAGE):
            await asyncio.to_thread(sink.write, lines(batch))
            after = batch[-1].seq or after

    async def work(store: Store) -> int:
        if output is None:
            await export(store, sys.stdout)
            return 0
        # Whole or not at all: a failed export leaves no truncated file behind.
        partial = output.with_name(output.name + ".partial")
        try:
            with partial.open("w", encoding="utf-8") as sink:
                await export(store, sink)
            partial.replace(output)
        except BaseException as error:
            with contextlib.suppress(OSError):  # there may be no file, nor even a directory
                partial.unlink(missing_ok=True)
            if isinstance(error, OSError):
                raise _OutputUnwritable(output, error) from error
            raise
        return 0

    return await _with_store(url, work)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


async def _prune_log(url: DatabaseUrl, keep_revisions: int) -> int:
    async def work(store: Store) -> int:
        horizon = await store.prune_change_log(keep_revisions)
        revision = await store.revision()
        print(
            f"The change log keeps the changes after revision {horizon} "
            f"(the graph is at revision {revision}); a replica behind them reads the whole "
            "network again."
        )
        return 0

    return await _with_store(url, work)


async def _active_tokens(url: DatabaseUrl) -> int:
    async def work(store: Store) -> int:
        return await store.active_token_count()

    return await _with_store(url, work)


def _refuse_shared_snapshot_dir(directory: Path | None) -> bool:
    """True, after saying why on standard error, if any user can write to `directory`.

    Snapshot files are pickles, and loading a pickle can run code: whoever can put a file
    there can run code as the server that adopts it. A directory that does not exist yet is
    created by the worker, writable by its user alone.
    """
    if directory is None:
        return False
    try:
        mode = directory.stat().st_mode
        # A read-only mount (a replica's view of the worker's volume) is written by no one here.
        read_only = bool(os.statvfs(directory).f_flag & os.ST_RDONLY)
    except OSError:  # missing (the worker creates it), or not a directory (refused later)
        return False
    if not mode & stat.S_IWOTH or read_only:
        return False
    print(
        f"stakenet: refusing the snapshot directory {directory}: any user can write to it "
        f"(mode {stat.S_IMODE(mode):04o}), and a snapshot file that loads runs as this "
        f"user. Give it a directory only its worker and servers can write to "
        f"(chmod o-w {directory}).",
        file=sys.stderr,
    )
    return True


def _refuse_unwritable_snapshot_dir(directory: Path) -> bool:
    """True, after saying why on standard error, if no snapshot file can be written into
    `directory` (created if missing): a worker that cannot write would compute for nothing."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        # A name starting with a dot, as a file being written has: no follower reads it.
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".writable-"):
            pass
    except OSError as error:
        print(
            f"stakenet: cannot write snapshot files into {directory}: {error.strerror or error}.",
            file=sys.stderr,
        )
        return True
    return False


def _refuse_unavailable_address(host: str, port: int) -> bool:
    """True, after saying why on standard error, if nothing can listen on `host`:`port` (in use,
    not an address of this machine, not allowed): found before the store, the projection and
    the analytics worker are started for nothing, and said in one line."""
    try:
        family, kind, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind) as probe:
            # As uvicorn binds: a port whose last connections are closing is free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as error:
        reason = error.strerror or str(error)
        print(f"stakenet: cannot listen on {host} port {port}: {reason}.", file=sys.stderr)
        return True
    return False


def _analytics_worker(args: argparse.Namespace, url: DatabaseUrl) -> int:
    from stakenet.bootstrap import run_analytics_worker

    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if args.keep < 1:
        print("stakenet: --keep must keep at least one snapshot file.", file=sys.stderr)
        return 2
    if args.past_only and not args.parent_watch:
        print(
            "stakenet: --past-only answers a parent server: it needs --parent-watch.",
            file=sys.stderr,
        )
        return 2
    if _refuse_shared_snapshot_dir(args.snapshot_dir) or _refuse_unwritable_snapshot_dir(
        args.snapshot_dir
    ):
        return 2
    if args.nice:
        os.nice(args.nice)
    settings = Settings(
        analytics_debounce=args.analytics_debounce,
        poll_interval=args.poll_interval,
        alert_check_interval=args.alert_check_interval,
        snapshots_kept=args.keep,
    )

    async def work() -> int:
        stopped = asyncio.Event()
        loop = asyncio.get_running_loop()

        # The server's own directory goes with the server, however it ended: a killed server
        # cannot remove it.
        parent_gone = threading.Event()

        def remove_private_directory() -> None:
            if args.remove_snapshot_dir and parent_gone.is_set():
                shutil.rmtree(args.snapshot_dir, ignore_errors=True)

        def stop() -> None:
            stopped.set()
            _exit_after(WORKER_STOP_GRACE, remove_private_directory)

        def parent_went() -> None:
            parent_gone.set()
            loop.call_soon_threadsafe(stop)

        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop)
        questions: tuple[asyncio.Queue[bytes], Callable[[bytes], object]] | None = None
        if args.parent_watch:
            # The server's questions come on standard input, the answers go on standard output.
            queue: asyncio.Queue[bytes] = asyncio.Queue()
            _watch_parent(
                parent_went, lambda line: loop.call_soon_threadsafe(queue.put_nowait, line)
            )
            questions = (queue, _answer_parent)
        try:
            await run_analytics_worker(
                url, settings, args.snapshot_dir, stopped, questions, past_only=args.past_only
            )
        finally:
            remove_private_directory()
        return 0

    return asyncio.run(work())


def _answer_parent(line: bytes) -> None:
    sys.stdout.buffer.write(line)
    sys.stdout.buffer.flush()


# Seconds the analytics worker may take to stop before it ends outright: a refresh in its
# worker thread cannot be interrupted and may take minutes, and a file it was writing is only
# a temporary one.
WORKER_STOP_GRACE = 3.0


def _exit_after(seconds: float, before: Callable[[], object]) -> None:
    def end() -> None:
        before()
        os._exit(0)

    timer = threading.Timer(seconds, end)
    timer.daemon = True
    timer.start()


def _watch_parent(stop: Callable[[], object], hear: Callable[[bytes], object]) -> None:
    """Call `stop` when standard input ends (its other end is the server's alone, closed when
    the server ends however it ends) or the parent process changes, and `hear` with each line
    the server writes on it (a question, `stakenet.services.snapshots.PastAnswers`)."""
    parent = os.getppid()

    def watch() -> None:
        stdin = sys.stdin.buffer
        pending = b""
        while os.getppid() == parent:
            readable, _, _ = select.select([stdin], [], [], 1.0)
            if not readable:
                continue
            data = os.read(stdin.fileno(), 65536)
            if not data:
                break
            *lines, pending = (pending + data).split(b"\n")
            for line in lines:
                hear(line)
        logging.getLogger("stakenet.worker").info("the server went away; stopping")
        stop()

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _serve(args: argparse.Namespace, url: DatabaseUrl) -> int:
    import uvicorn

    from stakenet.api.access import JsonFormatter
    from stakenet.app import create_app

    logging.basicConfig(
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s",
    )
    if args.log_format == "json":
        for handler in logging.getLogger().handlers:
            handler.setFormatter(JsonFormatter())
    # Opening the store before uvicorn also proves the database can be used: a failure inside
    # uvicorn's startup would be a traceback and exit 3, not the one line every command gives.
    active_tokens = asyncio.run(_active_tokens(url))
    anonymous_exposed = not is_loopback(args.host) and not args.allow_anonymous
    if anonymous_exposed and active_tokens == 0:
        print(
            f"stakenet: refusing to serve {args.host} without API tokens: anyone who can "
            "reach it could read and change the network. Create one with "
            "'stakenet token create --role admin', or pass --allow-anonymous.",
            file=sys.stderr,
        )
        return 2
    if _refuse_shared_snapshot_dir(args.snapshot_dir):
        return 2
    # A server in process mode has its worker write there; a follower only reads.
    if (
        args.analytics == "process"
        and args.snapshot_dir is not None
        and _refuse_unwritable_snapshot_dir(args.snapshot_dir)
    ):
        return 2
    settings = Settings(
        production=args.production,
        poll_interval=args.poll_interval,
        keep_revisions=args.keep_revisions,
        prune_interval=args.prune_interval,
        analytics_debounce=args.analytics_debounce,
        analytics=args.analytics,
        snapshot_dir=str(args.snapshot_dir) if args.snapshot_dir else None,
        alert_check_interval=args.alert_check_interval,
        max_depth=args.max_depth,
        max_aliases=args.max_aliases,
        max_tokens=args.max_tokens,
        max_fields=args.max_fields,
        max_directives=args.max_directives,
        max_maps=args.max_maps,
        max_body_bytes=args.max_body_bytes,
        execution_deadline=args.execution_deadline,
        rate_limit_per_minute=args.rate_limit,
        rate_limit_burst=(
            args.rate_burst
            if args.rate_burst is not None
            else min(args.rate_limit, Settings().rate_limit_burst)
        ),
    )
    app = create_app(url, settings, demo=args.demo)
    if _refuse_unavailable_address(args.host, args.port):
        return 2
    # An IPv6 address is bracketed in a URL.
    address = f"http://{f'[{args.host}]' if ':' in args.host else args.host}:{args.port}"
    print(
        f"stakenet serving the explorer at {address}/ and GraphQL at {address}/graphql",
        file=sys.stderr,
        flush=True,
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, access_log=False)
    return 0


async def _command(args: argparse.Namespace, url: DatabaseUrl) -> int:
    if args.command == "import":
        mode = ImportMode.REPLACE if args.replace else ImportMode.MERGE
        return await _import(url, args.file, mode)
    if args.command == "export":
        return await _export(url, args.output, args.format)
    if args.command == "token":
        return await _token(args, url)
    if args.command == "audit":
        return await _audit_export(url, args.output)
    if args.command == "log":
        return await _prune_log(url, args.keep_revisions)
    return await _migrate(url)


def _reads_an_existing_database(args: argparse.Namespace) -> bool:
    """Whether the command only reads or changes what a database holds: opening a database file
    that is not there would create an empty one, and a mistyped path would export nothing."""
    if args.command == "token":
        return bool(args.token_command != "create")
    return bool(args.command in {"export", "audit", "log"})


def _missing_database_file(url: DatabaseUrl) -> Path | None:
    """The SQLite database file `url` names, if it does not exist."""
    if url.scheme != "sqlite" or url.location == ":memory:":
        return None
    path = Path(url.location).expanduser()
    return None if path.exists() else path


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "schema":
            from stakenet.api.schema import build_schema

            sys.stdout.write(build_schema().as_str() + "\n")
            return 0
        url = database_url(args.db)
        if args.command == "serve":
            return _serve(args, url)
        if args.command == "analytics":
            return _analytics_worker(args, url)
        if _reads_an_existing_database(args) and (missing := _missing_database_file(url)):
            print(
                f"stakenet: there is no database at {missing}; 'stakenet migrate' or "
                "'stakenet import' creates one.",
                file=sys.stderr,
            )
            return 2
        # Whoever can open the database is its local operator, the actor of the audit entries.
        with acting_as(LOCAL_USER):
            return asyncio.run(_command(args, url))
    except (ConfigError, StakenetError) as error:
        print(f"stakenet: {error}", file=sys.stderr)
        return 2
    except _OutputUnwritable as error:
        print(f"stakenet: cannot write {error.path}: {error.reason}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`stakenet token list | head -1`): end quietly, as other command
        # line tools do, instead of with a traceback; stdout goes to /dev/null so that the
        # interpreter's own flush at exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        if sys.stderr.isatty():
            sys.stderr.write("\n")  # off the line of a progress bar
        # An import stopped before its commit is rolled back: it is all or nothing.
        kept = "; nothing of the import was written" if args.command == "import" else ""
        print(f"stakenet: interrupted{kept}.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
