"""Run an ArcadeDB server that speaks Bolt, so the Neo4j store can be tested for real.

Neo4j itself is not installable on the test machines, but the ``arcadedb-embedded``
PyPI package bundles a Java runtime, the ArcadeDB server and its Bolt plugin. This
module starts that server as a separate process, bound to 127.0.0.1 only, with every
file it writes (databases, configuration, logs) inside a directory the caller owns.

Typical use::

    server = start_bolt_server(tmp_dir)
    try:
        ...  # connect with neo4j.AsyncGraphDatabase.driver(server.uri, auth=server.auth)
    finally:
        stop_bolt_server(server)

``restart_bolt_server`` starts it again on the same directory and ports, so data
written before survives; ``kill_bolt_server`` ends it abruptly for fault tests.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import neo4j
import neo4j.exceptions

DATABASE = "graph"
USER = "root"
PASSWORD = "stakenet-test-password"
HEAP = "1g"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0
LOG_NAME = "arcadedb.log"
LOG_TAIL_LINES = 60
# What ArcadeDB logs once every plugin (Bolt included) is up, and when start-up fails.
STARTED_MARKER = "ArcadeDB Server started"
FAILURE_MARKERS = ('Exception in thread "main"', "Unable to listen for BOLT connections")

BOLT_PLUGIN = "Bolt:com.arcadedb.bolt.BoltProtocolPlugin"
MAIN_CLASS = "com.arcadedb.server.ArcadeDBServer"

# The JVM options arcadedb_embedded itself uses for its in-process JVM
# (see arcadedb_embedded/jvm.py), minus the heap size, which is kept modest here.
_JVM_OPTIONS = (
    "--add-modules=jdk.incubator.vector",
    "--enable-native-access=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
    "--add-opens=java.base/java.nio.channels.spi=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "-Djava.awt.headless=true",
    "-Dfile.encoding=UTF8",
    "-Dpolyglot.engine.WarnInterpreterOnly=false",
)

# Servers started by this process and not yet stopped, by pid: reaped on stop and
# killed at interpreter exit so that a crashed test run leaves no JVM behind.
_PROCESSES: dict[int, subprocess.Popen[bytes]] = {}


class BoltServerError(RuntimeError):
    """The ArcadeDB server could not be found, started or stopped."""


class StartupFailedError(BoltServerError):
    """ArcadeDB logged that it could not start (for instance: a port was taken)."""


@dataclass(frozen=True)
class BoltServer:
    """Where a Bolt server listens and how to log in.

    ``pid``, ``log_path``, ``data_dir`` and the ports are ``None`` for a server this
    module did not start (one given through the environment, see ``bolt_fixtures``).
    """

    uri: str
    user: str
    password: str
    database: str
    pid: int | None = None
    log_path: Path | None = None
    data_dir: Path | None = None
    bolt_port: int | None = None
    http_port: int | None = None

    @property
    def auth(self) -> tuple[str, str]:
        return (self.user, self.password)

    @property
    def managed(self) -> bool:
        """True when this module started the server and so may stop or restart it."""
        return self.pid is not None

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        return _tail(self.log_path, lines) if self.log_path else ""


@dataclass(frozen=True)
class ArcadeDBInstallation:
    """The Java runtime and jars shipped inside the ``arcadedb-embedded`` package."""

    package_dir: Path
    java: Path
    jars: tuple[Path, ...]

    @property
    def class_path(self) -> str:
        return os.pathsep.join(str(jar) for jar in self.jars)


def find_arcadedb() -> ArcadeDBInstallation:
    """Locate the installed ``arcadedb-embedded`` package without importing it."""
    spec = importlib.util.find_spec("arcadedb_embedded")
    if spec is None or spec.origin is None:
        raise BoltServerError(
            "arcadedb-embedded is not installed: run `pip install arcadedb-embedded`"
        )
    package_dir = Path(spec.origin).parent
    java = package_dir / "jre" / "bin" / ("java.exe" if sys.platform == "win32" else "java")
    jars = tuple(sorted((package_dir / "jars").glob("*.jar")))
    if not java.is_file():
        raise BoltServerError(f"no bundled Java runtime at {java}")
    if not any(jar.name.startswith("arcadedb-bolt-") for jar in jars):
        raise BoltServerError(f"no ArcadeDB Bolt plugin jar in {package_dir / 'jars'}")
    return ArcadeDBInstallation(package_dir=package_dir, java=java, jars=jars)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def server_command(
    installation: ArcadeDBInstallation, data_dir: Path, bolt_port: int, http_port: int
) -> list[str]:
    """The command line that runs ArcadeDB with Bolt on ``bolt_port``, files in ``data_dir``."""
    properties = {
        "arcadedb.server.rootPath": data_dir,
        "arcadedb.server.databaseDirectory": data_dir / "databases",
        "arcadedb.server.configDirectory": data_dir / "config",
        "arcadedb.server.backupDirectory": data_dir / "backups",
        "arcadedb.server.logsDirectory": data_dir / "log",
        "arcadedb.server.rootPassword": PASSWORD,
        "arcadedb.server.defaultDatabases": f"{DATABASE}[{USER}]",
        "arcadedb.server.httpIncomingHost": "127.0.0.1",
        "arcadedb.server.httpIncomingPort": http_port,
        "arcadedb.server.plugins": BOLT_PLUGIN,
        "arcadedb.bolt.host": "127.0.0.1",
        "arcadedb.bolt.port": bolt_port,
        "java.io.tmpdir": data_dir / "tmp",
    }
    return [
        str(installation.java),
        f"-Xmx{HEAP}",
        *_JVM_OPTIONS,
        *(f"-D{key}={value}" for key, value in properties.items()),
        "-cp",
        installation.class_path,
        MAIN_CLASS,
    ]


def start_bolt_server(
    tmp_dir: Path, *, timeout: float = START_TIMEOUT, attempts: int = 3
) -> BoltServer:
    """Start ArcadeDB with its files under ``tmp_dir`` and wait until Bolt answers.

    The ports are picked free but may be taken before the server binds them: a start
    that fails that way is tried again on other ports, up to ``attempts`` times.
    """
    data_dir = Path(tmp_dir).resolve()
    for attempt in range(1, attempts + 1):
        try:
            return _launch(data_dir, free_port(), free_port(), timeout)
        except StartupFailedError:
            if attempt == attempts:
                raise
    raise BoltServerError("attempts must be at least 1")


def restart_bolt_server(server: BoltServer, *, timeout: float = START_TIMEOUT) -> BoltServer:
    """Stop ``server`` if it still runs, then start it again on the same files and ports."""
    if server.data_dir is None or server.bolt_port is None or server.http_port is None:
        raise BoltServerError(f"{server.uri} was not started here and cannot be restarted")
    stop_bolt_server(server)
    return _launch(server.data_dir, server.bolt_port, server.http_port, timeout)


def stop_bolt_server(server: BoltServer, *, timeout: float = STOP_TIMEOUT) -> None:
    """Stop the server cleanly (SIGTERM), killing it if it does not exit in ``timeout``."""
    if server.pid is None:
        return
    if not _signal(server.pid, signal.SIGTERM):
        _reap(server.pid, 0)
        return
    if not _reap(server.pid, timeout):
        _signal(server.pid, signal.SIGKILL)
        _reap(server.pid, timeout)


def create_database(server: BoltServer, name: str) -> str:
    """Create an empty database `name` on `server` and return its name.

    ArcadeDB creates it through its HTTP server command; an external server is asked with
    Cypher's ``CREATE DATABASE`` (Neo4j Enterprise; Community has one database only).
    """
    if server.http_port is not None:
        request = urllib.request.Request(
            f"http://127.0.0.1:{server.http_port}/api/v1/server",
            data=json.dumps({"command": f"create database {name}"}).encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": "Basic "
                + base64.b64encode(f"{server.user}:{server.password}".encode()).decode(),
            },
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            answer = json.load(response)
        if answer.get("result") != "ok":
            raise BoltServerError(f"could not create database {name}: {answer}")
        return name
    with neo4j.GraphDatabase.driver(server.uri, auth=server.auth) as driver:
        driver.execute_query(f"CREATE DATABASE {name} IF NOT EXISTS WAIT", database_="system")
    return name


def kill_bolt_server(server: BoltServer) -> None:
    """End the server abruptly (SIGKILL), as a crash would."""
    if server.pid is None:
        raise BoltServerError(f"{server.uri} was not started here and cannot be killed")
    _signal(server.pid, signal.SIGKILL)
    _reap(server.pid, STOP_TIMEOUT)


def wait_until_ready(server: BoltServer, deadline: float, log_offset: int = 0) -> None:
    """Wait until the server has started, Bolt accepts connections and a query succeeds.

    For a server started here, its log (from ``log_offset`` on) must also say that
    start-up completed: a server whose Bolt port was taken logs the failure but keeps
    running, while the port answers for whatever else holds it.
    """
    last_error: BaseException | str | None = None
    while time.monotonic() < deadline:
        if server.pid is not None and not _alive(server.pid):
            raise BoltServerError(
                f"ArcadeDB exited during start-up\n--- {server.log_path} ---\n{server.log_tail()}"
            )
        log = _read_from(server.log_path, log_offset) if server.log_path else STARTED_MARKER
        if any(marker in log for marker in FAILURE_MARKERS):
            raise StartupFailedError(
                f"ArcadeDB failed to start\n--- {server.log_path} ---\n{server.log_tail()}"
            )
        if STARTED_MARKER not in log:
            last_error = "start-up not complete in the log"
        elif _port_open(server.uri):
            try:
                _check_bolt(server)
                return
            except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError, OSError) as exc:
                last_error = exc
        time.sleep(0.2)
    raise BoltServerError(
        f"ArcadeDB did not answer on {server.uri} in time (last error: {last_error!r})\n"
        f"--- {server.log_path} ---\n{server.log_tail()}"
    )


def _launch(data_dir: Path, bolt_port: int, http_port: int, timeout: float) -> BoltServer:
    installation = find_arcadedb()
    (data_dir / "tmp").mkdir(parents=True, exist_ok=True)
    log_path = data_dir / LOG_NAME
    command = server_command(installation, data_dir, bolt_port, http_port)
    with log_path.open("ab") as log:
        log.write(f"\n=== starting: {' '.join(command)}\n".encode())
        log.flush()
        log_offset = log.tell()
        process = subprocess.Popen(
            command,
            cwd=data_dir,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _PROCESSES[process.pid] = process
    server = BoltServer(
        uri=f"bolt://127.0.0.1:{bolt_port}",
        user=USER,
        password=PASSWORD,
        database=DATABASE,
        pid=process.pid,
        log_path=log_path,
        data_dir=data_dir,
        bolt_port=bolt_port,
        http_port=http_port,
    )
    try:
        wait_until_ready(server, time.monotonic() + timeout, log_offset)
    except BaseException:
        kill_bolt_server(server)
        raise
    return server


def _check_bolt(server: BoltServer) -> None:
    with neo4j.GraphDatabase.driver(
        server.uri, auth=server.auth, connection_timeout=5.0, max_transaction_retry_time=0.0
    ) as driver:
        driver.verify_connectivity()
        # The default database is created after the Bolt listener is up: wait for it too.
        driver.execute_query("RETURN 1 AS ready", database_=server.database)


def _port_open(uri: str) -> bool:
    host, _, port = uri.rpartition("//")[2].rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=1.0):
            return True
    except OSError:
        return False


def _signal(pid: int, signum: signal.Signals) -> bool:
    """Send ``signum`` to ``pid``; False if the process is already gone."""
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        return False
    return True


def _alive(pid: int) -> bool:
    process = _PROCESSES.get(pid)
    if process is not None:
        return process.poll() is None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _reap(pid: int, timeout: float) -> bool:
    """Wait up to ``timeout`` seconds for ``pid`` to exit; True once it has."""
    process = _PROCESSES.get(pid)
    if process is not None:
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        del _PROCESSES[pid]
        return True
    deadline = time.monotonic() + timeout
    while _alive(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)
    return True


def _read_from(path: Path, offset: int) -> str:
    try:
        with path.open("rb") as log:
            log.seek(offset)
            return log.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


def _tail(path: Path, lines: int) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return f"(log unreadable: {exc})"
    return "\n".join(text.splitlines()[-lines:])


@atexit.register
def _kill_leftovers() -> None:
    for pid in list(_PROCESSES):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        _reap(pid, 5.0)
