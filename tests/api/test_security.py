"""Tokens and roles, private notes, the audit trail, erasure and rate limits, over real HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import InvalidStatus

from stakenet.api.privacy import AUDIT_IDS_SHOWN
from stakenet.api.schema import build_schema
from stakenet.api.types import stakeholder_id
from stakenet.bootstrap import assemble
from stakenet.cli import main as cli
from stakenet.domain import model
from stakenet.domain.access import NOBODY, Role
from stakenet.domain.errors import PermissionDenied
from stakenet.services.access import current_principal, visible_notes
from stakenet.services.container import Settings
from stakenet.store.sqlite.store import SQLiteStore
from support.graphql_socket import GraphQLSocket
from support.live_server import Api, serve

ROLES = ("viewer", "editor", "admin")


def create_token(database: Path, role: str, name: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert (
            cli(
                ["token", "create", "--role", role, "--name", name, "--db", f"sqlite:///{database}"]
            )
            == 0
        )
    return out.getvalue().split()[-1]


@pytest.fixture
def secured(tmp_path: Path) -> Iterator[tuple[Api, dict[str, str]]]:
    database = tmp_path / "stakenet.db"
    tokens = {role: create_token(database, role, f"{role}-token") for role in ROLES}
    tokens["revoked"] = create_token(database, "admin", "old-admin")
    assert cli(["token", "revoke", "old-admin", "--db", f"sqlite:///{database}"]) == 0
    for server in serve(database):
        yield server, tokens


def post(
    api: Api, query: str, variables: dict[str, Any] | None = None, token: str | None = None
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return api.client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )


def seed(api: Api, admin: str) -> dict[str, str]:
    document = {
        "stakeholders": [
            {"key": "c", "kind": "COMPANY", "name": "Acme", "notes": "secret company note"},
            {"key": "a", "kind": "PERSON", "name": "Anna", "notes": "secret person note"},
            {"key": "b", "kind": "PERSON", "name": "Bo"},
        ],
        "ties": [
            {"key": "t", "source": "a", "target": "b", "kind": "KNOWS", "notes": "secret tie note"}
        ],
        "interactions": [
            {
                "key": "i",
                "kind": "CALL",
                "occurredAt": "2026-01-01T10:00:00Z",
                "participants": ["a", "b"],
                "notes": "secret call note",
            }
        ],
    }
    body = post(
        api,
        "mutation($d: JSON!) { importGraph(input: {document: $d}) { errors { message } } }",
        {"d": document},
        admin,
    ).json()
    assert body["data"]["importGraph"]["errors"] == []
    ids = {}
    for key in ("c", "a", "b"):
        ids[key] = post(
            api, "query($k: String!) { stakeholder(key: $k) { id } }", {"k": key}, admin
        ).json()["data"]["stakeholder"]["id"]
    tie = post(
        api,
        "query($id: ID!) { node(id: $id) { ... on Person { ties { edges { node { id } } } interactions { edges { node { id } } } } } }",
        {"id": ids["a"]},
        admin,
    ).json()
    ids["tie"] = tie["data"]["node"]["ties"]["edges"][0]["node"]["id"]
    ids["interaction"] = tie["data"]["node"]["interactions"]["edges"][0]["node"]["id"]
    return ids


def mutation_documents(ids: dict[str, str]) -> dict[str, tuple[str, dict[str, Any]]]:
    """One document per mutation of the schema, and the role it needs."""
    return {
        "createPerson": ('mutation { createPerson(input: {name: "P"}) { errors { code } } }', {}),
        "createCompany": ('mutation { createCompany(input: {name: "C"}) { errors { code } } }', {}),
        "createMunicipality": (
            'mutation { createMunicipality(input: {name: "M"}) { errors { code } } }',
            {},
        ),
        "createOrganization": (
            'mutation { createOrganization(input: {name: "O"}) { errors { code } } }',
            {},
        ),
        "createTie": (
            "mutation($a: ID!, $b: ID!) { createTie(input: {sourceId: $a, targetId: $b, kind: FAMILY}) { errors { code } } }",
            {"a": ids["a"], "b": ids["b"]},
        ),
        "logInteraction": (
            'mutation($a: ID!) { logInteraction(input: {kind: CALL, occurredAt: "2026-02-01T10:00:00Z", participants: [{stakeholderId: $a}]}) { errors { code } } }',
            {"a": ids["a"]},
        ),
        "importGraph": (
            'mutation { importGraph(input: {document: {stakeholders: [{key: "n", kind: "PERSON", name: "N"}]}}) { errors { code } } }',
            {},
        ),
        "updateStakeholder": (
            'mutation($id: ID!) { updateStakeholder(id: $id, input: {tags: ["x"]}) { errors { code } } }',
            {"id": ids["b"]},
        ),
        "updateTie": (
            "mutation($id: ID!) { updateTie(id: $id, input: {strength: 0.5}) { errors { code } } }",
            {"id": ids["tie"]},
        ),
        "updateInteraction": (
            "mutation($id: ID!) { updateInteraction(id: $id, input: {sentiment: 0.5}) { errors { code } } }",
            {"id": ids["interaction"]},
        ),
        "deleteInteraction": (
            "mutation($id: ID!) { deleteInteraction(id: $id) { errors { code } } }",
            {"id": ids["interaction"]},
        ),
        "deleteTie": (
            "mutation($id: ID!) { deleteTie(id: $id) { errors { code } } }",
            {"id": ids["tie"]},
        ),
        "deleteStakeholder": (
            "mutation($id: ID!) { deleteStakeholder(id: $id) { errors { code } } }",
            {"id": ids["c"]},
        ),
        "eraseStakeholder": (
            "mutation($id: ID!) { eraseStakeholder(id: $id) { errors { code } } }",
            {"id": ids["b"]},
        ),
        "createToken": (
            'mutation { createToken(name: "new", role: "viewer") { errors { code } } }',
            {},
        ),
        "revokeToken": ('mutation { revokeToken(name: "viewer-token") { errors { code } } }', {}),
    }


NEEDS_ADMIN = {"eraseStakeholder", "createToken", "revokeToken"}


def admin_query_documents(ids: dict[str, str]) -> dict[str, tuple[str, dict[str, Any]]]:
    """One document per root query that only admins may run."""
    return {
        "auditLog": ("{ auditLog(first: 5) { edges { node { actor operation } } } }", {}),
        "personalData": ("query($id: ID!) { personalData(id: $id) }", {"id": ids["a"]}),
        "apiTokens": ("{ apiTokens { name expiresAt active } }", {}),
    }


# Every other root query reads the network, which every role may; a new root query must be
# placed here or among the admin queries, or the test below fails.
READ_QUERIES = {
    "node",
    "stakeholder",
    "stakeholders",
    "relationshipMap",
    "keyDecisionMakers",
    "introductionPaths",
    "influenceRanking",
    "communities",
    "keyPersonRisks",
    "whatIf",
    "brokers",
    "networkDiff",
    "relationshipHealth",
    "portfolio",
    "networkStats",
    "viewer",
    "tieKinds",
    "alerts",
}

# Subscriptions follow the network and its alerts, which every role may read.
SUBSCRIPTIONS = {"graphChanged", "alertRaised"}


def root_fields(type_name: str) -> set[str]:
    graphql_type = build_schema()._schema.type_map[type_name]
    return set(graphql_type.fields)  # type: ignore[attr-defined]


def test_every_operation_is_in_the_role_matrix() -> None:
    placeholder = {k: "x" for k in ("a", "b", "c", "tie", "interaction")}
    assert root_fields("Mutation") == set(mutation_documents(placeholder))
    assert root_fields("Query") == READ_QUERIES | set(admin_query_documents(placeholder))
    assert root_fields("Subscription") == SUBSCRIPTIONS


Run = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]


@contextlib.asynccontextmanager
async def calling(api: Api, transport: str, token: str) -> AsyncIterator[Run]:
    """Run operations as `token`'s caller over HTTP, or over one WebSocket that sent the token
    in `connection_init`, as browsers do."""
    if transport == "http":

        async def over_http(document: str, variables: dict[str, Any]) -> dict[str, Any]:
            response = await asyncio.to_thread(post, api, document, variables, token)
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            return body

        yield over_http
        return
    async with GraphQLSocket.open(api.base_url, token=token) as socket:
        yield socket.execute


def error_codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors") or ()]


@pytest.mark.parametrize("transport", ["http", "websocket"])
@pytest.mark.parametrize("role", ROLES)
async def test_the_role_matrix_holds_on_every_transport(
    tmp_path: Path, role: str, transport: str
) -> None:
    database = tmp_path / "stakenet.db"
    tokens = {r: await asyncio.to_thread(create_token, database, r, f"{r}-token") for r in ROLES}
    for api in serve(database):
        ids = await asyncio.to_thread(seed, api, tokens["admin"])
        audited = len(audit_entries(api, tokens["admin"]))
        async with calling(api, transport, tokens[role]) as run:
            for name, (document, variables) in admin_query_documents(ids).items():
                body = await run(document, variables)
                if role == "admin":
                    assert "errors" not in body, (role, name, body)
                    assert body["data"][name] is not None
                else:
                    assert error_codes(body) == ["FORBIDDEN"], (role, name, body)
            for name, (document, variables) in mutation_documents(ids).items():
                body = await run(document, variables)
                codes = [e["code"] for e in body["data"][name]["errors"]]
                needed = "admin" if name in NEEDS_ADMIN else "editor"
                if ROLES.index(role) >= ROLES.index(needed):
                    assert "FORBIDDEN" not in codes, (role, name, codes)
                else:
                    assert codes == ["FORBIDDEN"], (role, name, codes)
            # Every role reads the alerts (none are raised on this network yet).
            alerts = await run("{ alerts(first: 5) { totalCount edges { cursor } } }", {})
            assert alerts == {"data": {"alerts": {"totalCount": 0, "edges": []}}}, (role, alerts)
            notes = await run(
                "query($id: ID!) { node(id: $id) { ... on Person { notes } } }", {"id": ids["a"]}
            )
            expected = None if role == "viewer" else "secret person note"
            assert notes["data"]["node"]["notes"] == expected
            # The vocabulary the explorer draws with is readable by every role.
            kinds = await run("{ tieKinds { kind label } }", {})
            assert [k["kind"] for k in kinds["data"]["tieKinds"]] == list(model.TieKind)
            assert kinds["data"]["tieKinds"][0]["label"] == "works for"
        # Whatever the transport, the audit trail names the token that acted, never 'local'.
        actors = {entry["actor"] for entry in audit_entries(api, tokens["admin"])[audited:]}
        assert actors == (set() if role == "viewer" else {f"{role}-token"})


def audit_entries(api: Api, admin: str) -> list[dict[str, Any]]:
    body = post(api, "{ auditLog(first: 100) { edges { node { actor operation } } } }", {}, admin)
    return [edge["node"] for edge in body.json()["data"]["auditLog"]["edges"]]


async def test_a_viewer_token_in_connection_init_cannot_act_as_an_admin(
    secured: tuple[Api, dict[str, str]],
) -> None:
    api, tokens = secured
    async with GraphQLSocket.open(api.base_url, token=tokens["viewer"]) as socket:
        viewer = await socket.execute("{ viewer { name role } }")
        assert viewer["data"]["viewer"] == {"name": "viewer-token", "role": "viewer"}
        made = await socket.execute(
            'mutation { createToken(name: "mine", role: "admin") { secret errors { code } } }'
        )
        assert made["data"]["createToken"] == {"secret": None, "errors": [{"code": "FORBIDDEN"}]}
    tokens_query = "{ auditLog(first: 100) { edges { node { operation } } } }"
    audit = post(api, tokens_query, {}, tokens["admin"]).json()["data"]["auditLog"]["edges"]
    assert [e["node"]["operation"] for e in audit].count("createToken") == len(tokens)


def test_code_that_names_no_caller_may_do_nothing() -> None:
    """The service layer's default caller is nobody: a path that forgets to establish one fails
    closed instead of acting as an admin."""

    async def unestablished() -> None:
        runtime = assemble(SQLiteStore(":memory:"))
        await runtime.start()
        network = runtime.services.network
        try:
            assert current_principal() == NOBODY
            assert visible_notes("private") is None
            with pytest.raises(PermissionDenied, match="no caller is known"):
                await network.create_stakeholder(model.StakeholderKind.PERSON, {"name": "P"})
            with pytest.raises(PermissionDenied):
                await runtime.services.access.create_token("x", Role.ADMIN)
            assert (await network.counts()).stakeholders == 0
        finally:
            await runtime.stop()

    asyncio.run(unestablished())


@pytest.mark.parametrize(
    "subscribing",
    ["subscription { graphChanged { revision } }", "subscription { alertRaised { kind } }"],
)
async def test_a_revoked_token_stops_working_on_an_open_socket(
    secured: tuple[Api, dict[str, str]], subscribing: str
) -> None:
    api, tokens = secured
    async with GraphQLSocket.open(api.base_url, token=tokens["editor"]) as socket:
        subscription = await socket.start(subscribing)
        assert (await socket.execute("{ viewer { name } }"))["data"]["viewer"]["name"] == (
            "editor-token"
        )
        # Revoked by another process on the same database, as another replica would.
        revoke = ["token", "revoke", "editor-token", "--db", f"sqlite:///{api.database}"]
        assert await asyncio.to_thread(cli, revoke) == 0
        revoked_at = time.monotonic()
        ended = await socket.receive(subscription, within=5)
        assert error_codes(ended.get("payload") or {}) == ["UNAUTHENTICATED"], ended
        assert (await socket.receive(subscription))["type"] == "complete"
        assert time.monotonic() - revoked_at < 4
        refused = await socket.execute(CREATE_PERSON, {"name": "After revocation"})
        assert error_codes(refused) == ["UNAUTHENTICATED"]
        assert refused["data"] is None
    found = post(
        api, '{ stakeholders(search: "After revocation") { totalCount } }', {}, tokens["admin"]
    )
    assert found.json()["data"]["stakeholders"]["totalCount"] == 0


async def test_the_local_user_s_open_socket_needs_a_token_once_the_first_one_exists(
    tmp_path: Path,
) -> None:
    database = tmp_path / "stakenet.db"
    for api in serve(database):
        async with GraphQLSocket.open(api.base_url) as socket:
            local = await socket.execute("{ viewer { name role } }")
            assert local["data"]["viewer"] == {"name": "local", "role": "admin"}
            await asyncio.to_thread(create_token, database, "viewer", "first")
            await asyncio.sleep(1.2)  # the server trusts "no token exists" for a second
            refused = await socket.execute("{ auditLog(first: 1) { edges { cursor } } }")
            assert error_codes(refused) == ["UNAUTHENTICATED"]


STATS_QUERY = "{ networkStats { revision } }"
CREATE_PERSON = "mutation($name: String!) { createPerson(input: {name: $name}) { person { id } errors { code } } }"


async def test_websocket_operations_spend_the_rate_budget_and_a_limited_upgrade_gets_429(
    tmp_path: Path,
) -> None:
    settings = Settings(rate_limit_per_minute=60, rate_limit_burst=4)
    for api in serve(tmp_path / "stakenet.db", settings=settings):
        async with GraphQLSocket.open(api.base_url) as socket:  # the upgrade spends one
            answers = [await socket.execute(CREATE_PERSON, {"name": f"P{i}"}) for i in range(5)]
            assert [error_codes(a) for a in answers] == [
                [],
                [],
                [],
                ["RATE_LIMITED"],
                ["RATE_LIMITED"],
            ]
            assert 1 <= answers[-1]["errors"][0]["extensions"]["retryAfter"] <= 2
        with pytest.raises(InvalidStatus) as refused:
            async with GraphQLSocket.open(api.base_url):
                pass
        assert refused.value.response.status_code == 429
        assert refused.value.response.headers["retry-after"] in ("1", "2")
        assert json.loads(refused.value.response.body)["errors"][0]["extensions"]["code"] == (
            "RATE_LIMITED"
        )
        await asyncio.sleep(1.1)  # one request's worth of budget comes back each second
        count = post(api, "{ networkStats { stakeholders } }").json()
        assert count["data"]["networkStats"]["stakeholders"] == 3


def test_requests_without_a_valid_token_are_refused(secured: tuple[Api, dict[str, str]]) -> None:
    api, tokens = secured
    for token in (None, "snk_forged", tokens["revoked"]):
        response = post(api, "{ networkStats { revision } }", token=token)
        assert response.status_code == 401, token
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    ok = post(api, "{ viewer { name role } }", token=tokens["viewer"])
    assert ok.json()["data"]["viewer"] == {"name": "viewer-token", "role": "viewer"}
    assert ok.headers["x-request-id"]


def test_viewers_read_but_cannot_write(secured: tuple[Api, dict[str, str]]) -> None:
    api, tokens = secured
    seed(api, tokens["admin"])
    read = post(api, "{ stakeholders { totalCount } }", token=tokens["viewer"]).json()
    assert read["data"]["stakeholders"]["totalCount"] == 3
    write = post(
        api,
        'mutation { createPerson(input: {name: "X"}) { person { id } errors { message code } } }',
        token=tokens["viewer"],
    ).json()
    assert write["data"]["createPerson"]["person"] is None
    (error,) = write["data"]["createPerson"]["errors"]
    assert error["code"] == "FORBIDDEN" and "editor role" in error["message"]


def test_private_notes_are_null_for_viewers(secured: tuple[Api, dict[str, str]]) -> None:
    api, tokens = secured
    ids = seed(api, tokens["admin"])
    query = """query($a: ID!, $c: ID!) {
      person: node(id: $a) { ... on Person { notes ties { edges { node { notes } } } interactions { edges { node { notes } } } } }
      company: node(id: $c) { ... on Company { notes } } }"""
    seen = {}
    for role in ROLES:
        data = post(api, query, {"a": ids["a"], "c": ids["c"]}, tokens[role]).json()["data"]
        seen[role] = [
            data["person"]["notes"],
            data["person"]["ties"]["edges"][0]["node"]["notes"],
            data["person"]["interactions"]["edges"][0]["node"]["notes"],
            data["company"]["notes"],
        ]
    assert seen["viewer"] == [None, None, None, None]
    expected = ["secret person note", "secret tie note", "secret call note", "secret company note"]
    assert seen["editor"] == seen["admin"] == expected


def test_no_token_is_stored_in_clear(secured: tuple[Api, dict[str, str]]) -> None:
    api, tokens = secured
    raw = api.database.read_bytes() + (
        api.database.with_name("stakenet.db-wal").read_bytes()
        if api.database.with_name("stakenet.db-wal").exists()
        else b""
    )
    for secret in tokens.values():
        assert secret.encode() not in raw


def test_every_mutation_is_audited_with_field_names_but_no_values(
    secured: tuple[Api, dict[str, str]],
) -> None:
    api, tokens = secured
    ids = seed(api, tokens["admin"])
    post(
        api,
        'mutation($id: ID!) { updateStakeholder(id: $id, input: {notes: "very private words"}) { errors { code } } }',
        {"id": ids["a"]},
        tokens["editor"],
    )
    log = post(
        api,
        "{ auditLog(first: 100) { edges { node { actor operation fields entityIds revision } } } }",
        token=tokens["admin"],
    ).json()
    entries = [e["node"] for e in log["data"]["auditLog"]["edges"]]
    operations = [(e["actor"], e["operation"]) for e in entries]
    assert ("admin-token", "importGraph") in operations
    update = next(e for e in entries if e["operation"] == "updateStakeholder")
    assert (
        update["actor"] == "editor-token"
        and update["fields"] == ["notes"]
        and update["revision"] > 0
    )
    assert "very private words" not in json.dumps(log)
    refused = post(api, "{ auditLog { edges { node { seq } } } }", token=tokens["editor"]).json()
    assert "admin role" in refused["errors"][0]["message"]
    exported = io.StringIO()
    with contextlib.redirect_stdout(exported):
        assert cli(["audit", "export", "--db", f"sqlite:///{api.database}"]) == 0
    lines = [json.loads(line) for line in exported.getvalue().splitlines()]
    assert [line["operation"] for line in lines][:3] == [
        "createToken",
        "createToken",
        "createToken",
    ]
    assert any(line["operation"] == "updateStakeholder" for line in lines)


def test_a_large_import_s_audit_entry_shows_its_first_ids_and_exports_them_all(
    secured: tuple[Api, dict[str, str]], tmp_path: Path
) -> None:
    api, tokens = secured
    people = [{"key": f"p{n}", "kind": "PERSON", "name": f"Person {n}"} for n in range(1200)]
    imported = post(
        api,
        "mutation($d: JSON!) { importGraph(input: {document: $d}) { errors { message } } }",
        {"d": {"stakeholders": people}},
        tokens["admin"],
    ).json()
    assert imported["data"]["importGraph"]["errors"] == [], imported
    log = post(
        api,
        "{ auditLog(first: 100) { edges { node { operation entityIds entityCount } } } }",
        token=tokens["admin"],
    ).json()
    (entry,) = [
        e["node"]
        for e in log["data"]["auditLog"]["edges"]
        if e["node"]["operation"] == "importGraph"
    ]
    assert entry["entityCount"] == 1200
    assert len(entry["entityIds"]) == AUDIT_IDS_SHOWN == len(set(entry["entityIds"]))
    # The export holds every id, in the order the page shows the first of them.
    exported = tmp_path / "audit.jsonl"
    assert (
        cli(["audit", "export", "--db", f"sqlite:///{api.database}", "--output", str(exported)])
        == 0
    )
    lines = [json.loads(line) for line in exported.read_text("utf-8").splitlines()]
    (whole,) = [line for line in lines if line["operation"] == "importGraph"]
    assert len(whole["entityIds"]) == 1200
    assert whole["entityIds"][:AUDIT_IDS_SHOWN] == entry["entityIds"]
    assert not exported.with_name("audit.jsonl.partial").exists()


LOG_INTERACTION = """mutation($input: InteractionInput!) {
  logInteraction(input: $input) { interaction { id } errors { code } } }"""

# What the person said and did in interactions: none of it may survive the erasure.
SOLO_WORDS = ("Solo subject Xylophage", "Solo summary Quagga", "Solo note Ocelot", "Role Tapir")
GROUP_WORDS = ("Group subject Narwhal", "Group summary Axolotl", "Group note Pangolin")
GROUP_ROLE = "Role Wombat"


def log_interaction(api: Api, admin: str, fields: dict[str, Any]) -> str:
    body = post(
        api,
        LOG_INTERACTION,
        {"input": {"kind": "CALL", "occurredAt": "2026-02-01T10:00:00Z", **fields}},
        admin,
    ).json()
    assert body["data"]["logInteraction"]["errors"] == [], body
    return str(body["data"]["logInteraction"]["interaction"]["id"])


def test_an_erased_person_is_gone_from_queries_export_and_the_database_bytes(
    secured: tuple[Api, dict[str, str]],
) -> None:
    api, tokens = secured
    admin = tokens["admin"]
    ids = seed(api, admin)
    raw_id = stakeholder_id(ids["a"])
    subject, summary, note, role = SOLO_WORDS
    solo = log_interaction(
        api,
        admin,
        {
            "participants": [{"stakeholderId": ids["a"], "actingAs": role}],
            "subject": subject,
            "summary": summary,
            "notes": note,
        },
    )
    subject, summary, note = GROUP_WORDS
    group = log_interaction(
        api,
        admin,
        {
            "participants": [
                {"stakeholderId": ids["a"], "actingAs": GROUP_ROLE},
                {"stakeholderId": ids["b"], "actingAs": "host"},
            ],
            "subject": subject,
            "summary": summary,
            "notes": note,
            "sentiment": 0.5,
        },
    )
    name = "Zebediah Quuxworth"
    for new_name in ("Zebediah Q.", name):  # several copies in the change log
        post(
            api,
            'mutation($id: ID!, $n: String!) { updateStakeholder(id: $id, input: {name: $n, email: "zq@example.org"}) { errors { code } } }',
            {"id": ids["a"], "n": new_name},
            admin,
        )
    personal = post(
        api, "query($id: ID!) { personalData(id: $id) }", {"id": ids["a"]}, admin
    ).json()["data"]["personalData"]
    assert personal["stakeholder"]["name"] == name
    assert len(personal["ties"]) == 1 and len(personal["interactions"]) == 3
    assert {e["operation"] for e in personal["auditEntries"]} >= {
        "importGraph",
        "updateStakeholder",
    }

    erased = post(
        api,
        "mutation($id: ID!) { eraseStakeholder(id: $id) { deletedId errors { code } } }",
        {"id": ids["a"]},
        admin,
    ).json()
    assert erased["data"]["eraseStakeholder"] == {"deletedId": ids["a"], "errors": []}

    assert (
        post(api, 'query { stakeholders(search: "zebediah") { totalCount } }', token=admin).json()[
            "data"
        ]["stakeholders"]["totalCount"]
        == 0
    )
    assert (
        post(api, "query($id: ID!) { node(id: $id) { id } }", {"id": ids["a"]}, admin).json()[
            "data"
        ]["node"]
        is None
    )
    bo_map = post(
        api,
        "query($id: ID!) { relationshipMap(centerId: $id) { nodes { stakeholder { name } } } }",
        {"id": ids["b"]},
        admin,
    ).json()
    assert name not in json.dumps(bo_map)
    ranking = post(
        api, "{ influenceRanking(first: 100) { stakeholder { name } } }", token=admin
    ).json()
    assert name not in json.dumps(ranking)
    exported = io.StringIO()
    with contextlib.redirect_stdout(exported):
        assert cli(["export", "--db", f"sqlite:///{api.database}"]) == 0
    assert "Zebediah" not in exported.getvalue()
    # The call with the person alone is gone; the one with Bo stays between Bo and no one's
    # words; the seeded call with Bo loses its note.
    gone = post(api, "query($id: ID!) { node(id: $id) { id } }", {"id": solo}, admin).json()
    assert gone["data"] == {"node": None}
    kept = post(
        api,
        "query($id: ID!) { node(id: $id) { ... on Interaction { subject summary notes "
        "sentiment participants { actingAs stakeholder { name } } } } }",
        {"id": group},
        admin,
    ).json()["data"]["node"]
    assert kept == {
        "subject": None,
        "summary": None,
        "notes": None,
        "sentiment": 0.5,
        "participants": [{"actingAs": "host", "stakeholder": {"name": "Bo"}}],
    }
    # The audit trail names a tombstone wherever it named the person.
    log = post(
        api,
        "{ auditLog(first: 100) { edges { node { operation entityIds } } } }",
        token=admin,
    ).json()["data"]["auditLog"]["edges"]
    entries = [edge["node"] for edge in log]
    assert not any(raw_id in entry["entityIds"] for entry in entries)
    (erasure,) = [e for e in entries if e["operation"] == "eraseStakeholder"]
    (tombstone,) = erasure["entityIds"]
    assert tombstone.startswith("erased-")
    about = {e["operation"] for e in entries if tombstone in e["entityIds"]}
    assert about >= {"importGraph", "updateStakeholder", "logInteraction", "personalData"}

    exported = io.StringIO()
    with contextlib.redirect_stdout(exported):
        assert cli(["audit", "export", "--db", f"sqlite:///{api.database}"]) == 0
    assert raw_id not in exported.getvalue()
    # Not a byte of it is left in the database's files.
    files = sorted(api.database.parent.glob(f"{api.database.name}*"))
    assert api.database in files
    raw = b"".join(f.read_bytes() for f in files)
    distinctive = [
        "Zebediah",
        "zq@example.org",
        "secret person note",
        "secret call note",
        raw_id,
        *SOLO_WORDS,
        *GROUP_WORDS,
        GROUP_ROLE,
    ]
    assert [text for text in distinctive if text.encode() in raw] == []
    with sqlite3.connect(api.database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_requests_over_the_rate_limit_get_429_with_retry_after(tmp_path: Path) -> None:
    settings = Settings(rate_limit_per_minute=60, rate_limit_burst=5)
    for api in serve(tmp_path / "stakenet.db", settings=settings):
        statuses = [post(api, "{ networkStats { revision } }").status_code for _ in range(8)]
        assert statuses[:5] == [200] * 5
        assert statuses[5:] == [429] * 3
        refused = post(api, "{ networkStats { revision } }")
        assert 1 <= int(refused.headers["retry-after"]) <= 2
        assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert api.client.get("/healthz").status_code == 200  # probes are never limited


def test_requests_without_a_valid_token_spend_their_address_budget(tmp_path: Path) -> None:
    # Guessing tokens, or opening sockets that would authenticate later, is limited too.
    database = tmp_path / "stakenet.db"
    viewer = create_token(database, "viewer", "viewer-token")
    settings = Settings(rate_limit_per_minute=60, rate_limit_burst=3)

    async def open_socket(api: Api) -> None:
        async with GraphQLSocket.open(api.base_url, token=viewer):
            pass

    for api in serve(database, settings=settings):
        statuses = [post(api, STATS_QUERY, token="snk_guess").status_code for _ in range(5)]
        assert statuses == [401, 401, 401, 429, 429]
        with pytest.raises(InvalidStatus) as refused:
            asyncio.run(open_socket(api))
        assert refused.value.response.status_code == 429
        # A valid token has a budget of its own.
        assert post(api, STATS_QUERY, token=viewer).status_code == 200


def test_serving_beyond_loopback_without_tokens_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli(
        ["serve", "--host", "0.0.0.0", "--port", "1", "--db", f"sqlite:///{tmp_path / 's.db'}"]
    )
    assert code == 2
    assert "--allow-anonymous" in capsys.readouterr().err


async def test_subscriptions_need_a_token_in_connection_init_once_tokens_exist(
    secured: tuple[Api, dict[str, str]],
) -> None:
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    api, tokens = secured
    url = api.base_url.replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
        # The close says why, as a 401 over HTTP does, so that a client can ask for a token.
        assert closed.value.rcvd.reason == "A valid API token is required."
    # The scheme in any case, as in the header; or the bare token.
    for offered in (f"Bearer {tokens['viewer']}", f"bearer {tokens['viewer']}", tokens["viewer"]):
        async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
            payload = {"Authorization": offered}
            await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
            assert json.loads(await ws.recv()) == {"type": "connection_ack"}


def test_a_refusal_too_long_for_a_close_frame_is_cut_between_characters() -> None:
    from stakenet.api.websocket import CLOSE_REASON_BYTES, _close_reason

    cut = _close_reason({"message": "å" * CLOSE_REASON_BYTES})
    assert len(cut.encode()) <= CLOSE_REASON_BYTES
    assert cut == "å" * 60 + "..."
    assert _close_reason({"message": "Token expired."}) == "Token expired."
    assert _close_reason(None) == "Forbidden"


def test_a_browser_opens_the_ide_without_a_token_and_reads_nothing_without_one(
    secured: tuple[Api, dict[str, str]],
) -> None:
    # A browser cannot send a header when it opens a page: the IDE's page holds no data, and
    # its Headers tab sends the token with every operation.
    api, tokens = secured
    browser = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    page = api.client.get("/graphql", headers=browser)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "graphiql.js" in page.text
    query = "{ networkStats { stakeholders } }"
    for refused in (
        api.client.get("/graphql", params={"query": query}, headers=browser),
        api.client.get("/graphql", params={"query": query}),
        api.client.post("/graphql", json={"query": query}, headers=browser),
        api.client.get("/graphql"),
    ):
        assert refused.status_code == 401, refused.text
        assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    with_token = api.client.post(
        "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {tokens['viewer']}"}
    )
    assert with_token.json() == {"data": {"networkStats": {"stakeholders": 0}}}
