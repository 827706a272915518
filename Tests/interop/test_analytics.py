"""Issue 13 acceptance tests: widget views, unique visitors, placements and the organizer's
overview, checked from outside as a user of the product would, against real `attendify serve`,
`attendify track` and (for the browser) the production Nginx layout, on SQLite and on PostgreSQL.
The contract is the issue's (views answered 204 and counted only for browsers, HyperLogLog unique
visitors with |estimate - true| <= 5% of true + 1, placements with their own widget files, stats
JSON and CSV, GET /api/stats); nothing here reads the implementation.

- test_a_browser_rendering_the_widget_counts_one_view[serve|nginx]: headless Chromium (desktop
  user agent) opens an organizer's page (a loopback http.server, another origin) embedding a
  placement's iframe_html: exactly one view for the placement and the event, none for the other
  placement, one unique visitor; a reload renders again and counts again.
- test_bots_curl_and_head_count_no_view: the curl binary, urllib with curl's user agent, no user
  agent, an empty one, Slackbot, facebookexternalhit, Twitterbot, HeadlessChrome, python-requests,
  Wget and HEAD all get 204 (no body, no-store) and count nothing, while one desktop view counts
  one; unknown events 404; an unknown placement key counts for the event only; the new metrics.
- test_thousand_views_and_hundred_clicks_in_json_and_csv: 1,000 views and 100 clicks from
  distinct addresses (X-Forwarded-For through --trusted-proxy 127.0.0.1, rate limits on): views,
  total_clicks, conversion_rate 0.1, views_timeline (also in Pacific/Kiritimati: views on the local
  date, unique visitors on the UTC day), the CSV (format=csv and Accept: text/csv,
  header, rows, CRLF, filename) and the rollup tables.
- test_unique_visitors_across_two_trackers_and_nothing_identifying_is_stored: 200 visitors x 5
  views through one process, and through two `attendify track` processes on one database that
  each visitor hits both of: about 200 unique each time, one shared daily secret; then neither the
  database (SQLite files with -wal; pg_dump and every table as text) nor any process log holds any
  of the 200 addresses or the user agent, and no column is meant for them; a control with
  --store-client-info shows the same search does find such data when it is stored.
- test_a_graceful_stop_writes_every_acknowledged_view: 1,500 views to an `attendify track`, SIGTERM
  right after the last 204: exit 0, every view in widget_views and in the statistics.
- test_views_have_their_own_per_visitor_budget: --click-limit 3: a visitor's 5 views count 3, his
  5 clicks count 3 more (a separate budget), another visitor's views count on their own.
- test_placements_api: create (201, Location, fields, trimming), 409 for a duplicate name in any
  case, hostile names (HTML, emoji, 80/81 characters, CRLF, tab, empty, blank), unknown keys,
  wrong types, malformed bodies, the 50 limit, list order, get, delete 204 then 404, other
  organizers' events, no session.
- test_placement_widgets_carry_their_key_and_attribute_clicks: each placement's widget file
  (200, text/html, CSP allowing img 'self', trailing slash, gzip twin, the file on disk) equals the
  event's widget but for /{key} on its links and beacon; clicks and views through it land in
  by_placement with conversion rates; after DELETE its widget 404s, its counts stay in the totals
  and leave by_placement, and its old key counts for the event only.
- test_overview_ranks_paginates_and_sums: six events with different traffic (one cancelled, one
  with clicks but no views), another organizer's event: sort by views, unique_visitors, clicks,
  conversion_rate, title and start_datetime, asc and desc, ties newest first, null conversion
  last; limit/offset/total_events; totals equal the sum of the per-event stats; every row equals
  the event's own stats; bad parameters 422; the CSV (header, the same page as the JSON, RFC 4180
  quoting, filename).
- test_overview_csv_guards_against_formulas: titles starting with = + - @ get a leading '.

Waiting is always polling until a figure is stable (or a generous deadline); no assertion depends
on speed.

Run: ATTENDIFY_BIN=.build/debug/attendify .venv/bin/python -m pytest -q Tests/interop/test_analytics.py
(PostgreSQL: the suite's server from ATTENDIFY_TEST_POSTGRES_URL, else a private one.)
"""

from __future__ import annotations

import gzip
import shutil
import subprocess
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator
from urllib.parse import urljoin, urlsplit

import pytest

import postgres_support as pg
from analytics_support import (DESKTOP_UA, PROVIDERS, UA_MARKER, Api, Apps, Hit, Request, Store,
                               away_from_utc_midnight, chromium, click_path, csp_sources, day, early_in_the_minute,
                               embedding_page, event_figures, formula_guarded, hll_bound, host_page,
                               identifying_columns, leaks, number_text, parse_rfc3339, rate, read_csv, send_all,
                               settle, statuses, utc_today, view_path, visitor_addresses, visitor_headers, widget_beacons,
                               widget_links, within_hll_bound)
from attendify_nginx import Reply, app_env, fetch, stack_factory, wait_until  # noqa: F401 (stack_factory: a fixture)
from attendify_serve import database_for

STATS_CSV_HEADER = ["date", "views", "unique_visitors", "clicks", "conversion_rate"]
OVERVIEW_CSV_HEADER = ["event_id", "public_id", "title", "start_datetime", "status", "views", "unique_visitors",
                       "clicks", "conversion_rate"]
BOT_AGENTS = {
    "curl UA": "curl/8.5.0",
    "Slackbot": "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "facebookexternalhit": "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Twitterbot": "Twitterbot/1.0",
    "HeadlessChrome": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0 Safari/537.36",
    "python-requests": "python-requests/2.31.0",
    "Wget": "Wget/1.21.3",
}


# --------------------------------------------------------------------------------------------
# Backends, processes, sites
# --------------------------------------------------------------------------------------------


@dataclass
class Backend:
    name: str
    db: str | None  # --db; None: a SQLite file in the test's folder
    env: dict[str, str]  # PGPASSWORD for PostgreSQL

    def store(self, sqlite: Path) -> Store:
        if self.db is None:
            return Store(sqlite=sqlite)
        return Store(url=self.db, password=self.env["PGPASSWORD"])


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request) -> Iterator[Backend]:
    """Every test here stores views, so each runs on both engines (PostgreSQL: a fresh database on
    the suite's server, dropped afterwards)."""
    db, env = database_for(request.param, request)
    yield Backend(request.param, db, env)
    if db is not None:
        pg.drop_database(db, env["PGPASSWORD"])


@pytest.fixture
def apps(request, tmp_path, backend) -> Iterator[Apps]:
    """The processes a test starts; all stopped afterwards, their logs printed when it failed."""
    failed_before = request.session.testsfailed
    started = Apps(tmp_path)
    yield started
    started.stop_all()
    if request.session.testsfailed > failed_before:
        started.dump()


@dataclass
class Site:
    api: Api
    out: Path
    store: Store
    serve: object = None  # the App when the site is `attendify serve`

    @property
    def base(self) -> str:
        return self.api.base

    @property
    def port(self) -> int:
        return self.api.port

    def get(self, path: str, headers: dict[str, str] | None = None, method: str = "GET") -> Reply:
        return fetch(self.port, method, path, headers=headers)

    def get_url(self, url: str, headers: dict[str, str] | None = None) -> Reply:
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}" == self.base, f"{url} is not on {self.base}"
        return self.get(parts.path + (f"?{parts.query}" if parts.query else ""), headers)


def serve_site(apps: Apps, backend: Backend, *extra: str, rate_limits: bool = False) -> Site:
    app = apps.serve(backend.db, backend.env, *extra, rate_limits=rate_limits)
    return Site(Api(app.port, app.base), apps.out, backend.store(apps.sqlite_path), app)


