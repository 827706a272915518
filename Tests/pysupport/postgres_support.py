"""Throwaway PostgreSQL 15 servers for the test suites (standard library only, Python 3.11).

`PostgresServer` runs initdb into a fresh folder under tempfile.gettempdir() and starts the server
with pg_ctl, on a free loopback port, listening on 127.0.0.1 only (TCP) and on a Unix socket in
its data folder. The bootstrap superuser is `attendify`, with a random password (given to initdb
with --pwfile, never on a command line) and scram-sha-256 for every connection, TCP or socket.
Durability settings are PostgreSQL's defaults (fsync and synchronous_commit on), so restart and
crash tests see the real semantics; only max_connections is raised (500: the suites run many servers at once). PostgreSQL refuses to
run as root: when this process is root, initdb, pg_ctl and the server run as the `postgres` system
user (created by Debian's postgresql packages) through `runuser`, and the folder is theirs.

Layout of a server's folder (deleted by stop()):
    attendify-postgres-XXXX/            tempfile.mkdtemp, owned by whoever runs the server
        data/                           PGDATA, also the Unix socket directory
        postgres.log                    pg_ctl -l

`psql()`, `fresh_database()` and `drop_database()` talk to any server through the psql client.
`shared_server()` reads the suite-wide server that scripts/test.sh starts with this file's command
line and exports as ATTENDIFY_TEST_POSTGRES_URL / _PASSWORD / _DATA:

    python3 postgres_support.py start --env-file FILE   # starts a detached server, writes exports
    python3 postgres_support.py stop --data DIR         # DIR = ATTENDIFY_TEST_POSTGRES_DATA

The pytest fixtures (postgres_server, postgres_db, postgres_private_server) are in Tests/conftest.py.
"""

from __future__ import annotations

import argparse
import os
import pwd
import re
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

USER = "attendify"
HOST = "127.0.0.1"
SERVICE_USER = "postgres"  # the unprivileged account the server runs as when we are root
DEFAULT_BIN_DIR = "/usr/lib/postgresql/15/bin"
FOLDER_PREFIX = "attendify-postgres-"
ENV_URL = "ATTENDIFY_TEST_POSTGRES_URL"
ENV_PASSWORD = "ATTENDIFY_TEST_POSTGRES_PASSWORD"
ENV_DATA = "ATTENDIFY_TEST_POSTGRES_DATA"
ENV_BIN_DIR = "ATTENDIFY_TEST_POSTGRES_BINDIR"  # optional override of DEFAULT_BIN_DIR
START_TIMEOUT_S = 90  # initdb plus a first start on a busy 2-core CI box
LOG_TAIL_LINES = 40


class PostgresError(RuntimeError):
    """A server that would not initialise, start or stop, or a psql command that failed."""


# ---------------------------------------------------------------------------------------------
# Finding the binaries


def bin_dir() -> Path:
    """Where initdb, pg_ctl and postgres are: $ATTENDIFY_TEST_POSTGRES_BINDIR, else Debian's
    /usr/lib/postgresql/15/bin, else the folder of an `initdb` on PATH."""
    override = os.environ.get(ENV_BIN_DIR)
    if override:
        return Path(override)
    default = Path(DEFAULT_BIN_DIR)
    if (default / "initdb").exists():
        return default
    found = shutil.which("initdb")
    return Path(found).parent if found else default


def psql_binary() -> str:
    """The psql next to the server binaries (no pg_wrapper in between), else the one on PATH."""
    beside = bin_dir() / "psql"
    if os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("psql")
    if not found:
        raise PostgresError("psql is not installed (apt-get install -y postgresql-client-15)")
    return found


def _is_root() -> bool:
    return os.geteuid() == 0


@dataclass(frozen=True)
class Availability:
    """Whether throwaway servers can run here. Truthy when they can; `ok, reason = ...` works."""

    ok: bool
    reason: str

    def __bool__(self) -> bool:
        return self.ok

    def __iter__(self):
        return iter((self.ok, self.reason))


