"""What the tests of the public pages (issue 14: the widget and the event page `/e/{public_id}`)
share: the 14 languages, reading a published page (its lang/dir, meta tags, canonical link,
scripts, JSON-LD, buttons), WCAG 2 contrast arithmetic written here independently of the
product's, `Accept-Language` requests, a headless Chromium (desktop user agent, console log,
Chrome DevTools Protocol for the colour scheme and the time zone) and axe-core from the
`axe-playwright-python` wheel, injected through WebDriver.

Used by Tests/interop/test_public_pages_a11y.py, test_event_page.py and test_html_validity.py.
Everything is a real process or a real socket: no mocks.
"""

from __future__ import annotations

import contextlib
import html as htmllib
import importlib.util
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterator

import pytest

# The languages of issue 14 (SPEC.md), in its order; ar and he are right-to-left.
LANGUAGES = ("en", "pl", "de", "fr", "es", "it", "pt", "nl", "sv", "cs", "uk", "ja", "ar", "he")
RTL = frozenset({"ar", "he"})
NATIVE_NAMES = {
    "en": "English", "pl": "Polski", "de": "Deutsch", "fr": "Français", "es": "Español", "it": "Italiano",
    "pt": "Português", "nl": "Nederlands", "sv": "Svenska", "cs": "Čeština", "uk": "Українська", "ja": "日本語",
    "ar": "العربية", "he": "עברית",
}

# Text that tries to leave every context it lands in: HTML text and attributes, a <script> element
# (the JSON-LD), JSON strings, CSS, the tokenizer's script-data-escaped states ("<!--" followed by
# "<script"), bidi controls and astral characters.
HOSTILE_TITLE = ("</script><script>alert(1)</script> <!--<script> \"double\" 'single' & <img src=x onerror=alert(2)> "
                 "\u202eRTL override\u202c שלום مرحبا 🎉 \\u003c ]]> {{title}}")
HOSTILE_DESCRIPTION = ("Line one\r\nline two </SCRIPT><img src=x onerror=alert(3)>\r\n"
                       "<!-- <script> --> \"quoted\" & 'apos' \u2028 \u2029 \u200f עברית 👩‍💻 </style><b>bold</b>")

PARSEABLE_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$")


# --------------------------------------------------------------------------------------------
# Reading a published page
# --------------------------------------------------------------------------------------------


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""  # all text inside it (for the elements the parser collects text of)


@dataclass
class Page:
    """A published HTML page, parsed with the standard library's tokenizer (as a browser would
    split it into elements: a <script>'s content ends at its first `</script`)."""

    source: str
    elements: list[Element] = field(default_factory=list)
    scripts: list[Element] = field(default_factory=list)  # text = the raw content
    title: str = ""

    def first(self, tag: str, **attrs: str) -> Element | None:
        for element in self.elements:
            if element.tag == tag and all(element.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items()):
                return element
        return None

    def all(self, tag: str) -> list[Element]:
        return [element for element in self.elements if element.tag == tag]

    @property
    def html(self) -> Element:
        element = self.first("html")
        assert element is not None, f"no <html> element in:\n{self.source[:400]}"
        return element

    @property
    def lang(self) -> str | None:
        return self.html.attrs.get("lang")

    @property
    def dir(self) -> str | None:
        return self.html.attrs.get("dir")

    def meta(self, key: str) -> list[str]:
        """The content of every <meta name=key> or <meta property=key>."""
        return [e.attrs.get("content", "") for e in self.all("meta")
                if e.attrs.get("name") == key or e.attrs.get("property") == key]

    def one_meta(self, key: str) -> str:
        found = self.meta(key)
        assert len(found) == 1, f"expected exactly one <meta> {key!r}, found {found!r}"
        return found[0]

    def links(self, rel: str) -> list[str]:
        return [e.attrs.get("href", "") for e in self.all("link") if rel in e.attrs.get("rel", "").split()]

    def buttons(self) -> dict[str, str]:
        """data-type -> href of the add-to-calendar links."""
        return {e.attrs["data-type"]: e.attrs.get("href", "") for e in self.all("a") if "data-type" in e.attrs}

    def json_ld(self) -> list:
        """Every `<script type="application/ld+json">`, parsed."""
        return [json.loads(s.text) for s in self.scripts if s.attrs.get("type", "").lower() == "application/ld+json"]

    def text_of(self, tag: str, cls: str | None = None) -> str | None:
        for element in self.elements:
            if element.tag == tag and (cls is None or cls in element.attrs.get("class", "").split()):
                return element.text
        return None

    def robots(self) -> list[str]:
        return [word.strip().lower() for content in self.meta("robots") for word in content.split(",")]


