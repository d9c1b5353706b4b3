"""Import and export of the interchange document (docs/architecture.md, "A write").

An import is all or nothing and idempotent: stakeholders are matched by `key` (or `id`), ties by
`key`, by `id` or, without a key, by (source, target, kind), interactions by `key`, else by `id`,
else by a fingerprint of their content. A row that matches a record is merged onto it (the
fields the row leaves out are kept) or, in `ImportMode.REPLACE`, replaces it; records that have
not changed are not written again. A new record keeps the id its row gives, so an export
imported into an empty store keeps every id. Every bad row is named with its path.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO, Literal

from stakenet.domain.access import Role
from stakenet.domain.document_stream import (
    Member,
    Rows,
    UnreadableDocument,
    document_members,
    read_document,
)
from stakenet.domain.errors import ImportRejected, Issue
from stakenet.domain.interchange import (
    ImportMode,
    InteractionDraft,
    StakeholderDraft,
    TieDraft,
    endpoint_issues,
    interaction_fingerprint,
    interaction_to_row,
    parse_interaction,
    parse_stakeholder_draft,
    parse_tie,
    participant_references,
    same_content,
    stakeholder_to_row,
    tie_end_references,
    tie_to_row,
)
from stakenet.domain.model import (
    SYMMETRIC_TIE_KINDS,
    Counts,
    Interaction,
    Participant,
    Stakeholder,
    Tie,
    TieKind,
)
from stakenet.services.access import audit_entry, require
from stakenet.services.formats import CsvExport
from stakenet.services.ids import is_valid_id, new_ids
from stakenet.store.port import BulkWrite, GraphReads, GraphStore, WriteBatch, WriteResult

if TYPE_CHECKING:
    # Only named: `stakenet import` writes through the store and needs no projection.
    from stakenet.services.network import NetworkService

Progress = Callable[[str, int, int], None]
# Called with the result of the import's write, e.g. to bring a projection up to date.
Follow = Callable[[WriteResult], Awaitable[None]]
_IGNORED_ON_COMPARE = frozenset({"id", "created_at", "updated_at"})
FORMAT_VERSION = 1
# Rows checked and written at a time: large enough that each store call carries a lot, small
# enough that a chunk's rows and their entities stay a few megabytes.
CHUNK_ROWS = 10_000
# A server's importGraph checks its rows on the event loop, between the awaited store calls of
# each chunk: chunks this small (some 25 ms of checking) give other requests a turn often.
DECODED_CHUNK_ROWS = 2_000


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """How many records of each section were new, changed and unchanged."""

    stakeholders_created: int = 0
    stakeholders_updated: int = 0
    stakeholders_unchanged: int = 0
    ties_created: int = 0
    ties_updated: int = 0
    ties_unchanged: int = 0
    interactions_created: int = 0
    interactions_updated: int = 0
    interactions_unchanged: int = 0
    revision: int = 0

    def by_section(self) -> dict[str, tuple[int, int, int]]:
        """(new, changed, unchanged) records of each section, in document order."""
        return {
            "stakeholders": (
                self.stakeholders_created,
                self.stakeholders_updated,
                self.stakeholders_unchanged,
            ),
            "ties": (self.ties_created, self.ties_updated, self.ties_unchanged),
            "interactions": (
                self.interactions_created,
                self.interactions_updated,
                self.interactions_unchanged,
            ),
        }

    @property
    def unchanged(self) -> int:
        """Records of every section that matched and had not changed."""
        return self.stakeholders_unchanged + self.ties_unchanged + self.interactions_unchanged


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


async def _not_followed(result: WriteResult) -> None:
    return None


class _Counter:
    def __init__(self) -> None:
        self.created = 0
        self.updated = 0
        self.unchanged = 0


async def import_document(
    network: NetworkService,
    document: object,
    progress: Progress = _no_progress,
    *,
    mode: ImportMode = ImportMode.MERGE,
) -> ImportSummary:
    """Import a decoded document into the network's store, then bring its projection up to
    date."""
    return await import_into(network.store, document, progress, network.follow, mode=mode)


async def import_into(
    store: GraphStore,
    document: object,
    progress: Progress = _no_progress,
    follow: Follow = _not_followed,
    *,
    mode: ImportMode = ImportMode.MERGE,
) -> ImportSummary:
    """Import a decoded document (as `import_stream` does a streamed one)."""
    if not isinstance(document, Mapping):
        require(Role.EDITOR, "Importing")
        raise ImportRejected([Issue("", "The document must be a JSON object.")])
    total = sum(len(value) for value in document.values() if isinstance(value, list))
    members = document_members(document, chunk_rows=DECODED_CHUNK_ROWS)
    return await import_members(store, members, progress, follow, total, mode=mode)


async def import_stream(
    store: GraphStore,
    stream: BinaryIO,
    progress: Progress = _no_progress,
    follow: Follow = _not_followed,
    *,
    mode: ImportMode = ImportMode.MERGE,
) -> ImportSummary:
    """Import a document read from `stream` a chunk of rows at a time.

    Only the current chunk of rows is in memory, with what matching needs: the document's
    stakeholders and, for a re-import, the stored ties among them. A document that is not JSON
    is rejected with the line and column where reading stopped.
    """
    try:
        return await import_members(
            store, read_document(stream, chunk_rows=CHUNK_ROWS), progress, follow, mode=mode
        )
    except UnreadableDocument as unreadable:
        raise ImportRejected([Issue("", str(unreadable), "UNREADABLE")]) from unreadable


async def import_csv(
    store: GraphStore,
    export: CsvExport,
    progress: Progress = _no_progress,
    follow: Follow = _not_followed,
    *,
    mode: ImportMode = ImportMode.MERGE,
) -> ImportSummary:
    """Import the CSV files of an export, with the checks of a document; every problem is
    named by its file, row and column."""
    try:
        return await import_members(
            store,
            export.members(CHUNK_ROWS),
            progress,
            follow,
            mode=mode,
            reading_issues=export.issues,
        )
    except ImportRejected as rejected:
        raise ImportRejected([export.located(issue) for issue in rejected.issues]) from None


async def import_members(
    store: GraphStore,
    members: Iterable[Member | Rows],
    progress: Progress = _no_progress,
    follow: Follow = _not_followed,
    total_rows: int = 0,
    *,
    mode: ImportMode = ImportMode.MERGE,
    reading_issues: Sequence[Issue] = (),
) -> ImportSummary:
    """Check each chunk of rows and write it while the document is read, all in one bulk
    write that commits only if no row of the whole document has a problem.

    Sections are read in the order of the document; ties and interactions that come before
    the stakeholders are held until the stakeholders have been read. Raises ImportRejected,
    with every problem found, when any row is bad: then nothing is written. `follow` gets the
    result of the write, if anything was written; a command-line import needs no projection,
    so it passes nothing. `total_rows` (0 if unknown) is passed to `progress`.
    `reading_issues` are the problems the reader of `members` finds while it is read (of a
    CSV file, say): any of them rejects the import too.
    """
    require(Role.EDITOR, "Importing")
    async with store.bulk_write() as bulk:
        run = _Import(store, bulk, progress, total_rows, mode)
        for member in members:
            await run.take(member)
        await run.finish()
        if run.issues or reading_issues:
            raise ImportRejected([*reading_issues, *sorted(run.issues, key=_document_order)])
        written = run.written
        audit = (
            audit_entry("importGraph", written.ids, detail=written.detail()) if written else None
        )
        revision = await bulk.commit(audit)
    if written:
        await follow(WriteResult(revision, []))
    progress("import", run.rows_done, run.rows_done)
    return run.summary(revision)


SECTIONS = ("stakeholders", "ties", "interactions")
_OTHER_MEMBERS = frozenset({"format", "version", "revision"})
_ROW_PATH = re.compile(r"(stakeholders|ties|interactions)\[(\d+)\]")


def _document_order(issue: Issue) -> tuple[int, int]:
    """Issues in the order of the rows they are about; those about the document first."""
    found = _ROW_PATH.match(issue.path)
    if found is None:
        return (-1, 0)
    return (SECTIONS.index(found[1]), int(found[2]))


class _Written:
    """What the import has written so far, for its audit entry."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.counts = dict.fromkeys(SECTIONS, 0)

    def __bool__(self) -> bool:
        return bool(self.ids)

    def detail(self) -> dict[str, int]:
        return dict(self.counts)


