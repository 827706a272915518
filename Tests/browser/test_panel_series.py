"""A recurring webinar series (issue 12) in the panel, in a real browser (headless Chromium +
Selenium) against a live `attendify serve`, with axe-core on the new section.

In one browser session:

1. sign up; the new-event form's "Repeats" section (`#recurrence`) starts as a one-off;
2. a weekly series in Europe/Warsaw on Tuesdays and Thursdays at 10:00 whose weeks straddle the
   next daylight-saving change there: choosing "Weekly" ticks the start's weekday (Tuesday) by
   itself, the test ticks Thursday;
3. 12 sessions: the live preview (POST /api/recurrence/preview) lists 10 and says "and 2 more",
   "Show all" lists 12; 501 sessions: the preview shows the server's refusal, and saving shows
   its 422 next to the section with focus inside it;
4. 6 sessions: the preview lists exactly the six sessions, all at 10:00 local time in Warsaw (so
   09:00Z before the change and 08:00Z after it), the first marked as such, with the server's
   summary sentence, and the refused save's message is gone; skipping one session keeps focus on
   its box, the server's total drops to 5 and the panel says "5 sessions take place, 1 skipped."
   (the summary keeps the rule's count); axe-core finds nothing on the section;
5. saving sends the rule: GET /api/events/{id} has it normalized (TU, TH, count 6, the one
   exdate) and `next_start` is the first session; after a reload the event screen shows the rule
   summary and the next session, the form shows the rule back with the session still skipped;
   axe-core finds nothing on the screen;
6. the events list shows the series' next session and its rule, in English and in Polish;
7. the published widget (GET /widget/event/{public_id}) has its `rule` element; at 360 px the
   section does not scroll sideways; in Polish it reads "Powtarzanie", "wtorek", "Odbędzie się 5
   spotkań, pominięte: 1." and axe-core finds nothing there either;
8. editing to 8 sessions keeps the skipped session (the exdate follows the local date); monthly
   on "the fourth Tuesday" (offered from the start date) until a date lists those Tuesdays and
   saves `by_day ["4TU"]`, `until` the end of that day in Warsaw and no exdate (the skipped
   Thursday is no session of it); "Does not repeat" makes the event a one-off again
   (`recurrence: null`).

Screenshots go to ATTENDIFY_SCREENSHOTS/series (or a temp folder, printed as "screenshots:").
The console must hold no SEVERE entries but the 422s of step 3 (`IGNORED_CONSOLE`).

Run: ATTENDIFY_BIN=.build/debug/attendify .venv/bin/python -m pytest -q -s Tests/browser/test_panel_series.py
"""

from __future__ import annotations

import html
import json
import re
import time
import urllib.error
import urllib.request
from datetime import date, datetime, time as clock, timedelta, timezone
from zoneinfo import ZoneInfo

from panel_support import (
    USER_AGENT, Journey, axe_source, axe_violations, check_console, format_violations, is_stale,
    start_chromium, wait_for,
)

SCREENSHOT_SUBFOLDER = "series"

EVENT_TITLE = "Tuesday and Thursday webinar series"
EVENT_ZONE = "Europe/Warsaw"
EVENT_URL = "https://example.com/webinar/series"
REFUSED_STEP = "a refused rule: 501 sessions"

# SEVERE console entries that are expected: (reason, predicate on (step, entry)).
IGNORED_CONSOLE = [
    # The test asks for more sessions than a series may have; Chromium logs every 4xx response
    # (the preview's and the refused save's).
    ("the deliberately refused rule (422)",
     lambda step, entry: step == REFUSED_STEP and re.search(r"/api/(recurrence/preview|events)\b.*\b422\b", entry.get("message", "")) is not None),
]


def series_dates() -> tuple[date, list[date]]:
    """The Tuesday before the next daylight-saving change in Warsaw (at least two days ahead), and
    the six Tuesday/Thursday dates from it: two before the change, four after it."""
    warsaw = ZoneInfo(EVENT_ZONE)
    day = date.today() + timedelta(days=7)
    while True:
        before = datetime.combine(day, clock(12), warsaw).utcoffset()
        after = datetime.combine(day + timedelta(days=1), clock(12), warsaw).utcoffset()
        sunday = day + timedelta(days=1)
        if before != after and sunday.weekday() == 6:
            break
        day += timedelta(days=1)
    tuesday = sunday - timedelta(days=5)
    dates = [tuesday + timedelta(days=offset) for offset in (0, 2, 7, 9, 14, 16)]
    return tuesday, dates


