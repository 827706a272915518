"""A private Nginx in front of real `attendify api` and `attendify track`, for the Python tests:
the production layout (`attendify nginx-config --standalone PREFIX`), run as an ordinary user on
kernel-chosen loopback ports in a fresh temp folder. One place for starting, waiting for readiness,
requests through Nginx and stopping; Tests/interop/test_nginx_end_to_end.py and
Tests/faults/test_nginx_privacy.py use it.

Nginx is required: without `nginx` on PATH the tests are skipped, except when CI=true, where they
fail. On teardown every process a test started is stopped (also when the test failed), and for
a failed test Nginx's error.log and the app logs are printed and the temp folder is kept."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import pytest

from attendify_serve import BIN, REPO, free_port

PASSWORD = "correct horse battery staple"
READY = {
    "api": re.compile(r"attendify api is ready on http://127\.0\.0\.1:(\d+)"),
    "track": re.compile(r"attendify track is ready on http://127\.0\.0\.1:(\d+)"),
    "metrics": re.compile(r"attendify metrics is ready on http://127\.0\.0\.1:(\d+)"),
}
START_DEADLINE_S = 60.0  # a cold debug binary on a busy CI box can take a while


def nginx_binary() -> str:
    """Nginx's path; skips (or, with CI=true, fails) when it is not installed."""
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    if found:
        return found
    message = "nginx is not on PATH (install it: apt-get install -y nginx)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; CI=true, so the Nginx end-to-end tests must run, not be skipped")
    pytest.skip(f"{message}; the Nginx end-to-end tests need it (with CI=true this is a failure)")


def app_env() -> dict[str, str]:
    """The caller's environment without ATTENDIFY_* fallbacks, which could change what is tested."""
    return {k: v for k, v in os.environ.items() if not k.startswith("ATTENDIFY_")}

@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    def all(self, name: str) -> list[str]:
        return self.headers.get_all(name) or []

    def json(self):
        return json.loads(self.body)

    def __str__(self) -> str:  # for assertion messages
        head = "\n".join(f"{k}: {v}" for k, v in self.headers.items())
        return f"HTTP {self.status}\n{head}\n\n{self.body[:500]!r}"


def fetch(port: int, method: str, path: str, body=None, headers: dict[str, str] | None = None,
          token: str | None = None, timeout: float = 30) -> Reply:
    """One request on a fresh connection to 127.0.0.1:port. A dict body is sent as JSON."""
    headers = dict(headers or {})
    if isinstance(body, dict):
        body = json.dumps(body).encode()
        headers.setdefault("Content-Type", "application/json")
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return Reply(response.status, response.headers, response.read())
    finally:
        conn.close()


def wait_until(what: str, check: Callable[[], object], deadline_s: float, interval: float = 0.05,
               explain: Callable[[], str] | None = None):
    """Polls check() until it returns something truthy; fails with `what` (and explain(), if
    given) after the deadline."""
    deadline = time.monotonic() + deadline_s
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {deadline_s} s" + (f"\n{explain()}" if explain else ""))
        time.sleep(interval)


# --------------------------------------------------------------------------------------------
# The stack: api + track + Nginx over one temp folder
# --------------------------------------------------------------------------------------------


