"""Shared helpers of the fault-injection suite (Tests/faults): starting real `attendify` processes,
plain-stdlib HTTP over 127.0.0.1, polling with deadlines, out/ tree snapshots, SQLite lock holders,
tmpfs mounts and disk fillers.

Nothing here sleeps a fixed time to wait for asynchronous work: `eventually` polls a predicate until
a deadline. Every process started here is stopped by the context manager that started it.
"""

from __future__ import annotations

import contextlib
import gzip
import http.client
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import pytest

REPO = Path(__file__).resolve().parents[2]
# Resolved once against the caller's working directory: processes are started in their test folder.
BIN = str(Path(os.environ.get("ATTENDIFY_BIN", str(REPO / ".build/debug/attendify"))).absolute())
TEMPLATES = REPO / "Templates"
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) FaultTest"
PASSWORD = "correct horse battery staple"
# The contract's crash leftovers: `.tmp-*` files, `*.deleted-*` folders, `.bak-*` files.
LEFTOVER = re.compile(r"(^\.tmp-|\.deleted-|^\.bak-)")
PROBLEM_JSON = "application/problem+json"


# --------------------------------------------------------------------------------------------
# Environment
# --------------------------------------------------------------------------------------------


def clean_env() -> dict[str, str]:
    """The caller's environment without ATTENDIFY_* fallbacks, which could change what is tested."""
    return {k: v for k, v in os.environ.items() if not k.startswith("ATTENDIFY_")}


def require_binary() -> None:
    if not (os.path.isfile(BIN) and os.access(BIN, os.X_OK)):
        pytest.fail(f"no attendify executable at {BIN} (set ATTENDIFY_BIN or run `swift build`)")


def require_root(what: str) -> None:
    """Mount tests need root: skip with a reason, except on CI (CI=true), where they must fail."""
    if os.geteuid() == 0:
        return
    message = f"{what} needs root (mount -t tmpfs); running as uid {os.geteuid()}"
    if os.environ.get("CI") == "true":
        pytest.fail(message + " and CI=true, so this is a failure, not a skip")
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def eventually(predicate: Callable[[], Any], timeout: float, interval: float = 0.05,
               message: str | Callable[[], str] = "condition not met") -> Any:
    """Polls `predicate` until it returns a truthy value (which is returned) or `timeout` seconds
    pass, then fails with `message` (a string or a callable producing one, for fresh figures).
    Exceptions from the predicate count as "not yet" and the last one is reported."""
    deadline = time.monotonic() + timeout
    last_error: Optional[BaseException] = None
    polls = 0
    while True:
        polls += 1
        try:
            value = predicate()
            if value:
                return value
            last_error = None
        except Exception as error:  # noqa: BLE001 - reported below
            last_error = error
        if time.monotonic() >= deadline or polls > 1_000_000:
            text = message() if callable(message) else message
            extra = f" (last error: {type(last_error).__name__}: {last_error})" if last_error else ""
            raise AssertionError(f"{text} within {timeout} s{extra}")
        time.sleep(interval)


# --------------------------------------------------------------------------------------------
# Processes
# --------------------------------------------------------------------------------------------


@dataclass
class Proc:
    """A running attendify subcommand with its log."""

    name: str
    process: subprocess.Popen
    log_path: Path
    port: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


def start_process(name: str, args: list[str], log_path: Path, ready: re.Pattern[str],
                  ready_timeout: float = 120, cwd: Optional[Path] = None) -> Proc:
    """Starts `attendify <args>` and waits (polling its log) until it prints `ready`, whose first
    group is the port. Fails with the log if it exits or does not get ready in time."""
    require_binary()
    # A restarted process appends to the same log: only what it writes itself counts as ready.
    offset = log_path.stat().st_size if log_path.exists() else 0
    with open(log_path, "ab") as log:
        process = subprocess.Popen([BIN, *args], stdout=log, stderr=subprocess.STDOUT, env=clean_env(),
                                   cwd=str(cwd or log_path.parent), stdin=subprocess.DEVNULL)
    proc = Proc(name, process, log_path, 0)
    try:
        deadline = time.monotonic() + ready_timeout
        while True:
            match = ready.search(proc.log(), offset)
            if match:
                proc.port = int(match.group(1))
                return proc
            if process.poll() is not None:
                pytest.fail(f"attendify {name} exited with {process.returncode} before it was ready:\n{proc.log()}")
            if time.monotonic() > deadline:
                pytest.fail(f"attendify {name} not ready within {ready_timeout} s:\n{proc.log()}")
            time.sleep(0.05)
    except BaseException:
        proc.kill()
        raise


