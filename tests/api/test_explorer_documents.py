"""The explorer's own GraphQL documents: valid against the schema the server serves, inside the
default query limits, and as large as docs/api.md tells operators who lower those limits.

Each limit is measured with the code that enforces it (`stakenet.api.limits`): the smallest
setting under which the explorer's largest document is still accepted."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from graphql import GraphQLSyntaxError, parse, validate
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter

from stakenet.api.limits import count_selections
from stakenet.api.schema import build_schema
from stakenet.services.container import Settings

QUERIES = Path(__file__).resolve().parents[2] / "src/stakenet/explorer/static/modules/queries.js"
API_DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"
# Every document the explorer and its brief send, as Node evaluates the module that holds them.
EVALUATE = """
const queries = await import(process.argv[1]);
const documents = Object.fromEntries(Object.entries(queries).filter(
  ([, value]) => typeof value === "string" && /^\\s*(query|mutation|subscription)\\b/.test(value)));
documents[`briefPaths(${queries.PATHS_FOR})`] = queries.briefPaths(queries.PATHS_FOR);
documents[`stillThere(${queries.STILL_THERE_MOST})`] = queries.stillThere(queries.STILL_THERE_MOST);
console.log(JSON.stringify(documents));
"""


def explorer_documents() -> dict[str, str]:
    """Every GraphQL document of the explorer, by the name it is exported under."""
    evaluated = subprocess.run(
        ["node", "--input-type=module", "-e", EVALUATE, QUERIES.as_uri()],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    documents: dict[str, str] = json.loads(evaluated.stdout)
    return documents


DOCUMENTS = explorer_documents()
SCHEMA = build_schema()._schema


def smallest_accepted(accepts: Callable[[int], bool], default: int) -> int:
    """The smallest limit from 0 to `default` that `accepts` (a limit accepts all above it)."""
    low, high = 0, default
    assert accepts(high)
    while low < high:
        middle = (low + high) // 2
        if accepts(middle):
            high = middle
        else:
            low = middle + 1
    return high


def tokens_needed(document: str) -> int:
    def parses(max_tokens: int) -> bool:
        try:
            parse(document, max_tokens=max_tokens)
        except GraphQLSyntaxError:
            return False
        return True

    return smallest_accepted(parses, Settings().max_tokens)


def depth_needed(document: str) -> int:
    node = parse(document)
    return smallest_accepted(
        lambda depth: (
            not validate(SCHEMA, node, QueryDepthLimiter(max_depth=depth).validation_rules)
        ),
        Settings().max_depth,
    )


def aliases_needed(document: str) -> int:
    node = parse(document)
    return smallest_accepted(
        lambda aliases: (
            not validate(SCHEMA, node, MaxAliasesLimiter(max_alias_count=aliases).validation_rules)
        ),
        Settings().max_aliases,
    )


def test_every_document_the_explorer_sends_is_found() -> None:
    assert {
        "MAP",
        "DETAIL",
        "ALERTS",
        "BRIEF",
        "briefPaths(4)",
        "stillThere(9)",
        "SIGNED_IN_AS",
    } <= set(DOCUMENTS)


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_each_explorer_document_is_valid_against_the_served_schema(name: str) -> None:
    assert validate(SCHEMA, parse(DOCUMENTS[name])) == []


def test_the_api_docs_state_what_the_explorer_s_largest_document_needs() -> None:
    documents = DOCUMENTS.values()
    needs = {
        "tokens": max(map(tokens_needed, documents)),
        "depth": max(map(depth_needed, documents)),
        "aliases": max(map(aliases_needed, documents)),
        "fields": max(count_selections(parse(d)).fields for d in documents),
        "maps": max(count_selections(parse(d)).maps for d in documents),
    }
    settings = Settings()
    assert needs["fields"] <= settings.max_fields and needs["maps"] <= settings.max_maps
    stated = (
        f"{needs['tokens']} tokens, a depth of {needs['depth']}, {needs['aliases']} aliases, "
        f"{needs['fields']} fields and {needs['maps']} relationship map"
    )
    documented = " ".join(API_DOCS.read_text().split())
    assert stated in documented, f"docs/api.md should say: {stated}"
