"""stakenet benchmarks: import, projection, analytics and serving, each beside its baseline.

One command runs everything and prints one table per section::

    .venv/bin/python -m benchmarks                      # 10k and 100k ties
    .venv/bin/python -m benchmarks --sizes 10000,100000,500000 --plots docs/img
    .venv/bin/python -m benchmarks --large              # adds 1M ties (long; ~6 GB RAM)
    .venv/bin/python -m benchmarks --bolt               # also imports into Neo4j over Bolt
    .venv/bin/python -m benchmarks --shapes regional    # one network shape (default: all)

    .venv/bin/python -m benchmarks --sizes 100000 --alerts-only  # alert detection vs refresh

Per size: import rate into SQLite (and Bolt), what alert detection adds to a refresh
(``benchmarks/alerts.py``), projection build time and memory against a bare
``nx.MultiDiGraph`` of the same network, the analytics refresh per metric against raw NetworkX
and python-igraph on the same views, per-query latency in process and over HTTP (a real server
process on 127.0.0.1), and `relationshipMap` latency and throughput on one worker, uncached and
cached, against a plain starlette endpoint serving the same map (``benchmarks/serving.py``).
Every section runs on each network shape (``--shapes``: ``crm``, and ``regional`` with a few
organisations of thousands of people, `stakenet.demo.synthetic.SHAPES`), printed side by side.
Results are also written as JSON (``--json``), and plots with ``--plots``.
Baselines that would run for minutes (NetworkX's betweenness, its Louvain above ``--nx-limit``
ties) are extrapolated or skipped, and say so.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import networkx as nx
import numpy as np

from benchmarks.alerts import ALERTS_TITLE, bench_alerts
from benchmarks.measure import (
    PYTHON,
    Row,
    bench_bolt_import,
    bench_import,
    free_port,
    percentiles,
    process,
    table,
)
from benchmarks.serving import SERVING_TITLE, bench_serving, column, shapes_option
from stakenet.analytics.betweenness import sample_sources
from stakenet.analytics.projection import Projection
from stakenet.analytics.snapshot import compute_snapshot
from stakenet.analytics.views import GraphViews, build_views
from stakenet.api.ids import to_global_id
from stakenet.bootstrap import build_runtime, database_url, opened_store
from stakenet.demo.synthetic import write as write_network
from stakenet.services.network import MapRequest

TYPE_NAMES = {
    "PERSON": "Person",
    "COMPANY": "Company",
    "MUNICIPALITY": "Municipality",
    "ORGANIZATION": "Organization",
}


def machine() -> dict[str, str]:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError):
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kb / 1024**2:.1f} GiB"
    return {
        "cpus": str(os.cpu_count()),
        "model": model,
        "memory": memory,
        "python": platform.python_version(),
        "networkx": nx.__version__,
        "load": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


# -- import ---------------------------------------------------------------------------------


# Writes what an import wrote through the store alone, in a fresh process: the imported entities
# are read back (not timed), then written into a new file through one bulk write, in chunks of
# 10,000 as the import writes them and with an audit entry naming every id, as the import's.
_STORE_PROBE = """
import asyncio, gc, json, sys, time
from dataclasses import replace
from datetime import UTC, datetime
from stakenet.domain.access import AuditEntry
from stakenet.store.port import WriteBatch
from stakenet.store.sqlite import SQLiteStore

async def main(imported, copy):
    source = SQLiteStore(imported)
    await source.open()
    data = await source.load_all()
    await source.close()
    target = SQLiteStore(copy)
    await target.open()
    # Without their times, as an import's new entities come: the store stamps them.
    def fresh(entities):
        return [replace(entity, created_at=None, updated_at=None) for entity in entities]
    sections = [("upsert_stakeholders", fresh(data.stakeholders)),
                ("upsert_ties", fresh(data.ties)),
                ("upsert_interactions", fresh(data.interactions))]
    ids = [entity.id for _, entities in sections for entity in entities]
    # What was read is left out of the cycle collector's walks, as `stakenet import` pauses it.
    gc.freeze()
    started = time.perf_counter()
    async with target.bulk_write() as bulk:
        for field, entities in sections:
            for at in range(0, len(entities), 10_000):
                await bulk.write(WriteBatch(**{field: entities[at:at + 10_000]}))
        await bulk.commit(AuditEntry(datetime.now(UTC), "bench", "importGraph", tuple(ids)))
    seconds = time.perf_counter() - started
    await target.close()
    print(json.dumps({"seconds": seconds}))

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


