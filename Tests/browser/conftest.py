"""Fixtures of the panel's browser tests; the helpers they use are in panel_support.py."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from attendify_serve import running_serve
from panel_support import PANEL, browser_binaries


@pytest.fixture
def browser_paths() -> tuple[str, str]:
    """(chromium, chromedriver); checked before anything else starts."""
    return browser_binaries()


@pytest.fixture
def serve(tmp_path):
    """(base URL, log path) of a fresh `attendify serve` with the panel from Panel/."""
    with running_serve(tmp_path, "--panel", str(PANEL)) as (base, log_path):
        yield base, log_path


@pytest.fixture
def screenshots(request, capsys):
    """The screenshot folder: ATTENDIFY_SCREENSHOTS or a new temp folder, and in it the test
    module's SCREENSHOT_SUBFOLDER if it names one (so two tests' numbered shots do not collide).
    Earlier runs' numbered screenshots in it are removed first. Its path is printed past pytest's
    output capture, so it shows in every run's output, not only with -s."""
    folder = os.environ.get("ATTENDIFY_SCREENSHOTS")
    path = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="attendify-screenshots-"))
    path = path / getattr(request.module, "SCREENSHOT_SUBFOLDER", "")
    path.mkdir(parents=True, exist_ok=True)
    for old in path.glob("[0-9][0-9]-*.png"):
        old.unlink()
    yield path
    with capsys.disabled():
        print(f"\nscreenshots: {path}", flush=True)
