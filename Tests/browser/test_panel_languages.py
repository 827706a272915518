"""The panel in other languages (issue 14), in a real browser (headless Chromium + Selenium)
against a live `attendify serve`, with axe-core on every screen.

One server and one browser serve the whole module: an organizer with one event (made through the
API) is signed in once. Then, for Arabic (right to left), German and Japanese:

1. the language picker lists the 14 languages by their native names (each option marked with
   its `lang`) and switching sets `<html lang>` and `dir` (`rtl` for Arabic);
2. the events list, the event screen (editor, designer, embed code, statistics), the new-event
   form, the overview, the settings and the sign-in screen (signed out and back in through the
   form) show the language's texts, read from `Panel/locales/{code}.json` (never written into
   this test), including a plural chosen by the language's CLDR rule (babel) for 0 clicks;
   numbers and dates come from Intl in that language (Arabic with Latin digits);
3. in Arabic the layout is mirrored: the brand sits right of the navigation, the form's labels
   at its right edge, and the daily chart runs from right to left;
4. the event screen shows the API's `page_url` next to the embed code (copyable, and a link that
   opens it); the widget's language offers "Default", "automatic" and the 14 by native name with
   its hint; choosing one (auto for Arabic) and toggling "Let search engines index the event
   page" is saved (checked through the API);
5. a reload keeps the language (a stored preference);
6. axe-core (WCAG 2.0/2.1 A and AA plus best practices) finds no serious or critical violation on
   any screen (others are printed); the console holds no SEVERE entry.

Then, in Hebrew, the designer's published colours: with a grey background, the light and dark
texts and muted lines are shown as SPEC's contrast adjustment (written again in this file) moves
them, per theme; outline buttons add one note for the accent; a readable accent has none; saved,
the published widget's palettes carry exactly those colours.

A last test checks the browser's languages without a stored preference: `de-AT` gives German,
`pt-PT` Portuguese, `zh-CN, he` Hebrew, and `zh` English, and nothing is stored.

Screenshots go to ATTENDIFY_SCREENSHOTS/languages (or a temp folder, printed as "screenshots:").
Needs what the other browser tests need, plus babel (scripts/setup.sh test installs it).

Run: .venv/bin/python -m pytest -q -s Tests/browser/test_panel_languages.py
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from attendify_serve import running_serve
from panel_support import (
    PANEL, USER_AGENT, Journey, axe_source, axe_violations, browser_binaries, check_console, format_violations,
    page_fetch, start_chromium, wait_for,
)

babel = pytest.importorskip("babel", reason="babel is needed (scripts/setup.sh test installs it)")

LOCALES = PANEL / "locales"
WALKED = ("ar", "de", "ja")
EVENT_TITLE = "Languages webinar"
EVENT_DAY = (date.today() + timedelta(days=30)).isoformat()
PASSWORD = "correct horse battery staple"


def texts(code: str) -> dict[str, str]:
    return json.loads((LOCALES / f"{code}.json").read_text(encoding="utf-8"))["panel"]


def meta(code: str) -> dict[str, str]:
    return json.loads((LOCALES / f"{code}.json").read_text(encoding="utf-8"))["meta"]


def fill(template: str, **values: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), "")), template)


def plural(code: str, key: str, n: int) -> str:
    """The panel's text for n of a plural key, with the category CLDR (babel) gives n."""
    panel = texts(code)
    category = babel.Locale.parse(code).plural_form(n)
    return fill(panel.get(f"{key}_{category}", panel[f"{key}_other"]), n=str(n))


