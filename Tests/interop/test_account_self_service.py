"""Issue 15 acceptance tests, accounts that take care of themselves: password change, password
reset by mail, e-mail change confirmed by mail, the list of sessions and revoking them, and
hostile input on every new account, token and webhook route, against a real `attendify serve`
(SQLite and PostgreSQL) that sends its mail over SMTP to a real aiosmtpd on loopback
(Tests/pysupport/mail_sink.py). The contract is /tmp/issue15/SPEC.md as mirrored in openapi.yaml;
nothing here reads the implementation.

- test_password_change: the current password is required (403 on a wrong one, 422 for a short
  new one); afterwards every other session is 401, the one that changed it still works, the old
  password no longer logs in and the new one does; a "password changed" notice is mailed.
- test_password_reset_journey: 202 with byte-identical bodies for an existing and an unknown
  address; only the existing one gets a mail, whose text and HTML links are
  `{public URL}/?token=<43 chars>#/reset-password`; confirming works once (then 422 on `token`),
  garbage and expired tokens are 422, every session is 401 afterwards, the new password logs in;
  a password change voids a pending link.
- test_email_change_journey: the password is required (403), a taken address 409, an invalid one
  422; the confirmation mail goes to the NEW address (`#/confirm-email`), nothing changes until it
  is confirmed, then /api/auth/me shows it, login works with it (not with the old one), the old
  address gets a notice, and the link works once.
- test_sessions_list_and_revoke: newest first, exactly one `current`, no address or user-agent
  field; revoking another session makes its token 401 at once, another organizer's session id
  is 404, revoking the current one signs out and clears the cookie.
- test_hostile_input_on_new_routes: wrong types, unknown keys, missing fields, not-an-object,
  not JSON, the wrong media type, a body over 65,536 bytes, HTML/CRLF/emoji/oversized names and
  descriptions on every new route: always the documented 4xx (problem+json), never a 5xx; names
  are stored as given (no mark-up interpreted), length counts characters.

Run: ATTENDIFY_BIN=.build/debug/attendify .venv/bin/python -m pytest -q Tests/interop/test_account_self_service.py
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
import uuid
from pathlib import Path
from typing import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

import postgres_support as pg
from analytics_support import Apps, App
from attendify_nginx import Reply, fetch
from attendify_serve import REPO, database_for
from mail_sink import Mail, MailSink

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a much better passphrase 2"
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
MAIL_DEADLINE_S = 90.0


def mail_text(key: str, language: str = "en") -> str:
    """A string of the `mail` section of Panel/locales/{language}.json (the organizer's language)."""
    data = json.loads((REPO / "Panel" / "locales" / f"{language}.json").read_text())
    return data["mail"][key]


# --------------------------------------------------------------------------------------------
# Fixtures and a small client
# --------------------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request):
    db, env = database_for(request.param, request)
    yield request.param, db, env
    if db is not None:
        pg.drop_database(db, env["PGPASSWORD"])


@pytest.fixture
def sink() -> Iterator[MailSink]:
    with MailSink() as started:
        yield started


@pytest.fixture
def apps(request, tmp_path) -> Iterator[Apps]:
    failed_before = request.session.testsfailed
    started = Apps(tmp_path)
    yield started
    started.stop_all()
    if request.session.testsfailed > failed_before:
        started.dump()


class Client:
    def __init__(self, app: App):
        self.app = app
        self.port = app.port
        self.base = app.base

    def call(self, method: str, path: str, body=None, token: str | None = None,
             headers: dict[str, str] | None = None) -> Reply:
        return fetch(self.port, method, path, body=body, token=token, headers=headers)

    def register(self, email: str | None = None, password: str = PASSWORD, name: str = "Self Service") -> str:
        email = email or f"self-{uuid.uuid4().hex[:10]}@example.com"
        reply = self.call("POST", "/api/auth/register", {"email": email, "password": password, "full_name": name})
        assert reply.status == 201, f"register {email}: {reply}"
        return email

    def login(self, email: str, password: str = PASSWORD) -> str:
        reply = self.call("POST", "/api/auth/login", {"email": email, "password": password})
        assert reply.status == 200, f"login {email}: {reply}"
        return reply.json()["token"]

    def login_status(self, email: str, password: str) -> int:
        return self.call("POST", "/api/auth/login", {"email": email, "password": password}).status

    def me(self, token: str) -> Reply:
        return self.call("GET", "/api/auth/me", token=token)


def start(apps: Apps, backend, sink: MailSink | None, *extra: str) -> Client:
    _, db, env = backend
    flags = ["--mail-retry-base", "1", *extra]
    if sink is not None:
        flags = ["--smtp-url", sink.url, *flags]
    return Client(apps.serve(db, env, *flags, trusted_proxy=False, metrics=False))


def assert_problem(reply: Reply, status: int | tuple[int, ...], what: str) -> dict:
    statuses = status if isinstance(status, tuple) else (status,)
    assert reply.status in statuses, f"{what}: expected {statuses}, got {reply}"
    assert (reply.header("Content-Type") or "").startswith("application/problem+json"), f"{what}: {reply}"
    body = reply.json()
    assert body.get("status") == reply.status, f"{what}: {body}"
    return body


def field_errors(reply: Reply) -> set[str]:
    return {e.get("field") for e in reply.json().get("errors", [])}


def reset_link(mail: Mail, base: str, fragment: str) -> str:
    """The mail's link that carries the token: the same in the text and the HTML part."""
    text_links = [l for l in mail.text_links if "token=" in l]
    html_links = [l for l in mail.html_links if "token=" in l]
    assert text_links, f"no token link in the text part:\n{mail.text}"
    assert html_links, f"no token link in the HTML part:\n{mail.html}"
    link = text_links[0]
    assert link in html_links, f"text link {link} not among the HTML links {html_links}"
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}" == base, f"link {link} is not on the public URL {base}"
    assert parts.path in ("", "/"), link
    assert parts.fragment == fragment.lstrip("#"), f"link {link} has not the fragment {fragment}"
    token = parse_qs(parts.query)["token"][0]
    assert TOKEN_RE.match(token), f"token {token!r} is not 43 URL-safe characters"
    return token


