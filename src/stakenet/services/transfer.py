"""Import and export of the interchange document (DESIGN.md §5).

An import is all or nothing and idempotent: stakeholders are matched by `key` (or `id`), ties by
`key` or by (source, target, kind), interactions by `key` or a fingerprint of their content; rows
that match and have not changed are not written again. Every bad row is named with its path.
"""

from __future__ import annotations

import operator
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from stakenet.domain.access import Role
from stakenet.domain.errors import ImportRejected, Issue
from stakenet.domain.interchange import (
    endpoint_issues,
    interaction_fingerprint,
    interaction_to_row,
    parse_document,
    same_content,
    stakeholder_to_row,
    tie_to_row,
)
from stakenet.domain.model import (
    SYMMETRIC_TIE_KINDS,
    Interaction,
    Participant,
    Stakeholder,
    Tie,
    TieKind,
)
from stakenet.services.access import audit_entry, require
from stakenet.services.ids import is_valid_id, new_ids
from stakenet.services.network import NetworkService
from stakenet.store.port import GraphStore, WriteBatch, WriteResult

Progress = Callable[[str, int, int], None]
# Called with the result of the import's write, e.g. to bring a projection up to date.
Follow = Callable[[WriteResult], Awaitable[None]]
_IGNORED_ON_COMPARE = frozenset({"id", "created_at", "updated_at"})
FORMAT_VERSION = 1
PROGRESS_EVERY = 5_000  # rows between progress reports while validating
_STAKEHOLDER_VALUES_AFTER_ID = operator.attrgetter(*(f.name for f in fields(Stakeholder)[1:]))


@dataclass(frozen=True, slots=True)
class ImportSummary:
    stakeholders_created: int = 0
    stakeholders_updated: int = 0
    ties_created: int = 0
    ties_updated: int = 0
    interactions_created: int = 0
    interactions_updated: int = 0
    unchanged: int = 0
    revision: int = 0


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


async def _not_followed(result: WriteResult) -> None:
    return None


class _Counter:
    def __init__(self) -> None:
        self.created = 0
        self.updated = 0


async def import_document(
    network: NetworkService, document: object, progress: Progress = _no_progress
) -> ImportSummary:
    """Import into the network's store, then bring its projection up to date."""
    return await import_into(network.store, document, progress, network.follow)


