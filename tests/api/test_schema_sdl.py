"""The committed SDL (graph_schema/schema.graphql) is exactly what the code serves."""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from pathlib import Path

from stakenet.api.schema import build_schema
from stakenet.cli import main
from stakenet.services.container import Settings

COMMITTED = Path(__file__).resolve().parents[2] / "graph_schema" / "schema.graphql"
REGENERATE = "stakenet schema > graph_schema/schema.graphql"


def printed_schema() -> str:
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["schema"]) == 0
    return out.getvalue()


def test_the_committed_sdl_matches_the_code() -> None:
    committed = COMMITTED.read_text(encoding="utf-8")
    assert printed_schema() == committed, (
        "graph_schema/schema.graphql is out of date with the code. "
        f"Regenerate it with `{REGENERATE}` and commit the result."
    )


def test_production_mode_serves_the_same_schema() -> None:
    assert build_schema(Settings(production=True)).as_str() == build_schema().as_str()


def test_the_sdl_declares_the_subscription() -> None:
    sdl = COMMITTED.read_text(encoding="utf-8")
    assert "graphChanged(ids: [ID!] = null): GraphChange!" in sdl
    assert "subscription: Subscription" in sdl or "type Subscription {" in sdl