def postgres_available() -> Availability:
    """Availability(True, "") when initdb, pg_ctl, postgres and psql are installed (and, as root,
    the `postgres` user and runuser exist); else Availability(False, why)."""
    directory = bin_dir()
    missing = [name for name in ("initdb", "pg_ctl", "postgres") if not os.access(directory / name, os.X_OK)]
    hint = "install them: scripts/setup.sh test, or apt-get install -y postgresql-15 postgresql-client-15"
    if missing:
        return Availability(False, f"PostgreSQL server binaries {', '.join(missing)} not found in {directory} ({hint})")
    if not os.access(directory / "psql", os.X_OK) and not shutil.which("psql"):
        return Availability(False, f"psql is not installed ({hint})")
    if _is_root():
        try:
            pwd.getpwnam(SERVICE_USER)
        except KeyError:
            return Availability(False, f"running as root needs the '{SERVICE_USER}' system user, which Debian's "
                                       f"postgresql-15 package creates ({hint})")
        if not shutil.which("runuser"):
            return Availability(False, "running as root needs runuser (util-linux) to drop to the postgres user")
    return Availability(True, "")


def free_port(host: str = HOST) -> int:
    """A port the kernel says is free on host right now (bind to port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError as error:
        return f"(no log at {path}: {error.strerror})"
    return "\n".join(text.splitlines()[-lines:]) or "(log is empty)"


# ---------------------------------------------------------------------------------------------
# URLs and psql


def make_url(port: int, database: str = "postgres", user: str = USER, host: str = HOST) -> str:
    """postgres://user@host:port/database, with no password in it."""
    return f"postgres://{quote(user, safe='')}@{host}:{port}/{quote(database, safe='')}"


def database_of(url: str) -> str:
    """The database name in a postgres:// URL."""
    name = unquote(urlsplit(url).path.lstrip("/"))
    if not name:
        raise ValueError(f"no database name in {url!r}")
    return name


def with_database(url: str, database: str) -> str:
    """The same URL (scheme, user, host, port, query) naming another database."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + quote(database, safe=""), parts.query, ""))


def password_env(password: str, base: dict[str, str] | None = None) -> dict[str, str]:
    """A copy of `base` (default: os.environ) with PGPASSWORD set, ready for subprocess env=.
    PGPASSFILE points nowhere, so a developer's ~/.pgpass can not stand in for the password."""
    env = dict(os.environ if base is None else base)
    env["PGPASSWORD"] = password
    env["PGPASSFILE"] = os.devnull
    env.setdefault("PGCONNECT_TIMEOUT", "10")
    return env


