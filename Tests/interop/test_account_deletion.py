"""Issue 15 acceptance tests, the right to erasure and to data portability (GDPR Articles 17 and
20), against a real `attendify serve` on SQLite and PostgreSQL.

- test_account_deletion_erases_everything: an organizer with events (placements, a cancelled
  one, a deleted one whose tombstone exists), clicks and views through the tracker, an API
  token, a webhook, widget defaults and a pending reset mail; a wrong password is 403 and an API
  token 403; DELETE /api/account 204 clears the cookie; then no table holds a row with their user
  id, their events' ids, their address, public ids, placement keys or feed id (every table listed
  from the database's own catalogue; the tracker's change log of ids to re-read excepted), no file
  under out/ names them (gzip twins decompressed), their widget, placement widget, event page,
  .ics, event feed and organizer feed 404 at once, /track/{public_id}/… 404 within seconds, their
  session and token are 401; another organizer's data is untouched.
- test_export_streams_a_large_account: 1,000 events and 100,000 clicks (seeded straight into the
  database with consistent rollups): GET /api/account/export is chunked; a reader that takes the
  first 256 KiB and pauses finds only what the socket buffers hold produced (/proc/net/tcp
  queues), far from the whole export, so the server waits for its reader; the server's RSS
  (/proc/PID/status VmRSS, sampled throughout) grows by less than the export's size (no copy of it
  in memory); the JSON parses (1,000 events, 100,000 clicks, daily clicks summing to 100,000);
  clicks.csv is back-pressured the same way and has 100,001 lines.
"""

from __future__ import annotations

import gzip
import http.client
import json
import socket
import sqlite3
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import pytest

import postgres_support as pg
from analytics_support import DESKTOP_UA, App, Apps
from attendify_nginx import Reply, fetch
from attendify_serve import database_for
from webhook_receiver import WebhookReceiver

PASSWORD = "correct horse battery staple"
FLAGS = ("--webhooks-allow-private", "--webhook-timeout", "1", "--webhook-retry-base", "1", "--mail-retry-base", "1")
# The tracker's change log records which public ids to re-read (it is how the trackers learn of
# the deletion); it holds no user data and is pruned on its own schedule.
CHANGE_LOG_TABLES = {"link_changes", "link_changes_pruned"}


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request):
    db, env = database_for(request.param, request)
    yield request.param, db, env
    if db is not None:
        pg.drop_database(db, env["PGPASSWORD"])


@pytest.fixture
def apps(request, tmp_path) -> Iterator[Apps]:
    failed_before = request.session.testsfailed
    started = Apps(tmp_path)
    yield started
    started.stop_all()
    if request.session.testsfailed > failed_before:
        started.dump()


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Organizer:
    def __init__(self, app: App, name: str):
        self.app = app
        self.email = f"{name}-{uuid.uuid4().hex[:10]}@example.com"
        reply = self.call("POST", "/api/auth/register", {"email": self.email, "password": PASSWORD, "full_name": name.title()},
                          token=None)
        assert reply.status == 201, reply
        self.user_id = reply.json()["id"]
        login = self.call("POST", "/api/auth/login", {"email": self.email, "password": PASSWORD}, token=None)
        self.token = login.json()["token"]

    def call(self, method: str, path: str, body=None, token: str | None = "session", headers=None) -> Reply:
        return fetch(self.app.port, method, path, body=body, headers=headers,
                     token=self.token if token == "session" else token)

    def create_event(self, title: str, days: int = 5) -> dict:
        start = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) + timedelta(days=days)
        reply = self.call("POST", "/api/events", {"title": title, "start_datetime": rfc3339(start),
                                                  "end_datetime": rfc3339(start + timedelta(hours=1)),
                                                  "timezone": "UTC", "webinar_url": "https://example.com/live"})
        assert reply.status == 201, reply
        return reply.json()

    def total_clicks(self, event_id: int) -> int:
        return self.call("GET", f"/api/events/{event_id}/stats?tz=UTC").json()["total_clicks"]


def public_paths(event: dict) -> list[str]:
    return [urlsplit(event[key]).path for key in ("widget_url", "page_url", "ics_url", "feed_url")]


def visit(app: App, event: dict, clicks: int, key: str | None = None) -> None:
    suffix = f"/{key}" if key else ""
    for _ in range(clicks):
        view = fetch(app.port, "GET", f"/track/{event['public_id']}/view{suffix}", headers={"User-Agent": DESKTOP_UA})
        assert view.status == 204, view
        click = fetch(app.port, "GET", f"/track/{event['public_id']}/google{suffix}", headers={"User-Agent": DESKTOP_UA})
        assert click.status in (301, 302, 303, 307), click


