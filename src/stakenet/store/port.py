"""The store port: what the service layer needs from a database, whatever the database.

It is split by what callers use, so each service names only the part it needs:

- `GraphReads`: stakeholders, ties and interactions, read
- `GraphStore`: those reads and the writes of the network (`apply`, `bulk_write`, erasure)
- `ChangeLog`: the graph's revision and the changes of each revision
- `AccessTokens`: API tokens
- `AuditLog`: the audit trail
- `Store`: all of them, and `open`/`close`; what an adapter implements and the composition
  root holds

Every adapter passes the same contract suite (tests/contract). Writes go through `apply`, one
atomic batch that bumps the graph revision once and appends what it did to the change log;
the projection and other replicas follow the log with `changes_since`. A streamed import writes
through `bulk_write`: several batches, one transaction, one revision.

A tie without a key is identified by its kind and its ends (either way round for a symmetric
kind): each adapter refuses, inside the write transaction, a second keyless tie of the same
identity (`TieIdentity`). An adapter calls `write_becomes_irrevocable` right before a write
reaches the database, from where it can no longer be taken back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence, Set
from contextlib import AbstractAsyncContextManager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Generic, Protocol, TypeVar

from stakenet.domain.access import ApiToken, AuditEntry
from stakenet.domain.alerts import Alert, AlertKind, AlertUpdate
from stakenet.domain.errors import Conflict, Issue, StaleRead, ValidationFailed
from stakenet.domain.model import (
    SYMMETRIC_TIE_KINDS,
    Change,
    Counts,
    GraphData,
    Interaction,
    Stakeholder,
    StakeholderKind,
    Tie,
    TieKind,
)

MAX_PAGE_SIZE = 100

T = TypeVar("T")


class StakeholderOrder(StrEnum):
    NAME = "NAME"
    UPDATED_AT = "UPDATED_AT"


class Direction(StrEnum):
    OUT = "OUT"
    IN = "IN"
    BOTH = "BOTH"


@dataclass(frozen=True, slots=True)
class StakeholderFilter:
    """Which stakeholders a listing returns; every given criterion must hold."""

    kind: StakeholderKind | None = None
    search: str | None = None  # case- and accent-insensitive substring of the name
    tags: tuple[str, ...] = ()  # all of these tags
    internal: bool | None = None
    updated_since: datetime | None = None


@dataclass(frozen=True, slots=True)
class PageRequest:
    first: int = 50
    after: str | None = None  # an opaque cursor returned with an earlier page

    def check(self) -> None:
        """Every adapter refuses a page size outside 1..MAX_PAGE_SIZE the same way."""
        if not 1 <= self.first <= MAX_PAGE_SIZE:
            raise ValidationFailed(
                [
                    Issue(
                        "first",
                        f"'first' must be between 1 and {MAX_PAGE_SIZE}, got {self.first}.",
                        "OUT_OF_RANGE",
                    )
                ]
            )


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    cursors: list[str]
    has_next_page: bool
    total_count: int


E = TypeVar("E", Stakeholder, Tie, Interaction)


def last_by_id(entities: Iterable[E]) -> list[E]:
    """Each id once, keeping its last version: a batch that names an entity twice means the
    later one. Both adapters write a batch's upserts through this."""
    by_id: dict[str, E] = {}
    for entity in entities:
        by_id[entity.id] = entity
    return list(by_id.values())


def check_participants_distinct(interactions: Iterable[Interaction]) -> None:
    """Raise ValidationFailed for an interaction that names a participant more than once."""
    for interaction in interactions:
        if len(set(interaction.participant_ids)) != len(interaction.participants):
            raise ValidationFailed(
                [
                    Issue(
                        "participants",
                        f"Interaction '{interaction.id}' names a participant more than once.",
                        "DUPLICATE",
                    )
                ]
            )


def claimed_keys(keyed: Iterable[tuple[str, str | None]], label: str) -> dict[str, str]:
    """`key -> entity id` for the keys a batch writes; Conflict if it gives one key to two
    entities of one kind."""
    claimed: dict[str, str] = {}
    for entity_id, key in keyed:
        if key is not None and claimed.setdefault(key, entity_id) != entity_id:
            raise Conflict(f"Key '{key}' is already used by another {label}.")
    return claimed


