"""A token given an expiry is refused from then on as a revoked one is, on every transport, and
an expired token still makes tokens required; checked on a real `stakenet serve` process."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from stakenet.cli import main as cli
from support.graphql_socket import GraphQLSocket
from support.server_process import ServerProcess, start_server

CREATE_TOKEN = """
mutation($name: String!, $role: String!, $expiresAt: DateTime) {
  createToken(name: $name, role: $role, expiresAt: $expiresAt) {
    name secret expiresAt errors { field code message }
  }
}
"""
# Long enough for the test to open a socket and subscribe before it passes.
LIFETIME = timedelta(seconds=8)
# Generous: the subscription ends within about a second of the expiry; a slow machine may lag.
DEADLINE = 30.0


def cli_token(database: Path, role: str, name: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        command = ["token", "create", "--role", role, "--name", name]
        assert cli([*command, "--db", f"sqlite:///{database}"]) == 0
    return out.getvalue().split()[-1]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[ServerProcess, str]]:
    database = tmp_path / "stakenet.db"
    admin = cli_token(database, "admin", "ops")
    started = start_server(database)
    try:
        yield started, admin
    finally:
        started.stop()


def post(
    server: ServerProcess, query: str, variables: dict[str, Any], token: str | None
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return httpx.post(
        server.base_url + "/graphql",
        json={"query": query, "variables": variables},
        headers=headers,
        timeout=10,
    )


def create_token(
    server: ServerProcess, admin: str, name: str, expires_at: object
) -> dict[str, Any]:
    variables = {"name": name, "role": "viewer", "expiresAt": expires_at}
    response = post(server, CREATE_TOKEN, variables, admin)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def notice(name: str, expires_at: str) -> str:
    moment = datetime.fromisoformat(expires_at)
    return f"The token '{name}' expired at {moment:%Y-%m-%d %H:%M:%S} UTC"


def messages(body: Any) -> list[tuple[str | None, str]]:
    errors = body if isinstance(body, list) else body.get("errors") or []
    return [(e.get("extensions", {}).get("code"), e["message"]) for e in errors]


async def test_an_expired_token_is_refused_on_every_transport_saying_it_expired(
    server: tuple[ServerProcess, str],
) -> None:
    process, admin = server
    expires_at = (datetime.now(UTC) + LIFETIME).isoformat()
    made = (await asyncio.to_thread(create_token, process, admin, "contractor", expires_at))[
        "data"
    ]["createToken"]
    assert made["errors"] == []
    assert datetime.fromisoformat(made["expiresAt"]) == datetime.fromisoformat(expires_at)
    secret, said = made["secret"], notice("contractor", made["expiresAt"])

    viewer = await asyncio.to_thread(post, process, "{ viewer { name } }", {}, secret)
    assert viewer.json() == {"data": {"viewer": {"name": "contractor"}}}
    async with GraphQLSocket.open(process.base_url, token=secret) as socket:
        subscription = await socket.start("subscription { graphChanged { revision } }")
        assert (await socket.execute("{ viewer { name } }"))["data"]["viewer"] == {
            "name": "contractor"
        }
        # The open subscription ends once the token expires, as a revoked one's does.
        ended = await socket.receive(subscription, within=DEADLINE)
        assert ended["type"] == "next", ended
        assert messages(ended["payload"]) == [
            ("UNAUTHENTICATED", f"{said}; the subscription ended.")
        ]
        assert (await socket.receive(subscription))["type"] == "complete"
        assert datetime.now(UTC) >= datetime.fromisoformat(made["expiresAt"])
        # Its next operation on the socket is refused.
        refused = await socket.execute("{ viewer { name } }")
        assert refused["data"] is None
        assert messages(refused) == [
            ("UNAUTHENTICATED", f"{said}; connect again with a valid token.")
        ]

    # Over HTTP: 401, saying when it expired.
    response = await asyncio.to_thread(post, process, "{ viewer { name } }", {}, secret)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert messages(response.json()) == [("UNAUTHENTICATED", f"{said}.")]
    # A new WebSocket: refused at the handshake with the token in its header, as over HTTP ...
    with pytest.raises(InvalidStatus) as handshake:
        async with GraphQLSocket.open(process.base_url, header_token=secret):
            pass
    assert handshake.value.response.status_code == 401
    assert messages(json.loads(handshake.value.response.body)) == [("UNAUTHENTICATED", f"{said}.")]
    # ... and at `connection_init` with the token in it.
    with pytest.raises(ConnectionClosed) as closed:
        async with GraphQLSocket.open(process.base_url, token=secret):
            pass
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
    assert closed.value.rcvd.reason == f"{said}."
    # The audit trail says the token was given an expiry, never the secret.
    audit = "{ auditLog(first: 100) { edges { node { actor operation fields } } } }"
    entries = (await asyncio.to_thread(post, process, audit, {}, admin)).json()
    assert [e["node"] for e in entries["data"]["auditLog"]["edges"]] == [
        {"actor": "local", "operation": "createToken", "fields": ["name", "role"]},
        {"actor": "ops", "operation": "createToken", "fields": ["expiresAt", "name", "role"]},
    ]
    # Admins see when each token expires, and that this one no longer lets anyone in.
    listing = "{ apiTokens { name role expiresAt revokedAt active } }"
    listed = await asyncio.to_thread(post, process, listing, {}, admin)
    assert listed.json() == {
        "data": {
            "apiTokens": [
                {
                    "name": "ops",
                    "role": "admin",
                    "expiresAt": None,
                    "revokedAt": None,
                    "active": True,
                },
                {
                    "name": "contractor",
                    "role": "viewer",
                    "expiresAt": made["expiresAt"],
                    "revokedAt": None,
                    "active": False,
                },
            ]
        }
    }


async def test_a_server_whose_tokens_all_expired_still_requires_one(
    server: tuple[ServerProcess, str], tmp_path: Path
) -> None:
    process, admin = server
    expires_at = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
    made = await asyncio.to_thread(create_token, process, admin, "ci", expires_at)
    assert made["data"]["createToken"]["errors"] == []
    revoke = ["token", "revoke", "ops", "--db", f"sqlite:///{tmp_path / 'stakenet.db'}"]
    assert await asyncio.to_thread(cli, revoke) == 0
    # Past the expiry and the second the server trusts its "tokens exist" answer for.
    await asyncio.sleep(2.5)
    anonymous = await asyncio.to_thread(post, process, "{ viewer { name role } }", {}, None)
    assert anonymous.status_code == 401
    assert messages(anonymous.json()) == [
        (
            "UNAUTHENTICATED",
            "A valid API token is required: send 'Authorization: Bearer <token>'.",
        )
    ]


def test_an_expiry_in_the_past_is_a_user_error_and_creates_nothing(
    server: tuple[ServerProcess, str],
) -> None:
    process, admin = server
    made = create_token(process, admin, "late", "2020-01-01T00:00:00Z")
    passed = "A token's expiry must be in the future; 2020-01-01T00:00:00+00:00 has passed."
    assert made["data"]["createToken"] == {
        "name": None,
        "secret": None,
        "expiresAt": None,
        "errors": [{"field": "expiresAt", "code": "INVALID", "message": passed}],
    }
    audit = post(process, "{ auditLog(first: 100) { edges { node { operation } } } }", {}, admin)
    operations = [e["node"]["operation"] for e in audit.json()["data"]["auditLog"]["edges"]]
    assert operations.count("createToken") == 1  # the admin's own, made by the CLI


def test_an_unreadable_expiry_is_a_coded_error_and_creates_nothing(
    server: tuple[ServerProcess, str],
) -> None:
    process, admin = server
    made = create_token(process, admin, "late", "next tuesday")
    assert made["data"] is None
    [(code, message)] = messages(made)
    assert code == "BAD_REQUEST"
    assert message == (
        "Variable '$expiresAt' has invalid value: Value cannot represent a DateTime: "
        "\"next tuesday\". Invalid isoformat string: 'next tuesday'"
    )
    audit = post(process, "{ auditLog(first: 100) { edges { node { operation } } } }", {}, admin)
    operations = [e["node"]["operation"] for e in audit.json()["data"]["auditLog"]["edges"]]
    assert operations.count("createToken") == 1
