"""Runs the README's API walk-through verbatim against a live `attendify serve`.

The script is the first ```sh fenced block after the heading "## API walk-through" in README.md,
or, while README.md has no such section, in docs/API-WALKTHROUGH.md. It runs with
`bash -euo pipefail` and BASE pointing at a server started here (binary from ATTENDIFY_BIN, temp
database and `out/`, free loopback port, `--rate-limits off`). It must exit 0, and the statistics it
prints at the end must show the one click it made: `"total_clicks":1`.

Run: ATTENDIFY_BIN=.build/debug/attendify .venv/bin/python -m pytest -q -s Tests/interop/test_readme_walkthrough.py
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from attendify_serve import database_for, running_serve

REPO = Path(__file__).resolve().parents[2]
HEADING = "## API walk-through"
SOURCES = [REPO / "README.md", REPO / "docs" / "API-WALKTHROUGH.md"]


def walkthrough() -> tuple[Path, str]:
    """(file, script): the first ```sh block after the heading, from the first file that has one."""
    for source in SOURCES:
        if not source.exists():
            continue
        lines = source.read_text().splitlines()
        try:
            start = next(i for i, line in enumerate(lines) if line.strip() == HEADING)
        except StopIteration:
            continue
        fence = next((i for i in range(start + 1, len(lines)) if lines[i].strip() == "```sh"), None)
        assert fence is not None, f"{source}: no ```sh block after '{HEADING}'"
        end = next((i for i in range(fence + 1, len(lines)) if lines[i].strip() == "```"), None)
        assert end is not None, f"{source}: the ```sh block after '{HEADING}' is not closed"
        return source, "\n".join(lines[fence + 1 : end]) + "\n"
    pytest.fail(f"no '{HEADING}' section in {', '.join(str(s) for s in SOURCES)}")


@pytest.fixture(params=["sqlite", "postgres"])
def base_url(tmp_path, request):
    db, db_env = database_for(request.param, request)
    with running_serve(tmp_path, db=db, db_env=db_env) as (base, _log):
        yield base


def test_walkthrough_runs_and_counts_the_click(base_url, tmp_path):
    source, script = walkthrough()
    assert "BASE=${BASE:-http://127.0.0.1:8080}" in script, f"{source}: the script must take BASE from the environment"
    script_path = tmp_path / "walkthrough.sh"
    script_path.write_text(script)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATTENDIFY_")}
    env["BASE"] = base_url
    result = subprocess.run(
        ["bash", "-euo", "pipefail", str(script_path)], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120
    )
    print(f"--- {source.relative_to(REPO)} against {base_url}\n{result.stdout}{result.stderr}")
    assert result.returncode == 0, f"the walk-through failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}"
    # The last command prints the statistics; they must show exactly the one click made above.
    totals = re.findall(r'"total_clicks"\s*:\s*(\d+)', result.stdout)
    assert totals, f"the output shows no total_clicks:\n{result.stdout}"
    assert totals[-1] == "1", f"total_clicks is {totals[-1]}, expected 1:\n{result.stdout}"
    assert re.search(r'"google"\s*:\s*1\b', result.stdout), f"the click is not counted for google:\n{result.stdout}"
