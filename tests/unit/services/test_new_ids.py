"""New ids: the creation time, this process's counter and a random part, in order."""

from __future__ import annotations

import re

import pytest

from stakenet.services import ids


def test_ids_made_together_hold_the_time_consecutive_counters_and_random_digits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ids, "_counter", 0xFFFFFFFE)
    made = ids.new_ids(4)
    assert all(re.fullmatch("[0-9a-f]{32}", made_id) for made_id in made)
    assert len({made_id[:12] for made_id in made}) == 1  # one time for the call
    assert [made_id[12:20] for made_id in made] == ["fffffffe", "ffffffff", "00000000", "00000001"]
    assert len({made_id[20:] for made_id in made}) == 4
    assert ids._counter == 0xFFFFFFFE + 4
    after = ids.new_ids(2)
    assert [made_id[12:20] for made_id in after] == ["00000002", "00000003"]
    assert ids.new_ids(0) == []


def test_many_ids_are_in_order_and_each_is_valid() -> None:
    made = ids.new_ids(10_000)
    assert made == sorted(made)
    assert len(set(made)) == 10_000
    assert all(ids.is_valid_id(made_id) for made_id in made[::997])
