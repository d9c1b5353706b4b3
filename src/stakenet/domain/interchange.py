"""The interchange format: one JSON document for import, export and `importGraph`.

Parsing never stops at the first problem: every bad value is reported as an `Issue` with its
path (`ties[3].target`) and the offending value, so a rejected import names every bad row.
Ties and interactions refer to stakeholders by `key` (or, for existing ones, by `id`); the
service resolves those references and `endpoint_issues` checks the kinds at either end.

Each draft remembers which fields its row gives (`given`, null or not), so that an import can
merge a row onto the record it matches (`ImportMode.MERGE`: a field the row leaves out is kept)
or replace the record with it (`ImportMode.REPLACE`).
"""

from __future__ import annotations

import hashlib
import operator
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import fields, replace
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, NamedTuple, TypeVar

from stakenet.domain.errors import Issue
from stakenet.domain.model import (
    TIE_RULES,
    DecisionRole,
    Entity,
    Evidence,
    Interaction,
    InteractionKind,
    OrganizationCategory,
    Participant,
    Seniority,
    Stakeholder,
    StakeholderKind,
    Tie,
    TieKind,
)

E = TypeVar("E", bound=StrEnum)


class ImportMode(StrEnum):
    """What an imported row does to the record it matches."""

    # Fields the row gives are written (null clears them); fields it leaves out are kept.
    MERGE = "MERGE"
    # The record becomes the row: fields the row leaves out are cleared.
    REPLACE = "REPLACE"


MAX_NAME_LENGTH = 300
MAX_TEXT_LENGTH = 20_000
MAX_TAGS = 50
# The largest whole number a row may give: what the API's 32-bit `Int` can answer with.
MAX_WHOLE_NUMBER = 2**31 - 1

# Which optional attributes belong to which stakeholder kind: (document name, field name, type).
_TEXT, _INT, _SENIORITY, _CATEGORY = "text", "int", "seniority", "category"
KIND_ATTRIBUTES: Mapping[StakeholderKind, tuple[tuple[str, str, str], ...]] = {
    StakeholderKind.PERSON: (
        ("title", "title", _TEXT),
        ("email", "email", _TEXT),
        ("phone", "phone", _TEXT),
        ("seniority", "seniority", _SENIORITY),
    ),
    StakeholderKind.COMPANY: (
        ("industry", "industry", _TEXT),
        ("country", "country", _TEXT),
        ("city", "city", _TEXT),
        ("website", "website", _TEXT),
        ("registrationNumber", "registration_number", _TEXT),
    ),
    StakeholderKind.MUNICIPALITY: (
        ("code", "code", _TEXT),
        ("region", "region", _TEXT),
        ("country", "country", _TEXT),
        ("population", "population", _INT),
    ),
    StakeholderKind.ORGANIZATION: (
        ("category", "category", _CATEGORY),
        ("country", "country", _TEXT),
        ("city", "city", _TEXT),
        ("website", "website", _TEXT),
    ),
}
_COMMON_STAKEHOLDER_FIELDS = {"id", "key", "kind", "name", "internal", "tags", "notes"}
_ALL_ATTRIBUTE_NAMES = {doc for attrs in KIND_ATTRIBUTES.values() for doc, _, _ in attrs}
# The fields a merge may write, by document name: the common ones and every kind's attributes.
_MERGED_STAKEHOLDER_FIELDS = {
    "name": "name", "key": "key", "internal": "internal", "tags": "tags", "notes": "notes",
} | {doc: field for attrs in KIND_ATTRIBUTES.values() for doc, field, _ in attrs}  # fmt: skip
_TIE_FIELDS = {
    "id", "key", "kind", "source", "target", "strength", "role", "since", "until", "confidence",
    "evidence", "notes", "decisionRole", "department", "context", "share",
}  # fmt: skip
_INTERACTION_FIELDS = {
    "id", "key", "kind", "occurredAt", "participants", "sentiment", "subject", "summary",
    "outcome", "notes",
}  # fmt: skip
# Every field a row of each section may give.
SECTION_FIELDS: Mapping[str, frozenset[str]] = {
    "stakeholders": frozenset(_COMMON_STAKEHOLDER_FIELDS | _ALL_ATTRIBUTE_NAMES),
    "ties": frozenset(_TIE_FIELDS),
    "interactions": frozenset(_INTERACTION_FIELDS),
}