def all_languages() -> list[str]:
    return sorted(path.stem for path in LOCALES.glob("*.json"))


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    """(driver, base, event, email, shots): one server, one browser, one signed-in organizer."""
    chromium, chromedriver = browser_binaries()
    axe = axe_source()
    work = tmp_path_factory.mktemp("languages")
    folder = os.environ.get("ATTENDIFY_SCREENSHOTS")
    shots = (Path(folder) if folder else Path(tempfile.mkdtemp(prefix="attendify-screenshots-"))) / "languages"
    shots.mkdir(parents=True, exist_ok=True)
    for old in shots.glob("*/[0-9][0-9]-*.png"):
        old.unlink()
    downloads = work / "downloads"
    downloads.mkdir()
    with running_serve(work, "--panel", str(PANEL)) as (base, _log):
        driver = start_chromium(chromium, chromedriver, downloads)
        try:
            driver.get(f"{base}/#/signin")
            wait_for("the sign-in screen", lambda: driver.find_element("css selector", "#signin-form"))
            email = f"languages-{int(time.time())}@example.com"
            for method, path, body in (
                ("POST", "/api/auth/register", {"email": email, "password": PASSWORD, "full_name": "Languages Organizer"}),
                ("POST", "/api/auth/login", {"email": email, "password": PASSWORD}),
            ):
                result = page_fetch(driver, method, path, body)
                assert 200 <= result["status"] < 300, f"{method} {path} -> {result['status']}: {result['text'][:300]}"
            result = page_fetch(driver, "POST", "/api/events", {
                "title": EVENT_TITLE, "description": "A webinar shown in every language.",
                "start_datetime": f"{EVENT_DAY}T14:00:00Z", "end_datetime": f"{EVENT_DAY}T15:00:00Z",
                "timezone": "Europe/Berlin", "webinar_url": "https://example.com/webinar/languages",
            })
            assert 200 <= result["status"] < 300, result
            event = json.loads(result["text"])
            driver.refresh()  # the panel reads the session when it loads
            wait_for("the panel to see the session", lambda: driver.find_elements("css selector", "#nav-signout"))
            yield {"driver": driver, "base": base, "event": event, "email": email, "shots": shots, "axe": axe}
        finally:
            driver.quit()
    print(f"\nscreenshots: {shots}", flush=True)


