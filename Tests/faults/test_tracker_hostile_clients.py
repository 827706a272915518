"""Hostile clients against a real `attendify track` process (the bare SwiftNIO tracker).

Each test starts the binary over a freshly seeded SQLite database with `--request-timeout 2`,
runs one kind of misbehaving client next to a well-behaved one, and checks three things: the
misbehaving connections are dealt with (closed, paused or answered 431), the well-behaved client
keeps getting correct 302s throughout, and the tracker's resident memory (VmRSS, sampled every
20 ms from /proc) stays under 64 MB.

Everything is loopback (127.0.0.1), every loop is bounded in count and in time, and waiting is
polling with a deadline.

Run: .venv/bin/python -m pytest -q Tests/faults/test_tracker_hostile_clients.py
(ATTENDIFY_BIN selects the binary; default /work/main/.build/debug/attendify).
"""

from __future__ import annotations

import http.client
import os
import re
import resource
import select
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pytest

import tracker_seed
from tracker_seed import tracker_env

BIN = os.environ.get("ATTENDIFY_BIN", "/work/main/.build/debug/attendify")
UA = "Mozilla/5.0 (X11; Linux x86_64) HostileClientTest"
EVENT_COUNT = 5
REQUEST_TIMEOUT_S = 2
RSS_LIMIT_MB = 64
SLOW_CONNECTIONS = 1_000
PIPELINED_REQUESTS = 100_000
READY = re.compile(r"attendify track is ready on http://127\.0\.0\.1:(\d+)")
METRICS_READY = re.compile(r"attendify metrics is ready on http://127\.0\.0\.1:(\d+)")
GOOGLE = "https://calendar.google.com/calendar/render?action=TEMPLATE"


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def seed(db: Path) -> list[str]:
    """Migrates a fresh database and inserts one organizer with EVENT_COUNT events (all providers)."""
    return tracker_seed.seed(BIN, db, EVENT_COUNT, "hostile")


def raise_open_file_limit(wanted: int) -> None:
    """This process holds 1,000+ sockets at once: raise its soft RLIMIT_NOFILE toward the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        if hard != resource.RLIM_INFINITY and hard < wanted:
            pytest.skip(f"hard open-file limit {hard} is below the {wanted} sockets this test needs")
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def rss_mb(pid: int) -> float:
    """The process's resident memory from /proc/PID/status, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for pid {pid}")


@dataclass
class Tracker:
    proc: subprocess.Popen
    port: int
    metrics_port: int
    log: Path
    ids: list[str]
    peak_rss_mb: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)
    _sampler: threading.Thread | None = None

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def start_sampling(self) -> None:
        """Samples VmRSS every 20 ms in the background and keeps the peak."""

        def sample() -> None:
            while not self._stop.is_set() and self.proc.poll() is None:
                try:
                    self.peak_rss_mb = max(self.peak_rss_mb, rss_mb(self.proc.pid))
                except (FileNotFoundError, ProcessLookupError):
                    return
                self._stop.wait(0.02)

        self._sampler = threading.Thread(target=sample, daemon=True)
        self._sampler.start()

    def stop_sampling(self) -> None:
        self._stop.set()
        if self._sampler:
            self._sampler.join(timeout=5)

    def metric(self, name: str) -> float:
        """One value from /metrics on the loopback metrics port."""
        conn = http.client.HTTPConnection("127.0.0.1", self.metrics_port, timeout=10)
        try:
            conn.request("GET", "/metrics")
            text = conn.getresponse().read().decode()
        finally:
            conn.close()
        match = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
        assert match, f"{name} missing from /metrics:\n{text}"
        return float(match.group(1))