class _Reader:
    """Reads typed values out of one raw row, recording an Issue for each bad one."""

    def __init__(self, row: Mapping[str, Any], path: str, issues: list[Issue]) -> None:
        self.row = row
        self.path = path
        self.issues = issues

    def fail(self, name: str, message: str, code: str = "INVALID") -> None:
        self.issues.append(Issue(f"{self.path}.{name}" if self.path else name, message, code))

    def present(self, name: str) -> bool:
        return self.row.get(name) is not None

    def text(
        self, name: str, *, required: bool = False, limit: int = MAX_TEXT_LENGTH
    ) -> str | None:
        value = self.row.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(name, f"'{name}' is required.", "REQUIRED")
            return None
        if not isinstance(value, str):
            self.fail(name, f"'{name}' must be a string, got {value!r}.")
            return None
        value = value.strip()
        if len(value) > limit:
            self.fail(name, f"'{name}' is {len(value)} characters long; the limit is {limit}.")
            return None
        return value

    def boolean(self, name: str) -> bool | None:
        value = self.row.get(name)
        if value is None:
            return None
        if not isinstance(value, bool):
            self.fail(name, f"'{name}' must be true or false, got {value!r}.")
            return None
        return value

    def number(self, name: str, low: float, high: float) -> float | None:
        value = self.row.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            self.fail(
                name, f"'{name}' must be a number between {low:g} and {high:g}, got {value!r}."
            )
            return None
        if not low <= value <= high:
            self.fail(
                name,
                f"'{name}' must be between {low:g} and {high:g}, got {value!r}.",
                "OUT_OF_RANGE",
            )
            return None
        return float(value)

    def integer(self, name: str, low: int = 0) -> int | None:
        value = self.row.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            self.fail(name, f"'{name}' must be a whole number of at least {low}, got {value!r}.")
            return None
        if value > MAX_WHOLE_NUMBER:
            self.fail(
                name,
                f"'{name}' must be at most {MAX_WHOLE_NUMBER:,}, got {value!r}.",
                "OUT_OF_RANGE",
            )
            return None
        return value

    def enum(self, name: str, enum: type[E], *, required: bool = False) -> E | None:
        value = self.row.get(name)
        if value is None:
            if required:
                self.fail(name, f"'{name}' is required.", "REQUIRED")
            return None
        try:
            return enum(value)
        except ValueError:
            allowed = ", ".join(member.value for member in enum)
            self.fail(name, f"Unknown {name} {value!r}; expected one of {allowed}.", "UNKNOWN_KIND")
            return None

    def day(self, name: str) -> date | None:
        value = self.row.get(name)
        if value is None:
            return None
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(name, f"'{name}' must be a date like 2026-03-01, got {value!r}.", "BAD_DATE")
            return None

    def instant(self, name: str, *, required: bool = False) -> datetime | None:
        value = self.row.get(name)
        if value is None:
            if required:
                self.fail(name, f"'{name}' is required.", "REQUIRED")
            return None
        if isinstance(value, datetime):
            parsed = value
        else:
            try:
                parsed = datetime.fromisoformat(str(value))
            except ValueError:
                self.fail(
                    name,
                    f"'{name}' must be a date-time like 2026-10-02T09:00:00Z, got {value!r}.",
                    "BAD_DATE",
                )
                return None
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=UTC)
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            self.fail(
                name,
                f"'{name}' in UTC falls outside the years 1 to 9999, got {value!r}.",
                "BAD_DATE",
            )
            return None

    def tags(self, name: str = "tags") -> tuple[str, ...]:
        value = self.row.get(name)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
            self.fail(name, f"'{name}' must be a list of strings, got {value!r}.")
            return ()
        cleaned = tuple(dict.fromkeys(t.strip() for t in value if t.strip()))
        if len(cleaned) > MAX_TAGS:
            self.fail(name, f"At most {MAX_TAGS} tags are allowed, got {len(cleaned)}.")
            return ()
        return cleaned

    def unknown_fields(self, allowed: set[str]) -> None:
        for name in self.row:
            if name not in allowed:
                self.fail(name, f"Unknown field '{name}'.", "UNKNOWN_FIELD")


def _check_is_object(row: object, path: str, issues: list[Issue]) -> Mapping[str, Any] | None:
    if not isinstance(row, Mapping):
        issues.append(Issue(path, f"Expected an object, got {row!r}."))
        return None
    return row


# The shortcuts below parse a well-formed row straight into its result; any row they cannot
# take (an unexpected field, type or value) goes through the reader, which names every problem.
# Each returns exactly what the reader would build.
_STAKEHOLDER_KINDS = {kind.value: kind for kind in StakeholderKind}
_SENIORITIES = {level.value: level for level in Seniority}
_CATEGORIES = {category.value: category for category in OrganizationCategory}
_STAKEHOLDER_FIELDS_OF_KIND = {
    kind: frozenset(_COMMON_STAKEHOLDER_FIELDS | {doc for doc, _, _ in own})
    for kind, own in KIND_ATTRIBUTES.items()
}