@pytest.mark.parametrize("code", WALKED)
def test_the_panel_in_another_language(session, code):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    driver, base, event = session["driver"], session["base"], session["event"]
    shots = session["shots"] / code
    shots.mkdir(exist_ok=True)
    journey = Journey(driver, base, shots)
    started = time.monotonic()
    panel, english = texts(code), texts("en")
    rtl = meta(code)["dir"] == "rtl"
    event_id = event["id"]

    def text(css: str) -> str:
        """The element's text, shown or not (the skip link is off screen until focused)."""
        return " ".join((journey.find(css).get_attribute("textContent") or "").split())

    def shows(css: str, key: str, **values: str) -> None:
        """`css` shows the language's text for `key` (and it is not the English one)."""
        wanted = fill(panel[key], **values)
        assert wanted != fill(english[key], **values) or key in SAME_AS_ENGLISH.get(code, ()), \
            f"{code}.{key} is still English: {wanted!r}"
        wait_for(f"{css} to read {wanted!r}", lambda: text(css) == " ".join(wanted.split()))

    def check_axe(name: str) -> None:
        wait_for("the toast to be fully shown or hidden", lambda: driver.execute_script(
            "return ['0', '1'].includes(getComputedStyle(document.getElementById('toast')).opacity)"), timeout=8)
        violations = axe_violations(driver, session["axe"])
        grave = [v for v in violations if v["impact"] in ("serious", "critical")]
        print(f"   axe-core on {name}: {len(violations)} violations, {len(grave)} serious or critical")
        if violations:
            print(format_violations(violations))
        assert not grave, f"axe-core on {name} ({code}):\n{format_violations(grave)}"

    def language_applied() -> bool:
        return driver.execute_script("return [document.documentElement.lang, document.documentElement.dir]") == \
            [code, "rtl" if rtl else "ltr"]

    try:
        # 1. The picker ------------------------------------------------------------------------
        journey.step(f"{code}: switch the language")
        if journey.hash() != "#/events":
            journey.go("#/events")
        journey.visible("#events-list")
        picker = Select(journey.find("#language-select"))
        options = [(o.get_attribute("value"), o.text.strip(), o.get_attribute("lang")) for o in picker.options]
        assert options == [(c, meta(c)["name"], c) for c in [o[0] for o in options]], options
        assert sorted(o[0] for o in options) == all_languages() and len(options) == 14, options
        picker.select_by_value(code)
        wait_for(f"<html lang={code}>", language_applied)
        shows("#main h1", "eventsTitle")

        # 2. The events list --------------------------------------------------------------------
        journey.step(f"{code}: events list")
        shows("#language-label", "language")
        for css, key in (("#nav-events", "navEvents"), ("#nav-overview", "navOverview"), ("#nav-new-event", "navNew"),
                         ("#nav-settings", "navSettings"), ("#nav-signout", "navSignOut"), ("#skip-link", "skipToContent"),
                         ("#privacy-link", "privacy"), ("#terms-link", "terms"), ("#new-event-button", "newEvent")):
            shows(css, key)
        assert journey.find("#nav").get_attribute("aria-label") == panel["mainNav"]
        row = f"#events-list li[data-event-id='{event_id}']"
        status = journey.find(f"{row} .event-status").get_attribute("textContent")
        assert " ".join(status.split()) == " ".join(fill(panel["labelled"], label=panel["statusLabel"], value=panel["statusScheduled"]).split()), status
        clicks = plural(code, "clickCount", 0)
        wait_for(f"the list's click count {clicks!r}", lambda: text(f"{row} .event-clicks") == clicks)
        listed_date = text(f"{row} .event-date")
        assert EVENT_DAY[:4] in listed_date, f"the date is not written with Latin digits: {listed_date!r}"
        if rtl:
            brand = journey.find(".brand").rect
            nav = journey.find("#nav").rect
            assert brand["x"] > nav["x"], f"right to left, the brand should be right of the navigation: {brand} {nav}"
        journey.screenshot("events")
        check_axe("the events list")

        # 3. The event screen -------------------------------------------------------------------
        journey.step(f"{code}: event screen")
        journey.go(f"#/events/{event_id}")
        journey.visible("#event-form")
        shows("#event-form h1", "editEvent")
        for css, key in (("label[for=event-title]", "title"), ("label[for=event-timezone]", "timezone"),
                         ("#recurrence legend", "repeats"), ("#designer > legend", "designer"),
                         ("label[for=set-language]", "widgetLanguage"), ("label[for=set-theme]", "theme"),
                         ("#embed-heading", "embed"), ("#copy-embed", "copy"), ("#placements-heading", "placements"),
                         ("#event-feed-heading", "eventFeed"), ("#stats-heading", "stats"), ("#event-status", "statusScheduled"),
                         ("#event-save", "save"), ("#delete-event", "delete")):
            shows(css, key)
        wait_for("the statistics", lambda: driver.execute_script(
            "const b = document.getElementById('stats-body'); return !!b && !b.hasAttribute('aria-busy') && !!b.firstChild"))
        shows("#stats-funnel li[data-step=views] .funnel-label", "views")
        shows("#stats-summary .stat:first-child dt", "views")
        assert text("#stats-views") == "0"
        if rtl:
            field = journey.find("label[for=event-title]").rect
            form = journey.find("#event-form").rect
            assert field["x"] + field["width"] > form["x"] + form["width"] * 0.7, \
                f"right to left, the label should sit at the form's right edge: {field} {form}"
            xs = driver.execute_script(
                "return [...document.querySelectorAll('#stats-chart rect.bar-views')].map((r) => Number(r.getAttribute('x')))")
            assert len(xs) > 1 and xs == sorted(xs, reverse=True), f"right to left, the days run right to left: {xs[:5]}"
        journey.screenshot("event")
        journey.screenshot("event-designer", scroll_to="#designer")
        check_axe("the event screen")

        # The event page next to the embed code: the API's page_url, copyable and opened by a link.
        journey.step(f"{code}: the event page link")
        page_url = event.get("page_url")
        assert page_url and page_url.endswith(f"/e/{event['public_id']}"), f"the API's event has no page_url: {page_url!r}"
        assert journey.find("#event-page-url").get_attribute("value") == page_url
        assert journey.find("#event-page-link").get_attribute("href") == page_url
        shows("label[for=event-page-url]", "eventPageUrl")
        shows("#event-page-link", "openEventPage")
        assert journey.find("#copy-event-page-url").get_attribute("aria-label") == fill(panel["copyLinkOf"], name=panel["eventPageUrl"])

        # The widget's language: the 14 by native name after "Default" and "automatic", with its hint.
        journey.step(f"{code}: the widget's language and indexing, saved")
        languages = Select(journey.find("#set-language"))
        offered = [(o.get_attribute("value"), " ".join(o.text.split())) for o in languages.options]
        assert offered == [("", panel["inherit"]), ("auto", panel["languageAuto"])] + [
            (o, meta(o)["name"]) for o in [value for value, _ in offered[2:]]], offered
        assert sorted(value for value, _ in offered[2:]) == all_languages()
        shows("#set-language-hint", "languageAutoHint")
        assert "set-language-hint" in journey.find("#set-language").get_attribute("aria-describedby").split()
        chosen = "auto" if rtl else code
        languages.select_by_value(chosen)
        shows("label[for=set-allow_indexing]", "allowIndexing")
        box = journey.find("#set-allow_indexing")
        before = json.loads(page_fetch(driver, "GET", f"/api/events/{event_id}")["text"])["customization_settings"]
        # Off while unset (the first language walked); afterwards it shows what the last one saved.
        assert box.is_selected() == (before.get("allow_indexing") is True), (box.is_selected(), before)
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
        box.click()
        save = journey.find("#event-save")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", save)
        save.click()
        shows("#toast", "saved")
        saved = json.loads(page_fetch(driver, "GET", f"/api/events/{event_id}")["text"])
        assert saved["customization_settings"].get("language") == chosen, saved["customization_settings"]
        assert saved["customization_settings"].get("allow_indexing") is (before.get("allow_indexing") is not True), \
            (before, saved["customization_settings"])
        journey.visible("#event-form")

        # 4. The new-event form -----------------------------------------------------------------
        journey.step(f"{code}: new event")
        journey.go("#/events/new")
        journey.visible("#event-form")
        shows("#event-form h1", "createEvent")
        shows("#recurrence-freq option[value=none]", "freqNone")
        check_axe("the new-event form")

        # 5. The overview -----------------------------------------------------------------------
        journey.step(f"{code}: overview")
        journey.go("#/overview")
        shows("#overview-heading", "overviewTitle")
        wait_for("the overview's table", lambda: driver.execute_script(
            "const r = document.getElementById('overview-results'); return !!r && !r.hasAttribute('aria-busy') && !!document.getElementById('overview-table')"))
        headers = [" ".join(h.text.split()) for h in driver.find_elements(By.CSS_SELECTOR, "#overview-table thead th")]
        assert headers == [panel[k] for k in ("event", "views", "uniqueVisitors", "clicksLabel", "conversion")], headers
        days = {name: journey.find(f"#overview-{name}").get_attribute("value") for name in ("from", "to")}
        shows("#overview-table caption", "overviewCaption", sort=panel["captionViews"], order=panel["captionDesc"], **days)
        shows("#overview-range", "pageRange", first="1", last="1", total="1")
        journey.screenshot("overview")
        check_axe("the overview")

        # 6. The settings -----------------------------------------------------------------------
        journey.step(f"{code}: settings")
        journey.go("#/settings")
        shows("#settings-form h1", "settingsTitle")
        shows("#settings-save", "saveDefaults")
        shows("#subscriptions-heading", "subscriptions")
        journey.screenshot("settings")
        check_axe("the settings")

        # 7. Signed out, and back in through the form ---------------------------------------------
        journey.step(f"{code}: sign in")
        journey.find("#nav-signout").click()
        journey.visible("#signin-form")
        shows("#signin-form h1", "signInTitle")
        shows("label[for=signin-email]", "email")
        shows("label[for=signin-password]", "password")
        shows("#signin-submit", "signIn")
        shows("#toast", "signedOut")
        journey.screenshot("signin")
        check_axe("the sign-in screen")
        journey.type_into("#signin-email", session["email"])
        journey.type_into("#signin-password", PASSWORD)
        journey.find("#signin-submit").click()
        shows("#main h1", "eventsTitle")

        # 8. A reload keeps the choice ----------------------------------------------------------------
        journey.step(f"{code}: reload")
        driver.refresh()
        wait_for(f"<html lang={code}> after a reload", language_applied)
        shows("#main h1", "eventsTitle")
        journey.finish_step()
    except BaseException:
        print(f"failed during {journey.step_name!r} at {driver.current_url}")
        raise
    check_console(journey, [], started)


