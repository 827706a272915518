"""Starting a real `attendify serve` for the Python tests: one place for the flags, the clean
environment, waiting for readiness and stopping it."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import time
from pathlib import Path
from typing import Iterator

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = os.environ.get("ATTENDIFY_BIN", str(REPO / ".build/debug/attendify"))
READY = re.compile(r"attendify serve is ready on http://127\.0\.0\.1:(\d+)")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_serve(work: Path, *extra: str, ready_timeout: float = 120, db: str | None = None,
                  db_env: dict[str, str] | None = None) -> Iterator[tuple[str, Path]]:
    """Runs `attendify serve` over a fresh database and out/ in `work` with every rate limit off;
    yields (base URL, log path) once it logs that it is ready, and stops it afterwards. `db` is
    another --db (a postgres:// URL) and `db_env` what it needs (PGPASSWORD)."""
    if not Path(BIN).exists():
        pytest.fail(f"{BIN} does not exist: run `swift build` first (or set ATTENDIFY_BIN)")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = work / "serve.log"
    # The product falls back to ATTENDIFY_* variables; none of the caller's may leak in.
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATTENDIFY_")}
    env.update(db_env or {})
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [
                BIN, "serve", "--db", db or str(work / "db.sqlite"), "--out", str(work / "out"),
                "--templates", str(REPO / "Templates"), "--host", "127.0.0.1", "--port", str(port),
                "--public-url", base, "--rate-limits", "off", *extra,
            ],
            stdout=log, stderr=subprocess.STDOUT, env=env, cwd=work,
        )
        try:
            deadline = time.monotonic() + ready_timeout
            while not READY.search(log_path.read_text(errors="replace")):
                if process.poll() is not None:
                    pytest.fail(f"attendify serve exited with {process.returncode}:\n{log_path.read_text()}")
                if time.monotonic() > deadline:
                    pytest.fail(f"attendify serve did not get ready:\n{log_path.read_text()}")
                time.sleep(0.1)
            yield base, log_path
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def database_for(backend: str, request) -> tuple[str | None, dict[str, str]]:
    """(--db, extra env) for a test parametrized over "sqlite" / "postgres": None keeps the
    default SQLite file; "postgres" makes a fresh database on the suite's PostgreSQL (which, with
    CI=true, must exist)."""
    if backend == "sqlite":
        return None, {}
    import postgres_support

    server = request.getfixturevalue("postgres_server")
    url = postgres_support.fresh_database(server.admin_url, server.password)
    return url, {"PGPASSWORD": server.password}