class _NotSimple(Exception):
    """A value the shortcuts leave to the reader."""


def _simple_text(value: object, limit: int) -> str | None:
    """The stripped text, None when absent or blank; _NotSimple for anything else."""
    if value is None:
        return None
    if type(value) is not str:
        raise _NotSimple
    value = value.strip()
    if len(value) > limit:
        raise _NotSimple
    return value or None


def _simple_attribute(value: object, value_type: str) -> Any:
    if value_type == _TEXT:
        return _simple_text(value, MAX_NAME_LENGTH)
    if value_type == _INT:
        if type(value) is not int or not 0 <= value <= MAX_WHOLE_NUMBER:
            raise _NotSimple
        return value
    known: Mapping[str, StrEnum] = _SENIORITIES if value_type == _SENIORITY else _CATEGORIES
    found = known.get(value) if type(value) is str else None
    if found is None:
        raise _NotSimple
    return found


class StakeholderDraft(NamedTuple):
    """A stakeholder as a document row gives it, before its id is settled: like `TieDraft`, it
    holds the stakeholder's values, so a bulk import builds each stakeholder once, in `placed`.
    """

    id: str
    kind: StakeholderKind
    name: str
    key: str | None
    internal: bool
    tags: tuple[str, ...]
    notes: str | None
    # The kind's own attributes (`KIND_ATTRIBUTES`) by field name; those absent may be left out.
    attributes: Mapping[str, Any]
    # The document names of the fields the row gives, null or not.
    given: Collection[str] = ()

    def placed(self, stakeholder_id: str) -> Stakeholder:
        """The stakeholder with its id."""
        return Stakeholder(
            id=stakeholder_id,
            kind=self.kind,
            name=self.name,
            key=self.key,
            internal=self.internal,
            tags=self.tags,
            notes=self.notes,
            **self.attributes,
        )

    def merged_onto(self, current: Stakeholder) -> Stakeholder:
        """`current` with the fields this row gives written over it, the others kept."""
        values: dict[str, Any] = {}
        for doc_name in self.given:
            field_name = _MERGED_STAKEHOLDER_FIELDS.get(doc_name)
            if field_name is None:
                continue
            if field_name in _DRAFT_FIELDS:
                values[field_name] = getattr(self, field_name)
            else:
                values[field_name] = self.attributes.get(field_name)
        return replace(current, **values)


_DRAFT_FIELDS = frozenset({"name", "key", "internal", "tags", "notes"})


def _simple_stakeholder(raw: Mapping[str, Any]) -> StakeholderDraft | None:
    kind_value = raw.get("kind")
    kind = _STAKEHOLDER_KINDS.get(kind_value) if type(kind_value) is str else None
    if kind is None or not _STAKEHOLDER_FIELDS_OF_KIND[kind].issuperset(raw):
        return None
    internal, raw_tags = raw.get("internal"), raw.get("tags")
    if internal is not None and type(internal) is not bool:
        return None
    tags: tuple[str, ...] = ()
    if raw_tags is not None:
        if type(raw_tags) is not list or not all(type(tag) is str for tag in raw_tags):
            return None
        tags = tuple(dict.fromkeys(tag.strip() for tag in raw_tags if tag.strip()))
        if len(tags) > MAX_TAGS:
            return None
    try:
        name = _simple_text(raw.get("name"), MAX_NAME_LENGTH)
        key = _simple_text(raw.get("key"), 200)
        notes = _simple_text(raw.get("notes"), MAX_TEXT_LENGTH)
        attributes = {
            field_name: _simple_attribute(raw[doc_name], value_type)
            for doc_name, field_name, value_type in KIND_ATTRIBUTES[kind]
            if raw.get(doc_name) is not None
        }
    except _NotSimple:
        return None
    if name is None:
        return None
    return StakeholderDraft(
        str(raw.get("id") or ""), kind, name, key, bool(internal), tags, notes, attributes,
        raw.keys(),
    )  # fmt: skip


def parse_stakeholder(row: object, path: str, issues: list[Issue]) -> Stakeholder | None:
    """A Stakeholder (with an empty id unless the row names one) from a document row."""
    draft = parse_stakeholder_draft(row, path, issues)
    return None if draft is None else draft.placed(draft.id)


