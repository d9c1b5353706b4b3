"""A sharded table reads as the dict it stands for: same entries, same order, emptied a slice
at a time, and no one of its dicts holds more than a small share of them."""

from __future__ import annotations

import random

from stakenet.analytics.sharded import SHARDS, ShardedTable


def test_a_sharded_table_reads_as_the_dict_filled_the_same_way() -> None:
    chooser = random.Random(7)
    table: ShardedTable[str, int] = ShardedTable()
    expected: dict[str, int] = {}
    for step in range(30_000):
        key = f"k{chooser.randrange(20_000)}"
        if step % 3:
            table.update([(key, step)])
            expected[key] = step
        else:
            assert table.setdefault(key, step) == expected.setdefault(key, step)
    assert list(table) == list(expected) and len(table) == len(expected)
    assert dict(table.items()) == expected
    assert all(table[key] == value and key in table for key, value in expected.items())
    assert table.get("absent") is None and table.get("absent", 5) == 5 and "absent" not in table
    assert max(len(shard) for shard in table.shards) <= len(expected) / SHARDS * 2


def test_popping_the_last_entries_empties_the_table_a_slice_at_a_time() -> None:
    table = ShardedTable((f"k{n}", n) for n in range(5_000))
    table.pop_last(1_000)
    assert len(table) == 4_000 and list(table)[-1] == "k3999" and "k4000" not in table
    assert sum(map(len, table.shards)) == 4_000
    while table:
        table.pop_last(1_000)
    assert not any(table.shards) and table.get("k0") is None
