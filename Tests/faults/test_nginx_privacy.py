"""What the production Nginx site writes to its logs, and whom its rate limits lock out.

Each test runs a private Nginx (`attendify nginx-config --standalone PREFIX`, as an ordinary user
on a free loopback port) in front of real `attendify api` and `attendify track` processes, with
the apps' own rate limits off so that every 429 seen is Nginx's (Tests/pysupport/attendify_nginx.py,
shared with Tests/interop/test_nginx_end_to_end.py). Every request carries one random marker in
its User-Agent ("Mozilla/5.0 PrivacyProbe-<hex>", browser-like so the tracker counts it), its
Referer, a cookie, its query string and a spoofed X-Forwarded-For address.

- test_default_logs_name_no_visitor: the default (--access-log private, --error-log-level crit)
  logs every request, without anything that identifies the visitor.
- test_full_logs_do_name_the_visitor: the control: with --access-log full and --error-log-level
  error the same markers and 127.0.0.1 do land in the logs, so the first test's checks would
  catch a leak, and the operator's switch works.
- test_only_credential_posts_are_rate_limited: the panel's session check is never limited, even
  while the address is locked out of login.

Nginx is required (skipped without it, a failure with CI=true). Waiting is by polling with
deadlines, never fixed sleeps.

Run: ATTENDIFY_BIN=.build/debug/attendify .venv/bin/python -m pytest -q -s Tests/faults/test_nginx_privacy.py
"""

from __future__ import annotations

import re
import secrets
import signal
import time

from attendify_nginx import PASSWORD, Stack, fetch, stack_factory, wait_until  # noqa: F401 (stack_factory: a fixture)

LOG_DEADLINE_S = 10.0
# The private format: `TIME "METHOD PATH" STATUS BYTES REQUEST_TIME UPSTREAM_TIME`.
PRIVATE_LINE = re.compile(r'^\S+ "(?P<method>[A-Z]+) (?P<path>[^"]*)" (?P<status>\d{3}) \d+ [\d.]+ \S+$')


class Probe:
    """The markers one test's requests carry, and the headers that carry them."""

    def __init__(self) -> None:
        tag = secrets.token_hex(8)
        self.user_agent = f"Mozilla/5.0 PrivacyProbe-{tag}"
        self.referer = f"https://referrer-{tag}.example/page"
        self.cookie = f"probe=cookie-{tag}"
        self.query = f"probe=query-{tag}"
        self.forwarded = "203.0.113.77"  # TEST-NET-3: an address that is never really ours
        self.markers = [self.user_agent, f"PrivacyProbe-{tag}", f"referrer-{tag}", f"cookie-{tag}", f"query-{tag}",
                        self.forwarded, "127.0.0.1"]

    def headers(self, **extra: str) -> dict[str, str]:
        return {"User-Agent": self.user_agent, "Referer": self.referer, "Cookie": self.cookie,
                "X-Forwarded-For": self.forwarded, **extra}

    def get(self, stack: Stack, path: str, token: str | None = None):
        separator = "&" if "?" in path else "?"
        return fetch(stack.port, "GET", f"{path}{separator}{self.query}", headers=self.headers(), token=token)

    def post(self, stack: Stack, path: str, body: dict, token: str | None = None):
        return fetch(stack.port, "POST", f"{path}?{self.query}", body=body, headers=self.headers(), token=token)


def log(stack: Stack, name: str) -> str:
    path = stack.prefix / name
    return path.read_text(errors="replace") if path.exists() else ""


