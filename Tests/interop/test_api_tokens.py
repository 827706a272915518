"""Issue 15 acceptance tests, personal API tokens for scripts: shown once, stored hashed, scoped
(`events:read`, `events:write`, `stats:read`), optionally expiring, revocable, used only as
`Authorization: Bearer atf_…` (no cookie, no session), against a real `attendify serve` on
SQLite and PostgreSQL.

- test_token_lifecycle: 201 with `token` (`atf_` + 43 URL-safe characters) once; the list never
  shows it (nor does anything else); the Bearer token works without any cookie, marks
  `last_used_at`; as a cookie it is nothing (401); another organizer cannot revoke it (404);
  revoked -> 401 at once; one with `expires_at` in the near future works, then is 401; at most 50
  tokens (409), and a revoked one frees its place.
- test_a_stats_token_gets_403_on_every_write_route: every POST/PUT/PATCH/DELETE operation of
  openapi.yaml that takes credentials, enumerated from the file (so a route added later is
  covered), with its path ids replaced by real resources of the token's owner and a body that
  would otherwise succeed: 403 problem+json each, and nothing changed. The statistics still answer.
- test_an_events_read_token: the read routes answer, every write and the statistics are 403.
- test_an_events_write_token: it creates, changes, cancels and deletes events and placements
  and replaces the widget defaults.
- test_no_token_reaches_account_management: a token with all three scopes gets 403 "Session
  required" on the password, e-mail, sessions, export, account, tokens and webhooks routes and on
  logout; `/api/auth/me` and `/api/auth/session` work with it.

Run: ATTENDIFY_BIN=.build/debug/attendify .venv/bin/python -m pytest -q Tests/interop/test_api_tokens.py
"""

from __future__ import annotations

import re
import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Iterator

import pytest
import yaml

import postgres_support as pg
from analytics_support import App, Apps
from attendify_nginx import Reply, fetch
from attendify_serve import REPO, database_for
from webhook_receiver import WebhookReceiver

PASSWORD = "correct horse battery staple"
SECRET_RE = re.compile(r"^atf_[A-Za-z0-9_-]{43}$")
SCOPES = ["events:read", "events:write", "stats:read"]
WRITE_METHODS = ("post", "put", "patch", "delete")


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


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as started:
        yield started


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Owner:
    """An organizer with a session, an event with a placement, a spare session, a webhook and
    a spare token: real resources for every `{id}` of the write routes."""

    def __init__(self, app: App, hook_url: str):
        self.app = app
        self.email = f"tokens-{uuid.uuid4().hex[:10]}@example.com"
        assert self.call("POST", "/api/auth/register", {"email": self.email, "password": PASSWORD}).status == 201
        self.session = self.login()
        self.spare_session = self.login()
        self.event = self.create_event(self.session, "Token target")
        placement = self.call("POST", f"/api/events/{self.event['id']}/placements", {"name": "newsletter"}, self.session)
        assert placement.status == 201, placement
        self.placement = placement.json()
        sessions = self.call("GET", "/api/auth/sessions", token=self.session).json()["sessions"]
        self.spare_session_id = next(s["id"] for s in sessions if not s["current"])
        hook = self.call("POST", "/api/webhooks", {"url": hook_url, "events": ["event.created"]}, self.session)
        assert hook.status == 201, hook
        self.webhook = hook.json()
        self.spare_token = self.token("spare", ["events:read"])
        self.hook_url = hook_url

    def call(self, method: str, path: str, body=None, token: str | None = None, headers=None) -> Reply:
        return fetch(self.app.port, method, path, body=body, token=token, headers=headers)

    def login(self) -> str:
        reply = self.call("POST", "/api/auth/login", {"email": self.email, "password": PASSWORD})
        assert reply.status == 200, reply
        return reply.json()["token"]

    def token(self, name: str, scopes: list[str], expires_at: str | None = None) -> dict:
        body = {"name": name, "scopes": scopes}
        if expires_at is not None:
            body["expires_at"] = expires_at
        reply = self.call("POST", "/api/tokens", body, self.session)
        assert reply.status == 201, f"POST /api/tokens {body}: {reply}"
        return reply.json()

    def create_event(self, token: str, title: str) -> dict:
        reply = self.call("POST", "/api/events", event_body(title), token)
        assert reply.status == 201, reply
        return reply.json()


