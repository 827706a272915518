"""Issue 14 acceptance, the public pages in a real browser: headless Chromium (Selenium, a
desktop user agent) with axe-core (the axe.min.js of the `axe-playwright-python` wheel) injected
through WebDriver, against one real `attendify serve` on SQLite whose events and settings are
made through the HTTP API.

- test_widget_in_every_language: the published widget in each of the 14 languages (default
  theme) has no serious or critical axe violation, says its language (and dir="rtl" for ar/he),
  and every text on it contrasts >= 4.5 with what it is drawn on.
- test_event_page_in_every_language: the same for the event page /e/{public_id}.
- test_hostile_colours: en and ar (RTL) x theme (light, dark, auto under both
  prefers-color-scheme values, set with CDP Emulation.setEmulatedMedia) x button style (filled,
  outline) x organizer colours chosen to break contrast (yellow or grey accents on white, light
  grey text on white, navy on black, accent equal to background, near-white accent, near-black
  text). Widget and event page: no serious/critical axe violation; every text >= 4.5 against its
  computed background (WCAG ratio computed here in Python from getComputedStyle); an outline
  button's border (the accent) >= 4.5 too; a filled button's text is black or white, whichever
  contrasts more with its fill; and where the organizer picked a text or accent colour, the one
  drawn is what SPEC.md's adjustment (HexColor.ensuringContrast) gives.
- test_organizer_default_colours: the same adjustment for hostile colours that come from the
  organizer's defaults, before and after a change of the defaults (he, auto theme).
- test_cancelled_and_ended_states: the state notice, an ended event's recording link and a
  series' rule and subscribe buttons under
  hostile colours (auto theme, both schemes, both styles, en and ar): axe and contrast.
- test_auto_language_follows_the_browser: a widget and event page with language "auto" seen by
  a browser whose Accept-Language (CDP Network.setUserAgentOverride) is de, ar, he or zh-CN show
  de, ar (rtl), he (rtl) or the fallback, with no serious violation.
- test_visitor_clock_line: in every language, in a browser whose time zone (CDP) differs from
  the event's, the one inline script adds one line (p.local) "<label>: ... (America/Sao Paulo)"
  to the widget and the event page (en: "Your time: ... 9:00 – 10:00 AM" for 12:00 UTC); the CSP
  admits it (no console error); the line passes axe and contrast too; in the event's own zone
  there is no such line.
- test_reflow_at_320_pixels: every language with all nine buttons, and a 120-character word as
  the title, fit 320 CSS px without sideways scrolling (WCAG 1.4.10, AA).
- test_event_page_counts_a_view: a browser's visit of the event page counts one view (the same
  beacon as the widget), and a visit of the widget a second.

Run: .venv/bin/python -m pytest Tests/interop/test_public_pages_a11y.py -q
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pysupport"))
from analytics_support import Api  # noqa: E402
from attendify_serve import running_serve  # noqa: E402
from public_pages import (  # noqa: E402
    LANGUAGES, RTL, axe_source, chromium, console_entries, contrast_ratio, format_violations, hex_rgb,
    parse_page, rgb_text, run_axe, serious, set_color_scheme, text_colours,
)

MINIMUM = 4.5
EVENT_ZONE = "Europe/Warsaw"
VISITOR_ZONE = "America/Sao_Paulo"  # never Warsaw's offset: the clock line must show

# Organizer colours that, used as given, would break WCAG AA somewhere.
HOSTILE_COLOURS = {
    "yellow-accent-on-white": {"accent_color": "#ffff00", "background_color": "#ffffff"},
    "grey-accent": {"accent_color": "#777777"},
    "light-grey-text-on-white": {"text_color": "#cccccc", "background_color": "#ffffff"},
    "navy-accent-on-black": {"background_color": "#000000", "accent_color": "#000080"},
    "accent-equals-background": {"accent_color": "#2b4c7e", "background_color": "#2b4c7e"},
    "near-white-accent": {"accent_color": "#fbfbfb"},
    "near-black-text": {"text_color": "#1a1a1a"},
    "mid-grey-page": {"background_color": "#767676", "text_color": "#808080", "accent_color": "#7a7a7a"},
}


# --------------------------------------------------------------------------------------------
# The server, its events, the browser
# --------------------------------------------------------------------------------------------


@dataclass
class Site:
    api: Api
    token: str
    base: str
    work: Path
    events: dict[str, dict] = field(default_factory=dict)

    def event(self, key: str, **customization) -> dict:
        """One event per key (made on first use) with these customization settings."""
        if key not in self.events:
            start = (datetime.now(timezone.utc) + timedelta(days=14)).replace(hour=12, minute=0, second=0, microsecond=0)
            self.events[key] = self.api.create_event(
                self.token, f"Accessible webinar {key}", start, timezone=EVENT_ZONE,
                description="Agenda: welcome, a live demo, questions and answers.",
                customization_settings=customization)
        return self.events[key]

    def widget_path(self, event: dict) -> str:
        return f"/widget/event/{event['public_id']}"

    def page_path(self, event: dict) -> str:
        return f"/e/{event['public_id']}"

    def require(self, path: str, headers: dict[str, str] | None = None) -> None:
        reply = self.api.call("GET", path, headers=headers)
        assert reply.status == 200, f"GET {path}: {reply}"
        assert (reply.header("Content-Type") or "").startswith("text/html"), f"GET {path}: {reply}"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    work = tmp_path_factory.mktemp("public-a11y")
    with running_serve(work) as (base, _log):
        api = Api(int(base.rsplit(":", 1)[1]), base)
        yield Site(api, api.organizer("Accessibility Organizer"), base, work)


@pytest.fixture(scope="module")
def axe() -> str:
    return axe_source()


@pytest.fixture(scope="module")
def browser(site, axe):
    with chromium(site.work, timezone_id=VISITOR_ZONE) as driver:
        yield driver


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------


def ensuring_contrast(colour: str, background: str, minimum: float = MINIMUM) -> str:
    """SPEC.md's adjustment, written out again: the colour itself if it contrasts enough, else
    the first step (1 % .. 100 %) towards black or white (whichever contrasts more with the
    background) that does; each channel rounded half away from zero."""
    if contrast_ratio(colour, background) >= minimum:
        return colour.lower()
    target = (0.0, 0.0, 0.0) if contrast_ratio("#000000", background) >= contrast_ratio("#ffffff", background) \
        else (255.0, 255.0, 255.0)
    rgb = hex_rgb(colour)
    for step in range(1, 101):
        t = step / 100
        candidate = tuple(math.floor(c + (target[i] - c) * t + 0.5) for i, c in enumerate(rgb))
        if contrast_ratio(candidate, background) >= minimum:
            return rgb_text(candidate)
    return rgb_text(target)


def load(driver, site: Site, path: str, scheme: str = "light") -> None:
    set_color_scheme(driver, scheme)
    console_entries(driver)  # drop what earlier pages logged
    driver.get(site.base + path)


def check_console(driver, where: str) -> None:
    """No console error: a script the CSP refused, a resource that failed (the favicon, which
    the public pages do not have, aside)."""
    errors = [e for e in console_entries(driver)
              if e.get("level") == "SEVERE" and "favicon.ico" not in e.get("message", "")]
    assert not errors, f"{where}: console errors:\n" + "\n".join(e["message"] for e in errors)


def check_axe(driver, axe: str, where: str) -> None:
    found = serious(run_axe(driver, axe))
    assert not found, f"{where}: axe-core found serious/critical violations:\n{format_violations(found)}"


def check_language(driver, where: str, code: str) -> None:
    lang = driver.execute_script("return document.documentElement.lang")
    direction = driver.execute_script("return getComputedStyle(document.documentElement).direction")
    assert lang.split("-")[0] == code, f"{where}: <html lang={lang!r}>, expected {code!r}"
    assert direction == ("rtl" if code in RTL else "ltr"), f"{where}: the page is laid out {direction}, language {code}"


def check_contrast(driver, where: str, given: dict | None = None, style: str | None = None,
                   buttons_expected: bool = True) -> list:
    """Every text >= 4.5 against its background; the named parts exist; buttons as SPEC.md says;
    an organizer's text/accent colour drawn as the adjustment makes it. Returns the colours."""
    given = given or {}
    colours = text_colours(driver)
    low = [c for c in colours if c.ratio < MINIMUM - 1e-9]
    assert not low, f"{where}: text below {MINIMUM}:1:\n" + "\n".join(
        f"    {c.element} {c.text!r}: {rgb_text(c.color)} on {rgb_text(c.background)} = {c.ratio:.2f}" for c in low)
    named = {selector: driver.execute_script(f"return document.querySelector({selector!r}) !== null")
             for selector in ("h1", "a[data-type]" if buttons_expected else "h1")}
    assert all(named.values()), f"{where}: missing elements {named}"
    assert any(c.element.startswith("h1") for c in colours), f"{where}: no h1 text measured"
    buttons = [c for c in colours if c.is_button]
    assert buttons or not buttons_expected, f"{where}: no button text measured"
    for button in buttons:
        if button.border is not None:  # outline: the accent is the text and the border
            ratio = contrast_ratio(button.border, button.background)
            assert ratio >= MINIMUM - 1e-9, (f"{where}: outline button {button.text!r} border {rgb_text(button.border)} on "
                                             f"{rgb_text(button.background)} = {ratio:.2f}")
    if style == "filled":
        for button in buttons:
            fill = button.background
            best = "#000000" if contrast_ratio("#000000", fill) >= contrast_ratio("#ffffff", fill) else "#ffffff"
            assert rgb_text(button.color) == best, (f"{where}: filled button {button.text!r} has text {rgb_text(button.color)} "
                                                    f"on {rgb_text(fill)}; SPEC: black or white, whichever contrasts more ({best})")
    # What the organizer picked, as it must be published.
    page_background = driver.execute_script("return getComputedStyle(document.body).backgroundColor")
    background = rgb_text(hex_rgb(page_background))
    if "text_color" in given:
        expected = ensuring_contrast(given["text_color"], background)
        heading = next(c for c in colours if c.element.startswith("h1"))
        assert rgb_text(heading.color) == expected, (f"{where}: text colour {given['text_color']} on {background} is drawn "
                                                     f"{rgb_text(heading.color)}; the adjustment gives {expected}")
    if "accent_color" in given and style == "outline":
        expected = ensuring_contrast(given["accent_color"], background)
        for button in buttons:
            if button.border is not None:
                assert rgb_text(button.color) == expected, (
                    f"{where}: outline accent {given['accent_color']} on {background} is drawn {rgb_text(button.color)}; "
                    f"the adjustment gives {expected}")
    return colours