def psql(url: str, sql: str, password: str, timeout: float = 120) -> list[list[str]]:
    """Runs one -c command through psql (unaligned, tuples only, tab-separated, ON_ERROR_STOP) and
    returns its rows as lists of strings: the rows of every SELECT (or RETURNING) in it, in order;
    NULL comes back as "", and values must not hold tabs or newlines to split back unambiguously.
    Raises PostgresError with psql's stderr on failure. Besides `-X -A -t -F '\t' -v
    ON_ERROR_STOP=1`, -q keeps command tags ("INSERT 0 1") out of the rows and -w makes a missing
    or wrong password fail at once instead of prompting on a terminal."""
    command = [psql_binary(), "-X", "-q", "-w", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql, url]
    try:
        result = subprocess.run(command, env=password_env(password), capture_output=True, text=True,
                                encoding="utf-8", errors="replace", timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as error:
        raise PostgresError(f"psql timed out after {timeout}s on {url}: {sql[:200]}") from error
    if result.returncode != 0:
        raise PostgresError(f"psql exited with {result.returncode} on {url}: {sql[:200]}\n{result.stderr.strip()}")
    return [line.split("\t") for line in result.stdout.splitlines() if line != ""]


_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def fresh_database(admin_url: str, password: str, prefix: str = "t") -> str:
    """CREATE DATABASE <prefix>_<16 hex digits> on admin_url's server; returns its URL (same user,
    host and port)."""
    if not _NAME.match(prefix) or len(prefix) > 40:
        raise ValueError(f"database prefix {prefix!r} must be lower-case letters, digits and _ (max 40)")
    name = f"{prefix}_{secrets.token_hex(8)}"
    psql(admin_url, f'CREATE DATABASE "{name}"', password)
    return with_database(admin_url, name)


def drop_database(url: str, password: str) -> None:
    """DROP DATABASE ... WITH (FORCE) for the database url names (connections to it are ended),
    connected to the same server's `postgres` database. Missing databases are fine."""
    name = database_of(url)
    if name in ("postgres", "template0", "template1"):
        raise ValueError(f"refusing to drop the system database {name!r}")
    psql(with_database(url, "postgres"), f'DROP DATABASE IF EXISTS "{name.replace(chr(34), chr(34) * 2)}" WITH (FORCE)',
         password)


# ---------------------------------------------------------------------------------------------
# Connection info shared by a private server, the suite-wide one, and a test's database


@dataclass(frozen=True)
class ServerInfo:
    """A running server as the tests see it: where to connect as the superuser and with what."""

    admin_url: str
    password: str
    data: Path | None = None

    @property
    def port(self) -> int:
        return urlsplit(self.admin_url).port or 5432

    @property
    def host(self) -> str:
        return urlsplit(self.admin_url).hostname or HOST

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        return password_env(self.password, base)

    def psql(self, sql: str, database: str = "postgres") -> list[list[str]]:
        return psql(with_database(self.admin_url, database), sql, self.password)


@dataclass(frozen=True)
class Database:
    """One test's database: `url` (no password in it), `password`, `env()` with PGPASSWORD."""

    url: str
    password: str

    @property
    def name(self) -> str:
        return database_of(self.url)

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        return password_env(self.password, base)

    def psql(self, sql: str) -> list[list[str]]:
        return psql(self.url, sql, self.password)


def shared_server() -> ServerInfo | None:
    """The suite-wide server scripts/test.sh started, from ATTENDIFY_TEST_POSTGRES_URL and
    ATTENDIFY_TEST_POSTGRES_PASSWORD (and _DATA when set); None when those are not set."""
    url = os.environ.get(ENV_URL)
    password = os.environ.get(ENV_PASSWORD)
    if not url or password is None:
        return None
    return ServerInfo(admin_url=url, password=password, data=Path(os.environ[ENV_DATA]) if os.environ.get(ENV_DATA) else None)


# ---------------------------------------------------------------------------------------------
# A private server


def _owner_of(path: Path) -> str:
    return pwd.getpwuid(path.stat().st_uid).pw_name


def _run_as(user: str | None, command: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess:
    """Runs command as `user` via runuser when we are root and user is another account, else as
    ourselves. Output is captured; stdin is /dev/null."""
    if user and _is_root() and user != "root":
        command = ["runuser", "-u", user, "--", *command]
    # LC_ALL=C keeps messages English for the error texts and initdb off the caller's locale.
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    env.pop("PGDATA", None)
    try:
        return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, errors="replace",
                              timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as error:
        raise PostgresError(f"{' '.join(command[:6])} ... timed out after {timeout}s") from error


class PostgresServer:
    """A throwaway PostgreSQL server: start() (initdb the first time), restart() on the same port
    and data, stop() (fast shutdown, then the folder is deleted). Also a context manager."""

    def __init__(self, max_connections: int = 500, start_timeout: float = START_TIMEOUT_S):
        self.max_connections = max_connections
        self.start_timeout = start_timeout
        self.password = secrets.token_urlsafe(24)
        self.root: Path | None = None  # the temp folder; None before start and after stop
        self.port: int | None = None
        self._running = False
        self._run_user = SERVICE_USER if _is_root() else None

    # --- paths and connection info

    @property
    def data(self) -> Path:
        if self.root is None:
            raise PostgresError("the server has not been started")
        return self.root / "data"

    @property
    def log_path(self) -> Path:
        if self.root is None:
            raise PostgresError("the server has not been started")
        return self.root / "postgres.log"

    @property
    def admin_url(self) -> str:
        if self.port is None:
            raise PostgresError("the server has not been started")
        return make_url(self.port)

    @property
    def host(self) -> str:
        return HOST

    @property
    def running(self) -> bool:
        return self._running

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        return password_env(self.password, base)

    def info(self) -> ServerInfo:
        return ServerInfo(admin_url=self.admin_url, password=self.password, data=self.data)

    def psql(self, sql: str, database: str = "postgres") -> list[list[str]]:
        return psql(make_url(self.port, database), sql, self.password)

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        return _tail(self.log_path, lines) if self.root else "(no server folder)"

    # --- lifecycle

    def start(self) -> "PostgresServer":
        """initdb into a fresh folder (first call only) and start; on a later call (after
        restart()'s shutdown) starts the same data on the same port."""
        if self._running:
            return self
        if self.root is None:
            self._initdb()
            # A port that was free when picked may be taken before the server binds it: retry.
            for attempt in range(5):
                self.port = free_port()
                self._write_port()
                try:
                    self._pg_ctl_start()
                    break
                except PostgresError as error:
                    if attempt == 4 or "could not bind" not in str(error) and "in use" not in str(error):
                        self._remove_folder()
                        raise
        else:
            self._pg_ctl_start()
        return self

    def restart(self) -> "PostgresServer":
        """Fast shutdown, then start again on the same port with the same data."""
        self._pg_ctl_stop()
        self._pg_ctl_start()
        return self

    def shutdown(self) -> None:
        """Fast shutdown, keeping the folder (start() brings it back). restart() = shutdown+start."""
        self._pg_ctl_stop()

    def stop(self) -> None:
        """Fast shutdown and delete the folder. Safe to call twice or on a server never started."""
        try:
            if self._running:
                self._pg_ctl_stop()
        finally:
            self._remove_folder()

    cleanup = stop

    def __enter__(self) -> "PostgresServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- the steps

    def _initdb(self) -> None:
        available = postgres_available()
        if not available:
            raise PostgresError(available.reason)
        self.root = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX, dir=tempfile.gettempdir()))
        try:
            pwfile = self.root / "pwfile"
            pwfile.write_text(self.password + "\n")
            pwfile.chmod(0o600)
            if self._run_user:
                account = pwd.getpwnam(self._run_user)
                for path in (self.root, pwfile):
                    os.chown(path, account.pw_uid, account.pw_gid)
                probe = _run_as(self._run_user, ["test", "-w", str(self.root)], cwd=Path("/"), timeout=30)
                if probe.returncode != 0:
                    raise PostgresError(
                        f"the '{self._run_user}' user can not reach {self.root} (a parent folder is closed to "
                        f"other users?); set TMPDIR to a folder it can enter, e.g. /tmp")
            result = _run_as(self._run_user, [
                str(bin_dir() / "initdb"), "-D", str(self.data), "-U", USER, f"--pwfile={pwfile}",
                "--auth-host=scram-sha-256", "--auth-local=scram-sha-256", "--encoding=UTF8", "--no-locale",
                "--no-instructions",
            ], cwd=self.root, timeout=self.start_timeout)
            pwfile.unlink(missing_ok=True)
            if result.returncode != 0:
                raise PostgresError(f"initdb failed ({result.returncode}):\n{result.stdout}\n{result.stderr}".rstrip())
        except BaseException:
            self._remove_folder()
            raise

    def _write_port(self) -> None:
        # Appended to postgresql.conf (later lines win), so restarts keep them. The file belongs to
        # the server's user; root may write it without changing that.
        settings = {
            "listen_addresses": f"'{HOST}'",
            "port": str(self.port),
            "unix_socket_directories": "'" + str(self.data).replace("'", "''") + "'",
            "max_connections": str(self.max_connections),
        }
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write("\n# attendify test server (Tests/pysupport/postgres_support.py)\n")
            for key, value in settings.items():
                conf.write(f"{key} = {value}\n")

    def _pg_ctl_start(self) -> None:
        result = _run_as(self._run_user, [
            str(bin_dir() / "pg_ctl"), "-D", str(self.data), "-l", str(self.log_path), "-w",
            "-t", str(int(self.start_timeout)), "start",
        ], cwd=self.root, timeout=self.start_timeout + 30)
        if result.returncode != 0:
            raise PostgresError(
                f"PostgreSQL did not start on {HOST}:{self.port} (pg_ctl exited with {result.returncode}):\n"
                f"{(result.stdout + result.stderr).strip()}\n--- last lines of {self.log_path}:\n{self.log_tail()}")
        self._running = True

    def _pg_ctl_stop(self) -> None:
        if self.root is None:
            raise PostgresError("the server has not been started")
        stop_data(self.data, run_user=self._run_user)
        self._running = False

    def _remove_folder(self) -> None:
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None
            self._running = False


