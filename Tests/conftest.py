"""Makes the shared Python test helpers in Tests/pysupport importable by every test folder."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "pysupport"))


# --- PostgreSQL (Tests/pysupport/postgres_support.py) ------------------------------------------
# postgres_server: the suite-wide server scripts/test.sh exports (ATTENDIFY_TEST_POSTGRES_URL and
#   ATTENDIFY_TEST_POSTGRES_PASSWORD), else a private one for this pytest session; skipped when
#   PostgreSQL is not installed, except with CI=true, where that fails.
# postgres_db: a fresh database on it for one test (.url, .password, .env()), dropped afterwards.
# postgres_private_server: a PostgresServer of the test's own (restart(), shutdown(), start()),
#   for tests that restart or break the server, which must never happen to the shared one.

import os as _os

import pytest as _pytest

import postgres_support as _pg


def _require_postgres() -> None:
    available = _pg.postgres_available()
    if available:
        return
    if _os.environ.get("CI") == "true":
        _pytest.fail(f"{available.reason}; CI=true, so the PostgreSQL tests must run, not be skipped")
    _pytest.skip(f"{available.reason} (with CI=true this is a failure)")


@_pytest.fixture(scope="session")
def postgres_server():
    shared = _pg.shared_server()
    if shared is not None:
        try:
            shared.psql("SELECT 1")
        except _pg.PostgresError as error:
            _pytest.fail(f"the suite-wide PostgreSQL from {_pg.ENV_URL} does not answer: {error}")
        yield shared
        return
    _require_postgres()
    server = _pg.PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()


@_pytest.fixture
def postgres_db(postgres_server):
    url = _pg.fresh_database(postgres_server.admin_url, postgres_server.password)
    try:
        yield _pg.Database(url=url, password=postgres_server.password)
    finally:
        _pg.drop_database(url, postgres_server.password)


@_pytest.fixture
def postgres_private_server():
    _require_postgres()
    server = _pg.PostgresServer().start()
    try:
        yield server
    finally:
        if server.running or server.root is not None:
            print(f"--- {server.log_path} (last lines):\n{server.log_tail()}")
        server.stop()
