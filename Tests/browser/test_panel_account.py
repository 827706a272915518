"""The account's self-service and the integrations in the panel (issue 15), in a real browser
(headless Chromium + Selenium, desktop user agent) against a live `attendify serve` whose mail
goes to a real SMTP server (aiosmtpd, PyPI) on loopback and whose webhooks may target loopback
(`--webhooks-allow-private`). One server, one mail server and one browser for the module; each
test has its own organizer.

1. Password reset, the whole journey: the sign-in screen's "Forgot your password?", the address
   sent (an unknown address gets the same sentence), the mail at the SMTP server (text and HTML
   parts carry the same link, its query `token=`), the link opened: the token is gone from the
   address bar and from every history entry; a repeat that differs is refused next to the field;
   the new password saved leads to the sign-in screen, where it works (the old one fails through
   the API); the same link again says it is invalid and offers a new one. axe-core on the forgot
   and reset screens.
2. E-mail change on the account screen: a wrong password is refused next to its field; then
   "check your inbox at NEW", the confirmation mail to the new address, its link opened shows
   the new address, /api/auth/me says it, and the old address gets the notice.
3. Password change (a wrong current password refused next to the field) and sessions: the
   browser's session and an API login listed, "This session" marked in words, the API session
   revoked from the browser (its token then gets 401), the password changed (the old one fails),
   and revoking this session (after the dialog) signs the browser out.
4. API tokens: refused without a scope (client side), created with `events:read`, its secret
   shown once with its warning and focus on it; it works as Bearer for GET /api/events and gets
   403 on POST; after a reload the secret is nowhere on the page; revoked after the dialog, it
   gets 401.
5. Webhooks: created for http://127.0.0.1 (a receiver in this test), the signing secret shown
   once, the signature scheme explained; an event created through the API is delivered to the
   receiver signed with that secret (`Attendify-Signature: t=…,v1=HMAC-SHA256(secret, "t.body")`);
   the list says "Delivered"; deleted after the dialog.
6. Export and deletion: the account screen's two plain links download the JSON export (the
   organizer and their event, no secret) and the clicks CSV (its header row); deletion is refused
   without the tick; then done, the browser is signed out, the login fails and the widget of the
   organizer's event is 404.
7. axe-core (WCAG 2.0/2.1 A and AA, best practices) on the account and integrations screens
   (with both secrets showing; the latter in the dark scheme too) in English and Arabic (right to
   left), and on the forgot-password screen; at 360 px neither screen scrolls sideways.

Screenshots go to ATTENDIFY_SCREENSHOTS/account (or a temp folder, printed as "screenshots:").
Every SEVERE console entry must be one of the deliberately refused requests (IGNORED_CONSOLE).

Run: ATTENDIFY_BIN=.build/debug/attendify .venv/bin/python -m pytest -q -s Tests/browser/test_panel_account.py
"""

from __future__ import annotations

import hashlib
import hmac
import http.server
import importlib.util
import json
import re
import threading
import time
import urllib.error
import urllib.request
from datetime import date, timedelta

import pytest
from attendify_serve import running_serve
from panel_support import (
    PANEL, USER_AGENT, Journey, axe_source, axe_violations, browser_binaries, check_console, format_violations,
    page_fetch, start_chromium, unavailable, wait_for,
)

SCREENSHOT_SUBFOLDER = "account"
PASSWORD = "correct horse battery staple"
RESET_SENT = "If an account exists for that address, we have sent a link."
LINK_INVALID = "This link is invalid, used or expired."


def _refused(path: str, *statuses: int):
    pattern = re.compile(re.escape(path) + r"\S*\s.*\b(" + "|".join(map(str, statuses)) + r")\b")
    return lambda step, entry: pattern.search(entry.get("message", "")) is not None


# Chromium logs every 4xx response as SEVERE; these are the ones the tests cause on purpose.
IGNORED_CONSOLE = [
    ("the reused reset link (422)", _refused("/api/auth/password-reset/confirm", 422)),
    ("the wrong password for the e-mail change (403)", _refused("/api/auth/email", 403)),
    ("the wrong current password (403)", _refused("/api/auth/password", 403)),
    ("a signed-out screen asking for its data (401)", _refused("/api/", 401)),
]