def event_body(title: str) -> dict:
    start = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) + timedelta(days=10)
    return {"title": title, "start_datetime": rfc3339(start), "end_datetime": rfc3339(start + timedelta(hours=1)),
            "timezone": "Europe/Warsaw", "webinar_url": "https://example.com/webinar"}


def start_serve(apps: Apps, backend) -> App:
    _, db, env = backend
    return apps.serve(db, env, "--webhooks-allow-private", "--webhook-timeout", "1", "--webhook-retry-base", "1",
                      trusted_proxy=False, metrics=False)


def assert_403(reply: Reply, what: str, title: str | None = None) -> None:
    assert reply.status == 403, f"{what}: expected 403, got {reply}"
    assert (reply.header("Content-Type") or "").startswith("application/problem+json"), f"{what}: {reply}"
    if title:
        assert reply.json().get("title") == title, f"{what}: title {reply.json().get('title')!r}, expected {title!r}"


# --------------------------------------------------------------------------------------------
# Life cycle
# --------------------------------------------------------------------------------------------


def test_token_lifecycle(apps, backend, receiver):
    app = start_serve(apps, backend)
    owner = Owner(app, receiver.url())
    other = Owner(app, receiver.url())

    created = owner.call("POST", "/api/tokens", {"name": "CRM sync", "scopes": ["events:read"], "expires_at": None},
                         owner.session)
    assert created.status == 201, created
    body = created.json()
    secret = body["token"]
    assert SECRET_RE.match(secret), secret
    assert set(body) == {"id", "name", "scopes", "created_at", "expires_at", "last_used_at", "token"}, body
    assert body["name"] == "CRM sync" and body["scopes"] == ["events:read"]
    assert body["expires_at"] is None and body["last_used_at"] is None

    listed = owner.call("GET", "/api/tokens", token=owner.session)
    assert listed.status == 200, listed
    assert secret.encode() not in listed.body and secret[4:].encode() not in listed.body
    entries = listed.json()["tokens"]
    assert all("token" not in t for t in entries)
    assert [t["id"] for t in entries][0] == body["id"], "newest first"
    assert secret.encode() not in owner.call("GET", "/api/account/export", token=owner.session).body

    # A script: no cookie, only the Bearer header.
    events = owner.call("GET", "/api/events", token=secret)
    assert events.status == 200, events
    assert [e["id"] for e in events.json()["events"]] == [owner.event["id"]]
    assert "Set-Cookie" not in events.headers
    me = owner.call("GET", "/api/auth/me", token=secret)
    assert me.status == 200 and me.json()["email"] == owner.email, me
    as_cookie = owner.call("GET", "/api/events", headers={"Cookie": f"attendify_session={secret}"})
    assert as_cookie.status == 401, f"an API token is not a session cookie: {as_cookie}"
    assert owner.call("GET", "/api/events", token="atf_" + "A" * 43).status == 401
    assert owner.call("GET", "/api/events", token=secret[:-1]).status == 401
    used = next(t for t in owner.call("GET", "/api/tokens", token=owner.session).json()["tokens"] if t["id"] == body["id"])
    assert used["last_used_at"] is not None, f"last_used_at after a use: {used}"

    # Only its owner can revoke it; then it stops at once.
    assert other.call("DELETE", f"/api/tokens/{body['id']}", token=other.session).status == 404
    assert owner.call("GET", "/api/events", token=secret).status == 200
    revoked = owner.call("DELETE", f"/api/tokens/{body['id']}", token=owner.session)
    assert revoked.status == 204, revoked
    assert owner.call("GET", "/api/events", token=secret).status == 401
    assert owner.call("GET", "/api/auth/me", token=secret).status == 401
    assert owner.call("DELETE", f"/api/tokens/{body['id']}", token=owner.session).status == 404

    # Expiring.
    soon = owner.token("short-lived", ["events:read"], rfc3339(datetime.now(timezone.utc) + timedelta(seconds=20)))
    assert soon["expires_at"] is not None
    assert owner.call("GET", "/api/events", token=soon["token"]).status == 200
    deadline = time.monotonic() + 120
    while owner.call("GET", "/api/events", token=soon["token"]).status != 401:
        assert time.monotonic() < deadline, "the token still works two minutes after it expired"
        time.sleep(1)
    assert datetime.now(timezone.utc) >= datetime.fromisoformat(soon["expires_at"].replace("Z", "+00:00")), \
        "401 before the token's expiry"

    # At most 50 (the spare token and the expired one count).
    count = len(owner.call("GET", "/api/tokens", token=owner.session).json()["tokens"])
    for n in range(50 - count):
        owner.token(f"bulk {n}", ["stats:read"])
    full = owner.call("POST", "/api/tokens", {"name": "one too many", "scopes": ["stats:read"]}, owner.session)
    assert full.status == 409, full
    assert len(owner.call("GET", "/api/tokens", token=owner.session).json()["tokens"]) == 50
    assert owner.call("DELETE", f"/api/tokens/{owner.spare_token['id']}", token=owner.session).status == 204
    assert owner.call("POST", "/api/tokens", {"name": "fits again", "scopes": ["stats:read"]}, owner.session).status == 201


