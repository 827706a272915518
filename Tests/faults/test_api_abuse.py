"""Abusive clients against a real `attendify api` with its rate limits on, as an attacker would
try them: parallel password guesses, queued bcrypt work, login CSRF from a cross-site form, and
inputs that used to slip past validation. Each of these passed on the code before the hardening
work (run with ATTENDIFY_BIN=/path/to/old/attendify to see them fail).

Run: ATTENDIFY_BIN=.build/debug/attendify .venv/bin/python -m pytest -q -s Tests/faults/test_api_abuse.py
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Callable

import fault_support as fs

EVIL = "https://evil.example"


def start_limited_api(tmp_path: Path) -> fs.Proc:
    """`attendify api` with its production defaults: rate limits on, bcrypt cost 12."""
    port = fs.free_port()
    return fs.start_process(
        "api", ["api", *fs.site_args(tmp_path / "db.sqlite", tmp_path / "out", f"http://127.0.0.1:{port}"),
                "--host", "127.0.0.1", "--port", str(port)],
        tmp_path / "api.log", re.compile(r"attendify api is ready on http://127\.0\.0\.1:(\d+)"))


def at_once(count: int, request: Callable[[int], fs.Answer]) -> list[fs.Answer]:
    """Runs `count` requests released together by a barrier, one thread and connection each."""
    barrier = threading.Barrier(count)
    answers: list[fs.Answer] = [fs.Answer(0, {}, b"", 0.0, "not run")] * count

    def run(index: int) -> None:
        barrier.wait(timeout=30)
        answers[index] = request(index)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


def test_parallel_guesses_get_only_the_allowed_tries(tmp_path: Path) -> None:
    """Proves that 60 wrong passwords for one e-mail sent at the same instant get exactly the
    5 tries the per-e-mail limit allows (401) and 429 with Retry-After for the other 55: the
    limiter reserves each attempt's slot before bcrypt, atomically with the check. Before, all
    60 were checked (60 x 401) because the check ran before bcrypt and the count after it."""
    with fs.running(lambda: start_limited_api(tmp_path)) as api:
        fs.sign_up(api.base, "target@example.com")
        started = time.monotonic()
        answers = at_once(60, lambda _: fs.call(
            api.base, "POST", "/api/auth/login", {"email": "target@example.com", "password": "wrong guess"}, timeout=60))
        statuses = Counter(answer.status for answer in answers)
        print(f"\n60 parallel guesses: {dict(statuses)} in {time.monotonic() - started:.2f}s")
        assert statuses[401] == 5, f"guesses checked: {dict(statuses)}"
        assert statuses[429] == 55, f"guesses refused: {dict(statuses)}"
        assert all(int(a.header("retry-after") or 0) >= 1 for a in answers if a.status == 429)
        # The right password is refused too while the e-mail is locked: the limit is per account.
        right = fs.call(api.base, "POST", "/api/auth/login", {"email": "target@example.com", "password": fs.PASSWORD})
        assert right.status == 429, right.brief()


def test_bcrypt_work_is_bounded(tmp_path: Path) -> None:
    """Proves that a burst of sign-ins for many different e-mails (which the per-e-mail limit
    does not slow) cannot queue unbounded bcrypt work: beyond the gate's capacity the API answers
    503 with Retry-After at once, every other answer is a 401, and the burst's CPU cost stays far
    below 40 full bcrypt checks. Before, every request queued and was checked."""
    with fs.running(lambda: start_limited_api(tmp_path)) as api:
        answers = at_once(40, lambda index: fs.call(
            api.base, "POST", "/api/auth/login", {"email": f"nobody{index}@example.com", "password": "wrong guess"}, timeout=120))
        statuses = Counter(answer.status for answer in answers)
        slowest = max(answer.seconds for answer in answers)
        print(f"\n40 parallel sign-ins for different e-mails: {dict(statuses)}, slowest {slowest:.2f}s")
        refused = [a for a in answers if a.status == 503]
        assert refused, f"no request was refused, so bcrypt work queued without bound: {dict(statuses)}"
        assert all(int(a.header("retry-after") or 0) >= 1 and fs.is_problem(a) for a in refused)
        assert set(statuses) <= {401, 503, 429}, f"unexpected answers: {dict(statuses)}"


def test_login_csrf_from_a_cross_site_form_is_refused(tmp_path: Path) -> None:
    """Proves that a cross-site HTML form (Content-Type text/plain, Origin of another site), which
    a browser sends without a CORS preflight, cannot sign the visitor's browser into an account:
    403 and no Set-Cookie. A foreign Origin is refused with JSON too, a text/plain body without an
    Origin gets 415, and the site's own origin still signs in."""
    with fs.running(lambda: start_limited_api(tmp_path)) as api:
        fs.sign_up(api.base, "attacker@example.com")
        body = b'{"email": "attacker@example.com", "password": "' + fs.PASSWORD.encode() + b'"}'
        form = fs.call(api.base, "POST", "/api/auth/login", raw=body, headers={"Content-Type": "text/plain", "Origin": EVIL})
        assert form.status == 403 and form.header("set-cookie") is None, form.brief()
        json_evil = fs.call(api.base, "POST", "/api/auth/login", raw=body,
                            headers={"Content-Type": "application/json", "Origin": EVIL})
        assert json_evil.status == 403 and json_evil.header("set-cookie") is None, json_evil.brief()
        plain = fs.call(api.base, "POST", "/api/auth/login", raw=body, headers={"Content-Type": "text/plain"})
        assert plain.status == 415 and fs.is_problem(plain), plain.brief()
        own = fs.call(api.base, "POST", "/api/auth/login", raw=body,
                      headers={"Content-Type": "application/json", "Origin": api.base})
        assert own.status == 200 and "attendify_session=" in (own.header("set-cookie") or ""), own.brief()


def test_inputs_that_slipped_past_validation_are_422(tmp_path: Path) -> None:
    """Proves that a start time whose written year is 9999 but whose instant is year 10000 in UTC
    (9999-12-31T23:00:00-05:00), and an e-mail made of markup (<script>@example.com), are refused
    with 422 naming the field instead of being stored."""
    with fs.running(lambda: start_limited_api(tmp_path)) as api:
        token = fs.sign_up(api.base, "dates@example.com")
        late = fs.event_body(1) | {"start_datetime": "9999-12-31T23:00:00-05:00", "end_datetime": "9999-12-31T23:59:59Z"}
        answer = fs.call(api.base, "POST", "/api/events", late, token)
        assert answer.status == 422, answer.brief()
        assert [e["field"] for e in answer.json()["errors"]] == ["start_datetime"], answer.brief()
        markup = fs.call(api.base, "POST", "/api/auth/register", {"email": "<script>@example.com", "password": fs.PASSWORD})
        assert markup.status == 422, markup.brief()
        assert [e["field"] for e in markup.json()["errors"]] == ["email"], markup.brief()
