"""The binary (ATTENDIFY_BIN) run from a folder that is not a checkout: templates and panel come
from the binary itself, a flag or variable still overrides them, and ./Templates or ./Panel in the
working directory win where they exist (the documented default of a checkout). The database and
out/ land in the working directory (./data, ./out), created as needed.

Runs everywhere (no root): the installed .deb is tested in test_deb_package.py.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from attendify_nginx import fetch, wait_until
from attendify_serve import BIN, REPO, free_port

READY = re.compile(r"attendify serve is ready on http://127\.0\.0\.1:(\d+)")


def env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("ATTENDIFY_")}


def attendify(cwd: Path, *args: str, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    if not Path(BIN).exists():
        pytest.fail(f"{BIN} does not exist: run `swift build` first (or set ATTENDIFY_BIN)")
    return subprocess.run([BIN, *args], cwd=cwd, env={**env(), **(extra_env or {})}, capture_output=True,
                          text=True, timeout=120)


def test_check_templates_uses_the_embedded_copy_outside_a_checkout(tmp_path):
    result = attendify(tmp_path, "check-templates")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "in embedded Templates/ render valid, safe HTML" in result.stdout


def test_a_local_templates_folder_or_a_named_one_wins(tmp_path):
    shutil.copytree(REPO / "Templates", tmp_path / "Templates")
    local = attendify(tmp_path, "check-templates")
    assert local.returncode == 0 and f"in {tmp_path.resolve()}/Templates render" in local.stdout, local.stdout
    other = tmp_path / "elsewhere"
    shutil.copytree(REPO / "Templates", other)
    by_env = attendify(tmp_path, "check-templates", extra_env={"ATTENDIFY_TEMPLATES": str(other)})
    assert by_env.returncode == 0 and f"in {other.resolve()} render" in by_env.stdout, by_env.stdout
    # A named folder that is missing is an error, never a silent fallback to the embedded copy.
    missing = attendify(tmp_path, "check-templates", "--templates", str(tmp_path / "missing"))
    assert missing.returncode != 0 and "does not exist" in (missing.stdout + missing.stderr)


def test_help_states_the_precedence(tmp_path):
    text = attendify(tmp_path, "serve", "--help").stdout
    flat = " ".join(text.split())
    assert "default ./Templates if that folder exists here, else the templates built into this binary" in flat
    assert "default ./Panel if that folder exists here, else the panel built into this binary" in flat


def test_serve_demo_from_an_empty_folder(tmp_path):
    port = free_port()
    log_path = tmp_path / "serve.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen([BIN, "serve", "--demo", "--port", str(port)], cwd=tmp_path, env=env(),
                                   stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until("serve ready", lambda: process.poll() is None and READY.search(log_path.read_text()), 90,
                   interval=0.1, explain=lambda: log_path.read_text())
        text = log_path.read_text()
        # Without --public-url the printed URLs are this server's own address.
        widget_url = re.search(r"Widget:\s+(\S+)", text).group(1)
        assert widget_url.startswith(f"http://127.0.0.1:{port}/widget/event/"), text
        assert f"Panel:    http://127.0.0.1:{port}/" in text, text
        widget = fetch(port, "GET", widget_url.split(str(port), 1)[1])
        assert widget.status == 200 and b"Attendify demo" in widget.body
        for name in ("index.html", "app.js"):
            page = fetch(port, "GET", f"/{name}")
            assert page.status == 200 and page.body == (REPO / "Panel" / name).read_bytes(), name
        # The panel's own origin may call the API (the default public URL follows --port).
        preflight = fetch(port, "OPTIONS", "/api/auth/login", headers={
            "Origin": f"http://127.0.0.1:{port}", "Access-Control-Request-Method": "POST"})
        assert preflight.header("Access-Control-Allow-Origin") == f"http://127.0.0.1:{port}", str(preflight)
        assert fetch(port, "GET", "/api/events").status == 401
        assert (tmp_path / "data" / "attendify.sqlite").is_file() and (tmp_path / "out" / "widget").is_dir()
    finally:
        process.terminate()
        process.wait(timeout=30)
