"""Runs deploy/README.md (the operator guide: fresh Debian server to HTTPS) for real, as root.

Every ```sh block of the guide is run in order, command by command, in one persistent bash (like
an operator's terminal: `cd` and variables carry over). A block that runs `certbot` (certificate
issuance: it needs a public domain and Let's Encrypt) is skipped and listed as skipped; that is
the only thing not run. `apt-get install ... certbot` is not issuance: it runs. Each command first gets these path
substitutions, so nothing of the machine's own configuration is touched:

    /opt/attendify, /var/lib/attendify, /etc/attendify, /etc/systemd/system, /etc/nginx,
    /etc/letsencrypt, /var/www/letsencrypt  ->  the same path under a temp ROOT

and a command that still names any other absolute path fails the test (add a substitution).
Then each command is mapped as follows (everything not listed runs as written):

- `apt-get update`, `apt-get install -y ...`: run for real (packages may already be present).
- `useradd --system ... attendify`: run for real and without substitutions (the `--home` is only
  recorded in /etc/passwd); exit code 9 ("already exists") is accepted, since the machine persists.
  The system user stays afterwards.
- `git clone <your Attendify repository> DIR`: `git clone` of this checkout, then its uncommitted
  changes are copied over, so the files under test are the working tree's.
- `swift build -c release`: not run (minutes of CI time); the binary from ATTENDIFY_BIN (a debug
  build) is copied to `.build/release/attendify`, which the guide's `install` then installs.
- `git pull`: run for real (origin is this checkout: "Already up to date"); `git pull origin HEAD`
  if the checkout is a detached HEAD, which has no branch to pull.
- `sudo -u USER ...`: `runuser -u USER -- ...` (sudo may be missing; it also drops ATTENDIFY_*
  from the environment, as sudo does).
- `nginx -t`: the same check of the guide's files through a ROOT nginx.conf (a minimal Debian-like
  one: `user www-data`, mime.types, `include sites-enabled/*`; pid, logs and temp under ROOT).
- `systemctl daemon-reload`: no systemd here. Instead `systemd-analyze verify` checks the installed
  unit files (with the substitutions applied) and must print nothing, when that tool exists
  (otherwise this check is skipped, and the test says so).
- `systemctl enable --now UNITS` / `systemctl start UNITS`: `enable` makes the WantedBy= symlinks
  under ROOT/etc/systemd/system; start runs the unit's ExecStart (from the installed unit file,
  with the substitutions) in the background as its User=/Group= with no_new_privs (`setpriv`), in
  WorkingDirectory=, with a systemd-like environment plus EnvironmentFile=, umask 022. Fixed ports
  (--port 8081, 8082, --metrics-port 9182) are moved to free loopback ports, since this machine
  may be running other things. Started means "ready on http://127.0.0.1:PORT" for each port.
- `systemctl stop UNITS`: KillSignal= (SIGTERM), then it must exit 0 within TimeoutStopSec=.
- `systemctl reload nginx`: (re)starts a private Nginx with the site files the guide enabled, with
  `listen 80` / `listen 443` moved to free 127.0.0.1 ports and the upstreams to the moved ports.
- certbot (skipped): in its place the test writes a self-signed certificate where certbot would
  (ROOT/etc/letsencrypt/live/attendify.example.com/{fullchain,privkey}.pem), so the TLS switch
  that follows runs for real; HTTPS requests verify against that certificate.

Assertions, through the private Nginx only (Host: attendify.example.com):
- after the plain-HTTP site: register and log in via /api, create an event (its widget_url uses
  ATTENDIFY_PUBLIC_URL from the env file), the widget and .ics are 200 and equal to the published
  files (owned by attendify), a browser-UA click on /track is 302 and shows in the stats, the
  panel / is 200, an ACME challenge file in the webroot is served; the services run as attendify
  with no_new_privs; the site file equals deploy/nginx/attendify.conf (paths mapped back).
- after the TLS switch: the same over HTTPS with HSTS, port 80 redirects to https and still serves
  ACME challenges; the site file equals deploy/nginx/attendify-tls.conf.
- after the backup: exactly one backup, owned by attendify, a valid SQLite db (integrity_check)
  holding the event. Then the event is deleted (widget 404) and a second one is created.
- after the restore (+ generate --all): the first event's widget and .ics are 200 again and
  byte-identical to before (so the same public URL), the second event's files are gone, the old
  session works, the click is still counted; the database is attendify's, mode 0640.
- after the upgrade: the services are back, the widget is unchanged, the panel is 200, a new
  click is counted.
- each of these checkpoints ran exactly once, and no service logged an error-level line.

Every process started is stopped at the end (also on failure; the logs are printed then) and ROOT
is removed (kept with ATTENDIFY_DEPLOY_KEEP=1).

Runs only as root AND with CI=true or ATTENDIFY_DEPLOY_TEST=1 (it installs packages and adds a
system user); otherwise it is skipped.

Run: CI=true ATTENDIFY_BIN=.build/debug/attendify .venv/bin/python -m pytest -q -s Tests/interop/test_deploy_guide.py
"""

from __future__ import annotations

import http.client
import json
import os
import pwd
import re
import selectors
import shlex
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from attendify_nginx import Reply, wait_until  # shared with the Nginx suites
from attendify_serve import free_port

