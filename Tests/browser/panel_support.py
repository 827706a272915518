"""What the panel's browser tests share: finding Chromium, its driver and axe-core, starting the
browser, waiting, the `Journey` wrapper (steps, console, screenshots, DOM helpers), axe-core runs
and the console verdict. The fixtures built on these are in conftest.py beside this file.
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import os
import shutil
import threading
import time
from pathlib import Path
from typing import Callable, TypeVar

import pytest

REPO = Path(__file__).resolve().parents[2]
PANEL = REPO / "Panel"
IN_CI = os.environ.get("CI") == "true"

# A desktop browser's user agent. Chromium's headless default contains "HeadlessChrome", which the
# tracker's bot filter refuses to count; the suffix makes these clicks recognisable in any log.
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 "
    "AttendifyBrowserTest"
)

T = TypeVar("T")

# --------------------------------------------------------------------------------------------
# Prerequisites
# --------------------------------------------------------------------------------------------


def unavailable(reason: str) -> None:
    """Skips on a developer machine without a browser; in CI a missing browser is a failure."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: the browser test must run in CI)")
    pytest.skip(reason)


def browser_binaries() -> tuple[str, str]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    missing = [name for name, path in (("chromium", chromium), ("chromedriver", driver)) if not path]
    if missing:
        unavailable(f"{' and '.join(missing)} not installed (apt-get install -y chromium chromium-driver)")
    if importlib.util.find_spec("selenium") is None:
        unavailable("selenium is not installed (.venv/bin/pip install selenium)")
    return chromium, driver


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------




def wait_for(what: str, check: Callable[[], T], timeout: float = 10.0, interval: float = 0.1) -> T:
    """Polls `check` until it returns something truthy; fails with `what` after `timeout` seconds.
    Exceptions count as "not yet" (elements appearing, frames reloading); the last one is reported."""
    deadline = time.monotonic() + timeout
    last: object = None
    while True:
        try:
            result = check()
            if result:
                return result
            last = result
        except Exception as error:  # noqa: BLE001 - any failure means "not yet"
            last = error
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what} (last result: {last!r})")
        time.sleep(interval)


def is_stale(element) -> bool:
    """True once `element` has left the document (its screen was re-rendered)."""
    from selenium.common.exceptions import StaleElementReferenceException

    try:
        element.is_enabled()
        return False
    except StaleElementReferenceException:
        return True