@pytest.fixture
def tracker(tmp_path: Path) -> Iterator[Tracker]:
    """`attendify track` with `--request-timeout 2` on kernel-chosen loopback ports, ready to serve."""
    if not Path(BIN).exists():
        pytest.fail(f"{BIN} does not exist: run `swift build` first (or set ATTENDIFY_BIN)")
    db = tmp_path / "db.sqlite"
    ids = seed(db)
    log = tmp_path / "track.log"
    out = log.open("wb")
    proc = subprocess.Popen(
        [BIN, "track", "--db", str(db), "--host", "127.0.0.1", "--port", "0", "--metrics-port", "0",
         "--rate-limits", "off", "--request-timeout", str(REQUEST_TIMEOUT_S)],
        stdout=out, stderr=subprocess.STDOUT, env=tracker_env(),
    )
    out.close()
    try:
        deadline = time.monotonic() + 60
        while True:
            text = log.read_text(errors="replace")
            port, metrics_port = READY.search(text), METRICS_READY.search(text)
            if port and metrics_port:
                break
            if proc.poll() is not None:
                pytest.fail(f"tracker exited with {proc.returncode} before it was ready:\n{text}")
            if time.monotonic() > deadline:
                pytest.fail(f"tracker not ready within 60 s:\n{text}")
            time.sleep(0.02)
        running = Tracker(proc, int(port.group(1)), int(metrics_port.group(1)), log, ids)
        running.start_sampling()
        yield running
        running.stop_sampling()
        assert proc.poll() is None, f"the tracker died during the test:\n{running.log_text()}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class NormalClient:
    """A well-behaved visitor on one keep-alive connection, clicking every 20 ms in a thread until
    stopped (at most `limit` clicks); records every answer that was not a correct 302."""

    def __init__(self, tracker: Tracker, limit: int = 5_000) -> None:
        self.tracker = tracker
        self.limit = limit
        self.ok = 0
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "NormalClient":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def wait_for_answers(self, count: int, timeout: float = 30) -> None:
        """Lets the client run (polling, with a deadline) until it has had `count` correct answers."""
        deadline = time.monotonic() + timeout
        while self.ok < count and not self.failures and time.monotonic() < deadline:
            time.sleep(0.02)

    def _run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.tracker.port, timeout=10)
        try:
            for n in range(self.limit):
                if self._stop.is_set():
                    return
                public_id = self.tracker.ids[n % len(self.tracker.ids)]
                try:
                    conn.request("GET", f"/track/{public_id}/google", headers={"User-Agent": UA})
                    response = conn.getresponse()
                    response.read()
                    location = response.getheader("Location") or ""
                    if response.status == 302 and location.startswith(GOOGLE):
                        self.ok += 1
                    else:
                        self.failures.append(f"{response.status} {location[:80]}")
                except (OSError, http.client.HTTPException) as error:
                    self.failures.append(f"{type(error).__name__}: {error}")
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", self.tracker.port, timeout=10)
                self._stop.wait(0.02)
        finally:
            conn.close()


def one_click(tracker: Tracker) -> tuple[int, str]:
    """A single click on a fresh connection: (status, Location)."""
    conn = http.client.HTTPConnection("127.0.0.1", tracker.port, timeout=10)
    try:
        conn.request("GET", f"/track/{tracker.ids[0]}/google", headers={"User-Agent": UA})
        response = conn.getresponse()
        response.read()
        return response.status, response.getheader("Location") or ""
    finally:
        conn.close()


def peer_closed(sock: socket.socket) -> bool:
    """True once the server has closed (FIN or reset) `sock`, read from the kernel's TCP state, so
    checking reads no data: a client that must never read can still tell."""
    tcp_established = 1
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1)[0] != tcp_established


def assert_healthy(tracker: Tracker, client: NormalClient) -> None:
    assert not client.failures, f"the normal client got wrong answers: {client.failures[:5]}"
    assert client.ok >= 10, f"the normal client got only {client.ok} answers"
    status, location = one_click(tracker)
    assert status == 302 and location.startswith(GOOGLE), f"after the attack: {status} {location}"
    print(f"\nnormal client: {client.ok} correct 302s; tracker peak VmRSS {tracker.peak_rss_mb:.1f} MB")
    assert tracker.peak_rss_mb < RSS_LIMIT_MB, f"tracker VmRSS peaked at {tracker.peak_rss_mb:.1f} MB"


# --------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------


def test_slow_header_connections_are_closed_while_normal_clicks_are_answered(tracker: Tracker) -> None:
    """Proves the request timeout defeats slowloris: 1,000 connections that each send "GET /track/"
    and then one more header byte every 300 ms (never finishing the head) are all closed by the
    server within a deadline, none of them gets an answer, a normal client's clicks keep getting
    correct 302s the whole time, and VmRSS stays under 64 MB."""
    raise_open_file_limit(SLOW_CONNECTIONS + 256)
    slow: list[socket.socket] = []
    try:
        with NormalClient(tracker) as client:
            for _ in range(SLOW_CONNECTIONS):
                sock = socket.create_connection(("127.0.0.1", tracker.port), timeout=10)
                sock.sendall(b"GET /track/")
                sock.setblocking(False)
                slow.append(sock)
            open_socks = set(range(len(slow)))
            answered: list[int] = []
            deadline = time.monotonic() + 10 * REQUEST_TIMEOUT_S
            while open_socks and time.monotonic() < deadline:
                for index in list(open_socks):
                    sock = slow[index]
                    try:
                        data = sock.recv(65_536)
                        if data:
                            answered.append(index)
                        open_socks.discard(index)
                        continue
                    except BlockingIOError:
                        pass
                    except OSError:
                        open_socks.discard(index)
                        continue
                    try:
                        sock.send(b"a")
                    except BlockingIOError:
                        pass
                    except OSError:
                        open_socks.discard(index)
                time.sleep(0.3)
            assert not open_socks, f"{len(open_socks)} slow-header connections still open after {10 * REQUEST_TIMEOUT_S} s"
            assert not answered, f"{len(answered)} slow-header connections got an answer for an unfinished head"
            # Every one was accepted (none refused by the connection cap) and closed by the timeout.
            assert tracker.metric("attendify_track_connections_refused_total") == 0
            assert tracker.metric("attendify_track_request_timeouts_total") >= SLOW_CONNECTIONS
            client.wait_for_answers(10)
        assert_healthy(tracker, client)
    finally:
        for sock in slow:
            sock.close()