def store_alone(imported: Path, ties: int) -> float:
    """The rate (ties/s) at which the store by itself writes what an import wrote, with no
    document to read and no row to check: the part of an import's time that is the store's."""
    copy = imported.with_name(f"{imported.stem}-store.db")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
    try:
        probe = subprocess.run(
            [sys.executable, "-c", _STORE_PROBE, str(imported), str(copy)],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
    return ties / float(json.loads(probe.stdout)["seconds"])


# The tables an import fills, in the order their foreign keys allow.
_IMPORTED_TABLES = ("stakeholders", "ties", "interactions", "interaction_participants")


def sqlite_alone(imported: Path, ties: int) -> float:
    """The rate (ties/s) at which SQLite by itself writes what an import wrote: the rows of
    `imported` copied with one INSERT ... SELECT per table into a new database of the same
    tables, then their indexes built and the transaction committed; no Python per row, the
    same settings as the store's writer. A ceiling for the import, not a target."""
    from stakenet.store.sqlite.bulk_changes import BULK_CACHE_KIB
    from stakenet.store.sqlite.connection import connect

    copy = imported.with_name(f"{imported.stem}-copy.db")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
    connection = connect(str(copy), cache_kib=BULK_CACHE_KIB)
    try:
        connection.execute("ATTACH DATABASE ? AS imported", (str(imported),))
        listed = "SELECT type, name, sql FROM imported.sqlite_master WHERE tbl_name IN (?, ?, ?, ?)"
        schema = connection.execute(listed, _IMPORTED_TABLES).fetchall()
        for kind, _, sql in schema:
            if kind == "table":
                connection.execute(sql)
        started = time.perf_counter()
        connection.execute("BEGIN IMMEDIATE")
        for table in _IMPORTED_TABLES:
            connection.execute(f"INSERT INTO main.{table} SELECT * FROM imported.{table}")  # noqa: S608
        for kind, _, sql in schema:
            if kind == "index" and sql:
                connection.execute(sql)
        connection.execute("COMMIT")
        seconds = time.perf_counter() - started
    finally:
        connection.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
    return ties / seconds


# The Neo4j the benchmarks import into: the tests' server, with the memory a large import
# needs (docs/neo4j.md): the whole import is one transaction, held in the heap until commit.
BOLT_HEAP = "3g"
BOLT_PAGE_CACHE = "512m"


@contextlib.contextmanager
def bolt_server() -> Iterator[tuple[str, Callable[[], None], int]]:
    """A fresh Neo4j for the run: its URL, a function that empties its database, and the
    process id of its JVM."""
    # The tests' launcher, as a package of the repository (`python -m benchmarks` runs from
    # its root): only the `--bolt` runs need it and its Java.
    from tests.support.bolt_server import start_bolt_server, stop_bolt_server, wipe_database

    with tempfile.TemporaryDirectory() as home:
        server = start_bolt_server(Path(home), heap=BOLT_HEAP, page_cache=BOLT_PAGE_CACHE)
        try:
            host = server.uri.split("://", 1)[1]
            url = f"bolt://{server.user}:{server.password}@{host}/{server.database}"
            assert server.pid is not None  # started here
            yield url, lambda: wipe_database(server), server.pid
        finally:
            stop_bolt_server(server)


def migrate(url: str) -> None:
    """Create the database's schema, as `stakenet migrate` does."""
    subprocess.run([PYTHON, "-m", "stakenet.cli", "migrate", "--db", url], check=True,
                   capture_output=True)  # fmt: skip


# -- projection ------------------------------------------------------------------------------


def bench_projection(url: str) -> tuple[Row, Projection]:
    async def load() -> Any:
        async with opened_store(database_url(url)) as store:
            return await store.load_all()

    data = asyncio.run(load())
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    seconds, projection = timed(lambda: Projection.from_data(data))
    ours = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]

    def bare() -> nx.MultiDiGraph:
        G = nx.MultiDiGraph()
        G.add_nodes_from(s.id for s in data.stakeholders)
        G.add_edges_from((t.source_id, t.target_id, t.id) for t in data.ties)
        return G

    bare_seconds, G = timed(bare)
    bare_bytes = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    del G
    row = {
        "stakeholders": len(data.stakeholders),
        "ties": len(data.ties),
        "projection s": seconds,
        "projection MB": ours / 1e6,
        "bare nx s": bare_seconds,
        "bare nx MB": bare_bytes / 1e6,
        "memory ratio": ours / bare_bytes,
    }
    return row, projection