# --------------------------------------------------------------------------------------------
# Fixtures: one mail server, one server, one browser for the module
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mailbox():
    """The suite's real SMTP server (Tests/pysupport/mail_sink.py: aiosmtpd on loopback)."""
    if importlib.util.find_spec("aiosmtpd") is None:
        unavailable("aiosmtpd is not installed (.venv/bin/python -m pip install aiosmtpd)")
    from mail_sink import MailSink

    with MailSink() as sink:
        yield sink


@pytest.fixture(scope="module")
def server(tmp_path_factory, mailbox):
    browser_binaries()  # skip (fail in CI) before the server starts when there is no browser
    work = tmp_path_factory.mktemp("account-serve")
    with running_serve(work, "--panel", str(PANEL), "--smtp-url", mailbox.url, "--webhooks-allow-private",
                       "--mail-retry-base", "1") as (base, log_path):
        yield base, log_path


@pytest.fixture(scope="module")
def axe():
    return axe_source()


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    chromium, chromedriver = browser_binaries()
    downloads = tmp_path_factory.mktemp("account-downloads")
    browser = start_chromium(chromium, chromedriver, downloads)
    browser.downloads = downloads  # the folder the export links download into
    yield browser
    browser.quit()


@pytest.fixture
def journey(request, driver, server, screenshots):
    """A fresh journey: no cookie, no stored language, English; the console is checked after.
    Each test's screenshots go to a folder of its own (the numbers restart per test)."""
    base, _ = server
    driver.get(f"{base}/privacy.html")
    driver.delete_all_cookies()
    driver.execute_script("localStorage.clear(); sessionStorage.clear();")
    shots = screenshots / re.sub(r"[^A-Za-z0-9]+", "-", request.node.name).strip("-")
    shots.mkdir(exist_ok=True)
    for old in shots.glob("[0-9][0-9]-*.png"):
        old.unlink()
    trip = Journey(driver, base, shots)
    started = time.monotonic()
    yield trip
    trip.finish_step()
    check_console(trip, IGNORED_CONSOLE, started)


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def call(base: str, method: str, path: str, body: dict | None = None, token: str | None = None) -> tuple[int, dict | str]:
    """(status, decoded JSON or text) of an API request from outside the browser."""
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(f"{base}{path}", method=method, headers=headers,
                                     data=json.dumps(body).encode() if body is not None else None)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            status, raw = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read().decode()
    try:
        return status, json.loads(raw) if raw else {}
    except json.JSONDecodeError:
        return status, raw


def register(base: str, label: str) -> str:
    email = f"{label}-{time.time_ns()}@example.com"
    status, answer = call(base, "POST", "/api/auth/register", {"email": email, "password": PASSWORD, "full_name": label.title()})
    assert status == 201, (status, answer)
    return email


def api_login(base: str, email: str, password: str) -> tuple[int, dict | str]:
    return call(base, "POST", "/api/auth/login", {"email": email, "password": password})


def browser_sign_in(journey: Journey, email: str, password: str = PASSWORD) -> None:
    journey.go("#/signin")
    journey.type_into("#signin-email", email)
    journey.type_into("#signin-password", password)
    journey.find("#signin-submit").click()
    wait_for("the events screen after signing in", lambda: journey.hash() == "#/events")
    journey.visible("#nav-account")


def browser_api(driver, method: str, path: str, body: dict | None = None) -> dict:
    result = page_fetch(driver, method, path, body)
    assert 200 <= result["status"] < 300, f"{method} {path} -> {result['status']}: {result['text'][:400]}"
    return json.loads(result["text"]) if result["text"] else {}


def mail_about(mailbox, address: str, subject: str, timeout: float = 60.0):
    """The first mail to `address` whose subject contains `subject` (waits up to `timeout`)."""
    return mailbox.wait_for(lambda m: address.lower() in m.to.lower() and subject in m.subject, deadline_s=timeout)[0]