def keys_handed_over(
    claimed: Mapping[str, str],
    owners: Iterable[tuple[str, str]],
    batch_ids: Set[str],
    label: str,
) -> list[str]:
    """The stored entities that must give up their key to the batch, given the current
    `(key, owner id)` of the claimed keys; Conflict if an owner is not in the batch (an
    entity in the batch may hand its key over, since the store clears it first)."""
    handing_over = []
    for key, owner in owners:
        if owner == claimed[key]:
            continue
        if owner not in batch_ids:
            raise Conflict(f"Key '{key}' is already used by another {label}.")
        handing_over.append(owner)
    return handing_over


@dataclass(frozen=True, slots=True)
class TieIdentity:
    """What identifies a tie without a key: its kind and its ends, the lesser id first for a
    symmetric kind, so that (a, b) and (b, a) are one KNOWS tie."""

    kind: TieKind
    first_id: str
    second_id: str

    @classmethod
    def of(cls, tie: Tie) -> TieIdentity | None:
        """The identity of a tie without a key; None for a keyed tie, which its key identifies."""
        if tie.key is not None:
            return None
        ends = (tie.source_id, tie.target_id)
        if tie.kind in SYMMETRIC_TIE_KINDS:
            ends = (min(ends), max(ends))
        return cls(tie.kind, *ends)

    def taken(self) -> Conflict:
        return Conflict(TIE_IDENTITY_TAKEN)


TIE_IDENTITY_TAKEN = (
    "A tie without a key of this kind between these stakeholders is stored already; update "
    "that tie, or give each a key."
)


def claimed_identities(ties: Iterable[Tie]) -> dict[TieIdentity, str]:
    """`identity -> tie id` for the keyless ties a batch writes; Conflict if it gives one
    identity to two ties."""
    claimed: dict[TieIdentity, str] = {}
    for tie in ties:
        identity = TieIdentity.of(tie)
        if identity is not None and claimed.setdefault(identity, tie.id) != tie.id:
            raise identity.taken()
    return claimed


# Set by whoever serves an operation under a deadline (the HTTP API): a callback that lifts the
# deadline. A write handed to the database cannot be taken back, so from then on the caller
# waits for the outcome instead of hearing "stopped" about a write that then commits.
irrevocable_write_hook: ContextVar[Callable[[], Awaitable[None]] | None] = ContextVar(
    "irrevocable_write_hook", default=None
)


async def write_becomes_irrevocable() -> None:
    """Called by an adapter right before a write reaches the database (a transaction it cannot
    cancel, or a commit); waiting for a lock of the store's own comes before it."""
    hook = irrevocable_write_hook.get()
    if hook is not None:
        await hook()


# What a write may expect to find stored as it was read (`WriteBatch.expect_unchanged`).
Stored = Stakeholder | Tie | Interaction


@dataclass(slots=True)
class WriteBatch:
    """Writes applied in one transaction: deletes first, then upserts in dependency order.

    Entities carry their ids; an upsert inserts or replaces the entity with that id. Deleting a
    stakeholder also deletes its ties and its participation in interactions (an interaction left
    with no participant is deleted), and the change log records each of those consequences.
    """

    upsert_stakeholders: list[Stakeholder] = field(default_factory=list)
    upsert_ties: list[Tie] = field(default_factory=list)
    upsert_interactions: list[Interaction] = field(default_factory=list)
    delete_stakeholders: list[str] = field(default_factory=list)
    delete_ties: list[str] = field(default_factory=list)
    delete_interactions: list[str] = field(default_factory=list)
    # Written in the same transaction as the batch, with its revision, when the batch changes
    # anything; so the audit trail never misses nor invents a change.
    audit: AuditEntry | None = None
    # The entities as the caller read them to make this batch: it is applied only if each is
    # still stored exactly so (`check_unchanged`, inside the write transaction), so that a
    # read-modify-write never undoes a write that came in between, nor brings back an entity
    # deleted meanwhile.
    expect_unchanged: list[Stored] = field(default_factory=list)
    # False: the result's `changes` may be left empty (the change log holds them all the same);
    # for a bulk write, whose caller needs no entity back or reads them with `changes_since`.
    report_changes: bool = True

    def __len__(self) -> int:
        return (
            len(self.upsert_stakeholders)
            + len(self.upsert_ties)
            + len(self.upsert_interactions)
            + len(self.delete_stakeholders)
            + len(self.delete_ties)
            + len(self.delete_interactions)
        )