REPO = Path(__file__).resolve().parents[2]
BIN = os.environ.get("ATTENDIFY_BIN", str(REPO / ".build/debug/attendify"))
GUIDE = REPO / "deploy" / "README.md"
DOMAIN = "attendify.example.com"
USER = "attendify"
UA = "Mozilla/5.0 (X11; Linux x86_64) DeployGuide"  # browser-like: the tracker counts it
PASSWORD = "correct horse battery staple"
# System paths the guide writes to; each is moved under ROOT. Longest first (one regex pass).
MOVED = sorted(["/opt/attendify", "/var/lib/attendify", "/etc/attendify", "/etc/systemd/system", "/etc/nginx",
                "/etc/letsencrypt", "/var/www/letsencrypt"], key=len, reverse=True)
MOVED_RE = re.compile(r"(?<![\w./-])(" + "|".join(re.escape(p) for p in MOVED) + r")(?=/|\b|$)")
# An absolute path as a word of its own (after whitespace, =, >, <, or the start).
ABS_PATH_RE = re.compile(r"(?:(?<=[\s=<>(])|^)(/[^\s;&|)'\"`]*)")
ALLOWED_PATHS = {"/dev/null"}
LOG_FOLDER = "/var/log/nginx"  # where the generated site logs; the test moves it under ROOT
ERROR_LINE = re.compile(r"^\S+\s+(?:error|critical)\s", re.MULTILINE)
COMMAND_TIMEOUT_S = 600  # apt-get on a cold CI box
START_DEADLINE_S = 60.0
CHECKPOINTS = ("http", "tls", "backup", "restore", "upgrade")


def as_root_in_ci() -> None:
    if os.geteuid() != 0:
        pytest.skip("the deploy guide test runs only as root (it installs packages and adds a system user)")
    if os.environ.get("CI") != "true" and os.environ.get("ATTENDIFY_DEPLOY_TEST") != "1":
        pytest.skip("the deploy guide test changes the machine (apt-get, useradd): it runs only with CI=true "
                    "or ATTENDIFY_DEPLOY_TEST=1")


# --------------------------------------------------------------------------------------------
# The guide
# --------------------------------------------------------------------------------------------


@dataclass
class Block:
    heading: str
    line: int  # of the opening fence, 1-based
    text: str

    @property
    def runs_certbot(self) -> bool:
        """The block issues a certificate: one of its commands runs certbot. (Installing the
        certbot package with apt-get is not issuance and runs.)"""
        return any(re.match(r"^(?:sudo\s+)?certbot\b", part) for c in self.commands for part in split_and(c))

    @property
    def commands(self) -> list[str]:
        """Logical commands: backslash continuations joined, blank and comment lines dropped."""
        commands, current = [], ""
        for raw in self.text.splitlines():
            line = raw.rstrip()
            if not current and (not line.strip() or line.lstrip().startswith("#")):
                continue
            if line.endswith("\\"):
                current += line[:-1].rstrip() + " "
                continue
            commands.append((current + line.strip()) if current else line.strip())
            current = ""
        assert not current, f"deploy/README.md line {self.line}: a block ends in a continuation"
        return commands


def guide_blocks() -> list[Block]:
    lines = GUIDE.read_text().splitlines()
    blocks, heading, i = [], "(top)", 0
    while i < len(lines):
        line = lines[i].strip()
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
        if line == "```sh":
            end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == "```"), None)
            assert end is not None, f"deploy/README.md line {i + 1}: unclosed ```sh block"
            blocks.append(Block(heading, i + 1, "\n".join(lines[i + 1 : end])))
            i = end
        i += 1
    return blocks


def split_and(command: str) -> list[str]:
    """`a && b && c` -> [a, b, c] (the guide has no && inside quotes)."""
    return [part.strip() for part in re.split(r"\s&&\s", command)]


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


