"""Snapshot files: one revision's analytics, and the graph they were computed on, in one file.

A server that does not compute its analytics (``stakenet serve --analytics follow`` or
``process``) answers from a snapshot file another process wrote: the graph at the snapshot's
revision (stakeholders with their attributes, ties with their keys and attributes), the
interactions, and the `AnalyticsSnapshot`. That is everything an `AnalyticsState` holds, so
the server answers from one revision consistently without copying its own live graph. The file
also carries what the writer derived from them for every query to share: the person graph
(`stakenet.analytics.paths.person_graph`, each person's links in the writer's order) and our
coverage (`coverage_from_us`). A server builds neither itself: those searches were most of
the CPU time its adoption of a snapshot took, time its event loop shared the interpreter with.

The file is a header (`MAGIC`, `FORMAT_VERSION`, the revision) and a sequence of frames, each
its length, its CRC-32 and a pickled ``(section, records)`` pair of at most `CHUNK` records and
about `FRAME_BYTES` bytes (a community is written as pieces of at most `CHUNK` members), closed
by an ``end`` frame that counts the frames before it. A reader decodes one frame at a time, so
a loading server holds the interpreter lock for one small frame at a time; it refuses
a file whose header, version, length or checksum is wrong, or that ends before its ``end``
frame, with a `SnapshotFileError`.

A writer writes a temporary name, fsyncs it and renames it into place, so a reader never sees
half a file. Names sort by revision, then by the instant computed. The frames are pickles: a
snapshot directory must be as trusted as the database it is computed from.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import pickle
import struct
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, BinaryIO

import networkx as nx

from stakenet.analytics.errors import SnapshotFileError
from stakenet.analytics.network_view import AnalyticsState
from stakenet.analytics.projection import TieGraph
from stakenet.analytics.sharded import ShardedTable
from stakenet.analytics.snapshot import AnalyticsSnapshot
from stakenet.analytics.strength import StrengthParams, TieStrengths

__all__ = [
    "FORMAT_VERSION",
    "LoadedSnapshot",
    "SnapshotFileError",
    "read_snapshot",
    "snapshot_files",
    "write_snapshot",
]

MAGIC = b"STAKENET-SNAPSHOT\n"
FORMAT_VERSION = 3
SUFFIX = ".snapshot"
# Records per frame at most, and the bytes a frame aims at: decoding one frame holds the
# interpreter lock for a millisecond or two (records of a million-tie network decode at 25-45
# KB per millisecond), and the frames' headers still cost nothing.
CHUNK = 1024
FRAME_BYTES = 48 * 1024
_HEADER = struct.Struct(">IQ")  # format version, revision
_FRAME = struct.Struct(">QI")  # payload length, CRC-32 of the payload
# A frame larger than this is refused before it is read: no honest frame comes near it.
_MAX_FRAME = 1 << 30
_SECTIONS = (
    "stakeholders",
    "ties",
    "interactions",
    "strength_records",
    "strengths",
    "metrics",
    "centrality",
    "influence",
    "communities",
    "people",
    "people_links",
    "coverage",
)


@dataclass(frozen=True, slots=True)
class LoadedSnapshot:
    """A snapshot read from a file, with how long its read held the interpreter lock at most
    (the longest decode of one frame, in seconds)."""

    state: AnalyticsState
    frames: int
    longest_frame: float


def snapshot_file_name(revision: int, computed_at: datetime) -> str:
    """``<revision>-<microseconds since the epoch>.snapshot``, zero-padded to sort in order."""
    micros = round(computed_at.timestamp() * 1_000_000)
    return f"{revision:016d}-{micros:020d}{SUFFIX}"


def snapshot_files(directory: Path) -> list[tuple[int, Path]]:
    """The complete snapshot files of `directory` with their revisions, newest first.

    A file's name starts with its revision and sorts by revision, then by the instant it was
    computed; a name that does not is no snapshot file. Temporary files start with a dot.
    """
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return []
    files = []
    for name in names:
        revision, _, _ = name.partition("-")
        if name.endswith(SUFFIX) and revision.isdigit():
            files.append((name, int(revision)))
    return [(revision, directory / name) for name, revision in sorted(files, reverse=True)]


# -- writing ---------------------------------------------------------------------------------


def _payloads(section: str, records: Iterable[Any]) -> Iterator[bytes]:
    """The pickled frames of one section: each of at most `CHUNK` records, as many as the
    previous frame's size (for the first, the first record's) says fit in `FRAME_BYTES`, so a
    section of large records, such as the influence lists, is cut into as many more frames."""
    size = 0
    chunk: list[Any] = []
    for record in records:
        if not size:
            size = max(1, min(CHUNK, FRAME_BYTES // len(_pickled(record))))
        chunk.append(record)
        if len(chunk) >= size:
            payload = _pickled((section, chunk))
            yield payload
            size = max(1, min(CHUNK, len(chunk) * FRAME_BYTES // max(len(payload), 1)))
            chunk = []
    if chunk:
        yield _pickled((section, chunk))


def _pickled(value: object) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def _community_pieces(communities: Iterable[frozenset[str]]) -> Iterator[tuple[int, list[str]]]:
    """Each community as ``(its position, members)`` pieces of at most `CHUNK` members: one
    community of a big organisation is thousands of ids, too many for one frame."""
    for position, community in enumerate(communities):
        members = list(community)
        for start in range(0, len(members), CHUNK):
            yield position, members[start : start + CHUNK]


def _params_record(params: StrengthParams) -> dict[str, Any]:
    return {
        f.name: dict(value) if isinstance(value, Mapping) else value
        for f in dataclasses.fields(params)
        for value in [getattr(params, f.name)]
    }


def _frames(state: AnalyticsState) -> Iterator[bytes]:
    snapshot = state.snapshot
    # The snapshot holds its `TieStrengths` behind a read-only proxy, whose copy is it again.
    proxy: Any = snapshot.tie_strengths
    ties = proxy.copy()
    assert isinstance(ties, TieStrengths)
    yield _pickled(
        (
            "meta",
            {
                "revision": snapshot.revision,
                "computed_at": snapshot.computed_at,
                "betweenness_mode": snapshot.betweenness_mode,
                "betweenness_k": snapshot.betweenness_k,
                "closeness_mode": snapshot.closeness_mode,
                "closeness_k": snapshot.closeness_k,
                "eigenvector_converged": snapshot.eigenvector_converged,
                "formula_versions": dict(snapshot.formula_versions),
                "timings": dict(snapshot.timings),
                "strength_params": _params_record(ties.params),
            },
        )
    )
    graph = state._graph
    sources: dict[str, Iterable[Any]] = {
        "stakeholders": graph.nodes(data=True),
        # A plain dict per tie: a shared attribute dict pickles as one anyway.
        "ties": ((u, v, k, dict(a)) for u, v, k, a in graph.edges(keys=True, data=True)),
        "interactions": state._interactions.values(),
        "strength_records": ties.records().items(),
        "strengths": snapshot.strengths.items(),
        "metrics": snapshot.nodes.items(),
        "centrality": snapshot.centrality.items(),
        "influence": snapshot.influence.items(),
        "communities": _community_pieces(snapshot.communities),
    }
    people = state._people_graph()
    sources["people"] = people.nodes(data=True)
    sources["people_links"] = _people_links(people)
    sources["coverage"] = state._our_coverage().items()
    for section in _SECTIONS:
        yield from _payloads(section, sources[section])


def _people_links(people: nx.Graph) -> Iterator[tuple[int, int, dict[str, Any] | None]]:
    """Each person's links in order, as ``(person, other, attributes)`` with the people as
    their positions in the graph's order (a few bytes each, where an id is 36). A link's
    attributes are written with the person that comes first, and None with the other, whose
    reader shares the first one's dict (as `nx.Graph` does)."""
    position = {person: index for index, person in enumerate(people)}
    for person, links in people.adjacency():
        mine = position[person]
        for other, attributes in links.items():
            theirs = position[other]
            yield mine, theirs, attributes if theirs > mine else None


