"""Queries while the analytics refresh back to back, against the same server left quiet.

    .venv/bin/python -m benchmarks.under_refresh --ties 100000 --shapes crm,regional --duration 30

For each network shape, one `stakenet serve` process (rate limit off) on the imported network;
once its first analytics snapshot exists, two windows of `--duration` seconds each (or those
`--windows` names):

- quiet: no writes, so no refresh runs;
- refreshing: a writer logs one interaction every `--write-interval` seconds (2 s), each write
  starting a refresh, so that on a large network they run back to back.

In both windows, at the same time, a poller sends the trivial query
``{ networkStats { stakeholders } }`` every 50 ms (one at a time), another client asks uncached
`relationshipMap`s one after the other (a different `minStrength` each time, as in
`benchmarks.serving`), and a watcher counts the refreshes completed (the changes of
`networkStats { analyticsRevision }`). With `--maps-as-text` the map client writes the centre
and `minStrength` into the document's text instead of passing them as variables, as a client
built on string templates does: every request is then a document the server has not seen.
The three slowest trivial queries over 50 ms are listed with the time since the last write
started and to the next new snapshot (an adoption; the file was being read for up to tens of
seconds before), and with the serving process's collector passes over 50 ms that overlapped
them (generation, milliseconds, the thread that ran the pass). The collector's full passes in
the serving process come from its `/healthz`.
`--serve-arg` passes an argument on to `stakenet serve` (repeatable, e.g.
``--serve-arg=--analytics-debounce=1``). `--gc-threshold` and `--switch-interval` start the
server with `gc.set_threshold` or `sys.setswitchinterval` called first, to measure what they
would change.

All the clients share one event loop in this process; their own work per request (sending,
parsing a map of 200 stakeholders) is a millisecond or two, small against what is measured.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from benchmarks.measure import (
    PYTHON,
    Row,
    free_port,
    imported_network,
    percentiles,
    process,
    table,
    write_figures,
)
from benchmarks.serving import MAP, column, people_of, shapes_option
from stakenet.demo.synthetic import SHAPES

WINDOWS = ("quiet", "refreshing")
TRIVIAL = "{ networkStats { stakeholders } }"
REVISION = "{ networkStats { analyticsRevision } }"
LOG_INTERACTION = """mutation($input: InteractionInput!) {
  logInteraction(input: $input) { interaction { id } errors { message } } }"""

# Starts `stakenet serve` with the interpreter's collector thresholds or thread switch interval
# set first: a mitigation measured without changing the product.
_WITH_INTERPRETER_SETTINGS = """
import gc, json, sys
from stakenet.cli import main
settings = json.loads(sys.argv[1])
if "gc_threshold" in settings:
    gc.set_threshold(*settings["gc_threshold"])
if "switch_interval" in settings:
    sys.setswitchinterval(settings["switch_interval"])
