"""Relationship maps around people of big organisations, in one process, without a server.

    .venv/bin/python -m benchmarks.big_maps --ties 1000000 --shapes crm,regional

For each network shape: the synthetic network is imported into SQLite (or `--db` names one
imported already), a runtime loads it into its read model as a server does and computes its
first snapshot. Then `relationshipMap(depth: 2, limit: 200)` is drawn around three groups of
centres, each `--repeats` times with a new minimum strength far below any tie's (as the
uncached requests of `benchmarks.under_refresh` do):

- the benchmark's centres: the first `--centres` people of the `stakeholders(kind: PERSON)`
  listing, the ones `benchmarks.serving` and `benchmarks.under_refresh` cycle through;
- the people of the biggest organisations: `--per-organisation` people of each of the
  `--organisations` organisations with the most ties;
- `--sample` people chosen at random (seeded).

Each map is drawn as the server draws it, and again reading every tie of every ring member
(`relationship_map` without the read model's ranking of hubs' ties): the same answer, at what
it costs without the rankings. It prints each group's p50, p99 and longest map both
ways, in wall-clock time and in the CPU time of the thread that drew it (which the machine's
other load hardly stretches), and for the slowest centres (by the full read's CPU time) the
size of their biggest organisation, the ties the map's second ring reads in a full read (every
tie of every first-ring stakeholder) and the CPU time of the whole uncached GraphQL request
(the resolver, executed in process, its map in a worker thread) beside the map alone.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio

from benchmarks.measure import Row, imported_network, percentiles, table
from benchmarks.serving import MAP, column, shapes_option
from stakenet.analytics.network_view import ListingFilter, NetworkView
from stakenet.analytics.relationship_map import TiesByStrength, relationship_map
from stakenet.api.context import Context
from stakenet.api.ids import to_global_id
from stakenet.api.schema import build_schema
from stakenet.bootstrap import build_runtime, database_url
from stakenet.demo.synthetic import SHAPES
from stakenet.domain.access import Principal, Role
from stakenet.domain.model import StakeholderKind
from stakenet.services.access import acting_as

PERSON = StakeholderKind.PERSON.value


def biggest_organisations(graph: Any, count: int) -> list[str]:
    organisations = [n for n, kind in graph.nodes(data="kind") if kind != PERSON]
    return sorted(organisations, key=lambda n: (-graph.degree(n), n))[:count]


def ring_reads(graph: Any, center: str) -> int:
    """The ties a depth-2 map's second ring reads: every tie of every first-ring stakeholder."""
    first = set(graph.successors(center)) | set(graph.predecessors(center))
    return sum(graph.degree(n) for n in first)


def biggest_organisation_of(graph: Any, center: str) -> int:
    neighbours = set(graph.successors(center)) | set(graph.predecessors(center))
    return max((graph.degree(n) for n in neighbours if graph.nodes[n]["kind"] != PERSON), default=0)


def draw(
    view: NetworkView, center: str, jitter: Callable[[], float], full_read: bool
) -> tuple[float, float]:
    """The seconds the map took, and the CPU seconds of this thread (which the machine's
    other load hardly stretches). With `full_read`, the same map is drawn on the same graph
    reading every tie of every ring member, without the read model's rankings."""
    on = datetime.now(UTC).date()
    started, cpu = time.perf_counter(), time.thread_time()
    if full_read:
        state = view.analytics
        relationship_map(
            view._projection.graph,  # read only, between no writes
            center,
            depth=2,
            limit=200,
            on=on,
            min_strength=jitter(),
            strengths=state.snapshot.strengths if state else None,
        )
    else:
        view.relationship_map(
            center, depth=2, limit=200, on=on, tie_kinds=None, min_strength=jitter()
        )
    return time.perf_counter() - started, time.thread_time() - cpu


