"""The Debian package built by scripts/build-deb.sh, checked as a file and installed for real.

The package is $ATTENDIFY_DEB when set (scripts/test.sh builds it once and sets it); otherwise the
first test that needs it runs scripts/build-deb.sh into a temp folder (a release build: minutes
the first time, seconds when .build/release is current).

Everywhere (any user):
- dpkg-deb --contents: the binary, the three units, the environment file, the Nginx site and every
  panel file, owned by root, with the right modes; nothing under /opt, no developer files.
- dpkg-deb --info/--field: name, a Debian version, this machine's architecture, Depends with the C
  libraries the binary links (libc6, libsqlite3-0, libxml2, zlib1g, ...) and adduser, and no Swift
  library; the conffiles; maintainer scripts that parse (sh -n) and guard systemctl.
- the extracted binary needs no Swift toolchain (no libswift*/libFoundation*/libdispatch among its
  NEEDED libraries, no run path into /opt/swift); the units are deploy/systemd's with the packaged
  paths; the site file is what that binary's `nginx-config` prints for the packaged paths; the
  panel files are the checkout's.

As root with CI=true (or ATTENDIFY_DEB_INSTALL_TEST=1), since it installs a package and adds a
system user: dpkg -i, then
- postinst: the user attendify, /var/lib/attendify (out/ readable by Nginx, the database 0640 and
  attendify's), the two units enabled, no service started (no systemd here); the units pass
  `systemd-analyze verify`.
- `cd /tmp && attendify serve --demo` (in a private mount namespace whose /tmp is empty and whose
  /opt/swift is hidden, so neither a checkout nor a toolchain can help) on a free loopback port:
  the demo widget, its .ics, the panel (the checkout's files) and the API (register, sign in, list
  events) answer.
- the packaged production layout: the units' own ExecStart lines (api, track) as the attendify user
  with ports moved to free ones, behind a private Nginx running the installed site file (listen,
  upstreams and log folder moved): the panel from /usr/share/attendify/panel, an event created
  through /api, its widget from /var/lib/attendify/out, a click on /track.
- dpkg -i again (an upgrade in place keeps an edited conffile), dpkg -r (binary and units gone,
  conffiles kept), dpkg -P (conffiles and out/ gone, the non-empty database kept with a note);
  the test then removes what it made (the rest of /var/lib/attendify, the user if it made it).

Run: CI=true ATTENDIFY_DEB=... .venv/bin/python -m pytest -q Tests/interop/test_deb_package.py
"""

from __future__ import annotations

import json
import os
import pwd
import re
import shutil
import signal
import stat
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from attendify_nginx import fetch, nginx_binary, wait_until
from attendify_serve import free_port

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "build-deb.sh"
UNITS = ("attendify-api", "attendify-track", "attendify-follow")
ENABLED_UNITS = ("attendify-api", "attendify-track")
SITE = "/etc/nginx/sites-available/attendify"
ENV_FILE = "/etc/attendify/attendify.env"
PANEL_DIR = "/usr/share/attendify/panel"
STATE = Path("/var/lib/attendify")
DB = STATE / "attendify.sqlite"
SWIFT_LIBRARY = re.compile(r"swift|Foundation|dispatch|BlocksRuntime")
PASSWORD = "correct horse battery staple"
UA = "Mozilla/5.0 (X11; Linux x86_64) DebPackageTest"  # browser-like: the tracker counts it
READY = {
    "serve": re.compile(r"attendify serve is ready on http://127\.0\.0\.1:(\d+)"),
    "api": re.compile(r"attendify api is ready on http://127\.0\.0\.1:(\d+)"),
    "track": re.compile(r"attendify track is ready on http://127\.0\.0\.1:(\d+)"),
}