# Texts that are rightly the same as English in a language (none so far for the walked ones).
SAME_AS_ENGLISH: dict[str, tuple[str, ...]] = {}


# --- Contrast: SPEC's adjustment, written again here from its text ---------------------------------

def _luminance(hex_color: str) -> float:
    def linear(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def contrast(a: str, b: str) -> float:
    x, y = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (x + 0.05) / (y + 0.05)


def ensuring_contrast(color: str, background: str, minimum: float = 4.5) -> str:
    """SPEC "Contrast": unchanged if it reaches `minimum`, else the first of 100 steps towards black
    (or white, when white contrasts more with the background) that does; channels rounded half
    away from zero (Python's round() would round half to even)."""
    if contrast(color, background) >= minimum:
        return color
    target = 0 if contrast("#000000", background) >= contrast("#ffffff", background) else 255
    channels = [int(color[i:i + 2], 16) for i in (1, 3, 5)]
    for step in range(1, 101):
        share = step / 100
        candidate = "#" + "".join(f"{int(c + (target - c) * share + 0.5):02x}" for c in channels)
        if contrast(candidate, background) >= minimum:
            return candidate
    return "#000000" if target == 0 else "#ffffff"


def widget_palettes(html: str) -> list[dict[str, str]]:
    """The `:root{--bg:..;--fg:..;--mu:..;--ac:..;--on:..}` blocks of a published widget, in order."""
    return [dict(re.findall(r"--(\w+):(#[0-9a-f]{6})", block)) for block in re.findall(r":root\{([^}]*)\}", html)]


def test_the_designer_shows_the_colours_the_widget_is_published_with(session):
    """Colours that fall below 4.5:1 are shown as the server will publish them, per theme, and the
    published widget then carries exactly those (Hebrew, to see the notes' texts right to left)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    driver, base, event = session["driver"], session["base"], session["event"]
    code = "he"
    panel = texts(code)
    journey = Journey(driver, base, session["shots"])
    started = time.monotonic()
    background, accent = "#777777", "#3366ff"
    light, dark = {"text": "#111827", "muted": "#4b5563"}, {"text": "#f9fafb", "muted": "#d1d5db"}

    def notes() -> list[dict[str, str]]:
        return driver.execute_script(
            """return [...document.querySelectorAll('#designer p.published')].map((p) => ({
                 role: p.dataset.role, theme: p.dataset.theme, color: p.dataset.color, text: p.textContent.trim(),
                 field: p.closest('.field').querySelector('input[type=text]').id}))""")

    def note_text(key: str, color: str) -> str:
        ratio = f"{int(contrast(color, background) * 100) / 100:.2f}".rstrip("0").rstrip(".")
        if "." not in ratio:
            ratio += ".0"
        return fill(panel[key], color=color, ratio=ratio)

    try:
        journey.step("contrast: the designer in Hebrew")
        driver.execute_script("localStorage.setItem('attendify.language', arguments[0])", code)
        driver.get(f"{base}/#/events/{event['id']}")
        driver.refresh()
        journey.visible("#designer")
        wait_for("the panel in Hebrew", lambda: driver.execute_script("return document.documentElement.lang") == code)
        Select(journey.find("#set-theme")).select_by_value("auto")
        Select(journey.find("#set-button_style")).select_by_value("filled")
        journey.type_into("#set-accent_color", accent)
        journey.type_into("#set-text_color", "")
        journey.type_into("#set-background_color", background)

        # Filled: the accent is kept (black or white goes on it), the texts move per theme.
        expected = []
        for theme, palette in (("light", light), ("dark", dark)):
            for role in ("text", "muted"):
                published = ensuring_contrast(palette[role], background)
                assert published != palette[role], f"the test's colours should need a move: {theme} {role}"
                expected.append({"role": role, "theme": theme, "color": published, "field": "set-text_color"})
        wait_for("the published text colours under the text colour", lambda: sorted(
            [{k: n[k] for k in ("role", "theme", "color", "field")} for n in notes()], key=lambda n: (n["role"], n["theme"]))
            == sorted(expected, key=lambda n: (n["role"], n["theme"])))
        keys = {("text", "light"): "contrastAdjustedLight", ("text", "dark"): "contrastAdjustedDark",
                ("muted", "light"): "contrastMutedAdjustedLight", ("muted", "dark"): "contrastMutedAdjustedDark"}
        for note in notes():
            assert note["text"] == note_text(keys[(note["role"], note["theme"])], note["color"]), note
        assert "set-text_color-published" in journey.find("#set-text_color").get_attribute("aria-describedby").split()
        journey.screenshot("contrast-filled", scroll_to="#designer")

        # Outline: the accent is text too, and one note says it for both themes (same background).
        journey.step("contrast: outline buttons")
        Select(journey.find("#set-button_style")).select_by_value("outline")
        published_accent = ensuring_contrast(accent, background)
        assert published_accent != accent
        wait_for("the accent's note", lambda: [n for n in notes() if n["role"] == "accent"] == [{
            "role": "accent", "theme": "all", "color": published_accent, "field": "set-accent_color",
            "text": note_text("contrastAdjusted", published_accent)}])
        violations = axe_violations(driver, session["axe"], "#designer")
        grave = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert not grave, format_violations(grave)

        # A readable colour needs no note.
        journey.type_into("#set-accent_color", "#000000")
        wait_for("no note for a readable accent", lambda: not [n for n in notes() if n["role"] == "accent"])
        journey.type_into("#set-accent_color", accent)
        wait_for("the accent's note again", lambda: [n["color"] for n in notes() if n["role"] == "accent"] == [published_accent])

        # Saved, the published widget carries what the designer said.
        journey.step("contrast: the published widget")
        save = journey.find("#event-save")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", save)
        save.click()
        wait_for("the save's toast", lambda: (journey.find("#toast").get_attribute("textContent") or "").strip() == panel["saved"])
        want_light = {"bg": background, "fg": ensuring_contrast(light["text"], background),
                      "mu": ensuring_contrast(light["muted"], background), "ac": published_accent}
        want_dark = {"bg": background, "fg": ensuring_contrast(dark["text"], background),
                     "mu": ensuring_contrast(dark["muted"], background), "ac": published_accent}

        def published() -> list[dict[str, str]] | None:
            result = page_fetch(driver, "GET", event["widget_url"].replace(base, "") or event["widget_url"])
            found = widget_palettes(result["text"]) if result["status"] == 200 else []
            return found if found and {k: found[0].get(k) for k in want_light} == want_light else None

        palettes = wait_for("the widget published with the designer's colours", published, timeout=20)
        assert len(palettes) == 2, palettes  # auto: light, then dark in a media query
        assert {k: palettes[1].get(k) for k in want_dark} == want_dark, (palettes, want_dark)
        for palette in palettes:
            for role in ("fg", "mu", "ac"):
                assert contrast(palette[role], palette["bg"]) >= 4.5, palette
        journey.finish_step()
    finally:
        driver.execute_script("localStorage.removeItem('attendify.language')")
    check_console(journey, [], started)


@pytest.mark.parametrize(("accept", "expected"), [("de-AT,de", "de"), ("pt-PT", "pt"), ("zh-CN,he", "he"), ("zh", "en")])
def test_the_browser_languages_choose_without_a_stored_preference(session, accept, expected):
    # (CDP's acceptLanguage becomes navigator.languages word for word, so no q-values here.)
    driver, base = session["driver"], session["base"]
    try:
        driver.execute_cdp_cmd("Emulation.setUserAgentOverride", {"userAgent": USER_AGENT, "acceptLanguage": accept})
        driver.get(f"{base}/#/events")
        driver.execute_script("localStorage.removeItem('attendify.language')")
        driver.refresh()
        assert driver.execute_script("return navigator.languages") == accept.split(",")
        wait_for(f"the panel in {expected} for {accept}",
                 lambda: driver.execute_script("return document.documentElement.lang") == expected)
        heading = texts(expected)["eventsTitle"]
        wait_for(f"the events screen in {expected}", lambda: " ".join(driver.find_element("css selector", "#main h1").text.split()) == heading)
        assert driver.execute_script("return localStorage.getItem('attendify.language')") is None, \
            "the browser's choice must not be stored as the organizer's"
    finally:
        driver.execute_cdp_cmd("Emulation.setUserAgentOverride", {"userAgent": USER_AGENT, "acceptLanguage": "en-US,en"})