class Journey:
    """The browser plus what the test collects on the way: console entries, screenshots, timings."""

    def __init__(self, driver, base: str, shots: Path):
        self.driver = driver
        self.base = base
        self.shots = shots
        self.console: list[tuple[str, dict]] = []
        self.timings: list[tuple[str, float]] = []
        self.step_name = "start"
        self.step_started = time.monotonic()
        self.shot_count = 0

    # Steps and timings ------------------------------------------------------------------------

    def step(self, name: str) -> None:
        self.finish_step()
        self.step_name = name
        self.step_started = time.monotonic()
        print(f"-- {name}", flush=True)

    def finish_step(self) -> None:
        self.drain_console()
        if self.step_name != "start":
            self.timings.append((self.step_name, time.monotonic() - self.step_started))

    # Console ------------------------------------------------------------------------------------

    def drain_console(self) -> None:
        """Moves the browser's buffered console entries (each read empties the buffer) into the list."""
        try:
            for entry in self.driver.get_log("browser"):
                self.console.append((self.step_name, entry))
        except Exception as error:  # noqa: BLE001 - e.g. the current window was just closed
            print(f"   (could not read the console during {self.step_name}: {error})")

    # Screenshots --------------------------------------------------------------------------------

    def screenshot(self, name: str, scroll_to: str | None = None) -> Path:
        if scroll_to:
            self.driver.execute_script(
                "document.querySelector(arguments[0])?.scrollIntoView({block: 'start'})", scroll_to)
        self.shot_count += 1
        path = self.shots / f"{self.shot_count:02d}-{name}.png"
        assert self.driver.save_screenshot(str(path)), f"could not save {path}"
        return path

    # DOM ----------------------------------------------------------------------------------------

    def find(self, css: str, timeout: float = 10.0):
        from selenium.webdriver.common.by import By

        return wait_for(f"{css} on {self.driver.current_url}",
                        lambda: self.driver.find_element(By.CSS_SELECTOR, css), timeout)

    def visible(self, css: str, timeout: float = 10.0):
        return wait_for(f"{css} to be visible on {self.driver.current_url}",
                        lambda: (lambda e: e if e.is_displayed() else None)(self.find(css, timeout)), timeout)

    def type_into(self, css: str, text: str) -> None:
        element = self.visible(css)
        element.clear()
        element.send_keys(text)

    def set_value(self, css: str, value: str) -> None:
        """Sets an input's value the way a picker would, with the events a user's edit fires."""
        element = self.find(css)
        self.driver.execute_script(
            """const el = arguments[0];
               const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
               setter.call(el, arguments[1]);
               el.dispatchEvent(new Event('input', {bubbles: true}));
               el.dispatchEvent(new Event('change', {bubbles: true}));""",
            element, value)
        assert element.get_attribute("value") == value, f"{css} did not take {value!r}: {element.get_attribute('value')!r}"

    def frame_html(self, css: str) -> str:
        """The current document of the iframe `css` (switching into it and back out)."""
        self.driver.switch_to.frame(self.find(css))
        try:
            return self.driver.execute_script("return document.documentElement.outerHTML")
        finally:
            self.driver.switch_to.default_content()

    def go(self, hash_route: str) -> None:
        """Opens a panel route. Within the panel only the hash changes, so the screen re-renders
        without a page load: wait until the previous screen has left the document."""
        from selenium.webdriver.common.by import By

        on_panel = self.driver.current_url.startswith(f"{self.base}/")
        previous = self.driver.find_elements(By.CSS_SELECTOR, "#main > *") if on_panel else []
        self.driver.get(f"{self.base}/{hash_route}")
        if previous:
            wait_for(f"the panel to render {hash_route}", lambda: is_stale(previous[0]))

    def hash(self) -> str:
        return self.driver.execute_script("return location.hash")

    def horizontal_overflow(self) -> dict:
        return self.driver.execute_script(
            """const d = document.documentElement;
               const wide = [...document.querySelectorAll('body *')]
                 .filter((e) => e.getBoundingClientRect().right > d.clientWidth + 1)
                 .slice(0, 5).map((e) => e.id ? '#' + e.id : e.tagName.toLowerCase() + '.' + [...e.classList].join('.'));
               return {scrollWidth: d.scrollWidth, clientWidth: d.clientWidth, innerWidth: window.innerWidth, wide};""")


def start_chromium(chromium: str, chromedriver: str, downloads: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--window-size=1280,900",
        f"--user-agent={USER_AGENT}",
        "--lang=en-US",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--no-default-browser-check",
    ):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {
        "download.default_directory": str(downloads),
        "download.prompt_for_download": False,
        "download.directory_upgrade": True,
        "safebrowsing.enabled": False,
        "intl.accept_languages": "en-US,en",
    })
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=chromedriver, log_output=str(downloads.parent / "chromedriver.log"))
    driver = webdriver.Chrome(service=service, options=options)
    # Downloads triggered inside (sandboxed, cross-origin) iframes go to the same folder, unprompted.
    driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                           {"behavior": "allow", "downloadPath": str(downloads), "eventsEnabled": True})
    return driver


# --------------------------------------------------------------------------------------------
# axe-core
# --------------------------------------------------------------------------------------------

# Where axe-core's browser build comes from: a PyPI package that ships it (there is no npm here).
# axe-playwright-python ships a current axe 4; only its axe.min.js is used, so it can be installed
# with --no-deps (Playwright itself is not needed). ATTENDIFY_AXE_JS names a file directly. axe 3
# (axe-selenium-python's copy) is refused: it flags visually hidden labels, which are fine, and
# has no WCAG 2.1 rules.
AXE_PACKAGES = (("axe_playwright_python", "axe.min.js"),)
AXE_INSTALL = ".venv/bin/pip install --no-deps axe-playwright-python"

# WCAG 2.0 and 2.1, levels A and AA, plus axe's best practices (landmarks, heading order, a
# dialog's name...): the panel aims for all of them.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def axe_source() -> str:
    """The text of axe.min.js, or skip (fail in CI) when none is installed."""
    named = os.environ.get("ATTENDIFY_AXE_JS")
    if named:
        return Path(named).read_text()
    for package, relative in AXE_PACKAGES:
        spec = importlib.util.find_spec(package)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            path = Path(folder) / relative
            if path.is_file():
                return path.read_text()
    unavailable(f"axe-core is not installed ({AXE_INSTALL}, or set ATTENDIFY_AXE_JS to an axe.min.js)")
    raise AssertionError("unreachable")