class _Parser(HTMLParser):
    # Elements whose text the tests read.
    TEXT_TAGS = {"title", "h1", "h2", "p", "time", "a", "nav", "strong", "span", "div", "main", "li"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, page: Page):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.open: list[Element] = []
        self.script: Element | None = None

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: (v if v is not None else "") for k, v in attrs})
        self.page.elements.append(element)
        if tag == "script":
            self.script = element
            self.page.scripts.append(element)
        elif tag not in self.VOID:
            self.open.append(element)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID and self.open and self.open[-1].tag == tag:
            self.open.pop()

    def handle_endtag(self, tag):
        if tag == "script":
            self.script = None
            return
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index].tag == tag:
                del self.open[index:]
                break

    def handle_data(self, data):
        if self.script is not None:
            self.script.text += data
            return
        for element in self.open:
            if element.tag in self.TEXT_TAGS:
                element.text += data
        if self.open and self.open[-1].tag == "title":
            self.page.title += data


def parse_page(source: str | bytes) -> Page:
    text = source.decode("utf-8") if isinstance(source, bytes) else source
    page = Page(text)
    parser = _Parser(page)
    parser.feed(text)
    parser.close()
    return page


def raw_scripts(source: str) -> list[tuple[str, str]]:
    """(start tag, raw content) of every <script> in the source, split the way the HTML tokenizer
    ends a script element in the plain case: at the first `</script` (any case)."""
    found = []
    for match in re.finditer(r"<script\b[^>]*>", source, re.IGNORECASE):
        end = source.lower().find("</script", match.end())
        found.append((match.group(0), source[match.end(): end if end >= 0 else len(source)]))
    return found


def parse_instant(text: str) -> datetime:
    """An ISO 8601 date-time with a UTC offset (or Z) as an aware datetime; anything else fails."""
    assert isinstance(text, str) and PARSEABLE_ISO.match(text), f"not an ISO 8601 date-time with an offset: {text!r}"
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert moment.tzinfo is not None and moment.utcoffset() is not None, f"no offset in {text!r}"
    return moment


def schema_value(value: str | None) -> str | None:
    """`https://schema.org/EventScheduled`, `http://schema.org/EventScheduled` and
    `EventScheduled` all name the same schema.org value."""
    if value is None:
        return None
    return re.sub(r"^https?://schema\.org/", "", value)


def vary_names(reply) -> set[str]:
    return {part.strip().lower() for value in reply.all("Vary") for part in value.split(",") if part.strip()}


# --------------------------------------------------------------------------------------------
# WCAG 2 contrast (written here from the WCAG 2.x definitions, not copied from the product)
# --------------------------------------------------------------------------------------------

RGB = tuple[float, float, float]


def parse_css_color(text: str) -> tuple[float, float, float, float]:
    """(r, g, b in 0..255, alpha in 0..1) of a computed colour: `rgb(...)`, `rgba(...)` (comma or
    space syntax), `#rrggbb`, `transparent`, or `color(srgb r g b [/ a])`."""
    value = text.strip().lower()
    if value == "transparent":
        return (0.0, 0.0, 0.0, 0.0)
    if re.fullmatch(r"#[0-9a-f]{6}", value):
        return (int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16), 1.0)
    match = re.fullmatch(r"rgba?\((.*)\)", value)
    if match:
        parts = [p for p in re.split(r"[\s,/]+", match.group(1).strip()) if p]
        channels = [float(p[:-1]) * 2.55 if p.endswith("%") else float(p) for p in parts[:3]]
        alpha = 1.0
        if len(parts) > 3:
            alpha = float(parts[3][:-1]) / 100 if parts[3].endswith("%") else float(parts[3])
        return (channels[0], channels[1], channels[2], alpha)
    match = re.fullmatch(r"color\(srgb\s+(.*)\)", value)
    if match:
        parts = [p for p in re.split(r"[\s/]+", match.group(1).strip()) if p]
        channels = [float(p) * 255 for p in parts[:3]]
        return (channels[0], channels[1], channels[2], float(parts[3]) if len(parts) > 3 else 1.0)
    raise AssertionError(f"cannot read the CSS colour {text!r}")