# -- analytics -------------------------------------------------------------------------------


def networkx_views(views: GraphViews) -> tuple[nx.Graph, nx.DiGraph]:
    """The refresh's undirected and directed views as NetworkX graphs (nodes numbered as the
    matrices' rows), for NetworkX's own algorithms."""
    undirected = nx.Graph()
    undirected.add_nodes_from(range(len(views.nodes)))
    # The strength and cost matrices hold the same pairs in the same order.
    cost = views.cost_matrix.tocoo()
    strength = views.strength_matrix.tocoo().data.tolist()
    undirected.add_edges_from(
        (u, v, {"strength": s, "distance": d})
        for u, v, s, d in zip(
            cost.row.tolist(), cost.col.tolist(), strength, cost.data.tolist(), strict=True
        )
    )
    directed = nx.from_scipy_sparse_array(
        views.flow_matrix, create_using=nx.DiGraph, edge_attribute="weight"
    )
    return undirected, directed


def bench_analytics(projection: Projection, nx_limit: int) -> Row:
    G = projection.graph
    now = datetime.now(UTC)
    total, snap = timed(lambda: compute_snapshot(G, projection.interactions, 1, now))
    row: Row = {f"ours {k}": v for k, v in snap.timings.items() if k != "degree"}
    row["ours refresh"] = total
    row["betweenness k"] = snap.betweenness_k or len(G)
    views = build_views(G, snap.strengths)
    n = len(views.nodes)
    ties = G.number_of_edges()
    U, D = networkx_views(views)
    row["nx pagerank"], _ = timed(lambda: nx.pagerank(D, weight="weight"))
    row["nx eigenvector"], _ = timed(
        lambda: nx.eigenvector_centrality(U, weight="strength", max_iter=1000)
    )
    k = row["betweenness k"]
    probe = min(k, 8)
    seconds, _ = timed(lambda: nx.betweenness_centrality(U, k=probe, weight="distance", seed=42))
    row["nx betweenness"] = seconds * k / probe
    row["nx betweenness note"] = f"extrapolated from k={probe}" if probe < k else "measured"
    if ties <= nx_limit:
        row["nx louvain"], _ = timed(
            lambda: nx.community.louvain_communities(U, weight="strength", seed=42)
        )
    try:
        import igraph as ig
    except ImportError:  # the bench extra is not installed
        return row
    coo = views.cost_matrix.tocoo()
    upper = coo.row < coo.col
    edges = np.column_stack([coo.row[upper], coo.col[upper]]).tolist()
    cost = coo.data[upper].tolist()
    strength = views.strength_matrix.tocoo().data[upper].tolist()
    flow = views.flow_matrix.tocoo()
    row["igraph build"], g = timed(lambda: ig.Graph(n=n, edges=edges))
    dg = ig.Graph(n=n, edges=np.column_stack([flow.row, flow.col]).tolist(), directed=True)
    row["igraph pagerank"], _ = timed(lambda: dg.pagerank(weights=flow.data.tolist()))
    row["igraph eigenvector"], _ = timed(
        lambda: g.eigenvector_centrality(weights=strength, scale=False)
    )
    sources = sample_sources(n, k, 42)
    row["igraph betweenness"], _ = timed(lambda: g.betweenness(weights=cost, sources=sources))
    row["igraph louvain"], _ = timed(lambda: g.community_multilevel(weights=strength))
    same = ("pagerank", "eigenvector", "betweenness", "louvain")
    row["ours same work"] = sum(snap.timings[m] for m in same)
    row["igraph same work"] = sum(row[f"igraph {m}"] for m in same)
    row["ratio to igraph"] = row["ours same work"] / row["igraph same work"]
    return row