def ids_to_check(expected: Iterable[Stored]) -> tuple[list[str], list[str], list[str]]:
    """The ids of the stakeholders, ties and interactions of `expected` (`check_unchanged`)."""
    ids: dict[type, list[str]] = {Stakeholder: [], Tie: [], Interaction: []}
    for entity in expected:
        ids[type(entity)].append(entity.id)
    return ids[Stakeholder], ids[Tie], ids[Interaction]


def check_unchanged(expected: Iterable[Stored], stored: Iterable[Stored]) -> None:
    """Raise `StaleRead` unless every entity of `expected` is among `stored` (those of its ids
    still stored, read in the write's own transaction) exactly as it was read."""
    now = {(type(entity), entity.id): entity for entity in stored}
    for entity in expected:
        found = now.get((type(entity), entity.id))
        if found != entity:
            what = type(entity).__name__.lower()
            happened = "deleted" if found is None else "changed"
            raise StaleRead(f"The {what} '{entity.id}' was {happened} by another write.")


@dataclass(frozen=True, slots=True)
class WriteResult:
    revision: int
    changes: list[Change]


def check_keep_revisions(keep_revisions: int) -> None:
    """`prune_change_log` keeps 0 revisions or more."""
    if keep_revisions < 0:
        raise ValidationFailed(
            [Issue("keep_revisions", f"must be 0 or more, not {keep_revisions}.")]
        )


class BulkWrite(Protocol):
    """Batches that arrive in several calls and land in one transaction, at one revision.

    A streamed import writes each chunk as soon as it is checked, instead of holding the whole
    document until the end. Readers see none of it until `commit`; leaving the `async with`
    block of `GraphStore.bulk_write` without committing, or with an exception, rolls all of it
    back. The store's other writers wait until the block ends. A writer in another process may
    get in before the store begins the transaction (SQLite begins it when the bulk write hands
    its batches to a writer process, or at commit); a conflict with what it wrote then fails
    the bulk write, which writes nothing.

    Each batch is written as `apply` writes one, except that a batch's `audit` is not used (the
    audit goes to `commit`) and no changes are reported back: followers read them from the
    change log, where an entity written by two batches appears twice, the later last.

    A bulk write into an empty network (no stakeholders when it begins: a first import) keeps
    no copy of its rows in the change log. Its revision becomes the log's horizon, as if
    `ChangeLog.prune_change_log(0)` ran with it: a follower behind it gets ChangeLogPruned and
    reads the network with `load_all`, which holds just those rows, in about the time that
    applying them would take, and the log does not start as large as the network.

    A store may write batches while its caller prepares the next ones: then a batch's error is
    raised by a later `write`, or by `commit`, rather than by the `write` that sent it.
    """

    async def write(self, batch: WriteBatch) -> None: ...

    async def commit(self, audit: AuditEntry | None = None) -> int:
        """Commit what was written, with `audit` at its revision, and return the revision.

        If no batch changed anything, nothing is committed (not even the audit) and the
        current revision is returned. After commit, the session takes no more writes.
        """