def link_in(mail, route: str) -> str:
    """The mail's link to `route`; the plain and the HTML part must carry the same one."""
    plain, html = mail.text, mail.html
    pattern = re.compile(r"https?://[^\s\"'<>]+\?token=[A-Za-z0-9_-]{43}#/" + re.escape(route))
    links = pattern.findall(plain)
    assert links, f"no #/{route} link with token= in the plain text:\n{plain}"
    html_links = [link.replace("&amp;", "&") for link in pattern.findall(html.replace("&amp;", "&"))]
    assert links[0] in html_links, f"the HTML part lacks {links[0]}:\n{html}"
    return links[0]


def history_urls(driver) -> list[str]:
    """Every entry of the tab's history (Chrome DevTools: the page itself cannot read them)."""
    return [entry["url"] for entry in driver.execute_cdp_cmd("Page.getNavigationHistory", {})["entries"]]


def active_id(driver) -> str:
    return driver.execute_script("return document.activeElement && document.activeElement.id")


def text(journey: Journey, css: str) -> str:
    return " ".join(journey.find(css).text.split())


def confirm_dialog(journey: Journey) -> None:
    wait_for("the confirmation dialog", lambda: journey.driver.execute_script("return document.getElementById('confirm-dialog').open"))
    assert active_id(journey.driver) == "confirm-no", "the dialog's safe answer does not have focus"
    journey.find("#confirm-yes").click()
    wait_for("the dialog to close", lambda: not journey.driver.execute_script("return document.getElementById('confirm-dialog').open"))


def check_axe(driver, axe: str, name: str) -> None:
    violations = axe_violations(driver, axe)
    print(f"   axe-core on {name}: {len(violations)} violations")
    assert not violations, f"axe-core on {name}:\n{format_violations(violations)}"


def set_language(journey: Journey, code: str) -> None:
    from selenium.webdriver.support.ui import Select

    Select(journey.find("#language-select")).select_by_value(code)
    wait_for(f"the panel in {code}", lambda: journey.driver.execute_script("return document.documentElement.lang") == code)


def locale_panel(code: str) -> dict:
    return json.loads((PANEL / "locales" / f"{code}.json").read_text(encoding="utf-8"))["panel"]


# --------------------------------------------------------------------------------------------
# 1. Password reset
# --------------------------------------------------------------------------------------------


