"""An event's life cycle and the subscription feeds in the panel, in a real browser (headless
Chromium + Selenium) against a live `attendify serve`, with axe-core on every new screen.

In one browser session:

1. sign up; on the new-event form the widget designer offers the three subscribe buttons
   (`#set-provider-subscribe_*`), unticked;
2. create an event with a recording link that the server refuses (ftp://): its message appears
   next to the field (`#error-recording_url`) and that field gets focus; then with a valid
   recording link and "List in my feed" (`#event-listed`) unticked, save;
3. the event screen shows the values back, the status "Scheduled" and the event's feed URL
   (`#event-feed-url`, `{public}/calendar/{public_id}/feed.ics`, which serves a calendar) with a
   copy button that confirms; axe-core finds nothing;
4. "Cancel event": the confirmation dialog opens with focus on its safe answer; axe-core finds
   nothing with it open; Escape leaves the event scheduled and focus on the button; confirming
   shows "Cancelled", focus on the status; a reload still says "Cancelled"; the published widget
   says it is cancelled and the event feed has STATUS:CANCELLED; axe-core finds nothing;
5. the events list marks the row "Cancelled", and a past event (made through the API) "Ended";
   in Polish the words are "Odwołane" / "Zakończone"; axe-core finds nothing, in the light and
   the dark colour scheme;
6. "Reinstate event", confirmed: "Scheduled" again;
7. ticking the designer's "Subscribe: webcal" button and moving it to the top puts it first in the
   published widget; a visitor's click on it (an HTTP request with a desktop user agent, since a
   browser cannot follow webcal:// here) redirects to the event's own feed (the event is not
   listed) and the statistics name it "Subscribe: webcal";
8. the settings screen's Subscriptions section shows the organizer feed's four links from
   GET /api/feed, each copyable; the organizer feed does not carry the unlisted event; axe-core
   finds nothing;
9. editing the event to be listed, with its recording link cleared (sent as null), puts it into
   the organizer feed; at 360 px the new sections do not scroll sideways.

Screenshots go to ATTENDIFY_SCREENSHOTS/lifecycle (or a temp folder, printed as "screenshots:").
The console must hold no SEVERE entries but the one 422 of step 2 (`IGNORED_CONSOLE`).

Needs what test_panel_journey.py needs plus axe-core's browser build, which panel_support.py finds
in an installed PyPI package (see AXE_PACKAGES there). Without them the test is skipped, except in
CI (CI=true), where it fails.

Run: ATTENDIFY_BIN=.build/debug/attendify .venv/bin/python -m pytest -q -s Tests/browser/test_panel_lifecycle.py
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import date, timedelta

import pytest
from panel_support import (
    USER_AGENT, Journey, axe_source, axe_violations, check_console, format_violations, is_stale,
    start_chromium, wait_for,
)

SCREENSHOT_SUBFOLDER = "lifecycle"

EVENT_TITLE = "Life cycle webinar"
EVENT_ZONE = "Europe/Warsaw"
EVENT_URL = "https://example.com/webinar/life-cycle"
RECORDING_URL = "https://example.com/recordings/life-cycle"
EVENT_DAY = (date.today() + timedelta(days=30)).isoformat()
EVENT_START = f"{EVENT_DAY}T16:00"
EVENT_END = f"{EVENT_DAY}T17:00"
PAST_TITLE = "Last month's webinar"
SUBSCRIBE_TYPES = ("subscribe_webcal", "subscribe_google", "subscribe_outlook")
VALIDATION_STEP = "create: validation of the recording link"

# SEVERE console entries that are expected: (reason, predicate on (step, entry)).
IGNORED_CONSOLE = [
    # The test sends a recording link the server must refuse; Chromium logs every 4xx response.
    ("the deliberately refused recording link (422)",
     lambda step, entry: step == VALIDATION_STEP and re.search(r"/api/events\b.*\b422\b", entry.get("message", "")) is not None),
]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Lets a redirect come back as the response, so its Location can be read."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D102 - the base's hook
        return None


def fetch(url: str, *, follow: bool = True, headers: dict[str, str] | None = None) -> tuple[int, dict, str]:
    """(status, headers, body) of a GET, redirects not followed when follow=False."""
    opener = urllib.request.build_opener() if follow else urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **(headers or {})})
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode(errors="replace")


def test_event_life_cycle_and_feeds_in_the_panel(browser_paths, serve, screenshots, tmp_path):
    chromium, chromedriver = browser_paths
    axe = axe_source()  # before the browser starts: a missing axe-core skips (fails in CI) at once
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    base, serve_log = serve
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    started = time.monotonic()
    driver = start_chromium(chromium, chromedriver, downloads)
    journey = Journey(driver, base, screenshots)
    journey.timings.append(("browser start", time.monotonic() - started))

    def check_axe(name: str, context: str = "document") -> None:
        violations = axe_violations(driver, axe, context)
        print(f"   axe-core on {name}: {len(violations)} violations")
        assert not violations, f"axe-core on {name}:\n{format_violations(violations)}"

    def text(css: str) -> str:
        return journey.find(css).text.strip()

    def list_status(event: int) -> str:
        return " ".join(journey.find(f"#events-list li[data-event-id='{event}'] .event-status").text.split())

    def active_id() -> str:
        return driver.execute_script("return document.activeElement && document.activeElement.id")

    def browser_api(method: str, path: str, body: dict | None = None) -> dict:
        """A call with the page's own session cookie (HttpOnly, so only the page can send it)."""
        result = driver.execute_async_script(
            """const [method, path, body, done] = arguments;
               fetch(path, {method, credentials: 'same-origin',
                            headers: body ? {'Content-Type': 'application/json', Accept: 'application/json'} : {Accept: 'application/json'},
                            body: body ? JSON.stringify(body) : undefined})
                 .then(async (r) => done({status: r.status, text: await r.text()}))
                 .catch((e) => done({status: 0, text: String(e)}));""",
            method, path, body)
        assert 200 <= result["status"] < 300, f"{method} {path} -> {result['status']}: {result['text'][:500]}"
        return json.loads(result["text"]) if result["text"] else {}

    def confirm_dialog_open() -> bool:
        return driver.execute_script("return document.getElementById('confirm-dialog').open")

    def copy_and_confirm(button_css: str) -> str:
        button = journey.visible(button_css)
        label = button.text
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
        button.click()
        return wait_for(f"{button_css} to confirm the copy",
                        lambda: next((t for t in (journey.find("#toast").text, journey.find(button_css).text)
                                      if re.search(r"copied|skopiowano", t, re.I) and t != label), None))

    try:
        # 1. Sign up; the designer's subscribe buttons -------------------------------------------
        journey.step("sign up")
        journey.go("#/signup")
        journey.visible("#signup-form")
        email = f"lifecycle-{int(time.time())}@example.com"
        password = "correct horse battery staple"
        journey.type_into("#signup-name", "Life Cycle")
        journey.type_into("#signup-email", email)
        journey.type_into("#signup-password", password)
        journey.find("#signup-submit").click()
        after = wait_for("the panel to leave the sign-up screen",
                         lambda: journey.hash() if journey.hash() in ("#/events", "#/signin") else None)
        if after == "#/signin":
            journey.type_into("#signin-email", email)
            journey.type_into("#signin-password", password)
            journey.find("#signin-submit").click()
            wait_for("the events screen after signing in", lambda: journey.hash() == "#/events")
        journey.visible("#events-empty")

        journey.step("new event form: fields and subscribe buttons")
        journey.go("#/events/new")
        journey.visible("#event-form")
        listed_box = journey.visible("#event-listed")
        assert listed_box.is_selected(), "List in my feed is not ticked by default"
        assert journey.find("#event-recording-url").get_attribute("value") == ""
        for kind in SUBSCRIBE_TYPES:
            box = journey.find(f"#set-provider-{kind}")
            assert not box.is_selected(), f"{kind} is ticked by default"
            journey.find(f"#move-up-{kind}")
            journey.find(f"#set-label-{kind}")
        names = [e.text.strip() for e in driver.find_elements(By.CSS_SELECTOR, "#set-providers li label")]
        assert names[-3:] == ["Subscribe: webcal", "Subscribe: Google", "Subscribe: Outlook"], names
        check_axe("the new-event form")

        # 2. A refused recording link, then a valid one, unlisted ---------------------------------
        journey.step(VALIDATION_STEP)
        journey.type_into("#event-title", EVENT_TITLE)
        journey.type_into("#event-timezone", EVENT_ZONE)
        journey.set_value("#event-start", EVENT_START)
        journey.set_value("#event-end", EVENT_END)
        journey.type_into("#event-url", EVENT_URL)
        journey.type_into("#event-recording-url", "ftp://example.com/recording")
        journey.find("#event-listed").click()
        assert not journey.find("#event-listed").is_selected()
        journey.find("#event-save").click()
        message = wait_for("the recording link's error next to it", lambda: text("#error-recording_url"))
        print(f"   #error-recording_url: {message!r}")
        assert journey.hash() == "#/events/new", "an invalid recording link was saved"
        assert active_id() == "event-recording-url", f"focus is on #{active_id()}, not on the refused field"
        others = {e.get_attribute("id"): e.text for e in driver.find_elements(By.CSS_SELECTOR, "#event-form .error")
                  if e.text.strip() and e.get_attribute("id") != "error-recording_url"}
        assert not others, f"other fields show errors: {others}"
        journey.screenshot("recording-link-refused", scroll_to="#event-recording-url")
        check_axe("the form showing a field error")

        journey.step("create: valid recording link, not listed")
        journey.type_into("#event-recording-url", RECORDING_URL)
        journey.find("#event-save").click()
        event_hash = wait_for("the saved event's route", lambda: re.fullmatch(r"#/events/(\d+)", journey.hash()), timeout=15)
        event_id = int(event_hash.group(1))

        # 3. The event screen: values, status, feed -----------------------------------------------
        journey.step("event screen: status and feed")
        journey.visible("#event-feed-url")
        assert journey.find("#event-recording-url").get_attribute("value") == RECORDING_URL
        assert not journey.find("#event-listed").is_selected(), "the event came back listed"
        assert text("#event-status") == "Scheduled"
        assert journey.find("#event-status").get_attribute("data-status") == "scheduled"
        journey.visible("#cancel-event")
        widget_url = journey.find("#live-widget-link").get_attribute("href")
        public_id = re.search(r"/widget/event/([^/?#]+)", widget_url).group(1)
        feed_url = journey.find("#event-feed-url").get_attribute("value")
        assert feed_url == f"{base}/calendar/{public_id}/feed.ics", feed_url
        status, headers, body = fetch(feed_url)
        assert status == 200 and headers.get("Content-Type", "").startswith("text/calendar"), (status, headers)
        assert body.startswith("BEGIN:VCALENDAR") and "STATUS:CONFIRMED" in body, body[:400]
        print(f"   copy confirmed: {copy_and_confirm('#copy-event-feed-url')!r}")
        journey.screenshot("event-scheduled")
        journey.screenshot("event-feed", scroll_to="#event-feed")
        check_axe("the event screen (scheduled)")

        # 4. Cancel, with confirmation --------------------------------------------------------------
        journey.step("cancel: the dialog, Escape")
        cancel_button = journey.visible("#cancel-event")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", cancel_button)
        cancel_button.click()
        wait_for("the confirmation dialog", confirm_dialog_open)
        assert active_id() == "confirm-no", f"the dialog opened with focus on #{active_id()}"
        assert "cancel" in text("#confirm-text").lower(), text("#confirm-text")
        assert text("#confirm-yes") == "Cancel event" and text("#confirm-no") == "Keep the event"
        journey.screenshot("cancel-dialog")
        check_axe("the cancel confirmation dialog")
        driver.switch_to.active_element.send_keys(Keys.ESCAPE)
        wait_for("the dialog to close on Escape", lambda: not confirm_dialog_open())
        assert text("#event-status") == "Scheduled", "Escape cancelled the event"
        assert active_id() == "cancel-event", f"after Escape focus is on #{active_id()}"

        journey.step("cancel: confirmed")
        journey.find("#cancel-event").click()
        wait_for("the confirmation dialog", confirm_dialog_open)
        journey.find("#confirm-yes").click()
        wait_for("the status to say Cancelled", lambda: text("#event-status") == "Cancelled")
        assert not confirm_dialog_open()
        assert journey.find("#event-status").get_attribute("data-status") == "cancelled"
        assert active_id() == "event-status-line", f"after cancelling focus is on #{active_id()}"
        journey.visible("#reinstate-event")
        assert not driver.find_elements(By.CSS_SELECTOR, "#cancel-event")
        journey.screenshot("event-cancelled")
        check_axe("the event screen (cancelled)")
        driver.refresh()
        wait_for("Cancelled after a reload", lambda: text("#event-status") == "Cancelled")
        wait_for("the published widget to say it is cancelled",
                 lambda: 'data-state="cancelled"' in fetch(widget_url)[2], timeout=20)
        wait_for("the event feed to say STATUS:CANCELLED", lambda: "STATUS:CANCELLED" in fetch(feed_url)[2], timeout=20)

        # 5. The list: Cancelled and Ended, in English and Polish -------------------------------------
        journey.step("events list: statuses")
        past_day = (date.today() - timedelta(days=3)).isoformat()
        past = browser_api("POST", "/api/events", {
            "title": PAST_TITLE, "start_datetime": f"{past_day}T10:00:00Z", "end_datetime": f"{past_day}T11:00:00Z",
            "timezone": "UTC", "webinar_url": "https://example.com/webinar/past", "recording_url": RECORDING_URL,
        })
        journey.go("#/events")
        # The badge's text includes its visually hidden "Status: ", which screen readers read.
        assert list_status(event_id) == "Status: Cancelled"
        assert journey.find(f"#events-list li[data-event-id='{event_id}']").get_attribute("data-status") == "cancelled"
        assert list_status(past["id"]) == "Status: Ended"
        journey.screenshot("events-list-statuses")
        check_axe("the events list")
        # The badges have colours of their own in the dark scheme: check their contrast there too.
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
        try:
            journey.screenshot("events-list-dark")
            check_axe("the events list (dark scheme)")
        finally:
            driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
        Select(journey.find("#language-select")).select_by_value("pl")
        wait_for("the list in Polish", lambda: list_status(event_id) == "Status: Odwołane")
        assert list_status(past["id"]) == "Status: Zakończone"
        journey.screenshot("events-list-polish")
        Select(journey.find("#language-select")).select_by_value("en")
        wait_for("the list in English", lambda: list_status(event_id) == "Status: Cancelled")
        journey.go(f"#/events/{past['id']}")
        wait_for("the past event's status", lambda: text("#event-status") == "Ended")
        journey.visible("#cancel-event")  # an ended event can still be cancelled

        # 6. Reinstate ------------------------------------------------------------------------------
        journey.step("reinstate")
        journey.go(f"#/events/{event_id}")
        reinstate = journey.visible("#reinstate-event")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", reinstate)
        reinstate.click()
        wait_for("the confirmation dialog", confirm_dialog_open)
        assert active_id() == "confirm-no"
        assert text("#confirm-yes") == "Reinstate event" and text("#confirm-no") == "Keep it cancelled"
        check_axe("the reinstate confirmation dialog")
        journey.find("#confirm-yes").click()
        wait_for("the status to say Scheduled", lambda: text("#event-status") == "Scheduled")
        journey.visible("#cancel-event")
        wait_for("the event feed to say STATUS:CONFIRMED", lambda: "STATUS:CONFIRMED" in fetch(feed_url)[2], timeout=20)

        # 7. A subscribe button in the widget and in the statistics ----------------------------------
        journey.step("designer: subscribe button, its click in the statistics")
        journey.find("#set-provider-subscribe_webcal").click()
        journey.find("#move-up-subscribe_webcal").click()
        assert active_id() == "move-up-subscribe_webcal", f"after a move focus is on #{active_id()}"
        # The rest of the way by keyboard: the focused button re-renders under it and keeps focus.
        for _ in range(len(driver.find_elements(By.CSS_SELECTOR, "#set-providers li"))):
            if journey.find("#move-up-subscribe_webcal").get_attribute("disabled") is not None:
                break
            driver.switch_to.active_element.send_keys(Keys.ENTER)
        assert journey.find("#move-up-subscribe_webcal").get_attribute("disabled") is not None, "not at the top"
        assert active_id() == "move-down-subscribe_webcal", f"at the top focus is on #{active_id()}"
        old_form = journey.find("#event-form")
        journey.find("#event-save").click()
        wait_for("the event screen to re-render after saving", lambda: is_stale(old_form), timeout=15)
        assert journey.find("#set-provider-subscribe_webcal").is_selected()

        def first_widget_button() -> str | None:
            match = re.search(r'<a href="([^"]+)" data-type="([a-z_0-9]+)"', fetch(widget_url)[2])
            return match.group(1) if match and match.group(2) == "subscribe_webcal" else None

        track = wait_for("the published widget's first button to be subscribe_webcal", first_widget_button, timeout=20)
        track = urllib.parse.urljoin(widget_url, track)
        # The tracker learns of the new button from the change log (polled on SQLite), so for up to
        # one poll the published button can still 404; a 404 counts no click, the redirect one.
        asked = time.monotonic()
        status, headers = wait_for(
            f"{track} to redirect", lambda: (lambda r: r[:2] if r[0] != 404 else None)(
                fetch(track, follow=False, headers={"Accept": "text/html"})), timeout=10, interval=0.25)
        location = headers.get("Location", "")
        print(f"   {track} -> {status} {location} (after {time.monotonic() - asked:.2f} s)")
        assert status in (302, 303) and location.startswith("webcal://"), (status, headers)
        assert location.endswith(f"/calendar/{public_id}/feed.ics"), f"an unlisted event's webcal link: {location}"

        deadline = time.monotonic() + 15
        while True:
            journey.go("#/events")
            journey.go(f"#/events/{event_id}")
            rows = wait_for("the per-type table", lambda: journey.find("#stats-by-type")).find_elements(
                By.CSS_SELECTOR, "tr[data-type='subscribe_webcal']")
            if rows:
                break
            if time.monotonic() > deadline:
                pytest.fail(f"no subscribe_webcal row in the statistics: {text('#stats-by-type')!r}")
            time.sleep(0.5)
        assert re.fullmatch(r"Subscribe: webcal\s+1", rows[0].text.strip()), rows[0].text
        journey.screenshot("statistics-subscribe", scroll_to="#stats")

        # 8. The organizer feed in the settings -------------------------------------------------------
        journey.step("settings: subscriptions")
        journey.find("#nav-settings").click()
        wait_for("the settings route", lambda: journey.hash() == "#/settings")
        journey.visible("#subscriptions")
        links = {key: journey.find(f"#org-{key}").get_attribute("value")
                 for key in ("feed_url", "webcal_url", "google_subscribe_url", "outlook_subscribe_url")}
        print(f"   {links}")
        feed_match = re.fullmatch(re.escape(base) + r"/feed/([A-Za-z0-9_-]{22})/calendar\.ics", links["feed_url"])
        assert feed_match, links["feed_url"]
        host = urllib.parse.urlsplit(base).netloc
        assert links["webcal_url"] == f"webcal://{host}/feed/{feed_match.group(1)}/calendar.ics", links
        google = urllib.parse.urlsplit(links["google_subscribe_url"])
        assert links["google_subscribe_url"].startswith("https://calendar.google.com/calendar/render?"), links
        assert urllib.parse.parse_qs(google.query).get("cid") == [links["webcal_url"]], links
        outlook = urllib.parse.urlsplit(links["outlook_subscribe_url"])
        assert links["outlook_subscribe_url"].startswith("https://outlook.live.com/calendar/0/addfromweb?"), links
        assert urllib.parse.parse_qs(outlook.query).get("url") == [links["feed_url"]], links
        for key in links:
            copy_and_confirm(f"#copy-org-{key}")
        status, headers, body = fetch(links["feed_url"])
        assert status == 200 and body.startswith("BEGIN:VCALENDAR"), (status, body[:300])
        assert f"UID:{public_id}@" not in body.replace("\r\n ", ""), "the organizer feed carries the unlisted event"
        for kind in SUBSCRIBE_TYPES:
            assert not journey.find(f"#set-provider-{kind}").is_selected(), f"{kind} is ticked in the defaults"
        journey.screenshot("settings-subscriptions", scroll_to="#subscriptions")
        check_axe("the settings screen")

        journey.step("edit: list the event, clear the recording link")
        journey.go(f"#/events/{event_id}")
        journey.visible("#event-listed").click()
        journey.find("#event-recording-url").clear()
        old_form = journey.find("#event-form")
        journey.find("#event-save").click()
        wait_for("the event screen to re-render after saving", lambda: is_stale(old_form), timeout=15)
        assert journey.visible("#event-listed").is_selected(), "the event did not come back listed"
        assert journey.find("#event-recording-url").get_attribute("value") == "", "the recording link was not cleared"
        assert browser_api("GET", f"/api/events/{event_id}")["recording_url"] is None
        wait_for("the organizer feed to carry the now listed event",
                 lambda: f"UID:{public_id}@" in fetch(links["feed_url"])[2].replace("\r\n ", ""), timeout=20)

        journey.step("360 px: the new views do not scroll sideways")
        driver.set_window_size(360, 800)
        # The edit step left the event screen open: start elsewhere, so each route is a change.
        for name, route, parts in (("mobile-events-list", "#/events", ("#events-list",)),
                                   ("mobile-event", f"#/events/{event_id}", ("#event-lifecycle", "#event-feed")),
                                   ("mobile-subscriptions", "#/settings", ("#subscriptions",))):
            journey.go(route)
            journey.find(parts[0])
            overflow = journey.horizontal_overflow()
            print(f"   {route} at 360 px: {overflow}")
            for part in parts:
                journey.screenshot(f"{name}-{part.strip('#')}", scroll_to=part)
            assert overflow["scrollWidth"] <= 361, f"{route} scrolls sideways at 360 px: {overflow}"

        journey.finish_step()
    except BaseException:
        try:
            driver.switch_to.default_content()
            print(f"failed during '{journey.step_name}' at {driver.current_url}; serve log: {serve_log}")
            journey.screenshot("failure")
        except Exception as error:  # noqa: BLE001 - the original failure matters more
            print(f"(no failure screenshot: {error})")
        raise
    finally:
        try:
            journey.drain_console()
        finally:
            driver.quit()

    check_console(journey, IGNORED_CONSOLE, started)
