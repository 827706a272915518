"""What Tests/interop/test_analytics.py (issue 13: views, unique visitors, placements, the
organizer overview) needs besides the shared helpers: processes it starts itself (`attendify
serve` and `attendify track` with the flags a test chooses: rate limits, --trusted-proxy,
--click-limit, /metrics), an API client, visitor traffic with simulated addresses (the
X-Forwarded-For header a trusted proxy would send), polling until a figure is stable, the
HyperLogLog error bound, CSV reading, looking into the database (SQLite files or a PostgreSQL
dump) and the processes' logs for leaked visitor data, a loopback page that embeds a widget, and
headless Chromium with a desktop user agent.

Everything here is a real process or a real socket: no mocks. Waiting is always "poll until true
or a generous deadline"; no assertion depends on how fast something happened.
"""

from __future__ import annotations

import contextlib
import csv
import http.client
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pytest

import postgres_support as pg
from attendify_nginx import Reply, fetch
from attendify_serve import BIN, REPO, free_port

PASSWORD = "correct horse battery staple"
PROXY = "127.0.0.1"  # every test client connects from loopback: the trusted proxy
# A desktop browser. The suffix is random per run, so a grep for it finds only what this run sent.
UA_MARKER = f"AnalyticsVisitor-{uuid.uuid4().hex[:12]}"
DESKTOP_UA = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 "
              + UA_MARKER)
PROVIDERS = ("google", "ics", "outlook", "office365", "yahoo")
START_DEADLINE_S = 90.0
SETTLE_DEADLINE_S = 60.0  # how long the writer may take to make queued views visible (generous)

READY = {
    "serve": re.compile(r"attendify serve is ready on http://127\.0\.0\.1:(\d+)"),
    "track": re.compile(r"attendify track is ready on http://127\.0\.0\.1:(\d+)"),
    "metrics": re.compile(r"attendify metrics is ready on http://127\.0\.0\.1:(\d+)"),
}


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The caller's environment without ATTENDIFY_* fallbacks (they would change what is tested)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATTENDIFY_")}
    env.update(extra or {})
    return env


# --------------------------------------------------------------------------------------------
# Processes
# --------------------------------------------------------------------------------------------