# --------------------------------------------------------------------------------------------
# Scopes, route by route
# --------------------------------------------------------------------------------------------


def spec_operations() -> list[tuple[str, str, dict]]:
    spec = yaml.safe_load((REPO / "openapi.yaml").read_text())
    default_security = spec.get("security")
    found = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in WRITE_METHODS:
                continue
            security = operation.get("security", default_security)
            if security == []:
                continue  # public: register, login, password reset, confirmations
            found.append((method.upper(), path, operation))
    return found


def write_requests(owner: Owner) -> list[tuple[str, str, dict | None]]:
    """(method, concrete path, a body that would succeed) for every write operation of the spec."""
    event_id = owner.event["id"]
    ids = {
        "/api/auth/sessions/{id}": owner.spare_session_id,
        "/api/tokens/{id}": owner.spare_token["id"],
        "/api/webhooks/{id}": owner.webhook["id"],
    }
    bodies = {
        ("POST", "/api/events"): event_body("Should not exist"),
        ("PUT", "/api/events/{id}"): {"title": "Changed by a stats token"},
        ("POST", "/api/events/{id}/placements"): {"name": "should not exist"},
        ("POST", "/api/recurrence/preview"): {"start_datetime": "2030-01-07T10:00:00Z", "end_datetime": "2030-01-07T11:00:00Z",
                                              "timezone": "UTC", "recurrence": {"freq": "weekly", "count": 3}},
        ("PUT", "/api/settings/iframe"): {"iframe_defaults": {"theme": "dark"}},
        ("POST", "/api/auth/password"): {"current_password": PASSWORD, "new_password": "changed by a token 1"},
        ("POST", "/api/auth/email"): {"new_email": f"stolen-{uuid.uuid4().hex[:6]}@example.com", "password": PASSWORD},
        ("DELETE", "/api/account"): {"password": PASSWORD},
        ("POST", "/api/tokens"): {"name": "escalated", "scopes": SCOPES},
        ("POST", "/api/webhooks"): {"url": owner.hook_url, "events": ["event.created"]},
    }
    requests = []
    for method, path, _ in spec_operations():
        concrete = ids.get(path) and path.replace("{id}", str(ids[path])) or path
        concrete = concrete.replace("{id}", str(event_id)).replace("{placement}", str(owner.placement["id"]))
        assert "{" not in concrete, f"no real resource for {path}: extend write_requests"
        requests.append((method, concrete, bodies.get((method, path))))
    # The account's deletion last: if it were wrongly accepted, nothing after it would mean anything.
    requests.sort(key=lambda r: r[:2] == ("DELETE", "/api/account"))
    return requests