# --------------------------------------------------------------------------------------------
# Every language
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", LANGUAGES)
def test_widget_in_every_language(site, browser, axe, code):
    event = site.event(f"lang-{code}", language=code)
    path = site.widget_path(event)
    site.require(path)
    load(browser, site, path)
    where = f"widget {code} {path}"
    check_language(browser, where, code)
    check_axe(browser, axe, where)
    check_contrast(browser, where)
    check_console(browser, where)


@pytest.mark.parametrize("code", LANGUAGES)
def test_event_page_in_every_language(site, browser, axe, code):
    event = site.event(f"lang-{code}", language=code)
    path = site.page_path(event)
    site.require(path)
    load(browser, site, path)
    where = f"event page {code} {path}"
    check_language(browser, where, code)
    check_axe(browser, axe, where)
    check_contrast(browser, where)
    check_console(browser, where)


# --------------------------------------------------------------------------------------------
# Themes x styles x hostile colours, left-to-right and right-to-left
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("colours", list(HOSTILE_COLOURS))
@pytest.mark.parametrize("style", ["filled", "outline"])
@pytest.mark.parametrize("theme", ["light", "dark", "auto"])
@pytest.mark.parametrize("code", ["en", "ar"])
def test_hostile_colours(site, browser, axe, code, theme, style, colours):
    given = HOSTILE_COLOURS[colours]
    event = site.event(f"{code}-{theme}-{style}-{colours}", language=code, theme=theme, button_style=style, **given)
    # A fixed theme is looked at by a visitor who prefers the other one; auto under both.
    schemes = {"light": ["dark"], "dark": ["light"], "auto": ["light", "dark"]}[theme]
    for path in (site.widget_path(event), site.page_path(event)):
        site.require(path)
        for scheme in schemes:
            load(browser, site, path, scheme)
            where = f"{path} ({code}, theme {theme}, {style}, {colours} {given}, prefers {scheme})"
            check_language(browser, where, code)
            check_axe(browser, axe, where)
            check_contrast(browser, where, given, style)
            check_console(browser, where)