def parse_stakeholder_draft(row: object, path: str, issues: list[Issue]) -> StakeholderDraft | None:
    """What `parse_stakeholder` reads, before the stakeholder is built."""
    if type(row) is dict and (simple := _simple_stakeholder(row)) is not None:
        return simple
    raw = _check_is_object(row, path, issues)
    if raw is None:
        return None
    before = len(issues)
    read = _Reader(raw, path, issues)
    kind = read.enum("kind", StakeholderKind, required=True)
    name = read.text("name", required=True, limit=MAX_NAME_LENGTH)
    key = read.text("key", limit=200)
    values: dict[str, Any] = {}
    if kind is not None:
        own = KIND_ATTRIBUTES[kind]
        own_names = {doc for doc, _, _ in own}
        read.unknown_fields(_COMMON_STAKEHOLDER_FIELDS | _ALL_ATTRIBUTE_NAMES)
        for other in sorted(_ALL_ATTRIBUTE_NAMES - own_names):
            if read.present(other):
                read.fail(other, f"'{other}' does not apply to a {kind.value}.", "NOT_APPLICABLE")
        for doc_name, field_name, value_type in own:
            if value_type == _TEXT:
                values[field_name] = read.text(doc_name, limit=MAX_NAME_LENGTH)
            elif value_type == _INT:
                values[field_name] = read.integer(doc_name)
            elif value_type == _SENIORITY:
                values[field_name] = read.enum(doc_name, Seniority)
            else:
                values[field_name] = read.enum(doc_name, OrganizationCategory)
    internal = read.boolean("internal")
    tags = read.tags()
    notes = read.text("notes")
    if len(issues) > before or kind is None or name is None:
        return None
    return StakeholderDraft(
        str(raw.get("id") or ""), kind, name, key, bool(internal), tags, notes, values, raw.keys()
    )


# The fields of a tie after its endpoints, in order: what a `TieDraft` holds besides its id,
# kind and references.
_TIE_DETAIL_FIELDS = tuple(f.name for f in fields(Tie))[4:]
_TIE_DETAILS = operator.attrgetter(*_TIE_DETAIL_FIELDS)
# What a re-import compares of those: all but the times, read from a tie or from the details.
_TIE_CONTENT_FIELDS = [
    name for name in _TIE_DETAIL_FIELDS if name not in {"created_at", "updated_at"}
]
_TIE_CONTENT = operator.attrgetter(*_TIE_CONTENT_FIELDS)
_TIE_CONTENT_OF_DETAILS = operator.itemgetter(
    *(_TIE_DETAIL_FIELDS.index(name) for name in _TIE_CONTENT_FIELDS)
)


class TieDraft(NamedTuple):
    """A tie as written in a document: its endpoints are references still to resolve.

    It holds the tie's values rather than a `Tie`, so a bulk import builds each tie once, in
    `placed` (a frozen dataclass costs more to build than the rest of a row's parsing).
    """

    id: str
    kind: TieKind
    # The values of the tie's fields after target_id (`_TIE_DETAIL_FIELDS`), key first.
    details: tuple[Any, ...]
    source_ref: str
    target_ref: str
    # The document names of the fields the row gives, null or not.
    given: Collection[str] = ()

    @classmethod
    def of(
        cls, tie: Tie, source_ref: str, target_ref: str, given: Collection[str] = ()
    ) -> TieDraft:
        return cls(tie.id, tie.kind, _TIE_DETAILS(tie), source_ref, target_ref, given)

    @property
    def key(self) -> str | None:
        key: str | None = self.details[0]
        return key

    @property
    def tie(self) -> Tie:
        """The tie with its endpoints not yet set."""
        return self.placed(self.id, "", "")

    def placed(self, tie_id: str, source_id: str, target_id: str) -> Tie:
        """The tie with its id and resolved endpoints."""
        return Tie(tie_id, self.kind, source_id, target_id, *self.details)

    def agrees_with(self, tie: Tie, source_id: str, target_id: str) -> bool:
        """Whether `tie` holds what `placed(tie.id, source_id, target_id)` would, its times
        apart: a re-import compares every tie without building one."""
        return bool(
            tie.kind is self.kind
            and tie.source_id == source_id
            and tie.target_id == target_id
            and _TIE_CONTENT(tie) == _TIE_CONTENT_OF_DETAILS(self.details)
        )

    def changes_when_merged(self, tie: Tie, source_id: str, target_id: str) -> bool:
        """Whether merging this row onto `tie` (with these ends) changes it: a re-import
        compares every tie without building its merged draft."""
        if tie.kind is not self.kind or tie.source_id != source_id or tie.target_id != target_id:
            return True
        stored, given = _TIE_DETAILS(tie), self.details
        for doc_name in self.given:
            position = _TIE_MERGED_POSITIONS.get(doc_name)
            if position is not None and given[position] != stored[position]:
                return True
        return False

    def merged_onto(self, tie: Tie) -> TieDraft:
        """This draft with the values of `tie` in place of the fields its row leaves out."""
        # The stored values, with those the row gives over them: a row gives few fields.
        details = list(_TIE_DETAILS(tie))
        given = self.details
        for doc_name in self.given:
            position = _TIE_MERGED_POSITIONS.get(doc_name)
            if position is not None:
                details[position] = given[position]
        # The times are the store's to keep, as for a row that replaces the tie.
        details[-2:] = given[-2:]
        return self._replace(details=tuple(details))


