"""Holds `openapi.yaml` to the real server with schemathesis (property-based API testing).

Starts `attendify serve` (binary from ATTENDIFY_BIN) on a free loopback port with a temporary
database and `out/`, `--rate-limits off`, signs an organizer up and in, creates events, and then
runs the schemathesis CLI (`st run`) against `openapi.yaml` with the organizer's bearer token.
Every operation of the spec is exercised in every phase (examples, coverage, fuzzing, stateful);
the run fails on any of:

- `not_a_server_error`: any 5xx (or a connection dropped by a crash);
- `status_code_conformance`: a status the spec does not list for that operation;
- `response_schema_conformance`: a body that does not match the spec's schema for its status
  (formats such as `date-time`, `date` and `uri` included: `validate-formats = true`);
- `ignored_auth`: an operation the spec secures answering anything but 401 without credentials,
  with a wrong bearer token or with a bogus cookie (which also puts the 401 bodies to the schema);
- `content_type_conformance` and `response_headers_conformance`: a media type the spec does not
  list for that status (`application/json` vs `application/problem+json`), or a documented
  header missing or malformed (e.g. `Location` of a created event).

Not enabled: `positive_data_acceptance` and `negative_data_rejection`. The API has cross-field
rules JSON Schema cannot state (`end_datetime` after `start_datetime`, a stats range of at most
366 days with `from` not after `to`), so schema-valid requests are rightly refused with 422 and
the first check would fail on correct behaviour; run them by hand when tightening the spec.

Schemathesis version: pinned to 4.32.5 (`pip install schemathesis==4.32.5`); the test refuses to
run with a different major version, since the CLI and the config file format changed in 4.0.

Nothing is excluded. Three settings keep the run meaningful instead of drowned in 401/404s:

- `path.id` is drawn, with probability 0.7, from the id of an event this organizer owns (the rest
  of the time schemathesis generates it: 0, negative, huge and non-numeric ids must answer 404);
- `DELETE /api/events/{id}` draws its ids from a separate pool of throw-away events, so the event
  every other operation works on survives the run;
- `POST /api/auth/logout` runs with a second session token of the same organizer, so signing out
  kills that token only (later logout cases then rightly get 401) and not the one everything
  else uses.

The run is deterministic (fixed seed, overridable with ST_SEED) and bounded: ST_MAX_EXAMPLES
(default 30) generated cases per operation in the examples and fuzzing phases, the coverage
phase's fixed set of boundary and negative cases, and stateful scenarios of at most
ST_STATEFUL_STEPS (default 20) steps; about 2,000 requests, a minute or two against a debug build. Failures are printed with a curl command that
reproduces them; the reports (ST_REPORT, default `junit`; e.g. `junit,har` to see every request)
and the server log are kept in the pytest tmp dir.

Run: .venv/bin/pip install pytest schemathesis==4.32.5
     ATTENDIFY_BIN=.build/debug/attendify .venv/bin/python -m pytest -q -s Tests/interop/test_openapi_schemathesis.py
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from attendify_serve import database_for

REPO = Path(__file__).resolve().parents[2]
BIN = os.environ.get("ATTENDIFY_BIN", str(REPO / ".build/debug/attendify"))
SPEC = Path(os.environ.get("ATTENDIFY_OPENAPI", str(REPO / "openapi.yaml")))
SCHEMATHESIS_VERSION = "4.32.5"
SEED = int(os.environ.get("ST_SEED", "20261125"))
MAX_EXAMPLES = int(os.environ.get("ST_MAX_EXAMPLES", "30"))
STATEFUL_STEPS = int(os.environ.get("ST_STATEFUL_STEPS", "20"))
DOOMED_EVENTS = 12
READY = re.compile(r"attendify serve is ready on http://127\.0\.0\.1:(\d+)")

EMAIL = "schemathesis@example.com"
PASSWORD = "correct horse battery staple"
# The spec's own examples (LoginRequest/RegisterRequest) name this account; creating it lets the
# examples phase reach login's 200 and register's 409 as well.
EXAMPLE_EMAIL = "ann@example.com"
SESSIONS_EMAIL = "sessions@example.com"
DOOMED_SESSIONS = 8


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def clean_env() -> dict[str, str]:
    """The caller's environment without ATTENDIFY_* fallbacks, which could change what is tested."""
    return {k: v for k, v in os.environ.items() if not k.startswith("ATTENDIFY_")}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(port: int, method: str, path: str, body: dict | None = None, token: str | None = None) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = conn.getresponse()
    raw = response.read()
    conn.close()
    return response.status, (json.loads(raw) if raw else {})


