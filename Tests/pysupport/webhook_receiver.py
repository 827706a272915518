"""A real webhook receiver for the webhook tests: a threaded HTTP server on a free loopback port
that records every request exactly as it arrived (method, path, headers in order, the raw body
bytes) and answers as the test programs it, request by request.

    with WebhookReceiver() as hook:
        hook.plan(Answer(500), Answer(500))       # the next two requests get 500, then 200s
        hook.plan(Answer(200, delay_s=3))         # sleep longer than the sender's timeout
        held = hook.plan_hold()                   # the next request blocks until held.release()
        hook.when(lambda r: r.json()["type"] == "event.updated", Answer(500))  # per-request rules
        records = hook.wait_for(lambda r: r.type == "event.deleted")

Every answer is recorded too (`status_sent`, `answered`), so a test can check what the sender
was told, and `held.pending` tells whether a held request is still unanswered (a causal check).
`verify_signature` recomputes the Attendify-Signature HMAC over the exact bytes received.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

HOST = "127.0.0.1"


@dataclass
class Answer:
    status: int = 200
    delay_s: float = 0.0  # sleep before answering (longer than the sender's timeout: a timeout)
    body: bytes = b'{"ok":true}'


class Hold:
    """An answer that blocks until release(); then answers `status`."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self._released = threading.Event()
        self.arrived = threading.Event()  # set when a request is being held
        self.record: "Record | None" = None

    def release(self) -> None:
        self._released.set()

    @property
    def pending(self) -> bool:
        """A request arrived, is being held and has not been answered."""
        return self.arrived.is_set() and self.record is not None and not self.record.answered

    def wait_arrived(self, deadline_s: float = 60.0) -> "Record":
        assert self.arrived.wait(deadline_s), f"no request reached the hold within {deadline_s} s"
        assert self.record is not None
        return self.record


@dataclass
class Record:
    index: int
    method: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes
    received_at: float
    status_sent: int | None = None
    answered: bool = False
    answered_at: float | None = None
    hold: Hold | None = field(default=None, repr=False)
    delayed_s: float = 0.0  # how long the answer was held back on purpose (Answer.delay_s)

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def json(self):
        return json.loads(self.body)

    @property
    def type(self) -> str | None:
        try:
            return self.json().get("type")
        except ValueError:
            return None

    @property
    def delivery_id(self) -> str | None:
        try:
            return self.json().get("id")
        except ValueError:
            return None

    @property
    def accepted(self) -> bool:
        """Answered 2xx without a deliberate delay (a delayed answer comes after the sender's
        timeout in these tests, so the sender did not take it as success)."""
        return self.answered and not self.delayed_s and self.status_sent is not None and 200 <= self.status_sent < 300


def signature_parts(header: str | None) -> dict[str, str]:
    parts: dict[str, str] = {}
    for item in (header or "").split(","):
        if "=" in item:
            key, value = item.split("=", 1)
            parts[key.strip()] = value.strip()
    return parts


def verify_signature(record: Record, secret: str, tolerance_s: int = 300, now: float | None = None) -> tuple[bool, str]:
    """(valid, why): `Attendify-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`,
    with t within tolerance of `now` (default: the time the request arrived)."""
    parts = signature_parts(record.header("Attendify-Signature"))
    if "t" not in parts or "v1" not in parts:
        return False, f"malformed signature header {record.header('Attendify-Signature')!r}"
    try:
        stamp = int(parts["t"])
    except ValueError:
        return False, f"t is not a number: {parts['t']!r}"
    expected = hmac.new(secret.encode(), f"{stamp}.".encode() + record.body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, parts["v1"]):
        return False, f"v1 {parts['v1']} != recomputed {expected}"
    moment = record.received_at if now is None else now
    if abs(moment - stamp) > tolerance_s:
        return False, f"t={stamp} is {moment - stamp:.0f} s from the arrival"
    return True, ""


class WebhookReceiver:
    def __init__(self) -> None:
        self.records: list[Record] = []
        self._lock = threading.Lock()
        self._plan: list[Answer | Hold] = []
        self._rules: list[tuple[Callable[[Record], bool], list[Answer | Hold]]] = []
        self.default = Answer(200)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._holds: list[Hold] = []

    # -- programming ----------------------------------------------------------------------------

    def plan(self, *answers: Answer | Hold) -> None:
        """Answers for the next requests, in arrival order (after per-request rules)."""
        with self._lock:
            self._plan.extend(answers)

    def plan_hold(self, status: int = 200) -> Hold:
        hold = Hold(status)
        self.plan(hold)
        return hold

    def when(self, predicate: Callable[[Record], bool], *answers: Answer | Hold) -> None:
        """The next requests for which predicate(record) holds get these answers, in order."""
        with self._lock:
            self._rules.append((predicate, list(answers)))

    def release_all(self) -> None:
        for hold in list(self._holds):
            hold.release()

    def _choose(self, record: Record) -> Answer | Hold:
        with self._lock:
            for predicate, answers in self._rules:
                if answers:
                    try:
                        matches = predicate(record)
                    except Exception:
                        matches = False
                    if matches:
                        return answers.pop(0)
            if self._plan:
                return self._plan.pop(0)
            return self.default

    # -- server ---------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.server_address[1]

    def url(self, path: str = "/hook") -> str:
        return f"http://{HOST}:{self.port}{path}"

    def start(self) -> "WebhookReceiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with receiver._lock:
                    record = Record(len(receiver.records), self.command, self.path, list(self.headers.items()), body,
                                    time.time())
                    receiver.records.append(record)
                answer = receiver._choose(record)
                status, payload = 200, b""
                if isinstance(answer, Hold):
                    record.hold = answer
                    answer.record = record
                    receiver._holds.append(answer)
                    answer.arrived.set()
                    answer._released.wait()
                    status, payload = answer.status, b'{"held":true}'
                else:
                    if answer.delay_s:
                        record.delayed_s = answer.delay_s
                        time.sleep(answer.delay_s)
                    status, payload = answer.status, answer.body
                # Marked before the first byte goes out: `answered` False means the sender has
                # certainly not been answered yet.
                record.status_sent = status
                record.answered_at = time.time()
                record.answered = True
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    self.wfile.flush()
                except OSError:
                    pass  # the sender gave up (timeout) and closed the connection

            do_POST = _handle
            do_GET = _handle
            do_PUT = _handle

        self._server = ThreadingHTTPServer((HOST, 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "WebhookReceiver":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- reading --------------------------------------------------------------------------------

    def matching(self, predicate: Callable[[Record], bool] = lambda r: True) -> list[Record]:
        with self._lock:
            records = list(self.records)
        out = []
        for record in records:
            try:
                if predicate(record):
                    out.append(record)
            except Exception:
                pass
        return out

    def wait_for(self, predicate: Callable[[Record], bool], deadline_s: float = 60.0, count: int = 1) -> list[Record]:
        deadline = time.monotonic() + deadline_s
        while True:
            found = self.matching(predicate)
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                seen = [(r.index, r.type, r.status_sent) for r in self.matching()]
                raise AssertionError(f"not {count} matching webhook request(s) within {deadline_s} s; seen {seen}")
            time.sleep(0.05)
