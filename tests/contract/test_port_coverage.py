"""Every method of every protocol of the store port is called by the contract suite, so a
capability added to `Store` cannot reach the adapters untested."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from stakenet.store import port

SUITE = "".join(
    path.read_text(encoding="utf-8")
    for path in sorted(Path(__file__).parent.glob("*.py"))
    if path.name != Path(__file__).name
)

PORT_METHODS = sorted(
    (protocol.__name__, name)
    for protocol in port.Store.__mro__
    if protocol.__module__ == port.__name__
    for name, member in vars(protocol).items()
    if callable(member) and not name.startswith("_")
)


def exercised(method: str) -> bool:
    return re.search(rf"\.{method}\(", SUITE) is not None


def test_the_check_finds_every_protocol_of_the_port() -> None:
    # A port reorganised out of `port.py` would otherwise leave the check below nothing to see.
    found = {protocol for protocol, _ in PORT_METHODS}
    assert found >= {"GraphReads", "GraphStore", "ChangeLog", "AccessTokens", "AuditLog", "Store"}


@pytest.mark.parametrize(
    ("protocol", "method"), [pytest.param(*pair, id=".".join(pair)) for pair in PORT_METHODS]
)
def test_the_contract_suite_calls_every_method_of_the_port(protocol: str, method: str) -> None:
    assert exercised(method), f"no contract test calls {protocol}.{method}"


def test_the_check_sees_a_method_no_test_calls() -> None:
    assert exercised("changes_since")
    assert not exercised("changes_before")
