"""Snapshot files: a snapshot written and read back is the one computed, and a damaged file, or
one of another format version, is refused while the current snapshot stays."""

from __future__ import annotations

import gc
import os
import pickle
import struct
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from stakenet.analytics import snapshot_file
from stakenet.analytics.network_view import AnalyticsState, NetworkView
from stakenet.analytics.sharded import ShardedTable
from stakenet.analytics.snapshot_file import (
    SnapshotFileError,
    read_snapshot,
    snapshot_files,
    write_snapshot,
)
from stakenet.demo import load_demo_document
from stakenet.domain.access import SYSTEM
from stakenet.services.access import acting_as
from stakenet.services.transfer import import_document
from stakenet.store.sqlite import SQLiteStore

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def computed(tmp_path_factory: pytest.TempPathFactory) -> AnalyticsState:
    """The demo network's analytics, computed in this process."""
    import asyncio

    from stakenet.bootstrap import assemble

    async def build() -> AnalyticsState:
        path = tmp_path_factory.mktemp("demo") / "demo.db"
        runtime = assemble(SQLiteStore(str(path)))
        await runtime.start()
        try:
            with acting_as(SYSTEM):
                await import_document(runtime.services.network, load_demo_document())
            data = await runtime.store.load_all()
        finally:
            await runtime.stop()
        view = NetworkView()
        view.load(data)
        return view.refresh(NOW)

    return asyncio.run(build())


def test_a_snapshot_read_back_is_the_one_computed(computed: AnalyticsState, tmp_path: Path) -> None:
    path = write_snapshot(tmp_path, computed)
    loaded = read_snapshot(path).state
    original, copy = computed.snapshot, loaded.snapshot
    assert copy.revision == original.revision > 0
    assert copy.computed_at == original.computed_at == NOW
    assert dict(copy.nodes) == dict(original.nodes) and len(copy.nodes) >= 80
    assert dict(copy.centrality) == dict(original.centrality)
    assert dict(copy.influence) == dict(original.influence)
    assert dict(copy.strengths) == dict(original.strengths) and len(copy.strengths) >= 200
    assert {t: copy.tie_strengths[t] for t in copy.tie_strengths} == {
        t: original.tie_strengths[t] for t in original.tie_strengths
    }
    assert copy.communities == original.communities and len(copy.communities) > 1
    for name in (
        "betweenness_mode",
        "betweenness_k",
        "closeness_mode",
        "closeness_k",
        "eigenvector_converged",
    ):
        assert getattr(copy, name) == getattr(original, name)
    assert dict(copy.formula_versions) == dict(original.formula_versions)
    graph, loaded_graph = computed._graph, loaded._graph
    assert dict(loaded_graph.nodes(data=True)) == dict(graph.nodes(data=True))
    assert sorted(loaded_graph.edges(keys=True, data=True)) == sorted(
        graph.edges(keys=True, data=True)
    )
    assert loaded._interactions == computed._interactions and len(loaded._interactions) >= 150


def test_the_person_graph_and_our_coverage_come_from_the_file_as_computed(
    computed: AnalyticsState, tmp_path: Path
) -> None:
    loaded = read_snapshot(write_snapshot(tmp_path, computed)).state
    # Carried, not built again by the reader: present before any query asks for them.
    people, original = loaded._people, computed._people_graph()
    assert people is not None and loaded._coverage is not None
    assert list(people.nodes(data=True)) == list(original.nodes(data=True))
    assert people.number_of_nodes() >= 60 and people.number_of_edges() >= 200
    # Each person's links in the same order, with the same attributes, one dict per link.
    assert [(u, list(links.items())) for u, links in people.adjacency()] == [
        (u, list(links.items())) for u, links in original.adjacency()
    ]
    assert all(people[v][u] is attributes for u, v, attributes in people.edges(data=True))
    assert list(loaded._coverage.items()) == list(computed._our_coverage().items())
    assert len(loaded._coverage) >= 30


def test_a_read_snapshot_keeps_its_tables_by_tie_in_small_dicts(
    computed: AnalyticsState, tmp_path: Path
) -> None:
    """A tie's strength and its inputs are a million entries each at a million ties, read while
    a server answers queries: in one dict each, their growth holds the interpreter for up to a
    tenth of a second at a time."""
    snapshot = read_snapshot(write_snapshot(tmp_path, computed)).state.snapshot
    ties = len(computed.snapshot.strengths)
    tie_strengths: Any = snapshot.tie_strengths
    for proxy in (snapshot.strengths, tie_strengths.copy().records()):
        (table,) = gc.get_referents(proxy)
        dicts = table.shards if isinstance(table, ShardedTable) else [table]
        assert sum(map(len, dicts)) == ties > 200
        assert max(map(len, dicts)) <= ties / 8