def test_a_client_pipelining_without_reading_is_paused_while_others_are_answered(tracker: Tracker) -> None:
    """Proves back-pressure: one connection pipelines up to 100,000 click requests and never reads
    an answer (non-blocking socket, bounded by a deadline); the tracker stops reading it instead of
    buffering answers (the read-pause counter moves, VmRSS stays under 64 MB), the stalled
    connection is closed by the request timeout, and a normal client keeps getting correct 302s."""
    request = (f"GET /track/{tracker.ids[0]}/google HTTP/1.1\r\nHost: t\r\nUser-Agent: {UA}\r\n\r\n").encode()
    batch = request * 1_000
    with NormalClient(tracker) as client:
        flood = socket.create_connection(("127.0.0.1", tracker.port), timeout=10)
        flood.setblocking(False)
        sent = 0  # bytes
        closed = False
        deadline = time.monotonic() + 30
        try:
            while sent < len(request) * PIPELINED_REQUESTS and time.monotonic() < deadline:
                offset = sent % len(batch)
                try:
                    sent += flood.send(batch[offset:])
                except BlockingIOError:
                    # The kernel buffers are full: the tracker is not reading. Wait for room, briefly.
                    if peer_closed(flood):
                        closed = True
                        break
                    select.select([], [flood], [], 0.2)
                except OSError:
                    closed = True
                    break
            pauses = tracker.metric("attendify_track_read_pauses_total")
            assert pauses >= 1, "the tracker never stopped reading the flooding connection"
            received = tracker.metric("attendify_clicks_received_total")
            assert received < PIPELINED_REQUESTS, f"the tracker answered {received:.0f} requests nobody read"
            # No progress on it for a request timeout: the server closes it.
            close_deadline = time.monotonic() + 10 * REQUEST_TIMEOUT_S
            while not closed and time.monotonic() < close_deadline:
                closed = peer_closed(flood)
                if not closed:
                    time.sleep(0.05)
            assert closed, "the stalled pipelining connection was never closed"
            client.wait_for_answers(10)
        finally:
            flood.close()
    print(f"\npipelined {sent // len(request)} requests before the stall")
    assert_healthy(tracker, client)


def test_a_100_kib_header_is_refused_and_the_tracker_keeps_answering(tracker: Tracker) -> None:
    """Proves request heads are bounded: a request with a 100 KiB header is answered 431 with
    Connection: close (or the connection is closed before the client finished sending), the
    tracker never buffers it whole (VmRSS under 64 MB), and a normal client keeps getting 302s."""
    padding = "a" * (100 * 1024)
    request = f"GET /track/{tracker.ids[0]}/google HTTP/1.1\r\nHost: t\r\nX-Padding: {padding}\r\n\r\n".encode()
    with NormalClient(tracker) as client:
        for _ in range(3):
            sock = socket.create_connection(("127.0.0.1", tracker.port), timeout=10)
            answer = b""
            try:
                try:
                    sock.sendall(request)
                except OSError:
                    pass  # closed while we were still sending: also a refusal
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline:
                    try:
                        chunk = sock.recv(65_536)
                    except OSError:
                        break
                    if not chunk:
                        break
                    answer += chunk
                else:
                    pytest.fail("the connection with a 100 KiB header stayed open")
            finally:
                sock.close()
            if answer:
                head = answer.split(b"\r\n\r\n", 1)[0].decode(errors="replace")
                assert head.startswith("HTTP/1.1 431 "), f"expected 431, got {head!r}"
                assert "Connection: close" in head
        assert tracker.metric("attendify_track_header_too_large_total") >= 1
        client.wait_for_answers(10)
    assert_healthy(tracker, client)