def traffic(stack: Stack, probe: Probe) -> dict[str, str]:
    """Widget, .ics, /track, panel and API requests, 404s, Nginx 429s (login and /track) and a
    502 from a stopped tracker, all with the probe's markers. Returns the public id and the
    expected access-log entries: a description for each (method, path regex, status)."""
    email = f"privacy-{secrets.token_hex(6)}@example.com"
    registered = probe.post(stack, "/api/auth/register", {"email": email, "password": PASSWORD, "full_name": "Privacy"})
    assert registered.status == 201, registered
    login = probe.post(stack, "/api/auth/login", {"email": email, "password": PASSWORD})
    assert login.status == 200, login
    token = login.json()["token"]
    created = fetch(stack.port, "POST", f"/api/events?{probe.query}", token=token, headers=probe.headers(), body={
        "title": "Privacy probe", "description": "Logs.", "start_datetime": "2027-03-10T15:00:00Z",
        "end_datetime": "2027-03-10T16:00:00Z", "timezone": "Europe/Warsaw",
        "webinar_url": "https://example.com/webinar/privacy"})
    assert created.status == 201, created
    event = created.json()
    public_id = event["public_id"]
    unknown_id = "Qq" * 11

    assert probe.get(stack, f"/widget/event/{public_id}").status == 200
    assert probe.get(stack, f"/calendar/{public_id}/download.ics").status == 200
    assert probe.get(stack, f"/track/{public_id}/google").status == 302
    assert probe.get(stack, "/").status == 200
    assert probe.get(stack, "/api/auth/session", token=token).status == 200
    assert probe.get(stack, f"/api/events/{event['id']}/stats", token=token).status == 200
    # 404s: a missing widget and .ics (open() failures), a panel path, the tracker's and the API's.
    for path in (f"/widget/event/{unknown_id}", f"/calendar/{unknown_id}/download.ics", "/no-such-page.html",
                 f"/track/{unknown_id}/google", "/api/no-such-endpoint"):
        reply = probe.get(stack, path, token=token)
        assert reply.status == 404, f"{path}: {reply}"
    # Nginx's limit_req rejections: login beyond its burst (bad passwords), /track beyond its burst.
    logins = [probe.post(stack, "/api/auth/login", {"email": email, "password": "wrong password"}).status
              for _ in range(30)]
    assert 429 in logins, logins
    clicks = [probe.get(stack, f"/track/{public_id}/outlook").status for _ in range(150)]
    assert 429 in clicks, f"150 rapid clicks never hit the /track limit: {sorted(set(clicks))}"
    # An upstream failure: the tracker stopped, Nginx cannot connect (502).
    track = stack.procs["track"]
    track.send_signal(signal.SIGTERM)
    track.wait(timeout=45)
    # The /track bucket refills at 30 requests/s after the burst above: poll past the 429s.
    deadline = time.monotonic() + 10
    while (status := probe.get(stack, f"/track/{public_id}/google").status) == 429 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert status == 502
    return {
        "widget 200": rf"GET /widget/event/{public_id}\S* 200",
        "ics 200": rf"GET /calendar/{public_id}/download\.ics 200",
        "track 302": rf"GET /track/{public_id}/google 302",
        "panel 200": r"GET /(?:index\.html)? 200",  # the index directive: logged as /index.html
        "session 200": r"GET /api/auth/session 200",
        "stats 200": rf"GET /api/events/{event['id']}/stats 200",
        "register 201": r"POST /api/auth/register 201",
        "widget 404": rf"GET /widget/event/{unknown_id}\S* 404",
        "panel 404": r"GET /no-such-page\.html 404",
        "track 404": rf"GET /track/{unknown_id}/google 404",
        "api 404": r"GET /api/no-such-endpoint 404",
        "login 429": r"POST /api/auth/login 429",
        "track 429": rf"GET /track/{public_id}/outlook 429",
        "track 502": rf"GET /track/{public_id}/google 502",
    }


