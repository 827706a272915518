"""Issue 15 acceptance tests, mail delivery: every mail goes through a queue persisted in the
database, so a mail server that is down or refusing delays a mail but loses none, and without
`--smtp-url` mail lands as `.eml` files in the `--mail-dir` drop folder. Real `attendify serve`
(SQLite and PostgreSQL), a real aiosmtpd on loopback (Tests/pysupport/mail_sink.py), retries
with `--mail-retry-base 1`.

- test_a_mail_server_down_for_a_minute_loses_nothing: aiosmtpd stopped, a reset requested, a
  minute later aiosmtpd is back on the same port: the mail arrives, exactly once, and its link works.
- test_transient_refusals_then_accepted: the first three attempts get 451; the mail arrives once.
- test_mail_dir_drop_in_the_organizers_language: no --smtp-url; the organizer's widget language is
  de; the reset mail is one parseable RFC 5322 `.eml` (no temporary file left), multipart/
  alternative with text and HTML parts, UTF-8, the German subject of Panel/locales/de.json and
  the link in both parts; with the default folder (./data/mail) and with --mail-dir.
- Every test: the server log holds no token, password or recipient address.

Waiting is polling with generous deadlines; the one fixed wait is the minute the server is down.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Iterator

import pytest

import postgres_support as pg
from analytics_support import App, Apps
from attendify_nginx import Reply, fetch
from attendify_serve import REPO, database_for
from mail_sink import Mail, MailSink, parse_eml

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a much better passphrase 2"
DOWN_FOR_S = 60.0
# Back-off with base 1 s doubles per attempt (1, 2, 4, … s, capped at 5 min): after a minute down
# the next attempt is at most about a minute away. Generous: a busy machine may be slow too.
ARRIVAL_DEADLINE_S = 400.0


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


def call(app: App, method: str, path: str, body=None, token: str | None = None) -> Reply:
    return fetch(app.port, method, path, body=body, token=token)


def mail_text(key: str, language: str = "en") -> str:
    return json.loads((REPO / "Panel" / "locales" / f"{language}.json").read_text())["mail"][key]


def organizer(app: App) -> str:
    email = f"mail-{uuid.uuid4().hex[:10]}@example.com"
    reply = call(app, "POST", "/api/auth/register", {"email": email, "password": PASSWORD, "full_name": "Mail Tester"})
    assert reply.status == 201, reply
    return email


def request_reset(app: App, email: str) -> None:
    reply = call(app, "POST", "/api/auth/password-reset", {"email": email})
    assert reply.status == 202, reply


def assert_log_clean(app: App, *secrets: str) -> None:
    log = app.log_text()
    for secret in secrets:
        if secret:
            assert secret not in log, f"the server log holds {secret!r}"


def assert_link_works(app: App, mail: Mail, email: str) -> str:
    token = mail.token()
    assert token, f"no token link in:\n{mail.text}"
    assert f"{app.base}/?token={token}#/reset-password" in mail.text
    confirmed = call(app, "POST", "/api/auth/password-reset/confirm", {"token": token, "new_password": NEW_PASSWORD})
    assert confirmed.status == 204, confirmed
    login = call(app, "POST", "/api/auth/login", {"email": email, "password": NEW_PASSWORD})
    assert login.status == 200, login
    return token


def test_a_mail_server_down_for_a_minute_loses_nothing(apps, backend):
    _, db, env = backend
    sink = MailSink().start()
    try:
        app = apps.serve(db, env, "--smtp-url", sink.url, "--mail-retry-base", "1", trusted_proxy=False, metrics=False)
        email = organizer(app)
        port = sink.port
        sink.stop()
        down_since = time.monotonic()
        request_reset(app, email)
        time.sleep(DOWN_FOR_S)
        assert not sink.messages, "nothing can have arrived while the server was down"
        sink.start()
        assert sink.port == port
        mail = sink.wait_to(email, ARRIVAL_DEADLINE_S)[0]
        print(f"arrived {time.monotonic() - down_since:.0f} s after the request")
        assert mail.subject == mail_text("resetSubject")
        # A few more retry periods: no second copy follows.
        time.sleep(8)
        assert len(sink.to(email)) == 1, [m.subject for m in sink.to(email)]
        token = assert_link_works(app, mail, email)
        assert_log_clean(app, token, email, PASSWORD, NEW_PASSWORD)
    finally:
        sink.stop()


def test_transient_refusals_then_accepted(apps, backend):
    _, db, env = backend
    with MailSink() as sink:
        app = apps.serve(db, env, "--smtp-url", sink.url, "--mail-retry-base", "1", trusted_proxy=False, metrics=False)
        email = organizer(app)
        sink.refuse_next(3)
        request_reset(app, email)
        mail = sink.wait_to(email, ARRIVAL_DEADLINE_S)[0]
        assert sink.refused == 3, f"refused {sink.refused} attempts"
        time.sleep(8)
        assert len(sink.to(email)) == 1, "accepted once, delivered once"
        assert sink.attempts == 4, f"{sink.attempts} DATA attempts for one mail refused three times"
        token = assert_link_works(app, mail, email)
        assert_log_clean(app, token, email, PASSWORD, NEW_PASSWORD)


@pytest.mark.parametrize("folder", ["default", "explicit"])
def test_mail_dir_drop_in_the_organizers_language(apps, backend, folder, tmp_path):
    _, db, env = backend
    extra = ["--mail-retry-base", "1"]
    if folder == "explicit":
        drop = tmp_path / "outgoing mail"
        extra += ["--mail-dir", str(drop)]
    else:
        # The default: mail/ beside a SQLite database (./data/mail for the default ./data one),
        # ./data/mail in the working directory with PostgreSQL.
        drop = apps.root / "mail" if db is None else apps.root / "data" / "mail"
    app = apps.serve(db, env, *extra, trusted_proxy=False, metrics=False)
    email = organizer(app)
    login = call(app, "POST", "/api/auth/login", {"email": email, "password": PASSWORD})
    session = login.json()["token"]
    settings = call(app, "PUT", "/api/settings/iframe", {"iframe_defaults": {"language": "de"}}, token=session)
    assert settings.status == 200, settings
    request_reset(app, email)

    deadline = time.monotonic() + ARRIVAL_DEADLINE_S
    while not (drop.exists() and list(drop.glob("*.eml"))):
        assert time.monotonic() < deadline, f"no .eml in {drop}: {list(drop.iterdir()) if drop.exists() else 'missing'}"
        time.sleep(0.2)
    time.sleep(2)
    files = sorted(drop.iterdir())
    emls = [f for f in files if f.suffix == ".eml"]
    assert len(emls) == 1, f"one mail, one file: {files}"
    assert files == emls, f"temporary files left beside the mail: {files}"
    mail = parse_eml(emls[0])
    assert email in (mail.header("To") or ""), mail.header("To")
    assert mail.header("From"), "a From header"
    assert mail.header("Date") and mail.header("Message-ID"), "RFC 5322 Date and Message-ID"
    assert mail.message.get_content_type() == "multipart/alternative", mail.content_types()
    assert {"text/plain", "text/html"} <= set(mail.content_types())
    for part in mail.message.walk():
        if part.get_content_maintype() == "text":
            assert (part.get_content_charset() or "").lower() == "utf-8", part.get_content_charset()
    assert mail.subject == mail_text("resetSubject", "de"), f"subject {mail.subject!r}"
    assert mail_text("resetAction", "de") in mail.html
    assert mail_text("resetExpiry", "de") in mail.text
    token = mail.token()
    link = f"{app.base}/?token={token}#/reset-password"
    assert link in mail.text and link in mail.html_links, (mail.text, mail.html_links)
    assert_link_works(app, mail, email)
    assert_log_clean(app, token, email, PASSWORD, NEW_PASSWORD)