def stop_data(data: Path, run_user: str | None = None, timeout: float = 120) -> None:
    """pg_ctl stop -m fast on a data folder (nothing to do when no server runs there)."""
    if not (data / "postmaster.pid").exists():
        return
    if run_user is None and _is_root():
        run_user = _owner_of(data)
    result = _run_as(run_user, [str(bin_dir() / "pg_ctl"), "-D", str(data), "-m", "fast", "-w",
                                "-t", str(int(timeout)), "stop"], cwd=data.parent, timeout=timeout + 30)
    if result.returncode != 0 and (data / "postmaster.pid").exists():
        raise PostgresError(f"pg_ctl stop failed ({result.returncode}) for {data}:\n{(result.stdout + result.stderr).strip()}")


# ---------------------------------------------------------------------------------------------
# Command line for scripts/test.sh


def _cli_start(env_file: Path) -> int:
    server = PostgresServer()
    server.start()  # pg_ctl daemonizes the server; nothing here stops it when this script exits
    try:
        server.psql("SELECT 1")
        lines = [f"export {ENV_URL}={shlex.quote(server.admin_url)}",
                 f"export {ENV_PASSWORD}={shlex.quote(server.password)}",
                 f"export {ENV_DATA}={shlex.quote(str(server.data))}"]
        fd = os.open(env_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds the password
        with os.fdopen(fd, "w") as out:
            out.write("\n".join(lines) + "\n")
    except BaseException:
        server.stop()
        raise
    print(f"postgres: PostgreSQL {server.psql('SHOW server_version')[0][0]} ready at {server.admin_url} "
          f"(data {server.data})")
    return 0


def _cli_stop(data: Path) -> int:
    data = data.resolve()
    if not data.exists():
        print(f"postgres: {data} is already gone")
        return 0
    if not (data / "PG_VERSION").exists():
        print(f"postgres: {data} is not a PostgreSQL data folder; not touching it", file=sys.stderr)
        return 1
    stop_data(data)
    # Delete the whole attendify-postgres-* folder this data lives in, or just the data folder.
    target = data.parent if data.parent.name.startswith(FOLDER_PREFIX) else data
    shutil.rmtree(target, ignore_errors=True)
    print(f"postgres: stopped and removed {target}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Throwaway PostgreSQL servers for the Attendify test suites.")
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("start", help="start a detached server and write shell exports to FILE")
    start.add_argument("--env-file", required=True, type=Path)
    stop = commands.add_parser("stop", help="stop the server whose data folder is DIR and delete its folder")
    stop.add_argument("--data", required=True, type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "start":
            return _cli_start(args.env_file)
        return _cli_stop(args.data)
    except PostgresError as error:
        print(f"postgres: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