@dataclass
class App:
    """One running `attendify serve` or `attendify track`."""

    name: str
    proc: subprocess.Popen
    log: Path
    port: int = 0
    metrics_port: int | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def running(self) -> bool:
        return self.proc.poll() is None

    def metric(self, name: str) -> float | None:
        """A counter from this process's /metrics (None when it does not expose it)."""
        assert self.metrics_port, f"{self.name} runs without --metrics-port"
        text = fetch(self.metrics_port, "GET", "/metrics").body.decode()
        for line in text.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == name:
                return float(parts[1])
        return None

    def stop(self) -> int | None:
        """SIGTERM (a tracker drains its queue), SIGKILL after a grace period; the exit code."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


class Apps:
    """Starts processes for one test and stops them all at the end (the `apps` fixture)."""

    def __init__(self, root: Path):
        self.root = root
        self.started: list[App] = []

    def _spawn(self, name: str, args: list[str], env: dict[str, str]) -> App:
        log = self.root / f"{name}.log"
        with log.open("ab") as out:
            proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=self.root,
                                    start_new_session=True)
        app = App(name, proc, log)
        self.started.append(app)
        return app

    def _wait(self, app: App, pattern: re.Pattern) -> int:
        deadline = time.monotonic() + START_DEADLINE_S
        while True:
            match = pattern.search(app.log_text())
            if match:
                return int(match.group(1))
            if app.proc.poll() is not None:
                pytest.fail(f"{app.name} exited with {app.proc.returncode} before it was ready:\n{app.log_text()[-4000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"{app.name} not ready within {START_DEADLINE_S} s:\n{app.log_text()[-4000:]}")
            time.sleep(0.05)

    def serve(self, db: str | None, db_env: dict[str, str] | None = None, *extra: str, rate_limits: bool = False,
              trusted_proxy: bool = True, metrics: bool = True, name: str = "serve") -> App:
        """`attendify serve` over `db` (None: a SQLite file in the root folder), out/ in the root
        folder, with --trusted-proxy 127.0.0.1 (so X-Forwarded-For names the visitor) and
        --metrics-port 0 unless told otherwise."""
        if not Path(BIN).exists():
            pytest.fail(f"{BIN} does not exist: build it first (or set ATTENDIFY_BIN)")
        port = free_port()
        args = [BIN, "serve", "--db", db or str(self.sqlite_path), "--out", str(self.out),
                "--templates", str(REPO / "Templates"), "--host", "127.0.0.1", "--port", str(port),
                "--public-url", f"http://127.0.0.1:{port}", "--rate-limits", "on" if rate_limits else "off"]
        if trusted_proxy:
            args += ["--trusted-proxy", PROXY]
        if metrics:
            args += ["--metrics-port", "0"]
        app = self._spawn(name, [*args, *extra], clean_env(db_env))
        app.port = self._wait(app, READY["serve"])
        assert app.port == port, f"serve says it is ready on {app.port}, it was started on {port}"
        if metrics:
            app.metrics_port = self._wait(app, READY["metrics"])
        return app

    def track(self, db: str | None, db_env: dict[str, str] | None = None, *extra: str, rate_limits: bool = True,
              name: str = "track") -> App:
        """`attendify track` on a kernel-chosen port, with /metrics and --trusted-proxy 127.0.0.1."""
        args = [BIN, "track", "--db", db or str(self.sqlite_path), "--host", "127.0.0.1", "--port", "0",
                "--metrics-port", "0", "--trusted-proxy", PROXY, "--rate-limits", "on" if rate_limits else "off"]
        app = self._spawn(name, [*args, *extra], clean_env(db_env))
        app.port = self._wait(app, READY["track"])
        app.metrics_port = self._wait(app, READY["metrics"])
        return app

    @property
    def sqlite_path(self) -> Path:
        return self.root / "db.sqlite"

    @property
    def out(self) -> Path:
        return self.root / "out"

    def logs(self) -> dict[str, str]:
        return {app.log.name: app.log_text() for app in self.started}

    def stop_all(self) -> None:
        for app in reversed(self.started):
            app.stop()

    def dump(self) -> None:
        for app in self.started:
            print(f"\n===== {app.name} (exit code {app.proc.returncode}; last 60 lines of {app.log})")
            print("\n".join(app.log_text().splitlines()[-60:]))


# --------------------------------------------------------------------------------------------
# The API
# --------------------------------------------------------------------------------------------


class Api:
    """The organizer API on one port (serve, or Nginx in front of `attendify api`)."""

    def __init__(self, port: int, base: str):
        self.port = port
        self.base = base

    def call(self, method: str, path: str, body=None, token: str | None = None,
             headers: dict[str, str] | None = None) -> Reply:
        return fetch(self.port, method, path, body=body, token=token, headers=headers)

    def organizer(self, name: str = "Analytics Organizer") -> str:
        email = f"analytics-{uuid.uuid4().hex[:12]}@example.com"
        registered = self.call("POST", "/api/auth/register", {"email": email, "password": PASSWORD, "full_name": name})
        assert registered.status == 201, f"register: {registered}"
        login = self.call("POST", "/api/auth/login", {"email": email, "password": PASSWORD})
        assert login.status == 200, f"login: {login}"
        return login.json()["token"]

    def create_event(self, token: str, title: str, start: datetime | None = None, **extra) -> dict:
        start = start or (datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) + timedelta(days=7))
        body = {"title": title, "description": "Analytics test.", "start_datetime": rfc3339(start),
                "end_datetime": rfc3339(start + timedelta(hours=1)), "timezone": "Europe/Warsaw",
                "webinar_url": "https://example.com/webinar/analytics", **extra}
        created = self.call("POST", "/api/events", body, token)
        assert created.status == 201, f"POST /api/events {body!r}: {created}"
        return created.json()

    def create_placement(self, token: str, event_id: int, name: str) -> dict:
        reply = self.call("POST", f"/api/events/{event_id}/placements", {"name": name}, token)
        assert reply.status == 201, f"POST /api/events/{event_id}/placements {name!r}: {reply}"
        return reply.json()

    def stats(self, token: str, event_id: int, **params) -> dict:
        reply = self.call("GET", f"/api/events/{event_id}/stats?{query(params)}", token=token)
        assert reply.status == 200, f"GET /api/events/{event_id}/stats?{query(params)}: {reply}"
        return reply.json()

    def overview(self, token: str, **params) -> dict:
        reply = self.call("GET", f"/api/stats?{query(params)}", token=token)
        assert reply.status == 200, f"GET /api/stats?{query(params)}: {reply}"
        return reply.json()


def query(params: dict) -> str:
    from urllib.parse import urlencode

    return urlencode({k: v for k, v in params.items() if v is not None})


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_rfc3339(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# --------------------------------------------------------------------------------------------
# Days
# --------------------------------------------------------------------------------------------


def utc_today() -> date:
    return datetime.now(timezone.utc).date()


def day(offset: int = 0) -> str:
    return (utc_today() + timedelta(days=offset)).isoformat()


def away_from_utc_midnight(margin_s: float = 180.0, *offsets_h: int) -> None:
    """Waits (if needed) until the next UTC midnight (and the next midnight at each fixed UTC
    offset in `offsets_h`) is more than margin_s away, so that a test's traffic falls on one day
    (a visitor on two days counts on both: documented, but not what the figures below expect)."""
    while True:
        now = datetime.now(timezone.utc)
        close = False
        for offset in (0, *offsets_h):
            local = now + timedelta(hours=offset)
            midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc)
            if (midnight - local.replace(tzinfo=timezone.utc)).total_seconds() <= margin_s:
                close = True
        if not close:
            return
        time.sleep(5)


def early_in_the_minute(latest_second: float = 40.0) -> None:
    """The per-visitor limit counts in calendar minutes: waits until the current minute is young,
    so a short burst stays inside one window."""
    while time.time() % 60 > latest_second:
        time.sleep(0.5)


# --------------------------------------------------------------------------------------------
# Visitors
# --------------------------------------------------------------------------------------------


def visitor_addresses(count: int, block: str = "198.51.100") -> list[str]:
    """Distinct documentation addresses (RFC 5737): 198.51.100.1.., then 203.0.113.1.., then
    192.0.2.1.. (at most 3 x 254)."""
    blocks = [block] + [b for b in ("198.51.100", "203.0.113", "192.0.2") if b != block]
    addresses = [f"{b}.{n}" for b in blocks for n in range(1, 255)]
    assert count <= len(addresses)
    return addresses[:count]


@dataclass
class Hit:
    status: int
    body: bytes
    headers: dict[str, str]


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)


def visitor_headers(address: str | None, ua: str | None = DESKTOP_UA) -> dict[str, str]:
    headers: dict[str, str] = {}
    if ua is not None:
        headers["User-Agent"] = ua
    if address is not None:
        headers["X-Forwarded-For"] = address
    return headers


def send_all(port: int, requests: list[Request], threads: int = 4) -> list[Hit]:
    """Sends every request (each thread on its own keep-alive connection, requests dealt round
    robin), reads every answer in full, and returns them in the order given. A transport error
    fails the test."""
    results: list[Hit | None] = [None] * len(requests)
    errors: list[str] = []

    def worker(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            for index in range(n, len(requests), threads):
                request = requests[index]
                for attempt in range(2):
                    try:
                        conn.request(request.method, request.path, headers=request.headers)
                        response = conn.getresponse()
                        body = response.read()
                        results[index] = Hit(response.status, body, {k.lower(): v for k, v in response.getheaders()})
                        if response.will_close:
                            conn.close()
                            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                        break
                    except (OSError, http.client.HTTPException) as error:
                        conn.close()
                        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                        # A keep-alive connection the server closed between two requests: once
                        # more on a fresh one (nothing was answered, so nothing was counted).
                        if attempt == 1 or not isinstance(error, (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)):
                            errors.append(f"{request.method} {request.path}: {type(error).__name__}: {error}")
                            break
        finally:
            conn.close()

    workers = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(min(threads, len(requests)) or 1)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(300)
    assert not any(t.is_alive() for t in workers), "requests still running after 300 s"
    assert not errors, f"{len(errors)} requests failed: {errors[:5]}"
    assert all(r is not None for r in results)
    return results  # type: ignore[return-value]


def view_path(public_id: str, key: str | None = None) -> str:
    return f"/track/{public_id}/view" + (f"/{key}" if key else "")


def click_path(public_id: str, kind: str, key: str | None = None) -> str:
    return f"/track/{public_id}/{kind}" + (f"/{key}" if key else "")


def statuses(hits: Iterable[Hit]) -> dict[int, int]:
    counted: dict[int, int] = {}
    for hit in hits:
        counted[hit.status] = counted.get(hit.status, 0) + 1
    return counted


# --------------------------------------------------------------------------------------------
# Waiting for the writer
# --------------------------------------------------------------------------------------------


def settle(what: str, read: Callable[[], dict], expected: dict, deadline_s: float = SETTLE_DEADLINE_S,
           confirmations: int = 4, interval: float = 0.25) -> dict:
    """Polls read() (a dict of counts) until it equals `expected` on `confirmations` reads in a
    row; fails at once when a count goes beyond its expected value (counts only grow), and after
    the deadline with the last reading. Returns the last reading."""
    deadline = time.monotonic() + deadline_s
    in_a_row = 0
    last: dict = {}
    while True:
        last = read()
        over = {k: (last.get(k), v) for k, v in expected.items()
                if isinstance(v, int) and isinstance(last.get(k), int) and last[k] > v}
        assert not over, f"{what}: counted more than sent (got, expected): {over}; reading {last}"
        in_a_row = in_a_row + 1 if all(last.get(k) == v for k, v in expected.items()) else 0
        if in_a_row >= confirmations:
            return last
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: expected {expected}, still {last} after {deadline_s} s")
        time.sleep(interval)


def event_figures(api: Api, token: str, event_id: int, **params) -> dict:
    """views, total_clicks and each placement's views and clicks, flattened, for settle()."""
    stats = api.stats(token, event_id, tz="UTC", **params)
    figures = {"views": stats.get("views"), "total_clicks": stats.get("total_clicks")}
    for name, numbers in (stats.get("by_placement") or {}).items():
        figures[f"{name}.views"] = numbers.get("views")
        figures[f"{name}.clicks"] = numbers.get("clicks")
    return figures


