"""Self-checks of the throwaway PostgreSQL the suites use (Tests/pysupport/postgres_support.py and
the fixtures in Tests/conftest.py): databases are fresh and round-trip values, a private server
restarts on the same port with its data, it listens on 127.0.0.1 only, and the password is
required. Skipped without PostgreSQL installed, except with CI=true, where that fails."""

from __future__ import annotations

import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

import postgres_support as pg


def test_fresh_database_round_trips_a_value(postgres_server, postgres_db):
    assert postgres_db.url.startswith(f"postgres://attendify@127.0.0.1:{postgres_server.port}/t_")
    assert postgres_server.password not in postgres_db.url
    assert postgres_db.env()["PGPASSWORD"] == postgres_server.password
    pg.psql(postgres_db.url, "CREATE TABLE note (id int PRIMARY KEY, body text NOT NULL)", postgres_db.password)
    value = "Café ✓ 'quoted' ümlaut"
    literal = "'" + value.replace("'", "''") + "'"
    rows = pg.psql(postgres_db.url, f"INSERT INTO note VALUES (1, {literal}), (2, ''); "
                                    "SELECT id, body, current_database(), current_user FROM note ORDER BY id",
                   postgres_db.password)
    assert rows == [["1", value, postgres_db.name, "attendify"], ["2", "", postgres_db.name, "attendify"]]
    # Fresh means fresh: another database does not have the table, and names do not repeat.
    other = pg.fresh_database(postgres_server.admin_url, postgres_server.password, prefix="other")
    try:
        assert other != postgres_db.url and pg.database_of(other).startswith("other_")
        assert pg.psql(other, "SELECT count(*) FROM pg_tables WHERE tablename = 'note'", postgres_server.password) == [["0"]]
    finally:
        pg.drop_database(other, postgres_server.password)
    listed = pg.psql(postgres_server.admin_url, "SELECT datname FROM pg_database", postgres_server.password)
    assert [pg.database_of(other)] not in listed and [postgres_db.name] in listed


def test_drop_database_ends_open_connections(postgres_server):
    url = pg.fresh_database(postgres_server.admin_url, postgres_server.password)
    # A session holding the database open (psql sleeping) does not stop DROP ... WITH (FORCE).
    holder = subprocess.Popen([pg.psql_binary(), "-X", "-w", "-c", "SELECT pg_sleep(60)", url],
                              env=postgres_server.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        pg.psql(url, "SELECT 1", postgres_server.password)  # the database is there and reachable
        query = f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{pg.database_of(url)}' AND query LIKE '%pg_sleep%'"
        for _ in range(100):
            if pg.psql(postgres_server.admin_url, query, postgres_server.password) == [["1"]]:
                break
            subprocess.run(["sleep", "0.1"])
        pg.drop_database(url, postgres_server.password)
        assert holder.wait(timeout=30) != 0
    finally:
        holder.kill()
        holder.wait()
    with pytest.raises(pg.PostgresError, match="does not exist"):
        pg.psql(url, "SELECT 1", postgres_server.password)


def test_private_server_restarts_on_the_same_port_with_its_data(postgres_private_server):
    server = postgres_private_server
    port, data = server.port, server.data
    assert server.psql("SHOW max_connections") == [[str(server.max_connections)]]
    assert server.psql("SHOW fsync") == [["on"]]  # durability is PostgreSQL's default
    assert server.psql("SHOW port") == [[str(port)]]
    url = pg.fresh_database(server.admin_url, server.password)
    pg.psql(url, "CREATE TABLE kept (n int); INSERT INTO kept SELECT generate_series(1, 1000)", server.password)
    server.restart()
    assert (server.port, server.data) == (port, data)
    assert pg.psql(url, "SELECT count(*), sum(n) FROM kept", server.password) == [["1000", "500500"]]
    # And once more with a shutdown in between, as a test that restarts under load would.
    server.shutdown()
    with pytest.raises(pg.PostgresError):
        pg.psql(url, "SELECT 1", server.password)
    server.start()
    assert pg.psql(url, "SELECT count(*) FROM kept", server.password) == [["1000"]]


def test_a_failed_start_says_why_with_the_log_tail(postgres_private_server):
    server = postgres_private_server
    server.shutdown()
    with socket.socket() as squatter:  # someone else took the port while the server was down
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", server.port))
        squatter.listen()
        with pytest.raises(pg.PostgresError) as failure:
            server.start()
    message = str(failure.value)
    assert f"did not start on 127.0.0.1:{server.port}" in message
    assert "last lines of" in message and "could not bind" in message
    assert not server.running
    server.start()  # the port is free again: same data, same port
    assert server.psql("SELECT 1") == [["1"]]


def test_stop_removes_the_folder(postgres_private_server):
    server = postgres_private_server
    root = server.root
    assert root is not None and (root / "data" / "PG_VERSION").exists() and server.log_path.exists()
    assert root.parent == Path(tempfile.gettempdir()) and root.name.startswith("attendify-postgres-")
    server.stop()
    assert not root.exists() and server.root is None and not server.running
    server.stop()  # a second stop is harmless


def _listening_addresses(port: int) -> set[str]:
    """Local addresses with a TCP socket in LISTEN state on `port`, from /proc/net/tcp{,6}."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(socket.inet_ntop(socket.AF_INET, bytes.fromhex(address)[::-1])
                          if len(address) == 8 else address)
    return found


def test_listens_on_127_0_0_1_only(postgres_server):
    assert postgres_server.host == "127.0.0.1"
    assert postgres_server.psql("SHOW listen_addresses") == [["127.0.0.1"]]
    if Path("/proc/net/tcp").exists():
        assert _listening_addresses(postgres_server.port) == {"127.0.0.1"}
    # Other loopback addresses on the same port are refused (127.0.0.2 is loopback on Linux).
    for family, address in ((socket.AF_INET, "127.0.0.2"), (socket.AF_INET6, "::1")):
        try:
            sock = socket.socket(family, socket.SOCK_STREAM)
        except OSError:
            continue  # no IPv6 here
        with sock, pytest.raises(OSError):  # refused (or, without IPv6, no such address)
            sock.settimeout(5)
            sock.connect((address, postgres_server.port))


def test_the_password_is_required(postgres_server, postgres_db):
    pg.psql(postgres_db.url, "SELECT 1", postgres_server.password)  # the right one works
    for wrong in ("wrong-" + postgres_server.password, ""):
        with pytest.raises(pg.PostgresError, match="password authentication failed|no password supplied"):
            pg.psql(postgres_db.url, "SELECT 1", wrong)
    # The password is not in the URL, and a URL with a wrong one in it fails as well.
    assert postgres_server.password not in postgres_server.admin_url
    bad_url = postgres_db.url.replace("attendify@", "attendify:nope@")
    with pytest.raises(pg.PostgresError, match="password authentication failed"):
        pg.psql(bad_url, "SELECT 1", "")