def wait_for(what: str, check, deadline_s: float = 60.0):
    deadline = time.monotonic() + deadline_s
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"{what}: not within {deadline_s} s"
        time.sleep(0.1)


class Database:
    def __init__(self, backend, root: Path):
        self.kind, self.url, env = backend
        self.password = env.get("PGPASSWORD")
        self.path = root / "db.sqlite"

    def rows(self, sql: str) -> list[list[str]]:
        if self.kind == "sqlite":
            with sqlite3.connect(self.path, timeout=30) as conn:
                return [["" if v is None else (v.hex() if isinstance(v, bytes) else str(v)) for v in row]
                        for row in conn.execute(sql).fetchall()]
        return pg.psql(self.url, sql, self.password)

    def execute(self, sql: str) -> None:
        if self.kind == "sqlite":
            with sqlite3.connect(self.path, timeout=30) as conn:
                conn.executescript(sql)
        else:
            pg.psql(self.url, sql, self.password, timeout=600)

    def tables(self) -> list[str]:
        if self.kind == "sqlite":
            return [r[0] for r in self.rows("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return [r[0] for r in self.rows("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")]

    def columns(self, table: str) -> list[str]:
        if self.kind == "sqlite":
            return [r[1] for r in self.rows(f'PRAGMA table_info("{table}")')]
        return [r[0] for r in self.rows("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                                        f"AND table_name = '{table}' ORDER BY ordinal_position")]

    def text_rows(self, table: str) -> list[str]:
        if self.kind == "sqlite":
            return ["\t".join(r) for r in self.rows(f'SELECT * FROM "{table}"')]
        return [r[0] for r in pg.psql(self.url, f'SELECT replace(replace(t::text, E\'\\t\', \' \'), E\'\\n\', \' \') FROM "{table}" t',
                                      self.password)]


def leftovers(db: Database, user_id: int, event_ids: set[int], needles: list[str]) -> list[str]:
    found = []
    tables = db.tables()
    for table in tables:
        columns = db.columns(table)
        if table == "users":
            hits = db.rows(f"SELECT id FROM users WHERE id = {user_id}")
            if hits:
                found.append(f"users: id {user_id}")
        for column in columns:
            if column == "user_id":
                if db.rows(f'SELECT 1 FROM "{table}" WHERE user_id = {user_id}'):
                    found.append(f"{table}.user_id = {user_id}")
            if column == "event_id" and event_ids:
                ids = ",".join(str(i) for i in event_ids)
                if db.rows(f'SELECT 1 FROM "{table}" WHERE event_id IN ({ids})'):
                    found.append(f"{table}.event_id in the deleted events")
        if table in CHANGE_LOG_TABLES:
            continue
        for row in db.text_rows(table):
            for needle in needles:
                if needle.lower() in row.lower():
                    found.append(f"{table}: {needle!r} in {row[:200]!r}")
    return found


def files_mentioning(out: Path, needles: list[str]) -> list[str]:
    found = []
    for path in out.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.suffix == ".gz":
            try:
                data = gzip.decompress(data)
            except OSError:
                pass
        text = data.decode("utf-8", "replace")
        name = str(path.relative_to(out))
        for needle in needles:
            if needle in text or needle in name:
                found.append(f"{name}: {needle}")
    return found


def test_account_deletion_erases_everything(apps, backend, tmp_path):
    with WebhookReceiver() as receiver:
        app = apps.serve(backend[1], backend[2], *FLAGS, trusted_proxy=False, metrics=False)
        victim = Organizer(app, "victim")
        bystander = Organizer(app, "bystander")

        assert victim.call("PUT", "/api/settings/iframe", {"iframe_defaults": {"theme": "dark", "language": "pl"}}).status == 200
        hook = victim.call("POST", "/api/webhooks", {"url": receiver.url(), "events": ["event.created", "event.updated"]})
        assert hook.status == 201, hook
        api_token = victim.call("POST", "/api/tokens", {"name": "script", "scopes": ["events:read", "stats:read"]}).json()

        main = victim.create_event("Victim main")
        placements = []
        for name in ("newsletter", "blog"):
            reply = victim.call("POST", f"/api/events/{main['id']}/placements", {"name": name})
            assert reply.status == 201, reply
            placements.append(reply.json())
        keys = [urlsplit(p["widget_url"]).path.rstrip("/").rsplit("/", 1)[-1] for p in placements]
        cancelled = victim.create_event("Victim cancelled", days=6)
        assert victim.call("POST", f"/api/events/{cancelled['id']}/cancel").status == 200
        gone = victim.create_event("Victim deleted", days=7)
        assert victim.call("DELETE", f"/api/events/{gone['id']}").status == 204
        feed = victim.call("GET", "/api/feed").json()
        feed_path = urlsplit(feed["feed_url"]).path
        feed_id = feed_path.strip("/").split("/")[1]
        assert victim.call("POST", "/api/auth/password-reset", {"email": victim.email}, token=None).status == 202

        visit(app, main, 3)
        visit(app, main, 2, keys[0])
        kept = bystander.create_event("Bystander event")
        visit(app, kept, 4)
        wait_for("clicks counted", lambda: victim.total_clicks(main["id"]) == 5 and bystander.total_clicks(kept["id"]) == 4)

        events = [main, cancelled]
        event_ids = {main["id"], cancelled["id"], gone["id"]}
        public_ids = [main["public_id"], cancelled["public_id"], gone["public_id"]]
        paths = [p for e in events for p in public_paths(e)] + [urlsplit(p["widget_url"]).path for p in placements] + [feed_path]
        for path in paths:
            assert fetch(app.port, "GET", path).status == 200, f"{path} before the deletion"
        db = Database(backend, tmp_path)
        assert db.rows(f"SELECT 1 FROM event_tombstones WHERE public_id = '{gone['public_id']}'"), "a tombstone exists"

        # Re-authentication.
        wrong = victim.call("DELETE", "/api/account", {"password": "not the password"})
        assert wrong.status == 403, wrong
        with_token = victim.call("DELETE", "/api/account", {"password": PASSWORD}, token=api_token["token"])
        assert with_token.status == 403, with_token
        assert victim.call("GET", "/api/auth/me").status == 200

        erased = victim.call("DELETE", "/api/account", {"password": PASSWORD})
        assert erased.status == 204, erased
        cookie = erased.header("Set-Cookie") or ""
        assert "attendify_session=" in cookie and "Max-Age=0" in cookie, cookie

        for path in paths:
            reply = fetch(app.port, "GET", path)
            assert reply.status == 404, f"{path} right after the deletion: {reply}"
        assert victim.call("GET", "/api/auth/me").status == 401
        assert victim.call("GET", "/api/events", token=api_token["token"]).status == 401
        assert victim.call("POST", "/api/auth/login", {"email": victim.email, "password": PASSWORD}, token=None).status == 401
        started = time.monotonic()
        for public_id in public_ids[:2]:
            wait_for(f"/track/{public_id}/google answers 404",
                     lambda: fetch(app.port, "GET", f"/track/{public_id}/google", headers={"User-Agent": DESKTOP_UA}).status == 404,
                     deadline_s=30)
        print(f"tracker forgot them after {time.monotonic() - started:.2f} s")
        assert fetch(app.port, "GET", f"/track/{main['public_id']}/google/{keys[0]}", headers={"User-Agent": DESKTOP_UA}).status == 404

        found = leftovers(db, victim.user_id, event_ids, [victim.email, *public_ids, *keys, feed_id])
        assert not found, "rows of the deleted organizer remain:\n" + "\n".join(found)
        files = files_mentioning(tmp_path / "out", [*public_ids, *keys, feed_id])
        assert not files, "published files of the deleted organizer remain:\n" + "\n".join(files)
        assert victim.email not in app.log_text(), "the log holds the address"

        # The other organizer is untouched.
        assert bystander.call("GET", "/api/auth/me").status == 200
        assert bystander.total_clicks(kept["id"]) == 4
        for path in public_paths(kept):
            assert fetch(app.port, "GET", path).status == 200, path
        click = fetch(app.port, "GET", f"/track/{kept['public_id']}/google", headers={"User-Agent": DESKTOP_UA})
        assert click.status in (301, 302, 303, 307), click
        assert db.rows(f"SELECT 1 FROM users WHERE id = {bystander.user_id}")


# --------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------

EVENTS = 1_000
CLICKS = 100_000
PROVIDERS = ("google", "ics", "outlook", "office365", "yahoo")


def seed_sql(kind: str, user_id: int, now: int) -> str:
    """1,000 events and 100 clicks each over the last 100 hours, with the rollups the tracker
    keeps (interaction_counts and traffic_hourly per hour, traffic_daily per UTC day) made from
    the very rows inserted, so they agree."""
    if kind == "sqlite":
        numbers = lambda n: f"WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < {n - 1}) "  # noqa: E731
        pid = "'exp' || printf('%019d', n)"
        provider = "CASE n % 5 " + " ".join(f"WHEN {i} THEN '{p}'" for i, p in enumerate(PROVIDERS)) + " END"
        return f"""
            {numbers(EVENTS)}
            INSERT INTO events (user_id, public_id, title, description, start_datetime, end_datetime, timezone, webinar_url,
                                customization_settings, sequence, created_at, updated_at)
            SELECT {user_id}, {pid}, 'Export event ' || n, 'Seeded', {now} + 86400 + n * 3600, {now} + 90000 + n * 3600, 'UTC',
                   'https://example.com/live', '{{}}', 0, {now} - n, {now} - n FROM seq;
            {numbers(CLICKS)}
            INSERT INTO widget_interactions (event_id, interaction_type, clicked_at, placement_id)
            SELECT e.id, {provider}, {now} - (n % 100) * 3600 - 7, NULL
            FROM seq JOIN events e ON e.public_id = 'exp' || printf('%019d', n / 100) AND e.user_id = {user_id};
            """ + rollups(user_id)
    return f"""
        INSERT INTO events (user_id, public_id, title, description, start_datetime, end_datetime, timezone, webinar_url,
                            customization_settings, sequence, created_at, updated_at)
        SELECT {user_id}, 'exp' || lpad(n::text, 19, '0'), 'Export event ' || n, 'Seeded', {now} + 86400 + n * 3600,
               {now} + 90000 + n * 3600, 'UTC', 'https://example.com/live', '{{}}', 0, {now} - n, {now} - n
        FROM generate_series(0, {EVENTS - 1}) AS n;
        INSERT INTO widget_interactions (event_id, interaction_type, clicked_at, placement_id)
        SELECT e.id, (ARRAY{list(PROVIDERS)})[n % 5 + 1], {now} - (n % 100) * 3600 - 7, NULL
        FROM generate_series(0, {CLICKS - 1}) AS n JOIN events e ON e.public_id = 'exp' || lpad((n / 100)::text, 19, '0')
        AND e.user_id = {user_id};
        """ + rollups(user_id)


def rollups(user_id: int) -> str:
    mine = f"SELECT id FROM events WHERE user_id = {user_id}"
    return f"""
        INSERT INTO interaction_counts (event_id, bucket_start, interaction_type, count)
        SELECT event_id, clicked_at - clicked_at % 3600, interaction_type, COUNT(*) FROM widget_interactions
        WHERE event_id IN ({mine}) GROUP BY 1, 2, 3;
        INSERT INTO traffic_hourly (event_id, bucket_start, placement_id, views, clicks)
        SELECT event_id, clicked_at - clicked_at % 3600, 0, 0, COUNT(*) FROM widget_interactions
        WHERE event_id IN ({mine}) GROUP BY 1, 2;
        INSERT INTO traffic_daily (event_id, day_start, views, clicks, unique_visitors)
        SELECT event_id, clicked_at - clicked_at % 86400, 0, COUNT(*), 0 FROM widget_interactions
        WHERE event_id IN ({mine}) GROUP BY 1, 2;
        """


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


class RSSSampler:
    """Samples a process's VmRSS every 20 ms; `mark()` starts a new phase, and `peaks` holds the
    highest reading of each phase."""

    def __init__(self, pid: int):
        self.pid = pid
        self.peak = rss_kib(pid)
        self.peaks = [self.peak]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def mark(self) -> None:
        self.peaks.append(rss_kib(self.pid))

    def _run(self) -> None:
        while not self._stop.is_set():
            value = rss_kib(self.pid)
            self.peak = max(self.peak, value)
            self.peaks[-1] = max(self.peaks[-1], value)
            time.sleep(0.02)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def streamed_get(app: App, path: str, token: str, sampler: "RSSSampler | None" = None, first_bytes: int = 256 * 1024,
                 pause_s: float = 3.0):
    """GET path reading the first `first_bytes`, then not reading for `pause_s` (the server is
    held back by the full socket), then the rest. Returns (response, first part, whole body).
    The sampler's phases: until the first bytes, the pause, the rest."""
    conn = http.client.HTTPConnection("127.0.0.1", app.port, timeout=300)
    # A small receive buffer (set before connecting, so the window stays small): the kernel can
    # then absorb little of the answer, and a server that waits for its reader stops soon.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32 * 1024)
    sock.settimeout(300)
    sock.connect(("127.0.0.1", app.port))
    conn.sock = sock
    conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    response = conn.getresponse()
    assert response.status == 200, (response.status, response.read()[:500])
    first = response.read(first_bytes)
    if sampler:
        sampler.mark()
    time.sleep(pause_s)
    if sampler:
        sampler.mark()
    queued = queued_bytes(app.port, sock.getsockname()[1])
    rest = response.read()
    conn.close()
    return response, first, first + rest, queued


def queued_bytes(server_port: int, client_port: int) -> int:
    """Bytes the kernel holds between the server and the client on this connection: the server
    socket's send queue plus the client socket's receive queue (/proc/net/tcp, hex fields)."""
    total = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, queues = fields[1], fields[2], fields[4]
        local_port, remote_port = int(local.split(":")[1], 16), int(remote.split(":")[1], 16)
        tx, rx = (int(x, 16) for x in queues.split(":"))
        if (local_port, remote_port) == (server_port, client_port):
            total += tx
        elif (local_port, remote_port) == (client_port, server_port):
            total += rx
    return total


def test_export_streams_a_large_account(apps, backend, tmp_path):
    app = apps.serve(backend[1], backend[2], trusted_proxy=False, metrics=False)
    owner = Organizer(app, "exporter")
    warm = Organizer(app, "warmup")
    warm.create_event("Warm-up")
    assert warm.call("GET", "/api/account/export").status == 200  # warm the code path on a tiny account
    db = Database(backend, tmp_path)
    started = time.monotonic()
    db.execute(seed_sql(backend[0], owner.user_id, int(time.time())))
    print(f"seeded {EVENTS} events and {CLICKS} clicks in {time.monotonic() - started:.1f} s")
    assert int(db.rows(f"SELECT COUNT(*) FROM events WHERE user_id = {owner.user_id}")[0][0]) == EVENTS
    assert owner.call("GET", "/api/events?limit=1").json()["total"] == EVENTS

    baseline = rss_kib(app.proc.pid)
    with RSSSampler(app.proc.pid) as sampler:
        response, first, body, queued = streamed_get(app, "/api/account/export", owner.token, sampler)
    growth_kib = sampler.peak - baseline
    size_kib = len(body) // 1024
    print(f"export: {len(body):,} bytes; server RSS {baseline:,} KiB before, peak {sampler.peak:,} KiB "
          f"(+{growth_kib:,} KiB); peaks until the first bytes / while held back / the rest: {sampler.peaks}; "
          f"transfer-encoding {response.getheader('Transfer-Encoding')}; "
          f"after reading {len(first):,} bytes and pausing, {queued:,} bytes were queued in the kernel")
    assert response.getheader("Content-Type", "").startswith("application/json")
    assert 'filename="attendify-export.json"' in (response.getheader("Content-Disposition") or "")
    assert response.chunked or response.getheader("Content-Length") is None, "a streamed answer has no Content-Length"
    assert first.startswith(b"{") and len(first) == 256 * 1024
    # Streamed with back-pressure: while the reader pauses, the server has produced only what the
    # socket buffers hold, far from the whole export (causal: it waits for its reader) ...
    produced = len(first) + queued
    assert produced < 0.8 * len(body), \
        f"{produced:,} of {len(body):,} bytes were produced while the reader paused: the server does not wait for it"
    # ... and never holds a copy of the whole export: resident memory grows by less than its size.
    assert growth_kib < size_kib, f"RSS grew by {growth_kib} KiB for an export of {size_kib} KiB: held in memory"

    export = json.loads(body)
    assert export["format"] == "attendify-export" and export["version"] == 1
    assert export["user"]["email"] == owner.email
    assert len(export["events"]) == EVENTS
    assert len(export["clicks"]) == CLICKS
    assert sum(day["clicks"] for day in export["traffic_daily"]) == CLICKS
    assert {c["provider"] for c in export["clicks"]} == set(PROVIDERS)
    ids = {e["id"] for e in export["events"]}
    assert {c["event_id"] for c in export["clicks"]} == ids
    assert all(e["placements"] == [] for e in export["events"])
    assert warm.email not in body.decode(), "another organizer's data in the export"

    with RSSSampler(app.proc.pid) as sampler:
        response, first, csv_body, queued = streamed_get(app, "/api/account/export/clicks.csv", owner.token, sampler)
    assert len(first) + queued < 0.8 * len(csv_body), "clicks.csv is not back-pressured"
    assert response.getheader("Content-Type", "").startswith("text/csv")
    lines = csv_body.decode().splitlines()
    assert lines[0] == "event_id,event_public_id,provider,placement,clicked_at", lines[0]
    assert len(lines) == CLICKS + 1, len(lines)
    assert lines[1].split(",")[1].startswith("exp"), lines[1]
