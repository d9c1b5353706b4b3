"""Check Cypher statements with Neo4j's own parser and semantic analyser.

``lint_cypher`` runs ``tests/support/cypher_lint.mjs`` (the npm package
``@neo4j-cypher/language-support``) under Node. The package must be installed with
``npm ci`` at the repository root first.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "tests" / "support" / "cypher_lint.mjs"
PACKAGE = REPO_ROOT / "node_modules" / "@neo4j-cypher" / "language-support"
TIMEOUT = 120.0


class CypherLintError(RuntimeError):
    """The linter could not be run, or answered something unexpected."""


@dataclass(frozen=True)
class Diagnostic:
    severity: str  # "error", "warning", "information" or "hint"
    message: str
    line: int
    column: int


@dataclass(frozen=True)
class LintResult:
    index: int
    statement: str
    diagnostics: tuple[Diagnostic, ...]

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "error")

    @property
    def ok(self) -> bool:
        """True when Neo4j would accept the statement (warnings aside)."""
        return not self.errors


def node_available() -> bool:
    """True when Node and the installed npm package are there to run the linter."""
    return _node() is not None and PACKAGE.is_dir()


def lint_cypher(statements: Sequence[str]) -> list[LintResult]:
    """Lint each statement; the results are in the order of ``statements``."""
    if isinstance(statements, str):
        raise TypeError("lint_cypher takes a list of statements, not a single string")
    if not statements:
        return []
    node = _node()
    if node is None:
        raise CypherLintError("node is not on PATH (set STAKENET_NODE to its path)")
    if not PACKAGE.is_dir():
        raise CypherLintError(f"{PACKAGE} is missing: run `npm ci` in {REPO_ROOT}")
    completed = subprocess.run(
        [node, str(SCRIPT)],
        cwd=REPO_ROOT,
        input=json.dumps(list(statements)),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=TIMEOUT,
        check=False,
    )
    if completed.returncode != 0:
        raise CypherLintError(
            f"cypher_lint.mjs exited with {completed.returncode}: {completed.stderr.strip()}"
        )
    try:
        raw: list[dict[str, Any]] = json.loads(completed.stdout)
    except json.JSONDecodeError as exc:
        raise CypherLintError(f"cypher_lint.mjs printed no JSON: {completed.stdout!r}") from exc
    if len(raw) != len(statements):
        raise CypherLintError(f"{len(statements)} statements sent, {len(raw)} results back")
    return [_result(item) for item in raw]


def format_errors(results: Sequence[LintResult]) -> str:
    """A readable summary of the statements with errors, for assertion messages."""
    lines = []
    for result in results:
        for d in result.errors:
            lines.append(
                f"[{result.index}] {d.line}:{d.column} {d.message}\n    {result.statement}"
            )
    return "\n".join(lines)


def _result(item: dict[str, Any]) -> LintResult:
    return LintResult(
        index=int(item["index"]),
        statement=str(item["statement"]),
        diagnostics=tuple(
            Diagnostic(
                severity=str(d["severity"]),
                message=str(d["message"]),
                line=int(d["line"]),
                column=int(d["column"]),
            )
            for d in item["diagnostics"]
        ),
    )


def _node() -> str | None:
    return os.environ.get("STAKENET_NODE") or shutil.which("node")