# --------------------------------------------------------------------------------------------
# Password change
# --------------------------------------------------------------------------------------------


def test_password_change(apps, backend, sink):
    api = start(apps, backend, sink)
    email = api.register()
    current, other, third = (api.login(email) for _ in range(3))

    wrong = api.call("POST", "/api/auth/password", {"current_password": "not my password", "new_password": NEW_PASSWORD},
                     token=current)
    assert_problem(wrong, 403, "wrong current password")
    short = api.call("POST", "/api/auth/password", {"current_password": PASSWORD, "new_password": "short"}, token=current)
    assert_problem(short, 422, "a 5-character new password")
    assert "new_password" in field_errors(short), short
    missing = api.call("POST", "/api/auth/password", {"new_password": NEW_PASSWORD}, token=current)
    assert_problem(missing, 422, "no current password")
    assert api.me(other).status == 200, "a refused change must not sign anybody out"
    assert api.call("POST", "/api/auth/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}).status == 401

    changed = api.call("POST", "/api/auth/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
                       token=current)
    assert changed.status == 204, changed
    assert changed.body == b""
    assert api.me(current).status == 200, "the session that changed the password stays signed in"
    for token in (other, third):
        assert_problem(api.me(token), 401, "another session after the password change")
    assert api.login_status(email, PASSWORD) == 401, "the old password must no longer log in"
    assert api.login_status(email, NEW_PASSWORD) == 200

    notice = sink.wait_to(email, MAIL_DEADLINE_S)[0]
    assert notice.subject == mail_text("passwordChangedSubject"), notice.subject
    assert NEW_PASSWORD not in notice.raw.decode("utf-8", "replace")
    assert PASSWORD not in notice.raw.decode("utf-8", "replace")


# --------------------------------------------------------------------------------------------
# Password reset
# --------------------------------------------------------------------------------------------


def test_password_reset_journey(apps, backend, sink, tmp_path):
    api = start(apps, backend, sink)
    email = api.register()
    unknown = f"nobody-{uuid.uuid4().hex[:10]}@example.com"
    sessions = [api.login(email) for _ in range(2)]

    # Unknown first: the dispatcher sends in queue order, so had it been queued it would come first.
    for_unknown = api.call("POST", "/api/auth/password-reset", {"email": unknown})
    for_known = api.call("POST", "/api/auth/password-reset", {"email": email})
    assert for_unknown.status == for_known.status == 202, (for_unknown, for_known)
    assert for_unknown.body == for_known.body, "the answer must not tell whether the address exists"
    assert for_unknown.header("Content-Type") == for_known.header("Content-Type")
    assert set(for_known.json()) == {"message"} and isinstance(for_known.json()["message"], str)

    mail = sink.wait_to(email, MAIL_DEADLINE_S)[0]
    assert mail.subject == mail_text("resetSubject"), mail.subject
    assert {"text/plain", "text/html"} <= set(mail.content_types()), mail.content_types()
    token = reset_link(mail, api.base, "#/reset-password")
    assert not sink.to(unknown), "an unknown address must get no mail"
    assert email in mail.text, "the intro names the account's address"

    # Garbage and malformed tokens.
    for garbage in ("x" * 43, "", "not a token", token[:-1], token + "A"):
        reply = api.call("POST", "/api/auth/password-reset/confirm", {"token": garbage, "new_password": NEW_PASSWORD})
        assert_problem(reply, 422, f"confirm with {garbage!r}")
        assert "token" in field_errors(reply), reply
    short = api.call("POST", "/api/auth/password-reset/confirm", {"token": token, "new_password": "short"})
    assert_problem(short, 422, "a short new password")
    assert "new_password" in field_errors(short)

    confirmed = api.call("POST", "/api/auth/password-reset/confirm", {"token": token, "new_password": NEW_PASSWORD})
    assert confirmed.status == 204, confirmed
    assert "attendify_session=" not in (confirmed.header("Set-Cookie") or "") or "Max-Age=0" in confirmed.header("Set-Cookie"), \
        "confirming a reset must not sign in"
    for session in sessions:
        assert_problem(api.me(session), 401, "a session from before the reset")
    again = api.call("POST", "/api/auth/password-reset/confirm", {"token": token, "new_password": "yet another one 3"})
    assert_problem(again, 422, "the same token a second time")
    assert "token" in field_errors(again)
    assert api.login_status(email, PASSWORD) == 401
    assert api.login_status(email, NEW_PASSWORD) == 200, "the reset password (not the second try) is the one"

    # A password change voids a pending link.
    api.call("POST", "/api/auth/password-reset", {"email": email})
    pending = reset_link(sink.wait_for(lambda m: email in m.to and m.subject == mail_text("resetSubject"),
                                       MAIL_DEADLINE_S, count=2)[-1], api.base, "#/reset-password")
    session = api.login(email, NEW_PASSWORD)
    changed = api.call("POST", "/api/auth/password", {"current_password": NEW_PASSWORD, "new_password": PASSWORD}, token=session)
    assert changed.status == 204, changed
    voided = api.call("POST", "/api/auth/password-reset/confirm", {"token": pending, "new_password": NEW_PASSWORD})
    assert_problem(voided, 422, "a link from before a password change")

    # An expired token: its expiry moved into the past in the database (an hour is too long to wait).
    api.call("POST", "/api/auth/password-reset", {"email": email})
    stale = reset_link(sink.wait_for(lambda m: email in m.to and m.subject == mail_text("resetSubject"),
                                     MAIL_DEADLINE_S, count=3)[-1], api.base, "#/reset-password")
    expire_account_tokens(backend, tmp_path)
    expired = api.call("POST", "/api/auth/password-reset/confirm", {"token": stale, "new_password": NEW_PASSWORD})
    assert_problem(expired, 422, "an expired token")
    assert "token" in field_errors(expired)
    assert api.login_status(email, PASSWORD) == 200

    assert not sink.to(unknown), "still no mail for the unknown address"
    log = (tmp_path / "serve.log").read_text(errors="replace")
    for secret in (token, pending, stale, PASSWORD, NEW_PASSWORD, email):
        assert secret not in log, f"the log holds {secret!r}"


def expire_account_tokens(backend, root: Path) -> None:
    """Moves every mailed token's expiry (account_tokens, the column whose name has `expires`)
    an hour into the past, so the next confirm must see it expired."""
    name, db, env = backend
    past = int(time.time()) - 3600
    if name == "sqlite":
        with sqlite3.connect(root / "db.sqlite", timeout=30) as conn:
            columns = [row[1] for row in conn.execute("PRAGMA table_info(account_tokens)")]
            column = next((c for c in columns if "expires" in c), None)
            assert column, f"account_tokens has no expiry column: {columns}"
            conn.execute(f'UPDATE account_tokens SET "{column}" = ?', (past,))
    else:
        rows = pg.psql(db, "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'account_tokens'",
                       env["PGPASSWORD"])
        column = next((r for r in rows if "expires" in r[0]), None)
        assert column, f"account_tokens has no expiry column: {rows}"
        value = f"to_timestamp({past})" if "timestamp" in column[1] else str(past)
        pg.psql(db, f'UPDATE account_tokens SET "{column[0]}" = {value}', env["PGPASSWORD"])


# --------------------------------------------------------------------------------------------
# E-mail change
# --------------------------------------------------------------------------------------------


def test_email_change_journey(apps, backend, sink):
    api = start(apps, backend, sink)
    old = api.register()
    taken = api.register()
    new = f"moved-{uuid.uuid4().hex[:10]}@example.com"
    session = api.login(old)

    assert_problem(api.call("POST", "/api/auth/email", {"new_email": new, "password": "wrong password"}, token=session),
                   403, "e-mail change with a wrong password")
    assert_problem(api.call("POST", "/api/auth/email", {"new_email": taken, "password": PASSWORD}, token=session),
                   409, "e-mail change to a taken address")
    assert_problem(api.call("POST", "/api/auth/email", {"new_email": taken.upper(), "password": PASSWORD}, token=session),
                   409, "a taken address in other case")
    invalid = api.call("POST", "/api/auth/email", {"new_email": "not-an-address", "password": PASSWORD}, token=session)
    assert_problem(invalid, 422, "an invalid address")
    assert "new_email" in field_errors(invalid)
    assert api.call("POST", "/api/auth/email", {"new_email": new, "password": PASSWORD}).status == 401

    asked = api.call("POST", "/api/auth/email", {"new_email": new, "password": PASSWORD}, token=session)
    assert asked.status == 202, asked
    assert asked.json() == {"pending_email": new}
    assert api.me(session).json()["email"] == old, "nothing changes before the link is confirmed"
    assert api.login_status(new, PASSWORD) == 401

    mail = sink.wait_to(new, MAIL_DEADLINE_S)[0]
    assert mail.subject == mail_text("emailSubject"), mail.subject
    token = reset_link(mail, api.base, "#/confirm-email")
    assert not [m for m in sink.to(old) if m.subject == mail_text("emailSubject")], "the confirmation goes to the new address only"

    garbage = api.call("POST", "/api/auth/email/confirm", {"token": "A" * 43})
    assert_problem(garbage, 422, "confirm with a garbage token")
    assert "token" in field_errors(garbage)
    confirmed = api.call("POST", "/api/auth/email/confirm", {"token": token})
    assert confirmed.status == 200, confirmed
    user = confirmed.json()
    assert set(user) == {"id", "email", "full_name", "created_at"}, user
    assert user["email"] == new
    assert api.me(session).json()["email"] == new
    assert api.login_status(new, PASSWORD) == 200
    assert api.login_status(old, PASSWORD) == 401
    assert_problem(api.call("POST", "/api/auth/email/confirm", {"token": token}), 422, "the confirmation link a second time")

    notice = sink.wait_for(lambda m: old in m.to and m.subject == mail_text("emailChangedSubject"), MAIL_DEADLINE_S)[0]
    assert new in notice.text, "the notice names the new address"

    # The old address is free again, and another account may take it.
    assert api.call("POST", "/api/auth/register", {"email": old, "password": PASSWORD}).status == 201


# --------------------------------------------------------------------------------------------
# Sessions
# --------------------------------------------------------------------------------------------


def test_sessions_list_and_revoke(apps, backend, sink):
    api = start(apps, backend, None)
    email = api.register()
    first = api.login(email)
    time.sleep(1.1)  # distinct created_at seconds, so "newest first" is observable
    second = api.login(email)
    third = api.login(email)
    stranger = api.login(api.register())

    listed = api.call("GET", "/api/auth/sessions", token=second)
    assert listed.status == 200, listed
    sessions = listed.json()["sessions"]
    assert set(listed.json()) == {"sessions"}
    assert len(sessions) == 3, sessions
    for entry in sessions:
        assert set(entry) == {"id", "created_at", "expires_at", "current"}, f"unexpected fields (privacy): {entry}"
    assert [s["current"] for s in sessions].count(True) == 1
    created = [s["created_at"] for s in sessions]
    assert created == sorted(created, reverse=True), f"not newest first: {created}"
    assert sessions[-1]["created_at"] < sessions[0]["created_at"]
    current_id = next(s["id"] for s in sessions if s["current"])
    oldest_id = sessions[-1]["id"]  # `first`
    assert oldest_id != current_id

    stranger_ids = [s["id"] for s in api.call("GET", "/api/auth/sessions", token=stranger).json()["sessions"]]
    for bad in (*stranger_ids, 999999, 0, -1):
        assert_problem(api.call("DELETE", f"/api/auth/sessions/{bad}", token=second), 404, f"revoke session {bad}")
    assert_problem(api.call("DELETE", "/api/auth/sessions/abc", token=second), 404, "revoke session abc")
    assert api.me(stranger).status == 200

    revoked = api.call("DELETE", f"/api/auth/sessions/{oldest_id}", token=second)
    assert revoked.status == 204, revoked
    assert_problem(api.me(first), 401, "the revoked session")
    assert api.me(second).status == 200 and api.me(third).status == 200
    assert_problem(api.call("DELETE", f"/api/auth/sessions/{oldest_id}", token=second), 404, "revoking it twice")
    assert len(api.call("GET", "/api/auth/sessions", token=third).json()["sessions"]) == 2

    own = api.call("DELETE", f"/api/auth/sessions/{current_id}", token=second)
    assert own.status == 204, own
    cookie = own.header("Set-Cookie") or ""
    assert "attendify_session=" in cookie and "Max-Age=0" in cookie, f"the cookie must be cleared: {cookie!r}"
    assert_problem(api.me(second), 401, "the current session after revoking itself")
    assert api.me(third).status == 200


# --------------------------------------------------------------------------------------------
# Hostile input
# --------------------------------------------------------------------------------------------


BODY_ROUTES = [
    ("POST", "/api/auth/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}),
    ("POST", "/api/auth/password-reset", {"email": "someone@example.com"}),
    ("POST", "/api/auth/password-reset/confirm", {"token": "A" * 43, "new_password": NEW_PASSWORD}),
    ("POST", "/api/auth/email", {"new_email": "new@example.com", "password": "wrong password"}),
    ("POST", "/api/auth/email/confirm", {"token": "A" * 43}),
    ("DELETE", "/api/account", {"password": "wrong password"}),
    ("POST", "/api/tokens", {"name": "n", "scopes": ["events:read"]}),
    ("POST", "/api/webhooks", {"url": "https://hooks.example.invalid/x", "events": ["event.created"]}),
]


def wrong_types(body: dict) -> list[dict]:
    variants = []
    for key in body:
        for value in (None, 123, True, [], {}, 1.5):
            if isinstance(body[key], list) and value == []:
                continue
            variants.append({**body, key: value})
    return variants


def test_hostile_input_on_new_routes(apps, backend):
    api = start(apps, backend, None)
    email = api.register()
    token = api.login(email)

    for method, path, good in BODY_ROUTES:
        what = f"{method} {path}"
        for body in wrong_types(good):
            reply = api.call(method, path, body, token=token)
            assert_problem(reply, 422, f"{what} with {body}")
        assert_problem(api.call(method, path, {**good, "surprise": 1}, token=token), 422, f"{what} with an unknown key")
        for key in good:
            rest = {k: v for k, v in good.items() if k != key}
            assert_problem(api.call(method, path, rest, token=token), 422, f"{what} without {key}")
        for raw in (b"[1, 2]", b'"text"', b"null", b"{", b"not json", b"\xff\xfe"):
            reply = api.call(method, path, raw, token=token, headers={"Content-Type": "application/json"})
            assert_problem(reply, (400, 422), f"{what} with body {raw!r}")
        reply = api.call(method, path, json.dumps(good).encode(), token=token, headers={"Content-Type": "text/plain"})
        assert_problem(reply, 415, f"{what} as text/plain")
        huge = json.dumps({**good, "padding": "x" * 70_000}).encode()
        reply = api.call(method, path, huge, token=token, headers={"Content-Type": "application/json"})
        assert_problem(reply, 413, f"{what} with a 70 kB body")
        assert api.me(token).status == 200, f"{what}: the organizer must still be signed in (nothing was accepted)"

    # Token names: HTML is kept as text, CRLF refused or cleaned, emoji count as one character.
    # Problems are collected and reported together, so one run shows all of them.
    problems: list[str] = []
    names = {
        "<script>alert(1)</script>": (201,),
        "<b>bold</b> & \"quoted\"": (201,),
        "line\r\nbreak": (201, 422),
        "tab\there": (201, 422),
        "\u0000nul": (201, 422),
        "😀" * 100: (201,),
        "😀" * 101: (422,),
        "x" * 100: (201,),
        "x" * 101: (422,),
        "": (422,),
        "   ": (422,),
        "👩‍👩‍👧‍👦 family": (201,),
    }
    for name, allowed in names.items():
        reply = api.call("POST", "/api/tokens", {"name": name, "scopes": ["events:read"]}, token=token)
        if reply.status not in allowed:
            problems.append(f"token name {name!r}: expected {allowed}, got {reply.status} {reply.body[:200]!r}")
            continue
        if reply.status == 201:
            stored = reply.json()["name"]
            if any(c in stored for c in "\r\n\x00"):
                problems.append(f"token name {name!r} stored as {stored!r} (expected refused or cleaned to one line)")
            if name.startswith("<") and stored != name:
                problems.append(f"HTML must be stored as the text it is: {name!r} became {stored!r}")
        else:
            assert_problem(reply, 422, f"token name {name!r}")
    for scopes in ([], ["events:admin"], ["EVENTS:READ"], "events:read", [1]):
        assert_problem(api.call("POST", "/api/tokens", {"name": "s", "scopes": scopes}, token=token), 422, f"scopes {scopes!r}")
    for expires in ("2000-01-01T00:00:00Z", "tomorrow", "2999-13-01T00:00:00Z", 12345):
        assert_problem(api.call("POST", "/api/tokens", {"name": "e", "scopes": ["stats:read"], "expires_at": expires}, token=token),
                       422, f"expires_at {expires!r}")

    # Webhook URLs and descriptions.
    bad_urls = ["ftp://hooks.example.invalid/x", "hooks.example.invalid/x", "https://user:pw@hooks.example.invalid/x",
                "https://hooks.example.invalid/x#frag", "https://" + "a" * 2050 + ".invalid/", "", "javascript:alert(1)",
                "https://127.0.0.1/x", "https://localhost/x", "https://[::1]/x", "https://169.254.169.254/latest",
                "https://0.0.0.0/x", "https://[::ffff:127.0.0.1]/x", "http://hooks.example.invalid/x"]
    for url in bad_urls:
        reply = api.call("POST", "/api/webhooks", {"url": url, "events": ["event.created"]}, token=token)
        assert_problem(reply, 422, f"webhook url {url!r}")
    for events in ([], ["event.exploded"], "event.created", [None]):
        assert_problem(api.call("POST", "/api/webhooks", {"url": "https://hooks.example.invalid/x", "events": events}, token=token),
                       422, f"events {events!r}")
    for description, allowed in {"<img src=x onerror=alert(1)>": (201,), "d" * 200: (201,), "d" * 201: (422,),
                                 "🎉" * 200: (201,), "crlf\r\ninjected": (201, 422)}.items():
        reply = api.call("POST", "/api/webhooks", {"url": "https://hooks.example.invalid/x", "events": ["event.created"],
                                                   "description": description}, token=token)
        if reply.status not in allowed:
            problems.append(f"webhook description {description[:20]!r}: expected {allowed}, got {reply.status} {reply.body[:200]!r}")
        if reply.status == 201:
            if "\r" in (reply.json()["description"] or ""):
                problems.append(f"webhook description {description[:20]!r} stored with CR: {reply.json()['description']!r}")
            assert api.call("DELETE", f"/api/webhooks/{reply.json()['id']}", token=token).status == 204

    # Path ids that are not ids.
    for path in ("/api/tokens/abc", "/api/tokens/0", "/api/tokens/-5", "/api/tokens/99999999999999999999",
                 "/api/webhooks/abc", "/api/webhooks/0", "/api/auth/sessions/1.5", "/api/auth/sessions/%00"):
        assert_problem(api.call("DELETE", path, token=token), 404, f"DELETE {path}")

    log = (apps.root / "serve.log").read_text(errors="replace")
    assert "unhandled error" not in log and "unexpected HTTP error" not in log, log[-3000:]
    assert not problems, "\n".join(problems)