def snapshot(owner: Owner) -> dict:
    session = owner.session
    return {
        "event": owner.call("GET", f"/api/events/{owner.event['id']}", token=session).json(),
        "events": owner.call("GET", "/api/events", token=session).json()["total"],
        "placements": owner.call("GET", f"/api/events/{owner.event['id']}/placements", token=session).json(),
        "settings": owner.call("GET", "/api/settings/iframe", token=session).json(),
        "tokens": sorted(t["id"] for t in owner.call("GET", "/api/tokens", token=session).json()["tokens"]),
        "webhooks": sorted(w["id"] for w in owner.call("GET", "/api/webhooks", token=session).json()["webhooks"]),
        "sessions": sorted(s["id"] for s in owner.call("GET", "/api/auth/sessions", token=session).json()["sessions"]),
        "me": owner.call("GET", "/api/auth/me", token=session).json(),
    }


def test_a_stats_token_gets_403_on_every_write_route(apps, backend, receiver):
    app = start_serve(apps, backend)
    owner = Owner(app, receiver.url())
    stats = owner.token("stats only", ["stats:read"])["token"]
    before = snapshot(owner)
    requests = write_requests(owner)
    assert len(requests) >= 17, f"only {len(requests)} write routes found in openapi.yaml"
    tried = []
    for method, path, body in requests:
        reply = owner.call(method, path, body, token=stats)
        assert_403(reply, f"{method} {path} with a stats:read token")
        tried.append(f"{method} {path}")
    print("403 for:", *tried, sep="\n  ")
    assert snapshot(owner) == before, "a refused request changed something"
    assert owner.call("GET", "/api/auth/me", token=stats).status == 200, "the token itself still works"
    assert owner.call("GET", "/api/stats", token=stats).status == 200
    assert owner.call("GET", f"/api/events/{owner.event['id']}/stats", token=stats).status == 200
    csv = owner.call("GET", f"/api/events/{owner.event['id']}/stats?format=csv", token=stats)
    assert csv.status == 200 and csv.header("Content-Type").startswith("text/csv"), csv
    assert_403(owner.call("GET", "/api/events", token=stats), "GET /api/events with a stats:read token", "Insufficient scope")
    assert not receiver.records, "nothing changed, so no webhook was sent"


def test_an_events_read_token(apps, backend, receiver):
    app = start_serve(apps, backend)
    owner = Owner(app, receiver.url())
    read = owner.token("reader", ["events:read"])["token"]
    event_id = owner.event["id"]
    for path in ("/api/events", f"/api/events/{event_id}", f"/api/events/{event_id}/iframe-code",
                 f"/api/events/{event_id}/placements", f"/api/events/{event_id}/placements/{owner.placement['id']}",
                 "/api/settings/iframe", "/api/feed"):
        reply = owner.call("GET", path, token=read)
        assert reply.status == 200, f"GET {path} with events:read: {reply}"
    preview = owner.call("POST", "/api/recurrence/preview",
                         {"start_datetime": "2030-01-07T10:00:00Z", "end_datetime": "2030-01-07T11:00:00Z",
                          "timezone": "UTC", "recurrence": {"freq": "weekly", "count": 3}}, read)
    assert preview.status == 200, preview
    before = snapshot(owner)
    for method, path, body in write_requests(owner):
        if path == "/api/recurrence/preview":
            continue
        reply = owner.call(method, path, body, token=read)
        assert_403(reply, f"{method} {path} with an events:read token")
    for path in ("/api/stats", f"/api/events/{event_id}/stats", f"/api/events/{event_id}/stats?format=csv",
                 "/api/stats?format=csv"):
        assert_403(owner.call("GET", path, token=read), f"GET {path} with an events:read token", "Insufficient scope")
    detail = owner.call("GET", "/api/stats", token=read).json().get("detail", "")
    assert "stats:read" in detail, f"the detail names the missing scope: {detail!r}"
    assert snapshot(owner) == before


