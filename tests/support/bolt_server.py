"""Run Neo4j 5.26 Community as the Bolt server the Neo4j store is tested on.

``scripts/setup-dev`` puts Neo4j's jars (from Maven Central, see ``neo4j/pom.xml``) in
``.cache/neo4j/lib`` and compiles ``neo4j/Neo4jLauncher.java``, which runs an embedded DBMS with
its Bolt server. This module starts that launcher as a separate Java process, Bolt bound to
127.0.0.1 only, with every file it writes (databases, transaction logs, configuration, logs)
inside a directory the caller owns, and a password of its own.

Typical use::

    server = start_bolt_server(tmp_dir)
    try:
        ...  # connect with neo4j.AsyncGraphDatabase.driver(server.uri, auth=server.auth)
    finally:
        stop_bolt_server(server)

``start_bolt_server(tmp_dir, gds=True)`` starts one with Graph Data Science loaded (its jars from
``.cache/neo4j/gds``, its procedures unrestricted), for the tests that compare the analytics
with it. ``restart_bolt_server`` starts it again on the same directory and port, so data written before
survives; ``kill_bolt_server`` ends it abruptly for fault tests. Community Edition has a single
user database, ``neo4j``: tests share it and ``wipe_database`` empties it between them.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import neo4j
import neo4j.exceptions

DATABASE = "neo4j"
USER = "neo4j"
PASSWORD = "stakenet-test-password"
# The password a new DBMS gives its first user, which must be changed before anything else.
INITIAL_PASSWORD = "neo4j"
HEAP = "1g"
PAGE_CACHE = "128m"
START_TIMEOUT = 90.0
STOP_TIMEOUT = 30.0
LOG_NAME = "neo4j-test-server.log"
LOG_TAIL_LINES = 60
READY_MARKER = "READY"
# Rows deleted per inner transaction when emptying the database: bounds the memory a wipe of
# a large graph (the import tests write tens of thousands of nodes) takes on the server.
WIPE_BATCH_ROWS = 10_000

REPO_ROOT = Path(__file__).resolve().parents[2]
CACHE_DIR = REPO_ROOT / ".cache" / "neo4j"
# Where scripts/setup-dev puts Graph Data Science: its jars in lib/, its procedure jars in
# procedures/, the directory Neo4j scans for procedures.
GDS_DIR_NAME = "gds"
MAIN_CLASS = "Neo4jLauncher"

# From the JVM options of Neo4j's own neo4j.conf: Netty and the page cache reach into the JDK.
_JVM_OPTIONS = (
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-XX:+UseParallelGC",
    "-Djava.awt.headless=true",
    "-Dfile.encoding=UTF-8",
)

# Servers started by this process and not yet stopped, by pid: reaped on stop and
# killed at interpreter exit so that a crashed test run leaves no JVM behind.
_PROCESSES: dict[int, subprocess.Popen[bytes]] = {}


class BoltServerError(RuntimeError):
    """The Neo4j test server could not be found, started or stopped."""


class StartupFailedError(BoltServerError):
    """Neo4j exited during start-up (for instance: its port was taken)."""


@dataclass(frozen=True)
class BoltServer:
    """Where a Bolt server listens and how to log in.

    ``pid``, ``log_path``, ``home`` and ``bolt_port`` are ``None`` for a server this module did
    not start (one given through the environment, see ``bolt_fixtures``).
    """

    uri: str
    user: str
    password: str
    database: str
    pid: int | None = None
    log_path: Path | None = None
    home: Path | None = None
    bolt_port: int | None = None
    gds: bool = False
    heap: str = HEAP
    page_cache: str = PAGE_CACHE

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
class Neo4jInstallation:
    """A Java runtime, Neo4j's jars and the compiled launcher, as ``scripts/setup-dev`` left them."""

    java: Path
    class_path: str
    # The directory of Graph Data Science's procedure jars, when it is on the class path.
    procedures: Path | None = None