@dataclass
class Stack:
    root: Path
    rate_limits: bool  # Nginx's limit_req zones (and the apps' own limits unless app_rate_limits says otherwise)
    nginx: str
    app_rate_limits: bool | None = None  # the apps' --rate-limits; None: the same as rate_limits
    nginx_config_args: tuple[str, ...] = ()  # more `attendify nginx-config` flags (e.g. --access-log full)
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    port: int = 0  # Nginx: the only port the tests talk to
    api_port: int = 0
    track_port: int = 0
    metrics_port: int = 0

    @property
    def db(self) -> Path:
        return self.root / "attendify.sqlite"

    @property
    def out(self) -> Path:
        return self.root / "out"

    @property
    def panel(self) -> Path:
        return self.root / "panel"

    @property
    def prefix(self) -> Path:
        return self.root / "nginx"

    @property
    def conf(self) -> Path:
        return self.prefix / "nginx.conf"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self, name: str) -> Path:
        return self.root / f"{name}.log"

    def log_text(self, name: str) -> str:
        path = self.log(name)
        return path.read_text(errors="replace") if path.exists() else "(no log)"

    def get(self, path: str, **kwargs) -> Reply:
        return fetch(self.port, "GET", path, **kwargs)

    # ---- start ------------------------------------------------------------------------------

    def start(self) -> None:
        limits = "on" if self.rate_limits else "off"
        app_limits = limits if self.app_rate_limits is None else ("on" if self.app_rate_limits else "off")
        self.root.chmod(0o755)  # Nginx's workers (nobody, when run as root) must read out/ and the panel
        self.panel.mkdir()
        (self.panel / "index.html").write_text(
            '<!doctype html>\n<html lang="en"><meta charset="utf-8"><title>Attendify panel (test)</title>'
            "<p>panel</p></html>\n")
        self.prefix.mkdir()
        (self.prefix / "tmp").mkdir()
        subprocess.run([BIN, "migrate", "--db", str(self.db)], check=True, capture_output=True, env=app_env(), timeout=60)

        # Nginx's port first: the API writes it into widget_url / ics_url.
        self.port = free_port()
        self.spawn("api", [
            BIN, "api", "--db", str(self.db), "--out", str(self.out), "--templates", str(REPO / "Templates"),
            "--host", "127.0.0.1", "--port", "0", "--public-url", self.base, "--trusted-proxy", "127.0.0.1",
            "--rate-limits", app_limits,
        ])
        self.spawn("track", [
            BIN, "track", "--db", str(self.db), "--host", "127.0.0.1", "--port", "0", "--metrics-port", "0",
            "--trusted-proxy", "127.0.0.1", "--rate-limits", app_limits,
        ])
        self.api_port = self.wait_for_log("api", READY["api"])
        self.track_port = self.wait_for_log("track", READY["track"])
        self.metrics_port = self.wait_for_log("track", READY["metrics"])

        rendered = subprocess.run([
            BIN, "nginx-config", "--standalone", str(self.prefix), "--listen", f"127.0.0.1:{self.port}",
            "--out", str(self.out), "--panel", str(self.panel), "--api", f"127.0.0.1:{self.api_port}",
            "--track", f"127.0.0.1:{self.track_port}", "--rate-limits", limits, *self.nginx_config_args,
        ], capture_output=True, text=True, env=app_env(), timeout=60)
        assert rendered.returncode == 0, f"attendify nginx-config failed:\n{rendered.stdout}{rendered.stderr}"
        self.conf.write_text(rendered.stdout)
        # -e: the error log from the very start (before nginx.conf is read), so no root-owned
        # default path is touched. -g "daemon off;": Nginx stays our child, so teardown always
        # finds it; it is still stopped the documented way (nginx -s quit).
        nginx_args = [self.nginx, "-p", str(self.prefix), "-c", str(self.conf), "-e", str(self.prefix / "error.log")]
        checked = subprocess.run([*nginx_args, "-t", "-q"], capture_output=True, text=True, timeout=30)
        assert checked.returncode == 0, f"nginx rejected the generated nginx.conf:\n{checked.stderr}\n{rendered.stdout}"
        self.spawn("nginx", [*nginx_args, "-g", "daemon off;"])
        wait_until("Nginx answering the panel at /", self.nginx_ready, START_DEADLINE_S)

    def spawn(self, name: str, args: list[str]) -> None:
        with self.log(name).open("wb") as log:
            # Own session: a last-resort kill can take the whole group (Nginx's workers too).
            self.procs[name] = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=app_env(),
                                                cwd=self.root, start_new_session=True)

    def wait_for_log(self, name: str, pattern: re.Pattern) -> int:
        proc = self.procs[name]

        def ready():
            match = pattern.search(self.log_text(name))
            if match:
                return int(match.group(1))
            if proc.poll() is not None:
                pytest.fail(f"attendify {name} exited with {proc.returncode} before it was ready:\n{self.log_text(name)}")
            return None

        return wait_until(f"attendify {name} ready ({pattern.pattern})", ready, START_DEADLINE_S)

    def nginx_ready(self) -> bool:
        proc = self.procs["nginx"]
        if proc.poll() is not None:
            pytest.fail(f"nginx exited with {proc.returncode}:\n{self.log_text('nginx')}\n"
                        f"{(self.prefix / 'error.log').read_text(errors='replace')}")
        try:
            return self.get("/", timeout=2).status == 200
        except OSError:
            return False

    # ---- stop -------------------------------------------------------------------------------

    def stop(self) -> None:
        """Stops what this stack started: Nginx first (no more traffic), then the tracker (SIGTERM
        drains its queue), then the API. Never raises."""
        if "nginx" in self.procs and self.procs["nginx"].poll() is None:
            try:  # the documented way: graceful, the master stops its workers
                subprocess.run([self.nginx, "-p", str(self.prefix), "-c", str(self.conf), "-e", str(self.prefix / "error.log"),
                                "-s", "quit"], capture_output=True, timeout=30)
            except (OSError, subprocess.SubprocessError):
                pass
        for name in ("nginx", "track", "api"):
            proc = self.procs.get(name)
            if proc is None:
                continue
            try:
                proc.wait(timeout=10 if name == "nginx" else 0.01)
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    pass
            if proc.poll() is None:
                try:  # last resort: the whole group this process leads (Nginx's workers too)
                    os.killpg(proc.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
                proc.wait()

    def dump_logs(self) -> None:
        print(f"\n===== kept for inspection: {self.root}")
        print(f"===== nginx error.log\n{(self.prefix / 'error.log').read_text(errors='replace') if (self.prefix / 'error.log').exists() else '(none)'}")
        for name in ("nginx", "api", "track"):
            text = self.log_text(name)
            print(f"===== {name} output (last 60 lines)\n" + "\n".join(text.splitlines()[-60:]))

    # ---- API shortcuts ------------------------------------------------------------------------

    def organizer(self) -> str:
        """Registers a fresh organizer through Nginx and returns a session token."""
        email = f"e2e-{uuid.uuid4().hex[:12]}@example.com"
        registered = fetch(self.port, "POST", "/api/auth/register",
                           body={"email": email, "password": PASSWORD, "full_name": "E2E Organizer"})
        assert registered.status == 201, f"register: {registered}"
        login = fetch(self.port, "POST", "/api/auth/login", body={"email": email, "password": PASSWORD})
        assert login.status == 200, f"login: {login}"
        token = login.json().get("token")
        assert token, f"login without a token: {login}"
        return token

    def create_event(self, token: str, title: str) -> dict:
        created = fetch(self.port, "POST", "/api/events", token=token, body={
            "title": title,
            "description": "Agenda: intro, demo, Q&A.",
            "start_datetime": "2027-03-10T15:00:00Z",
            "end_datetime": "2027-03-10T16:00:00Z",
            "timezone": "Europe/Warsaw",
            "webinar_url": "https://example.com/webinar/e2e",
        })
        assert created.status == 201, f"create event: {created}"
        return created.json()


@pytest.fixture
def stack_factory(request) -> Iterator[Callable[..., Stack]]:
    """start(rate_limits=True, app_rate_limits=None, nginx_config_args=()) -> a running Stack.
    Everything started is stopped on teardown; if the test failed, Nginx's error.log and the app
    logs are printed and the folder is kept."""
    nginx = nginx_binary()
    if not Path(BIN).exists():
        pytest.fail(f"{BIN} does not exist: run `swift build` first (or set ATTENDIFY_BIN)")
    failed_before = request.session.testsfailed
    stacks: list[Stack] = []

    def start(rate_limits: bool = True, app_rate_limits: bool | None = None, nginx_config_args: tuple[str, ...] = ()) -> Stack:
        stack = Stack(Path(tempfile.mkdtemp(prefix="attendify-nginx-e2e-")), rate_limits, nginx, app_rate_limits,
                      tuple(nginx_config_args))
        stacks.append(stack)
        stack.start()
        return stack

    yield start
    # The call phase's report is logged before fixture teardown, so a failure is already counted.
    failed = request.session.testsfailed > failed_before
    for stack in stacks:
        stack.stop()
        if failed:
            stack.dump_logs()
        else:
            shutil.rmtree(stack.root, ignore_errors=True)

