"""The errors the analytics raise: a query names something the graph does not hold, a
stakeholder of a kind the query cannot use, or a parameter outside its range. The analytics raise
no other error type on purpose; the service layer translates each of these into a domain error
(`stakenet.services.analytics_errors`)."""

from __future__ import annotations


class AnalyticsError(Exception):
    """Base of every error the analytics raise on purpose."""


class UnknownStakeholder(AnalyticsError):
    """A stakeholder id given to an analytics query is not a node of the graph.

    Parameters
    ----------
    stakeholder_id : str
        The id that was not found.
    """

    def __init__(self, stakeholder_id: str) -> None:
        self.stakeholder_id = stakeholder_id
        super().__init__(f"unknown stakeholder: {stakeholder_id!r}")


class WrongKind(AnalyticsError):
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


class InvalidParameter(AnalyticsError):
    """A parameter of a computation is outside the range it is defined for.

    Parameters
    ----------
    name : str
        The parameter's name.
    reason : str
        What is wrong with it, as a sentence.
    """

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason
        super().__init__(f"{name}: {reason}")


class SnapshotFileError(AnalyticsError):
    """A snapshot file (`stakenet.analytics.snapshot_file`) that cannot be used, and why: not
    a snapshot file, of another format version, truncated or corrupt. The snapshot in use
    stays current."""