def test_an_events_write_token(apps, backend, receiver):
    app = start_serve(apps, backend)
    owner = Owner(app, receiver.url())
    write = owner.token("writer", ["events:write"])["token"]
    created = owner.call("POST", "/api/events", event_body("Made by a script"), write)
    assert created.status == 201, created
    event = created.json()
    updated = owner.call("PUT", f"/api/events/{event['id']}", {"title": "Changed by a script"}, write)
    assert updated.status == 200 and updated.json()["title"] == "Changed by a script", updated
    placement = owner.call("POST", f"/api/events/{event['id']}/placements", {"name": "script"}, write)
    assert placement.status == 201, placement
    assert owner.call("DELETE", f"/api/events/{event['id']}/placements/{placement.json()['id']}", token=write).status == 204
    cancelled = owner.call("POST", f"/api/events/{event['id']}/cancel", token=write)
    assert cancelled.status == 200 and cancelled.json()["status"] == "cancelled", cancelled
    settings = owner.call("PUT", "/api/settings/iframe", {"iframe_defaults": {"theme": "dark"}}, write)
    assert settings.status == 200, settings
    assert owner.call("DELETE", f"/api/events/{event['id']}", token=write).status == 204
    assert owner.call("GET", f"/api/events/{event['id']}", token=owner.session).status == 404
    widget = fetch(app.port, "GET", f"/widget/event/{event['public_id']}")
    assert widget.status == 404, "the deleted event's widget is gone"
    assert_403(owner.call("GET", "/api/stats", token=write), "stats with an events:write token", "Insufficient scope")


MANAGEMENT = [
    ("POST", "/api/auth/password", {"current_password": PASSWORD, "new_password": "changed by a token 1"}),
    ("POST", "/api/auth/email", {"new_email": "token-took@example.com", "password": PASSWORD}),
    ("GET", "/api/auth/sessions", None),
    ("DELETE", "/api/auth/sessions/{session}", None),
    ("GET", "/api/account/export", None),
    ("GET", "/api/account/export/clicks.csv", None),
    ("POST", "/api/tokens", {"name": "escalated", "scopes": SCOPES}),
    ("GET", "/api/tokens", None),
    ("DELETE", "/api/tokens/{token}", None),
    ("POST", "/api/webhooks", {"url": "{hook}", "events": ["event.created"]}),
    ("GET", "/api/webhooks", None),
    ("DELETE", "/api/webhooks/{webhook}", None),
    ("POST", "/api/auth/logout", None),
    ("DELETE", "/api/account", {"password": PASSWORD}),
]


def test_no_token_reaches_account_management(apps, backend, receiver):
    app = start_serve(apps, backend)
    owner = Owner(app, receiver.url())
    everything = owner.token("all scopes", SCOPES)["token"]
    before = snapshot(owner)
    for method, path, body in MANAGEMENT:
        path = (path.replace("{session}", str(owner.spare_session_id)).replace("{token}", str(owner.spare_token["id"]))
                .replace("{webhook}", str(owner.webhook["id"])))
        if body and body.get("url") == "{hook}":
            body = {**body, "url": owner.hook_url}
        assert_403(owner.call(method, path, body, token=everything), f"{method} {path} with an API token", "Session required")
    assert snapshot(owner) == before
    me = owner.call("GET", "/api/auth/me", token=everything)
    assert me.status == 200 and me.json()["email"] == owner.email
    session = owner.call("GET", "/api/auth/session", token=everything)
    assert session.status == 200 and session.json()["user"]["email"] == owner.email, session
    assert owner.call("GET", "/api/events", token=everything).status == 200, "logout with a token did not end it"