def axe_violations(driver, source: str, context: str = "document") -> list[dict]:
    """Runs axe-core on the current page (the top document; iframes are not entered: the widget
    preview is a sandboxed frame without scripts, which axe could only wait for) and returns its
    violations, each reduced to id, impact, help and the failing nodes' selectors and summaries.
    The script is injected through WebDriver, which the panel's CSP (script-src 'self') does not
    govern."""
    driver.set_script_timeout(60)
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(source)
    version = driver.execute_script("return axe.version")
    assert int(version.split(".")[0]) >= 4, f"axe-core {version} is too old: 4 or newer is needed ({AXE_INSTALL})"
    result = driver.execute_async_script(
        """const done = arguments[arguments.length - 1];
           const context = arguments[0] === 'document' ? document : document.querySelector(arguments[0]);
           axe.run(context, {runOnly: {type: 'tag', values: arguments[1]}, iframes: false, resultTypes: ['violations']})
             .then((r) => done({version: axe.version, violations: r.violations.map((v) => ({
                 id: v.id, impact: v.impact, help: v.help,
                 nodes: v.nodes.map((n) => ({target: n.target.join(' '), summary: n.failureSummary}))}))}))
             .catch((e) => done({error: String(e && e.stack || e)}));""",
        context, AXE_TAGS)
    assert "error" not in result, f"axe-core failed: {result['error']}"
    return result["violations"]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {node['target']}: {(node['summary'] or '').replace(chr(10), ' / ')}")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# The console
# --------------------------------------------------------------------------------------------


def check_console(journey: "Journey", ignored_console: list[tuple[str, Callable[[str, dict], bool]]],
                  started: float) -> None:
    """Prints the timings and the console, then fails on any SEVERE entry that none of
    `ignored_console` (reason, predicate on (step, entry)) explains."""
    severe = [(step, entry) for step, entry in journey.console if entry.get("level") == "SEVERE"]
    ignored, unexpected = [], []
    for step, entry in severe:
        reason = next((reason for reason, matches in ignored_console if matches(step, entry)), None)
        if reason:
            ignored.append((step, entry, reason))
        else:
            unexpected.append((step, entry))
    print("timings:")
    for name, seconds in journey.timings:
        print(f"   {seconds:6.2f} s  {name}")
    print(f"   {time.monotonic() - started:6.2f} s  total")
    print(f"console: {len(journey.console)} entries, {len(severe)} SEVERE, {len(ignored)} of them ignored")
    for step, entry, reason in ignored:
        print(f"   ignored [{step}] ({reason}): {entry['message']}")
    for step, entry in journey.console:
        if entry.get("level") != "SEVERE":
            print(f"   {entry.get('level')} [{step}]: {entry.get('message')}")
    assert not unexpected, "SEVERE console entries:\n" + "\n".join(
        f"[{step}] {entry.get('source', '')} {entry['message']}" for step, entry in unexpected)


# --------------------------------------------------------------------------------------------
# Requests with the panel's session
# --------------------------------------------------------------------------------------------


def page_fetch(driver, method: str, path: str, body: dict | None = None) -> dict:
    """`fetch` from the current page, with its own (HttpOnly) session cookie, as a plain link or
    the panel would send it: {status, content_type, disposition, text}. Nothing is asserted."""
    return driver.execute_async_script(
        """const [method, path, body, done] = arguments;
           fetch(path, {method, credentials: 'same-origin',
                        headers: body ? {'Content-Type': 'application/json', Accept: 'application/json'} : {},
                        body: body ? JSON.stringify(body) : undefined})
             .then(async (r) => done({status: r.status, content_type: r.headers.get('Content-Type') || '',
                                      disposition: r.headers.get('Content-Disposition') || '', text: await r.text()}))
             .catch((e) => done({status: 0, content_type: '', disposition: '', text: String(e)}));""",
        method, path, body)


# --------------------------------------------------------------------------------------------
# A third-party page
# --------------------------------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


def partner_site(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """(server, origin) of a plain static server for `folder` on another loopback origin, as an
    organizer's own site would be: 127.0.0.2 when it can be bound, else another port of 127.0.0.1
    (still another origin). The caller shuts it down."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    for host in ("127.0.0.2", "127.0.0.1"):
        try:
            server = http.server.ThreadingHTTPServer((host, 0), handler)
        except OSError:
            continue
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server, f"http://{host}:{server.server_address[1]}"
    pytest.fail("could not bind a second loopback HTTP server")
