"""The `tieKinds` query: every tie kind's words, group and rules, as the domain declares them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from stakenet.services.settings import Settings
from support.live_server import Api, serve

TIE_KINDS = """{
  tieKinds {
    kind label group symmetric defaultStrength sourceKinds targetKinds sourceMustBeInternal
  }
}"""

PERSON = ["PERSON"]
ORGANISATIONS = ["COMPANY", "MUNICIPALITY", "ORGANIZATION"]
EVERYONE = ["PERSON", *ORGANISATIONS]

# kind: (label, group, symmetric, default strength, sources, targets)
EXPECTED = {
    "WORKS_FOR": ("works for", "EMPLOYMENT", False, 0.5, PERSON, ORGANISATIONS),
    "BOARD_MEMBER_OF": ("is on the board of", "BOARD", False, 0.6, PERSON, ORGANISATIONS),
    "REPORTS_TO": ("reports to", "REPORTING", False, 0.6, PERSON, PERSON),
    "KNOWS": ("knows", "ACQUAINTANCE", True, 0.3, PERSON, PERSON),
    "FAMILY": ("is family of", "ACQUAINTANCE", True, 0.8, PERSON, PERSON),
    "ADVISES": ("advises", "ADVICE", False, 0.5, EVERYONE, EVERYONE),
    "REPRESENTS": ("represents", "OTHER", False, 0.5, EVERYONE, EVERYONE),
    "INFLUENCES": ("influences", "INFLUENCE", False, 0.5, EVERYONE, EVERYONE),
    "OWNS": ("owns", "OWNERSHIP", False, 0.7, EVERYONE, ORGANISATIONS),
    "PARTNER_OF": ("is a partner of", "COMMERCIAL", True, 0.5, ORGANISATIONS, ORGANISATIONS),
    "SUPPLIES": ("supplies", "COMMERCIAL", False, 0.4, ORGANISATIONS, ORGANISATIONS),
    "CLIENT_OF": ("is a client of", "COMMERCIAL", False, 0.4, ORGANISATIONS, ORGANISATIONS),
    "MEMBER_OF": ("is a member of", "OTHER", False, 0.4, EVERYONE, ORGANISATIONS),
    "LOCATED_IN": (
        "is located in",
        "OTHER",
        False,
        0.2,
        ["COMPANY", "ORGANIZATION"],
        ["MUNICIPALITY"],
    ),
    "RELATIONSHIP_OWNER": ("looks after", "ACCOUNT", False, 0.6, PERSON, EVERYONE),
}


@pytest.fixture(scope="module")
def production_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    settings = Settings(rate_limit_per_minute=0, production=True)
    yield from serve(tmp_path_factory.mktemp("vocabulary") / "s.db", settings=settings)


def test_tie_kinds_lists_every_kind_with_its_words_group_and_rules(api: Api) -> None:
    kinds = api.data(TIE_KINDS)["tieKinds"]
    assert [k["kind"] for k in kinds] == list(EXPECTED)
    for found in kinds:
        label, group, symmetric, strength, sources, targets = EXPECTED[found["kind"]]
        assert found == {
            "kind": found["kind"],
            "label": label,
            "group": group,
            "symmetric": symmetric,
            "defaultStrength": strength,
            "sourceKinds": sources,
            "targetKinds": targets,
            "sourceMustBeInternal": found["kind"] == "RELATIONSHIP_OWNER",
        }


def test_tie_kinds_are_served_where_introspection_is_not(production_api: Api) -> None:
    """Production mode answers no introspection: the explorer learns the kinds from this query."""
    introspection = production_api.post('{ __type(name: "TieKind") { enumValues { name } } }')
    assert "errors" in introspection
    kinds = production_api.data("{ tieKinds { kind label } }")["tieKinds"]
    assert {k["kind"]: k["label"] for k in kinds} == {k: v[0] for k, v in EXPECTED.items()}
