"""Errors raised by the analytics when a query names something the graph does not hold."""

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


class NotAnOrganisation(ValueError):
    """A query that needs an organisation (company, municipality, organisation) got a person."""

    def __init__(self, stakeholder_id: str, kind: object) -> None:
        self.stakeholder_id = stakeholder_id
        super().__init__(f"stakeholder {stakeholder_id!r} is a {kind}, not an organisation")
