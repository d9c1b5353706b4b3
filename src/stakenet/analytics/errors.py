"""Errors raised by the analytics when a query names something the graph does not hold, or
a stakeholder of a kind the query cannot use."""

from __future__ import annotations

from stakenet.domain.errors import NotFound


class UnknownStakeholder(NotFound):
    """A stakeholder id given to an analytics query is not a node of the graph.

    Parameters
    ----------
    stakeholder_id : str
        The id that was not found.
    """

    def __init__(self, stakeholder_id: str) -> None:
        self.stakeholder_id = stakeholder_id
        super().__init__(f"unknown stakeholder: {stakeholder_id!r}")


class WrongKind(ValueError):
    """A stakeholder given to an analytics query is not of a kind the query can start or end at.

    Parameters
    ----------
    stakeholder_id : str
        The id given.
    kind : object
        Its kind.
    wanted : str
        What the query needs, e.g. "a person".
    """

    def __init__(self, stakeholder_id: str, kind: object, wanted: str) -> None:
        self.stakeholder_id = stakeholder_id
        self.kind = kind
        self.wanted = wanted
        super().__init__(f"stakeholder {stakeholder_id!r} is a {kind}, not {wanted}")


class NotAnOrganisation(WrongKind):
    """A query that needs an organisation (company, municipality, organisation) got a person."""

    def __init__(self, stakeholder_id: str, kind: object) -> None:
        super().__init__(stakeholder_id, kind, "an organisation")