def hll_bound(true_count: int) -> float:
    """The documented bound: |estimate - true| <= 5% of true + 1."""
    return 0.05 * true_count + 1


def within_hll_bound(estimate: int, true_count: int) -> bool:
    return abs(estimate - true_count) <= hll_bound(true_count)


def rate(clicks: int, views: int) -> float | None:
    return None if views == 0 else round(clicks / views, 4)


# --------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------


def read_csv(reply: Reply) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of a CSV answer, after checking the line ends are CRLF, every one."""
    body = reply.body
    text = body.decode("utf-8")
    assert text.endswith("\r\n"), f"the CSV does not end with CRLF: {body[-80:]!r}"
    assert re.search(r"(?<!\r)\n", text) is None, f"a line of the CSV ends with a bare LF: {body[:400]!r}"
    assert "\r\r" not in text, f"CRCR in the CSV: {body[:400]!r}"
    rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    assert rows, "an empty CSV"
    return rows[0], rows[1:]


def formula_guarded(cell: str) -> str:
    """What a cell must read after the formula-injection guard: a leading ' before = + - @."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@") else cell


def number_text(cell: str) -> bool:
    return re.fullmatch(r"-?\d+(?:\.\d+)?", cell) is not None


# --------------------------------------------------------------------------------------------
# The widget's HTML
# --------------------------------------------------------------------------------------------