def hex_rgb(text: str) -> RGB:
    r, g, b, _ = parse_css_color(text)
    return (r, g, b)


def over(top: tuple[float, float, float, float], bottom: RGB) -> RGB:
    """`top` (with its alpha) composited over the opaque `bottom`."""
    r, g, b, a = top
    return (r * a + bottom[0] * (1 - a), g * a + bottom[1] * (1 - a), b * a + bottom[2] * (1 - a))


def relative_luminance(rgb: RGB) -> float:
    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: RGB | str, b: RGB | str) -> float:
    la = relative_luminance(hex_rgb(a) if isinstance(a, str) else a)
    lb = relative_luminance(hex_rgb(b) if isinstance(b, str) else b)
    lighter, darker = max(la, lb), min(la, lb)
    return (lighter + 0.05) / (darker + 0.05)


def rgb_text(rgb: RGB) -> str:
    return "#" + "".join(f"{round(c):02x}" for c in rgb)


# --------------------------------------------------------------------------------------------
# Chromium and axe-core
# --------------------------------------------------------------------------------------------

DESKTOP_UA = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 "
              "AttendifyPublicPagesTest")
AXE_INSTALL = ".venv/bin/pip install --no-deps axe-playwright-python"
# WCAG 2.0/2.1 A and AA plus best practices; only serious and critical results fail the tests.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
FAILING_IMPACTS = ("serious", "critical")


def unavailable(reason: str) -> None:
    """Skip on a developer machine without the tool; with CI=true a missing tool is a failure."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: these tests must run)")
    pytest.skip(reason)


def axe_source() -> str:
    named = os.environ.get("ATTENDIFY_AXE_JS")
    if named:
        return Path(named).read_text()
    spec = importlib.util.find_spec("axe_playwright_python")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "axe.min.js"
        if path.is_file():
            return path.read_text()
    unavailable(f"axe-core is not installed ({AXE_INSTALL}, or set ATTENDIFY_AXE_JS to an axe.min.js)")
    raise AssertionError("unreachable")


@contextlib.contextmanager
def chromium(work: Path, timezone_id: str | None = None) -> Iterator[object]:
    """Headless Chromium through Selenium with a desktop user agent, its console log kept, its
    HTTP cache off, and optionally a time zone (CDP Emulation.setTimezoneOverride) other than
    the machine's."""
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not binary or not driver_path:
        unavailable("chromium and chromedriver are needed (apt-get install -y chromium chromium-driver)")
    if importlib.util.find_spec("selenium") is None:
        unavailable("selenium is not installed (.venv/bin/pip install selenium)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in ("--headless=new", "--no-sandbox", "--window-size=1280,900", f"--user-agent={DESKTOP_UA}",
                     "--lang=en-US", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
                     f"--user-data-dir={work / 'chromium-profile'}"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=driver_path, log_output=str(work / "chromedriver.log"))
    driver = webdriver.Chrome(service=service, options=options)
    try:
        driver.set_script_timeout(60)
        # The pages are cacheable for a minute; a test that changes an event and loads it again
        # must see the new copy, so the browser's cache is off.
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
        if timezone_id:
            driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": timezone_id})
        yield driver
    finally:
        driver.quit()


def set_color_scheme(driver, scheme: str) -> None:
    """prefers-color-scheme for the pages loaded from now on: "light" or "dark"."""
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "", "features": [
        {"name": "prefers-color-scheme", "value": scheme}]})
    assert driver.execute_script(f"return matchMedia('(prefers-color-scheme: {scheme})').matches"), \
        f"the emulated prefers-color-scheme: {scheme} did not take"


