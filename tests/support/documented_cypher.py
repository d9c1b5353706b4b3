"""The Cypher a document gives under one heading, block by block, as a reader would copy it."""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"


def cypher_blocks(document: str, heading: str) -> list[str]:
    """The ```cypher blocks of ``docs/<document>`` from ``heading`` to the next ``## `` heading."""
    text = (DOCS / document).read_text("utf-8")
    section = text[text.index(heading) :]
    section = section[: section.index("\n## ")]
    return re.findall(r"```cypher\n(.*?)```", section, flags=re.DOTALL)