HREF = re.compile(r'<a\s[^>]*?href="([^"]*)"[^>]*?data-type="([^"]*)"', re.IGNORECASE)
CSS_URL = re.compile(r"url\(\s*[\"']?([^\"')]+)[\"']?\s*\)")


def widget_links(html: str) -> dict[str, str]:
    """data-type -> href of the widget's buttons (HTML entities in href undone)."""
    import html as htmllib

    return {kind: htmllib.unescape(href) for href, kind in HREF.findall(html)}


def widget_beacons(html: str) -> list[str]:
    """Every url(...) in the widget's styles that points at /track/."""
    return [u for u in CSS_URL.findall(html) if "/track/" in u]


def csp_sources(policy: str, directive: str) -> list[str] | None:
    """The sources of one CSP directive (None when the policy does not name it)."""
    for part in policy.split(";"):
        words = part.split()
        if words and words[0].lower() == directive:
            return words[1:]
    return None


# --------------------------------------------------------------------------------------------
# The database and the logs, searched for visitor data
# --------------------------------------------------------------------------------------------


@dataclass
class Store:
    """The database a test's processes use: a SQLite file, or a PostgreSQL URL and password."""

    sqlite: Path | None = None
    url: str | None = None
    password: str | None = None

    @property
    def kind(self) -> str:
        return "sqlite" if self.sqlite else "postgres"

    def rows(self, sql: str) -> list[list[str]]:
        if self.sqlite:
            with contextlib.closing(sqlite3.connect(self.sqlite, timeout=30)) as conn:
                return [["" if v is None else str(v) for v in row] for row in conn.execute(sql).fetchall()]
        return pg.psql(self.url, sql, self.password)

    def scalar(self, sql: str) -> int:
        rows = self.rows(sql)
        return int(rows[0][0] or 0) if rows else 0

    def tables(self) -> list[str]:
        if self.sqlite:
            return [r[0] for r in self.rows("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return [r[0] for r in self.rows("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")]

    def columns(self) -> list[tuple[str, str]]:
        if self.sqlite:
            found = []
            for table in self.tables():
                found += [(table, r[1]) for r in self.rows(f"PRAGMA table_info(\"{table}\")")]
            return found
        return [(r[0], r[1]) for r in self.rows(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "ORDER BY table_name, ordinal_position")]

    def raw_text(self) -> dict[str, bytes]:
        """Everything the database holds, as bytes to search: SQLite's files (the database, its
        -wal and -shm); PostgreSQL's pg_dump (schema and data as text) plus every table SELECTed
        as text."""
        if self.sqlite:
            return {path.name: path.read_bytes() for path in
                    (self.sqlite, Path(f"{self.sqlite}-wal"), Path(f"{self.sqlite}-shm"), Path(f"{self.sqlite}-journal"))
                    if path.exists()}
        dump_bin = pg.bin_dir() / "pg_dump"
        dump_cmd = str(dump_bin) if os.access(dump_bin, os.X_OK) else shutil.which("pg_dump")
        assert dump_cmd, "pg_dump is not installed"
        dumped = subprocess.run([dump_cmd, "--no-owner", "--no-privileges", "-d", self.url], capture_output=True,
                                env=pg.password_env(self.password), timeout=120, stdin=subprocess.DEVNULL)
        assert dumped.returncode == 0, f"pg_dump failed: {dumped.stderr.decode(errors='replace')}"
        texts = {"pg_dump": dumped.stdout}
        for table in self.tables():
            rows = pg.psql(self.url, f'SELECT t::text FROM "{table}" t', self.password)
            texts[f"table {table}"] = "\n".join("\t".join(r) for r in rows).encode()
        return texts


def leaks(texts: dict[str, bytes | str], needles: Iterable[str]) -> list[str]:
    """'needle in source' for every needle found in any text (case-sensitive, as bytes)."""
    found = []
    needles = list(needles)
    for source, text in texts.items():
        data = text.encode() if isinstance(text, str) else text
        for needle in needles:
            if needle.encode() in data:
                found.append(f"{needle!r} in {source}")
    return found


ADDRESS_WORDS = {"ip", "ipaddr", "address", "addr", "agent", "ua", "useragent", "client", "remote", "forwarded", "peer"}


def identifying_columns(columns: list[tuple[str, str]]) -> list[str]:
    """Columns whose name says they hold an address or a user agent, except the two that
    --store-client-info fills (widget_interactions.ip_address / user_agent)."""
    allowed = {("widget_interactions", "ip_address"), ("widget_interactions", "user_agent")}
    found = []
    for table, column in columns:
        words = set(column.lower().split("_"))
        if (table, column) not in allowed and (words & ADDRESS_WORDS or "user_agent" in column.lower()):
            found.append(f"{table}.{column}")
    return found


# --------------------------------------------------------------------------------------------
# A page that embeds a widget, and a real browser
# --------------------------------------------------------------------------------------------


@contextlib.contextmanager
def host_page(html: str) -> Iterator[str]:
    """Serves `html` at / on a loopback port of its own (another origin than the widget's): the
    organizer's web page with the pasted iframe. Yields the page's URL."""
    payload = html.encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            if self.path.split("?")[0] in ("/", "/index.html"):
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(payload)
            else:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

        def log_message(self, *args):  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def embedding_page(*iframes: str) -> str:
    return ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>An organizer's page</title></head>"
            "<body><h1>Our next webinar</h1>\n" + "\n".join(iframes) + "\n<p>Footer.</p></body></html>\n")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: the browser test must run)")
    pytest.skip(reason)


@contextlib.contextmanager
def chromium(work: Path) -> Iterator[object]:
    """Headless Chromium through Selenium with a desktop user agent (Chromium's headless default
    says "HeadlessChrome", which the bot filter rightly refuses to count)."""
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not binary or not driver_path:
        _unavailable("chromium and chromedriver are needed (apt-get install -y chromium chromium-driver)")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _unavailable("selenium is not installed (.venv/bin/pip install selenium)")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in ("--headless=new", "--no-sandbox", "--window-size=1280,900", f"--user-agent={DESKTOP_UA}",
                     "--lang=en-US", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
                     f"--user-data-dir={work / 'chromium-profile'}"):
        options.add_argument(argument)
    service = Service(executable_path=driver_path, log_output=str(work / "chromedriver.log"))
    driver = webdriver.Chrome(service=service, options=options)
    try:
        yield driver
    finally:
        driver.quit()


def json_dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