# Where each field a merge keeps (when the row leaves it out) sits in `TieDraft.details`, by
# its document name: every field but the times.
_TIE_MERGED_POSITIONS = {
    ("decisionRole" if name == "decision_role" else name): position
    for position, name in enumerate(_TIE_DETAIL_FIELDS)
    if name in _TIE_CONTENT_FIELDS
}


# A tie row that names only these fields, each well formed, is parsed by `_simple_tie`; any
# other row, and any row with a problem, goes through the reader, which names every problem.
_SIMPLE_TIE_FIELDS = frozenset(
    {"id", "key", "kind", "source", "target", "strength", "confidence", "role", "since"}
    | {"decisionRole"}
)
_TIE_KINDS = {kind.value: kind for kind in TieKind}
_NO_TIE_DETAILS = (None,) * len(_TIE_DETAIL_FIELDS)
# The `Tie` fields a plain row may give, in the order `_simple_tie_details` takes their values.
_SIMPLE_TIE_DETAILS = ("key", "strength", "role", "since", "confidence", "decision_role")
# `TieDraft.details` from the values of `_SIMPLE_TIE_DETAILS` followed by a None: each detail
# picked by its field's name from the dataclass's own fields (None for the others), so adding
# or moving a field of `Tie` moves them along; one C call per row.
_simple_tie_details = operator.itemgetter(
    *(
        _SIMPLE_TIE_DETAILS.index(name) if name in _SIMPLE_TIE_DETAILS else len(_SIMPLE_TIE_DETAILS)
        for name in _TIE_DETAIL_FIELDS
    )
)


_DECISION_ROLES = {role.value: role for role in DecisionRole}


def _simple_reference(value: object) -> str | None:
    if type(value) is not str:
        return None
    value = value.strip()
    return value if value and len(value) <= 200 else None


def _unit_number(value: object) -> bool:
    return value is None or ((type(value) is float or type(value) is int) and 0.0 <= value <= 1.0)


def _simple_tie(raw: Mapping[str, Any]) -> TieDraft | None:
    """The draft of a plain, valid tie row, or None to leave the row to the reader."""
    if not _SIMPLE_TIE_FIELDS.issuperset(raw):
        return None
    kind_value, source, target = raw.get("kind"), raw.get("source"), raw.get("target")
    if type(kind_value) is not str or type(source) is not str or type(target) is not str:
        return None
    kind = _TIE_KINDS.get(kind_value)
    source, target = source.strip(), target.strip()
    if kind is None or not source or not target or source == target:
        return None
    if len(source) > 200 or len(target) > 200:
        return None
    if len(raw) == 3:
        # Only the kind and the endpoints, as in most rows of a large network.
        return TieDraft("", kind, _NO_TIE_DETAILS, source, target, raw.keys())
    key, strength, confidence = raw.get("key"), raw.get("strength"), raw.get("confidence")
    if key is not None and (key := _simple_reference(key)) is None:
        return None
    if not (_unit_number(strength) and _unit_number(confidence)):
        return None
    role, since, decision_role = raw.get("role"), raw.get("since"), raw.get("decisionRole")
    if decision_role is not None:
        decision_role = _DECISION_ROLES.get(decision_role) if type(decision_role) is str else None
        if decision_role is None or not TIE_RULES[kind].carries_decision_role:
            return None
    try:
        role = _simple_text(role, MAX_NAME_LENGTH)
        if since is not None:
            since = date.fromisoformat(since) if type(since) is str else None
            if since is None:
                return None
    except (ValueError, _NotSimple):
        return None
    details = _simple_tie_details(
        (
            key,
            None if strength is None else float(strength),
            role,
            since,
            None if confidence is None else float(confidence),
            decision_role,
            None,
        )
    )
    return TieDraft(str(raw.get("id") or ""), kind, details, source, target, raw.keys())


