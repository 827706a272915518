"""A private Nginx in front of real `attendify api` and `attendify track`, for the Python tests:
the production layout (`attendify nginx-config --standalone PREFIX`), run as an ordinary user on
kernel-chosen loopback ports in a fresh temp folder. One place for starting, waiting for readiness,
requests through Nginx and stopping; Tests/interop/test_nginx_end_to_end.py and
Tests/faults/test_nginx_privacy.py use it. A stack can also run over a database it does not own
(a PostgreSQL URL plus PGPASSWORD in its environment) with a follower (`generate --follow`) into
its out/, so several stacks on one database are the nodes of a cluster
(Tests/interop/test_multi_node.py); single processes can be SIGKILLed, stopped and started again.

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


def metric(port: int, name: str) -> int:
    """One counter or gauge from a tracker's /metrics (Prometheus text)."""
    text = fetch(port, "GET", "/metrics").body.decode()
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == name:
            return int(float(parts[1]))
    raise AssertionError(f"no metric {name} in:\n{text}")


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
# The stack: api + track (+ follower) + Nginx over one temp folder
# --------------------------------------------------------------------------------------------

PROCESS_ORDER = ("nginx", "follow", "track", "api")  # the order stop() and kill() take them in
FOLLOWING = re.compile(r"Following changes into ")


