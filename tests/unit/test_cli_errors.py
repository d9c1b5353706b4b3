"""An import file beyond the JSON limits ends the command with one line and exit 1, a serve
setting that cannot work with one line and exit 2, and
`stakenet --version` says the version."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from stakenet import __version__


def stakenet(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stakenet.cli", *arguments],
        capture_output=True,
        text=True,
        timeout=60,
    )


ROW = '{"key": "p-1", "kind": "PERSON", "name": NAME}'


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (
            '{"stakeholders": [' + "[" * 3000 + "]" * 3000 + "]}",
            "Arrays and objects are nested deeper than 64 levels: line 1 column 19 (char 18)",
        ),
        (
            '{"stakeholders": [' + ROW.replace("NAME", '"A\\ud800"') + "]}",
            "A string holds a lone surrogate (\\ud800), which is not Unicode text: "
            "line 1 column 19 (char 18)",
        ),
        (
            '{"stakeholders": [' + ROW.replace("NAME", "9" * 5000) + "]}",
            "An integer of 5000 digits is too long (at most 100): line 1 column 19 (char 18)",
        ),
    ],
    ids=["deep", "lone-surrogate", "long-integer"],
)
def test_an_import_beyond_the_json_limits_is_one_line_and_exit_1(
    tmp_path: Path, document: str, reason: str
) -> None:
    source = tmp_path / "import.json"
    source.write_text(document)
    database = tmp_path / "stakenet.db"
    finished = stakenet("import", "--db", f"sqlite:///{database}", str(source))
    assert finished.returncode == 1
    assert finished.stderr == f"Import rejected; nothing was written: {reason}\n"
    counted = stakenet("export", "--db", f"sqlite:///{database}")
    assert counted.returncode == 0
    assert '"stakeholders": []' in counted.stdout


def test_version_prints_the_version() -> None:
    finished = stakenet("--version")
    assert (finished.returncode, finished.stdout) == (0, f"stakenet {__version__}\n")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["--analytics", "follow"],
            "stakenet: '--analytics follow' needs the --snapshot-dir a worker writes into.\n",
        ),
        (
            ["--db", "sqlite:///:memory:"],
            "stakenet: An in-memory database is private to one process; use "
            "'--analytics thread' or a database file.\n",
        ),
    ],
)
def test_an_analytics_setting_that_cannot_work_is_refused(
    tmp_path: Path, arguments: list[str], message: str
) -> None:
    database = ["--db", f"sqlite:///{tmp_path / 'x.db'}"] if "--db" not in arguments else []
    result = stakenet("serve", *database, *arguments, "--port", "1")
    assert result.returncode == 2
    assert result.stderr == message


def test_the_worker_needs_a_snapshot_directory() -> None:
    result = stakenet("analytics")
    assert result.returncode == 2
    assert "the following arguments are required: --snapshot-dir" in result.stderr


@pytest.mark.parametrize(
    "command",
    [
        ["serve", "--analytics", "follow", "--port", "1"],
        ["serve", "--analytics", "process", "--port", "1"],
        ["analytics"],
    ],
    ids=["follow", "process", "worker"],
)
def test_a_snapshot_directory_any_user_can_write_to_is_refused(
    tmp_path: Path, command: list[str]
) -> None:
    # Its files are pickles: another user who put one there would run code as the server.
    shared = tmp_path / "snapshots"
    shared.mkdir()
    shared.chmod(0o777)
    database = ["--db", f"sqlite:///{tmp_path / 'x.db'}"]
    result = stakenet(*command, *database, "--snapshot-dir", str(shared))
    assert result.returncode == 2
    assert result.stderr == (
        f"stakenet: refusing the snapshot directory {shared}: any user can write to it "
        f"(mode 0777), and a snapshot file that loads runs as this user. Give it a directory "
        f"only its worker and servers can write to (chmod o-w {shared}).\n"
    )
    assert list(shared.iterdir()) == []


@pytest.mark.parametrize(
    "command",
    [["serve", "--analytics", "process", "--port", "1"], ["analytics"]],
    ids=["process", "worker"],
)
def test_a_snapshot_directory_that_cannot_be_written_is_refused_at_start(
    tmp_path: Path, command: list[str]
) -> None:
    # Else the worker would compute every snapshot and fail to write each one.
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("")
    wanted = not_a_directory / "snapshots"
    database = ["--db", f"sqlite:///{tmp_path / 'x.db'}"]
    result = stakenet(*command, *database, "--snapshot-dir", str(wanted))
    assert result.returncode == 2
    assert result.stderr == (
        f"stakenet: cannot write snapshot files into {wanted}: Not a directory.\n"
    )


def test_serving_a_file_that_is_no_database_is_one_line_and_exit_2(tmp_path: Path) -> None:
    # Found before the web server starts, whose failed startup would be a traceback and exit 3.
    not_a_database = tmp_path / "notes.db"
    not_a_database.write_text("meeting notes\n")
    result = stakenet("serve", "--db", f"sqlite:///{not_a_database}", "--port", "1")
    assert result.returncode == 2
    assert result.stderr == "stakenet: The database file is damaged or is not a database.\n"
    assert not_a_database.read_text() == "meeting notes\n"


@pytest.mark.parametrize(
    "command",
    [
        ["export"],
        ["export", "--format", "graphml"],
        ["token", "list"],
        ["token", "revoke", "ops"],
        ["audit", "export"],
        ["log", "prune", "--keep-revisions", "3"],
    ],
    ids=["export", "graphml", "token-list", "token-revoke", "audit-export", "log-prune"],
)
def test_a_command_that_reads_a_database_that_is_not_there_says_so_and_creates_none(
    tmp_path: Path, command: list[str]
) -> None:
    # A mistyped path would otherwise create an empty database and export an empty network.
    missing = tmp_path / "typo" / "stakenet.db"
    result = stakenet(*command, "--db", f"sqlite:///{missing}")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"stakenet: there is no database at {missing}; 'stakenet migrate' or 'stakenet import' "
        "creates one.\n"
    )
    assert not (tmp_path / "typo").exists()


def test_creating_a_token_creates_the_database_it_is_kept_in(tmp_path: Path) -> None:
    # The first step of serving beyond loopback, before any server has created the database.
    database = tmp_path / "stakenet.db"
    result = stakenet(
        "token", "create", "--role", "admin", "--name", "ops", "--db", f"sqlite:///{database}"
    )
    assert result.returncode == 0
    assert result.stdout.startswith("Created admin token 'ops'.")
    listed = stakenet("token", "list", "--db", f"sqlite:///{database}")
    assert listed.stdout.split("\t")[:2] == ["ops", "admin"]


@pytest.mark.parametrize("name", ["ops\tadmin", "ops\nadmin", "ops\x1b[2Jadmin"])
def test_a_token_name_that_would_break_the_listing_is_refused(tmp_path: Path, name: str) -> None:
    database = f"sqlite:///{tmp_path / 'stakenet.db'}"
    created = stakenet("token", "create", "--role", "viewer", "--name", name, "--db", database)
    assert (created.returncode, created.stdout) == (2, "")
    assert created.stderr == (
        "stakenet: name: A token name cannot hold a tab, a line break or another unprintable "
        "character.\n"
    )
    listed = stakenet("token", "list", "--db", database)
    assert (listed.returncode, listed.stdout) == (0, "")


def test_serving_on_a_port_in_use_is_one_line_and_exit_2(tmp_path: Path) -> None:
    # Said before the store, the projection and the analytics worker start for nothing.
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = stakenet("serve", "--db", f"sqlite:///{tmp_path / 's.db'}", "--port", str(port))
    assert result.returncode == 2
    assert (
        result.stderr
        == f"stakenet: cannot listen on 127.0.0.1 port {port}: Address already in use.\n"
    )


def test_serving_on_an_address_of_no_interface_here_is_one_line_and_exit_2(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 's.db'}"
    # TEST-NET-1 (RFC 5737): never an address of this machine.
    result = stakenet("serve", "--db", database, "--host", "192.0.2.1", "--allow-anonymous")
    assert result.returncode == 2
    assert result.stderr == (
        "stakenet: cannot listen on 192.0.2.1 port 8000: Cannot assign requested address.\n"
    )


def test_a_token_created_to_expire_lists_its_expiry(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'stakenet.db'}"
    before = datetime.now(UTC)
    created = stakenet(
        "token",
        "create",
        "--role",
        "viewer",
        "--name",
        "crm",
        "--expires-in",
        "30",
        "--db",
        database,
    )
    after = datetime.now(UTC)
    assert created.returncode == 0, created.stderr
    first_line = created.stdout.splitlines()[0]
    said = datetime.strptime(
        first_line.removeprefix("Created viewer token 'crm'. It expires at ").removesuffix(
            ". It is shown only once:"
        ),
        "%Y-%m-%dT%H:%M:%SZ",
    ).replace(tzinfo=UTC)
    lower = (before + timedelta(days=30)).replace(microsecond=0)
    assert lower <= said <= after + timedelta(days=30)
    at = stakenet(
        "token", "create", "--role", "editor", "--name", "ci", "--expires-at", "2999-03-31",
        "--db", database,
    )  # fmt: skip
    assert at.returncode == 0, at.stderr
    ops = stakenet("token", "create", "--role", "admin", "--name", "ops", "--db", database)
    assert ops.returncode == 0
    listed = stakenet("token", "list", "--db", database)
    today = f"{datetime.now(UTC):%Y-%m-%d}"
    assert [line.split("\t") for line in listed.stdout.splitlines()] == [
        ["crm", "viewer", today, "active", f"expires {said:%Y-%m-%dT%H:%M:%SZ}"],
        ["ci", "editor", today, "active", "expires 2999-03-31T00:00:00Z"],
        ["ops", "admin", today, "active", "expires never"],
    ]


def test_a_token_past_its_expiry_is_listed_as_expired(tmp_path: Path) -> None:
    database = tmp_path / "stakenet.db"
    url = f"sqlite:///{database}"
    assert (
        stakenet("token", "create", "--role", "viewer", "--name", "crm", "--db", url).returncode
        == 0
    )
    # Expired since: the store is the only way to make a token of the past.
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE api_tokens SET expires_at = '2025-02-03T04:05:06.000000+00:00'")
    connection.close()
    listed = stakenet("token", "list", "--db", url)
    [row] = [line.split("\t") for line in listed.stdout.splitlines()]
    assert row[3:] == ["expired 2025-02-03", "expires 2025-02-03T04:05:06Z"]


@pytest.mark.parametrize(
    ("flag", "value", "said"),
    [
        (
            "--expires-in",
            "0",
            "--expires-in takes a whole number of days from 1 to 36500; got '0'.",
        ),
        (
            "--expires-in",
            "-3",
            "--expires-in takes a whole number of days from 1 to 36500; got '-3'.",
        ),
        (
            "--expires-in",
            "soon",
            "--expires-in takes a whole number of days from 1 to 36500; got 'soon'.",
        ),
        (
            "--expires-in",
            "1.5",
            "--expires-in takes a whole number of days from 1 to 36500; got '1.5'.",
        ),
        (
            "--expires-at",
            "2020-01-01",
            "--expires-at 2020-01-01 has passed; a token's expiry must be in the future.",
        ),
        (
            "--expires-at",
            "31/03/2027",
            "--expires-at takes an ISO date or instant such as 2027-03-31 or "
            "2027-03-31T17:00:00+01:00; got '31/03/2027'.",
        ),
    ],
)
def test_an_expiry_in_the_past_or_unreadable_is_refused_and_writes_nothing(
    tmp_path: Path, flag: str, value: str, said: str
) -> None:
    database = tmp_path / "stakenet.db"
    url = f"sqlite:///{database}"
    created = stakenet(
        "token", "create", "--role", "viewer", "--name", "crm", flag, value, "--db", url
    )
    assert (created.returncode, created.stdout, created.stderr) == (2, "", f"stakenet: {said}\n")
    assert not database.exists()
    assert stakenet("migrate", "--db", url).returncode == 0
    again = stakenet(
        "token", "create", "--role", "viewer", "--name", "crm", flag, value, "--db", url
    )
    assert again.returncode == 2
    listed = stakenet("token", "list", "--db", url)
    assert (listed.returncode, listed.stdout) == (0, "")
