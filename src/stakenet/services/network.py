"""The network service: every read and write of the graph goes through here.

It keeps the read model (`NetworkView`) in step with the store: loaded at start, moved forward
from the change log after each write and by the poller (writes by other replicas on the same
database), and it publishes each change to the view's subscribers on the event loop. Work on
the view runs in worker threads so the event loop never waits on it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any, Protocol, TypeVar

import anyio.to_thread

from stakenet.analytics.errors import AnalyticsError
from stakenet.analytics.network_view import Answer as Answer
from stakenet.analytics.network_view import GraphChanged as GraphChanged
from stakenet.analytics.network_view import Listener as Listener
from stakenet.analytics.network_view import NetworkView
from stakenet.analytics.relationship_map import RelationshipMap
from stakenet.domain.access import Role
from stakenet.domain.errors import (
    ChangeLogPruned,
    Conflict,
    Issue,
    NotFound,
    StaleRead,
    ValidationFailed,
)
from stakenet.domain.interchange import (
    InteractionDraft,
    TieDraft,
    endpoint_issues,
    interaction_to_row,
    parse_interaction,
    parse_stakeholder,
    parse_tie,
    stakeholder_to_row,
    tie_to_row,
)
from stakenet.domain.model import (
    Counts,
    Interaction,
    Participant,
    Stakeholder,
    StakeholderKind,
    Tie,
    TieKind,
)
from stakenet.services.access import audit_entry, require
from stakenet.services.analytics_errors import Request, domain_error
from stakenet.services.ids import new_id
from stakenet.store.port import MAX_PAGE_SIZE as MAX_PAGE_SIZE
from stakenet.store.port import ChangeLog, GraphStore, Page, TieIdentity, WriteBatch, WriteResult
from stakenet.store.port import Direction as Direction
from stakenet.store.port import PageRequest as PageRequest
from stakenet.store.port import StakeholderFilter as StakeholderFilter
from stakenet.store.port import StakeholderOrder as StakeholderOrder
from stakenet.store.port import irrevocable_write_hook as irrevocable_write_hook

log = logging.getLogger("stakenet.network")

E = TypeVar("E", Stakeholder, Tie, Interaction)
R = TypeVar("R")

# Times an update or a delete is made afresh when another write changes its entity between
# the read it is made from and its write (`StaleRead`).
STALE_READ_ATTEMPTS = 5


async def afresh_while_stale(write: Callable[[], Awaitable[R]]) -> R:
    """Run `write` (a read, then a write that expects what it read unchanged), made afresh
    from a new read while another write changes the entity in between: as if the writes ran
    one after the other. One that another write deleted meanwhile then finds it gone."""
    for _ in range(STALE_READ_ATTEMPTS - 1):
        try:
            return await write()
        except StaleRead:
            continue
    try:
        return await write()
    except StaleRead as stale:
        raise Conflict(
            f"{stale} Other writes kept changing it while this one was made: send it again."
        ) from None


MAX_MAP_DEPTH = 4
MAX_MAP_NODES = 1000


def check_map_request(request: MapRequest) -> None:
    """Refuse a map request whose depth, limit or minimum strength is out of range."""
    issues = []
    if not 0 <= request.depth <= MAX_MAP_DEPTH:
        issues.append(
            Issue("depth", f"'depth' must be between 0 and {MAX_MAP_DEPTH}, got {request.depth}.")
        )
    if not 1 <= request.limit <= MAX_MAP_NODES:
        issues.append(
            Issue("limit", f"'limit' must be between 1 and {MAX_MAP_NODES}, got {request.limit}.")
        )
    if not 0.0 <= request.min_strength <= 1.0:
        issues.append(
            Issue(
                "minStrength",
                f"'minStrength' must be between 0 and 1, got {request.min_strength:g}.",
            )
        )
    if issues:
        raise ValidationFailed(issues)


def _written(entity: E | None, what: str, entity_id: str) -> E:
    """An entity just written, read back; None when a concurrent write (a delete of it, or of
    an end of a tie) came in between, which the caller hears as the entity being gone."""
    if entity is None:
        raise NotFound(f"No {what} with id '{entity_id}': another write deleted it just now.")
    return entity


def _utc_today() -> date:
    return datetime.now(UTC).date()


@dataclass(frozen=True, slots=True)
class MapRequest:
    center_id: str
    depth: int = 2
    tie_kinds: tuple[TieKind, ...] = ()
    min_strength: float = 0.0
    limit: int = 200


class NetworkStore(GraphStore, ChangeLog, Protocol):
    """What the network service uses of the store: the graph, and its change log to keep the
    read model in step."""


class NetworkService:
    """Reads and writes of stakeholders, ties and interactions, and the read model's upkeep."""

    def __init__(self, store: NetworkStore, *, today: Callable[[], date] = _utc_today) -> None:
        self.store = store
        self.view = NetworkView()
        self.today = today
        self._sync_lock = asyncio.Lock()

    @property
    def revision(self) -> int:
        """The revision of the in-memory network."""
        return self.view.revision

    def subscribe(self, listener: Listener) -> None:
        """Call `listener` with every change applied from now on (on the event loop)."""
        self.view.subscribe(listener)

    def unsubscribe(self, listener: Listener) -> None:
        self.view.unsubscribe(listener)

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Build the read model from the store, which the composition root has opened."""
        data = await self.store.load_all()
        await anyio.to_thread.run_sync(self.view.load, data)
        log.info(
            "projection built at revision %d: %d stakeholders, %d ties",
            data.revision,
            len(data.stakeholders),
            len(data.ties),
        )

    async def sync(self) -> int:
        """Apply every change committed since the projection's revision; return the revision.

        A projection behind what the change log still keeps (`prune_change_log`, or a bulk
        write into an empty network) is built again from the whole network instead.
        """
        async with self._sync_lock:
            while True:
                try:
                    changes = await self.store.changes_since(self.view.revision)
                except ChangeLogPruned as pruned:
                    await self._rebuild(pruned.horizon)
                    continue
                if not changes:
                    return self.view.revision
                self.view.publish(await anyio.to_thread.run_sync(self.view.apply, changes))

    async def _rebuild(self, horizon: int) -> None:
        """Load the whole network again, and tell the subscribers that every stakeholder, of
        the old graph and of the new, may have changed."""
        # Expected after a first import (its rows are not in the log), or after a pruning.
        log.info(
            "projection at revision %d is behind the change log's horizon %d: reading the "
            "whole network again",
            self.view.revision,
            horizon,
        )
        data = await self.store.load_all()
        self.view.publish(await anyio.to_thread.run_sync(self.view.load, data))

    async def poll_changes(self, interval: float) -> None:
        """Follow writes by other processes on the same database, forever."""
        while True:
            await asyncio.sleep(interval)
            try:
                await self.sync()
            except Exception:  # keep polling: a database that comes back is picked up again
                log.warning("could not read the change log; retrying", exc_info=False)

    async def prune_change_log_periodically(self, keep_revisions: int, interval: float) -> None:
        """Forget all but the newest `keep_revisions` revisions of the change log now and
        every `interval` seconds, forever. Each replica may run it: the horizon only moves
        forward, so the replicas' prunings agree."""
        while True:
            try:
                horizon = await self.store.prune_change_log(keep_revisions)
                log.info("change log pruned: it keeps the changes after revision %d", horizon)
            except Exception:  # keep trying: a database that comes back is pruned next time
                log.warning("could not prune the change log; trying again later", exc_info=False)
            await asyncio.sleep(interval)

    async def _write(
        self, batch: WriteBatch, operation: str, ids: Sequence[str], fields: Sequence[str] = ()
    ) -> WriteResult:
        """Apply a batch with its audit entry, then bring the projection up to date."""
        batch.audit = audit_entry(operation, ids, fields)
        result = await self.store.apply(batch)
        await self.follow(result)
        return result

    async def follow(self, result: WriteResult) -> None:
        """Bring the projection up to date after a write of ours.

        When the write is the very next revision, its own changes (entities already decoded)
        are applied; otherwise another write came in between and the log is read from the
        projection's revision, so no revision is ever skipped.
        """
        async with self._sync_lock:
            if result.changes and result.revision == self.view.revision + 1:
                changed = await anyio.to_thread.run_sync(self.view.apply, result.changes)
                self.view.publish(changed)
                return
        await self.sync()

    async def erase_stakeholder(self, stakeholder_id: str) -> str:
        """Remove a person everywhere: store, change log, projection (admins only).

        Returns the tombstone that the audit trail names instead of the person from now on: a
        new id of its own, so the entries about one erased person stay together, but nothing
        leads back to the person's id.
        """
        require(Role.ADMIN, "Erasing a stakeholder")
        tombstone = f"erased-{new_id()}"
        result = await self.store.erase_stakeholder(
            stakeholder_id, audit_entry("eraseStakeholder", [tombstone]), tombstone
        )
        await self.follow(result)
        return tombstone

    # -- reads -----------------------------------------------------------------------------

    async def counts(self) -> Counts:
        """The network's counts and revision, from the projection once it has caught up with
        the store. Counting in the store scans every tie, and every write makes that scan read
        from disk again (a tenth of a second at a million ties); the catch-up reads only the
        change log. While a catch-up is already under way (a whole network read again after
        a bulk import), the projection answers as it stands instead of waiting for it."""
        if not self._sync_lock.locked():
            await self.sync()
        return self.view.counts

    async def stakeholders(self, ids: Sequence[str]) -> list[Stakeholder | None]:
        return await self.store.get_stakeholders(ids)

    async def stakeholders_by_key(self, keys: Sequence[str]) -> list[Stakeholder | None]:
        return await self.store.get_stakeholders_by_key(keys)

    async def find_stakeholders(
        self,
        where: StakeholderFilter,
        page: PageRequest,
        order: StakeholderOrder = StakeholderOrder.NAME,
    ) -> Page[Stakeholder]:
        return await self.store.find_stakeholders(where, page, order)

    async def ties(self, ids: Sequence[str]) -> list[Tie | None]:
        return await self.store.get_ties(ids)

    async def ties_of(
        self,
        stakeholder_ids: Sequence[str],
        kinds: Sequence[TieKind] = (),
        direction: Direction = Direction.BOTH,
    ) -> list[Tie]:
        return await self.store.ties_of(stakeholder_ids, kinds, direction)

    async def interactions(self, ids: Sequence[str]) -> list[Interaction | None]:
        return await self.store.get_interactions(ids)

    async def interactions_of(
        self, stakeholder_ids: Sequence[str], since: datetime | None = None
    ) -> list[Interaction]:
        return await self.store.interactions_of(stakeholder_ids, since)

    async def relationship_map(self, request: MapRequest) -> Answer[RelationshipMap]:
        """The map around a stakeholder in the in-memory network, and its revision."""
        check_map_request(request)

        def compute() -> Answer[RelationshipMap]:
            return self.view.relationship_map(
                request.center_id,
                depth=request.depth,
                limit=request.limit,
                on=self.today(),
                tie_kinds={k.value for k in request.tie_kinds} or None,
                min_strength=request.min_strength,
            )

        try:
            return await anyio.to_thread.run_sync(compute)
        except AnalyticsError as error:
            raise domain_error(error, Request({"centerId": request.center_id})) from None

    # -- writes ----------------------------------------------------------------------------

    # A create that names an entity already stored (by its key; a tie without a key by its kind
    # and ends) returns the stored one unchanged. That holds for a create racing another: the
    # store refuses the second with Conflict, and the loser returns the winner's entity, as if
    # the two had come one after the other.

    async def create_stakeholder(
        self, kind: StakeholderKind, fields: Mapping[str, Any]
    ) -> Stakeholder:
        """Create a stakeholder; a create that repeats an existing `key` returns that one."""
        require(Role.EDITOR, "Creating a stakeholder")
        issues: list[Issue] = []
        parsed = parse_stakeholder({**fields, "kind": kind.value}, "", issues)
        if parsed is None:
            raise ValidationFailed(issues)

        async def stored() -> Stakeholder | None:
            if parsed.key is None:
                return None
            (existing,) = await self.store.get_stakeholders_by_key([parsed.key])
            if existing is not None and existing.kind is not kind:
                raise Conflict(f"Key '{parsed.key}' is already used by a {existing.kind.value}.")
            return existing

        if (existing := await stored()) is not None:
            return existing
        stakeholder = replace(parsed, id=new_id())
        batch = WriteBatch(upsert_stakeholders=[stakeholder])
        operation = f"create{kind.value.title()}"
        if winner := await self._create(batch, operation, [stakeholder.id], fields, stored):
            return winner
        (created,) = await self.store.get_stakeholders([stakeholder.id])
        return _written(created, "stakeholder", stakeholder.id)

    async def _create(
        self,
        batch: WriteBatch,
        operation: str,
        ids: Sequence[str],
        fields: Mapping[str, Any],
        stored: Callable[[], Awaitable[E | None]],
    ) -> E | None:
        """Write a create; None once written, or the entity `stored` finds when a concurrent
        create of the same entity won (the store refused this one with Conflict)."""
        try:
            await self._write(batch, operation, ids, list(fields))
        except Conflict:
            if (winner := await stored()) is not None:
                return winner
            raise
        return None

    async def create_tie(self, fields: Mapping[str, Any]) -> Tie:
        """Create a tie between two existing stakeholders given by id.

        A tie with a key is the tie of that key; one without is the tie of its kind between its
        ends (`TieIdentity`). When that tie is stored, it is returned unchanged.
        """
        require(Role.EDITOR, "Creating a tie")
        issues: list[Issue] = []
        draft = parse_tie(fields, "", issues)
        if draft is None:
            raise ValidationFailed(issues)
        key = draft.tie.key

        async def by_key() -> Tie | None:
            (existing,) = await self.store.get_ties_by_key([key]) if key else [None]
            return existing

        if (existing := await by_key()) is not None:
            return existing
        source, target = await self._endpoints(draft)
        tie = replace(draft.tie, id=new_id(), source_id=source.id, target_id=target.id)

        async def stored() -> Tie | None:
            return await by_key() if key else await self._same_tie(tie)

        if key is None and (existing := await stored()) is not None:
            return existing
        batch = WriteBatch(upsert_ties=[tie])
        if winner := await self._create(
            batch, "createTie", [tie.id, source.id, target.id], fields, stored
        ):
            return winner
        (created,) = await self.store.get_ties([tie.id])
        return _written(created, "tie", tie.id)

    async def _endpoints(self, draft: TieDraft) -> tuple[Stakeholder, Stakeholder]:
        """The stored stakeholders a tie joins, if both exist and the tie kind allows them."""
        source, target = await self.store.get_stakeholders([draft.source_ref, draft.target_ref])
        issues = [
            Issue(name, f"No stakeholder with id '{ref}'.", "NOT_FOUND")
            for name, ref, found in (
                ("source", draft.source_ref, source),
                ("target", draft.target_ref, target),
            )
            if found is None
        ]
        if source is None or target is None:
            raise ValidationFailed(issues)
        problems = endpoint_issues(draft.tie.kind, source, target, "")
        if problems:
            raise ValidationFailed([replace(i, path=i.path.lstrip(".")) for i in problems])
        return source, target

    async def _participants(self, draft: InteractionDraft) -> tuple[Participant, ...]:
        """The participants of an interaction, if every one of them is stored."""
        refs = [ref for ref, _ in draft.participant_refs]
        found = await self.store.get_stakeholders(refs)
        issues = [
            Issue(f"participants[{index}]", f"No stakeholder with id '{ref}'.", "NOT_FOUND")
            for index, (ref, stakeholder) in enumerate(zip(refs, found, strict=True))
            if stakeholder is None
        ]
        if issues:
            raise ValidationFailed(issues)
        return tuple(Participant(ref, acting) for ref, acting in draft.participant_refs)

    async def _same_tie(self, tie: Tie) -> Tie | None:
        """The stored tie a create without a key means: of its kind between its ends (either
        way round for a symmetric kind), the one without a key first."""
        identity = TieIdentity.of(replace(tie, key=None))
        same = [
            stored
            for stored in await self.store.ties_of([tie.source_id], [tie.kind], Direction.BOTH)
            if TieIdentity.of(replace(stored, key=None)) == identity
        ]
        return min(same, key=lambda stored: stored.key is not None, default=None)

    async def log_interaction(self, fields: Mapping[str, Any]) -> Interaction:
        """Record an interaction between existing stakeholders given by id."""
        require(Role.EDITOR, "Logging an interaction")
        issues: list[Issue] = []
        draft = parse_interaction(fields, "", issues)
        if draft is None:
            raise ValidationFailed(issues)
        key = draft.interaction.key

        async def stored() -> Interaction | None:
            (existing,) = await self.store.get_interactions_by_key([key]) if key else [None]
            return existing

        if (existing := await stored()) is not None:
            return existing
        interaction = replace(
            draft.interaction, id=new_id(), participants=await self._participants(draft)
        )
        batch = WriteBatch(upsert_interactions=[interaction])
        ids = [interaction.id, *interaction.participant_ids]
        if winner := await self._create(batch, "logInteraction", ids, fields, stored):
            return winner
        (created,) = await self.store.get_interactions([interaction.id])
        return _written(created, "interaction", interaction.id)

    # -- updates and deletes ---------------------------------------------------------------
    #
    # A patch names only the fields to change; a field given as None is cleared. The merged
    # row goes through the same parser as a create, so the same rules and messages apply.

    async def update_stakeholder(
        self, stakeholder_id: str, patch: Mapping[str, Any]
    ) -> Stakeholder:
        require(Role.EDITOR, "Updating a stakeholder")
        return await afresh_while_stale(lambda: self._update_stakeholder(stakeholder_id, patch))

    async def _update_stakeholder(
        self, stakeholder_id: str, patch: Mapping[str, Any]
    ) -> Stakeholder:
        (current,) = await self.store.get_stakeholders([stakeholder_id])
        if current is None:
            raise NotFound(f"No stakeholder with id '{stakeholder_id}'.")
        if "kind" in patch and patch["kind"] != current.kind.value:
            raise ValidationFailed([Issue("kind", "A stakeholder's kind cannot change.")])
        merged = {**stakeholder_to_row(current), **patch}
        issues: list[Issue] = []
        parsed = parse_stakeholder(merged, "", issues)
        if parsed is None:
            raise ValidationFailed(issues)
        if parsed.key is not None and parsed.key != current.key:
            (holder,) = await self.store.get_stakeholders_by_key([parsed.key])
            if holder is not None:
                raise Conflict(f"Key '{parsed.key}' is already used by another stakeholder.")
        updated = replace(parsed, id=current.id, created_at=current.created_at)
        await self._write(
            WriteBatch(upsert_stakeholders=[updated], expect_unchanged=[current]),
            "updateStakeholder",
            [current.id],
            list(patch),
        )
        (stored,) = await self.store.get_stakeholders([current.id])
        return _written(stored, "stakeholder", current.id)

    async def delete_stakeholder(self, stakeholder_id: str) -> None:
        """Delete a stakeholder; its ties and its part in interactions go with it."""
        require(Role.EDITOR, "Deleting a stakeholder")
        await afresh_while_stale(lambda: self._delete_stakeholder(stakeholder_id))

    async def _delete_stakeholder(self, stakeholder_id: str) -> None:
        (current,) = await self.store.get_stakeholders([stakeholder_id])
        if current is None:
            raise NotFound(f"No stakeholder with id '{stakeholder_id}'.")
        await self._write(
            WriteBatch(delete_stakeholders=[stakeholder_id], expect_unchanged=[current]),
            "deleteStakeholder",
            [stakeholder_id],
        )

    async def update_tie(self, tie_id: str, patch: Mapping[str, Any]) -> Tie:
        require(Role.EDITOR, "Updating a tie")
        return await afresh_while_stale(lambda: self._update_tie(tie_id, patch))

    async def _update_tie(self, tie_id: str, patch: Mapping[str, Any]) -> Tie:
        (current,) = await self.store.get_ties([tie_id])
        if current is None:
            raise NotFound(f"No tie with id '{tie_id}'.")
        merged = {**tie_to_row(current, lambda ref: ref), **patch}
        issues: list[Issue] = []
        draft = parse_tie(merged, "", issues)
        if draft is None:
            raise ValidationFailed(issues)
        source, target = await self._endpoints(draft)
        updated = replace(
            draft.tie,
            id=current.id,
            source_id=source.id,
            target_id=target.id,
            created_at=current.created_at,
        )
        await self._write(
            WriteBatch(upsert_ties=[updated], expect_unchanged=[current]),
            "updateTie",
            [current.id, source.id, target.id],
            list(patch),
        )
        (stored,) = await self.store.get_ties([current.id])
        return _written(stored, "tie", current.id)

    async def delete_tie(self, tie_id: str) -> None:
        require(Role.EDITOR, "Deleting a tie")
        await afresh_while_stale(lambda: self._delete_tie(tie_id))

    async def _delete_tie(self, tie_id: str) -> None:
        (current,) = await self.store.get_ties([tie_id])
        if current is None:
            raise NotFound(f"No tie with id '{tie_id}'.")
        await self._write(
            WriteBatch(delete_ties=[tie_id], expect_unchanged=[current]),
            "deleteTie",
            [tie_id, current.source_id, current.target_id],
        )

    async def update_interaction(
        self, interaction_id: str, patch: Mapping[str, Any]
    ) -> Interaction:
        require(Role.EDITOR, "Updating an interaction")
        return await afresh_while_stale(lambda: self._update_interaction(interaction_id, patch))

    async def _update_interaction(
        self, interaction_id: str, patch: Mapping[str, Any]
    ) -> Interaction:
        (current,) = await self.store.get_interactions([interaction_id])
        if current is None:
            raise NotFound(f"No interaction with id '{interaction_id}'.")
        merged = {**interaction_to_row(current, lambda ref: ref), **patch}
        issues: list[Issue] = []
        draft = parse_interaction(merged, "", issues)
        if draft is None:
            raise ValidationFailed(issues)
        updated = replace(
            draft.interaction,
            id=current.id,
            participants=await self._participants(draft),
            created_at=current.created_at,
        )
        await self._write(
            WriteBatch(upsert_interactions=[updated], expect_unchanged=[current]),
            "updateInteraction",
            [current.id, *updated.participant_ids],
            list(patch),
        )
        (stored,) = await self.store.get_interactions([current.id])
        return _written(stored, "interaction", current.id)

    async def delete_interaction(self, interaction_id: str) -> None:
        require(Role.EDITOR, "Deleting an interaction")
        await afresh_while_stale(lambda: self._delete_interaction(interaction_id))

    async def _delete_interaction(self, interaction_id: str) -> None:
        (current,) = await self.store.get_interactions([interaction_id])
        if current is None:
            raise NotFound(f"No interaction with id '{interaction_id}'.")
        await self._write(
            WriteBatch(delete_interactions=[interaction_id], expect_unchanged=[current]),
            "deleteInteraction",
            [interaction_id, *current.participant_ids],
        )