def test_password_reset_journey(journey, server, mailbox, axe):
    base, _ = server
    driver = journey.driver
    email = register(base, "reset")

    journey.step("sign-in screen: forgot your password")
    journey.go("#/signin")
    link = journey.visible("#forgot-password-link")
    assert link.text == "Forgot your password?"
    link.click()
    wait_for("the forgot-password screen", lambda: journey.hash() == "#/forgot-password")
    journey.visible("#forgot-form")
    assert active_id(driver) == "forgot-email"
    check_axe(driver, axe, "the forgot-password screen")

    journey.step("forgot: an unknown address gets the same answer")
    journey.type_into("#forgot-email", f"nobody-{time.time_ns()}@example.com")
    journey.find("#forgot-submit").click()
    wait_for("the confirmation sentence", lambda: text(journey, "#forgot-result") == RESET_SENT)
    assert journey.find("#forgot-result").get_attribute("aria-live") == "polite"

    journey.step("forgot: the account's address")
    journey.type_into("#forgot-email", email)
    journey.find("#forgot-submit").click()
    wait_for("the confirmation sentence", lambda: text(journey, "#forgot-result") == RESET_SENT)
    journey.screenshot("forgot-sent")

    journey.step("the reset mail at the SMTP server")
    message = mail_about(mailbox, email, "Reset your Attendify password")
    reset_link = link_in(message, "reset-password")
    token = re.search(r"token=([A-Za-z0-9_-]+)", reset_link).group(1)
    print(f"   reset link: {reset_link.replace(token, '…')}")
    assert reset_link.startswith(f"{base}/?token=")
    assert email in message.text and "one hour" in message.text

    journey.step("the link opened: the token leaves the address bar and the history")
    driver.get(reset_link)
    journey.visible("#reset-form")
    assert journey.hash() == "#/reset-password"
    assert "token" not in driver.current_url, driver.current_url
    assert not [url for url in history_urls(driver) if token in url], history_urls(driver)
    assert active_id(driver) == "reset-new-password"
    check_axe(driver, axe, "the reset-password screen")

    journey.step("reset: a repeat that differs is refused next to it")
    new_password = "a brand new passphrase 42"
    journey.type_into("#reset-new-password", new_password)
    journey.type_into("#reset-repeat-password", new_password + "!")
    journey.find("#reset-submit").click()
    wait_for("the repeat's message", lambda: text(journey, "#error-repeat_password") == "The two passwords differ.")
    assert active_id(driver) == "reset-repeat-password"
    assert journey.find("#reset-repeat-password").get_attribute("aria-invalid") == "true"

    journey.step("reset: the new password saved")
    journey.type_into("#reset-repeat-password", new_password)
    journey.find("#reset-submit").click()
    wait_for("the sign-in screen after the reset", lambda: journey.hash() == "#/signin")
    wait_for("the toast", lambda: "password has been changed" in journey.find("#toast").text)
    journey.visible("#signin-form")

    journey.step("sign in with the new password; the old one fails")
    status, _ = api_login(base, email, PASSWORD)
    assert status == 401, f"the old password still signs in ({status})"
    journey.type_into("#signin-email", email)
    journey.type_into("#signin-password", new_password)
    journey.find("#signin-submit").click()
    wait_for("the events screen", lambda: journey.hash() == "#/events")

    journey.step("the same link again: invalid, with the way to a new one")
    driver.get(reset_link)
    journey.visible("#reset-form")
    assert "token" not in driver.current_url
    journey.type_into("#reset-new-password", "yet another passphrase")
    journey.type_into("#reset-repeat-password", "yet another passphrase")
    journey.find("#reset-submit").click()
    notice = wait_for("the invalid-link notice", lambda: journey.find("#reset-invalid"))
    assert LINK_INVALID in " ".join(notice.text.split())
    again = journey.find("#reset-invalid-request")
    assert again.get_attribute("href").endswith("#/forgot-password")
    assert active_id(driver) == "reset-invalid-request"
    journey.screenshot("reset-link-used")
    status, _ = api_login(base, email, "yet another passphrase")
    assert status == 401, "a used link set a password"

    journey.step("the reset screen without a token")
    journey.go("#/signin")
    journey.go("#/reset-password")
    assert "needs the link from your e-mail" in text(journey, "#reset-invalid")


# --------------------------------------------------------------------------------------------
# 2. E-mail change
# --------------------------------------------------------------------------------------------


def test_change_email_through_the_account_screen(journey, server, mailbox, axe):
    base, _ = server
    driver = journey.driver
    old = register(base, "change")
    new = f"renamed-{time.time_ns()}@example.org"
    browser_sign_in(journey, old)

    journey.step("account screen")
    journey.find("#nav-account").click()
    wait_for("the account screen", lambda: journey.hash() == "#/account")
    journey.visible("#email-form")
    assert text(journey, "#account-email") == old
    assert journey.find("#nav-account").get_attribute("aria-current") == "page"
    journey.screenshot("account")

    journey.step("e-mail change: a wrong password")
    journey.type_into("#new-email", new)
    journey.type_into("#email-password", "not my password")
    journey.find("#email-submit").click()
    wait_for("the password's message", lambda: text(journey, "#error-email-password") == "The password is wrong.")
    assert active_id(driver) == "email-password"

    journey.step("e-mail change: sent")
    journey.type_into("#email-password", PASSWORD)
    journey.find("#email-submit").click()
    status = wait_for("check your inbox", lambda: (lambda s: s if "Check your inbox at" in s else None)(text(journey, "#email-status")))
    assert text(journey, "#pending-email") == new, status
    assert browser_api(driver, "GET", "/api/auth/me")["email"] == old, "the address changed before the confirmation"

    journey.step("the confirmation mail to the new address")
    message = mail_about(mailbox, new, "Confirm your new e-mail address")
    confirm_link = link_in(message, "confirm-email")
    token = re.search(r"token=([A-Za-z0-9_-]+)", confirm_link).group(1)
    assert new in message.text

    journey.step("the link opened")
    driver.get(confirm_link)
    wait_for("the confirmed address", lambda: text(journey, "#confirmed-email") == new)
    assert "token" not in driver.current_url
    assert not [url for url in history_urls(driver) if token in url]
    assert browser_api(driver, "GET", "/api/auth/me")["email"] == new
    journey.screenshot("email-confirmed")

    journey.step("the notice to the old address")
    notice = mail_about(mailbox, old, "e-mail address was changed")
    assert new in notice.text
    journey.go("#/account")
    wait_for("the new address on the account screen", lambda: text(journey, "#account-email") == new)