def frames_of(path: Path) -> list[tuple[str, Any, int]]:
    """Each frame of a snapshot file as (section, records, payload bytes), the end excluded."""
    data = path.read_bytes()
    at = len(snapshot_file.MAGIC) + struct.calcsize(">IQ")
    frames = []
    while True:
        length, _ = struct.unpack_from(">QI", data, at)
        section, body = pickle.loads(data[at + 12 : at + 12 + length])
        at += 12 + length
        if section == "end":
            return frames
        frames.append((section, body, length))


def test_frames_stay_small_and_a_big_community_is_written_in_pieces(
    computed: AnalyticsState, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(snapshot_file, "CHUNK", 4)
    monkeypatch.setattr(snapshot_file, "FRAME_BYTES", 600)
    path = write_snapshot(tmp_path, computed)
    frames = [frame for frame in frames_of(path) if frame[0] != "meta"]
    assert all(len(body) <= 4 for _, body, _ in frames)
    # Each frame holds as many records as fit in about FRAME_BYTES by its predecessor's
    # measure (the first by its first record's): a frame of several records stays near it.
    several = [size for _, body, size in frames if len(body) > 1]
    assert several and max(several) <= 2 * 600
    assert any(len(body) < 4 for section, body, _ in frames if section == "ties")
    # Every community in pieces of at most 4 members, in order; the biggest spans several.
    pieces = [piece for section, body, _ in frames if section == "communities" for piece in body]
    assert all(len(members) <= 4 for _, members in pieces)
    biggest = max(
        range(len(computed.snapshot.communities)),
        key=lambda i: len(computed.snapshot.communities[i]),
    )
    assert len([p for p, _ in pieces if p == biggest]) >= 2
    assert [p for p, _ in pieces] == sorted(p for p, _ in pieces)
    loaded = read_snapshot(path).state.snapshot
    assert loaded.communities == computed.snapshot.communities
    assert dict(loaded.influence) == dict(computed.snapshot.influence)


def test_communities_out_of_order_are_refused(
    computed: AnalyticsState, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pieces = snapshot_file._community_pieces
    monkeypatch.setattr(snapshot_file, "_community_pieces", lambda c: reversed(list(pieces(c))))
    path = write_snapshot(tmp_path, computed)
    with pytest.raises(SnapshotFileError, match="communities out of order"):
        read_snapshot(path)


def test_a_loaded_snapshot_answers_as_the_computed_one(
    computed: AnalyticsState, tmp_path: Path
) -> None:
    loaded = read_snapshot(write_snapshot(tmp_path, computed)).state
    org = next(
        node
        for node, kind in computed._graph.nodes(data="kind")
        if kind == "COMPANY" and computed.key_decision_makers(node, 3)
    )
    assert loaded.key_decision_makers(org, 5) == computed.key_decision_makers(org, 5)
    assert loaded.key_person_risks(org) == computed.key_person_risks(org)
    assert loaded.ranking(None, "influence", 10) == computed.ranking(None, "influence", 10)
    assert loaded.portfolio(5) == computed.portfolio(5)


def test_only_the_newest_files_are_kept_and_the_newest_is_found(
    computed: AnalyticsState, tmp_path: Path
) -> None:
    written = []
    for hour in range(4):
        later = AnalyticsState(
            computed._graph,
            _at(computed, datetime(2026, 6, 2, hour, tzinfo=UTC)),
            computed._interactions,
        )
        written.append(write_snapshot(tmp_path, later, keep=2))
    # What a writer that ended mid-write left is removed; a running writer's file is not.
    (tmp_path / f".{written[3].name}.999999999.partial").write_bytes(b"half")
    running = tmp_path / f".{written[3].name}.{os.getpid()}.partial"
    running.write_bytes(b"half")
    write_snapshot(tmp_path, computed, keep=2)  # an older revision: pruned at once
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [running.name] + [p.name for p in written[2:]]
    )
    assert [path for _, path in snapshot_files(tmp_path)] == written[:1:-1]
    assert snapshot_files(tmp_path / "missing") == []


def _at(state: AnalyticsState, moment: datetime):  # type: ignore[no-untyped-def]
    import dataclasses

    return dataclasses.replace(state.snapshot, computed_at=moment)


@pytest.mark.parametrize(
    ("cut", "reason"),
    [
        (10, "is not a stakenet snapshot file"),
        (40, "is truncated: it ends before its last frame"),
        (-1, "is truncated: it ends inside a frame"),
    ],
)
def test_a_truncated_file_is_refused(
    computed: AnalyticsState, tmp_path: Path, cut: int, reason: str
) -> None:
    path = write_snapshot(tmp_path, computed)
    data = path.read_bytes()
    path.write_bytes(data[:cut] if cut > 0 else data[: len(data) // 2])
    with pytest.raises(SnapshotFileError, match=reason):
        read_snapshot(path)


def test_a_corrupt_frame_is_refused(computed: AnalyticsState, tmp_path: Path) -> None:
    path = write_snapshot(tmp_path, computed)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(SnapshotFileError, match="checksum does not match"):
        read_snapshot(path)


def test_another_format_version_is_refused(computed: AnalyticsState, tmp_path: Path) -> None:
    path = write_snapshot(tmp_path, computed)
    data = bytearray(path.read_bytes())
    struct.pack_into(">I", data, len(snapshot_file.MAGIC), snapshot_file.FORMAT_VERSION + 1)
    path.write_bytes(bytes(data))
    version = snapshot_file.FORMAT_VERSION
    with pytest.raises(
        SnapshotFileError,
        match=rf"format version {version + 1}; this stakenet reads version {version}\.",
    ):
        read_snapshot(path)


def test_data_after_the_end_is_refused(computed: AnalyticsState, tmp_path: Path) -> None:
    path = write_snapshot(tmp_path, computed)
    path.write_bytes(path.read_bytes() + b"x")
    with pytest.raises(SnapshotFileError, match="data after its end"):
        read_snapshot(path)


def test_a_view_adopts_only_a_newer_snapshot(computed: AnalyticsState, tmp_path: Path) -> None:
    view = NetworkView()
    loaded = read_snapshot(write_snapshot(tmp_path, computed)).state
    assert view.adopt(loaded) and view.analytics is loaded
    older = AnalyticsState(
        computed._graph, _at(computed, datetime(2026, 5, 1, tzinfo=UTC)), computed._interactions
    )
    assert not view.adopt(older) and view.analytics is loaded


def test_a_released_state_leaves_nothing_for_the_cycle_collector(
    computed: AnalyticsState, tmp_path: Path
) -> None:
    path = write_snapshot(tmp_path, computed)
    org = next(n for n, k in computed._graph.nodes(data="kind") if k == "COMPANY")
    gc.collect()
    gc.disable()
    try:
        loaded = read_snapshot(path).state
        loaded.warm()
        loaded.key_decision_makers(org, 3)
        loaded.portfolio(3)
        gc.collect()  # the queries' own garbage, which the young passes collect as usual
        graph = loaded._graph
        loaded.release()
        assert graph.number_of_nodes() == 0  # (counting edges would cache a view again)
        del loaded, graph
        gc.set_debug(gc.DEBUG_SAVEALL)
        found = gc.collect()
        garbage = [type(o).__name__ for o in gc.garbage]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    # Without `release` the graphs, their views and the state's caches are all cyclic garbage
    # (tens of thousands of objects here); what is left is a closure or two.
    assert found <= 10, garbage
    assert not {"TieGraph", "Graph", "AnalyticsState", "NetworkAt"} & set(garbage)


def test_a_tracking_view_releases_what_it_stopped_holding_after_the_delay(
    computed: AnalyticsState, tmp_path: Path
) -> None:
    view = NetworkView()
    view.track_retired()
    first = read_snapshot(write_snapshot(tmp_path, computed)).state
    later = AnalyticsState(
        first._graph.copy(),
        _at(computed, datetime(2026, 7, 1, tzinfo=UTC)),
        dict(first._interactions),
    )
    assert view.adopt(first) and view.adopt(later)
    assert view.release_retired(after=60) == 0
    assert first._graph.number_of_nodes() == computed._graph.number_of_nodes()
    timeline, coverage, activity = first.timeline(), first._our_coverage(), first.activity()
    assert len(timeline.ties) == computed._graph.number_of_edges() and coverage and activity
    assert view.release_retired(after=0) == 1
    assert first._graph.number_of_nodes() == 0
    # What the queries derived is emptied in slices too.
    assert not any(timeline.tables()) and not coverage and not activity
    # Emptied in slices, so no single call frees the whole of it.
    snapshot = first.snapshot
    assert len(snapshot.strengths) == len(snapshot.nodes) == len(snapshot.tie_strengths) == 0
    assert len(snapshot.centrality) == len(snapshot.influence) == len(first._interactions) == 0
    assert len(later.snapshot.strengths) == len(computed.snapshot.strengths) > 200
    assert view.analytics is later and later._graph.number_of_nodes() > 0
    assert view.release_retired(after=0) == 0


def test_a_tracking_view_retires_the_past_snapshots_it_evicts() -> None:
    from test_network_view import network

    view = NetworkView()
    view.load(network())
    view.track_retired()
    pasts = [view.past(datetime(2026, 1, day, tzinfo=UTC)) for day in (1, 2, 3, 4)]
    assert view.release_retired(after=0) == 1  # three are kept
    assert pasts[0]._graph.number_of_nodes() == 0
    assert all(p._graph.number_of_nodes() == 4 for p in pasts[1:])
