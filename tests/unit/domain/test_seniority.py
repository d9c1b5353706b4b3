from __future__ import annotations

import pytest

from stakenet.domain.model import Seniority, Stakeholder, StakeholderKind
from stakenet.domain.seniority import effective_seniority, infer_seniority

C, VP, M, S = Seniority.C_LEVEL, Seniority.VP_DIRECTOR, Seniority.MANAGER, Seniority.STAFF


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("CEO", C),
        ("Chief Financial Officer", C),
        ("CFO", C),
        ("adm. direktør", C),
        ("Administrerende direktør", C),
        ("borgmester", C),
        ("Kommunaldirektør", C),
        ("Bestyrelsesformand", C),
        ("Vice President Sales", VP),
        ("Head of Procurement", VP),
        ("økonomichef", VP),
        ("Teknisk direktør", VP),
        ("Director of Operations", VP),
        ("økonomidirektør", VP),
        ("salgsdirektør", VP),
        ("udvalgsformand", VP),
        ("Project Manager", M),
        ("afdelingsleder", M),
        ("projektleder", M),
        ("Byrådsmedlem", M),
        ("konsulent", S),
        ("praktikant", S),
        ("Executive Assistant to the CEO", S),
        ("Software Engineer", S),
    ],
)
def test_seniority_is_inferred_from_english_and_danish_titles(
    title: str, expected: Seniority
) -> None:
    assert infer_seniority(title) is expected


def test_no_title_means_no_inferred_seniority() -> None:
    assert infer_seniority(None) is None
    assert infer_seniority("   ") is None


def test_declared_seniority_overrides_the_title() -> None:
    person = Stakeholder(
        id="p", kind=StakeholderKind.PERSON, name="A", title="praktikant", seniority=C
    )
    assert effective_seniority(person) is C
    assert (
        effective_seniority(Stakeholder(id="p", kind=StakeholderKind.PERSON, name="A", title="CEO"))
        is C
    )


def test_organisations_have_no_seniority() -> None:
    company = Stakeholder(id="c", kind=StakeholderKind.COMPANY, name="Acme", title=None)
    assert effective_seniority(company) is None