@dataclass
class Stack:
    """One node: `attendify api`, `attendify track` (with /metrics), optionally `attendify
    generate --follow`, and Nginx, over one temp folder (its own out/, panel and Nginx prefix).

    The database is the stack's own SQLite file (`db`) unless `db_url` names another one, e.g. a
    PostgreSQL database several stacks share (`postgres://user@host:port/db`; its password goes in
    `env` as PGPASSWORD). `env` is the base environment of every process the stack starts (its
    ATTENDIFY_* variables are dropped like app_env()'s); None means app_env().

    Processes by name ("api", "track", "follow", "nginx"): `kill()` SIGKILLs them (no graceful
    stop), `stop_process()` stops one the graceful way, `start_process()` starts one again on the
    same ports (its log is appended to), and `stop()` stops everything left."""

    root: Path
    rate_limits: bool  # Nginx's limit_req zones (and the apps' own limits unless app_rate_limits says otherwise)
    nginx: str
    app_rate_limits: bool | None = None  # the apps' --rate-limits; None: the same as rate_limits
    nginx_config_args: tuple[str, ...] = ()  # more `attendify nginx-config` flags (e.g. --access-log full)
    db_url: str | None = None  # --db for every command; None: the stack's own SQLite file
    env: dict[str, str] | None = None  # the processes' environment (PGPASSWORD...); None: app_env()
    follow: bool = False  # also run `attendify generate --follow` into out/
    name: str = ""  # for log dumps when several stacks run at once
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    port: int = 0  # Nginx: the only port the tests talk to
    api_port: int = 0
    track_port: int = 0
    metrics_port: int = 0
    log_offsets: dict[str, int] = field(default_factory=dict)  # where each process's current run starts in its log

    @property
    def db(self) -> Path:
        """The stack's own SQLite file (unused when db_url is set)."""
        return self.root / "attendify.sqlite"

    @property
    def db_arg(self) -> str:
        return self.db_url or str(self.db)

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

    def child_env(self) -> dict[str, str]:
        if self.env is None:
            return app_env()
        return {k: v for k, v in self.env.items() if not k.startswith("ATTENDIFY_")}

    def log(self, name: str) -> Path:
        return self.root / f"{name}.log"

    def log_text(self, name: str) -> str:
        path = self.log(name)
        return path.read_text(errors="replace") if path.exists() else "(no log)"

    def get(self, path: str, **kwargs) -> Reply:
        return fetch(self.port, "GET", path, **kwargs)

    def running(self, name: str) -> bool:
        proc = self.procs.get(name)
        return proc is not None and proc.poll() is None

    def exit_codes(self) -> dict[str, int | None]:
        """Each started process's exit code (None: still running)."""
        return {name: proc.poll() for name, proc in self.procs.items()}

    # ---- start ------------------------------------------------------------------------------

    def start(self) -> None:
        limits = "on" if self.rate_limits else "off"
        self.root.chmod(0o755)  # Nginx's workers (nobody, when run as root) must read out/ and the panel
        self.panel.mkdir()
        (self.panel / "index.html").write_text(
            '<!doctype html>\n<html lang="en"><meta charset="utf-8"><title>Attendify panel (test)</title>'
            "<p>panel</p></html>\n")
        self.prefix.mkdir()
        (self.prefix / "tmp").mkdir()
        migrated = subprocess.run([BIN, "migrate", "--db", self.db_arg], capture_output=True, text=True,
                                  env=self.child_env(), timeout=60)
        assert migrated.returncode == 0, f"attendify migrate failed:\n{migrated.stdout}{migrated.stderr}"

        # Nginx's port first: the API writes it into widget_url / ics_url.
        self.port = free_port()
        self.start_process("api", wait=False)
        self.start_process("track", wait=False)
        self.wait_ready("api")
        self.wait_ready("track")
        if self.follow:
            self.start_process("follow")

        rendered = subprocess.run([
            BIN, "nginx-config", "--standalone", str(self.prefix), "--listen", f"127.0.0.1:{self.port}",
            "--out", str(self.out), "--panel", str(self.panel), "--api", f"127.0.0.1:{self.api_port}",
            "--track", f"127.0.0.1:{self.track_port}", "--rate-limits", limits, *self.nginx_config_args,
        ], capture_output=True, text=True, env=self.child_env(), timeout=60)
        assert rendered.returncode == 0, f"attendify nginx-config failed:\n{rendered.stdout}{rendered.stderr}"
        self.conf.write_text(rendered.stdout)
        checked = subprocess.run([*self.nginx_args(), "-t", "-q"], capture_output=True, text=True, timeout=30)
        assert checked.returncode == 0, f"nginx rejected the generated nginx.conf:\n{checked.stderr}\n{rendered.stdout}"
        self.start_process("nginx")

    def nginx_args(self) -> list[str]:
        # -e: the error log from the very start (before nginx.conf is read), so no root-owned
        # default path is touched.
        return [self.nginx, "-p", str(self.prefix), "-c", str(self.conf), "-e", str(self.prefix / "error.log")]

    def command(self, name: str) -> list[str]:
        """The command line of process `name`. The first start of api and track takes
        kernel-chosen ports (--port 0); a later start reuses the ports Nginx was configured with."""
        app_limits = self.rate_limits if self.app_rate_limits is None else self.app_rate_limits
        limits = "on" if app_limits else "off"
        if name == "api":
            return [BIN, "api", "--db", self.db_arg, "--out", str(self.out), "--templates", str(REPO / "Templates"),
                    "--host", "127.0.0.1", "--port", str(self.api_port), "--public-url", self.base,
                    "--trusted-proxy", "127.0.0.1", "--rate-limits", limits]
        if name == "track":
            return [BIN, "track", "--db", self.db_arg, "--host", "127.0.0.1", "--port", str(self.track_port),
                    "--metrics-port", str(self.metrics_port), "--trusted-proxy", "127.0.0.1", "--rate-limits", limits]
        if name == "follow":
            return [BIN, "generate", "--follow", "--db", self.db_arg, "--out", str(self.out),
                    "--templates", str(REPO / "Templates"), "--public-url", self.base]
        if name == "nginx":
            # -g "daemon off;": Nginx stays our child, so teardown always finds it; it is still
            # stopped the documented way (nginx -s quit).
            return [*self.nginx_args(), "-g", "daemon off;"]
        raise ValueError(f"no process called {name!r}")

    def start_process(self, name: str, wait: bool = True) -> None:
        """Starts (or starts again, after kill() or stop_process()) process `name`; with wait,
        returns once it is ready (api/track: its ready line; follow: its first full rebuild done;
        nginx: it answers the panel)."""
        assert not self.running(name), f"{name} is already running"
        self.spawn(name, self.command(name))
        if wait:
            self.wait_ready(name)

    def wait_ready(self, name: str) -> None:
        if name == "api":
            self.api_port = self.wait_for_log("api", READY["api"])
        elif name == "track":
            self.track_port = self.wait_for_log("track", READY["track"])
            self.metrics_port = self.wait_for_log("track", READY["metrics"])
        elif name == "follow":
            self.wait_for_log("follow", FOLLOWING)
        elif name == "nginx":
            wait_until("Nginx answering the panel at /", self.nginx_ready, START_DEADLINE_S)

    def spawn(self, name: str, args: list[str]) -> None:
        # Appended: a process started again keeps its earlier output in the same log; readiness
        # is looked for only in what this run wrote (from log_offsets[name] on).
        with self.log(name).open("ab") as log:
            self.log_offsets[name] = log.tell()
            # Own session: a last-resort kill can take the whole group (Nginx's workers too).
            self.procs[name] = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=self.child_env(),
                                                cwd=self.root, start_new_session=True)

    def current_log(self, name: str) -> str:
        """What the current run of process `name` has logged."""
        path = self.log(name)
        if not path.exists():
            return ""
        with path.open("rb") as log:
            log.seek(self.log_offsets.get(name, 0))
            return log.read().decode(errors="replace")

    def wait_for_log(self, name: str, pattern: re.Pattern) -> int:
        proc = self.procs[name]

        def ready():
            match = pattern.search(self.current_log(name))
            if match:
                return int(match.group(1)) if pattern.groups else True
            if proc.poll() is not None:
                pytest.fail(f"attendify {name} exited with {proc.returncode} before it was ready:\n{self.current_log(name)}")
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

    def kill(self, *names: str) -> None:
        """SIGKILL (no graceful stop, no drain) to the named processes, default all of them, each
        with its whole process group (Nginx's workers too); returns once they are gone."""
        for name in names or PROCESS_ORDER:
            proc = self.procs.get(name)
            if proc is None or proc.poll() is not None:
                continue
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                proc.kill()
            proc.wait(timeout=30)

    def stop_process(self, name: str) -> int | None:
        """Stops one process the graceful way (Nginx: nginx -s quit; the apps: SIGTERM, the
        tracker draining its queue), SIGKILL after a grace period. Returns its exit code. Never
        raises."""
        proc = self.procs.get(name)
        if proc is None:
            return None
        if proc.poll() is None and name == "nginx":
            try:  # the documented way: graceful, the master stops its workers
                subprocess.run([*self.nginx_args(), "-s", "quit"], capture_output=True, timeout=30)
            except (OSError, subprocess.SubprocessError):
                pass
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
        return proc.returncode

    def stop(self) -> None:
        """Stops what this stack started: Nginx first (no more traffic), then the follower, the
        tracker (SIGTERM drains its queue), then the API. Never raises."""
        for name in PROCESS_ORDER:
            self.stop_process(name)

    def dump_logs(self) -> None:
        label = f" [{self.name}]" if self.name else ""
        print(f"\n===== kept for inspection{label}: {self.root}")
        print(f"===== nginx error.log{label}\n{(self.prefix / 'error.log').read_text(errors='replace') if (self.prefix / 'error.log').exists() else '(none)'}")
        for name in PROCESS_ORDER:
            if name == "follow" and not self.log(name).exists():
                continue
            text = self.log_text(name)
            code = self.procs[name].returncode if name in self.procs else None
            print(f"===== {name} output{label} (exit code {code}; last 60 lines)\n" + "\n".join(text.splitlines()[-60:]))

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
    """start(rate_limits=True, app_rate_limits=None, nginx_config_args=(), db_url=None, env=None,
    follow=False, name="") -> a running Stack. Several stacks may share one database (the same
    db_url). Everything started is stopped on teardown (also processes started again by the
    test); if the test failed, Nginx's error.log and the app logs of every stack are printed and
    the folders are kept."""
    nginx = nginx_binary()
    if not Path(BIN).exists():
        pytest.fail(f"{BIN} does not exist: run `swift build` first (or set ATTENDIFY_BIN)")
    failed_before = request.session.testsfailed
    stacks: list[Stack] = []

    def start(rate_limits: bool = True, app_rate_limits: bool | None = None, nginx_config_args: tuple[str, ...] = (),
              db_url: str | None = None, env: dict[str, str] | None = None, follow: bool = False,
              name: str = "") -> Stack:
        stack = Stack(Path(tempfile.mkdtemp(prefix="attendify-nginx-e2e-")), rate_limits, nginx, app_rate_limits,
                      tuple(nginx_config_args), db_url=db_url, env=env, follow=follow, name=name)
        stacks.append(stack)
        stack.start()
        return stack

    yield start
    # The call phase's report is logged before fixture teardown, so a failure is already counted.
    failed = request.session.testsfailed > failed_before
    for stack in stacks:
        stack.stop()
    for stack in stacks:
        if failed:
            stack.dump_logs()
        else:
            shutil.rmtree(stack.root, ignore_errors=True)