def test_default_logs_name_no_visitor(stack_factory):
    """Proves: with the default flags, after widget, .ics, /track, panel and API requests (404s,
    Nginx 429s and an upstream 502 included), neither access.log nor error.log holds the
    User-Agent marker, the Referer, the cookie, the query string, the forwarded address or
    127.0.0.1 (the client address), while access.log does hold a private-format line for each of
    those requests: logging works, without the visitor."""
    stack = stack_factory(rate_limits=True, app_rate_limits=False)
    probe = Probe()
    expected = traffic(stack, probe)

    def missing() -> list[str]:
        lines = [PRIVATE_LINE.match(line) for line in log(stack, "access.log").splitlines()]
        entries = [f"{m['method']} {m['path']} {m['status']}" for m in lines if m]
        return [kind for kind, pattern in expected.items() if not any(re.fullmatch(pattern, e) for e in entries)]

    wait_until("access.log holding a line for every request kind", lambda: not missing(), LOG_DEADLINE_S,
               explain=lambda: f"no line for {missing()} in:\n{log(stack, 'access.log')[-3000:]}")
    access, errors = log(stack, "access.log"), log(stack, "error.log")
    odd = [line for line in access.splitlines() if not PRIVATE_LINE.match(line)]
    assert not odd, "access.log lines not in the private format:\n" + "\n".join(odd[:5])
    for name, text in (("access.log", access), ("error.log", errors)):
        found = [marker for marker in probe.markers if marker in text]
        assert not found, f"{name} names the visitor ({found}):\n{text[-3000:]}"
    assert "client:" not in errors, f"error.log names a client:\n{errors[-3000:]}"


def test_full_logs_do_name_the_visitor(stack_factory):
    """Proves the control: with --access-log full --error-log-level error (the operator's choice,
    with a legal basis) the same traffic leaves the User-Agent marker, the Referer and 127.0.0.1
    in access.log (combined format) and the upstream failure's "client: 127.0.0.1" in error.log.
    So the markers the default test looks for are really there to find, and the switch works."""
    stack = stack_factory(rate_limits=True, app_rate_limits=False,
                          nginx_config_args=("--access-log", "full", "--error-log-level", "error"))
    probe = Probe()
    traffic(stack, probe)

    def named():
        access, errors = log(stack, "access.log"), log(stack, "error.log")
        return (probe.user_agent in access and probe.referer in access and "127.0.0.1 - " in access
                and "client: 127.0.0.1" in errors)

    wait_until("the full logs naming the visitor", named, LOG_DEADLINE_S,
               explain=lambda: f"access.log:\n{log(stack, 'access.log')[-1500:]}\nerror.log:\n{log(stack, 'error.log')[-1500:]}")


def test_only_credential_posts_are_rate_limited(stack_factory):
    """Proves: 40 rapid GET /api/auth/session through Nginx never get 429, before and while the
    address is locked out of login; repeated POST /api/auth/login beyond the burst do get Nginx's
    429 (the apps' own limits are off), with or without a trailing slash; GET /api/auth/me and
    POST /api/auth/logout are not limited by that lockout either."""
    stack = stack_factory(rate_limits=True, app_rate_limits=False)
    token = stack.organizer()  # one registration and one login: two of the burst

    def sessions() -> list[int]:
        return [fetch(stack.port, "GET", "/api/auth/session", token=token).status for _ in range(40)]

    before = sessions()
    assert before == [200] * 40, f"GET /api/auth/session: {before}"

    email = f"nobody-{secrets.token_hex(6)}@example.com"
    replies = [fetch(stack.port, "POST", "/api/auth/login", body={"email": email, "password": "wrong password"})
               for _ in range(30)]
    statuses = [r.status for r in replies]
    first_limited = statuses.index(429) if 429 in statuses else len(statuses)
    assert 429 in statuses, f"30 rapid logins were never limited: {statuses}"
    assert set(statuses[:first_limited]) == {401} and set(statuses[first_limited:]) == {429}, statuses
    assert first_limited <= 21, f"{first_limited} logins passed: more than the burst of 20 (+1): {statuses}"
    limited = replies[first_limited]
    assert b"429 Too Many Requests" in limited.body, f"not Nginx's 429:\n{limited}"
    slash = fetch(stack.port, "POST", "/api/auth/login/", body={"email": email, "password": "wrong password"})
    assert slash.status == 429, f"POST /api/auth/login/ escapes the limit:\n{slash}"

    during = sessions()
    assert during == [200] * 40, f"GET /api/auth/session while login is limited: {during}"
    me = [fetch(stack.port, "GET", "/api/auth/me", token=token).status for _ in range(40)]
    assert me == [200] * 40, f"GET /api/auth/me while login is limited: {me}"
    logout = fetch(stack.port, "POST", "/api/auth/logout", token=token)
    assert logout.status == 204, f"POST /api/auth/logout while login is limited:\n{logout}"