def parse_tie(row: object, path: str, issues: list[Issue]) -> TieDraft | None:
    if type(row) is dict and (simple := _simple_tie(row)) is not None:
        return simple
    raw = _check_is_object(row, path, issues)
    if raw is None:
        return None
    before = len(issues)
    read = _Reader(raw, path, issues)
    read.unknown_fields(_TIE_FIELDS)
    kind = read.enum("kind", TieKind, required=True)
    source = read.text("source", required=True, limit=200)
    target = read.text("target", required=True, limit=200)
    since, until = read.day("since"), read.day("until")
    if since and until and until < since:
        read.fail("until", f"'until' ({until}) is before 'since' ({since}).", "BAD_DATE")
    decision_role = read.enum("decisionRole", DecisionRole)
    if decision_role is not None and kind is not None and not TIE_RULES[kind].carries_decision_role:
        read.fail(
            "decisionRole",
            f"'decisionRole' applies to WORKS_FOR and BOARD_MEMBER_OF ties, not {kind.value}.",
            "NOT_APPLICABLE",
        )
    tie_values = dict(
        key=read.text("key", limit=200),
        strength=read.number("strength", 0.0, 1.0),
        role=read.text("role", limit=MAX_NAME_LENGTH),
        confidence=read.number("confidence", 0.0, 1.0),
        evidence=read.enum("evidence", Evidence),
        notes=read.text("notes"),
        department=read.text("department", limit=MAX_NAME_LENGTH),
        context=read.text("context", limit=MAX_NAME_LENGTH),
        share=read.number("share", 0.0, 100.0),
    )
    if source is not None and source == target:
        read.fail("target", f"A tie cannot join '{source}' to itself.", "SELF_TIE")
    if len(issues) > before or kind is None or source is None or target is None:
        return None
    tie = Tie(
        id=str(raw.get("id") or ""),
        kind=kind,
        source_id="",
        target_id="",
        since=since,
        until=until,
        decision_role=decision_role,
        **tie_values,  # type: ignore[arg-type]
    )
    return TieDraft.of(tie, source, target, raw.keys())


def endpoint_issues(
    kind: TieKind, source: Stakeholder, target: Stakeholder, path: str
) -> list[Issue]:
    """What is wrong with joining `source` to `target` by a tie of `kind`, if anything."""
    rule = TIE_RULES[kind]
    issues: list[Issue] = []
    if source.id == target.id:
        issues.append(
            Issue(f"{path}.target", "A tie cannot join a stakeholder to itself.", "SELF_TIE")
        )
    if source.kind not in rule.sources:
        allowed = " or ".join(sorted(k.value for k in rule.sources))
        issues.append(
            Issue(
                f"{path}.source",
                f"A {kind.value} tie must start at a {allowed}; '{source.key or source.id}' is a "
                f"{source.kind.value}.",
                "BAD_ENDPOINT",
            )
        )
    if target.kind not in rule.targets:
        allowed = " or ".join(sorted(k.value for k in rule.targets))
        issues.append(
            Issue(
                f"{path}.target",
                f"A {kind.value} tie must end at a {allowed}; '{target.key or target.id}' is a "
                f"{target.kind.value}.",
                "BAD_ENDPOINT",
            )
        )
    if rule.source_must_be_internal and not source.internal:
        issues.append(
            Issue(
                f"{path}.source",
                f"A {kind.value} tie must start at one of our internal people; "
                f"'{source.key or source.id}' is not internal.",
                "BAD_ENDPOINT",
            )
        )
    return issues


class InteractionDraft(NamedTuple):
    """An interaction as written in a document: its participants are references still to
    resolve. Like `TieDraft`, it holds the interaction's values, built once in `placed`."""

    id: str
    kind: InteractionKind
    occurred_at: datetime
    key: str | None
    sentiment: float | None
    subject: str | None
    summary: str | None
    outcome: str | None
    notes: str | None
    participant_refs: tuple[tuple[str, str | None], ...]
    # The document names of the fields the row gives, null or not.
    given: Collection[str] = ()

    @property
    def interaction(self) -> Interaction:
        """The interaction with its participants not yet set."""
        return self.placed(self.id, self.key, ())

    def placed_onto(
        self, current: Interaction, key: str | None, participants: tuple[Participant, ...]
    ) -> Interaction:
        """`current` with this row merged onto it: the optional fields the row leaves out keep
        their values (kind, time and participants are in every row), and so does the key."""
        given = self.given
        return Interaction(
            id=current.id,
            kind=self.kind,
            occurred_at=self.occurred_at,
            participants=participants,
            key=key if "key" in given else current.key or key,
            sentiment=self.sentiment if "sentiment" in given else current.sentiment,
            subject=self.subject if "subject" in given else current.subject,
            summary=self.summary if "summary" in given else current.summary,
            outcome=self.outcome if "outcome" in given else current.outcome,
            notes=self.notes if "notes" in given else current.notes,
        )

    def placed(
        self, interaction_id: str, key: str | None, participants: tuple[Participant, ...]
    ) -> Interaction:
        """The interaction with its id, key and resolved participants."""
        return Interaction(
            id=interaction_id,
            kind=self.kind,
            occurred_at=self.occurred_at,
            participants=participants,
            key=key,
            sentiment=self.sentiment,
            subject=self.subject,
            summary=self.summary,
            outcome=self.outcome,
            notes=self.notes,
        )