@pytest.fixture(params=["serve", "nginx"])
def front(request, backend, apps) -> Site:
    if request.param == "serve":
        return serve_site(apps, backend)
    start = request.getfixturevalue("stack_factory")
    env = {**app_env(), **backend.env} if backend.db else None
    stack = start(rate_limits=False, db_url=backend.db, env=env)
    return Site(Api(stack.port, stack.base), stack.out, backend.store(stack.db))


def key_of(placement: dict, public_id: str, base: str) -> str:
    """The placement key, from widget_url (checked against the documented form)."""
    url = placement["widget_url"]
    prefix = f"{base}/widget/event/{public_id}/"
    assert url.startswith(prefix), f"widget_url {url!r} is not {prefix}{{key}}"
    key = url[len(prefix):].rstrip("/")
    assert key and "/" not in key and all(c.isalnum() or c in "-_" for c in key), f"odd placement key {key!r} in {url}"
    return key


def another_key(key: str) -> str:
    """A key of the same shape that is not `key` (an unknown placement)."""
    return ("A" if key[0] != "A" else "B") + key[1:]


def figures_of(site: Site, token: str, event_id: int) -> dict:
    return event_figures(site.api, token, event_id)


# --------------------------------------------------------------------------------------------
# 1. A real browser
# --------------------------------------------------------------------------------------------


def test_a_browser_rendering_the_widget_counts_one_view(front: Site, tmp_path):
    from selenium.webdriver.common.by import By

    away_from_utc_midnight()
    site = front
    token = site.api.organizer()
    event = site.api.create_event(token, "Browser view webinar")
    event_id, public_id = event["id"], event["public_id"]
    home = site.api.create_placement(token, event_id, "homepage")
    site.api.create_placement(token, event_id, "newsletter")
    key = key_of(home, public_id, site.base)
    assert f'src="{home["widget_url"]}"' in home["iframe_html"], home
    assert figures_of(site, token, event_id) == {"views": 0, "total_clicks": 0, "homepage.views": 0,
                                                 "homepage.clicks": 0, "newsletter.views": 0, "newsletter.clicks": 0}

    with host_page(embedding_page(home["iframe_html"])) as page, chromium(tmp_path) as driver:
        driver.get(page)
        frame = wait_until("the page's iframe", lambda: driver.find_elements(By.TAG_NAME, "iframe"), 30)[0]
        driver.switch_to.frame(frame)
        try:
            background = wait_until(
                "the widget rendered in the iframe",
                lambda: driver.execute_script(
                    "const m = document.querySelector('main'); return m && getComputedStyle(m).backgroundImage"), 30)
            user_agent = driver.execute_script("return navigator.userAgent")
        finally:
            driver.switch_to.default_content()
        assert user_agent == DESKTOP_UA
        assert f"{site.base}{view_path(public_id, key)}" in background, \
            f"the widget's main does not load the placement's beacon: background-image {background!r}"

        expected = {"views": 1, "total_clicks": 0, "homepage.views": 1, "homepage.clicks": 0,
                    "newsletter.views": 0, "newsletter.clicks": 0}
        settle("one rendered widget counting one view", lambda: figures_of(site, token, event_id), expected)
        stats = site.api.stats(token, event_id, tz="UTC")
        assert stats["views"] == 1 and stats["unique_visitors"] == 1, stats
        assert stats["conversion_rate"] == 0.0, stats
        assert stats["by_placement"]["homepage"] == {"views": 1, "clicks": 0, "conversion_rate": 0.0}, stats
        assert stats["by_placement"]["newsletter"] == {"views": 0, "clicks": 0, "conversion_rate": None}, stats

        # Rendering the page again is another view (the beacon is no-store, so it is fetched again);
        # the same browser is still one visitor.
        driver.refresh()
        expected.update({"views": 2, "homepage.views": 2})
        settle("a reload counting a second view", lambda: figures_of(site, token, event_id), expected)
        assert site.api.stats(token, event_id, tz="UTC")["unique_visitors"] == 1


# --------------------------------------------------------------------------------------------
# 2. What is not a view
# --------------------------------------------------------------------------------------------


def test_bots_curl_and_head_count_no_view(apps, backend):
    away_from_utc_midnight()
    site = serve_site(apps, backend)
    token = site.api.organizer()
    event = site.api.create_event(token, "Bot filter webinar")
    event_id, public_id = event["id"], event["public_id"]
    home = site.api.create_placement(token, event_id, "homepage")
    key = key_of(home, public_id, site.base)
    paths = [view_path(public_id), view_path(public_id, key)]

    answers: dict[str, tuple[int, bytes, str | None]] = {}
    for path in paths:
        for name, agent in BOT_AGENTS.items():
            reply = site.get(path, headers={"User-Agent": agent})
            answers[f"{name} {path}"] = (reply.status, reply.body, reply.header("Cache-Control"))
        # No User-Agent at all (http.client sends none unless told) and an empty one.
        reply = site.get(path)
        answers[f"no UA {path}"] = (reply.status, reply.body, reply.header("Cache-Control"))
        reply = site.get(path, headers={"User-Agent": ""})
        answers[f"empty UA {path}"] = (reply.status, reply.body, reply.header("Cache-Control"))
        # HEAD from a browser.
        reply = site.get(path, headers={"User-Agent": DESKTOP_UA}, method="HEAD")
        answers[f"HEAD {path}"] = (reply.status, reply.body, reply.header("Cache-Control"))
        # urllib, as a script would, with curl's user agent.
        try:
            with urllib.request.urlopen(urllib.request.Request(site.base + path, headers={"User-Agent": "curl/8.5.0"}),
                                        timeout=30) as response:
                answers[f"urllib curl UA {path}"] = (response.status, response.read(), response.headers.get("Cache-Control"))
        except urllib.error.HTTPError as error:
            answers[f"urllib curl UA {path}"] = (error.code, error.read(), error.headers.get("Cache-Control"))
        # The real curl.
        if shutil.which("curl"):
            done = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-D", "-", "-w", "\n%{http_code} %{size_download}",
                                   site.base + path], capture_output=True, text=True, timeout=60)
            lines = done.stdout.strip().splitlines()
            code, size = lines[-1].split()
            cache = next((line.split(":", 1)[1].strip() for line in lines if line.lower().startswith("cache-control:")), None)
            answers[f"curl {path}"] = (int(code), b"" if size == "0" else b"?" * int(size), cache)
    wrong = {name: a for name, a in answers.items() if a[0] != 204 or a[1] != b"" or a[2] != "no-store"}
    assert not wrong, f"not 204 with no body and Cache-Control: no-store: {wrong}"

    # Unknown events: 404, whatever the user agent; so is an extra path segment.
    unknown = "Qq" * 11
    for path in (view_path(unknown), view_path(unknown, key), view_path(public_id, key) + "/extra"):
        for headers in ({"User-Agent": DESKTOP_UA}, {"User-Agent": "curl/8.5.0"}):
            reply = site.get(path, headers=headers)
            assert reply.status == 404, f"{path} {headers}: {reply}"

    # One browser view: counted. Since the writer keeps order, once it shows, anything sent
    # before it would have shown too.
    reply = site.get(view_path(public_id, key), headers=visitor_headers("198.51.100.7"))
    assert reply.status == 204 and reply.body == b"" and reply.header("Cache-Control") == "no-store", reply
    expected = {"views": 1, "total_clicks": 0, "homepage.views": 1, "homepage.clicks": 0}
    settle("only the browser's view counted", lambda: figures_of(site, token, event_id), expected)

    # An unknown placement key of the right shape: counted, for the event only.
    reply = site.get(view_path(public_id, another_key(key)), headers=visitor_headers("198.51.100.8"))
    assert reply.status == 204, reply
    expected.update({"views": 2})
    settle("an unknown key counting for the event only", lambda: figures_of(site, token, event_id), expected)
    stats = site.api.stats(token, event_id, tz="UTC")
    assert set(stats["by_placement"]) == {"homepage"}, stats
    assert within_hll_bound(stats["unique_visitors"], 2), stats

    # The new metrics: two views recorded, every request seen.
    app = site.serve
    wait_until("views_recorded_total reaching 2", lambda: app.metric("attendify_views_recorded_total") == 2, 30,
               explain=lambda: f"attendify_views_recorded_total = {app.metric('attendify_views_recorded_total')}")
    received = app.metric("attendify_views_received_total")
    assert received is not None and received >= 2, f"attendify_views_received_total = {received}"