def site_args(db: Path, out: Path, public_url: str) -> list[str]:
    return ["--db", str(db), "--out", str(out), "--templates", str(TEMPLATES), "--public-url", public_url]


def start_api(db: Path, out: Path, log_path: Path, port: Optional[int] = None, public_url: Optional[str] = None,
              extra: tuple[str, ...] = ()) -> Proc:
    """`attendify api` on a fixed loopback port (so it can be restarted on the same one)."""
    port = port or free_port()
    public_url = public_url or f"http://127.0.0.1:{port}"
    return start_process(
        "api", ["api", *site_args(db, out, public_url), "--host", "127.0.0.1", "--port", str(port),
                "--rate-limits", "off", *extra],
        log_path, re.compile(r"attendify api is ready on http://127\.0\.0\.1:(\d+)"))


def start_serve(db: Path, out: Path, log_path: Path, extra: tuple[str, ...] = ()) -> Proc:
    port = free_port()
    public_url = f"http://127.0.0.1:{port}"
    return start_process(
        "serve", ["serve", *site_args(db, out, public_url), "--host", "127.0.0.1", "--port", str(port),
                  "--rate-limits", "off", *extra],
        log_path, re.compile(r"attendify serve is ready on http://127\.0\.0\.1:(\d+)"))


def start_track(db: Path, log_path: Path, extra: tuple[str, ...] = ()) -> Proc:
    """`attendify track` on a kernel-chosen port, rate limits (and so the click limit) off."""
    return start_process(
        "track", ["track", "--db", str(db), "--host", "127.0.0.1", "--port", "0", "--rate-limits", "off", *extra],
        log_path, re.compile(r"attendify track is ready on http://127\.0\.0\.1:(\d+)"))


@contextlib.contextmanager
def running(proc_factory: Callable[[], Proc]) -> Iterator[Proc]:
    proc = proc_factory()
    try:
        yield proc
    finally:
        proc.stop()


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    require_binary()
    return subprocess.run([BIN, *args], capture_output=True, text=True, env=clean_env(), timeout=timeout)


def migrate(db: Path) -> None:
    result = run_cli("migrate", "--db", str(db))
    assert result.returncode == 0, f"attendify migrate failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"


def generate_all(db: Path, out: Path, public_url: str) -> subprocess.CompletedProcess:
    return run_cli("generate", "--all", *site_args(db, out, public_url), timeout=300)


# --------------------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float
    error: Optional[str] = None  # transport failure (no answer)

    def json(self) -> Any:
        return json.loads(self.body)

    def header(self, name: str) -> Optional[str]:
        return self.headers.get(name.lower())

    def brief(self) -> str:
        if self.error:
            return f"no answer after {self.seconds:.2f}s ({self.error})"
        return f"{self.status} in {self.seconds:.2f}s ct={self.header('content-type')} body={self.body[:300]!r}"


def call(base: str, method: str, path: str, body: Any = None, token: Optional[str] = None,
         headers: Optional[dict[str, str]] = None, timeout: float = 30, raw: Optional[bytes] = None) -> Answer:
    """One request on its own connection. A transport failure is returned as status 0 with
    `error` set, never raised, so threads can collect every outcome."""
    host, port = base.removeprefix("http://").split(":")
    all_headers = {"Connection": "close"}
    if token:
        all_headers["Authorization"] = f"Bearer {token}"
    payload = raw
    if body is not None:
        payload = json.dumps(body).encode()
        all_headers["Content-Type"] = "application/json"
    all_headers.update(headers or {})
    started = time.monotonic()
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        conn.request(method, path, body=payload, headers=all_headers)
        response = conn.getresponse()
        data = response.read()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, data,
                      time.monotonic() - started)
    except (OSError, http.client.HTTPException) as error:
        return Answer(0, {}, b"", time.monotonic() - started, f"{type(error).__name__}: {error}")
    finally:
        conn.close()


def sign_up(base: str, email: str) -> str:
    """Registers `email` and signs in once; returns the bearer token."""
    registered = call(base, "POST", "/api/auth/register", {"email": email, "password": PASSWORD, "full_name": "Fault Tester"})
    assert registered.status == 201, f"register: {registered.brief()}"
    login = call(base, "POST", "/api/auth/login", {"email": email, "password": PASSWORD})
    assert login.status == 200, f"login: {login.brief()}"
    return login.json()["token"]


def event_body(n: int, title: Optional[str] = None) -> dict[str, Any]:
    day = 1 + n % 28
    return {
        "title": title or f"Fault test event {n}",
        "description": f"Event number {n} of the fault-injection suite.",
        "start_datetime": f"2027-03-{day:02d}T15:00:00Z",
        "end_datetime": f"2027-03-{day:02d}T16:00:00Z",
        "timezone": "Europe/Warsaw",
        "webinar_url": f"https://example.com/webinar/{n}",
    }