async def import_into(
    store: GraphStore,
    document: object,
    progress: Progress = _no_progress,
    follow: Follow = _not_followed,
) -> ImportSummary:
    """Validate the whole document, then write it in one transaction, or raise ImportRejected.

    `follow` gets the result of the write, if anything was written; a command-line import
    needs no projection, so it passes nothing.
    """
    require(Role.EDITOR, "Importing")
    parsed = parse_document(document)
    issues = list(parsed.issues)
    total_rows = len(parsed.stakeholders) + len(parsed.ties) + len(parsed.interactions)
    progress("validate", 0, total_rows)
    # The import's changes are read back from the log by whoever follows it.
    batch = WriteBatch(report_changes=False)
    unchanged = 0

    # Stakeholders: match by key, else by a given id.
    keys = [s.key for _, s in parsed.stakeholders if s.key]
    existing_by_key = {
        s.key: s for s in await store.get_stakeholders_by_key(keys) if s is not None and s.key
    }
    given_ids = [s.id for _, s in parsed.stakeholders if s.id]
    existing_by_id = {s.id: s for s in await store.get_stakeholders(given_ids) if s is not None}
    by_ref: dict[str, Stakeholder] = {}
    people = _Counter()
    created_ids: set[str] = set()
    fresh_ids = iter(new_ids(len(parsed.stakeholders)))
    for index, row in parsed.stakeholders:
        current = existing_by_key.get(row.key or "") or existing_by_id.get(row.id)
        if row.id and not is_valid_id(row.id):
            issues.append(
                Issue(f"stakeholders[{index}].id", f"'{row.id}' is not a valid id.", "INVALID")
            )
            continue
        if current is not None and current.kind is not row.kind:
            issues.append(
                Issue(
                    f"stakeholders[{index}].kind",
                    f"'{row.key}' already exists as a {current.kind.value}, not a "
                    f"{row.kind.value}.",
                    "CONFLICT",
                )
            )
            continue
        stakeholder = _with_id(row, current.id if current else (row.id or next(fresh_ids)))
        if current is None:
            people.created += 1
            batch.upsert_stakeholders.append(stakeholder)
            created_ids.add(stakeholder.id)
        elif not same_content(current, stakeholder, _IGNORED_ON_COMPARE):
            people.updated += 1
            batch.upsert_stakeholders.append(stakeholder)
        else:
            unchanged += 1
        if stakeholder.key:
            by_ref[stakeholder.key] = stakeholder
        by_ref[stakeholder.id] = stakeholder
    progress("validate", len(parsed.stakeholders), total_rows)

    # References to stakeholders already stored but not in this document.
    all_refs = {ref for _, t in parsed.ties for ref in (t.source_ref, t.target_ref)}
    all_refs |= {ref for _, i in parsed.interactions for ref, _ in i.participant_refs}
    missing = sorted(all_refs - by_ref.keys())
    if missing:
        for found in await store.get_stakeholders_by_key(missing):
            if found is not None and found.key:
                by_ref[found.key] = found
        still_missing = [ref for ref in missing if ref not in by_ref]
        for found in await store.get_stakeholders(still_missing):
            if found is not None:
                by_ref[found.id] = found

    def unresolved(ref: str, path: str) -> None:
        if ref not in parsed.declared_keys:
            issues.append(
                Issue(
                    path,
                    f"No stakeholder with key '{ref}' in the document or the store.",
                    "UNKNOWN_REFERENCE",
                )
            )

    # Ties: match by key, else by (source, target, kind); symmetric kinds either way round.
    tie_keys = [d.key for _, d in parsed.ties if d.key]
    existing_ties_by_key = {
        t.key: t for t in await store.get_ties_by_key(tie_keys) if t is not None and t.key
    }
    # Stakeholders this import creates have no stored ties to match against.
    stored_ids = sorted({s.id for s in by_ref.values()} - created_ids)
    existing_ties = await store.ties_of(stored_ids) if stored_ids else []
    by_natural: dict[tuple[str, str, TieKind], Tie] = {}
    for tie in existing_ties:
        by_natural.setdefault((tie.source_id, tie.target_id, tie.kind), tie)
    seen_natural: dict[tuple[str, str, TieKind], int] = {}
    # Endpoint kinds already found acceptable: (tie kind, source kind, target kind, internal).
    acceptable: set[tuple[object, ...]] = set()
    ties = _Counter()
    fresh_ids = iter(new_ids(len(parsed.ties)))
    done = len(parsed.stakeholders)
    for index, draft in parsed.ties:
        if index % PROGRESS_EVERY == 0:
            progress("validate", done + index, total_rows)
        source = by_ref.get(draft.source_ref)
        target = by_ref.get(draft.target_ref)
        if source is None or target is None:
            if source is None:
                unresolved(draft.source_ref, f"ties[{index}].source")
            if target is None:
                unresolved(draft.target_ref, f"ties[{index}].target")
            continue
        tie_kind = draft.kind
        endpoints = (tie_kind, source.kind, target.kind, source.internal)
        if source.id == target.id or endpoints not in acceptable:
            endpoint_problems = endpoint_issues(tie_kind, source, target, f"ties[{index}]")
            if endpoint_problems:
                issues.extend(endpoint_problems)
                continue
            acceptable.add(endpoints)
        key = draft.key
        natural = (source.id, target.id, tie_kind)
        symmetric = tie_kind in SYMMETRIC_TIE_KINDS
        mirrored = (target.id, source.id, tie_kind) if symmetric else natural
        if key is None:
            first = seen_natural.get(natural)
            if first is None and symmetric:
                first = seen_natural.get(mirrored)
            if first is not None:
                issues.append(
                    Issue(
                        f"ties[{index}]",
                        f"Duplicate {tie_kind.value} tie from '{draft.source_ref}' to "
                        f"'{draft.target_ref}' (first at ties[{first}]); give each a 'key' to "
                        "keep both.",
                        "DUPLICATE",
                    )
                )
                continue
            seen_natural[natural] = index
            current_tie = (
                by_natural.get(natural) or by_natural.get(mirrored) if by_natural else None
            )
        else:
            current_tie = existing_ties_by_key.get(key)
        if current_tie is None:
            ties.created += 1
            batch.upsert_ties.append(draft.placed(next(fresh_ids), source.id, target.id))
            continue
        if draft.agrees_with(current_tie, source.id, target.id):
            unchanged += 1
        else:
            ties.updated += 1
            batch.upsert_ties.append(draft.placed(current_tie.id, source.id, target.id))
    progress("validate", done + len(parsed.ties), total_rows)

    # Interactions: match by key, else by a fingerprint of kind, time, participants, subject.
    drafts = [
        (index, draft.interaction.key or interaction_fingerprint(draft), draft)
        for index, draft in parsed.interactions
    ]
    existing_interactions = {
        i.key: i
        for i in await store.get_interactions_by_key([key for _, key, _ in drafts])
        if i is not None and i.key
    }
    interactions = _Counter()
    participant_of: dict[tuple[str, str | None], Participant] = {}
    fresh_ids = iter(new_ids(len(drafts)))
    done += len(parsed.ties)
    for index, key, interaction_draft in drafts:
        if index % PROGRESS_EVERY == 0:
            progress("validate", done + index, total_rows)
        participants = []
        for position, (ref, acting_as) in enumerate(interaction_draft.participant_refs):
            found = by_ref.get(ref)
            if found is None:
                unresolved(ref, f"interactions[{index}].participants[{position}]")
            else:
                participant = (found.id, acting_as)
                # Participants are immutable: one instance per pair serves every interaction.
                if (shared := participant_of.get(participant)) is None:
                    shared = participant_of[participant] = Participant(found.id, acting_as)
                participants.append(shared)
        if len(participants) != len(interaction_draft.participant_refs):
            continue
        current_interaction = existing_interactions.get(key)
        interaction = interaction_draft.placed(
            current_interaction.id if current_interaction else next(fresh_ids),
            key,
            tuple(participants),
        )
        if current_interaction is None:
            interactions.created += 1
            batch.upsert_interactions.append(interaction)
        elif not same_content(current_interaction, interaction, _IGNORED_ON_COMPARE):
            interactions.updated += 1
            batch.upsert_interactions.append(interaction)
        else:
            unchanged += 1
    progress("validate", total_rows, total_rows)

    if issues:
        raise ImportRejected(issues)
    progress("write", 0, len(batch))
    if len(batch):
        batch.audit = audit_entry(
            "importGraph",
            [
                *(entity.id for entity in batch.upsert_stakeholders),
                *(entity.id for entity in batch.upsert_ties),
                *(entity.id for entity in batch.upsert_interactions),
            ],
            detail={
                "stakeholders": len(batch.upsert_stakeholders),
                "ties": len(batch.upsert_ties),
                "interactions": len(batch.upsert_interactions),
            },
        )
        result = await store.apply(batch)
        await follow(result)
        revision = result.revision
    else:
        revision = await store.revision()
    progress("write", len(batch), len(batch))
    return ImportSummary(
        stakeholders_created=people.created,
        stakeholders_updated=people.updated,
        ties_created=ties.created,
        ties_updated=ties.updated,
        interactions_created=interactions.created,
        interactions_updated=interactions.updated,
        unchanged=unchanged,
        revision=revision,
    )


async def export_document(network: NetworkService) -> dict[str, Any]:
    """The whole network as one interchange document, read at one revision."""
    data = await network.store.load_all()
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


def _with_id(stakeholder: Stakeholder, stakeholder_id: str) -> Stakeholder:
    if stakeholder.id == stakeholder_id:
        return stakeholder
    # Built directly: `replace` per row of a bulk import costs more than parsing the row.
    return Stakeholder(stakeholder_id, *_STAKEHOLDER_VALUES_AFTER_ID(stakeholder))


def _by_time(interactions: list[Interaction]) -> list[Interaction]:
    return sorted(interactions, key=lambda i: (i.occurred_at, i.id))