# --------------------------------------------------------------------------------------------
# 3. Password change and sessions
# --------------------------------------------------------------------------------------------


def test_password_change_and_sessions(journey, server, mailbox):
    base, _ = server
    driver = journey.driver
    email = register(base, "sessions")
    status, login = api_login(base, email, PASSWORD)
    assert status == 200, login
    api_token = login["token"]
    assert call(base, "GET", "/api/auth/me", token=api_token)[0] == 200
    browser_sign_in(journey, email)

    journey.step("sessions: both listed")
    journey.go("#/account")
    rows = wait_for("two sessions", lambda: (lambda r: r if len(r) == 2 else None)(
        driver.find_elements("css selector", "#sessions-list li[data-session-id]")))
    current = [row for row in rows if row.get_attribute("data-current") == "true"]
    other = [row for row in rows if row.get_attribute("data-current") == "false"]
    assert len(current) == 1 and len(other) == 1
    assert "This session" in current[0].text
    assert current[0].find_elements("css selector", "time[datetime]"), "the dates are not <time> elements"
    journey.screenshot("sessions")

    journey.step("sessions: the API's revoked from the browser")
    other_id = other[0].get_attribute("data-session-id")
    journey.find(f"#revoke-session-{other_id}").click()
    wait_for("one session left", lambda: len(driver.find_elements("css selector", "#sessions-list li[data-session-id]")) == 1)
    assert call(base, "GET", "/api/auth/me", token=api_token)[0] == 401, "the revoked session still works"

    journey.step("password change: a wrong current password")
    new_password = "changed passphrase 2024"
    journey.type_into("#current-password", "wrong wrong wrong")
    journey.type_into("#new-password", new_password)
    journey.type_into("#repeat-password", new_password)
    journey.find("#password-submit").click()
    wait_for("the current password's message", lambda: text(journey, "#error-current_password") == "The current password is wrong.")
    assert active_id(driver) == "current-password"

    journey.step("password change: done")
    status, second = api_login(base, email, PASSWORD)
    assert status == 200
    journey.type_into("#current-password", PASSWORD)
    journey.type_into("#new-password", new_password)
    journey.type_into("#repeat-password", new_password)
    journey.find("#password-submit").click()
    wait_for("the toast", lambda: "Password changed" in journey.find("#toast").text)
    assert call(base, "GET", "/api/auth/me", token=second["token"])[0] == 401, "another session outlived the change"
    assert api_login(base, email, PASSWORD)[0] == 401
    status, third = api_login(base, email, new_password)
    assert status == 200

    journey.step("sessions: revoking this one signs out")
    # The list was reloaded after the change: only this session is left.
    wait_for("this session alone", lambda: len(driver.find_elements("css selector", "#sessions-list li[data-session-id]")) == 1)
    mine = wait_for("this session's row", lambda: journey.find("#sessions-list li[data-current='true']"))
    journey.find(f"#revoke-session-{mine.get_attribute('data-session-id')}").click()
    confirm_dialog(journey)
    wait_for("the sign-in screen", lambda: journey.hash() == "#/signin")
    assert page_fetch(driver, "GET", "/api/auth/me")["status"] == 401
    assert call(base, "GET", "/api/auth/me", token=third["token"])[0] == 200, "another session was revoked too"

    journey.step("the password-changed notice")
    notice = mail_about(mailbox, email, "password was changed")
    assert email in notice.text


# --------------------------------------------------------------------------------------------
# 4. API tokens
# --------------------------------------------------------------------------------------------