def create_event(base: str, token: str, n: int, title: Optional[str] = None) -> dict[str, Any]:
    answer = call(base, "POST", "/api/events", event_body(n, title), token)
    assert answer.status == 201, f"create event {n}: {answer.brief()}"
    return answer.json()


def list_events(base: str, token: str) -> list[dict[str, Any]]:
    """Every event of the organizer (pages through the list)."""
    events: list[dict[str, Any]] = []
    for page in range(10_000):
        answer = call(base, "GET", f"/api/events?limit=100&offset={page * 100}", token=token)
        assert answer.status == 200, f"list events: {answer.brief()}"
        chunk = answer.json()["events"]
        events.extend(chunk)
        if len(chunk) < 100:
            return events
    raise AssertionError("more than a million events?")


def is_problem(answer: Answer) -> bool:
    content_type = (answer.header("content-type") or "").split(";")[0].strip().lower()
    if content_type != PROBLEM_JSON:
        return False
    try:
        document = answer.json()
    except ValueError:
        return False
    return isinstance(document, dict) and document.get("status") == answer.status


def click(port: int, public_id: str, kind: str = "google", timeout: float = 10) -> int:
    """One browser-like click; returns the status (0 on a transport failure)."""
    answer = call(f"http://127.0.0.1:{port}", "GET", f"/track/{public_id}/{kind}",
                  headers={"User-Agent": BROWSER_UA}, timeout=timeout)
    return answer.status


class Clicker:
    """Clicks from one keep-alive connection in a background thread until stopped; counts 302s
    (acknowledged clicks) and every other outcome."""

    def __init__(self, port: int, public_ids: list[str], kinds: tuple[str, ...] = ("google", "ics", "outlook")):
        self.port = port
        self.public_ids = public_ids
        self.kinds = kinds
        self.stopping = threading.Event()
        self.acknowledged = 0
        self.other: dict[str, int] = {}
        self.slowest = 0.0
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "Clicker":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(30)
        assert not self.thread.is_alive(), "click thread did not stop within 30 s"

    def _run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        n = 0
        try:
            while not self.stopping.is_set() and n < 200_000:
                path = f"/track/{self.public_ids[n % len(self.public_ids)]}/{self.kinds[n % len(self.kinds)]}"
                n += 1
                started = time.monotonic()
                try:
                    conn.request("GET", path, headers={"User-Agent": BROWSER_UA})
                    response = conn.getresponse()
                    response.read()
                except (OSError, http.client.HTTPException) as error:
                    conn.close()
                    key = type(error).__name__
                    self.other[key] = self.other.get(key, 0) + 1
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                    continue
                self.slowest = max(self.slowest, time.monotonic() - started)
                if response.status == 302:
                    self.acknowledged += 1
                else:
                    self.other[str(response.status)] = self.other.get(str(response.status), 0) + 1
                # Pace the clicks a little so the numbers stay readable (not a wait for async work).
                self.stopping.wait(0.005)
        finally:
            conn.close()


# --------------------------------------------------------------------------------------------
# SQLite
# --------------------------------------------------------------------------------------------


def sql_scalar(db: Path, query: str, params: tuple = ()) -> Any:
    conn = sqlite3.connect(db, timeout=30)
    try:
        return conn.execute(query, params).fetchone()[0]
    finally:
        conn.close()


def click_rows(db: Path) -> int:
    return sql_scalar(db, "SELECT COUNT(*) FROM widget_interactions")