def find_neo4j(cache_dir: Path = CACHE_DIR, *, gds: bool = False) -> Neo4jInstallation:
    """Locate Java and the Neo4j class path that ``scripts/setup-dev`` prepared, with Graph
    Data Science on it if ``gds``."""
    java = shutil.which("java")
    if java is None:
        raise BoltServerError("no `java` on PATH: Neo4j 5.26 needs Java 17 or 21")
    lib, classes = cache_dir / "lib", cache_dir / "classes"
    if not any(lib.glob("neo4j-5.26.*.jar")) or not (classes / f"{MAIN_CLASS}.class").is_file():
        raise BoltServerError(
            f"Neo4j is not in {cache_dir}: run ./scripts/setup-dev to fetch and prepare it"
        )
    class_path = [str(classes), str(lib / "*")]
    procedures = None
    if gds:
        gds_dir = cache_dir / GDS_DIR_NAME
        procedures = gds_dir / "procedures"
        if not any(procedures.glob("proc-*.jar")):
            raise BoltServerError(
                f"Graph Data Science is not in {gds_dir}: run ./scripts/setup-dev to fetch it"
            )
        class_path += [str(gds_dir / "lib" / "*"), str(procedures / "*")]
    return Neo4jInstallation(
        java=Path(java), class_path=os.pathsep.join(class_path), procedures=procedures
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def server_config(
    home: Path, bolt_port: int, procedures: Path | None = None, page_cache: str = PAGE_CACHE
) -> dict[str, str]:
    """Neo4j's settings: Bolt on loopback only, authentication on, memory kept modest; with
    ``procedures``, the Graph Data Science procedures found there, which need full access."""
    address = f"127.0.0.1:{bolt_port}"
    if procedures is not None:
        extensions = {
            "server.directories.plugins": str(procedures),
            "dbms.security.procedures.unrestricted": "gds.*",
        }
    else:
        extensions = {}
    return {
        **extensions,
        "server.bolt.enabled": "true",
        "server.bolt.listen_address": address,
        "server.bolt.advertised_address": address,
        "server.bolt.tls_level": "DISABLED",
        "dbms.security.auth_enabled": "true",
        "server.memory.pagecache.size": page_cache,
        # The 256 MB each database's transaction log would reserve on disk buys a test nothing.
        "db.tx_log.preallocate": "false",
        "dbms.usage_report.enabled": "false",
        # A stop waits this long for running transactions; the suite's have all ended by then.
        "db.shutdown_transaction_end_timeout": "1s",
        # Seconds; left at their defaults, Bolt's two connectors take 5 s each to close, idle or not.
        "internal.dbms.bolt.netty_server_shutdown_quiet_period": "0",
        "internal.dbms.bolt.netty_server_shutdown_timeout": "2",
        "server.directories.logs": str(home / "logs"),
    }


def server_command(
    installation: Neo4jInstallation, home: Path, config_file: Path, heap: str = HEAP
) -> list[str]:
    """The command line that runs Neo4j with its files in ``home``."""
    return [
        str(installation.java),
        f"-Xmx{heap}",
        *_JVM_OPTIONS,
        f"-Djava.io.tmpdir={home / 'tmp'}",
        "-cp",
        installation.class_path,
        MAIN_CLASS,
        str(home),
        str(config_file),
    ]


def start_bolt_server(
    tmp_dir: Path,
    *,
    timeout: float = START_TIMEOUT,
    attempts: int = 3,
    gds: bool = False,
    heap: str = HEAP,
    page_cache: str = PAGE_CACHE,
) -> BoltServer:
    """Start Neo4j with its files under ``tmp_dir`` and wait until Bolt answers; with Graph
    Data Science if ``gds``.

    The port is picked free but may be taken before the server binds it: a start that fails
    that way is tried again on another port, up to ``attempts`` times. ``heap`` and
    ``page_cache`` (JVM sizes such as ``"1g"``) are the tests' modest defaults; the benchmarks
    give a large import more (a transaction's changes are held in the heap until commit).
    """
    home = Path(tmp_dir).resolve()
    for attempt in range(1, attempts + 1):
        try:
            server = _launch(home, free_port(), timeout, gds, heap, page_cache)
        except StartupFailedError:
            if attempt == attempts:
                raise
        else:
            _set_password(server)
            return server
    raise BoltServerError("attempts must be at least 1")


def restart_bolt_server(server: BoltServer, *, timeout: float = START_TIMEOUT) -> BoltServer:
    """Stop ``server`` if it still runs, then start it again on the same files and port."""
    if server.home is None or server.bolt_port is None:
        raise BoltServerError(f"{server.uri} was not started here and cannot be restarted")
    stop_bolt_server(server)
    return _launch(
        server.home, server.bolt_port, timeout, server.gds, server.heap, server.page_cache
    )


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


def kill_bolt_server(server: BoltServer) -> None:
    """End the server abruptly (SIGKILL), as a crash would."""
    if server.pid is None:
        raise BoltServerError(f"{server.uri} was not started here and cannot be killed")
    _signal(server.pid, signal.SIGKILL)
    _reap(server.pid, STOP_TIMEOUT)


def wipe_database(server: BoltServer) -> None:
    """Delete every node and relationship of the server's database; constraints and indexes stay.

    Community Edition has one user database, so tests share it and start from an empty one.
    """
    with (
        # Newer servers call CALL { WITH n … } deprecated, in favour of syntax older 5.x lack.
        neo4j.GraphDatabase.driver(
            server.uri, auth=server.auth, notifications_min_severity="OFF"
        ) as driver,
        driver.session(database=server.database) as session,
    ):
        # CALL … IN TRANSACTIONS needs an auto-commit transaction: session.run, not a managed one.
        session.run(
            f"MATCH (n) CALL {{ WITH n DETACH DELETE n }} IN TRANSACTIONS OF {WIPE_BATCH_ROWS} ROWS"
        ).consume()


def wait_until_ready(server: BoltServer, deadline: float, log_offset: int = 0) -> None:
    """Wait until the launcher reports the DBMS up and a Bolt login succeeds.

    For a server started here, its output (from ``log_offset`` on) must say READY first: until
    then the port may answer for whatever else holds it.
    """
    last_error: BaseException | str | None = None
    while time.monotonic() < deadline:
        if server.pid is not None and not _alive(server.pid):
            raise StartupFailedError(
                f"Neo4j exited during start-up\n--- {server.log_path} ---\n{server.log_tail()}"
            )
        log = _read_from(server.log_path, log_offset) if server.log_path else READY_MARKER
        if READY_MARKER not in log:
            last_error = "start-up not complete in the log"
        elif _port_open(server.uri):
            try:
                _check_bolt(server)
                return
            except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError, OSError) as exc:
                last_error = exc
        time.sleep(0.2)
    raise BoltServerError(
        f"Neo4j did not answer on {server.uri} in time (last error: {last_error!r})\n"
        f"--- {server.log_path} ---\n{server.log_tail()}"
    )