def console_entries(driver) -> list[dict]:
    """The browser's console entries since the last call (each read empties the buffer)."""
    return driver.get_log("browser")


def run_axe(driver, source: str) -> list[dict]:
    """axe-core's violations on the current page (the top document), each reduced to id, impact,
    help and the failing nodes' selectors, HTML and summaries. WebDriver injects the script, which
    the page's CSP does not govern."""
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(source)
    version = driver.execute_script("return axe.version")
    assert int(version.split(".")[0]) >= 4, f"axe-core {version} is too old ({AXE_INSTALL})"
    result = driver.execute_async_script(
        """const done = arguments[arguments.length - 1];
           axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, iframes: false, resultTypes: ['violations']})
             .then((r) => done({violations: r.violations.map((v) => ({
                 id: v.id, impact: v.impact, help: v.help,
                 nodes: v.nodes.map((n) => ({target: n.target.join(' '), html: n.html, summary: n.failureSummary}))}))}))
             .catch((e) => done({error: String(e && e.stack || e)}));""",
        AXE_TAGS)
    assert "error" not in result, f"axe-core failed: {result['error']}"
    return result["violations"]


def serious(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v.get("impact") in FAILING_IMPACTS]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:4]:
            lines.append(f"    {node['target']}: {node['html'][:160]}")
            lines.append(f"        {(node['summary'] or '').replace(chr(10), ' / ')[:300]}")
    return "\n".join(lines)


# Every element with text of its own (a non-blank text node child), its computed colour, and the
# background it is seen on: its own and its ancestors' background colours, from the root down,
# composited (background images are not colours: the view beacon is a 1x1 transparent GIF, or a
# 204 with no body). Also the outline button's border colour.
_STYLES_JS = r"""
const layers = (el) => {
  const chain = [];
  for (let e = el; e; e = e.parentElement) chain.push(getComputedStyle(e).backgroundColor);
  return chain.reverse();
};
const describe = (e) => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).trim().split(/\s+/).join('.') : '');
const out = [];
for (const el of document.body.querySelectorAll('*')) {
  const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
  const style = getComputedStyle(el);
  if (!own || style.display === 'none' || style.visibility === 'hidden') continue;
  out.push({element: describe(el), text: el.textContent.trim().slice(0, 60), color: style.color,
            opacity: style.opacity, layers: layers(el), border: style.borderTopColor,
            borderWidth: style.borderTopWidth, own: style.backgroundColor, isButton: el.matches('a[data-type], .recording a')});
}
return {items: out, root: getComputedStyle(document.documentElement).backgroundColor,
        canvas: getComputedStyle(document.documentElement).colorScheme};
"""


@dataclass
class TextColour:
    element: str
    text: str
    color: RGB
    background: RGB
    border: RGB | None
    is_button: bool

    @property
    def ratio(self) -> float:
        return contrast_ratio(self.color, self.background)


def text_colours(driver) -> list[TextColour]:
    """What every text-bearing element of the current page looks like (see _STYLES_JS)."""
    found = driver.execute_script(_STYLES_JS)
    colours = []
    for item in found["items"]:
        # The canvas behind everything: white (neither theme leaves html transparent; if one
        # did, the browser's light canvas is white and the dark one is not, which would show).
        background: RGB = (255.0, 255.0, 255.0)
        for layer in item["layers"]:
            background = over(parse_css_color(layer), background)
        color = over(parse_css_color(item["color"]), background)
        border = None
        # An outline button (no fill of its own): its border, in the accent, is drawn on the page.
        if item["isButton"] and parse_css_color(item["own"])[3] == 0 and float(item["borderWidth"].rstrip("px") or 0) > 0:
            border = over(parse_css_color(item["border"]), background)
        assert float(item["opacity"]) == 1.0, f"{item['element']} is drawn translucent (opacity {item['opacity']})"
        colours.append(TextColour(item["element"], item["text"], color, background, border, item["isButton"]))
    return colours


def page_fetch_status(driver, url: str) -> int:
    return driver.execute_async_script(
        "const done = arguments[1]; fetch(arguments[0]).then((r) => done(r.status)).catch(() => done(0));", url)


def unescape(text: str) -> str:
    return htmllib.unescape(text)