class LockHolder:
    """Another process (python's sqlite3) that takes the database's write lock with `BEGIN
    IMMEDIATE` plus a write, and holds it for `hold` seconds (or until `release()`), then rolls
    back. `locked_at`/`released_at` are monotonic times seen by this process."""

    SCRIPT = r"""
import sqlite3, sys, time
db, hold = sys.argv[1], float(sys.argv[2])
conn = sqlite3.connect(db, timeout=30, isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE users SET updated_at = updated_at")
print("locked", flush=True)
import select
readable, _, _ = select.select([sys.stdin], [], [], hold)
conn.execute("ROLLBACK")
conn.close()
print("released", flush=True)
"""

    def __init__(self, db: Path, hold: float):
        self.db = db
        self.hold = hold
        self.process: Optional[subprocess.Popen] = None
        self.locked_at = 0.0
        self.released_at = 0.0

    def __enter__(self) -> "LockHolder":
        self.process = subprocess.Popen([sys.executable, "-c", self.SCRIPT, str(self.db), str(self.hold)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()  # blocks until the lock is taken or the process dies
        if line.strip() != "locked":
            self.process.kill()
            self.process.wait()
            pytest.fail(f"lock holder did not take the lock: {line!r} {self.process.stderr.read()}")
        self.locked_at = time.monotonic()
        return self

    def wait_released(self, timeout: float) -> None:
        assert self.process is not None
        line = ""
        try:
            self.process.wait(timeout=timeout)
            line = self.process.stdout.read()
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
        self.released_at = time.monotonic()
        assert "released" in line, f"lock holder did not release cleanly: {line!r} {self.process.stderr.read()}"

    def holding(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def __exit__(self, *exc: object) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


# --------------------------------------------------------------------------------------------
# out/ trees
# --------------------------------------------------------------------------------------------


def tree(root: Path) -> dict[str, bytes]:
    """Every regular file under `root`, by relative path, with its bytes."""
    files: dict[str, bytes] = {}
    if not root.exists():
        return files
    for path in sorted(root.rglob("*")):
        if path.is_file():
            files[str(path.relative_to(root))] = path.read_bytes()
    return files


def leftovers(root: Path) -> list[str]:
    """`.tmp-*` files, `*.deleted-*` folders and `.bak-*` files anywhere under `root`."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if LEFTOVER.search(p.name)) if root.exists() else []


def tree_diff(actual: dict[str, bytes], expected: dict[str, bytes], limit: int = 10) -> str:
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    different = sorted(k for k in set(actual) & set(expected) if actual[k] != expected[k])
    return (f"missing={len(missing)} {missing[:limit]} extra={len(extra)} {extra[:limit]} "
            f"different={len(different)} {different[:limit]}")


def event_files(out: Path, public_id: str) -> dict[str, Path]:
    """The files a visitor fetches; a deleted event has none of them. (Its own feed,
    calendar/{id}/feed.ics, stays on purpose: it tells subscribers the event is cancelled.)"""
    return {
        "html": out / "widget" / "event" / public_id / "index.html",
        "gz": out / "widget" / "event" / public_id / "index.html.gz",
        "ics": out / "calendar" / public_id / "download.ics",
    }


def event_snapshot(out: Path, public_id: str) -> dict[str, Optional[bytes]]:
    return {k: (p.read_bytes() if p.exists() else None) for k, p in event_files(out, public_id).items()}


def files_whole(snapshot: dict[str, Optional[bytes]]) -> Optional[str]:
    """None when an event's three files are complete and agree (the gzip twin inflates to the
    HTML); otherwise what is wrong."""
    html, gz, ics = snapshot["html"], snapshot["gz"], snapshot["ics"]
    if html is None or gz is None or ics is None:
        return f"missing files: {[k for k, v in snapshot.items() if v is None]}"
    if not html.rstrip().lower().endswith(b"</html>"):
        return f"index.html is cut short ({len(html)} bytes)"
    try:
        if gzip.decompress(gz) != html:
            return "index.html.gz does not inflate to index.html"
    except (OSError, EOFError) as error:
        return f"index.html.gz is broken: {error}"
    if not ics.endswith(b"END:VCALENDAR\r\n"):
        return f"download.ics is cut short ({len(ics)} bytes)"
    return None


# --------------------------------------------------------------------------------------------
# Disks
# --------------------------------------------------------------------------------------------


@contextlib.contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    """Mounts a tmpfs of `size` at `path` (needs root) and unmounts it afterwards."""
    path.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, f"mount tmpfs at {path} failed: {result.stderr}"
    try:
        yield path
    finally:
        result = subprocess.run(["umount", str(path)], capture_output=True, text=True, timeout=30)
        if result.returncode != 0:
            subprocess.run(["umount", "-l", str(path)], capture_output=True, text=True, timeout=30)


def fill(folder: Path, name: str = "filler.bin") -> Path:
    """Writes a filler file into `folder` until the filesystem answers ENOSPC, down to single
    bytes, so not one more block fits. Returns the filler's path."""
    filler = folder / name
    written = 0
    with open(filler, "wb", buffering=0) as handle:
        for chunk_size in (1 << 20, 1 << 16, 4096, 512, 1):
            chunk = b"\0" * chunk_size
            for _ in range(1_000_000):
                try:
                    written += handle.write(chunk)
                except OSError as error:
                    if error.errno != 28:  # ENOSPC
                        raise
                    break
    return filler


def free_bytes(folder: Path) -> int:
    stats = os.statvfs(folder)
    return stats.f_bavail * stats.f_frsize