@dataclass(slots=True)
class _TieChunk:
    """One chunk of tie rows on its way through the import's steps (`_Import._ties`)."""

    # The rows to place: index in the document, key, draft.
    rows: list[tuple[int, str | None, TieDraft]]
    # References to stakeholders the document does not define (so far).
    undefined: set[str]
    # Ids for the new ties whose rows give none.
    fresh_ids: Iterator[str]
    # The references of rows refused for other reasons, by their paths in the document.
    refused_refs: list[tuple[str, str]]
    # Stored ties by the rows' keys, and by the ids of rows that match no stored tie otherwise.
    by_key: dict[str, Tie] = field(default_factory=dict)
    by_id: dict[str, Tie] = field(default_factory=dict)
    batch: WriteBatch = field(default_factory=lambda: WriteBatch(report_changes=False))
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class _Import:
    """One import in progress: what it has checked, matched and written so far."""

    def __init__(
        self,
        store: GraphStore,
        bulk: BulkWrite,
        progress: Progress,
        total_rows: int,
        mode: ImportMode,
    ) -> None:
        self.store = store
        self.bulk = bulk
        self.progress = progress
        self.total_rows = total_rows
        self.merge = mode is ImportMode.MERGE
        self.rows_done = 0
        self.issues: list[Issue] = []
        self.written = _Written()
        self.people = _Counter()
        self.ties = _Counter()
        self.interactions = _Counter()
        # Stakeholders by key and by id: the document's, and stored ones it refers to.
        self.by_ref: dict[str, Stakeholder] = {}
        self.created_ids: set[str] = set()
        # Every key and id a stakeholder row names, parsed or not: a reference to a row that failed
        # is reported at that row already, not again at each reference.
        self.declared_refs: set[str] = set()
        # The first row of each section to use a key, to write a record (by its id: the id a
        # row gives, or the stored record's it matched), and of interactions known by their
        # content alone (by fingerprint): two rows may not write one.
        self.first_row: dict[str, dict[str, dict[str, int]]] = {
            field: {name: {} for name in SECTIONS} for field in ("key", "id", "content")
        }
        # Whether `by_ref` holds a stakeholder from the store: until it does, no tie of the
        # document can match a stored one.
        self.holds_stored = False
        # The document's ties without a key, by (source, target, kind), at the row of each
        # (symmetric kinds with the lesser id first); stored ties by (source, target, kind), of
        # the stakeholders whose stored ties are loaded.
        self.seen_natural: dict[tuple[str, str, TieKind], int] = {}
        self.by_natural: dict[tuple[str, str, TieKind], Tie] = {}
        # How many records the store held, read once, when first needed: where it held none
        # of a section, no row can match one by id.
        self.counts_before: Counts | None = None
        self.ties_loaded_for: set[str] = set()
        # Endpoint kinds already found acceptable: (tie kind, source kind, target kind, internal).
        self.acceptable: set[tuple[object, ...]] = set()
        self.participant_of: dict[tuple[str, str | None], Participant] = {}
        self.sections_seen: set[str] = set()
        self.current: str | None = None
        self.skipping = False
        self.held: list[Rows] = []

    # -- reading the document

    async def take(self, member: Member | Rows) -> None:
        name = member.name
        starts = isinstance(member, Member) or member.start == 0
        if starts and name != self.current and self.current == "stakeholders":
            await self._release_held()
        if starts:
            self.current = name
        if isinstance(member, Member):
            if name in SECTIONS:
                self.issues.append(Issue(name, f"'{name}' must be a list."))
            elif name not in _OTHER_MEMBERS:
                self.issues.append(Issue(name, f"Unknown section '{name}'.", "UNKNOWN_FIELD"))
            return
        if starts:
            self.skipping = name in self.sections_seen or name not in SECTIONS
            if name in self.sections_seen:
                self.issues.append(Issue(name, f"The section '{name}' appears twice.", "DUPLICATE"))
            elif name not in SECTIONS:
                self.issues.append(Issue(name, f"Unknown section '{name}'.", "UNKNOWN_FIELD"))
            self.sections_seen.add(name)
        if self.skipping:
            return
        if name != "stakeholders" and "stakeholders" not in self.sections_seen:
            # Rows that refer to stakeholders wait until the stakeholders are read.
            self.held.append(member)
            return
        await self._rows(member)

    async def finish(self) -> None:
        await self._release_held()

    async def _release_held(self) -> None:
        held, self.held = self.held, []
        for rows in held:
            await self._rows(rows)

    async def _rows(self, rows: Rows) -> None:
        if rows.name == "stakeholders":
            await self._stakeholders(rows.start, rows.rows)
        elif rows.name == "ties":
            await self._ties(rows.start, rows.rows)
        else:
            await self._interactions(rows.start, rows.rows)
        self.rows_done += len(rows.rows)
        self.progress("import", self.rows_done, self.total_rows)

    async def _write(self, batch: WriteBatch) -> None:
        """Write a checked chunk, unless a problem was found: then nothing will be committed,
        and the rest of the document is only checked."""
        if self.issues or not len(batch):
            return
        await self.bulk.write(batch)
        for section, written in (
            ("stakeholders", batch.upsert_stakeholders),
            ("ties", batch.upsert_ties),
            ("interactions", batch.upsert_interactions),
        ):
            self.written.counts[section] += len(written)
            self.written.ids.extend([entity.id for entity in written])

    def _first_use(self, section: str, key: str, index: int) -> bool:
        """Record the row using `key`; False, with the issue, if an earlier row used it."""
        return self._only_row(section, "key", key, index)

    def _claim(self, section: str, entity_id: str, index: int) -> bool:
        """Record that the row at `index` writes the record `entity_id`; False, with the issue,
        if an earlier row writes it."""
        return self._only_row(section, "id", entity_id, index)

    def _only_row(self, section: str, field: Literal["key", "id"], value: str, index: int) -> bool:
        first = self.first_row[field][section].setdefault(value, index)
        if first == index:
            return True
        if field == "key":
            message = f"Duplicate key '{value}' (first used at {section}[{first}])."
            code = "DUPLICATE_KEY"
        else:
            message = f"This row is the same record (id '{value}') as {section}[{first}]."
            code = "DUPLICATE"
        self.issues.append(Issue(f"{section}[{index}].{field}", message, code))
        return False

    def _first_content(self, index: int, fingerprint: str) -> bool:
        """Record the keyless row without an id at `index`; False, with the issue, if an
        earlier one has the same content (it would be the same interaction)."""
        first = self.first_row["content"]["interactions"].setdefault(fingerprint, index)
        if first == index:
            return True
        self.issues.append(
            Issue(
                f"interactions[{index}]",
                f"Same kind, time, participants and subject as interactions[{first}]: without "
                "a 'key' or an 'id' the two are one interaction. Give each a key to keep both.",
                "DUPLICATE",
            )
        )
        return False

    def _invalid_id(self, section: str, index: int, given_id: str) -> bool:
        if is_valid_id(given_id):
            return False
        self.issues.append(
            Issue(f"{section}[{index}].id", f"'{given_id}' is not a valid id.", "INVALID")
        )
        return True

    # -- stakeholders: matched by key, else by a given id

    async def _stakeholders(self, start: int, raw_rows: list[object]) -> None:
        rows: list[tuple[int, StakeholderDraft]] = []
        for index, raw in enumerate(raw_rows, start):
            if type(raw) is dict:
                for field in ("key", "id"):
                    if type(declared := raw.get(field)) is str:
                        self.declared_refs.add(declared.strip())
            row = parse_stakeholder_draft(raw, f"stakeholders[{index}]", self.issues)
            if row is None:
                continue
            if row.key is None and not row.id:
                self.issues.append(
                    Issue(
                        f"stakeholders[{index}].key",
                        "Imported stakeholders need a 'key' (or the 'id' an export gives one "
                        "without a key).",
                        "REQUIRED",
                    )
                )
            elif row.key is None or self._first_use("stakeholders", row.key, index):
                # Keyless (an export's stakeholder created without one): matched by its id.
                rows.append((index, row))
        keys = [row.key for _, row in rows if row.key]
        existing_by_key = {
            s.key: s
            for s in await self.store.get_stakeholders_by_key(keys)
            if s is not None and s.key
        }
        given_ids = [row.id for _, row in rows if row.id]
        existing_by_id = {
            s.id: s for s in await self.store.get_stakeholders(given_ids) if s is not None
        }
        batch = WriteBatch(report_changes=False)
        fresh_ids = iter(new_ids(len(rows)))
        for index, row in rows:
            current = existing_by_key.get(row.key or "") or existing_by_id.get(row.id)
            if row.id and self._invalid_id("stakeholders", index, row.id):
                continue
            if current is not None and current.kind is not row.kind:
                self.issues.append(
                    Issue(
                        f"stakeholders[{index}].kind",
                        f"'{row.key}' already exists as a {current.kind.value}, not a "
                        f"{row.kind.value}.",
                        "CONFLICT",
                    )
                )
                continue
            if current is None:
                stakeholder = row.placed(row.id or next(fresh_ids))
                if row.id and not self._claim("stakeholders", row.id, index):
                    continue
                self.people.created += 1
                batch.upsert_stakeholders.append(stakeholder)
                self.created_ids.add(stakeholder.id)
            else:
                if not self._claim("stakeholders", current.id, index):
                    continue
                stakeholder = row.merged_onto(current) if self.merge else row.placed(current.id)
                self.holds_stored = True
                if not same_content(current, stakeholder, _IGNORED_ON_COMPARE):
                    self.people.updated += 1
                    batch.upsert_stakeholders.append(stakeholder)
                else:
                    self.people.unchanged += 1
            if stakeholder.key:
                self.by_ref[stakeholder.key] = stakeholder
            self.by_ref[stakeholder.id] = stakeholder
        await self._write(batch)

    async def _resolve_stored(self, refs: Set[str]) -> None:
        """Find stored stakeholders, by key then by id, for references the document does not
        define."""
        by_ref = self.by_ref
        # Not `refs - by_ref.keys()`: that walks the whole map, once per chunk.
        missing = sorted(ref for ref in refs if ref not in by_ref)
        if not missing:
            return
        for found in await self.store.get_stakeholders_by_key(missing):
            if found is not None and found.key:
                by_ref[found.key] = found
                self.holds_stored = True
        still_missing = [ref for ref in missing if ref not in by_ref]
        for found in await self.store.get_stakeholders(still_missing):
            if found is not None:
                by_ref[found.id] = found
                self.holds_stored = True

    def _report_unresolved(self, references: Iterable[tuple[str, str]]) -> None:
        """Name each (path, reference) whose stakeholder neither the document nor the store
        holds."""
        for path, ref in references:
            if ref not in self.by_ref:
                self._unresolved(ref, path)

    def _unresolved(self, ref: str, path: str) -> None:
        if ref not in self.declared_refs:
            self.issues.append(
                Issue(
                    path,
                    f"No stakeholder with key '{ref}' in the document or the store.",
                    "UNKNOWN_REFERENCE",
                )
            )

    # -- ties: matched by key, else by (source, target, kind); symmetric kinds either way round

    async def _load_stored_ties(self, stakeholder_ids: Set[str]) -> None:
        # Stakeholders this import creates have no stored ties to match against.
        wanted = sorted(stakeholder_ids - self.ties_loaded_for - self.created_ids)
        if not wanted:
            return
        self.ties_loaded_for.update(wanted)
        by_natural = self.by_natural
        for tie in await self.store.ties_of(wanted):
            # The keyless tie of these ends, if there is one: the store holds at most one, and
            # a row without a key is that tie (a keyed one of the same ends only failing it).
            if tie.key is None:
                by_natural[tie.source_id, tie.target_id, tie.kind] = tie
            else:
                by_natural.setdefault((tie.source_id, tie.target_id, tie.kind), tie)

    def _stored_natural(self, source_id: str, target_id: str, kind: TieKind) -> Tie | None:
        """The loaded stored tie of `kind` from `source_id` to `target_id`, either way round
        for a symmetric kind."""
        by_natural = self.by_natural
        if not by_natural:
            return None
        found = by_natural.get((source_id, target_id, kind))
        if found is None and kind in SYMMETRIC_TIE_KINDS:
            found = by_natural.get((target_id, source_id, kind))
        return found

    async def _stored_ties_by_id(
        self, drafts: list[tuple[int, str | None, TieDraft]], by_key: Mapping[str, Tie]
    ) -> dict[str, Tie]:
        """The stored ties with the ids of rows that match no stored tie by key or, without a
        key, by their endpoints: none if the store held no tie when the import began (the
        common case of an export imported into an empty store)."""
        if not await self._store_held("ties"):
            return {}
        by_ref = self.by_ref
        wanted = []
        for _, key, draft in drafts:
            if not draft.id:
                continue
            if key is not None:
                if key not in by_key:
                    wanted.append(draft.id)
                continue
            source, target = by_ref.get(draft.source_ref), by_ref.get(draft.target_ref)
            if source is None or target is None:
                continue  # a row refused in any case
            if self._stored_natural(source.id, target.id, draft.kind) is None:
                wanted.append(draft.id)
        if not wanted:
            return {}
        return {t.id: t for t in await self.store.get_ties(wanted) if t is not None}

    async def _store_held(self, section: str) -> bool:
        """Whether the store held any record of `section` when first asked (if the store's
        reads see this import's uncommitted writes, those count too: a look-up too many)."""
        if self.counts_before is None:
            self.counts_before = await self.store.counts()
        held: int = getattr(self.counts_before, section)
        return held > 0

    async def _ties(self, start: int, raw_rows: list[object]) -> None:
        chunk = self._parse_ties(start, raw_rows)
        await self._find_stored_ties(chunk)
        self._report_unresolved(chunk.refused_refs)
        for index, key, draft in chunk.rows:
            self._place_tie(chunk, index, key, draft)
        self.ties.created += chunk.created
        self.ties.updated += chunk.updated
        self.ties.unchanged += chunk.unchanged
        await self._write(chunk.batch)

    def _parse_ties(self, start: int, raw_rows: list[object]) -> _TieChunk:
        """The chunk's well-formed rows, each key used once; and the references among them
        to stakeholders the document does not define (so far)."""
        by_ref = self.by_ref
        rows: list[tuple[int, str | None, TieDraft]] = []
        undefined: set[str] = set()
        refused_refs: list[tuple[str, str]] = []
        for index, raw in enumerate(raw_rows, start):
            draft = parse_tie(raw, f"ties[{index}]", self.issues)
            if draft is None:
                for end, ref in tie_end_references(raw):
                    refused_refs.append((f"ties[{index}].{end}", ref))
                    undefined.add(ref)
                continue
            key = draft.key
            if key is None or self._first_use("ties", key, index):
                rows.append((index, key, draft))
                if draft.source_ref not in by_ref:
                    undefined.add(draft.source_ref)
                if draft.target_ref not in by_ref:
                    undefined.add(draft.target_ref)
        return _TieChunk(rows, undefined, iter(new_ids(len(rows))), refused_refs)

    async def _find_stored_ties(self, chunk: _TieChunk) -> None:
        """Look up what the chunk's rows may match in the store: the stakeholders they refer
        to, the stored ties among those, and stored ties by the rows' keys and ids."""
        by_ref = self.by_ref
        await self._resolve_stored(chunk.undefined)
        if self.holds_stored:
            await self._load_stored_ties(
                {
                    by_ref[ref].id
                    for _, _, d in chunk.rows
                    for ref in (d.source_ref, d.target_ref)
                    if ref in by_ref
                }
            )
        keys = [key for _, key, _ in chunk.rows if key]
        chunk.by_key = {
            t.key: t for t in await self.store.get_ties_by_key(keys) if t is not None and t.key
        }
        chunk.by_id = await self._stored_ties_by_id(chunk.rows, chunk.by_key)

    def _place_tie(self, chunk: _TieChunk, index: int, key: str | None, draft: TieDraft) -> None:
        """Add the row to the chunk's batch as a new or changed tie, count it, or record why
        it cannot be imported."""
        if draft.id and self._invalid_id("ties", index, draft.id):
            return
        ends = self._tie_ends(index, draft)
        if ends is None:
            return
        source_id, target_id = ends
        given_id = chunk.by_id.get(draft.id) if draft.id else None
        if key is None:
            if self._repeats_keyless_tie(index, draft, source_id, target_id):
                return
            # The stored tie of these endpoints first: another with an id the row gives
            # would be a second tie of one kind between them.
            current = self._stored_natural(source_id, target_id, draft.kind) or given_id
        else:
            current = chunk.by_key.get(key) or given_id
        if current is None:
            self._create_tie(chunk, index, draft, source_id, target_id)
        else:
            self._update_tie(chunk, index, draft, current, source_id, target_id)

    def _tie_ends(self, index: int, draft: TieDraft) -> tuple[str, str] | None:
        """The ids of the tie's source and target, if both are found and the tie's kind may
        join them; None, with the issues, if not."""
        source = self.by_ref.get(draft.source_ref)
        target = self.by_ref.get(draft.target_ref)
        if source is None or target is None:
            if source is None:
                self._unresolved(draft.source_ref, f"ties[{index}].source")
            if target is None:
                self._unresolved(draft.target_ref, f"ties[{index}].target")
            return None
        endpoints = (draft.kind, source.kind, target.kind, source.internal)
        if source.id == target.id or endpoints not in self.acceptable:
            problems = endpoint_issues(draft.kind, source, target, f"ties[{index}]")
            if problems:
                self.issues.extend(problems)
                return None
            self.acceptable.add(endpoints)
        return source.id, target.id

    def _repeats_keyless_tie(
        self, index: int, draft: TieDraft, source_id: str, target_id: str
    ) -> bool:
        """Whether an earlier row gives a tie without a key of this kind between these
        stakeholders (either way round for a symmetric kind); if so, with the issue."""
        tie_kind = draft.kind
        # A symmetric tie is seen under its endpoints in order, so that one look-up finds it
        # either way round.
        first = self.seen_natural.setdefault(
            (target_id, source_id, tie_kind)
            if tie_kind in SYMMETRIC_TIE_KINDS and target_id < source_id
            else (source_id, target_id, tie_kind),
            index,
        )
        if first == index:
            return False
        self.issues.append(
            Issue(
                f"ties[{index}]",
                f"Duplicate {tie_kind.value} tie from '{draft.source_ref}' to "
                f"'{draft.target_ref}' (first at ties[{first}]); give each a 'key' to keep both.",
                "DUPLICATE",
            )
        )
        return True

    def _create_tie(
        self, chunk: _TieChunk, index: int, draft: TieDraft, source_id: str, target_id: str
    ) -> None:
        if draft.id and not self._claim("ties", draft.id, index):
            return
        chunk.created += 1
        tie_id = draft.id or next(chunk.fresh_ids)
        chunk.batch.upsert_ties.append(draft.placed(tie_id, source_id, target_id))

    def _update_tie(
        self,
        chunk: _TieChunk,
        index: int,
        draft: TieDraft,
        current: Tie,
        source_id: str,
        target_id: str,
    ) -> None:
        """The row onto the stored tie it matched: merged (or replacing it), and written only
        if that changes it."""
        if not self._claim("ties", current.id, index):
            return
        if self.merge:
            changed = draft.changes_when_merged(current, source_id, target_id)
            if changed:
                draft = draft.merged_onto(current)
        else:
            changed = not draft.agrees_with(current, source_id, target_id)
        if changed:
            chunk.updated += 1
            chunk.batch.upsert_ties.append(draft.placed(current.id, source_id, target_id))
        else:
            chunk.unchanged += 1

    # -- interactions: matched by key; without one, by a given id (an export's interaction
    # logged without a key), else by a fingerprint of kind, time, participants, subject

    async def _interactions(self, start: int, raw_rows: list[object]) -> None:
        drafts: list[tuple[int, str | None, InteractionDraft]] = []
        refused_refs: list[tuple[str, str]] = []
        for index, raw in enumerate(raw_rows, start):
            draft = parse_interaction(raw, f"interactions[{index}]", self.issues)
            if draft is None:
                refused_refs.extend(
                    (f"interactions[{index}].{field}", ref)
                    for field, ref in participant_references(raw)
                )
                continue
            if draft.key is not None:
                if self._first_use("interactions", draft.key, index):
                    drafts.append((index, draft.key, draft))
            elif draft.id:
                # Stored as it came, without a key: two such rows of the same content are
                # two interactions (logged twice), told apart by their ids.
                drafts.append((index, None, draft))
            elif self._first_content(index, fingerprint := interaction_fingerprint(draft)):
                drafts.append((index, fingerprint, draft))
        await self._resolve_stored(
            {ref for _, _, d in drafts for ref, _ in d.participant_refs}
            | {ref for _, ref in refused_refs}
        )
        self._report_unresolved(refused_refs)
        existing = {
            i.key: i
            for i in await self.store.get_interactions_by_key([key for _, key, _ in drafts if key])
            if i is not None and i.key
        }
        given_ids = [d.id for _, key, d in drafts if d.id and key not in existing]
        existing_by_id = (
            {i.id: i for i in await self.store.get_interactions(given_ids) if i is not None}
            if given_ids and await self._store_held("interactions")
            else {}
        )
        by_ref, participant_of = self.by_ref, self.participant_of
        batch = WriteBatch(report_changes=False)
        fresh_ids = iter(new_ids(len(drafts)))
        for index, key, draft in drafts:
            if draft.id and self._invalid_id("interactions", index, draft.id):
                continue
            participants = []
            for position, (ref, acting_as) in enumerate(draft.participant_refs):
                found = by_ref.get(ref)
                if found is None:
                    self._unresolved(ref, f"interactions[{index}].participants[{position}]")
                    continue
                participant = (found.id, acting_as)
                # Participants are immutable: one instance per pair serves every interaction.
                if (shared := participant_of.get(participant)) is None:
                    shared = participant_of[participant] = Participant(found.id, acting_as)
                participants.append(shared)
            if len(participants) != len(draft.participant_refs):
                continue
            current = (existing.get(key) if key else None) or (
                existing_by_id.get(draft.id) if draft.id else None
            )
            if current is None:
                if draft.id and not self._claim("interactions", draft.id, index):
                    continue
                self.interactions.created += 1
                batch.upsert_interactions.append(
                    draft.placed(draft.id or next(fresh_ids), key, tuple(participants))
                )
                continue
            if not self._claim("interactions", current.id, index):
                continue
            interaction = (
                draft.placed_onto(current, key, tuple(participants))
                if self.merge
                else draft.placed(current.id, key, tuple(participants))
            )
            if not same_content(current, interaction, _IGNORED_ON_COMPARE):
                self.interactions.updated += 1
                batch.upsert_interactions.append(interaction)
            else:
                self.interactions.unchanged += 1
        await self._write(batch)

    def summary(self, revision: int) -> ImportSummary:
        return ImportSummary(
            stakeholders_created=self.people.created,
            stakeholders_updated=self.people.updated,
            stakeholders_unchanged=self.people.unchanged,
            ties_created=self.ties.created,
            ties_updated=self.ties.updated,
            ties_unchanged=self.ties.unchanged,
            interactions_created=self.interactions.created,
            interactions_updated=self.interactions.updated,
            interactions_unchanged=self.interactions.unchanged,
            revision=revision,
        )


async def export_document(store: GraphReads) -> dict[str, Any]:
    """The whole network as one interchange document, read at one revision."""
    data = await store.load_all()
    reference: Mapping[str, str] = {s.id: s.key or s.id for s in data.stakeholders}
    return {
        "format": "stakenet",
        "version": FORMAT_VERSION,
        "revision": data.revision,
        "stakeholders": [stakeholder_to_row(s) for s in data.stakeholders],
        "ties": [tie_to_row(t, reference.__getitem__) for t in data.ties],
        "interactions": [
            interaction_to_row(i, reference.__getitem__) for i in _by_time(data.interactions)
        ],
    }


def _by_time(interactions: list[Interaction]) -> list[Interaction]:
    return sorted(interactions, key=lambda i: (i.occurred_at, i.id))