# --------------------------------------------------------------------------------------------
# 3. 1,000 views and 100 clicks: JSON and CSV
# --------------------------------------------------------------------------------------------


def many_addresses(count: int, second: int = 13) -> list[str]:
    return [f"10.{second}.{n // 250}.{n % 250 + 1}" for n in range(count)]


def test_thousand_views_and_hundred_clicks_in_json_and_csv(apps, backend):
    away_from_utc_midnight(180, 14)  # and from midnight in Pacific/Kiritimati (UTC+14, no DST), used below
    site = serve_site(apps, backend, rate_limits=True)  # per-visitor limits on: the addresses must be told apart
    token = site.api.organizer()
    event = site.api.create_event(token, "Thousand views webinar")
    event_id, public_id = event["id"], event["public_id"]
    visitors = many_addresses(1000)

    views = send_all(site.port, [Request("GET", view_path(public_id), visitor_headers(a)) for a in visitors])
    assert statuses(views) == {204: 1000}, statuses(views)
    clicks = send_all(site.port, [Request("GET", click_path(public_id, PROVIDERS[n % 5]), visitor_headers(a))
                                  for n, a in enumerate(visitors[:100])])
    assert statuses(clicks) == {302: 100}, statuses(clicks)
    settle("1,000 views and 100 clicks", lambda: figures_of(site, token, event_id), {"views": 1000, "total_clicks": 100})

    today, first = day(0), day(-2)
    stats = site.api.stats(token, event_id, **{"from": first, "to": today, "tz": "UTC"})
    assert (stats["from"], stats["to"], stats["tz"]) == (first, today, "UTC"), stats
    assert stats["views"] == 1000 and stats["total_clicks"] == 100, stats
    assert stats["conversion_rate"] == 0.1, stats
    assert within_hll_bound(stats["unique_visitors"], 1000), \
        f"unique_visitors {stats['unique_visitors']} for 1,000 distinct visitors (bound ±{hll_bound(1000)})"
    assert stats["clicks_by_type"] == {p: 20 for p in PROVIDERS}, stats["clicks_by_type"]
    assert stats["by_placement"] == {}, stats
    assert [d["date"] for d in stats["views_timeline"]] == [day(-2), day(-1), today], stats["views_timeline"]
    quiet = {"views": 0, "unique_visitors": 0, "clicks": 0, "conversion_rate": None}
    assert stats["views_timeline"][0] == {"date": day(-2), **quiet}, stats["views_timeline"]
    assert stats["views_timeline"][1] == {"date": day(-1), **quiet}, stats["views_timeline"]
    assert stats["views_timeline"][2] == {"date": today, "views": 1000, "unique_visitors": stats["unique_visitors"],
                                          "clicks": 100, "conversion_rate": 0.1}, stats["views_timeline"]
    assert [c["count"] for c in stats["clicks_timeline"]] == [0, 0, 100], stats["clicks_timeline"]

    # In another zone the views and clicks fall on the local date of their hour, while a date's
    # unique_visitors are those of the UTC day of that date (documented).
    kiritimati_today = (datetime.now(timezone.utc) + timedelta(hours=14)).date().isoformat()
    local = site.api.stats(token, event_id, **{"from": day(-1), "to": day(1), "tz": "Pacific/Kiritimati"})
    assert (local["views"], local["total_clicks"], local["unique_visitors"]) == (1000, 100, stats["unique_visitors"]), local
    assert [d["date"] for d in local["views_timeline"]] == [day(-1), day(0), day(1)], local["views_timeline"]
    for row in local["views_timeline"]:
        traffic = row["date"] == kiritimati_today
        assert (row["views"], row["clicks"]) == ((1000, 100) if traffic else (0, 0)), (kiritimati_today, row)
        assert row["unique_visitors"] == (stats["unique_visitors"] if row["date"] == today else 0), (today, row)
        assert row["conversion_rate"] == (0.1 if traffic else None), row

    # ---- CSV: ?format=csv, and Accept: text/csv ------------------------------------------------
    path = f"/api/events/{event_id}/stats?from={first}&to={today}&tz=UTC"
    by_format = site.api.call("GET", path + "&format=csv", token=token)
    by_accept = site.api.call("GET", path, token=token, headers={"Accept": "text/csv"})
    for reply in (by_format, by_accept):
        assert reply.status == 200, reply
        assert reply.header("Content-Type") == "text/csv; charset=utf-8", reply
        assert reply.header("Content-Disposition") == \
            f'attachment; filename="attendify-event-{public_id}-{first}-{today}.csv"', reply
        header, rows = read_csv(reply)
        assert header == STATS_CSV_HEADER, f"CSV header {header}"
        assert rows[:2] == [[day(-2), "0", "0", "0", ""], [day(-1), "0", "0", "0", ""]], rows
        assert len(rows) == 3, rows
        date_cell, views_cell, unique_cell, clicks_cell, rate_cell = rows[2]
        assert (date_cell, views_cell, unique_cell, clicks_cell) == (today, "1000", str(stats["unique_visitors"]), "100"), rows[2]
        assert number_text(rate_cell) and float(rate_cell) == 0.1, f"conversion_rate cell {rate_cell!r}"
    assert by_format.body == by_accept.body
    # format wins over Accept; any other format is refused.
    as_json = site.api.call("GET", path + "&format=json", token=token, headers={"Accept": "text/csv"})
    assert as_json.status == 200 and (as_json.header("Content-Type") or "").startswith("application/json"), as_json
    assert as_json.json()["views"] == 1000
    for bad in ("xml", "CSV;", "json,csv"):
        refused = site.api.call("GET", path + f"&format={bad}", token=token)
        assert refused.status == 422, f"format={bad!r}: {refused}"
    assert site.api.call("GET", path + "&format=csv").status == 401  # no session

    # ---- the tables the issue names ------------------------------------------------------------
    store = site.store
    assert store.scalar(f"SELECT count(*) FROM widget_views WHERE event_id = {int(event_id)}") == 1000
    assert store.scalar(f"SELECT COALESCE(sum(views), 0) FROM traffic_hourly WHERE event_id = {int(event_id)}") == 1000
    assert store.scalar(f"SELECT COALESCE(sum(clicks), 0) FROM traffic_hourly WHERE event_id = {int(event_id)}") == 100
    assert store.scalar(f"SELECT COALESCE(sum(views), 0) FROM traffic_daily WHERE event_id = {int(event_id)}") == 1000
    assert store.scalar(f"SELECT COALESCE(sum(clicks), 0) FROM traffic_daily WHERE event_id = {int(event_id)}") == 100


# --------------------------------------------------------------------------------------------
# 4. Unique visitors, one and two trackers; no visitor data anywhere
# --------------------------------------------------------------------------------------------

VISITORS = 200
VIEWS_EACH = 5