_INTERACTION_KINDS = {kind.value: kind for kind in InteractionKind}
_FROZEN_INTERACTION_FIELDS = frozenset(_INTERACTION_FIELDS)


def _simple_interaction(raw: Mapping[str, Any]) -> InteractionDraft | None:
    if not _FROZEN_INTERACTION_FIELDS.issuperset(raw):
        return None
    kind_value, occurred = raw.get("kind"), raw.get("occurredAt")
    participants, sentiment = raw.get("participants"), raw.get("sentiment")
    kind = _INTERACTION_KINDS.get(kind_value) if type(kind_value) is str else None
    if kind is None or type(occurred) is not str or type(participants) is not list:
        return None
    # Anything but a string becomes "", which is refused with a blank reference.
    refs = [entry.strip() if type(entry) is str else "" for entry in participants]
    if not refs or not all(refs) or len(set(refs)) != len(refs):
        return None
    if sentiment is not None:
        if type(sentiment) is not float and type(sentiment) is not int:
            return None
        if not -1.0 <= sentiment <= 1.0:
            return None
        sentiment = float(sentiment)
    try:
        occurred_at = datetime.fromisoformat(occurred)
        return InteractionDraft(
            str(raw.get("id") or ""),
            kind,
            occurred_at.replace(tzinfo=UTC)
            if occurred_at.tzinfo is None
            else occurred_at.astimezone(UTC),
            _simple_text(raw.get("key"), 200),
            sentiment,
            _simple_text(raw.get("subject"), MAX_NAME_LENGTH),
            _simple_text(raw.get("summary"), MAX_TEXT_LENGTH),
            _simple_text(raw.get("outcome"), MAX_TEXT_LENGTH),
            _simple_text(raw.get("notes"), MAX_TEXT_LENGTH),
            tuple([(ref, None) for ref in refs]),
            raw.keys(),
        )
    except (ValueError, OverflowError, _NotSimple):
        # OverflowError: a moment whose UTC instant falls outside the years 1 to 9999.
        return None


def parse_interaction(row: object, path: str, issues: list[Issue]) -> InteractionDraft | None:
    if type(row) is dict and (simple := _simple_interaction(row)) is not None:
        return simple
    raw = _check_is_object(row, path, issues)
    if raw is None:
        return None
    before = len(issues)
    read = _Reader(raw, path, issues)
    read.unknown_fields(_INTERACTION_FIELDS)
    kind = read.enum("kind", InteractionKind, required=True)
    occurred_at = read.instant("occurredAt", required=True)
    refs: list[tuple[str, str | None]] = []
    participants = raw.get("participants")
    if not isinstance(participants, list) or not participants:
        read.fail("participants", "'participants' must be a non-empty list of stakeholder keys.")
    else:
        for index, entry in enumerate(participants):
            if (participant := _participant_entry(entry)) is not None:
                refs.append(participant)
            else:
                read.fail(f"participants[{index}]", f"Expected a stakeholder key, got {entry!r}.")
        listed = Counter(ref for ref, _ in refs)
        for ref in sorted(ref for ref, times in listed.items() if times > 1):
            read.fail("participants", f"Participant '{ref}' is listed more than once.", "DUPLICATE")
    key = read.text("key", limit=200)
    sentiment = read.number("sentiment", -1.0, 1.0)
    subject = read.text("subject", limit=MAX_NAME_LENGTH)
    summary, outcome, notes = read.text("summary"), read.text("outcome"), read.text("notes")
    if len(issues) > before or kind is None or occurred_at is None:
        return None
    return InteractionDraft(
        str(raw.get("id") or ""),
        kind,
        occurred_at,
        key,
        sentiment,
        subject,
        summary,
        outcome,
        notes,
        tuple(refs),
        raw.keys(),
    )


