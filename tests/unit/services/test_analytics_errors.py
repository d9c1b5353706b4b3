"""Every error the analytics raise has its domain error in one table, with a precise message."""

from __future__ import annotations

import ast
import pathlib

import pytest

import stakenet.analytics
from stakenet.analytics import errors as analytics_errors
from stakenet.analytics.errors import (
    AnalyticsError,
    InvalidParameter,
    NotAnOrganisation,
    UnknownStakeholder,
    WrongKind,
)
from stakenet.domain.errors import NotFound, ValidationFailed
from stakenet.services.analytics_errors import DOMAIN_ERRORS, Request, domain_error

ANALYTICS = pathlib.Path(stakenet.analytics.__file__).parent
# A read-only dict refuses writes the way Python's own immutable mappings do, and the strengths
# at an instant answer a missing tie as every mapping does: the protocol, never an answer to a
# query.
DICT_PROTOCOL = {("projection.py", "TypeError"), ("timeline.py", "KeyError")}


def _subclasses(base: type) -> set[type]:
    found = set()
    for sub in base.__subclasses__():
        found |= {sub, *_subclasses(sub)}
    return found


def test_every_analytics_error_type_has_its_domain_error() -> None:
    declared = {
        value
        for value in vars(analytics_errors).values()
        if isinstance(value, type) and issubclass(value, AnalyticsError)
    } - {AnalyticsError}
    assert declared <= _subclasses(AnalyticsError)
    assert set(DOMAIN_ERRORS) == _subclasses(AnalyticsError)


def test_the_analytics_raise_only_their_own_error_types() -> None:
    own = {error.__name__ for error in _subclasses(AnalyticsError)}
    foreign = set()
    for module in sorted(ANALYTICS.glob("*.py")):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                called = node.exc.func
                name = called.id if isinstance(called, ast.Name) else ast.unparse(called)
                if name not in own and (module.name, name) not in DICT_PROTOCOL:
                    foreign.add(f"{module.name}:{node.lineno} raises {name}")
    assert foreign == set()


def test_an_unknown_stakeholder_is_not_found() -> None:
    error = domain_error(UnknownStakeholder("s-1"))
    assert isinstance(error, NotFound)
    assert str(error) == "No stakeholder with id 's-1'."


@pytest.mark.parametrize(
    ("error", "wanted"),
    [
        (WrongKind("s-2", "COMPANY", "a person"), "a person"),
        (NotAnOrganisation("s-2", "PERSON"), "an organisation"),
    ],
)
def test_a_wrong_kind_is_blamed_on_the_argument_that_named_it(
    error: WrongKind, wanted: str
) -> None:
    request = Request({"toId": "s-1", "fromId": "s-2"}, {"s-2": "Acme"}.get)
    translated = domain_error(error, request)
    assert isinstance(translated, ValidationFailed)
    kind = str(error.kind).lower()
    assert [(i.path, i.message) for i in translated.issues] == [
        ("fromId", f"'Acme' is a {kind}, not {wanted}.")
    ]


def test_a_parameter_out_of_range_names_the_parameter() -> None:
    translated = domain_error(InvalidParameter("saturation", "It must be positive."))
    assert isinstance(translated, ValidationFailed)
    assert [(i.path, i.message) for i in translated.issues] == [
        ("saturation", "It must be positive.")
    ]