def write_snapshot(directory: Path, state: AnalyticsState, keep: int = 3) -> Path:
    """Write `state` to `directory` as one file and keep only the newest `keep` files.

    The file appears whole or not at all: it is written under a temporary name, synced to
    disk and renamed.
    """
    directory.mkdir(parents=True, exist_ok=True)
    name = snapshot_file_name(state.revision, state.as_of)
    final = directory / name
    partial = directory / f".{name}.{os.getpid()}.partial"
    try:
        with partial.open("wb") as sink:
            sink.write(MAGIC + _HEADER.pack(FORMAT_VERSION, state.revision))
            count = 0
            for payload in _frames(state):
                _write_frame(sink, payload)
                count += 1
            _write_frame(sink, _pickled(("end", count)))
            sink.flush()
            os.fsync(sink.fileno())
        os.replace(partial, final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    _sync_directory(directory)
    _prune(directory, keep)
    return final


def _write_frame(sink: BinaryIO, payload: bytes) -> None:
    sink.write(_FRAME.pack(len(payload), zlib.crc32(payload)))
    sink.write(payload)


def _sync_directory(directory: Path) -> None:
    # The rename itself is durable only once the directory is synced.
    with contextlib.suppress(OSError):
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _prune(directory: Path, keep: int) -> None:
    """Keep the newest `keep` files, and remove what writers that ended mid-write left."""
    listed = os.listdir(directory)
    names = sorted(n for n in listed if n.endswith(SUFFIX) and n[0] != ".")
    stale = [n for n in listed if n.endswith(".partial") and not _running(n.split(".")[-2])]
    for name in names[: max(len(names) - keep, 0)] + stale:
        with contextlib.suppress(FileNotFoundError):  # another writer removed it first
            (directory / name).unlink()


def _running(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True  # another user's
    return True


# -- reading ---------------------------------------------------------------------------------


def read_snapshot(path: Path) -> LoadedSnapshot:
    """The analytics state a snapshot file holds, its graph built from the file.

    Raises
    ------
    SnapshotFileError
        If the file is missing, not a snapshot file, of another format version, truncated or
        corrupt.
    """
    try:
        with path.open("rb") as source:
            return _read(source, path.name)
    except OSError as error:
        raise SnapshotFileError(f"Snapshot file {path.name} cannot be read: {error}") from None


def _read(source: BinaryIO, name: str) -> LoadedSnapshot:
    head = source.read(len(MAGIC) + _HEADER.size)
    if not head.startswith(MAGIC) or len(head) < len(MAGIC) + _HEADER.size:
        raise SnapshotFileError(f"{name} is not a stakenet snapshot file.")
    version, revision = _HEADER.unpack_from(head, len(MAGIC))
    if version != FORMAT_VERSION:
        raise SnapshotFileError(
            f"{name} has snapshot format version {version}; this stakenet reads version "
            f"{FORMAT_VERSION}."
        )
    graph = TieGraph()
    people = nx.Graph()
    links = people._adj
    names: list[str] = []
    coverage: dict[str, float] = {}
    interactions: dict[str, Any] = {}
    # A tie's strength and its inputs: a million entries each at a million ties, read beside
    # the queries of a serving process.
    records: ShardedTable[str, Any] = ShardedTable()
    mappings: dict[str, dict[str, Any] | ShardedTable[str, Any]] = {
        "strengths": ShardedTable(),
        "metrics": {},
        "centrality": {},
        "influence": {},
    }
    communities: list[list[str]] = []
    meta: dict[str, Any] | None = None
    frames = 0
    longest = 0.0
    while True:
        started = time.perf_counter()
        section, body = _read_frame(source, name)
        longest = max(longest, time.perf_counter() - started)
        if section == "end":
            if body != frames:
                raise SnapshotFileError(f"{name} ends after {frames} frames, not {body}.")
            if source.read(1):
                raise SnapshotFileError(f"{name} has data after its end.")
            break
        frames += 1
        if section == "meta":
            meta = body
        elif section == "stakeholders":
            graph.add_nodes_from(body)
        elif section == "ties":
            graph.add_edges_from(body)
        elif section == "interactions":
            interactions.update((record.id, record) for record in body)
        elif section == "strength_records":
            records.update(body)
        elif section == "communities":
            for position, members in body:
                if position == len(communities):
                    communities.append([])
                elif position != len(communities) - 1:
                    raise SnapshotFileError(f"{name} has its communities out of order.")
                communities[position].extend(members)
        elif section == "people":
            people.add_nodes_from(body)
        elif section == "people_links":
            names = names or list(people)  # the people section comes first
            for mine, theirs, attributes in body:
                person, other = names[mine], names[theirs]
                links[person][other] = (
                    attributes if attributes is not None else links[other][person]
                )
        elif section == "coverage":
            coverage.update(body)
        elif section in mappings:
            mappings[section].update(body)
        else:
            raise SnapshotFileError(f"{name} has an unknown section {section!r}.")
        # Let the event loop's thread take the interpreter lock between frames.
        time.sleep(0)
    if meta is None or meta["revision"] != revision:
        raise SnapshotFileError(f"{name} lacks the snapshot's description.")
    fields: dict[str, Any] = {
        key: MappingProxyType(value) if isinstance(value, dict) else value
        for key, value in meta["strength_params"].items()
    }
    params = StrengthParams(**fields)
    strengths = mappings["strengths"]
    snapshot = AnalyticsSnapshot(
        revision=revision,
        computed_at=meta["computed_at"],
        tie_strengths=MappingProxyType(TieStrengths(records, strengths, params)),
        strengths=MappingProxyType(strengths),
        nodes=MappingProxyType(mappings["metrics"]),
        centrality=MappingProxyType(mappings["centrality"]),
        influence=MappingProxyType(mappings["influence"]),
        communities=tuple(frozenset(members) for members in communities),
        betweenness_mode=meta["betweenness_mode"],
        betweenness_k=meta["betweenness_k"],
        closeness_mode=meta["closeness_mode"],
        closeness_k=meta["closeness_k"],
        eigenvector_converged=meta["eigenvector_converged"],
        formula_versions=MappingProxyType(meta["formula_versions"]),
        timings=MappingProxyType(meta["timings"]),
    )
    state = AnalyticsState(graph, snapshot, interactions, _people=people, _coverage=coverage)
    return LoadedSnapshot(state, frames, longest)


def _read_frame(source: BinaryIO, name: str) -> tuple[str, Any]:
    head = source.read(_FRAME.size)
    if len(head) < _FRAME.size:
        raise SnapshotFileError(f"{name} is truncated: it ends before its last frame.")
    length, checksum = _FRAME.unpack(head)
    if length > _MAX_FRAME:
        raise SnapshotFileError(f"{name} is corrupt: a frame claims {length} bytes.")
    payload = source.read(length)
    if len(payload) < length:
        raise SnapshotFileError(f"{name} is truncated: it ends inside a frame.")
    if zlib.crc32(payload) != checksum:
        raise SnapshotFileError(f"{name} is corrupt: a frame's checksum does not match.")
    try:
        section, body = pickle.loads(payload)
    except Exception as error:
        raise SnapshotFileError(
            f"{name} is corrupt: a frame cannot be decoded ({error})."
        ) from None
    return str(section), body
