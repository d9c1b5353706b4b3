"""The benchmark networks: both shapes import cleanly, and the regional one has the shape it
promises (heavy-tailed organisations, second positions, board interlocks)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from stakenet.demo.synthetic import SHAPES, regional_network, write


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_each_shape_imports_whole_into_a_fresh_store(shape: str, tmp_path: Path) -> None:
    document = write(3000, tmp_path, shape=shape)
    expected = json.loads(document.read_text(encoding="utf-8"))
    db = f"sqlite:///{tmp_path / 'net.db'}"
    subprocess.run(
        [sys.executable, "-m", "stakenet.cli", "import", "--db", db, str(document)],
        check=True,
        capture_output=True,
    )
    exported = subprocess.run(
        [sys.executable, "-m", "stakenet.cli", "export", "--db", db],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    stored = json.loads(exported)
    for part in ("stakeholders", "ties", "interactions"):
        assert len(stored[part]) == len(expected[part]), part
    assert len(expected["ties"]) == 3000


def test_the_regional_network_has_heavy_tailed_organisations_and_board_interlocks() -> None:
    document = regional_network(50_000)
    ties = document["ties"]
    people = sum(1 for s in document["stakeholders"] if s["kind"] == "PERSON")
    staff = Counter(t["target"] for t in ties if t["kind"] == "WORKS_FOR")
    sizes = sorted(staff.values(), reverse=True)
    # The three anchors employ thousands-scale staff; the median organisation a handful.
    assert sizes[0] > 0.1 * people
    assert sizes[0] > 100 * sizes[len(sizes) // 2]
    names = {s["key"]: s["name"] for s in document["stakeholders"]}
    assert [names[key] for key, _ in staff.most_common(3)] == [
        "Region Municipality",
        "University Hospital",
        "Regional Utility",
    ]
    positions = Counter(
        t["source"]
        for t in ties
        if t["kind"] in ("WORKS_FOR", "ADVISES") and t["target"].startswith("org-")
    )
    second = sum(1 for count in positions.values() if count > 1)
    assert 0.1 * people < second < 0.3 * people
    seats = Counter(t["source"] for t in ties if t["kind"] == "BOARD_MEMBER_OF")
    assert max(seats.values()) >= 10
    assert sum(1 for count in seats.values() if count >= 3) >= 20
    identities = Counter((t["kind"], t["source"], t["target"]) for t in ties)
    assert identities.most_common(1)[0][1] == 1