def utc_of(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, clock(hour), ZoneInfo(EVENT_ZONE)).astimezone(timezone.utc)


def parse_instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)


def fetch(url: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "text/html"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def test_weekly_series_in_the_panel(browser_paths, serve, screenshots, tmp_path):
    chromium, chromedriver = browser_paths
    axe = axe_source()  # before the browser starts: a missing axe-core skips (fails in CI) at once
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    base, serve_log = serve
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    started = time.monotonic()
    driver = start_chromium(chromium, chromedriver, downloads)
    journey = Journey(driver, base, screenshots)
    journey.timings.append(("browser start", time.monotonic() - started))

    first_day, session_days = series_dates()
    expected_utc = [utc_of(day) for day in session_days]
    skipped_day = session_days[3]  # the Thursday after the change
    print(f"   series: {[d.isoformat() for d in session_days]}, UTC {[u.strftime('%H:%MZ') for u in expected_utc]}")
    assert expected_utc[0].hour != expected_utc[-1].hour, "the dates do not straddle a change of offset"

    def check_axe(name: str, context: str = "document") -> None:
        violations = axe_violations(driver, axe, context)
        print(f"   axe-core on {name}: {len(violations)} violations")
        assert not violations, f"axe-core on {name}:\n{format_violations(violations)}"

    def text(css: str) -> str:
        return journey.find(css).text.strip()

    def active_id() -> str:
        return driver.execute_script("return document.activeElement && document.activeElement.id")

    def rows() -> list:
        return driver.find_elements(By.CSS_SELECTOR, "#recurrence-sessions li.session")

    def preview_settled() -> bool:
        return driver.execute_script(
            "const p = document.getElementById('recurrence-preview'); return p && !p.hasAttribute('aria-busy')")

    def wait_rows(count: int, what: str) -> list:
        return wait_for(what, lambda: (lambda r: r if preview_settled() and len(r) == count else None)(rows()), timeout=15)

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

    def click(css: str) -> None:
        element = journey.visible(css)
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        element.click()

    def save_and_wait() -> None:
        old_form = journey.find("#event-form")
        click("#event-save")
        wait_for("the event screen to re-render after saving", lambda: is_stale(old_form), timeout=15)

    try:
        # 1. Sign up; the new form is a one-off ----------------------------------------------------
        journey.step("sign up")
        journey.go("#/signup")
        journey.visible("#signup-form")
        email = f"series-{int(time.time())}@example.com"
        password = "correct horse battery staple"
        journey.type_into("#signup-name", "Series Organizer")
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

        journey.step("new event form: Repeats starts as a one-off")
        journey.go("#/events/new")
        journey.visible("#recurrence")
        assert Select(journey.find("#recurrence-freq")).first_selected_option.get_attribute("value") == "none"
        assert not journey.find("#recurrence-rule").is_displayed(), "the rule's controls show for a one-off"

        # 2. A weekly series, Tuesday by default, Thursday ticked ------------------------------------
        journey.step("weekly: Tuesdays and Thursdays")
        journey.type_into("#event-title", EVENT_TITLE)
        journey.type_into("#event-timezone", EVENT_ZONE)
        journey.set_value("#event-start", f"{first_day.isoformat()}T10:00")
        journey.set_value("#event-end", f"{first_day.isoformat()}T11:00")
        journey.type_into("#event-url", EVENT_URL)
        Select(journey.find("#recurrence-freq")).select_by_value("weekly")
        journey.visible("#recurrence-weekdays")
        ticked = [e.get_attribute("value") for e in driver.find_elements(By.CSS_SELECTOR, "#recurrence-weekdays input:checked")]
        assert ticked == ["TU"], f"the start is a Tuesday, yet the ticked days are {ticked}"
        assert text("label[for='recurrence-day-TU']") == "Tuesday"
        click("#recurrence-day-TH")
        assert text("#recurrence-interval-unit") == "week"

        # 3. 12 sessions: 10 rows and "and 2 more"; then a refused rule ------------------------------
        journey.step("12 sessions: first 10 and the rest")
        journey.set_value("#recurrence-count", "12")
        wait_rows(10, "the first 10 of 12 sessions in the preview")
        assert text("#recurrence-more") == "and 2 more", text("#recurrence-more")
        click("#recurrence-show-all")
        wait_rows(12, "all 12 sessions after Show all")
        assert active_id() == "recurrence-show-all", f"after Show all focus is on #{active_id()}"
        click("#recurrence-show-all")
        wait_rows(10, "10 rows again after Show fewer")

        journey.step(REFUSED_STEP)
        journey.set_value("#recurrence-count", "501")
        refusal = wait_for("the preview to show the server's refusal", lambda: text("#recurrence-preview-error"), timeout=15)
        print(f"   preview refused: {refusal!r}")
        assert not rows(), "a refused rule still lists sessions"
        click("#event-save")
        slot = wait_for("the save's 422 next to the section", lambda: next(
            (e for e in driver.find_elements(By.CSS_SELECTOR, "#recurrence .error[id^='error-recurrence']") if e.text.strip()), None), timeout=15)
        print(f"   #{slot.get_attribute('id')}: {slot.text!r}")
        assert journey.hash() == "#/events/new", "a rule with 501 sessions was saved"
        assert text("#recurrence-preview-error"), "the refused save emptied the preview's message"
        assert driver.execute_script("return document.getElementById('recurrence').contains(document.activeElement)"), \
            f"after the refused save focus is on #{active_id()}, outside the section"
        journey.screenshot("rule-refused", scroll_to="#recurrence")

        # 4. 6 sessions at 10:00 Warsaw across the change; skip one -----------------------------------
        journey.step("6 sessions: the preview in Warsaw time")
        journey.set_value("#recurrence-count", "6")
        listed = wait_rows(6, "the six sessions in the preview")
        assert text("#recurrence-preview-error") == ""
        stale = [e.get_attribute("id") for e in driver.find_elements(By.CSS_SELECTOR, "#recurrence .error") if e.text.strip()]
        assert not stale, f"the accepted rule still shows the refused save's messages: {stale}"
        assert "Europe/Warsaw" in text("#recurrence-preview-heading")
        for row, day, utc in zip(listed, session_days, expected_utc):
            assert row.get_attribute("data-local") == f"{day.isoformat()}T10:00", row.get_attribute("data-local")
            assert parse_instant(row.get_attribute("data-start")) == utc, (row.get_attribute("data-start"), utc)
            shown = row.find_element(By.CSS_SELECTOR, ".session-when").text
            assert "10:00" in shown and str(day.day) in shown, shown
        assert listed[0].find_elements(By.CSS_SELECTOR, ".session-first") and not listed[0].find_elements(By.CSS_SELECTOR, "input")
        summary_before = wait_for("the summary sentence", lambda: text("#recurrence-summary"))
        print(f"   summary: {summary_before!r}, total {journey.find('#recurrence-summary').get_attribute('data-total')}")
        assert all(word in summary_before for word in ("Tuesday", "Thursday", "10:00")), summary_before
        assert journey.find("#recurrence-summary").get_attribute("data-total") == "6"

        journey.step("skip one session")
        box_css = f"#recurrence-skip-{skipped_day.isoformat()}"
        click(box_css)
        assert active_id() == box_css[1:], f"after skipping focus is on #{active_id()}"
        wait_for("the preview to count the skip", lambda: preview_settled()
                 and journey.find("#recurrence-summary").get_attribute("data-total") == "5", timeout=15)
        summary = text("#recurrence-summary")
        print(f"   summary with the skip: {summary!r}; {text('#recurrence-held')!r}")
        assert text("#recurrence-held") == "5 sessions take place, 1 skipped.", text("#recurrence-held")
        skipped_rows = [r.get_attribute("data-local") for r in rows() if r.get_attribute("data-skipped") == "true"]
        assert skipped_rows == [f"{skipped_day.isoformat()}T10:00"], skipped_rows
        assert active_id() == box_css[1:], f"after the preview's answer focus is on #{active_id()}"
        journey.screenshot("series-preview", scroll_to="#recurrence")
        check_axe("the Repeats section", "#recurrence")

        # 5. Save; the API, a reload, the event screen -----------------------------------------------
        journey.step("save the series")
        click("#event-save")
        event_hash = wait_for("the saved event's route", lambda: re.fullmatch(r"#/events/(\d+)", journey.hash()), timeout=15)
        event_id = int(event_hash.group(1))
        saved = browser_api("GET", f"/api/events/{event_id}")
        rule = saved["recurrence"]
        print(f"   recurrence: {rule}, next_start {saved.get('next_start')}")
        assert rule["freq"] == "weekly" and rule["interval"] == 1 and rule["by_day"] == ["TU", "TH"], rule
        assert rule["count"] == 6 and rule.get("until") is None and not rule.get("by_month_day"), rule
        assert [parse_instant(x) for x in rule["exdates"]] == [utc_of(skipped_day)], rule["exdates"]
        assert parse_instant(saved["start_datetime"]) == expected_utc[0]
        assert parse_instant(saved["next_start"]) == expected_utc[0], saved["next_start"]

        journey.step("reload: the rule and the next session")
        driver.refresh()
        wait_for("the rule summary on the event screen", lambda: text("#event-rule") not in ("", "…"), timeout=15)
        assert text("#event-rule") == summary, (text("#event-rule"), summary)
        next_text = text("#event-next")
        print(f"   next session: {next_text!r}")
        assert "10:00" in next_text and "(Europe/Warsaw)" in next_text and str(first_day.year) in next_text, next_text
        assert parse_instant(journey.find("#event-next").get_attribute("data-start")) == expected_utc[0]
        assert text("#event-status") == "Scheduled"
        journey.visible("#stats-series-hint")
        assert Select(journey.find("#recurrence-freq")).first_selected_option.get_attribute("value") == "weekly"
        ticked = [e.get_attribute("value") for e in driver.find_elements(By.CSS_SELECTOR, "#recurrence-weekdays input:checked")]
        assert ticked == ["TU", "TH"], ticked
        assert journey.find("#recurrence-ends-count").is_selected() and journey.find("#recurrence-count").get_attribute("value") == "6"
        wait_rows(6, "the saved series' sessions")
        assert journey.find(box_css).is_selected(), "the skipped session is not ticked after a reload"
        wait_for("the saved rule's summary in the preview", lambda: text("#recurrence-summary") == summary)
        journey.screenshot("series-event")
        check_axe("the event screen of a series")

        # 6. The list, in English and Polish ------------------------------------------------------------
        journey.step("events list: next session and rule")
        journey.go("#/events")
        row_css = f"#events-list li[data-event-id='{event_id}']"
        wait_for("the rule in the list", lambda: text(f"{row_css} .event-rule") == summary, timeout=15)
        listed_next = text(f"{row_css} .event-next")
        assert listed_next.startswith("Next:") and "10:00" in listed_next, listed_next
        journey.screenshot("events-list-series")
        check_axe("the events list with a series")
        Select(journey.find("#language-select")).select_by_value("pl")
        polish = wait_for("the rule in Polish", lambda: (lambda s: s if s not in ("", "…", summary) else None)(text(f"{row_css} .event-rule")), timeout=15)
        print(f"   in Polish: {polish!r}, {text(f'{row_css} .event-next')!r}")
        assert "wtor" in polish.lower() and "10:00" in polish, polish
        assert text(f"{row_css} .event-next").startswith("Następne:")
        Select(journey.find("#language-select")).select_by_value("en")
        wait_for("the rule in English again", lambda: text(f"{row_css} .event-rule") == summary, timeout=15)

        # 7. The published widget -------------------------------------------------------------------------
        journey.step("the published widget's rule")
        public_id = saved["public_id"]
        widget_url = f"{base}/widget/event/{public_id}"

        def rule_in_widget() -> str | None:
            status, body = fetch(widget_url)
            match = re.search(r'<(\w+)[^>]*class="(?:[^"]*\s)?rule(?:\s[^"]*)?"[^>]*>(.*?)</\1>', body, re.S)
            return html.unescape(re.sub(r"<[^>]+>", "", match.group(2))).strip() if status == 200 and match else None

        widget_rule = wait_for(f"a rule element in {widget_url}", rule_in_widget, timeout=20)
        print(f"   widget rule: {widget_rule!r}")
        assert "Tuesday" in widget_rule, widget_rule

        journey.step("360 px and Polish: the Repeats section")
        driver.set_window_size(360, 800)
        journey.go(f"#/events/{event_id}")  # from the list, where step 6 left the panel
        wait_rows(6, "the sessions at 360 px")
        overflow = journey.horizontal_overflow()
        print(f"   event screen at 360 px: {overflow}")
        journey.screenshot("mobile-recurrence", scroll_to="#recurrence")
        journey.screenshot("mobile-recurrence-sessions", scroll_to="#recurrence-preview")
        assert overflow["scrollWidth"] <= 361, f"the event screen scrolls sideways at 360 px: {overflow}"
        driver.set_window_size(1280, 900)
        Select(journey.find("#language-select")).select_by_value("pl")
        wait_for("the section in Polish", lambda: text("#recurrence legend") == "Powtarzanie")
        wait_for("the Polish summary in the preview", lambda: preview_settled() and "wtor" in text("#recurrence-summary").lower(), timeout=15)
        assert text("label[for='recurrence-day-TU']") == "wtorek"
        assert text("#recurrence-held") == "Odbędzie się 5 spotkań, pominięte: 1.", text("#recurrence-held")
        journey.screenshot("recurrence-polish", scroll_to="#recurrence")
        check_axe("the Repeats section in Polish", "#recurrence")
        Select(journey.find("#language-select")).select_by_value("en")
        wait_for("the section in English", lambda: text("#recurrence legend") == "Repeats")

        # 8. Edit: more sessions keep the skip; then a one-off again ----------------------------------------
        journey.step("edit: 8 sessions, the skip kept")
        # Still on the event screen, re-rendered in English by the language switch.
        wait_rows(6, "the sessions on the edit form")
        journey.set_value("#recurrence-count", "8")
        wait_rows(8, "eight sessions")
        assert journey.find(box_css).is_selected()
        save_and_wait()
        rule = browser_api("GET", f"/api/events/{event_id}")["recurrence"]
        assert rule["count"] == 8 and [parse_instant(x) for x in rule["exdates"]] == [utc_of(skipped_day)], rule

        journey.step("edit: monthly on the fourth Tuesday, until a date")
        Select(journey.visible("#recurrence-freq")).select_by_value("monthly")
        journey.visible("#recurrence-monthly")
        assert text("label[for='recurrence-monthly-day']") == f"Day {first_day.day} of the month"
        nth = (first_day.day + 6) // 7
        ordinal = ["first", "second", "third", "fourth"][nth - 1]
        assert text("label[for='recurrence-monthly-weekday']") == f"The {ordinal} Tuesday of the month"
        click("#recurrence-monthly-weekday")
        last_day = first_day + timedelta(days=100)
        journey.set_value("#recurrence-until", last_day.isoformat())
        assert journey.find("#recurrence-ends-until").is_selected(), "typing a date did not choose it"
        monthly_days = []
        day = first_day
        while day <= last_day:
            if day.weekday() == 1 and (day.day + 6) // 7 == nth:
                monthly_days.append(day)
            day += timedelta(days=1)
        monthly_rows = wait_rows(len(monthly_days), f"the {len(monthly_days)} monthly sessions")
        assert [r.get_attribute("data-local") for r in monthly_rows] == [f"{d.isoformat()}T10:00" for d in monthly_days]
        print(f"   monthly: {text('#recurrence-summary')!r}")
        save_and_wait()
        rule = browser_api("GET", f"/api/events/{event_id}")["recurrence"]
        print(f"   recurrence: {rule}")
        assert rule["freq"] == "monthly" and rule["by_day"] == [f"{nth}TU"] and not rule.get("by_month_day"), rule
        assert rule["count"] is None and parse_instant(rule["until"]) == datetime.combine(
            last_day, clock(23, 59), ZoneInfo(EVENT_ZONE)).astimezone(timezone.utc), rule
        # The skipped Thursday is no session of this rule: it was not sent.
        assert rule["exdates"] == [], rule
        assert journey.visible("#recurrence-monthly-weekday").is_selected()

        journey.step("edit: does not repeat")
        Select(journey.visible("#recurrence-freq")).select_by_value("none")
        assert not journey.find("#recurrence-rule").is_displayed()
        save_and_wait()
        one_off = browser_api("GET", f"/api/events/{event_id}")
        assert one_off["recurrence"] is None, one_off["recurrence"]
        assert not driver.find_elements(By.CSS_SELECTOR, "#event-series"), "a one-off still shows the series block"
        journey.go("#/events")
        journey.find(f"{row_css} .event-date")
        assert not driver.find_elements(By.CSS_SELECTOR, f"{row_css} .event-rule")

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