def _launch(
    home: Path,
    bolt_port: int,
    timeout: float,
    gds: bool,
    heap: str = HEAP,
    page_cache: str = PAGE_CACHE,
) -> BoltServer:
    installation = find_neo4j(gds=gds)
    (home / "tmp").mkdir(parents=True, exist_ok=True)
    config_file = home / "neo4j.conf"
    config = server_config(home, bolt_port, installation.procedures, page_cache)
    config_file.write_text("".join(f"{key}={value}\n" for key, value in config.items()))
    first_start = not (home / "data").exists()
    log_path = home / LOG_NAME
    command = server_command(installation, home, config_file, heap)
    with log_path.open("ab") as log:
        log.write(f"\n=== starting: {' '.join(command)}\n".encode())
        log.flush()
        log_offset = log.tell()
        process = subprocess.Popen(
            command,
            cwd=home,
            # Never written to: the server ends when this process does, however it ends.
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _PROCESSES[process.pid] = process
    server = BoltServer(
        uri=f"bolt://127.0.0.1:{bolt_port}",
        user=USER,
        # A new DBMS knows its first user by the initial password until start_bolt_server
        # changes it.
        password=INITIAL_PASSWORD if first_start else PASSWORD,
        database=DATABASE,
        pid=process.pid,
        log_path=log_path,
        home=home,
        bolt_port=bolt_port,
        gds=gds,
        heap=heap,
        page_cache=page_cache,
    )
    try:
        wait_until_ready(server, time.monotonic() + timeout, log_offset)
    except BaseException:
        kill_bolt_server(server)
        raise
    return BoltServer(**{**server.__dict__, "password": PASSWORD})


def _set_password(server: BoltServer) -> None:
    """Replace a new DBMS's initial password, which allows nothing until it is changed."""
    with neo4j.GraphDatabase.driver(server.uri, auth=(USER, INITIAL_PASSWORD)) as driver:
        driver.execute_query(
            "ALTER CURRENT USER SET PASSWORD FROM $old TO $new",
            old=INITIAL_PASSWORD,
            new=PASSWORD,
            database_="system",
        )


def _check_bolt(server: BoltServer) -> None:
    with neo4j.GraphDatabase.driver(
        server.uri, auth=server.auth, connection_timeout=5.0, max_transaction_retry_time=0.0
    ) as driver:
        driver.verify_connectivity()


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
        if process.stdin is not None:
            process.stdin.close()
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