def run(*args: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(list(args), capture_output=True, text=True, **kwargs)
    if check and result.returncode != 0:
        pytest.fail(f"{' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def panel_files() -> list[str]:
    """The checkout's panel files that the package ships (all but the developers' README)."""
    root = REPO / "Panel"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")
                  if p.is_file() and p.name != "README.md" and not p.name.startswith(".")
                  and "__pycache__" not in p.parts)


@pytest.fixture(scope="module")
def deb(tmp_path_factory) -> Path:
    given = os.environ.get("ATTENDIFY_DEB")
    if given:
        path = Path(given)
        if not path.is_file():
            pytest.fail(f"ATTENDIFY_DEB={given} is not a file")
        return path
    out = tmp_path_factory.mktemp("deb")
    result = subprocess.run([str(SCRIPT), "--out", str(out)], capture_output=True, text=True, timeout=3600)
    if result.returncode != 0:
        pytest.fail(f"scripts/build-deb.sh exited {result.returncode}:\n{result.stderr[-5000:]}")
    path = Path(result.stdout.strip().splitlines()[-1])
    assert path.parent == out and path.is_file(), result.stdout
    return path


@pytest.fixture(scope="module")
def extracted(deb, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("extracted")
    run("dpkg-deb", "-x", str(deb), str(root))
    run("dpkg-deb", "-e", str(deb), str(root / "DEBIAN"))
    return root


def field(deb: Path, name: str) -> str:
    return run("dpkg-deb", "--field", str(deb), name).stdout.strip()


# --------------------------------------------------------------------------------------------
# The package as a file (any user)
# --------------------------------------------------------------------------------------------


def test_file_name_and_fields(deb):
    arch = run("dpkg", "--print-architecture").stdout.strip()
    version = field(deb, "Version")
    assert re.fullmatch(r"[0-9][A-Za-z0-9.+~-]*", version), version
    assert deb.name == f"attendify_{version}_{arch}.deb"
    assert field(deb, "Package") == "attendify"
    assert field(deb, "Architecture") == arch
    assert field(deb, "Maintainer")
    assert field(deb, "Description").startswith('"Add to calendar"')
    assert int(field(deb, "Installed-Size")) > 1000
    depends = [d.strip().split(" ")[0] for d in field(deb, "Depends").split(",")]
    for package in ("adduser", "libc6", "libsqlite3-0", "libxml2", "zlib1g"):
        assert package in depends, f"Depends lacks {package}: {depends}"
    assert not [d for d in depends if "swift" in d], depends
    assert "nginx" in field(deb, "Recommends")
    info = run("dpkg-deb", "--info", str(deb)).stdout
    for script in ("postinst", "prerm", "postrm", "conffiles", "control"):
        assert re.search(rf"^\s+\d+ bytes,\s+\d+ lines\s+\*?\s*{script}\b", info, re.MULTILINE), info


def test_contents_are_the_binary_units_site_and_panel(deb):
    listing = run("dpkg-deb", "--contents", str(deb)).stdout
    entries = {}
    for line in listing.splitlines():
        parts = line.split(None, 5)
        mode, owner, path = parts[0], parts[1], parts[5].split(" -> ")[0]
        entries[path.removeprefix(".")] = (mode, owner)
    expected = {
        "/usr/bin/attendify": "-rwxr-xr-x",
        ENV_FILE: "-rw-r--r--",
        SITE: "-rw-r--r--",
        **{f"/lib/systemd/system/{unit}.service": "-rw-r--r--" for unit in UNITS},
        **{f"{PANEL_DIR}/{name}": "-rw-r--r--" for name in panel_files()},
    }
    for path, mode in expected.items():
        assert path in entries, f"{path} is not in the package:\n{listing}"
        assert entries[path][0] == mode, f"{path}: {entries[path]}"
    assert {owner for _, owner in entries.values()} == {"root/root"}, "every file belongs to root (--root-owner-group)"
    assert not [p for p in entries if p.startswith("/opt") or p.startswith("/var")], "no /opt, /var is made by postinst"
    assert not [p for p in entries if p.endswith("README.md") and p.startswith(PANEL_DIR)]
    assert not [p for p in entries if "Templates" in p or p.endswith(".mustache")], "templates are in the binary"
    assert any(p.endswith("/index.html") and p.startswith(PANEL_DIR) for p in entries)


def test_conffiles_and_maintainer_scripts(extracted):
    control = extracted / "DEBIAN"
    assert (control / "conffiles").read_text().split() == [ENV_FILE, SITE]
    for name in ("postinst", "prerm", "postrm"):
        script = control / name
        assert script.stat().st_mode & stat.S_IXUSR, f"{name} is not executable"
        run("sh", "-n", str(script))
        text = script.read_text()
        assert text.startswith("#!/bin/sh\n") and "\nset -e\n" in text
        # Services are started or stopped only where systemd runs (not in a container or chroot).
        for line in text.splitlines():
            if re.search(r"\b(systemctl|deb-systemd-invoke)\b", line):
                block = text[: text.index(line)]
                assert block.rfind("[ -d /run/systemd/system ]") > block.rfind("\nfi"), f"{name}: unguarded: {line}"
    postinst = (control / "postinst").read_text()
    assert "adduser --system" in postinst and "/var/lib/attendify" in postinst
    for unit in ENABLED_UNITS:
        assert f"{unit}.service" in postinst


def test_binary_needs_no_swift_toolchain(extracted):
    binary = extracted / "usr/bin/attendify"
    dynamic = run("readelf", "-d", str(binary)).stdout
    needed = re.findall(r"\(NEEDED\).*\[(.+)\]", dynamic)
    assert needed, dynamic
    assert not [lib for lib in needed if SWIFT_LIBRARY.search(lib)], needed
    assert not re.search(r"R(UN)?PATH.*swift", dynamic), dynamic
    ldd = run("ldd", str(binary)).stdout
    assert "/opt/swift" not in ldd and "not found" not in ldd, ldd
    assert "USAGE: attendify" in run(str(binary), "--help").stdout


def test_units_are_the_deploy_guides_with_packaged_paths(extracted):
    for unit in UNITS:
        packaged = (extracted / f"lib/systemd/system/{unit}.service").read_text()
        source = (REPO / f"deploy/systemd/{unit}.service").read_text()
        assert "/opt/attendify" not in packaged and "--templates" not in packaged
        assert "ExecStart=/usr/bin/attendify " in packaged
        assert "User=attendify" in packaged and "ReadWritePaths=/var/lib/attendify" in packaged
        assert "WorkingDirectory=/var/lib/attendify" in packaged
        # Every other line is the deploy guide's.
        def lines(text):
            return [l for l in text.splitlines() if l and not l.startswith("#")
                    and not l.startswith(("ExecStart=", "WorkingDirectory=", "ReadOnlyPaths="))]
        assert lines(packaged) == lines(source), unit


def test_site_and_panel_match_the_binary_and_the_checkout(extracted):
    printed = run(str(extracted / "usr/bin/attendify"), "nginx-config", "--out", "/var/lib/attendify/out",
                  "--panel", PANEL_DIR).stdout
    site = (extracted / SITE.lstrip("/")).read_text()
    assert site == printed
    assert f"root {PANEL_DIR};" in site and "root /var/lib/attendify/out;" in site
    for name in panel_files():
        assert (extracted / PANEL_DIR.lstrip("/") / name).read_bytes() == (REPO / "Panel" / name).read_bytes(), name
    env = (extracted / ENV_FILE.lstrip("/")).read_text()
    assert re.search(r"^ATTENDIFY_PUBLIC_URL=http", env, re.MULTILINE)


# --------------------------------------------------------------------------------------------
# Installed for real (root, CI)
# --------------------------------------------------------------------------------------------


def as_root_in_ci() -> None:
    if os.geteuid() != 0:
        pytest.skip("installing the .deb needs root (dpkg -i, a system user)")
    if os.environ.get("CI") != "true" and os.environ.get("ATTENDIFY_DEB_INSTALL_TEST") != "1":
        pytest.skip("installing the .deb changes the machine (dpkg, a system user, /var/lib/attendify): "
                    "it runs only with CI=true or ATTENDIFY_DEB_INSTALL_TEST=1")


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATTENDIFY_")}
    env["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"  # no toolchain on PATH
    return env


def installed() -> bool:
    status = run("dpkg-query", "-W", "-f=${Status}", "attendify", check=False).stdout
    return "install ok installed" in status


def dpkg_install(deb: Path) -> None:
    result = run("dpkg", "-i", str(deb), check=False, env={**clean_env(), "DEBIAN_FRONTEND": "noninteractive"})
    if result.returncode != 0 and "dependency problems" in result.stderr:
        # A machine without one of the libraries: apt brings it, as `apt install ./x.deb` would.
        run("apt-get", "install", "-f", "-y", "-qq", env={**clean_env(), "DEBIAN_FRONTEND": "noninteractive"})
    elif result.returncode != 0:
        pytest.fail(f"dpkg -i exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    assert installed()


class Processes:
    """Background processes with their logs; all stopped at the end (logs printed on failure)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, argv: list[str], ready: re.Pattern | None = None, **kwargs) -> str:
        log = self.folder / f"{name}.log"
        with open(log, "w") as out:
            self.procs[name] = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, **kwargs)
        if ready is None:
            return ""
        def check():
            if self.procs[name].poll() is not None:
                pytest.fail(f"{name} exited {self.procs[name].returncode}:\n{log.read_text(errors='replace')}")
            return ready.search(log.read_text(errors="replace"))
        wait_until(f"{name} ready", check, 90, interval=0.1, explain=lambda: log.read_text(errors="replace"))
        return log.read_text(errors="replace")

    def stop(self, name: str) -> int:
        proc = self.procs.pop(name)
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=45)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        return proc.returncode

    def stop_all(self) -> None:
        for name in list(self.procs):
            self.stop(name)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in sorted(self.folder.glob("*.log")))


def exec_start(unit_text: str) -> list[str]:
    line = next(l for l in unit_text.splitlines() if l.startswith("ExecStart="))
    return line.removeprefix("ExecStart=").split()


def moved(argv: list[str], ports: dict[str, int]) -> list[str]:
    """The unit's command with --port and --metrics-port on free loopback ports."""
    result = list(argv)
    for flag, port in ports.items():
        index = result.index(flag)
        result[index + 1] = str(port)
    return result


def register_and_create(port: int) -> tuple[str, dict]:
    email = f"deb-{uuid.uuid4().hex[:8]}@example.com"
    assert fetch(port, "POST", "/api/auth/register", body={"email": email, "password": PASSWORD,
                                                           "full_name": "Deb Test"}).status == 201
    login = fetch(port, "POST", "/api/auth/login", body={"email": email, "password": PASSWORD})
    assert login.status == 200, str(login)
    token = login.json()["token"]
    start = time.strftime("%Y-%m-%dT%H:00:00Z", time.gmtime(time.time() + 7 * 86_400))
    end = time.strftime("%Y-%m-%dT%H:30:00Z", time.gmtime(time.time() + 7 * 86_400 + 3600))
    created = fetch(port, "POST", "/api/events", token=token, body={
        "title": "Installed from the .deb", "description": "Packaged.", "start_datetime": start,
        "end_datetime": end, "timezone": "Europe/Warsaw", "webinar_url": "https://example.com/webinar"})
    assert created.status == 201, str(created)
    return token, created.json()


def test_install_serve_from_tmp_then_remove_and_purge(deb, tmp_path):
    as_root_in_ci()
    nginx = nginx_binary()
    user_existed = _user_exists()
    state_existed = STATE.exists()
    if installed():
        run("dpkg", "-P", "attendify")
    procs = Processes(tmp_path)
    cleanup: list = []
    try:
        dpkg_install(deb)

        # postinst: user, state folder, enabled units, nothing started.
        user = pwd.getpwnam("attendify")
        assert user.pw_dir == "/var/lib/attendify" and user.pw_shell == "/usr/sbin/nologin"
        for folder, mode in ((STATE, 0o755), (STATE / "out", 0o755), (STATE / "backups", 0o750)):
            info = folder.stat()
            assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (user.pw_uid, mode), folder
        assert DB.is_file() and DB.stat().st_uid == user.pw_uid and stat.S_IMODE(DB.stat().st_mode) == 0o640
        for unit in ENABLED_UNITS:
            link = Path(f"/etc/systemd/system/multi-user.target.wants/{unit}.service")
            assert link.is_symlink() and str(os.readlink(link)).endswith(f"/{unit}.service"), link
        assert not Path("/etc/systemd/system/multi-user.target.wants/attendify-follow.service").exists()
        assert run("pgrep", "-u", "attendify", check=False).stdout == "", "no service may start without systemd"
        assert shutil.which("attendify", path=clean_env()["PATH"]) == "/usr/bin/attendify"
        if shutil.which("systemd-analyze"):
            verify = run("systemd-analyze", "verify", *[f"/lib/systemd/system/{u}.service" for u in UNITS], check=False)
            assert verify.returncode == 0 and not verify.stdout.strip() and not verify.stderr.strip(), verify.stderr

        # `cd /tmp && attendify serve --demo`: an empty /tmp, no Swift toolchain, no checkout.
        port = free_port()
        log = procs.start("serve", [
            "unshare", "--mount", "--propagation", "private", "sh", "-c",
            "mount -t tmpfs tmpfs /tmp && { [ ! -d /opt/swift ] || mount -t tmpfs tmpfs /opt/swift; } && "
            f"cd /tmp && exec attendify serve --demo --port {port}"], READY["serve"], env=clean_env())
        assert "from=embedded Templates/" in log, log
        widget_url = re.search(r"Widget:\s+(\S+)", log).group(1)
        calendar_url = re.search(r"Calendar:\s+(\S+)", log).group(1)
        assert widget_url.startswith(f"http://127.0.0.1:{port}/widget/event/"), log
        widget = fetch(port, "GET", widget_url.split(str(port), 1)[1])
        assert widget.status == 200 and b"Attendify demo" in widget.body, str(widget)
        ics = fetch(port, "GET", calendar_url.split(str(port), 1)[1])
        assert ics.status == 200 and ics.body.startswith(b"BEGIN:VCALENDAR"), str(ics)
        for name in ("index.html", "app.js", "styles.css"):
            page = fetch(port, "GET", "/" if name == "index.html" else f"/{name}")
            assert page.status == 200 and page.body == (REPO / "Panel" / name).read_bytes(), name
            assert page.header("ETag") and page.header("Cache-Control") == "no-cache"
        token, event = register_and_create(port)
        listed = fetch(port, "GET", "/api/events", token=token)
        assert listed.status == 200 and event["public_id"] in listed.body.decode(), str(listed)
        assert fetch(port, "GET", f"/widget/event/{event['public_id']}").status == 200
        assert procs.stop("serve") == 0, procs.logs()

        # The production layout from the installed units and site, as the attendify user.
        ports = {"api": free_port(), "track": free_port(), "metrics": free_port(), "http": free_port()}
        units = {u: Path(f"/lib/systemd/system/{u}.service").read_text() for u in ENABLED_UNITS}
        env = clean_env()
        for line in Path(ENV_FILE).read_text().splitlines():
            if re.match(r"^[A-Z_]+=", line):
                key, value = line.split("=", 1)
                env[key] = value
        env["ATTENDIFY_PUBLIC_URL"] = f"http://127.0.0.1:{ports['http']}"
        as_attendify = ["setpriv", "--reuid=attendify", "--regid=attendify", "--init-groups", "--no-new-privs", "--"]
        procs.start("api", as_attendify + moved(exec_start(units["attendify-api"]), {"--port": ports["api"]}),
                    READY["api"], env=env, cwd=STATE)
        procs.start("track", as_attendify + moved(exec_start(units["attendify-track"]),
                                                  {"--port": ports["track"], "--metrics-port": ports["metrics"]}),
                    READY["track"], env=env, cwd=STATE)
        # Nginx's workers run as www-data: its folder must be theirs to enter (pytest's is 0700).
        web = Path(tempfile.mkdtemp(prefix="attendify-deb-nginx-"))
        cleanup.append(lambda: shutil.rmtree(web, ignore_errors=True))
        os.chmod(web, 0o755)
        site = Path(SITE).read_text()
        site = re.sub(r"listen 80;", f"listen 127.0.0.1:{ports['http']};", site)
        site = site.replace("127.0.0.1:8081", f"127.0.0.1:{ports['api']}").replace("127.0.0.1:8082", f"127.0.0.1:{ports['track']}")
        site = site.replace("/var/log/nginx/", f"{web}/nginx-")
        (web / "site.conf").write_text(site)
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (web / "nginx-tmp" / kind).mkdir(parents=True)
        temps = "\n".join(f"    {k}_temp_path {web}/nginx-tmp/{k};" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        (web / "nginx.conf").write_text(
            f"user www-data;\nworker_processes 1;\npid {web}/nginx.pid;\nerror_log {web}/nginx-main-error.log;\n"
            f"events {{ worker_connections 64; }}\nhttp {{\n    include /etc/nginx/mime.types;\n{temps}\n"
            f"    access_log off;\n    include {web}/site.conf;\n}}\n")
        run(nginx, "-t", "-p", str(web), "-c", str(web / "nginx.conf"))
        procs.start("nginx", [nginx, "-p", str(web), "-c", str(web / "nginx.conf"), "-g", "daemon off;"])
        http = ports["http"]
        wait_until("nginx answers", lambda: _answers(http), 30)
        panel = fetch(http, "GET", "/")
        assert panel.status == 200 and panel.body == (REPO / "Panel/index.html").read_bytes(), str(panel)
        token, event = register_and_create(http)
        assert event["widget_url"].startswith(f"http://127.0.0.1:{http}/widget/event/"), event
        published = STATE / "out"
        assert any(p.stat().st_uid == user.pw_uid for p in published.rglob("index.html")), "out/ is attendify's"
        widget = fetch(http, "GET", f"/widget/event/{event['public_id']}")
        assert widget.status == 200 and b"Installed from the .deb" in widget.body, str(widget)
        click = fetch(http, "GET", f"/track/{event['public_id']}/google", headers={"User-Agent": UA})
        assert click.status == 302, str(click)
        for name in ("nginx", "track", "api"):
            assert procs.stop(name) == 0, procs.logs()
        assert stat.S_IMODE(DB.stat().st_mode) == 0o640 and DB.stat().st_size > 0

        # Installing again (an upgrade in place) keeps an operator's edit of a conffile.
        edited = Path(ENV_FILE).read_text() + "ATTENDIFY_CLICK_LIMIT=20\n"
        Path(ENV_FILE).write_text(edited)
        dpkg_install(deb)
        assert Path(ENV_FILE).read_text() == edited

        # Remove: binary and units gone, conffiles kept. Purge: conffiles and out/ gone too.
        run("dpkg", "-r", "attendify")
        assert not Path("/usr/bin/attendify").exists()
        assert not [u for u in UNITS if Path(f"/lib/systemd/system/{u}.service").exists()]
        assert Path(ENV_FILE).exists() and Path(SITE).exists()
        purge = run("dpkg", "-P", "attendify")
        assert not Path(ENV_FILE).exists() and not Path("/etc/attendify").exists() and not Path(SITE).exists()
        assert not Path(PANEL_DIR).exists()
        assert not [u for u in ENABLED_UNITS if Path(f"/etc/systemd/system/multi-user.target.wants/{u}.service").is_symlink()]
        assert not (STATE / "out").exists()
        assert DB.exists() and "kept /var/lib/attendify" in purge.stderr, "a database that holds data is kept"
        assert not installed()
    except BaseException:
        print(procs.logs())
        raise
    finally:
        procs.stop_all()
        for step in cleanup:
            step()
        if installed():
            run("dpkg", "-P", "attendify", check=False)
        if not state_existed:
            shutil.rmtree(STATE, ignore_errors=True)
        if not user_existed and _user_exists():
            run("userdel", "attendify", check=False)
            run("groupdel", "attendify", check=False)


def _user_exists() -> bool:
    try:
        pwd.getpwnam("attendify")
        return True
    except KeyError:
        return False


def _answers(port: int) -> bool:
    try:
        return fetch(port, "GET", "/", timeout=2).status == 200
    except OSError:
        return False