@pytest.mark.parametrize("colours", ["yellow-accent-on-white", "navy-accent-on-black", "light-grey-text-on-white"])
@pytest.mark.parametrize("style", ["filled", "outline"])
@pytest.mark.parametrize("code", ["en", "ar"])
@pytest.mark.parametrize("state", ["cancelled", "ended", "series"])
def test_cancelled_and_ended_states(site, browser, axe, state, code, style, colours):
    """The state notice (and an ended event's recording link, drawn as a button), and a weekly
    series' rule, note and subscribe buttons, under the same hostile colours, auto theme under
    both schemes."""
    given = HOSTILE_COLOURS[colours]
    key = f"{state}-{code}-{style}-{colours}"
    if key not in site.events:
        customization = {"language": code, "theme": "auto", "button_style": style, **given}
        if state == "ended":
            past = (datetime.now(timezone.utc) - timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
            site.events[key] = site.api.create_event(site.token, f"Ended {key}", past, timezone=EVENT_ZONE,
                                                     recording_url="https://example.com/recording/a11y",
                                                     customization_settings=customization)
        elif state == "series":
            start = (datetime.now(timezone.utc) + timedelta(days=2)).replace(hour=12, minute=0, second=0, microsecond=0)
            site.events[key] = site.api.create_event(site.token, f"Series {key}", start, timezone=EVENT_ZONE,
                                                     recurrence={"freq": "weekly", "count": 6},
                                                     customization_settings={**customization, "providers": ALL_BUTTONS})
        else:
            site.events[key] = site.event(key + "-scheduled", **customization)
            reply = site.api.call("POST", f"/api/events/{site.events[key]['id']}/cancel", token=site.token)
            assert reply.status == 200, reply
    event = site.events[key]
    for path in (site.widget_path(event), site.page_path(event)):
        site.require(path)
        for scheme in ("light", "dark"):
            load(browser, site, path, scheme)
            where = f"{path} ({state}, {code}, {style}, {colours} {given}, prefers {scheme})"
            marker = ".rule" if state == "series" else ".state"
            assert browser.execute_script(f"return document.querySelector('{marker}') !== null"), f"{where}: no {marker}"
            if state == "ended":
                assert browser.execute_script("return document.querySelector('.recording a') !== null"), f"{where}: no recording link"
            check_language(browser, where, code)
            check_axe(browser, axe, where)
            check_contrast(browser, where, given, style, buttons_expected=False)
            check_console(browser, where)


@pytest.mark.parametrize("style", ["filled", "outline"])
def test_organizer_default_colours(site, browser, axe, style):
    """Hostile colours from the organizer's defaults (PUT /api/settings/iframe), not the event's,
    are adjusted the same way; so is a later change of the defaults (every widget republished)."""
    token = site.api.organizer(f"Defaults Organizer {style}")
    given = {"accent_color": "#ffff00", "text_color": "#cccccc"}
    defaults = {"theme": "auto", "button_style": style, "language": "he", **given}
    reply = site.api.call("PUT", "/api/settings/iframe", {"iframe_defaults": defaults}, token)
    assert reply.status == 200, reply
    start = (datetime.now(timezone.utc) + timedelta(days=5)).replace(hour=12, minute=0, second=0, microsecond=0)
    event = site.api.create_event(token, f"Defaults {style}", start, timezone=EVENT_ZONE)
    for round_, colours in enumerate((given, {"accent_color": "#f0f0f0", "text_color": "#eeeeee", "background_color": "#ffffff"})):
        if round_:
            reply = site.api.call("PUT", "/api/settings/iframe", {"iframe_defaults": {**defaults, **colours}}, token)
            assert reply.status == 200, reply
        for path in (site.widget_path(event), site.page_path(event)):
            site.require(path)
            for scheme in ("light", "dark"):
                load(browser, site, path, scheme)
                where = f"{path} (organizer defaults {colours}, {style}, prefers {scheme})"
                check_language(browser, where, "he")
                check_axe(browser, axe, where)
                check_contrast(browser, where, colours, style)
                check_console(browser, where)


def test_auto_theme_follows_the_colour_scheme(site, browser):
    """The auto theme really switches (so the auto cases above test two palettes, not one)."""
    event = site.event("auto-default", theme="auto")
    seen = {}
    for path in (site.widget_path(event), site.page_path(event)):
        site.require(path)
        for scheme in ("light", "dark"):
            load(browser, site, path, scheme)
            seen[(path, scheme)] = browser.execute_script("return getComputedStyle(document.body).backgroundColor")
        assert seen[(path, "light")] != seen[(path, "dark")], f"{path}: the same background under both schemes: {seen}"


# --------------------------------------------------------------------------------------------
# language: auto, chosen by the browser's Accept-Language
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("accept,expected", [("de-DE,de;q=0.9", "de"), ("ar", "ar"), ("he-IL,he;q=0.8", "he"),
                                             ("zh-CN,zh;q=0.9", "en")])
def test_auto_language_follows_the_browser(site, browser, axe, accept, expected):
    from public_pages import DESKTOP_UA

    event = site.event("auto-language", language="auto")
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.setUserAgentOverride", {"userAgent": DESKTOP_UA, "acceptLanguage": accept})
    try:
        for path in (site.widget_path(event), site.page_path(event)):
            site.require(path, headers={"Accept-Language": accept})
            load(browser, site, path)
            where = f"{path} (language auto, Accept-Language {accept})"
            check_language(browser, where, expected)
            check_axe(browser, axe, where)
            check_contrast(browser, where)
            check_console(browser, where)
    finally:
        browser.execute_cdp_cmd("Network.setUserAgentOverride", {"userAgent": DESKTOP_UA, "acceptLanguage": "en-US,en"})


# --------------------------------------------------------------------------------------------
# The visitor's clock
# --------------------------------------------------------------------------------------------


def local_lines(driver) -> list[str]:
    """The text of every line the clock script added (p.local), in document order."""
    return driver.execute_script("return [...document.querySelectorAll('p.local')].map((p) => p.textContent)")


@pytest.mark.parametrize("code", LANGUAGES)
def test_visitor_clock_line(site, browser, axe, code):
    """SPEC: with scripts on, a line "<Your time>: ..." in the visitor's zone when it differs from
    the event's; none in the event's own zone; the line is as accessible as the rest."""
    event = site.event(f"lang-{code}", language=code)
    for path in (site.widget_path(event), site.page_path(event)):
        site.require(path)
        static = parse_page(site.api.call("GET", path).body)
        assert not [e for e in static.all("p") if "local" in e.attrs.get("class", "").split()], \
            f"{path}: the static HTML already has the visitor's line (it must come from the script)"
        label = next((e.attrs.get("data-label") for e in static.all("p") if "data-label" in e.attrs), None)
        try:
            load(browser, site, path)
            where = f"{path} ({code}) in {VISITOR_ZONE}"
            lines = local_lines(browser)
            assert len(lines) == 1, f"{where}: expected one visitor's-time line, found {lines}"
            line = lines[0]
            if label:
                assert line.startswith(label + ": "), f"{where}: the line {line!r} does not start with {label!r}"
            assert "America/Sao Paulo" in line, f"{where}: the visitor's zone is not named in {line!r}"
            if code == "en":
                # 12:00 UTC is 09:00 in Sao Paulo (UTC-3, no DST).
                assert line.startswith("Your time: ") and "9:00" in line and "10:00" in line, f"{where}: {line!r}"
            check_language(browser, where, code)
            check_console(browser, where)
            check_axe(browser, axe, where)
            check_contrast(browser, where)  # every text, the new line included

            browser.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": EVENT_ZONE})
            load(browser, site, path)
            assert local_lines(browser) == [], f"{path} ({code}) in {EVENT_ZONE}, the event's own zone: {local_lines(browser)}"
            check_console(browser, f"{path} ({code}) in {EVENT_ZONE}")
        finally:
            browser.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": VISITOR_ZONE})


# --------------------------------------------------------------------------------------------
# The event page counts a view like the widget
# --------------------------------------------------------------------------------------------


def test_event_page_counts_a_view(site, browser):
    from analytics_support import settle

    event = site.event("views", language="en")
    path = site.page_path(event)
    site.require(path)
    load(browser, site, path)
    check_console(browser, f"{path} (view)")

    def views() -> dict:
        return {"views": site.api.stats(site.token, event["id"], tz="UTC").get("views")}

    settle(f"one browser visit of {path}", views, {"views": 1})
    load(browser, site, site.widget_path(event))
    settle(f"then one of the widget of {path}", views, {"views": 2})


# --------------------------------------------------------------------------------------------
# Reflow (WCAG 2.1 1.4.10, level AA): 320 CSS pixels wide, no horizontal scrolling
# --------------------------------------------------------------------------------------------

ALL_BUTTONS = ["google", "ics", "outlook", "office365", "yahoo", "teams", "subscribe_webcal", "subscribe_google",
               "subscribe_outlook"]


def test_reflow_at_320_pixels(site, browser):
    """Every language with every button, and a title of one unbroken 120-character word, fit a
    320 px wide viewport (the widget is often narrower than a phone)."""
    cases = {code: site.event(f"reflow-{code}", language=code, providers=ALL_BUTTONS) for code in LANGUAGES}
    long_word = site.api.create_event(site.token, "W" * 120, None, timezone=EVENT_ZONE,
                                      customization_settings={"language": "uk", "providers": ALL_BUTTONS})
    cases["long-word"] = long_word
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": 320, "height": 640, "deviceScaleFactor": 1, "mobile": False})
    try:
        for name, event in cases.items():
            for path in (site.widget_path(event), site.page_path(event)):
                site.require(path)
                load(browser, site, path)
                found = browser.execute_script(
                    """const d = document.documentElement;
                       const wide = [...document.querySelectorAll('body *')].filter((e) => {
                         const r = e.getBoundingClientRect(); return r.right > d.clientWidth + 1 || r.left < -1; })
                         .slice(0, 5).map((e) => e.tagName.toLowerCase() + '.' + e.className + ' ' + e.textContent.slice(0, 30));
                       return {scrollWidth: d.scrollWidth, clientWidth: d.clientWidth, wide};""")
                assert found["scrollWidth"] <= found["clientWidth"] and not found["wide"], \
                    f"{path} ({name}) scrolls sideways at 320 px: {found}"
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