def tie_end_references(row: object) -> list[tuple[str, str]]:
    """The (field, reference) pairs of a tie row's ends, read as `parse_tie` reads them: for
    a row refused for another reason, so that an import names its unknown ends too."""
    if type(row) is not dict:
        return []
    ends = [(end, row.get(end)) for end in ("source", "target")]
    return [(end, value.strip()) for end, value in ends if isinstance(value, str) and value.strip()]


def participant_references(row: object) -> list[tuple[str, str]]:
    """The (field, reference) pairs of an interaction row's participants, read as
    `parse_interaction` reads them: for a row refused for another reason."""
    participants = row.get("participants") if type(row) is dict else None
    if not isinstance(participants, list):
        return []
    return [
        (f"participants[{index}]", entry[0])
        for index, entry in enumerate(map(_participant_entry, participants))
        if entry is not None
    ]


def _participant_entry(entry: object) -> tuple[str, str | None] | None:
    """A participant as (reference, acting as), or None if the entry names nobody."""
    if isinstance(entry, str) and entry.strip():
        return entry.strip(), None
    if isinstance(entry, Mapping) and isinstance(entry.get("key"), str):
        acting_as = entry.get("actingAs")
        return entry["key"], acting_as if isinstance(acting_as, str) else None
    return None


def interaction_fingerprint(draft: InteractionDraft) -> str:
    """A stable key for an interaction written without one, so re-imports do not duplicate it."""
    parts = [
        draft.kind.value,
        draft.occurred_at.isoformat(),
        ",".join(sorted([ref for ref, _ in draft.participant_refs])),
        draft.subject or "",
    ]
    return "auto-" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]


def _drop_empty(row: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in row.items() if value not in (None, (), [])}


def stakeholder_to_row(stakeholder: Stakeholder) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": stakeholder.id,
        "key": stakeholder.key,
        "kind": stakeholder.kind.value,
        "name": stakeholder.name,
        "internal": stakeholder.internal,
        "tags": list(stakeholder.tags),
        "notes": stakeholder.notes,
    }
    for doc_name, field_name, _ in KIND_ATTRIBUTES[stakeholder.kind]:
        value = getattr(stakeholder, field_name)
        row[doc_name] = value.value if isinstance(value, StrEnum) else value
    return _drop_empty(row)


def tie_to_row(tie: Tie, ref: Callable[[str], str]) -> dict[str, Any]:
    """The document row of a tie; `ref` turns a stakeholder id into the reference to write."""
    return _drop_empty(
        {
            "id": tie.id,
            "key": tie.key,
            "source": ref(tie.source_id),
            "target": ref(tie.target_id),
            "kind": tie.kind.value,
            "strength": tie.strength,
            "role": tie.role,
            "since": tie.since.isoformat() if tie.since else None,
            "until": tie.until.isoformat() if tie.until else None,
            "confidence": tie.confidence,
            "evidence": tie.evidence.value if tie.evidence else None,
            "decisionRole": tie.decision_role.value if tie.decision_role else None,
            "department": tie.department,
            "context": tie.context,
            "share": tie.share,
            "notes": tie.notes,
        }
    )


def interaction_to_row(interaction: Interaction, ref: Callable[[str], str]) -> dict[str, Any]:
    participants: list[Any] = [
        {"key": ref(p.stakeholder_id), "actingAs": p.acting_as}
        if p.acting_as
        else ref(p.stakeholder_id)
        for p in interaction.participants
    ]
    return _drop_empty(
        {
            "id": interaction.id,
            "key": interaction.key,
            "kind": interaction.kind.value,
            "occurredAt": interaction.occurred_at.isoformat().replace("+00:00", "Z"),
            "participants": participants,
            "sentiment": interaction.sentiment,
            "subject": interaction.subject,
            "summary": interaction.summary,
            "outcome": interaction.outcome,
            "notes": interaction.notes,
        }
    )


def with_participants(interaction: Interaction, participants: Sequence[Participant]) -> Interaction:
    return replace(interaction, participants=tuple(participants))


_COMPARED: dict[tuple[type[Any], frozenset[str]], Callable[[Any], Any]] = {}


def same_content(a: Entity, b: Entity, ignore: frozenset[str]) -> bool:
    """Whether two entities of one type agree on every field outside `ignore`."""
    if type(a) is not type(b):
        return False
    # One getter per type and ignore set: a re-import compares every row of the document.
    compared = _COMPARED.get((type(a), ignore))
    if compared is None:
        names = [f.name for f in fields(a) if f.name not in ignore]
        compared = _COMPARED[type(a), ignore] = operator.attrgetter(*names)
    return bool(compared(a) == compared(b))