def test_api_tokens(journey, server, axe):
    base, _ = server
    driver = journey.driver
    email = register(base, "tokens")
    browser_sign_in(journey, email)

    journey.step("integrations screen")
    journey.find("#nav-integrations").click()
    wait_for("the integrations screen", lambda: journey.hash() == "#/integrations")
    journey.visible("#token-form")
    journey.visible("#tokens-empty")

    journey.step("token: no scope is refused")
    journey.type_into("#token-name", "CRM sync")
    journey.find("#token-submit").click()
    wait_for("the scopes' message", lambda: text(journey, "#error-token-scopes") == "Choose at least one scope.")
    assert active_id(driver) == "token-scope-events_read"

    journey.step("token: created, the secret shown once")
    journey.find("#token-scope-events_read").click()
    expiry = (date.today() + timedelta(days=30)).isoformat()
    journey.set_value("#token-expires", expiry)
    journey.find("#token-submit").click()
    field = journey.visible("#token-secret")
    secret = field.get_attribute("value")
    assert re.fullmatch(r"atf_[A-Za-z0-9_-]{43}", secret), secret
    assert field.get_attribute("readonly") is not None
    assert active_id(driver) == "token-secret", "focus did not move to the new secret"
    assert "will not be shown again" in text(journey, "#token-secret-hint")
    assert "token-secret-hint" in field.get_attribute("aria-describedby")
    journey.find("#copy-token-secret")
    row = journey.find("#tokens-list li[data-token-id]")
    assert "CRM sync" in row.text and "Read events" in row.text and "not yet" in row.text
    token_id = row.get_attribute("data-token-id")
    journey.screenshot("token-created")
    check_axe(driver, axe, "the integrations screen with a new token")

    journey.step("token: works as Bearer, within its scope")
    status, events = call(base, "GET", "/api/events", token=secret)
    assert status == 200, events
    status, refused = call(base, "POST", "/api/events", {"title": "x"}, token=secret)
    assert status == 403, (status, refused)
    listed = browser_api(driver, "GET", "/api/tokens")["tokens"]
    assert [t["name"] for t in listed] == ["CRM sync"] and listed[0]["expires_at"], listed

    journey.step("token: not shown after a reload")
    driver.refresh()
    journey.visible("#tokens-list li[data-token-id]")
    assert not driver.find_elements("css selector", "#token-secret")
    assert secret not in driver.page_source

    journey.step("token: revoked")
    journey.find(f"#revoke-token-{token_id}").click()
    confirm_dialog(journey)
    journey.visible("#tokens-empty")
    wait_for("the toast", lambda: "revoked" in journey.find("#toast").text)
    assert call(base, "GET", "/api/events", token=secret)[0] == 401, "a revoked token still works"


# --------------------------------------------------------------------------------------------
# 5. Webhooks
# --------------------------------------------------------------------------------------------


class _Receiver(http.server.BaseHTTPRequestHandler):
    deliveries: list[tuple[dict, bytes]] = []

    def do_POST(self):  # noqa: N802 - the base class's name
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        type(self).deliveries.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format, *args):  # noqa: A002
        pass


