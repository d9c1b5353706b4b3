"""Turning a bolt:// or neo4j:// database URL into what the Neo4j driver takes."""

from __future__ import annotations

import pytest

from stakenet.bootstrap import ConfigError, DatabaseUrl, build_store, database_url
from stakenet.store.neo4j import Neo4jSettings, Neo4jStore, neo4j_settings

NO_ENV: dict[str, str] = {}


def test_credentials_and_database_come_from_the_url_and_leave_the_driver_uri() -> None:
    settings = neo4j_settings("bolt://anna:s3cret@db.example:7687/crm", NO_ENV)
    assert settings == Neo4jSettings("bolt://db.example:7687", "anna", "s3cret", "crm")


@pytest.mark.parametrize("scheme", ["bolt", "bolt+s", "neo4j", "neo4j+s", "neo4j+ssc"])
def test_every_bolt_and_routing_scheme_is_kept(scheme: str) -> None:
    settings = neo4j_settings(f"{scheme}://u:p@host.example/graph", NO_ENV)
    assert settings.uri == f"{scheme}://host.example"
    assert settings.database == "graph"


def test_the_environment_fills_what_the_url_leaves_out() -> None:
    env = {
        "STAKENET_NEO4J_USER": "svc",
        "STAKENET_NEO4J_PASSWORD": "from-env",
        "STAKENET_NEO4J_DATABASE": "stakeholders",
    }
    settings = neo4j_settings("neo4j+s://abc123.databases.neo4j.io", env)
    assert settings == Neo4jSettings(
        "neo4j+s://abc123.databases.neo4j.io", "svc", "from-env", "stakeholders"
    )


def test_the_url_wins_over_the_environment() -> None:
    env = {"STAKENET_NEO4J_USER": "svc", "STAKENET_NEO4J_PASSWORD": "x"}
    env["STAKENET_NEO4J_DATABASE"] = "other"
    settings = neo4j_settings("bolt://anna:pw@h:7687/crm", env)
    assert (settings.user, settings.password, settings.database) == ("anna", "pw", "crm")


def test_defaults_are_user_and_database_neo4j_and_no_password() -> None:
    settings = neo4j_settings("bolt://localhost:7687", NO_ENV)
    assert settings == Neo4jSettings("bolt://localhost:7687", "neo4j", "", "neo4j")


def test_escaped_characters_in_credentials_are_decoded() -> None:
    settings = neo4j_settings("bolt://a%40b:p%2Fw%3A1@h:7687/db", NO_ENV)
    assert (settings.user, settings.password) == ("a@b", "p/w:1")


def test_an_ipv6_host_keeps_its_brackets() -> None:
    assert neo4j_settings("bolt://[::1]:7687/db", NO_ENV).uri == "bolt://[::1]:7687"


@pytest.mark.parametrize(
    "url",
    [
        "bolt://h:notaport/db",
        "bolt:///db",
        "bolt://h:7687/db?x=1",
        "bolt://h:7687/a/b",
        "http://h:7687/db",
    ],
)
def test_an_unusable_url_is_refused_without_quoting_it(url: str) -> None:
    with pytest.raises(ValueError) as raised:
        neo4j_settings(url.replace("//", "//u:topsecret@", 1), NO_ENV)
    assert "topsecret" not in str(raised.value)


def test_the_password_is_not_in_the_settings_repr() -> None:
    assert "s3cret" not in repr(neo4j_settings("bolt://u:s3cret@h/db", NO_ENV))


def test_build_store_gives_a_neo4j_store_without_connecting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STAKENET_NEO4J_PASSWORD", "env-secret")
    monkeypatch.delenv("STAKENET_NEO4J_USER", raising=False)
    monkeypatch.delenv("STAKENET_NEO4J_DATABASE", raising=False)
    store = build_store(database_url("neo4j://db.internal:7687"))
    assert isinstance(store, Neo4jStore)
    assert (store.uri, store.user, store.database) == ("neo4j://db.internal:7687", "neo4j", "neo4j")
    assert "env-secret" not in repr(store)


def test_build_store_reports_a_bad_url_redacted() -> None:
    with pytest.raises(ConfigError) as raised:
        build_store(DatabaseUrl("neo4j", "bolt://u:topsecret@h:99999/db"))
    assert "topsecret" not in str(raised.value)
    assert str(raised.value) == (
        "The Neo4j database URL cannot be used: the port is not a number between 0 and 65535."
    )