# -- queries in process ----------------------------------------------------------------------


def targets(projection: Projection, count: int) -> tuple[list[str], list[str], list[str]]:
    G = projection.graph
    rng = random.Random(1)
    orgs = [v for v, kind in G.nodes(data="kind") if kind != "PERSON" and G.in_degree(v) > 3]
    people = [v for v, kind in G.nodes(data="kind") if kind == "PERSON"]
    return rng.sample(orgs, min(count, len(orgs))), rng.sample(people, min(count, len(people))), []


def bench_queries(url: str, projection: Projection, count: int) -> Row:
    async def run() -> Row:
        runtime = build_runtime(database_url(url))
        network = runtime.services.network
        analytics = runtime.services.analytics
        await runtime.start()
        try:
            await analytics.refresh()
            orgs, people, _ = targets(projection, count)
            row: Row = {}
            first, _ = await atimed(lambda: analytics.key_decision_makers(orgs[0], 10))
            row["first query (person graph)"] = first

            async def series(name: str, call: Callable[[str], Awaitable[Any]], ids: list[str]):
                samples = [(await atimed(lambda i=i: call(i)))[0] for i in ids]
                row[f"{name} p50"], row[f"{name} p99"] = percentiles(samples)

            # The map reads the ties' strengths from the snapshot the refresh above made.
            await series(
                "relationshipMap",
                lambda i: network.relationship_map(MapRequest(i, 2, (), 0.0, 50)),
                people,
            )
            await series("keyDecisionMakers", lambda i: analytics.key_decision_makers(i, 10), orgs)
            await series(
                "introductionPaths", lambda i: analytics.introduction_paths(i, None, 3, 4), people
            )
            return row
        finally:
            await runtime.stop()

    return asyncio.run(run())


