"""Seniority inferred from a job title, in English and Danish.

The rules are ordered: the first that matches wins, so "Vice President" is read before
"President" and "Head of" before plain staff words. An explicit seniority always overrides.
"""

from __future__ import annotations

import re

from stakenet.domain.model import Seniority, Stakeholder, StakeholderKind
from stakenet.domain.text import fold

_RULES: list[tuple[Seniority, tuple[str, ...]]] = [
    (
        Seniority.STAFF,
        (
            r"\bintern\b",
            r"\bpraktikant",
            r"\btrainee\b",
            r"\bstudent",
            r"\bassistant\b",
            r"\bassistent\b",
            r"\belev\b",
        ),
    ),
    (
        Seniority.VP_DIRECTOR,
        (
            r"\bvice president\b",
            r"\bvp\b",
            r"\bsvp\b",
            r"\bevp\b",
            r"\bvicedirektor",
            r"\bunderdirektor",
            r"\bviceborgmester",
        ),
    ),
    (
        Seniority.C_LEVEL,
        (
            r"\bc[efotimsd]o\b",
            r"\bchief\b",
            r"\bpresident\b",
            r"\bmanaging director\b",
            r"\bgeneral manager\b",
            r"\bfounder\b",
            r"\bowner\b",
            r"\bpartner\b",
            r"\bchair(man|woman|person)?\b",
            r"\bbestyrelsesformand",
            r"\bformand\b",
            r"\badm\.? ?direktor",
            r"\badministrerende direktor",
            r"\bkoncernchef",
            r"\bborgmester",
            r"\bkommunaldirektor",
            r"\bdirektionen?\b",
            r"\bejer\b",
            r"\bstifter\b",
            r"\bmayor\b",
            r"\bcity manager\b",
        ),
    ),
    (
        Seniority.VP_DIRECTOR,
        (
            r"\bdirector\b",
            r"\w*direktor",
            r"\bhead of\b",
            r"\bhead\b",
            r"\bchef\b",
            r"\w+chef\b",
            r"\budvalgsformand",
            r"\bradmand",
        ),
    ),
    (
        Seniority.MANAGER,
        (
            r"\bmanager\b",
            r"\blead\b",
            r"\bleader\b",
            r"\bsupervisor\b",
            r"\bleder\b",
            r"\w+leder\b",
            r"\bteamleder",
            r"\bkoordinator",
            r"\bcoordinator\b",
            r"\bbyradsmedlem",
            r"\bcouncillor\b",
            r"\bcouncil member\b",
        ),
    ),
]

_COMPILED = [(level, [re.compile(p) for p in patterns]) for level, patterns in _RULES]


def infer_seniority(title: str | None) -> Seniority | None:
    """The seniority a title implies, or None when there is no title.

    A title that matches no rule is STAFF: most titles without a rank word are individual roles.

    >>> infer_seniority("adm. direktør")
    <Seniority.C_LEVEL: 'C_LEVEL'>
    >>> infer_seniority("Head of Procurement")
    <Seniority.VP_DIRECTOR: 'VP_DIRECTOR'>
    >>> infer_seniority("økonomichef")
    <Seniority.VP_DIRECTOR: 'VP_DIRECTOR'>
    """
    if not title or not title.strip():
        return None
    folded = fold(title)
    for level, patterns in _COMPILED:
        if any(p.search(folded) for p in patterns):
            return level
    return Seniority.STAFF


def effective_seniority(stakeholder: Stakeholder) -> Seniority | None:
    """The declared seniority of a person, else the one their title implies."""
    if stakeholder.kind is not StakeholderKind.PERSON:
        return None
    return stakeholder.seniority or infer_seniority(stakeholder.title)