def day_start_epoch(value: str) -> int:
    """A day_start read from the database as epoch seconds (an integer, or a date/timestamp text)."""
    if value.lstrip("-").isdigit():
        return int(value)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "T"))
    return int((moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).timestamp())


def test_unique_visitors_across_two_trackers_and_nothing_identifying_is_stored(apps, backend):
    away_from_utc_midnight()
    site = serve_site(apps, backend, rate_limits=True)
    one = apps.track(backend.db, backend.env, name="track-1")
    two = apps.track(backend.db, backend.env, name="track-2")
    token = site.api.organizer()
    single = site.api.create_event(token, "One tracker webinar")
    shared = site.api.create_event(token, "Two trackers webinar")
    visitors = visitor_addresses(VISITORS)
    for tracker in (one, two):  # both trackers know the new events (a bot probe: never counted)
        for event in (single, shared):
            wait_until(f"{tracker.name} knowing {event['public_id']}", lambda t=tracker, e=event: fetch(
                t.port, "GET", view_path(e["public_id"]), headers={"User-Agent": "probe-bot/1.0"}).status == 204, 30)

    # One process (serve's tracker): each visitor five times, the rounds one after the other.
    hits = send_all(site.port, [Request("GET", view_path(single["public_id"]), visitor_headers(a))
                                for _ in range(VIEWS_EACH) for a in visitors])
    clicks = send_all(site.port, [Request("GET", click_path(single["public_id"], "google"), visitor_headers(a))
                                  for a in visitors[:40]])
    assert statuses(hits) == {204: VISITORS * VIEWS_EACH} and statuses(clicks) == {302: 40}

    # Two processes at once: visitor n's views alternate between them (even n starts on one, odd n
    # on two), so every visitor is seen by both, and both meet the day's first visitors together.
    per_tracker: dict[str, list[Request]] = {one.name: [], two.name: []}
    for round_ in range(VIEWS_EACH):
        for n, address in enumerate(visitors):
            target = one if (n + round_) % 2 == 0 else two
            per_tracker[target.name].append(Request("GET", view_path(shared["public_id"]), visitor_headers(address)))
    for n, address in enumerate(visitors[:40]):
        target = one if n % 2 else two
        per_tracker[target.name].append(Request("GET", click_path(shared["public_id"], "ics"), visitor_headers(address)))
    results: dict[str, list[Hit]] = {}
    threads = [threading.Thread(target=lambda t=t: results.__setitem__(t.name, send_all(t.port, per_tracker[t.name])))
               for t in (one, two)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    for tracker in (one, two):
        assert tracker.name in results, f"{tracker.name}'s load did not finish"
        assert statuses(results[tracker.name]) == {204: VISITORS * VIEWS_EACH // 2, 302: 20}, \
            (tracker.name, statuses(results[tracker.name]))

    for event in (single, shared):
        settle(f"{event['title']}: 1,000 views, 40 clicks", lambda e=event: figures_of(site, token, e["id"]),
               {"views": VISITORS * VIEWS_EACH, "total_clicks": 40})
        stats = site.api.stats(token, event["id"], tz="UTC", **{"from": day(0), "to": day(0)})
        assert within_hll_bound(stats["unique_visitors"], VISITORS), \
            (f"{event['title']}: unique_visitors {stats['unique_visitors']} for {VISITORS} visitors "
             f"(bound ±{hll_bound(VISITORS)})")
        assert stats["views_timeline"][0]["unique_visitors"] == stats["unique_visitors"], stats
        print(f"\n{event['title']}: {stats['views']} views, unique_visitors {stats['unique_visitors']} "
              f"for {VISITORS} visitors")
    store = site.store
    # One secret for today, shared by the three processes (tomorrow's may be there already);
    # none of a past day.
    today_start = int(datetime.combine(utc_today(), datetime.min.time(), tzinfo=timezone.utc).timestamp())
    days = [day_start_epoch(r[0]) for r in store.rows("SELECT day_start FROM visitor_secrets")]
    assert days.count(today_start) == 1, f"visitor_secrets day_start values {days}: one secret of today ({today_start}) expected"
    assert len(days) == len(set(days)) and min(days) == today_start, f"visitor_secrets day_start values {days}"
    assert store.scalar("SELECT count(*) FROM widget_views") == 2 * VISITORS * VIEWS_EACH

    # ---- nothing that identifies a visitor, anywhere ----------------------------------------------
    needles = [*visitors, DESKTOP_UA, UA_MARKER]
    columns = identifying_columns(store.columns())
    assert not columns, f"columns meant for addresses or user agents: {columns}"
    assert store.scalar("SELECT count(*) FROM widget_interactions WHERE ip_address IS NOT NULL OR user_agent IS NOT NULL") == 0
    found = leaks({**store.raw_text(), **apps.logs()}, needles)
    assert not found, f"visitor data stored or logged while running: {found[:10]}"
    # Stopped the documented way (SIGTERM: queues drained); the exit codes are checked at the end.
    stop_codes = {app.name: app.stop() for app in (one, two, site.serve)}
    found = leaks({**store.raw_text(), **apps.logs()}, needles)
    assert not found, f"visitor data stored or logged (after the processes stopped): {found[:10]}"

    # ---- the control: stored on purpose, the same search finds it ---------------------------------
    control_address, control_agent = "203.0.113.77", f"Mozilla/5.0 (X11; Linux x86_64) ControlProbe-{UA_MARKER}"
    keeper = apps.track(backend.db, backend.env, "--store-client-info", name="track-store-client-info")
    wait_until("the control click answered", lambda: fetch(
        keeper.port, "GET", click_path(shared["public_id"], "google"),
        headers=visitor_headers(control_address, control_agent)).status == 302, 30)
    wait_until("the control click stored", lambda: store.scalar(
        "SELECT count(*) FROM widget_interactions WHERE ip_address IS NOT NULL") >= 1, 30)
    stop_codes[keeper.name] = keeper.stop()
    found = leaks(store.raw_text(), [control_address, control_agent])
    assert {control_address, control_agent} <= {f.split("' in ")[0].strip("'") for f in found}, \
        f"the search does not find an address and a user agent that were stored: {found}"

    # SIGTERM is a graceful stop: the trackers exit 0 (Apps.stop gives each 30 s, then SIGKILL).
    trackers = {name: code for name, code in stop_codes.items() if name.startswith("track")}
    assert all(code == 0 for code in trackers.values()), \
        f"trackers did not exit 0 within 30 s of SIGTERM (-9: killed): {trackers}"


# --------------------------------------------------------------------------------------------
# 5. The per-visitor limit of views
# --------------------------------------------------------------------------------------------


def test_views_have_their_own_per_visitor_budget(apps, backend):
    away_from_utc_midnight()
    site = serve_site(apps, backend, "--click-limit", "3", rate_limits=True)
    token = site.api.organizer()
    event = site.api.create_event(token, "Rate limited webinar")
    public_id = event["public_id"]
    early_in_the_minute()
    first, second = "198.51.100.20", "198.51.100.21"
    views = send_all(site.port, [Request("GET", view_path(public_id), visitor_headers(first)) for _ in range(5)], threads=1)
    clicks = send_all(site.port, [Request("GET", click_path(public_id, "google"), visitor_headers(first)) for _ in range(5)],
                      threads=1)
    others = send_all(site.port, [Request("GET", view_path(public_id), visitor_headers(second)) for _ in range(2)], threads=1)
    assert statuses(views) == {204: 5} and statuses(others) == {204: 2}, (statuses(views), statuses(others))
    assert statuses(clicks) == {302: 5}, statuses(clicks)
    settle("3 + 2 views and 3 clicks", lambda: figures_of(site, token, event["id"]), {"views": 5, "total_clicks": 3})
    assert within_hll_bound(site.api.stats(token, event["id"], tz="UTC")["unique_visitors"], 2)


def test_a_graceful_stop_writes_every_acknowledged_view(apps, backend):
    """Views are queued and written in batches; SIGTERM drains the queue: every view answered
    204 is stored, though the tracker is stopped right after the last answer."""
    away_from_utc_midnight()
    site = serve_site(apps, backend)
    tracker = apps.track(backend.db, backend.env, rate_limits=False, name="track-drain")
    token = site.api.organizer()
    event = site.api.create_event(token, "Drain webinar")
    placement = site.api.create_placement(token, event["id"], "homepage")
    key = key_of(placement, event["public_id"], site.base)
    wait_until("the tracker knowing the event", lambda: fetch(
        tracker.port, "GET", view_path(event["public_id"]), headers={"User-Agent": "probe-bot/1.0"}).status == 204, 30)
    addresses = many_addresses(1500, second=14)
    hits = send_all(tracker.port, [Request("GET", view_path(event["public_id"], key if n % 3 else None), visitor_headers(a))
                                   for n, a in enumerate(addresses)], threads=8)
    assert statuses(hits) == {204: 1500}, statuses(hits)
    assert tracker.stop() == 0, f"the tracker did not stop cleanly:\n{tracker.log_text()[-2000:]}"
    assert "queue drained" in tracker.log_text(), tracker.log_text()[-2000:]
    assert site.store.scalar(f"SELECT count(*) FROM widget_views WHERE event_id = {int(event['id'])}") == 1500
    settle("every acknowledged view in the statistics", lambda: figures_of(site, token, event["id"]),
           {"views": 1500, "total_clicks": 0, "homepage.views": 1000, "homepage.clicks": 0}, confirmations=1)


# --------------------------------------------------------------------------------------------
# 6. The placements API
# --------------------------------------------------------------------------------------------


def problem(reply: Reply, status: int) -> dict:
    assert reply.status == status, f"expected {status}: {reply}"
    assert (reply.header("Content-Type") or "").startswith("application/problem+json"), reply
    body = reply.json()
    assert body.get("status") == status, body
    return body


def names_field(body: dict, name: str) -> bool:
    fields = [e.get("field") for e in body.get("errors") or []]
    return name in fields or name in (body.get("detail") or "")


def test_placements_api(apps, backend):
    site = serve_site(apps, backend)
    api = site.api
    token = api.organizer()
    event = api.create_event(token, "Placements webinar")
    event_id, public_id = event["id"], event["public_id"]
    base_path = f"/api/events/{event_id}/placements"

    before = datetime.now(timezone.utc) - timedelta(minutes=5)
    created = api.call("POST", base_path, {"name": "homepage"}, token)
    assert created.status == 201, created
    home = created.json()
    assert set(home) >= {"id", "name", "widget_url", "iframe_html", "created_at"}, home
    assert isinstance(home["id"], int) and home["name"] == "homepage", home
    key = key_of(home, public_id, site.base)
    # Its widget is live once the 201 is in.
    assert (site.out / "widget" / "event" / public_id / key / "index.html").is_file()
    assert site.get_url(home["widget_url"]).status == 200
    assert urlsplit(urljoin(site.base + "/", created.header("Location") or "")).path == f"{base_path}/{home['id']}", created
    assert f'src="{home["widget_url"]}"' in home["iframe_html"] and home["iframe_html"].startswith("<iframe "), home
    assert home["iframe_html"].rstrip().endswith("</iframe>"), home
    assert home["created_at"].endswith("Z") and before <= parse_rfc3339(home["created_at"]) <= datetime.now(timezone.utc) + timedelta(minutes=5), home

    # Trimmed; a duplicate in any case or with spaces is a conflict; another event may reuse it.
    news = api.create_placement(token, event_id, "  newsletter  ")
    assert news["name"] == "newsletter", news
    for duplicate in ("homepage", "HOMEPAGE", " Homepage ", "NewsLetter"):
        reply = api.call("POST", base_path, {"name": duplicate}, token)
        assert reply.status == 409, f"{duplicate!r}: {reply}"
    other_event = api.create_event(token, "Second placements webinar")
    assert api.create_placement(token, other_event["id"], "homepage")["name"] == "homepage"

    # Hostile but valid names come back as sent and are escaped wherever they are shown.
    valid = {
        "html": '<script>alert("x")</script> & <b>bold</b> \'quote\'',
        "emoji": "Launch 🚀 with 👩\u200d💻 devs 🇵🇱",
        "polish": "Stopka – zażółć gęślą jaźń",
        "eighty": "x" * 80,
        "eighty-multibyte": "ż" * 80,
    }
    made = {}
    for label, name in valid.items():
        made[label] = api.create_placement(token, event_id, name)
        assert made[label]["name"] == name, (label, made[label])
        assert "<script>" not in made[label]["iframe_html"] and "<b>" not in made[label]["iframe_html"], made[label]
        assert made[label]["widget_url"] != home["widget_url"]
    widget = site.get_url(made["html"]["widget_url"])
    assert widget.status == 200 and b"<script>alert" not in widget.body, widget

    invalid = {
        "81 characters": {"name": "x" * 81},
        "empty": {"name": ""},
        "blank": {"name": "   "},
        "CRLF": {"name": "home\r\nSet-Cookie: x=1"},
        "LF": {"name": "home\npage"},
        "tab inside": {"name": "home\tpage"},
        "NUL": {"name": "home\u0000page"},
        "unknown key": {"name": "footer", "colour": "red"},
        "missing name": {},
        "number": {"name": 42},
        "null": {"name": None},
        "list": {"name": ["footer"]},
    }
    for label, body in invalid.items():
        reply = api.call("POST", base_path, body, token)
        assert reply.status in ((422, 400) if label in ("number", "null", "list") else (422,)), f"{label}: {reply}"
        details = problem(reply, reply.status)
        if reply.status == 422 and label != "unknown key":
            assert names_field(details, "name"), f"{label}: the problem does not name the field: {details}"
        if label == "unknown key":
            assert names_field(details, "colour"), f"{label}: the problem does not name the key: {details}"
    for label, raw in {"malformed": b'{"name": "x"', "array": b'["x"]', "string": b'"x"'}.items():
        reply = fetch(site.port, "POST", base_path, body=raw, token=token, headers={"Content-Type": "application/json"})
        problem(reply, 400)
    reply = fetch(site.port, "POST", base_path, body=b'{"name": "x"}', token=token, headers={"Content-Type": "text/plain"})
    assert reply.status == 415, reply

    # The list: oldest first, each as GET returns it.
    listed = api.call("GET", base_path, token=token)
    assert listed.status == 200, listed
    placements = listed.json()["placements"]
    expected_names = ["homepage", "newsletter", *valid.values()]
    assert [p["name"] for p in placements] == expected_names, placements
    assert [p["id"] for p in placements] == sorted(p["id"] for p in placements), placements
    for placement in placements:
        one = api.call("GET", f"{base_path}/{placement['id']}", token=token)
        assert one.status == 200 and one.json() == placement, one
    assert placements[0] == home

    # At most 50 per event.
    for n in range(50 - len(placements)):
        api.create_placement(token, event_id, f"slot {n:02d}")
    assert len(api.call("GET", base_path, token=token).json()["placements"]) == 50
    full = api.call("POST", base_path, {"name": "one too many"}, token)
    problem(full, 422)

    # Somebody else's event, or no session: nothing to see, nothing to change.
    stranger = api.organizer("Stranger")
    for method, path, body in (("GET", base_path, None), ("POST", base_path, {"name": "mine"}),
                               ("GET", f"{base_path}/{home['id']}", None), ("DELETE", f"{base_path}/{home['id']}", None)):
        assert api.call(method, path, body, stranger).status == 404, f"stranger {method} {path}"
        assert api.call(method, path, body).status == 401, f"no session {method} {path}"
    # A placement through another event of the same organizer is not found either.
    assert api.call("GET", f"/api/events/{other_event['id']}/placements/{home['id']}", token=token).status == 404
    assert api.call("DELETE", f"/api/events/{other_event['id']}/placements/{home['id']}", token=token).status == 404
    assert api.call("GET", f"{base_path}/999999999", token=token).status == 404
    assert api.call("GET", "/api/events/999999999/placements", token=token).status == 404

    # Delete: 204, then gone (404 for GET and a second DELETE), and out of the list; its name is free.
    deleted = api.call("DELETE", f"{base_path}/{news['id']}", token=token)
    assert deleted.status == 204 and deleted.body == b"", deleted
    assert api.call("GET", f"{base_path}/{news['id']}", token=token).status == 404
    assert api.call("DELETE", f"{base_path}/{news['id']}", token=token).status == 404
    names = [p["name"] for p in api.call("GET", base_path, token=token).json()["placements"]]
    assert "newsletter" not in names and names[0] == "homepage" and len(names) == 49, names
    again = api.create_placement(token, event_id, "newsletter")
    assert again["id"] != news["id"] and again["widget_url"] != news["widget_url"], (again, news)
    assert key_of(again, public_id, site.base) != key_of(news, public_id, site.base)


# --------------------------------------------------------------------------------------------
# 7. Placement widgets, attribution, deletion
# --------------------------------------------------------------------------------------------


def normalized_widget(body: str, public_id: str, key: str) -> str:
    """The widget with /{key} taken off its /track/ paths: what the event's own widget says."""
    body = body.replace(f"/track/{public_id}/view/{key}", f"/track/{public_id}/view")
    for kind in (*PROVIDERS, "subscribe_webcal", "subscribe_google", "subscribe_outlook"):
        body = body.replace(f"/track/{public_id}/{kind}/{key}", f"/track/{public_id}/{kind}")
    return body


def test_placement_widgets_carry_their_key_and_attribute_clicks(apps, backend):
    away_from_utc_midnight()
    site = serve_site(apps, backend)
    api = site.api
    token = api.organizer()
    event = api.create_event(token, "Attribution webinar")
    event_id, public_id = event["id"], event["public_id"]
    home = api.create_placement(token, event_id, "homepage")
    news = api.create_placement(token, event_id, "newsletter")
    keys = {"homepage": key_of(home, public_id, site.base), "newsletter": key_of(news, public_id, site.base)}

    event_widget = site.get(f"/widget/event/{public_id}")
    assert event_widget.status == 200, event_widget
    img = csp_sources(event_widget.header("Content-Security-Policy") or "", "img-src")
    assert img is not None and ("'self'" in img or site.base in img), \
        f"the event widget's CSP blocks its beacon: {event_widget.header('Content-Security-Policy')}"
    event_html = event_widget.body.decode()
    event_links = widget_links(event_html)
    assert set(event_links) == set(PROVIDERS), event_links
    for kind, href in event_links.items():
        assert urlsplit(urljoin(site.base + f"/widget/event/{public_id}", href)).path == click_path(public_id, kind), href
    assert [urlsplit(urljoin(site.base + "/", u)).path for u in widget_beacons(event_html)] == [view_path(public_id)], \
        widget_beacons(event_html)

    for name, placement in (("homepage", home), ("newsletter", news)):
        key = keys[name]
        url = placement["widget_url"]
        reply = site.get_url(url)
        assert reply.status == 200, f"{url}: {reply}"
        assert reply.header("Content-Type") == "text/html; charset=utf-8", reply
        img = csp_sources(reply.header("Content-Security-Policy") or "", "img-src")
        assert img is not None and ("'self'" in img or site.base in img), \
            f"the widget's CSP does not let the beacon load (img-src {img}): {reply.header('Content-Security-Policy')}"
        assert "frame-ancestors *" in (reply.header("Content-Security-Policy") or ""), reply
        html = reply.body.decode()
        assert normalized_widget(html, public_id, key) == event_html, \
            f"{name}'s widget differs from the event's beyond the key on its /track/ paths"
        links = widget_links(html)
        assert set(links) == set(PROVIDERS), links
        for kind, href in links.items():
            assert urlsplit(urljoin(url, href)).path == click_path(public_id, kind, key), (kind, href)
        assert [urlsplit(urljoin(url, u)).path for u in widget_beacons(html)] == [view_path(public_id, key)], widget_beacons(html)
        slash = site.get_url(url + "/")
        assert slash.status == 200 and slash.body == reply.body, slash
        zipped = site.get_url(url, headers={"Accept-Encoding": "gzip"})
        assert zipped.status == 200 and zipped.header("Content-Encoding") == "gzip", zipped
        assert gzip.decompress(zipped.body) == reply.body
        folder = site.out / "widget" / "event" / public_id / key
        assert (folder / "index.html").read_bytes() == reply.body
        assert gzip.decompress((folder / "index.html.gz").read_bytes()) == reply.body

    # ---- traffic through the widgets' own links -----------------------------------------------
    home_links = widget_links(site.get_url(home["widget_url"]).body.decode())
    news_links = widget_links(site.get_url(news["widget_url"]).body.decode())
    viewers = visitor_addresses(20)  # 10 on the homepage, 8 on the newsletter, 2 on the event's own widget
    requests = [Request("GET", view_path(public_id, keys["homepage"]), visitor_headers(a)) for a in viewers[:10]]
    requests += [Request("GET", view_path(public_id, keys["newsletter"]), visitor_headers(a)) for a in viewers[10:18]]
    requests += [Request("GET", view_path(public_id), visitor_headers(a)) for a in viewers[18:]]
    # Then some of them click, each in the widget they saw.
    click_urls = [urljoin(home["widget_url"], home_links[k]) for k in PROVIDERS] \
        + [urljoin(news["widget_url"], news_links[k]) for k in ("google", "ics")] \
        + [urljoin(site.base + "/", event_links["google"])]
    clickers = viewers[:5] + viewers[10:12] + viewers[18:19]
    requests += [Request("GET", urlsplit(u).path, visitor_headers(a)) for u, a in zip(click_urls, clickers)]
    hits = send_all(site.port, requests)
    assert statuses(hits) == {204: 20, 302: 8}, statuses(hits)
    # A placement's link goes where the event's own link goes.
    event_targets = {k: site.get(click_path(public_id, k), headers={"User-Agent": "probe-bot/1.0"}).header("Location")
                     for k in PROVIDERS}
    for hit, url in zip(hits[20:], click_urls):
        kind = urlsplit(url).path.split("/")[3]
        assert hit.headers.get("location") == event_targets[kind], (url, hit.headers.get("location"), event_targets[kind])

    expected = {"views": 20, "total_clicks": 8, "homepage.views": 10, "homepage.clicks": 5,
                "newsletter.views": 8, "newsletter.clicks": 2}
    settle("views and clicks attributed to placements", lambda: figures_of(site, token, event_id), expected)
    stats = api.stats(token, event_id, tz="UTC")
    assert stats["conversion_rate"] == 0.4, stats
    assert stats["by_placement"] == {"homepage": {"views": 10, "clicks": 5, "conversion_rate": 0.5},
                                     "newsletter": {"views": 8, "clicks": 2, "conversion_rate": 0.25}}, stats["by_placement"]
    assert stats["clicks_by_type"] == {"google": 3, "ics": 2, "outlook": 1, "office365": 1, "yahoo": 1}, stats
    assert within_hll_bound(stats["unique_visitors"], 20), stats

    # ---- deleting a placement --------------------------------------------------------------------
    assert api.call("DELETE", f"/api/events/{event_id}/placements/{news['id']}", token=token).status == 204
    for url in (news["widget_url"], news["widget_url"] + "/"):
        gone = site.get_url(url)
        assert gone.status == 404, f"{url} after DELETE: {gone}"
    assert not (site.out / "widget" / "event" / public_id / keys["newsletter"]).exists(), "the widget folder is still there"
    after = api.stats(token, event_id, tz="UTC")
    assert (after["views"], after["total_clicks"], after["conversion_rate"]) == (20, 8, 0.4), after
    assert after["by_placement"] == {"homepage": {"views": 10, "clicks": 5, "conversion_rate": 0.5}}, after["by_placement"]
    assert sum(after["clicks_by_type"].values()) == 8, after
    assert site.get_url(home["widget_url"]).status == 200, "the other placement's widget went too"

    # The deleted key still counts, for the event only; a new placement shows with zeros.
    reply = site.get(view_path(public_id, keys["newsletter"]), headers=visitor_headers("203.0.113.200"))
    assert reply.status == 204, reply
    later = api.create_placement(token, event_id, "later")
    settle("a deleted key counting for the event only", lambda: figures_of(site, token, event_id),
           {"views": 21, "total_clicks": 8, "homepage.views": 10, "homepage.clicks": 5, "later.views": 0, "later.clicks": 0})
    final = api.stats(token, event_id, tz="UTC")
    assert final["by_placement"]["later"] == {"views": 0, "clicks": 0, "conversion_rate": None}, final
    assert set(final["by_placement"]) == {"homepage", "later"}, final
    assert key_of(later, public_id, site.base) not in keys.values()


# --------------------------------------------------------------------------------------------
# 8. The overview
# --------------------------------------------------------------------------------------------


@dataclass
class Planned:
    letter: str
    title: str
    start_days: int  # start_datetime: this many days from now
    visitors: int  # distinct addresses that view
    views_each: int
    clicks: int
    cancel: bool = False
    event: dict = field(default_factory=dict)

    @property
    def views(self) -> int:
        return self.visitors * self.views_each


OVERVIEW_PLAN = [  # created in this order (ids ascending: the newest last)
    Planned("A", "Alpha webinar", 10, 25, 1, 3),  # plus 5 visitors viewing twice: 30 views
    Planned("B", "Bravo webinar", 3, 4, 5, 10),
    Planned("C", "Charlie webinar", 7, 10, 1, 0),
    Planned("D", "Delta webinar", 1, 0, 0, 2),  # clicks but no views: conversion null
    Planned("E", "Echo webinar", 5, 0, 0, 0, cancel=True),
    Planned("F", "Foxtrot webinar", 20, 3, 2, 2),  # 2 / 6 = 0.3333
]
EXTRA_A_VIEWS = 5


def planned_views(p: Planned) -> int:
    return p.views + (EXTRA_A_VIEWS if p.letter == "A" else 0)


def order_of(events: list[dict], by_id: dict[int, str]) -> str:
    return "".join(by_id.get(e["id"], "?") for e in events)


def check_ranking(events: list[dict], sort: str, order: str) -> None:
    """The documented ranking, checked on the figures the API returned: by `sort` in `order`, ties
    newest event (highest id) first, null conversion last."""
    def key(e):
        value = e[sort]
        return parse_rfc3339(value) if sort == "start_datetime" else value

    for a, b in zip(events, events[1:]):
        ka, kb = key(a), key(b)
        context = f"sort={sort} order={order}: {a['title']} ({ka}) before {b['title']} ({kb})"
        if ka is None or kb is None:
            assert kb is None, f"null must sort last: {context}"
            if ka is None:
                assert a["id"] > b["id"], f"ties newest first: {context}"
            continue
        if ka == kb:
            assert a["id"] > b["id"], f"ties newest first: {context}"
        else:
            assert (ka > kb) if order == "desc" else (ka < kb), context


def test_overview_ranks_paginates_and_sums(apps, backend):
    away_from_utc_midnight()
    site = serve_site(apps, backend)
    api = site.api
    token = api.organizer()
    now = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    for p in OVERVIEW_PLAN:
        p.event = api.create_event(token, p.title, start=now + timedelta(days=p.start_days))
    by_id = {p.event["id"]: p.letter for p in OVERVIEW_PLAN}
    for p in OVERVIEW_PLAN:
        if p.cancel:
            assert api.call("POST", f"/api/events/{p.event['id']}/cancel", token=token).status == 200
    # Another organizer's traffic must stay out of this organizer's overview.
    stranger = api.organizer("Stranger")
    foreign = api.create_event(stranger, "Zulu webinar")

    addresses = iter(visitor_addresses(200))
    requests: list[Request] = []
    for p in OVERVIEW_PLAN:
        mine = [next(addresses) for _ in range(max(p.visitors, 1))]
        for round_ in range(p.views_each):
            requests += [Request("GET", view_path(p.event["public_id"]), visitor_headers(a)) for a in mine[:p.visitors]]
        if p.letter == "A":
            requests += [Request("GET", view_path(p.event["public_id"]), visitor_headers(a)) for a in mine[:EXTRA_A_VIEWS]]
        requests += [Request("GET", click_path(p.event["public_id"], PROVIDERS[n % 5]), visitor_headers(mine[n % len(mine)]))
                     for n in range(p.clicks)]
    requests += [Request("GET", view_path(foreign["public_id"]), visitor_headers(next(addresses))) for _ in range(7)]
    hits = send_all(site.port, requests)
    assert set(statuses(hits)) <= {204, 302}, statuses(hits)
    # E is cancelled: its widget has no add buttons, and nobody visits it. The others' figures:
    for p in OVERVIEW_PLAN:
        settle(f"{p.title}'s traffic", lambda p=p: figures_of(site, token, p.event["id"]),
               {"views": planned_views(p), "total_clicks": p.clicks})
    settle("the stranger's traffic", lambda: figures_of(site, stranger, foreign["id"]), {"views": 7, "total_clicks": 0})

    # ---- the defaults -----------------------------------------------------------------------------
    first, last = day(-29), day(0)
    default = api.overview(token)
    assert {k: default[k] for k in ("from", "to", "tz", "sort", "order", "limit", "offset", "total_events")} == \
        {"from": first, "to": last, "tz": "UTC", "sort": "views", "order": "desc", "limit": 20, "offset": 0,
         "total_events": 6}, {k: v for k, v in default.items() if k != "events"}
    assert order_of(default["events"], by_id) == "ABCFED", [(e["title"], e["views"]) for e in default["events"]]
    per_event = {p.letter: api.stats(token, p.event["id"], tz="UTC", **{"from": first, "to": last}) for p in OVERVIEW_PLAN}
    for row in default["events"]:
        p = next(q for q in OVERVIEW_PLAN if q.event["id"] == row["id"])
        own = per_event[p.letter]
        assert row == {"id": p.event["id"], "public_id": p.event["public_id"], "title": p.title,
                       "start_datetime": p.event["start_datetime"], "status": "cancelled" if p.cancel else "scheduled",
                       "views": own["views"], "unique_visitors": own["unique_visitors"], "clicks": own["total_clicks"],
                       "conversion_rate": own["conversion_rate"]}, (row, own)
        assert row["views"] == planned_views(p) and row["clicks"] == p.clicks, row
        assert row["conversion_rate"] == rate(p.clicks, planned_views(p)), row
        assert within_hll_bound(row["unique_visitors"], p.visitors), (p.title, row["unique_visitors"], p.visitors)
    totals = default["totals"]
    assert totals == {"views": sum(s["views"] for s in per_event.values()),
                      "unique_visitors": sum(s["unique_visitors"] for s in per_event.values()),
                      "clicks": sum(s["total_clicks"] for s in per_event.values()),
                      "conversion_rate": rate(17, 66)}, totals
    assert (totals["views"], totals["clicks"], totals["conversion_rate"]) == (66, 17, 0.2576), totals

    # ---- every sort, both orders -------------------------------------------------------------------
    expected_orders = {
        ("views", "desc"): "ABCFED", ("views", "asc"): "EDFCBA",
        ("clicks", "desc"): "BAFDEC", ("clicks", "asc"): "ECFDAB",
        ("conversion_rate", "desc"): "BFACED", ("conversion_rate", "asc"): "CAFBED",
        ("title", "asc"): "ABCDEF", ("title", "desc"): "FEDCBA",
        ("start_datetime", "asc"): "DBECAF", ("start_datetime", "desc"): "FACEBD",
    }
    for sort in ("views", "unique_visitors", "clicks", "conversion_rate", "title", "start_datetime"):
        for order in ("desc", "asc"):
            ranked = api.overview(token, sort=sort, order=order)
            assert (ranked["sort"], ranked["order"], ranked["total_events"]) == (sort, order, 6), ranked
            assert ranked["totals"] == totals, (sort, order, ranked["totals"])
            check_ranking(ranked["events"], sort, order)
            if (sort, order) in expected_orders:
                assert order_of(ranked["events"], by_id) == expected_orders[(sort, order)], \
                    (sort, order, [(e["title"], e[sort]) for e in ranked["events"]])
            assert sorted(by_id[e["id"]] for e in ranked["events"]) == list("ABCDEF")

    # ---- pagination -------------------------------------------------------------------------------
    full = api.overview(token, sort="title", order="asc")["events"]
    pages = [api.overview(token, sort="title", order="asc", limit=2, offset=offset) for offset in (0, 2, 4)]
    assert [e for page in pages for e in page["events"]] == full
    assert all((p["limit"], p["total_events"], p["totals"]) == (2, 6, totals) for p in pages), pages
    assert [p["offset"] for p in pages] == [0, 2, 4]
    for offset in (5, 6, 100):
        page = api.overview(token, sort="title", order="asc", limit=3, offset=offset)
        assert page["events"] == full[offset:offset + 3] and page["total_events"] == 6, (offset, page)
    assert api.overview(token, limit=1000)["events"] == default["events"]
    assert len(api.overview(token, limit=1)["events"]) == 1

    # A range without traffic: every event ranked, all zeros, conversion null.
    quiet = api.overview(token, **{"from": day(-10), "to": day(-1)})
    assert quiet["total_events"] == 6 and len(quiet["events"]) == 6, quiet
    assert quiet["totals"] == {"views": 0, "unique_visitors": 0, "clicks": 0, "conversion_rate": None}, quiet["totals"]
    assert all((e["views"], e["clicks"], e["unique_visitors"], e["conversion_rate"]) == (0, 0, 0, None)
               for e in quiet["events"]), quiet["events"]
    assert order_of(quiet["events"], by_id) == "FEDCBA", "all tied: newest first"
    assert api.overview(token, **{"from": day(-365), "to": day(0)})["totals"] == totals  # 366 days: allowed

    # ---- refused parameters -------------------------------------------------------------------------
    bad = [("sort", "bogus"), ("sort", "VIEWS;"), ("order", "sideways"), ("limit", "0"), ("limit", "1001"),
           ("limit", "-1"), ("limit", "ten"), ("offset", "-1"), ("offset", "x"), ("tz", "Mars/Olympus_Mons"),
           ("from", "2026-02-30"), ("to", "yesterday"), ("format", "xml")]
    for name, value in bad:
        reply = api.call("GET", f"/api/stats?{name}={value}", token=token)
        assert reply.status == 422, f"{name}={value}: {reply}"
    for params in ({"from": day(0), "to": day(-1)}, {"from": day(-366), "to": day(0)}):
        reply = api.call("GET", f"/api/stats?from={params['from']}&to={params['to']}", token=token)
        assert reply.status == 422, f"{params}: {reply}"
    assert api.call("GET", "/api/stats").status == 401

    # ---- CSV: the same page as the JSON -------------------------------------------------------------
    params = "sort=title&order=asc&limit=4&offset=1"
    page = api.overview(token, sort="title", order="asc", limit=4, offset=1)
    for reply in (api.call("GET", f"/api/stats?{params}&format=csv", token=token),
                  api.call("GET", f"/api/stats?{params}", token=token, headers={"Accept": "text/csv"})):
        assert reply.status == 200, reply
        assert reply.header("Content-Type") == "text/csv; charset=utf-8", reply
        assert reply.header("Content-Disposition") == f'attachment; filename="attendify-overview-{first}-{last}.csv"', reply
        header, rows = read_csv(reply)
        assert header == OVERVIEW_CSV_HEADER, header
        assert_overview_rows(rows, page["events"])
        assert [by_id[int(r[0])] for r in rows] == list("BCDE"), rows
    as_json = api.call("GET", f"/api/stats?{params}&format=json", token=token, headers={"Accept": "text/csv"})
    assert as_json.status == 200 and as_json.json()["events"] == page["events"], as_json


def assert_overview_rows(rows: list[list[str]], events: list[dict]) -> None:
    assert len(rows) == len(events), (rows, events)
    for row, e in zip(rows, events):
        assert len(row) == len(OVERVIEW_CSV_HEADER), row
        assert row[:5] == [str(e["id"]), formula_guarded(e["public_id"]), formula_guarded(e["title"]),
                           e["start_datetime"], e["status"]], (row, e)
        assert row[5:8] == [str(e["views"]), str(e["unique_visitors"]), str(e["clicks"])], (row, e)
        if e["conversion_rate"] is None:
            assert row[8] == "", (row, e)
        else:
            assert number_text(row[8]) and float(row[8]) == e["conversion_rate"], (row, e)


FORMULA_TITLES = ['=HYPERLINK("http://evil.example/","click")', "+SUM(1,2)", "-1+2 webinar", "@cmd webinar",
                  'Plain, "quoted" title']


def test_overview_csv_guards_against_formulas(apps, backend):
    site = serve_site(apps, backend)
    api = site.api
    token = api.organizer()
    events = [api.create_event(token, title) for title in FORMULA_TITLES]
    assert [e["title"] for e in events] == FORMULA_TITLES
    reply = api.call("GET", "/api/stats?format=csv&sort=title&order=asc", token=token)
    assert reply.status == 200, reply
    header, rows = read_csv(reply)
    assert header == OVERVIEW_CSV_HEADER, header
    page = api.overview(token, sort="title", order="asc")
    assert page["total_events"] == 5 and sorted(e["title"] for e in page["events"]) == sorted(FORMULA_TITLES), page
    assert_overview_rows(rows, page["events"])
    cells = {row[2] for row in rows}
    assert cells == {"'=HYPERLINK(\"http://evil.example/\",\"click\")", "'+SUM(1,2)", "'-1+2 webinar", "'@cmd webinar",
                     'Plain, "quoted" title'}, cells
    text = reply.body.decode()
    assert '"\'=HYPERLINK(""http://evil.example/"",""click"")"' in text, text  # RFC 4180: quoted, quotes doubled
    assert '"Plain, ""quoted"" title"' in text, text