async def atimed(fn: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = await fn()
    return time.perf_counter() - start, value


# -- over HTTP -------------------------------------------------------------------------------


def rss(pid: int) -> float:
    """Resident memory of a process in MB (from /proc, Linux)."""
    pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


MAP_QUERY = """query Map($id: ID!) { relationshipMap(centerId: $id, depth: 1, limit: 50) {
  center { id name } nodes { distance stakeholder { id name kind } }
  edges { id source target kind strength } truncated } }"""
DM_QUERY = """query DM($id: ID!) { keyDecisionMakers(organizationId: $id, limit: 10) {
  score person { id name } factors { name value weight contribution } } }"""
PATHS_QUERY = """query Paths($id: ID!) { introductionPaths(toId: $id, limit: 3, maxHops: 4) {
  strength hops steps { id name } } }"""
STATS_QUERY = "{ networkStats { analyticsRevision } }"


def bench_http(url: str, projection: Projection, count: int) -> Row:
    """Latency of the three query families over HTTP, one request at a time."""
    G = projection.graph
    orgs, people, _ = targets(projection, count)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    row: Row = {}
    serve = [PYTHON, "-m", "stakenet.cli", "serve", "--db", url, "--port", str(port),
             "--log-level", "warning", "--rate-limit", "0"]  # fmt: skip
    with process(serve, f"{base}/readyz") as server:

        async def run() -> None:
            async with httpx.AsyncClient(base_url=base, timeout=120.0) as client:

                async def gql(query: str, variables: dict[str, Any]) -> dict[str, Any]:
                    r = await client.post("/graphql", json={"query": query, "variables": variables})
                    body = r.json()
                    if body.get("errors"):
                        raise RuntimeError(str(body["errors"])[:500])
                    return dict(body["data"])

                deadline = time.monotonic() + 600
                while (await gql(STATS_QUERY, {}))["networkStats"]["analyticsRevision"] is None:
                    if time.monotonic() > deadline:
                        raise RuntimeError("no analytics snapshot after 600 s")
                    await asyncio.sleep(0.5)
                row["server RSS MB (after refresh)"] = rss(server.pid)
                gid = {v: to_global_id(TYPE_NAMES[G.nodes[v]["kind"]], v) for v in orgs + people}
                for name, query, ids in (
                    ("relationshipMap", MAP_QUERY, people),
                    ("keyDecisionMakers", DM_QUERY, orgs),
                    ("introductionPaths", PATHS_QUERY, people),
                ):
                    samples = []
                    failed = 0
                    for v in ids:
                        start = time.perf_counter()
                        try:
                            await gql(query, {"id": gid[v]})
                        except RuntimeError:  # e.g. the API's execution deadline
                            failed += 1
                        samples.append(time.perf_counter() - start)
                    row[f"{name} p50"], row[f"{name} p99"] = percentiles(samples)
                    row[f"{name} errors"] = failed

        asyncio.run(run())
    return row


# -- output ----------------------------------------------------------------------------------


def plot(results: dict[str, Any], directory: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    directory.mkdir(parents=True, exist_ok=True)
    analytics = results["analytics"]
    metrics = ["pagerank", "eigenvector", "betweenness", "louvain"]
    sizes = list(analytics)
    fig, axes = plt.subplots(1, len(sizes), figsize=(5 * len(sizes), 4), squeeze=False)
    for ax, size in zip(axes[0], sizes, strict=True):
        row = analytics[size]
        x = np.arange(len(metrics))
        for offset, (label, prefix) in enumerate(
            (("stakenet", "ours"), ("NetworkX", "nx"), ("igraph", "igraph"))
        ):
            values = [row.get(f"{prefix} {m}", np.nan) for m in metrics]
            ax.bar(x + (offset - 1) * 0.27, values, 0.27, label=label)
        ax.set_xticks(x, metrics)
        ax.set_yscale("log")
        ax.set_ylabel("seconds (log)")
        ax.set_title(size)
        ax.legend()
    fig.tight_layout()
    fig.savefig(directory / "analytics.png", dpi=110)
    plt.close(fig)
    serving = results.get("serving", {})
    if serving:
        fig, axes = plt.subplots(1, 2, figsize=(11, 4))
        sizes = list(serving)
        x = np.arange(len(sizes))
        series = (
            ("GraphQL uncached", "GraphQL req/s uncached", "GraphQL p50 uncached s"),
            ("GraphQL cached", "GraphQL req/s cached", "GraphQL p50 cached s"),
            ("plain starlette", "plain req/s", "plain p50 s"),
        )
        for offset, (label, rps, p50) in enumerate(series):
            axes[0].bar(x + (offset - 1) * 0.27, [serving[s][rps] for s in sizes], 0.27,
                        label=label)  # fmt: skip
            axes[1].bar(x + (offset - 1) * 0.27, [serving[s][p50] * 1000 for s in sizes], 0.27,
                        label=label)  # fmt: skip
        for ax, unit in zip(axes, ("requests / s (one worker)", "p50 ms"), strict=True):
            ax.set_xticks(x, sizes)
            ax.set_ylabel(unit)
            ax.legend()
        fig.suptitle("relationshipMap, depth 2, at most 200 stakeholders")
        fig.tight_layout()
        fig.savefig(directory / "serving.png", dpi=110)
        plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description="stakenet benchmarks")
    parser.add_argument("--sizes", default="10000,100000", help="tie counts, comma-separated")
    parser.add_argument("--large", action="store_true", help="add the 1,000,000-tie network")
    parser.add_argument("--shapes", type=shapes_option, default=["crm", "regional"],
                        help="network shapes, comma-separated (default: crm,regional)")  # fmt: skip
    parser.add_argument(
        "--bolt", action="store_true", help="also import over Bolt (the Neo4j the tests start)"
    )
    parser.add_argument("--no-http", action="store_true", help="skip the server benchmarks")
    parser.add_argument(
        "--import-only", action="store_true", help="generate and import each size, nothing else"
    )
    parser.add_argument("--http-max", type=int, default=100_000,
                        help="largest size served over HTTP (default 100000)")  # fmt: skip
    parser.add_argument("--nx-limit", type=int, default=100_000,
                        help="largest size for NetworkX's Louvain baseline")  # fmt: skip
    parser.add_argument(
        "--alerts-only",
        action="store_true",
        help="import each size once, then only measure alert detection against the refresh",
    )
    parser.add_argument("--queries", type=int, default=30, help="targets per latency series")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per load run")
    parser.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "stakenet-bench"
    )
    parser.add_argument("--json", type=Path, help="write all results here")
    parser.add_argument("--plots", type=Path, help="write PNG plots into this directory")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.large:
        sizes.append(1_000_000)
    results: dict[str, Any] = {
        "machine": machine(),
        "command": " ".join(["python -m benchmarks", *sys.argv[1:]]),
    }
    print("# stakenet benchmarks\n")
    for key, value in results["machine"].items():
        print(f"- {key}: {value}")
    sections: dict[str, dict[int | str, Row]] = {
        "import": {}, "projection": {}, "analytics": {}, "alerts": {}, "queries": {}, "http": {},
        "serving": {},
    }  # fmt: skip
    args.workdir.mkdir(parents=True, exist_ok=True)
    for size, shape in [(size, shape) for size in sizes for shape in args.shapes]:
        print(f"\n# {size:,} ties, {shape}", file=sys.stderr, flush=True)
        seconds, document = timed(
            lambda size=size, shape=shape: write_network(size, args.workdir, shape=shape)
        )
        db = document.with_suffix(".db")
        key = column(size, shape)

        def fresh(db: Path = db) -> None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)

        url = f"sqlite:///{db}"
        # Best of three below a million ties: a shared 2-core machine varies by a fifth.
        repeats = 3 if size < 1_000_000 and not args.alerts_only else 1
        rate, peak, writer_peak = bench_import(document, url, size, repeats, fresh)
        row: Row = {
            "generate s": seconds,
            "document MB": document.stat().st_size / 1e6,
            "SQLite ties/s": rate,
            "import peak MB": peak,
            "writer peak MB": writer_peak,
            "store alone ties/s": store_alone(db, size),
            "SQLite alone ties/s": sqlite_alone(db, size),
        }
        if args.bolt:
            with bolt_server() as (bolt_url, empty, server_pid):
                # The schema first, timed on its own: a server is given it once, when stakenet
                # first opens it, not by each import.
                row["Bolt schema s"], _ = timed(lambda url=bolt_url: migrate(url))
                # Best of two, as SQLite's is of three: the first into the server just started
                # (its code not yet compiled by the JVM), the second into its emptied database.
                first = bench_bolt_import(document, bolt_url, size, server_pid)
                empty()
                migrate(bolt_url)  # emptying forgot the schema's version; not timed
                second = bench_bolt_import(document, bolt_url, size, server_pid)
                best = max(first, second, key=lambda figures: figures["ties/s"])
                row["Bolt ties/s"] = best["ties/s"]
                row["Bolt first ties/s"] = first["ties/s"]
                # The best import's CPU time: on a loaded machine its rate moves by half, the
                # CPU it took much less. The JIT compiler's share is the server warming up.
                for name in ("import CPU s", "server CPU s", "server JIT CPU s", "server GC CPU s"):
                    row[f"Bolt {name}"] = best[name]
        sections["import"][key] = row
        table("Import (interchange JSON, `stakenet import`)", sections["import"])
        if args.import_only:
            continue
        sections["alerts"][key] = bench_alerts(url)
        table(ALERTS_TITLE, sections["alerts"])
        if args.alerts_only:
            continue
        row, projection = bench_projection(url)
        sections["projection"][key] = row
        table("Projection vs a bare nx.MultiDiGraph", sections["projection"])
        sections["analytics"][key] = bench_analytics(projection, args.nx_limit)
        table("Analytics refresh (seconds)", sections["analytics"])
        sections["queries"][key] = bench_queries(url, projection, args.queries)
        table("Queries in process (seconds)", sections["queries"])
        if not args.no_http and size <= args.http_max:
            sections["http"][key] = bench_http(url, projection, args.queries)
            table("Over HTTP, one worker, one request at a time (seconds)", sections["http"])
            sections["serving"][key] = bench_serving(
                url, args.queries, args.concurrency, args.duration
            )
            table(SERVING_TITLE, sections["serving"])
        del projection
        gc.collect()
    results.update({name: {str(k): v for k, v in rows.items()} for name, rows in sections.items()})
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    if args.plots:
        plot(results, args.plots)


if __name__ == "__main__":
    main()