def st_executable() -> list[str]:
    """`st` next to the running interpreter (the venv), else on PATH."""
    candidate = Path(sys.executable).with_name("st")
    if candidate.exists():
        return [str(candidate)]
    found = shutil.which("st")
    if not found:
        pytest.fail(f"schemathesis is not installed: pip install schemathesis=={SCHEMATHESIS_VERSION}")
    return [found]


def toml_string(text: str) -> str:
    return json.dumps(text)  # a JSON string literal is a valid TOML basic string


# --------------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def server(tmp_path_factory, request):
    if not Path(BIN).exists():
        pytest.fail(f"{BIN} does not exist: run `swift build` first (or set ATTENDIFY_BIN)")
    work = tmp_path_factory.mktemp("schemathesis")
    db, db_env = database_for(request.param, request)
    port = free_port()
    log_path = work / "serve.log"
    log = open(log_path, "w")
    process = subprocess.Popen(
        [
            BIN, "serve", "--db", db or str(work / "db.sqlite"), "--out", str(work / "out"),
            "--templates", str(REPO / "Templates"), "--host", "127.0.0.1", "--port", str(port),
            "--public-url", f"http://127.0.0.1:{port}", "--rate-limits", "off",
        ],
        stdout=log, stderr=subprocess.STDOUT, env={**clean_env(), **db_env}, cwd=work,
    )
    deadline = time.monotonic() + 120
    while not READY.search(log_path.read_text(errors="replace")):
        if process.poll() is not None:
            pytest.fail(f"attendify serve exited with {process.returncode}:\n{log_path.read_text()}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"attendify serve did not get ready:\n{log_path.read_text()}")
        time.sleep(0.1)
    yield {"port": port, "work": work, "log": log_path, "process": process}
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.close()


@pytest.fixture(scope="module")
def organizer(server):
    """One organizer with a main event, a pool of throw-away events and two session tokens."""
    port = server["port"]
    status, user = call(port, "POST", "/api/auth/register", {"email": EMAIL, "password": PASSWORD, "full_name": "Schema Thesis"})
    assert status == 201, user
    status, _ = call(port, "POST", "/api/auth/register", {"email": EXAMPLE_EMAIL, "password": PASSWORD})
    assert status == 201
    tokens = []
    for _ in range(2):
        status, login = call(port, "POST", "/api/auth/login", {"email": EMAIL, "password": PASSWORD})
        assert status == 200, login
        tokens.append(login["token"])
    event = {
        "title": "Schemathesis main event",
        "description": "Every {id} operation works on this one.",
        "start_datetime": "2054-12-01T15:00:00Z",
        "end_datetime": "2054-12-01T16:00:00Z",
        "timezone": "Europe/Warsaw",
        "webinar_url": "https://example.com/webinar",
    }
    status, main = call(port, "POST", "/api/events", event, tokens[0])
    assert status == 201, main
    doomed = []
    for n in range(DOOMED_EVENTS):
        status, created = call(port, "POST", "/api/events", {**event, "title": f"To be deleted {n}"}, tokens[0])
        assert status == 201, created
        doomed.append(created["id"])
    # DELETE /api/auth/sessions/{id} runs as another organizer with sessions of its own to lose:
    # drawn from the event-id pool it would revoke this organizer's own session 1 (the token every
    # other operation uses), and ids learnt from GET /api/auth/sessions name this organizer's.
    status, _ = call(port, "POST", "/api/auth/register", {"email": SESSIONS_EMAIL, "password": PASSWORD})
    assert status == 201
    session_tokens = []
    for _ in range(DOOMED_SESSIONS):
        status, login = call(port, "POST", "/api/auth/login", {"email": SESSIONS_EMAIL, "password": PASSWORD})
        assert status == 200, login
        session_tokens.append(login["token"])
    status, listed = call(port, "GET", "/api/auth/sessions", token=session_tokens[0])
    assert status == 200, listed
    return {"token": tokens[0], "logout_token": tokens[1], "event_id": main["id"], "doomed": doomed,
            "sessions_token": session_tokens[0], "doomed_sessions": [s["id"] for s in listed["sessions"]]}


# --------------------------------------------------------------------------------------------
# The test
# --------------------------------------------------------------------------------------------


def write_config(path: Path, organizer: dict, report_dir: Path) -> None:
    doomed = ", ".join(str(i) for i in organizer["doomed"])
    path.write_text(
        f"""
seed = {SEED}
workers = 1

[generation]
max-examples = {MAX_EXAMPLES}
database = "none"

[checks]
enabled = false
not_a_server_error.enabled = true
status_code_conformance.enabled = true
response_schema_conformance.enabled = true
response_schema_conformance.validate-formats = true
ignored_auth.enabled = true
content_type_conformance.enabled = true
response_headers_conformance.enabled = true

[phases.stateful]
max-steps = {STATEFUL_STEPS}

[reports]
directory = {toml_string(str(report_dir))}

[headers]
Authorization = {toml_string("Bearer " + organizer["token"])}

[dictionaries.own_event]
values = [{organizer["event_id"]}]

[dictionaries.doomed_events]
values = [{doomed}]

[parameters]
"path.id" = {{ dictionary = "own_event", probability = 0.7 }}

[[operations]]
include-operation-id = "deleteEvent"
parameters = {{ "path.id" = {{ dictionary = "doomed_events", probability = 0.7 }} }}

[[operations]]
include-operation-id = "logout"
headers = {{ Authorization = {toml_string("Bearer " + organizer["logout_token"])} }}

[dictionaries.doomed_sessions]
values = [{", ".join(str(i) for i in organizer["doomed_sessions"])}]

[[operations]]
include-operation-id = "revokeSession"
headers = {{ Authorization = {toml_string("Bearer " + organizer["sessions_token"])} }}
parameters = {{ "path.id" = {{ dictionary = "doomed_sessions", probability = 0.7 }} }}
"""
    )


def test_server_matches_openapi_spec(server, organizer, tmp_path):
    import schemathesis  # noqa: F401  (fail early, with the version in the message)

    installed = schemathesis.__version__ if hasattr(schemathesis, "__version__") else "?"
    if installed.split(".")[0] != SCHEMATHESIS_VERSION.split(".")[0]:
        pytest.fail(f"schemathesis {installed} is installed; this test is written for {SCHEMATHESIS_VERSION}")
    if installed != SCHEMATHESIS_VERSION:
        print(f"note: schemathesis {installed} installed, test pinned to {SCHEMATHESIS_VERSION}")

    config = tmp_path / "schemathesis.toml"
    report_dir = tmp_path / "report"
    write_config(config, organizer, report_dir)
    command = st_executable() + [
        "--config-file", str(config), "--no-color",
        "run", str(SPEC), "--url", f"http://127.0.0.1:{server['port']}",
        "--report", os.environ.get("ST_REPORT", "junit"), "--report-dir", str(report_dir),
        "--request-timeout", "30",
    ]
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, timeout=1800, cwd=tmp_path)
    elapsed = time.monotonic() - started
    output = result.stdout + result.stderr
    print(output)
    print(f"schemathesis finished in {elapsed:.0f} s with exit code {result.returncode}")

    assert server["process"].poll() is None, f"the server died during the run:\n{server['log'].read_text()[-4000:]}"
    crashes = [line for line in server["log"].read_text(errors="replace").splitlines() if "unhandled error" in line or "unexpected HTTP error" in line]
    assert result.returncode == 0, (
        f"schemathesis found problems (exit {result.returncode}); see the output above "
        f"(JUnit report in {report_dir}).\nServer errors logged:\n" + "\n".join(crashes[:20])
    )
    # A green run must have actually tested something: every operation of the spec ran.
    operations = sum(1 for line in SPEC.read_text().splitlines() if re.match(r"^    (get|post|put|delete):\s*$", line))
    selected = re.search(r"Selected:\s*(\d+)/(\d+)", output)
    tested = re.search(r"Tested:\s*(\d+)", output)
    assert selected and tested, "could not find the operation counts in schemathesis' output"
    counts = (int(selected.group(1)), int(selected.group(2)), int(tested.group(1)))
    assert counts == (operations,) * 3, f"operations in the spec: {operations}; selected/total/tested: {counts}"