class GraphReads(Protocol):
    """Reading stakeholders, ties and interactions: by id, by key, by filter, or all at once."""

    async def counts(self) -> Counts: ...

    async def get_stakeholders(self, ids: Sequence[str]) -> list[Stakeholder | None]:
        """The stakeholders with these ids, in the same order, None where missing."""

    async def get_stakeholders_by_key(self, keys: Sequence[str]) -> list[Stakeholder | None]: ...

    async def find_stakeholders(
        self,
        where: StakeholderFilter,
        page: PageRequest,
        order: StakeholderOrder = StakeholderOrder.NAME,
    ) -> Page[Stakeholder]: ...

    async def get_ties(self, ids: Sequence[str]) -> list[Tie | None]: ...

    async def get_ties_by_key(self, keys: Sequence[str]) -> list[Tie | None]: ...

    async def ties_of(
        self,
        stakeholder_ids: Sequence[str],
        kinds: Sequence[TieKind] = (),
        direction: Direction = Direction.BOTH,
    ) -> list[Tie]:
        """Every tie touching any of these stakeholders (OUT: as source; IN: as target)."""

    async def get_interactions(self, ids: Sequence[str]) -> list[Interaction | None]: ...

    async def get_interactions_by_key(self, keys: Sequence[str]) -> list[Interaction | None]: ...

    async def interactions_of(
        self, stakeholder_ids: Sequence[str], since: datetime | None = None
    ) -> list[Interaction]:
        """Interactions any of these stakeholders took part in, newest first."""

    async def load_all(self) -> GraphData:
        """Everything, read in one consistent snapshot, with the revision it reflects."""


class GraphStore(GraphReads, Protocol):
    """The network itself: its reads, and its writes, each at a new revision of the graph,
    with its audit entry, and logged in the change log in the same transaction."""

    async def apply(self, batch: WriteBatch) -> WriteResult:
        """Apply the batch atomically; nothing is written if any part fails.

        A batch that changes something bumps the revision by exactly one. A batch that changes
        nothing (empty, or deleting only ids that do not exist) returns the current revision
        and no changes.
        """

    def bulk_write(self) -> AbstractAsyncContextManager[BulkWrite]:
        """A write transaction spanning several calls; see `BulkWrite`."""

    async def erase_stakeholder(
        self, stakeholder_id: str, audit: AuditEntry, tombstone: str
    ) -> WriteResult:
        """Erase a stakeholder: every copy of what they said and did, in one write transaction.

        The write is `erasure_batch` of the stakeholder and the interactions they took part in,
        at a new revision, with `audit`. Its revision becomes the change log's horizon, as if
        `prune_change_log(0)` ran with it: the log keeps no earlier copy of the stakeholder, of
        their ties or interactions, nor of the erasure itself. The result's changes are for
        this process's projection only; other followers get ChangeLogPruned and read the
        network again. Every audit entry that named the stakeholder names `tombstone` instead,
        and every stored alert that names them is deleted (`AlertLog`).
        NotFound if there is no such stakeholder.
        """


class ChangeLog(Protocol):
    """The graph's revision and what each revision changed, which the read model and other
    replicas follow."""

    async def revision(self) -> int: ...

    async def changes_since(self, revision: int, limit: int = 10_000) -> list[Change]:
        """Changes after `revision`, oldest first, whole revisions only (never half of one).

        ChangeLogPruned if some of them are no longer kept (`revision` is behind the horizon
        of `prune_change_log`).
        """

    async def prune_change_log(self, keep_revisions: int) -> int:
        """Forget the changes of all but the newest `keep_revisions` revisions; return the
        horizon, the newest revision whose changes are forgotten (0 while none are).

        The log keeps a copy of every write, so it outgrows the network itself (a first
        import's rows excepted, see `BulkWrite`). A follower behind the horizon gets
        ChangeLogPruned from `changes_since`, and reads everything again with `load_all`.
        """


class AccessTokens(Protocol):
    """API tokens, kept as digests of their secrets."""

    async def create_token(self, token: ApiToken) -> None:
        """Store a new token (its digest and expiry); Conflict if an unrevoked token, expired
        or not, has its name."""

    async def list_tokens(self) -> list[ApiToken]:
        """Every token, revoked and expired ones included, oldest first."""

    async def revoke_token(self, name: str, at: datetime) -> ApiToken:
        """Revoke the unrevoked token of this name, expired or not; NotFound if there is none."""

    async def token_by_digest(self, digest: str) -> ApiToken | None: ...

    async def active_token_count(self) -> int:
        """Unrevoked tokens, expired ones included: while there is one, every caller needs a
        token, so a server whose tokens all expired never opens to callers without one."""