async def measure(url: str, args: argparse.Namespace) -> tuple[dict[str, Row], list[Row]]:
    runtime = build_runtime(database_url(url))
    await runtime.start()
    try:
        services = runtime.services
        view = services.network.view
        started = time.perf_counter()
        await anyio.to_thread.run_sync(view.refresh, datetime.now(UTC))
        refreshed = time.perf_counter() - started
        graph = view._projection.graph  # read only, between no writes
        listing = view.ranked_by_influence(ListingFilter(kind=StakeholderKind.PERSON)).value
        groups: dict[str, list[str]] = {"benchmark's centres": listing[: args.centres]}
        big = []
        organisations = biggest_organisations(graph, args.organisations)
        state = view.analytics
        strength_of = (state.snapshot.strengths if state else {}).get
        cpu = time.thread_time()
        TiesByStrength().ranked(graph, organisations[0], strength_of)
        ranking_cpu = time.thread_time() - cpu
        for organisation in organisations:
            members = sorted(n for n in graph.predecessors(organisation))
            big.extend(members[: args.per_organisation])
        groups["biggest organisations' people"] = big
        people = sorted(n for n, kind in graph.nodes(data="kind") if kind == PERSON)
        groups["people at random"] = random.Random(7).sample(people, args.sample)
        counter = iter(range(1, 1 << 40))

        def jitter() -> float:
            return next(counter) * 1e-12

        rows: dict[str, Row] = {}
        per_centre: dict[str, float] = {}
        full_read: dict[str, float] = {}
        for name, centres in groups.items():
            row: Row = {"centres": len(centres), "maps": len(centres) * args.repeats}
            for way, full in (("", False), ("full read: ", True)):
                samples, cpu = [], []
                for center in centres:
                    times = [draw(view, center, jitter, full) for _ in range(args.repeats)]
                    samples.extend(wall for wall, _ in times)
                    cpu.extend(used for _, used in times)
                    median = sorted(used for _, used in times)[len(times) // 2]
                    (full_read if full else per_centre)[center] = median
                for unit, series in (("ms", samples), ("CPU ms", cpu)):
                    p50, p99 = percentiles(series)
                    row[f"{way}p50 / p99 / max {unit}"] = (
                        f"{p50 * 1000:.1f} / {p99 * 1000:.1f} / {max(series) * 1000:.1f}"
                    )
                    row[f"{way}p99 / p50, {unit}"] = p99 / p50
            row["refresh s"] = refreshed
            row["ranking the biggest organisation's ties, CPU ms"] = ranking_cpu * 1000
            row["its ties"] = graph.degree(organisations[0])
            rows[name] = row
        schema = build_schema(services.settings, services)
        principal = Principal("benchmark", Role.VIEWER)
        slowest = sorted(full_read, key=full_read.__getitem__, reverse=True)[: args.slowest]
        details = []
        for center in slowest:
            requests = []
            for _ in range(args.repeats):
                variables = {"id": to_global_id("Person", center), "min": jitter()}
                with acting_as(principal):
                    began = time.process_time()
                    result = await schema.execute(
                        MAP, variable_values=variables, context_value=Context(services, principal)
                    )
                    requests.append(time.process_time() - began)
                if result.errors:
                    raise RuntimeError(f"the map around {center} failed: {result.errors}")
            details.append(
                {
                    "centre": center,
                    "biggest organisation (ties)": biggest_organisation_of(graph, center),
                    "second ring reads (ties)": ring_reads(graph, center),
                    "map CPU ms (median), full read": full_read[center] * 1000,
                    "map CPU ms (median)": per_centre[center] * 1000,
                    "request CPU ms (median)": sorted(requests)[len(requests) // 2] * 1000,
                }
            )
        return rows, details
    finally:
        await runtime.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ties", type=int, default=100_000)
    parser.add_argument("--shapes", type=shapes_option, default=list(SHAPES),
                        help="network shapes, comma-separated (default: all)")  # fmt: skip
    parser.add_argument("--db", type=Path, help="a SQLite file imported already (one shape)")
    parser.add_argument("--keep", type=Path, help="import into this directory and keep it")
    parser.add_argument("--centres", type=int, default=30)
    parser.add_argument("--organisations", type=int, default=10)
    parser.add_argument("--per-organisation", type=int, default=3)
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--slowest", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="stakenet-big-maps-") as tmp:
        directory = args.keep or Path(tmp)
        directory.mkdir(parents=True, exist_ok=True)
        for shape in args.shapes:
            if args.db is not None:
                url = f"sqlite:///{args.db}"
            else:
                url = imported_network(args.ties, shape, directory, "big-maps")
            rows, details = asyncio.run(measure(url, args))
            label = column(args.ties, shape)
            table(f"relationshipMap(depth 2, limit 200) in process, {label}", dict(rows))
            table(
                f"The slowest centres, {label}",
                {f"{i + 1}. {d.pop('centre')}": d for i, d in enumerate(details)},
            )


if __name__ == "__main__":
    main()