def test_webhooks(journey, server):
    base, _ = server
    driver = journey.driver
    _Receiver.deliveries = []
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    hook_url = f"http://127.0.0.1:{receiver.server_address[1]}/attendify"
    try:
        email = register(base, "hooks")
        browser_sign_in(journey, email)
        journey.go("#/integrations")
        journey.visible("#webhook-form")
        journey.visible("#webhooks-empty")
        signing = text(journey, "#webhook-signing")
        assert "Attendify-Signature: t=…,v1=…" in signing and "HMAC-SHA256" in signing, signing

        journey.step("webhook: created, the secret shown once")
        journey.type_into("#webhook-url", hook_url)
        journey.find("#webhook-event-event_created").click()
        journey.find("#webhook-event-clicks_milestone").click()
        journey.type_into("#webhook-description", "Slack bridge")
        journey.find("#webhook-submit").click()
        field = journey.visible("#webhook-secret")
        secret = field.get_attribute("value")
        assert secret.startswith("whsec_"), secret
        assert active_id(driver) == "webhook-secret"
        assert "will not be shown again" in text(journey, "#webhook-secret-hint")
        row = journey.find("#webhooks-list li[data-webhook-id]")
        assert hook_url in row.text and "Slack bridge" in row.text and "Event created" in row.text
        assert "No deliveries yet." in row.text
        webhook_id = row.get_attribute("data-webhook-id")
        journey.screenshot("webhook-created")

        journey.step("webhook: an event created is delivered, signed with that secret")
        day = (date.today() + timedelta(days=20)).isoformat()
        event = browser_api(driver, "POST", "/api/events", {
            "title": "Hooked webinar", "start_datetime": f"{day}T10:00:00Z", "end_datetime": f"{day}T11:00:00Z",
            "timezone": "UTC", "webinar_url": "https://example.com/webinar/hooked",
        })
        headers, body = wait_for("the delivery at the receiver", lambda: _Receiver.deliveries[0] if _Receiver.deliveries else None, timeout=60)
        assert headers["attendify-event"] == "event.created"
        match = re.fullmatch(r"t=(\d+),v1=([0-9a-f]{64})", headers["attendify-signature"])
        assert match, headers["attendify-signature"]
        expected = hmac.new(secret.encode(), f"{match.group(1)}.".encode() + body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(expected, match.group(2)), "the signature does not verify with the secret the panel showed"
        assert json.loads(body)["data"]["event"]["id"] == event["id"]

        journey.step("webhook: the list says delivered; no secret after a reload")
        def delivered():
            driver.refresh()
            status = journey.find(f"#webhooks-list li[data-webhook-id='{webhook_id}'] .webhook-status")
            return status if status.get_attribute("data-status") == "delivered" else None
        status = wait_for("the webhook's last delivery", delivered, timeout=30, interval=1)
        assert "Delivered" in status.text
        assert secret not in driver.page_source

        journey.step("webhook: deleted")
        journey.find(f"#delete-webhook-{webhook_id}").click()
        confirm_dialog(journey)
        journey.visible("#webhooks-empty")
        assert browser_api(driver, "GET", "/api/webhooks")["webhooks"] == []
    finally:
        receiver.shutdown()


# --------------------------------------------------------------------------------------------
# 6. Account deletion
# --------------------------------------------------------------------------------------------


def test_delete_account(journey, server):
    base, _ = server
    driver = journey.driver
    email = register(base, "leaver")
    browser_sign_in(journey, email)
    day = (date.today() + timedelta(days=10)).isoformat()
    event = browser_api(driver, "POST", "/api/events", {
        "title": "Farewell webinar", "start_datetime": f"{day}T10:00:00Z", "end_datetime": f"{day}T11:00:00Z",
        "timezone": "UTC", "webinar_url": "https://example.com/webinar/farewell",
    })
    widget = event["widget_url"]
    wait_for("the widget to be published", lambda: call(base, "GET", widget.removeprefix(base))[0] == 200, timeout=20)

    journey.step("export: two plain links that download with the session cookie")
    journey.go("#/account")
    assert journey.find("#export-json").get_attribute("href") == f"{base}/api/account/export"
    assert journey.find("#export-clicks").get_attribute("href") == f"{base}/api/account/export/clicks.csv"
    for old in driver.downloads.glob("attendify-*"):
        old.unlink()
    journey.find("#export-json").click()
    exported = wait_for("the JSON export in the downloads", lambda: next(
        (p for p in driver.downloads.glob("attendify-export*.json") if p.stat().st_size), None), timeout=30)
    data = wait_for("the export to be complete", lambda: json.loads(exported.read_text(encoding="utf-8")))
    assert data["format"] == "attendify-export" and data["user"]["email"] == email, data.get("user")
    assert [e["title"] for e in data["events"]] == ["Farewell webinar"]
    assert not [key for key in data["api_tokens"] if "token" in key], "a token secret in the export"
    journey.find("#export-clicks").click()
    clicks = wait_for("the clicks CSV in the downloads", lambda: next(
        (p for p in driver.downloads.glob("*.csv") if p.stat().st_size), None), timeout=30)
    assert clicks.read_text(encoding="utf-8").splitlines()[0] == "event_id,event_public_id,provider,placement,clicked_at"

    journey.step("delete: not without the tick")
    journey.type_into("#delete-password", PASSWORD)
    journey.find("#delete-account-submit").click()
    wait_for("the tick's message", lambda: text(journey, "#error-delete-confirm") == "Tick the box to confirm.")
    assert active_id(driver) == "delete-confirm"
    assert api_login(base, email, PASSWORD)[0] == 200, "the account went without the tick"

    journey.step("delete: done")
    journey.find("#delete-confirm").click()
    journey.find("#delete-account-submit").click()
    wait_for("the sign-in screen", lambda: journey.hash() == "#/signin")
    wait_for("the toast", lambda: "account has been deleted" in journey.find("#toast").text)
    assert not driver.find_elements("css selector", "#nav-account")
    assert api_login(base, email, PASSWORD)[0] == 401
    assert call(base, "GET", widget.removeprefix(base))[0] == 404, "the widget outlived its organizer"


# --------------------------------------------------------------------------------------------
# 7. axe-core in English and Arabic
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["en", "ar"])
def test_new_screens_pass_axe(journey, server, axe, code):
    base, _ = server
    driver = journey.driver
    email = register(base, f"axe-{code}")
    browser_sign_in(journey, email)
    set_language(journey, code)
    texts = locale_panel(code)
    assert driver.execute_script("return document.documentElement.dir") == ("rtl" if code == "ar" else "ltr")

    journey.step(f"{code}: account")
    journey.go("#/account")
    journey.visible("#sessions-list li[data-session-id]")
    assert journey.find("#account h1").text == texts["accountTitle"]
    assert journey.find("#nav-account").text == texts["navAccount"]
    journey.screenshot(f"account-{code}")
    violations = axe_violations(driver, axe)
    print(f"   axe-core on the account screen ({code}): {len(violations)} violations")
    assert not violations, format_violations(violations)

    journey.step(f"{code}: integrations with both secrets showing")
    journey.go("#/integrations")
    journey.type_into("#token-name", "Reporting")
    journey.find("#token-scope-stats_read").click()
    journey.find("#token-submit").click()
    journey.visible("#token-secret")
    journey.type_into("#webhook-url", "https://hooks.example.invalid/attendify")
    journey.find("#webhook-event-event_updated").click()
    journey.find("#webhook-submit").click()
    journey.visible("#webhook-secret")
    assert journey.find("#tokens-heading").text == texts["tokensTitle"]
    assert journey.find("#webhooks-heading").text == texts["webhooksTitle"]
    journey.screenshot(f"integrations-{code}")
    violations = axe_violations(driver, axe)
    print(f"   axe-core on the integrations screen ({code}): {len(violations)} violations")
    assert not violations, format_violations(violations)

    journey.step(f"{code}: integrations in the dark scheme (the badges and the secret box have colours of their own)")
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    try:
        journey.screenshot(f"integrations-dark-{code}")
        violations = axe_violations(driver, axe)
        print(f"   axe-core on the integrations screen, dark ({code}): {len(violations)} violations")
        assert not violations, format_violations(violations)
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})

    journey.step(f"{code}: 360 px, no sideways scrolling")
    driver.set_window_size(360, 800)
    try:
        for route, part in (("#/integrations", "#webhook-secret"), ("#/account", "#sessions-list")):
            if journey.hash() != route:
                journey.go(route)
            journey.find(part)
            overflow = journey.horizontal_overflow()
            print(f"   {route} at 360 px: {overflow}")
            journey.screenshot(f"mobile-{route.strip('#/')}-{code}")
            assert overflow["scrollWidth"] <= 361, f"{route} scrolls sideways at 360 px: {overflow}"
    finally:
        driver.set_window_size(1280, 900)

    journey.step(f"{code}: forgot password, signed out")
    driver.delete_all_cookies()
    journey.go("#/forgot-password")
    journey.visible("#forgot-form")
    assert journey.find("#forgot-form h1").text == texts["forgotTitle"]
    violations = axe_violations(driver, axe)
    print(f"   axe-core on the forgot-password screen ({code}): {len(violations)} violations")
    assert not violations, format_violations(violations)