class AuditLog(Protocol):
    """The audit trail. A write of the graph carries its own entry (`WriteBatch.audit`); what
    changes no stakeholder, tie or interaction is recorded here."""

    async def record_audit(self, entry: AuditEntry) -> AuditEntry:
        """Append an entry outside a write batch (token management, exports)."""

    async def audit_entries(
        self,
        after_seq: int = 0,
        first: int = 100,
        entity_id: str | None = None,
        *,
        ids_limit: int | None = None,
    ) -> list[AuditEntry]:
        """Entries with seq > after_seq, oldest first; only those naming `entity_id` if given.

        Each entry's `entity_ids` holds its first `ids_limit` ids (all of them if None), in the
        order written, and `entity_count` how many it names: a page of the log stays small even
        when an import named a million rows.
        """


# -- alerts ----------------------------------------------------------------------------------
#
# Alerts are derived from the analytics and stored so that a client that was offline catches
# up. They are not graph data: writing them moves neither the graph revision nor the change log.


@dataclass(frozen=True, slots=True)
class AlertFilter:
    """Which alerts a listing returns; an unset criterion does not filter."""

    organization_id: str | None = None
    kinds: tuple[AlertKind, ...] = ()


def alert_cursor(seq: int) -> str:
    return f"alert:{seq}"


def alert_seq_of(cursor: str | None) -> int:
    """The seq after which a page starts (0 for the first page); ValidationFailed for a cursor
    no listing of alerts gave."""
    if cursor is None:
        return 0
    prefix, _, number = cursor.partition(":")
    if prefix != "alert" or not number.isdigit():
        raise ValidationFailed(
            [Issue("after", f"'{cursor}' is not a cursor of an alert listing.", "INVALID")]
        )
    return int(number)


class AlertLog(Protocol):
    """The stored alerts (`stakenet.domain.alerts`)."""

    async def record_alerts(self, update: AlertUpdate) -> list[Alert]:
        """Write one evaluation in one transaction (see `AlertUpdate`) and return the alerts
        stored, with their seq, in the order given."""

    async def open_alerts(self) -> list[Alert]:
        """Every alert whose cause still holds, oldest first."""

    async def alerts(self, where: AlertFilter, page: PageRequest) -> Page[Alert]:
        """Alerts in the order they were stored, oldest first, after `page.after`
        (`alert_cursor`); `total_count` counts every alert matching `where`."""

    async def last_alert_seq(self) -> int:
        """The seq of the newest stored alert, 0 when there is none."""


class Store(GraphStore, ChangeLog, AccessTokens, AuditLog, AlertLog, Protocol):
    """A whole store: every capability above, and its connection's lifecycle.

    Each adapter implements it all; the composition root opens and closes it, and hands each
    service the store as the narrower protocols that service uses. Adapters raise only
    `stakenet.domain.errors` exceptions: Conflict for a taken key, NotFound for a write that
    references a missing stakeholder, StoreUnavailable when the database cannot be reached.
    """

    async def open(self) -> None:
        """Connect, apply pending schema migrations, and check the database answers."""

    async def close(self) -> None: ...


def erasure_batch(stakeholder_id: str, interactions: Iterable[Interaction]) -> WriteBatch:
    """What erasing a stakeholder writes, given the interactions they took part in.

    The stakeholder goes with their ties. An interaction of theirs alone goes. One with others
    stays as a fact between those others (kind, time, sentiment, key, their participation),
    since it keeps their ties' derived strength; its words (subject, summary, outcome, notes)
    go, since nothing tells whose words they are.
    """
    alone: list[str] = []
    shared: list[Interaction] = []
    for interaction in interactions:
        others = tuple(p for p in interaction.participants if p.stakeholder_id != stakeholder_id)
        if not others:
            alone.append(interaction.id)
            continue
        shared.append(
            replace(
                interaction,
                participants=others,
                subject=None,
                summary=None,
                outcome=None,
                notes=None,
            )
        )
    return WriteBatch(
        delete_stakeholders=[stakeholder_id],
        delete_interactions=alone,
        upsert_interactions=shared,
    )