sys.exit(main(sys.argv[2:]))
"""


# A trivial query slower than this is reported with its distance to the writes and adoptions.
SLOW_TRIVIAL = 0.05


def slowest(
    slow: list[tuple[float, float, float]],
    write_starts: list[float],
    adoptions: list[float],
    slow_passes: list[dict[str, Any]],
    count: int = 3,
) -> str:
    """The `count` slowest of the `slow` (start, seconds, start in Unix time) queries, each with
    the time since the last write started before it and to the next new snapshot seen (a
    snapshot is read for seconds before it is adopted, 30–40 s at 1M ties), and the server's
    slow collector passes (`/healthz`'s `recent_slow_passes`) that overlapped it, so that a
    reader tells which a query met."""

    def around(start: float, seconds: float, wall_start: float) -> str:
        written = [start - moment for moment in write_starts if moment <= start]
        ahead = [moment - start for moment in adoptions if moment >= start]
        since = f"{min(written):.1f} s" if written else "none"
        until = f"{min(ahead):.1f} s" if ahead else "none"
        met = [
            f"gen {found['generation']} {found['ms']:.0f} ms in {found['thread']}"
            for found in slow_passes
            if found["ended_at"] >= wall_start
            and found["ended_at"] - found["ms"] / 1000 <= wall_start + seconds
        ]
        return "; ".join([since, until, *met])

    worst = sorted(slow, key=lambda sample: -sample[1])[:count]
    return ", ".join(f"{sample[1] * 1000:.0f} ({around(*sample)})" for sample in worst) or "none"


class Refused(RuntimeError):
    """An answer with errors, such as a query stopped at the execution deadline."""


async def post(client: httpx.AsyncClient, query: str, variables: Any = None) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query, "variables": variables or {}})
    body: dict[str, Any] = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise Refused(f"{response.status_code}: {response.text[:300]}")
    return body["data"]  # type: ignore[no-any-return]


async def first_snapshot(client: httpx.AsyncClient, patience: float = 1800.0) -> None:
    deadline = time.monotonic() + patience
    while True:
        try:
            if (await post(client, REVISION))["networkStats"]["analyticsRevision"] is not None:
                return
        except httpx.TransportError:
            # A server stalled for longer than its keep-alive timeout (a full collector pass
            # of seconds while it loads a large network) may close the connection under a
            # request; the next one opens a new connection.
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"no analytics snapshot in {patience:.0f} s")
        await asyncio.sleep(0.5)


async def every(period: float, until: float, act: Callable[[], Awaitable[None]]) -> None:
    """Run `act` every `period` seconds until `until` (monotonic), one at a time: a late one
    is followed at once by the next, never by several at the same time."""
    start = time.monotonic()
    for tick in itertools.count():
        due = start + tick * period
        now = time.monotonic()
        if due >= until or now >= until:
            return
        if due > now:
            await asyncio.sleep(due - now)
        await act()


async def timed(
    samples: list[float], client: httpx.AsyncClient, query: str, variables: Any = None
) -> None:
    """Ask `query` and add the seconds it took to `samples`, also when it failed: a client
    waited for those too."""
    started = time.perf_counter()
    try:
        await post(client, query, variables)
    finally:
        samples.append(time.perf_counter() - started)


async def collector(base: str) -> dict[str, Any] | None:
    """The serving process's collector report, or None if its /healthz has none."""
    async with httpx.AsyncClient(base_url=base, timeout=60.0) as client:
        found: dict[str, Any] | None = (await client.get("/healthz")).json().get("collector")
        return found


def full_passes_between(before: Row | None, after: Row | None) -> Row:
    """The full collector passes between two reports of /healthz: their count, the longest in
    wall-clock time (what a request waits) and in the CPU time of the pass (what the pass
    costs; the wall-clock time also counts the waits for a core on a busy machine)."""
    if before is None or after is None:
        return {"full passes": "n/a"}
    count = after["generations"][2]["passes"] - before["generations"][2]["passes"]
    row: Row = {"full passes": count}
    for label, key in (("", "recent_full_passes_ms"), (" of CPU", "recent_full_passes_cpu_ms")):
        recent = after.get(key, [])[-count:] if count else []
        longest: float | str = max(recent, default=0.0) if key in after else "n/a"
        if count > len(recent) and key in after:
            longest = f"{longest:.4g} (latest {len(recent)})"
        row[f"longest full pass ms{label}"] = longest
    row["passes over 50 ms (any generation)"] = after["slow_passes"] - before["slow_passes"]
    return row


def map_request(centre: str, minimum: float, as_text: bool) -> tuple[str, dict[str, Any]]:
    """The map query of `MAP`, its values as variables or written into its text."""
    if not as_text:
        return MAP, {"id": centre, "min": minimum}
    document = MAP.replace("query Map($id: ID!, $min: Float!)", "query Map").replace(
        "centerId: $id", f"centerId: {json.dumps(centre)}"
    )
    return document.replace("minStrength: $min", f"minStrength: {minimum!r}"), {}


async def window(
    base: str,
    people: list[str],
    seconds: float,
    write_interval: float | None,
    poll: float,
    maps_as_text: bool = False,
) -> Row:
    """The figures of one window: writes every `write_interval` seconds, or none."""
    limits = httpx.Limits(max_connections=1)
    clients = [httpx.AsyncClient(base_url=base, timeout=120.0, limits=limits) for _ in range(4)]
    poller, mapper, writer, watcher = clients
    trivial: list[float] = []
    maps: list[float] = []
    writes: list[float] = []
    revisions: list[int] = []
    jitter = itertools.count(1)
    dropped: list[str] = []
    refused: list[str] = []
    # When each slow trivial query started (and in Unix time, to line it up with the server's
    # collector passes), each write started and each new snapshot was seen.
    slow: list[tuple[float, float, float]] = []
    write_starts: list[float] = []
    adoptions: list[float] = []
    before = await collector(base)
    until = time.monotonic() + seconds

    def tolerant(act: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[None]]:
        """`act`, counting a connection the server closed (the next request opens a new one)
        or an answer with errors instead of ending the run."""

        async def acting() -> None:
            try:
                await act()
            except httpx.TransportError as error:
                dropped.append(f"{act.__name__}: {type(error).__name__}")
            except Refused as error:
                refused.append(f"{act.__name__}: {error}")

        return acting

    async def poll_trivial() -> None:
        started, wall_started = time.monotonic(), time.time()
        try:
            await timed(trivial, poller, TRIVIAL)
        finally:
            if trivial[-1] > SLOW_TRIVIAL:
                slow.append((started, trivial[-1], wall_started))

    centres = itertools.cycle(people)

    async def ask_map() -> None:
        document, variables = map_request(next(centres), next(jitter) * 1e-12, maps_as_text)
        await timed(maps, mapper, document, variables)

    async def ask_maps() -> None:
        while time.monotonic() < until:
            await tolerant(ask_map)()

    async def write_one() -> None:
        n = len(writes)
        interaction = {
            "kind": "MEETING",
            "occurredAt": datetime.now(UTC).isoformat(),
            "participants": [
                {"stakeholderId": people[n % len(people)]},
                {"stakeholderId": people[(n + 1) % len(people)]},
            ],
            "subject": f"refresh benchmark {n}",
        }
        write_starts.append(time.monotonic())
        started = time.perf_counter()
        data = await post(writer, LOG_INTERACTION, {"input": interaction})
        if data["logInteraction"]["errors"]:
            raise RuntimeError(f"the write was refused: {data['logInteraction']['errors']}")
        writes.append(time.perf_counter() - started)

    async def watch_revision() -> None:
        revision = (await post(watcher, REVISION))["networkStats"]["analyticsRevision"]
        if not revisions or revisions[-1] != revision:
            if revisions:
                adoptions.append(time.monotonic())
            revisions.append(revision)

    tasks = [
        every(poll, until, tolerant(poll_trivial)),
        ask_maps(),
        every(0.1, until, tolerant(watch_revision)),
    ]
    if write_interval is not None:
        tasks.append(every(write_interval, until, tolerant(write_one)))
    try:
        await asyncio.gather(*tasks)
    finally:
        for client in clients:
            await client.aclose()
    after = await collector(base)
    t50, t99 = percentiles(trivial)
    m50, m99 = percentiles(maps)
    row: Row = {
        "trivial queries": len(trivial),
        "trivial p50 ms": t50 * 1000,
        "trivial p99 ms": t99 * 1000,
        "trivial max ms (≤ 100)": max(trivial) * 1000,
        "uncached maps": len(maps),
        "map p50 ms": m50 * 1000,
        "map p99 ms": m99 * 1000,
        "map p99 / p50 (≤ 3)": m99 / m50,
        "writes": len(writes),
        "write max ms": max(writes, default=0.0) * 1000,
        "refreshes completed": len(revisions) - 1,
        f"trivial queries over {SLOW_TRIVIAL * 1000:.0f} ms": len(slow),
        "slowest trivial queries (ms: since the last write; to the next adoption; "
        "collector passes over 50 ms met)": slowest(
            slow, write_starts, adoptions, (after or {}).get("recent_slow_passes", [])
        ),
        "connections the server closed": len(dropped),
        "answers with errors": len(refused),
    }
    for failure in dropped + refused:
        print(f"failed: {failure}", file=sys.stderr)
    row.update(full_passes_between(before, after))
    row["load average (1 min) after"] = os.getloadavg()[0]
    return row


async def measure_server(
    base: str,
    maps: int,
    seconds: float,
    write_interval: float,
    poll: float,
    settle: float,
    windows: list[str],
    maps_as_text: bool = False,
) -> dict[str, Row]:
    async with httpx.AsyncClient(base_url=base, timeout=120.0) as client:
        started = time.monotonic()
        await first_snapshot(client)
        first = time.monotonic() - started
        people = await people_of(client, maps)
    # What follows the first snapshot (the alerts' first evaluation) ends before the quiet
    # window starts.
    await asyncio.sleep(settle)
    rows: dict[str, Row] = {}
    for name in windows:
        interval = write_interval if name == "refreshing" else None
        rows[name] = await window(base, people, seconds, interval, poll, maps_as_text)
        rows[name]["first snapshot after s"] = first
    return rows


def windows_option(value: str) -> list[str]:
    names = [name.strip() for name in value.split(",") if name.strip()]
    if not names or not set(names) <= set(WINDOWS):
        raise argparse.ArgumentTypeError(f"windows among {', '.join(WINDOWS)}: {value!r}")
    return names


def serve_command(url: str, port: int, serve_args: list[str], interpreter: Row) -> list[str]:
    serve = ["serve", "--db", url, "--port", str(port), "--log-level", "warning",
             "--rate-limit", "0", *serve_args]  # fmt: skip
    if interpreter:
        return [PYTHON, "-c", _WITH_INTERPRETER_SETTINGS, json.dumps(interpreter), *serve]
    return [PYTHON, "-m", "stakenet.cli", *serve]


def gc_threshold_option(value: str) -> list[int]:
    parts = value.split(",")
    if not 1 <= len(parts) <= 3 or not all(p.strip().isdigit() for p in parts):
        raise argparse.ArgumentTypeError(f"up to three whole numbers, e.g. 50000,20,100: {value!r}")
    return [int(p) for p in parts]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ties", type=int, default=100_000)
    parser.add_argument("--shapes", type=shapes_option, default=list(SHAPES),
                        help="network shapes, comma-separated (default: all)")  # fmt: skip
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of each window")
    parser.add_argument("--windows", type=windows_option, default=list(WINDOWS),
                        help="which windows, in order (default: quiet,refreshing)")  # fmt: skip
    parser.add_argument("--write-interval", type=float, default=2.0)
    parser.add_argument("--poll-interval", type=float, default=0.05,
                        help="seconds between trivial queries")  # fmt: skip
    parser.add_argument("--settle", type=float, default=10.0,
                        help="seconds between the first snapshot and the quiet window")  # fmt: skip
    parser.add_argument("--maps", type=int, default=30, help="distinct map centres")
    parser.add_argument("--maps-as-text", action="store_true",
                        help="the maps' values in their text, not as variables")  # fmt: skip
    parser.add_argument("--serve-arg", action="append", default=[], metavar="ARG",
                        help="an argument for `stakenet serve` (repeatable)")  # fmt: skip
    parser.add_argument("--gc-threshold", type=gc_threshold_option,
                        help="start the server with gc.set_threshold(these); 0: no automatic "
                        "collection")  # fmt: skip
    parser.add_argument("--switch-interval", type=float,
                        help="start the server with sys.setswitchinterval(this)")  # fmt: skip
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    title = "Queries while the analytics refresh back to back, and on a quiet server"
    interpreter: Row = {}
    if args.gc_threshold is not None:
        interpreter["gc_threshold"] = args.gc_threshold
    if args.switch_interval is not None:
        interpreter["switch_interval"] = args.switch_interval
    changed = [*args.serve_arg, *(f"{k}={v}" for k, v in interpreter.items())]
    if args.maps_as_text:
        changed.append("maps as text")
    if changed:
        title += f" ({' '.join(changed)})"
    rows: dict[int | str, Row] = {}
    with tempfile.TemporaryDirectory(prefix="stakenet-under-refresh-") as tmp:
        for shape in args.shapes:
            url = imported_network(args.ties, shape, Path(tmp), "under-refresh")
            port = free_port()
            command = serve_command(url, port, args.serve_arg, interpreter)
            # Ready once the first snapshot is adopted: about 5 minutes of refresh alone at 1M.
            ready_within = 600 + args.ties / 1000
            with process(command, f"http://127.0.0.1:{port}/readyz", ready_within) as server:
                measured = asyncio.run(
                    measure_server(
                        f"http://127.0.0.1:{port}",
                        args.maps,
                        args.duration,
                        args.write_interval,
                        args.poll_interval,
                        args.settle,
                        args.windows,
                        args.maps_as_text,
                    )
                )
                if server.poll() is not None:
                    failure = server.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
                    raise RuntimeError(f"the server exited during the run: {failure}")
            for scenario, row in measured.items():
                rows[f"{column(args.ties, shape)}, {scenario}"] = row
            table(title, rows)
    if args.json:
        write_figures(args.json, args, rows)


if __name__ == "__main__":
    main()