class _LoopbackHTTPS(http.client.HTTPSConnection):
    """HTTPS to 127.0.0.1 with SNI and certificate check for self.host (the domain)."""

    def connect(self):
        sock = socket.create_connection(("127.0.0.1", self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def app_env() -> dict[str, str]:
    """The operator's shell: the caller's environment without ATTENDIFY_* (which would change what
    the commands do) and non-interactive apt."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATTENDIFY_")}
    env["DEBIAN_FRONTEND"] = "noninteractive"
    return env


# --------------------------------------------------------------------------------------------
# The operator's shell
# --------------------------------------------------------------------------------------------


class Shell:
    """One bash for the whole guide; each command runs with stdin from /dev/null."""

    def __init__(self, cwd: Path, log: Path):
        self.log = log.open("a")
        self.proc = subprocess.Popen(["bash", "--noprofile", "--norc"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, env=app_env(), cwd=cwd, start_new_session=True)
        self.run("set -o pipefail; umask 022")

    def run(self, command: str, timeout: float = COMMAND_TIMEOUT_S) -> tuple[int, str]:
        marker = f"__rc_{uuid.uuid4().hex}__"
        script = f"{{ {command}\n}} </dev/null 2>&1; __rc=$?; echo; echo \"{marker}$__rc\"\n"
        self.log.write(f"$ {command}\n")
        self.log.flush()
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(script.encode())
        self.proc.stdin.flush()
        buffer = b""
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as sel:
            sel.register(self.proc.stdout, selectors.EVENT_READ)
            while True:
                match = re.search(rb"\n" + marker.encode() + rb"(\d+)\n", buffer)
                if match:
                    output = buffer[: match.start()].decode(errors="replace")
                    self.log.write(output + "\n")
                    self.log.flush()
                    return int(match.group(1)), output
                left = deadline - time.monotonic()
                if left <= 0:
                    pytest.fail(f"`{command}` did not finish within {timeout} s:\n{buffer.decode(errors='replace')[-3000:]}")
                if sel.select(min(left, 1.0)):
                    chunk = os.read(self.proc.stdout.fileno(), 65536)
                    if not chunk:
                        pytest.fail(f"the shell exited during `{command}`:\n{buffer.decode(errors='replace')[-3000:]}")
                    buffer += chunk

    def close(self) -> None:
        try:
            if self.proc.stdin:
                self.proc.stdin.close()
            self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.log.close()


# --------------------------------------------------------------------------------------------
# The machine: ROOT, services, Nginx
# --------------------------------------------------------------------------------------------


@dataclass
class Service:
    name: str
    proc: subprocess.Popen
    log: Path
    stop_timeout: float
    kill_signal: int


@dataclass
class Machine:
    root: Path
    nginx_bin: str
    ports: dict[int, int] = field(default_factory=dict)  # port in the guide/units -> loopback port here
    services: dict[str, Service] = field(default_factory=dict)
    nginx: subprocess.Popen | None = None
    http_port: int = 0
    https_port: int = 0
    notes: list[str] = field(default_factory=list)

    # ---- paths ---------------------------------------------------------------------------------

    def sub(self, text: str) -> str:
        return MOVED_RE.sub(lambda m: f"{self.root}{m.group(1)}", text)

    def unsub(self, text: str) -> str:
        return text.replace(str(self.root) + "/", "/")

    def p(self, system_path: str) -> Path:
        return Path(self.sub(system_path))

    @property
    def logs(self) -> Path:
        return self.root / "test-logs"

    @property
    def nginx_conf(self) -> Path:
        return self.p("/etc/nginx/nginx.conf")

    @property
    def nginx_run(self) -> Path:
        return self.root / "run" / "nginx"

    def unmapped_paths(self, command: str) -> list[str]:
        found = []
        for path in ABS_PATH_RE.findall(command):
            if path in ALLOWED_PATHS or path.startswith(str(self.root) + "/") or path.startswith(str(REPO) + "/") \
                    or path in (str(REPO), BIN) or path.startswith(self.nginx_bin):
                continue
            found.append(path)
        return found

    # ---- the Debian nginx layout under ROOT --------------------------------------------------

    def prepare(self) -> None:
        """What a Debian system has at the moved paths, under ROOT: /etc/systemd/system, and
        /etc/nginx as the nginx package leaves it (so this runs after apt-get)."""
        if self.http_port:
            return
        self.p("/etc/systemd/system").mkdir(parents=True)
        nginx_etc = self.p("/etc/nginx")
        (nginx_etc / "sites-available").mkdir(parents=True)
        (nginx_etc / "sites-enabled").mkdir()
        shutil.copy("/etc/nginx/mime.types", nginx_etc / "mime.types")
        # As the Debian package ships it: a default site, enabled by a symlink (the guide removes it).
        (nginx_etc / "sites-available" / "default").write_text(
            "server {\n    listen 80 default_server;\n    root /var/www/html;\n}\n")
        (nginx_etc / "sites-enabled" / "default").symlink_to(nginx_etc / "sites-available" / "default")
        for sub in ("tmp", "sites", "log"):
            (self.nginx_run / sub).mkdir(parents=True, exist_ok=True)
        self.nginx_conf.write_text(self.wrapper(nginx_etc / "sites-enabled"))
        self.http_port, self.https_port = free_port(), free_port()

    def wrapper(self, sites: Path) -> str:
        run = self.nginx_run
        temps = "\n".join(f"    {kind}_temp_path {run / 'tmp' / kind};"
                          for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        return f"""# Test stand-in for Debian's /etc/nginx/nginx.conf, everything under ROOT.
user www-data;
worker_processes 1;
pid {run / 'nginx.pid'};
error_log {run / 'log' / 'error.log'};
events {{ worker_connections 256; }}
http {{
    sendfile on;
    include {self.p('/etc/nginx/mime.types')};
    default_type application/octet-stream;
    access_log {run / 'log' / 'access.log'};
{temps}
    include {sites}/*;
}}
"""

    def nginx_args(self, conf: Path) -> list[str]:
        return [self.nginx_bin, "-p", str(self.nginx_run), "-c", str(conf), "-e", str(self.nginx_run / "log" / "error.log")]

    # ---- systemctl -----------------------------------------------------------------------------

    def unit(self, name: str) -> dict[str, list[str]]:
        path = self.p(f"/etc/systemd/system/{name}.service")
        assert path.exists(), f"unit {name}: {self.unsub(str(path))} was not installed"
        keys: dict[str, list[str]] = {}
        section = ""
        for line in path.read_text().splitlines():
            line = line.strip()
            if not line or line.startswith(("#", ";")):
                continue
            if line.startswith("["):
                section = line.strip("[]")
                continue
            key, _, value = line.partition("=")
            keys.setdefault(f"{section}.{key.strip()}", []).append(value.strip())
        return keys

    def verify_units(self, names: list[str]) -> None:
        tool = shutil.which("systemd-analyze")
        if not tool:
            self.notes.append("systemd-analyze is not installed: the unit files were not verified")
            return
        folder = self.root / "verify"
        folder.mkdir(exist_ok=True)
        files = []
        for name in names:
            text = self.p(f"/etc/systemd/system/{name}.service").read_text()
            (folder / f"{name}.service").write_text(self.sub(text))
            files.append(str(folder / f"{name}.service"))
        result = subprocess.run([tool, "verify", *files], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0 and not result.stdout.strip() and not result.stderr.strip(), \
            f"systemd-analyze verify {' '.join(names)}: exit {result.returncode}\n{result.stdout}{result.stderr}"
        self.notes.append(f"systemd-analyze verify: {', '.join(names)} clean")

    def installed_units(self) -> list[str]:
        return sorted(p.stem for p in self.p("/etc/systemd/system").glob("attendify-*.service"))

    def systemctl(self, args: list[str]) -> None:
        verb, rest = args[0], args[1:]
        if verb == "daemon-reload":
            self.verify_units(self.installed_units())
            return
        now = "--now" in rest
        units = [u.removesuffix(".service") for u in rest if not u.startswith("-")]
        if verb == "enable":
            for name in units:
                for target in self.unit(name).get("Install.WantedBy", []):
                    wants = self.p(f"/etc/systemd/system/{target}.wants")
                    wants.mkdir(exist_ok=True)
                    link = wants / f"{name}.service"
                    link.unlink(missing_ok=True)
                    link.symlink_to(f"/etc/systemd/system/{name}.service")
                assert self.unit(name).get("Install.WantedBy"), f"{name}: no WantedBy=, enable would do nothing"
            if now:
                self.start(units)
        elif verb == "start":
            self.start(units)
        elif verb == "stop":
            self.stop(units)
        elif verb == "reload" and units == ["nginx"]:
            self.restart_nginx()
        else:
            pytest.fail(f"the test does not know how to stand in for `systemctl {' '.join(args)}`")

    def start(self, names: list[str]) -> None:
        for name in names:
            if name in self.services and self.services[name].proc.poll() is None:
                continue  # already running, as systemctl start
            unit = self.unit(name)
            exec_start = shlex.split(self.sub(unit["Service.ExecStart"][-1]))
            assert Path(exec_start[0]).is_absolute() and os.access(exec_start[0], os.X_OK), exec_start
            wanted = []
            for i, arg in enumerate(exec_start[:-1]):
                if arg in ("--port", "--metrics-port"):
                    original = int(exec_start[i + 1])
                    self.ports.setdefault(original, free_port())
                    exec_start[i + 1] = str(self.ports[original])
                    wanted.append(self.ports[original])
            user = unit["Service.User"][-1]
            group = unit.get("Service.Group", [user])[-1]
            account = pwd.getpwnam(user)
            env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8",
                   "USER": user, "LOGNAME": user, "HOME": account.pw_dir, "SHELL": account.pw_shell}
            for env_file in unit.get("Service.EnvironmentFile", []):
                optional = env_file.startswith("-")
                path = Path(self.sub(env_file.lstrip("-")))
                if not path.exists():
                    assert optional, f"{name}: EnvironmentFile {env_file} is missing"
                    continue
                for line in path.read_text().splitlines():
                    line = line.strip()
                    if line and not line.startswith(("#", ";")):
                        key, _, value = line.partition("=")
                        env[key.strip()] = value.strip().strip("'\"")
            cwd = self.sub(unit.get("Service.WorkingDirectory", ["/"])[-1])
            no_new_privs = unit.get("Service.NoNewPrivileges", ["false"])[-1] in ("true", "yes", "1")
            setpriv = ["setpriv", f"--reuid={user}", f"--regid={group}", "--init-groups"]
            if no_new_privs:
                setpriv.append("--no-new-privs")
            log = self.logs / f"{name}.log"
            stop_timeout = float(re.sub(r"s$", "", unit.get("Service.TimeoutStopSec", ["90"])[-1]))
            kill_signal = getattr(signal, unit.get("Service.KillSignal", ["SIGTERM"])[-1])
            # The log is appended across restarts: only what this start writes counts as ready.
            offset = log.stat().st_size if log.exists() else 0
            with log.open("ab") as out:
                proc = subprocess.Popen([*setpriv, "--", *exec_start], stdout=out, stderr=subprocess.STDOUT, env=env,
                                        cwd=cwd, start_new_session=True, umask=0o022)
            self.services[name] = Service(name, proc, log, stop_timeout, kill_signal)
            for port in wanted:
                ready = f"is ready on http://127.0.0.1:{port}"

                def check(port=port, ready=ready, proc=proc, log=log, offset=offset):
                    if proc.poll() is not None:
                        pytest.fail(f"{name} exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
                    return ready in log.read_bytes()[offset:].decode(errors="replace")

                wait_until(f"{name} ready on port {port}", check, START_DEADLINE_S)

    def stop(self, names: list[str]) -> None:
        for name in names:
            service = self.services.get(name)
            if service is None or service.proc.poll() is not None:
                continue
            service.proc.send_signal(service.kill_signal)
            try:
                code = service.proc.wait(timeout=service.stop_timeout)
            except subprocess.TimeoutExpired:
                pytest.fail(f"{name} did not stop within TimeoutStopSec={service.stop_timeout:g} s")
            assert code == 0, f"{name} exited with {code} on {signal.Signals(service.kill_signal).name}:\n" \
                              f"{service.log.read_text(errors='replace')[-3000:]}"

    # ---- Nginx ---------------------------------------------------------------------------------

    def nginx_test_command(self) -> str:
        """`nginx -t` over the enabled sites with their log folder moved under ROOT: even a
        configuration test opens (creates) every log file, and this machine's /var/log/nginx
        must stay untouched."""
        enabled = self.p("/etc/nginx/sites-enabled")
        checked = self.nginx_run / "checked-sites"
        conf = self.nginx_run / "checked.conf"
        conf.write_text(self.wrapper(checked))
        copy = (f"rm -rf {shlex.quote(str(checked))} && mkdir -p {shlex.quote(str(checked))} && "
                f"for site in {shlex.quote(str(enabled))}/*; do "
                f"sed 's#{LOG_FOLDER}/#{self.nginx_run / 'log'}/#g' \"$site\" > {shlex.quote(str(checked))}/\"$(basename \"$site\")\"; done")
        return f"{copy} && {shlex.join([*self.nginx_args(conf), '-t'])}"

    def run_site(self, text: str) -> str:
        def listen(m: re.Match) -> str:
            port = int(m.group(2))
            assert port in (80, 443), f"the site listens on {port}; the test maps only 80 and 443"
            return f"{m.group(1)}127.0.0.1:{self.http_port if port == 80 else self.https_port}"

        def upstream(m: re.Match) -> str:
            port = int(m.group(2))
            assert port in self.ports, f"the site proxies to 127.0.0.1:{port}, which no started unit listens on"
            return f"{m.group(1)}{self.ports[port]}"

        text = text.replace(f"{LOG_FOLDER}/", f"{self.nginx_run / 'log'}/")  # this machine's /var/log stays untouched
        text = re.sub(r"(^\s*listen\s+)(?:\[::\]:|[\d.]+:)?(\d+)\b", listen, text, flags=re.MULTILINE)
        return re.sub(r"(^\s*server\s+127\.0\.0\.1:)(\d+)\b", upstream, text, flags=re.MULTILINE)

    def restart_nginx(self) -> None:
        self.stop_nginx()
        sites = self.nginx_run / "sites"
        for old in sites.iterdir():
            old.unlink()
        enabled = sorted(self.p("/etc/nginx/sites-enabled").iterdir())
        assert enabled, "no site is enabled"
        for site in enabled:
            (sites / site.name).write_text(self.run_site(site.read_text()))
        conf = self.nginx_run / "nginx.conf"
        conf.write_text(self.wrapper(sites))
        checked = subprocess.run([*self.nginx_args(conf), "-t", "-q"], capture_output=True, text=True, timeout=30)
        assert checked.returncode == 0, f"nginx rejected the running configuration:\n{checked.stderr}"
        with (self.logs / "nginx.log").open("ab") as out:
            self.nginx = subprocess.Popen([*self.nginx_args(conf), "-g", "daemon off;"], stdout=out,
                                          stderr=subprocess.STDOUT, start_new_session=True)

        def answering():
            if self.nginx.poll() is not None:
                pytest.fail(f"nginx exited with {self.nginx.returncode}:\n{self.nginx_error_log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.http_port), timeout=1):
                    return True
            except OSError:
                return False

        wait_until("nginx answering", answering, START_DEADLINE_S)

    def stop_nginx(self) -> None:
        if self.nginx is None:
            return
        if self.nginx.poll() is None:
            conf = self.nginx_run / "nginx.conf"
            subprocess.run([*self.nginx_args(conf), "-s", "quit"], capture_output=True, timeout=30)
            try:
                self.nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.nginx.pid, signal.SIGKILL)
                self.nginx.wait()
        self.nginx = None

    def nginx_error_log(self) -> str:
        path = self.nginx_run / "log" / "error.log"
        return path.read_text(errors="replace") if path.exists() else "(none)"

    # ---- requests through Nginx --------------------------------------------------------------

    def fetch(self, method: str, path: str, body=None, headers: dict[str, str] | None = None,
              token: str | None = None, tls: bool = False) -> Reply:
        headers = {"Host": DOMAIN, **(headers or {})}
        if isinstance(body, dict):
            body = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if tls:
            context = ssl.create_default_context(cafile=str(self.p(f"/etc/letsencrypt/live/{DOMAIN}/fullchain.pem")))
            conn: http.client.HTTPConnection = _LoopbackHTTPS(DOMAIN, self.https_port, context=context, timeout=30)
        else:
            conn = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            return Reply(response.status, response.headers, response.read())
        finally:
            conn.close()

    # ---- teardown ------------------------------------------------------------------------------

    def shutdown(self) -> None:
        """Stops everything started here. Never raises."""
        try:
            self.stop_nginx()
        except Exception:  # noqa: BLE001 - teardown must go on
            pass
        if self.nginx is not None and self.nginx.poll() is None:
            os.killpg(self.nginx.pid, signal.SIGKILL)
        for service in self.services.values():
            if service.proc.poll() is None:
                service.proc.send_signal(signal.SIGTERM)
                try:
                    service.proc.wait(timeout=service.stop_timeout)
                except subprocess.TimeoutExpired:
                    os.killpg(service.proc.pid, signal.SIGKILL)
                    service.proc.wait()

    def dump_logs(self) -> None:
        print(f"\n===== nginx error.log\n{self.nginx_error_log()}")
        for log in sorted(self.logs.glob("*.log")):
            print(f"===== {log.name} (last 80 lines)\n" + "\n".join(log.read_text(errors="replace").splitlines()[-80:]))


# --------------------------------------------------------------------------------------------
# Mapping the guide's commands
# --------------------------------------------------------------------------------------------


class Runner:
    def __init__(self, machine: Machine, shell: Shell):
        self.m = machine
        self.shell = shell
        self.mapped: list[tuple[str, str]] = []  # (guide command, what ran)

    def sh(self, original: str, command: str, ok: tuple[int, ...] = (0,), check_paths: bool = True) -> str:
        if check_paths:
            unmapped = self.m.unmapped_paths(command)
            assert not unmapped, (f"`{original}` names {unmapped}, which the test does not move under ROOT: "
                                  f"add a substitution (running it would change this machine)")
        self.mapped.append((original, command))
        code, output = self.shell.run(command)
        assert code in ok, f"`{original}` (ran as `{command}`) exited with {code}:\n{output[-4000:]}"
        return output

    def python(self, original: str, what: str, action: Callable[[], None]) -> None:
        self.mapped.append((original, what))
        action()

    def run(self, command: str) -> None:
        original = command
        if re.match(r"^apt-get\s", command):
            self.sh(original, command, check_paths=False)
            return
        if re.match(r"^useradd\s", command):
            self.sh(original, command, ok=(0, 9), check_paths=False)
            return
        self.m.prepare()  # /etc/nginx's stand-in, once apt-get has installed nginx
        command = self.m.sub(command)
        if command.startswith("sudo "):
            match = re.match(r"^sudo -u (\S+) (.*)$", command)
            assert match, f"`{original}`: the test maps only `sudo -u USER ...`"
            command = f"runuser -u {match.group(1)} -- {match.group(2)}"
        if command.startswith("systemctl "):
            args = shlex.split(command)[1:]
            self.python(original, f"stand-in for systemctl {' '.join(args)}", lambda: self.m.systemctl(args))
            return
        if command == "nginx -t":
            self.sh(original, self.m.nginx_test_command())
            return
        if command == "swift build -c release":
            self.sh(original, f"mkdir -p .build/release && cp {shlex.quote(BIN)} .build/release/attendify")
            return
        match = re.match(r"^git clone <[^>]+> (\S+)$", command)
        if match:
            dest = match.group(1)
            self.sh(original, f"git clone -q {shlex.quote(str(REPO))} {dest}")
            self.python(original, "copy the checkout's uncommitted changes over the clone", lambda: overlay(Path(dest)))
            return
        if command == "git pull":
            detached = self.shell.run("git symbolic-ref -q HEAD >/dev/null")[0] != 0
            self.sh(original, "git pull origin HEAD" if detached else "git pull")
            return
        self.sh(original, command)


def overlay(dest: Path) -> None:
    listed = subprocess.run(["git", "-C", str(REPO), "ls-files", "-z", "--modified", "--others", "--exclude-standard"],
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source, target = REPO / name, dest / name
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        elif not source.exists():
            target.unlink(missing_ok=True)


# --------------------------------------------------------------------------------------------
# The test
# --------------------------------------------------------------------------------------------


@pytest.fixture
def machine(request):
    as_root_in_ci()
    if not Path(BIN).exists():
        pytest.fail(f"{BIN} does not exist: run `swift build` first (or set ATTENDIFY_BIN)")
    for tool in ("git", "runuser", "setpriv", "openssl"):
        assert shutil.which(tool), f"{tool} is missing"
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    m = Machine(Path(tempfile.mkdtemp(prefix="attendify-deploy-")), nginx)
    m.root.chmod(0o755)  # attendify and Nginx's workers traverse it
    m.logs.mkdir()
    failed_before = request.session.testsfailed
    yield m
    m.shutdown()
    if request.session.testsfailed > failed_before:
        m.dump_logs()
    if os.environ.get("ATTENDIFY_DEPLOY_KEEP") == "1":
        print(f"kept {m.root}")
    else:
        shutil.rmtree(m.root, ignore_errors=True)


def test_deploy_guide(machine: Machine):
    m = machine
    started = time.monotonic()
    blocks = guide_blocks()
    assert blocks, "deploy/README.md has no ```sh blocks"
    state: dict = {}
    done: list[str] = []
    skipped: list[str] = []

    shell = Shell(m.root, m.logs / "shell.log")
    runner = state["runner"] = Runner(m, shell)

    def checkpoint(name: str, action: Callable[[], None]) -> None:
        action()
        done.append(name)
        print(f"  checkpoint {name}: ok ({time.monotonic() - started:.1f} s)")

    try:
        for block in blocks:
            label = f"deploy/README.md:{block.line} ({block.heading})"
            if block.runs_certbot:
                skipped.append(f"{label}: {' / '.join(block.commands)}")
                print(f"SKIPPED {label}: certificate issuance needs a public domain; a self-signed stand-in is used")
                certificate_stand_in(m)
                continue
            print(f"-- {label} ({time.monotonic() - started:.1f} s)")
            for command in block.commands:
                for part in split_and(command):
                    runner.run(part)
            # Checkpoints after the blocks that complete a stage.
            text = block.text
            if "nginx-config" in text and "--tls-certificate" not in text:
                checkpoint("http", lambda: check_http(m, state))
            elif "--tls-certificate" in text:
                checkpoint("tls", lambda: check_tls(m, state))
            elif re.search(r"\sbackup\s", text):
                checkpoint("backup", lambda: check_backup(m, state))
            elif "install -o" in text:
                checkpoint("restore", lambda: check_restore(m, state))
            elif "git pull" in text:
                checkpoint("upgrade", lambda: check_upgrade(m, state))
    finally:
        if shell is not None:
            shell.close()

    assert done == list(CHECKPOINTS), f"checkpoints {done}, expected {list(CHECKPOINTS)}: the guide's structure changed"
    assert len(skipped) == 1, f"skipped blocks: {skipped}"
    for name in ("attendify-api", "attendify-track"):
        text = m.services[name].log.read_text(errors="replace")
        assert not ERROR_LINE.search(text), f"error-level lines in {name}'s log:\n{text}"
    print("\nHow each guide command ran:")
    for original, ran in state["runner"].mapped:
        shown = m.unsub(ran)
        print(f"  {original}" + ("" if shown == original else f"\n      -> {shown}"))
    print("Skipped (certificate issuance):\n  " + "\n  ".join(skipped))
    for note in m.notes:
        print(f"Note: {note}")
    print(f"deploy guide: {len(state['runner'].mapped)} steps in {time.monotonic() - started:.1f} s")


def certificate_stand_in(m: Machine) -> None:
    """What certbot would leave behind: a certificate chain and key for the domain."""
    live = m.p(f"/etc/letsencrypt/live/{DOMAIN}")
    live.mkdir(parents=True)
    result = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                             "-subj", f"/CN={DOMAIN}", "-addext", f"subjectAltName=DNS:{DOMAIN}",
                             "-keyout", str(live / "privkey.pem"), "-out", str(live / "fullchain.pem")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


# --------------------------------------------------------------------------------------------
# Checkpoints
# --------------------------------------------------------------------------------------------


def out_file(m: Machine, *parts: str) -> Path:
    return m.p("/var/lib/attendify/out").joinpath(*parts)


def widget_path(public_id: str) -> str:
    return f"/widget/event/{public_id}"


def ics_path(public_id: str) -> str:
    return f"/calendar/{public_id}/download.ics"


def attendify_uid() -> int:
    return pwd.getpwnam(USER).pw_uid


def create_event(m: Machine, token: str, title: str, tls: bool = False) -> dict:
    created = m.fetch("POST", "/api/events", token=token, tls=tls, body={
        "title": title,
        "description": "Agenda: intro, demo, Q&A.",
        "start_datetime": "2027-03-10T15:00:00Z",
        "end_datetime": "2027-03-10T16:00:00Z",
        "timezone": "Europe/Warsaw",
        "webinar_url": "https://example.com/webinar/deploy",
    })
    assert created.status == 201, f"create event: {created}"
    return created.json()


def total_clicks(m: Machine, state: dict, tls: bool) -> int:
    stats = m.fetch("GET", f"/api/events/{state['event_id']}/stats?tz=UTC", token=state["token"], tls=tls)
    assert stats.status == 200, stats
    return stats.json()["total_clicks"]


def click(m: Machine, state: dict, tls: bool, expect_total: int) -> None:
    reply = m.fetch("GET", f"/track/{state['public_id']}/google", headers={"User-Agent": UA}, tls=tls)
    assert reply.status == 302, f"click: {reply}"
    assert (reply.header("Location") or "").startswith("https://calendar.google.com/"), reply
    wait_until(f"the click counted (total_clicks {expect_total})",
               lambda: total_clicks(m, state, tls) == expect_total, 15, interval=0.1)


def check_published(m: Machine, state: dict, tls: bool) -> None:
    """The event's widget and .ics through Nginx: 200 and the published files."""
    public_id = state["public_id"]
    for path, file in ((widget_path(public_id), out_file(m, "widget", "event", public_id, "index.html")),
                       (ics_path(public_id), out_file(m, "calendar", public_id, "download.ics"))):
        reply = m.fetch("GET", path, tls=tls)
        assert reply.status == 200, f"{path}: {reply}"
        assert reply.body == file.read_bytes(), f"{path} through Nginx differs from {m.unsub(str(file))}"


def check_panel(m: Machine, tls: bool) -> None:
    panel = m.fetch("GET", "/", tls=tls)
    assert panel.status == 200, panel
    assert panel.body == m.p("/opt/attendify/Panel/index.html").read_bytes(), "/ is not the installed panel"
    assert panel.header("X-Frame-Options") == "DENY", panel


def check_site_file(m: Machine, sample: str) -> None:
    written = m.unsub(m.p("/etc/nginx/sites-available/attendify.conf").read_text())
    shipped = (REPO / "deploy" / "nginx" / sample).read_text()
    assert written == shipped, f"deploy/nginx/{sample} is not what the guide's nginx-config command writes"


def check_http(m: Machine, state: dict) -> None:
    enabled = m.p("/etc/nginx/sites-enabled")
    assert sorted(p.name for p in enabled.iterdir()) == ["attendify.conf"], "the default site is still enabled"
    assert (enabled / "attendify.conf").is_symlink()
    check_site_file(m, "attendify.conf")
    assert (m.p("/etc/systemd/system/multi-user.target.wants") / "attendify-api.service").is_symlink()
    # The services run as the unit says.
    for service in m.services.values():
        status = Path(f"/proc/{service.proc.pid}/status").read_text()
        uid = re.search(r"^Uid:\s+(\d+)", status, re.MULTILINE).group(1)
        assert int(uid) == attendify_uid(), f"{service.name} runs as uid {uid}"
        assert re.search(r"^NoNewPrivs:\s+1", status, re.MULTILINE), f"{service.name} lacks no_new_privs"

    email = f"deploy-{uuid.uuid4().hex[:12]}@example.com"
    registered = m.fetch("POST", "/api/auth/register", body={"email": email, "password": PASSWORD,
                                                              "full_name": "Deploy Guide"})
    assert registered.status == 201, f"register: {registered}"
    login = m.fetch("POST", "/api/auth/login", body={"email": email, "password": PASSWORD})
    assert login.status == 200, f"login: {login}"
    state["token"] = login.json()["token"]
    event = create_event(m, state["token"], "Deploy guide webinar")
    state["event_id"], state["public_id"] = event["id"], event["public_id"]
    # ATTENDIFY_PUBLIC_URL from /etc/attendify/attendify.env reached the API.
    assert event["widget_url"] == f"https://{DOMAIN}{widget_path(event['public_id'])}", event
    widget_file = out_file(m, "widget", "event", event["public_id"], "index.html")
    assert widget_file.stat().st_uid == attendify_uid(), "the widget was not written by the attendify user"
    check_published(m, state, tls=False)
    assert b"Deploy guide webinar" in m.fetch("GET", widget_path(state["public_id"])).body
    click(m, state, tls=False, expect_total=1)
    check_panel(m, tls=False)
    # certbot --webroot puts its challenge here; Nginx must serve it on port 80.
    challenge = m.p("/var/www/letsencrypt/.well-known/acme-challenge")
    challenge.mkdir(parents=True)
    (challenge / "token-1").write_text("acme-proof\n")
    reply = m.fetch("GET", "/.well-known/acme-challenge/token-1")
    assert reply.status == 200 and reply.body == b"acme-proof\n", f"ACME challenge: {reply}"


def check_tls(m: Machine, state: dict) -> None:
    check_site_file(m, "attendify-tls.conf")
    panel = m.fetch("GET", "/", tls=True)
    assert (panel.header("Strict-Transport-Security") or "").startswith("max-age="), f"no HSTS:\n{panel}"
    check_panel(m, tls=True)
    events = m.fetch("GET", f"/api/events/{state['event_id']}", token=state["token"], tls=True)
    assert events.status == 200, events
    check_published(m, state, tls=True)
    click(m, state, tls=True, expect_total=2)
    redirect = m.fetch("GET", "/some/page?x=1")
    assert redirect.status == 301 and redirect.header("Location") == f"https://{DOMAIN}/some/page?x=1", redirect
    reply = m.fetch("GET", "/.well-known/acme-challenge/token-1")
    assert reply.status == 200 and reply.body == b"acme-proof\n", f"ACME challenge over HTTP after the switch: {reply}"


def check_backup(m: Machine, state: dict) -> None:
    backups = sorted(m.p("/var/lib/attendify/backups").glob("*.sqlite"))
    assert len(backups) == 1, f"backups: {backups}"
    backup = backups[0]
    assert backup.stat().st_uid == attendify_uid(), "the backup is not owned by attendify"
    with sqlite3.connect(f"file:{backup}?mode=ro", uri=True) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        row = conn.execute("SELECT title FROM events WHERE public_id = ?", (state["public_id"],)).fetchone()
    assert row == ("Deploy guide webinar",), f"the backup does not hold the event: {row}"
    public_id = state["public_id"]
    state["widget_bytes"] = m.fetch("GET", widget_path(public_id), tls=True).body
    state["ics_bytes"] = m.fetch("GET", ics_path(public_id), tls=True).body
    # After the backup: the event is deleted and another one created; a restore must undo both.
    deleted = m.fetch("DELETE", f"/api/events/{state['event_id']}", token=state["token"], tls=True)
    assert deleted.status == 204, deleted
    assert m.fetch("GET", widget_path(public_id), tls=True).status == 404
    later = create_event(m, state["token"], "Created after the backup", tls=True)
    state["later_id"] = later["public_id"]
    assert m.fetch("GET", widget_path(later["public_id"]), tls=True).status == 200


def check_restore(m: Machine, state: dict) -> None:
    db = m.p("/var/lib/attendify/attendify.sqlite")
    assert db.stat().st_uid == attendify_uid() and (db.stat().st_mode & 0o777) == 0o640, "restored db owner/mode"
    public_id = state["public_id"]
    widget = m.fetch("GET", widget_path(public_id), tls=True)
    assert widget.status == 200, f"the restored event's widget: {widget}"
    assert widget.body == state["widget_bytes"], "generate --all after the restore wrote a different widget"
    ics = m.fetch("GET", ics_path(public_id), tls=True)
    assert ics.status == 200, ics
    uids = re.findall(rb"UID:[^\r]*", ics.body)
    assert ics.body == state["ics_bytes"], f"generate --all after the restore wrote a different .ics ({uids})"
    assert m.fetch("GET", widget_path(state["later_id"]), tls=True).status == 404, "an event newer than the backup"
    assert not out_file(m, "widget", "event", state["later_id"]).exists()
    assert total_clicks(m, state, tls=True) == 2
    check_panel(m, tls=True)


def check_upgrade(m: Machine, state: dict) -> None:
    assert set(m.services) == {"attendify-api", "attendify-track"}
    assert all(s.proc.poll() is None for s in m.services.values()), "a service is not running after the upgrade"
    widget = m.fetch("GET", widget_path(state["public_id"]), tls=True)
    assert widget.status == 200 and widget.body == state["widget_bytes"], widget
    check_published(m, state, tls=True)
    check_panel(m, tls=True)
    click(m, state, tls=True, expect_total=3)
