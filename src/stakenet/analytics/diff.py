"""What changed in the network between two instants: who joined or left an organisation, which
ties started or ended.

This module owns the dated changes read from the ties' ``since`` and ``until``. A tie *started*
in the window ``(from, to]`` when its ``since`` falls on a day after `from`'s date and not after
`to`'s; it *ended* when its ``until`` (its last current day) falls on `from`'s date or later and
before `to`'s, so it was current at `from` and is not at `to`. These are exactly the ties whose
standing differs between the network as of `from` and as of `to`
(`stakenet.analytics.history`), and the ones that came and went in between.

With an organisation, *joined* and *left* are the people whose employment or board tie to it
started or ended, and the ties are those touching it or anyone employed or on its board during
the window. Without one, they cover the whole network.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from stakenet.analytics.errors import InvalidParameter, NotAnOrganisation, UnknownStakeholder
from stakenet.analytics.views import ORGANISATION_KINDS
from stakenet.domain.model import TieRole, tie_kinds_in

__all__ = ["NetworkChanges", "TieChange", "network_changes"]

_MEMBERSHIP = tie_kinds_in(TieRole.EMPLOYMENT, TieRole.BOARD)


@dataclass(frozen=True, slots=True)
class TieChange:
    """A tie that started (on its ``since``) or ended (the day after its ``until``)."""

    tie_id: str
    source: str
    target: str
    kind: str
    on: date


@dataclass(frozen=True, slots=True)
class NetworkChanges:
    """The changes of one window, each list by date, then tie kind and id."""

    joined: list[TieChange]
    left: list[TieChange]
    ties_started: list[TieChange]
    ties_ended: list[TieChange]


def _day(value: Any) -> date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, datetime) else value


def _overlaps(attrs: Mapping[str, Any], first: date, last: date) -> bool:
    since, until = _day(attrs.get("since")), _day(attrs.get("until"))
    return (since is None or since <= last) and (until is None or until >= first)


def network_changes(
    graph: Any, start: datetime, end: datetime, org_id: str | None = None
) -> NetworkChanges:
    """The ties that started and ended in ``(start, end]`` (see the module docstring).

    Raises
    ------
    InvalidParameter
        `end` is not after `start`.
    UnknownStakeholder, NotAnOrganisation
        `org_id` is not an organisation of the graph.
    """
    if end <= start:
        raise InvalidParameter("to", "'to' must be after 'from'.")
    first, last = start.date(), end.date()
    nodes = graph.nodes
    if org_id is None:
        edges = graph.edges(keys=True, data=True)
    else:
        attrs = nodes.get(org_id)
        if attrs is None:
            raise UnknownStakeholder(org_id)
        if attrs.get("kind") not in ORGANISATION_KINDS:
            raise NotAnOrganisation(org_id, attrs.get("kind"))
        people = {
            person
            for person, _, tie in graph.in_edges(org_id, data=True)
            if tie.get("kind") in _MEMBERSHIP and _overlaps(tie, first, last)
        }
        seen: dict[str, tuple[str, str, str, Mapping[str, Any]]] = {}
        for node in (org_id, *sorted(people)):
            for u, v, key, tie in graph.out_edges(node, keys=True, data=True):
                seen[key] = (u, v, key, tie)
            for u, v, key, tie in graph.in_edges(node, keys=True, data=True):
                seen[key] = (u, v, key, tie)
        edges = seen.values()
    found = NetworkChanges([], [], [], [])
    for u, v, key, tie in edges:
        kind = str(tie.get("kind"))
        membership = (
            kind in _MEMBERSHIP
            and nodes[u].get("kind") == "PERSON"
            and nodes[v].get("kind") in ORGANISATION_KINDS
            and (org_id is None or v == org_id)
        )
        since, until = _day(tie.get("since")), _day(tie.get("until"))
        if since is not None and first < since <= last:
            change = TieChange(key, u, v, kind, since)
            found.ties_started.append(change)
            if membership:
                found.joined.append(change)
        if until is not None and first <= until < last:
            change = TieChange(key, u, v, kind, date.fromordinal(until.toordinal() + 1))
            found.ties_ended.append(change)
            if membership:
                found.left.append(change)
    for changes in (found.joined, found.left, found.ties_started, found.ties_ended):
        changes.sort(key=lambda c: (c.on, c.kind, c.tie_id))
    return found
