"""Issue 14 acceptance, the event page `/e/{public_id}` (and the language choice it shares with
the widget), over HTTP against a real `attendify serve` on SQLite, and through a private Nginx
configured by `attendify nginx-config` in front of `attendify api` and `attendify track`.
Events and settings are made through the HTTP API only.

- test_event_page_content: 200 text/html, the file out/e/{id}/index.html and its gzip twin;
  title, time, description and exactly the widget's buttons (tracked links /track/{id}/{type});
  the view beacon; Open Graph (og:title/description/type=website/url), the Twitter card,
  rel=canonical = page_url; the schema.org/Event JSON-LD (@type, name, eventAttendanceMode,
  eventStatus, VirtualLocation with the join link, organizer, startDate/endDate as ISO 8601 with
  an offset equal to the API's instants); ETag/304.
- test_cancelled_event_page: after POST .../cancel, eventStatus EventCancelled and the widget's
  (empty) set of buttons.
- test_ended_and_series_event_pages: an ended event with a recording and a weekly series have the
  widget's links, and JSON-LD instants the API reports.
- test_hostile_text: a title and description with </script>, <!--<script>, <img onerror>,
  quotes, CR LF, U+2028, bidi controls, RTL text and emoji neither break out of the JSON-LD nor
  out of the HTML (of the page and of the widget); everything reads back as the API stored it.
- test_indexing: noindex by default; not with allow_indexing true (event or organizer default);
  an event's false beats a default's true; a non-boolean is a 422.
- test_page_url: page_url (absolute, /e/{public_id}) in the create, get, list and update answers;
  it serves the page; a deleted event's page (and widget, and folder) are gone: 404.
- test_every_language_is_spoken: the widget and the page in each of the 14 languages say so
  (lang, dir=rtl for ar/he), show the month in that language (CLDR names from babel), and the
  widget's heading differs between every two languages.
- test_language_auto_through_serve: language "auto" -> index.html plus index.{code}.html (+ .gz)
  for every code in the widget, placement and event page folders; Accept-Language chooses by
  RFC 4647 lookup with q-values (de-DE,de;q=0.9 -> de, fr-CA -> fr, zh-CN -> the fallback, ...),
  Vary: Accept-Language, the gzip twin of the chosen language, no 304 across languages; the
  fallback is the organizer's default language when it is a code; a fixed language ignores it.
- test_clock_script_is_admitted_by_hash: the widget's one inline script is the same bytes in
  every widget and is admitted by its sha256 in script-src (never 'unsafe-inline'), on the
  widget and the event page, plain and gzip; the zone is in the static HTML; <= 3 KB gzipped.
- test_language_changes_leave_no_stale_variant: auto -> a fixed language (event or organizer
  default) leaves no variant behind and serves only that language; auto inherited from the
  defaults; allow_indexing in every variant, inLanguage = the variant's lang; deletion.
- test_language_auto_through_nginx: the same choice made by Nginx (the first listed supported
  language) for the widget, a placement's widget and the event page, with Vary, gzip, one ETag
  per language and the script's hash in Nginx's CSP; a fixed-language event page through Nginx.

Run: .venv/bin/python -m pytest Tests/interop/test_event_page.py -q
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urljoin, urlparse
from zoneinfo import ZoneInfo

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pysupport"))
from analytics_support import Api, parse_rfc3339, widget_beacons  # noqa: E402
from attendify_nginx import fetch, stack_factory  # noqa: E402,F401 (stack_factory: a fixture)
from attendify_serve import running_serve  # noqa: E402
from public_pages import (  # noqa: E402
    HOSTILE_DESCRIPTION, HOSTILE_TITLE, LANGUAGES, RTL, parse_instant, parse_page, raw_scripts,
    schema_value, vary_names,
)

ORGANIZER_NAME = "Event Page Organizer"
DEFAULT_PROVIDERS = {"google", "ics", "outlook", "office365", "yahoo"}
JOIN_URL = "https://example.com/webinar/event-page"


def normal(text: str | None) -> str:
    return " ".join((text or "").split())


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(Api, token, out folder) of one `attendify serve` for the module."""
    work = tmp_path_factory.mktemp("event-page")
    with running_serve(work) as (base, _log):
        api = Api(int(base.rsplit(":", 1)[1]), base)
        yield api, api.organizer(ORGANIZER_NAME), work / "out"


def soon(days: int = 10) -> datetime:
    return (datetime.now(timezone.utc) + timedelta(days=days)).replace(hour=12, minute=0, second=0, microsecond=0)


def new_event(api: Api, token: str, title: str = "Event page webinar", **extra) -> dict:
    extra.setdefault("webinar_url", JOIN_URL)
    extra.setdefault("description", "Agenda: welcome, a live demo, questions and answers.")
    return api.create_event(token, title, soon(), **extra)


def get_page(api: Api, event: dict, headers: dict | None = None, path: str | None = None):
    path = path or f"/e/{event['public_id']}"
    reply = api.call("GET", path, headers=headers)
    assert reply.status == 200, f"GET {path}: {reply}"
    assert (reply.header("Content-Type") or "").startswith("text/html"), f"GET {path}: {reply}"
    assert "utf-8" in (reply.header("Content-Type") or "").lower(), f"GET {path}: {reply}"
    return reply


def get_widget(api: Api, event: dict, headers: dict | None = None):
    path = f"/widget/event/{event['public_id']}"
    reply = api.call("GET", path, headers=headers)
    assert reply.status == 200, f"GET {path}: {reply}"
    return reply


def the_json_ld(page, where: str) -> dict:
    found = page.json_ld()
    events = [item for item in found if isinstance(item, dict) and item.get("@type") == "Event"]
    assert len(events) == 1, f"{where}: expected one schema.org Event in the JSON-LD, found {found!r}"
    event = events[0]
    assert "schema.org" in str(event.get("@context", "")), f"{where}: @context {event.get('@context')!r}"
    return event


def tracked(page_url: str, href: str) -> str:
    """The path a button's link goes to (relative links resolved against the page)."""
    absolute = urljoin(page_url, href)
    origin = urlparse(page_url)
    parsed = urlparse(absolute)
    assert (parsed.scheme, parsed.netloc) == (origin.scheme, origin.netloc), f"{href} leaves the site"
    return parsed.path


# --------------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------------


def test_event_page_content(served):
    api, token, out = served
    event = new_event(api, token, "Quarterly product webinar")
    public_id = event["public_id"]
    page_url = event.get("page_url")
    assert page_url == f"{api.base}/e/{public_id}", f"page_url: {event}"
    reply = get_page(api, event)
    published = out / "e" / public_id / "index.html"
    assert published.is_file(), f"{published} was not published"
    assert reply.body == published.read_bytes(), "the page served differs from the published file"
    zipped = api.call("GET", f"/e/{public_id}", headers={"Accept-Encoding": "gzip"})
    assert zipped.status == 200 and zipped.header("Content-Encoding") == "gzip", zipped
    assert gzip.decompress(zipped.body) == reply.body, "the gzip twin is not the page"
    etag = reply.header("ETag")
    assert etag, f"no ETag:\n{reply}"
    assert api.call("GET", f"/e/{public_id}", headers={"If-None-Match": etag}).status == 304

    page = parse_page(reply.body)
    where = f"/e/{public_id}"
    assert page.lang == "en", f"{where}: lang {page.lang!r}"
    assert event["title"] in page.title, f"{where}: <title>{page.title}</title>"
    assert normal(page.text_of("h1")) == event["title"], f"{where}: <h1>{page.text_of('h1')}</h1>"
    assert any(normal(event["description"]) in normal(e.text) for e in page.elements if e.tag in ("p", "div")), \
        f"{where}: the description is not on the page"
    times = [e.attrs["datetime"] for e in page.all("time") if "datetime" in e.attrs]
    assert times, f"{where}: no <time datetime>"
    assert parse_instant(times[0]) == parse_rfc3339(event["start_datetime"]), f"{where}: <time datetime={times[0]!r}>"

    widget = parse_page(get_widget(api, event).body)
    buttons = page.buttons()
    assert buttons == widget.buttons(), f"{where}: buttons {buttons} differ from the widget's {widget.buttons()}"
    assert set(buttons) == DEFAULT_PROVIDERS, f"{where}: buttons {buttons}"
    for kind, href in buttons.items():
        assert tracked(page_url, href) == f"/track/{public_id}/{kind}", f"{where}: {kind} -> {href}"
    assert f"/track/{public_id}/view" in widget_beacons(reply.body.decode()), f"{where}: no view beacon"

    # Open Graph, the Twitter card, canonical.
    assert normal(page.one_meta("og:title")) == event["title"], page.meta("og:title")
    assert page.one_meta("og:type") == "website"
    assert page.one_meta("og:url") == page_url
    og_description = normal(page.one_meta("og:description"))
    assert og_description and og_description.rstrip("…. ")[:40] in normal(event["description"]), og_description
    assert page.one_meta("twitter:card") == "summary"
    assert normal(page.one_meta("twitter:title")) == event["title"]
    assert normal(page.one_meta("twitter:description")), "empty twitter:description"
    assert page.links("canonical") == [page_url], f"{where}: canonical {page.links('canonical')}"

    # schema.org/Event
    data = the_json_ld(page, where)
    assert normal(data.get("name")) == event["title"], data
    assert schema_value(data.get("eventAttendanceMode")) == "OnlineEventAttendanceMode", data
    assert schema_value(data.get("eventStatus")) == "EventScheduled", data
    location = data.get("location")
    locations = location if isinstance(location, list) else [location]
    virtual = [loc for loc in locations if isinstance(loc, dict) and loc.get("@type") == "VirtualLocation"]
    assert virtual and virtual[0].get("url") == JOIN_URL, f"{where}: location {location!r}"
    assert parse_instant(data.get("startDate")) == parse_rfc3339(event["start_datetime"]), data
    assert parse_instant(data.get("endDate")) == parse_rfc3339(event["end_datetime"]), data
    organizer = data.get("organizer")
    assert isinstance(organizer, dict) and normal(organizer.get("name")) == ORGANIZER_NAME, f"{where}: organizer {organizer!r}"
    if "description" in data:
        assert normal(data["description"]) == normal(event["description"]), data


def test_event_in_another_zone_keeps_its_instants(served):
    """startDate/endDate carry an offset and denote the API's instants whatever the zone."""
    api, token, _out = served
    for zone in ("America/Los_Angeles", "Asia/Tokyo", "Pacific/Chatham", "UTC"):
        event = new_event(api, token, f"Zone {zone}", timezone=zone)
        data = the_json_ld(parse_page(get_page(api, event).body), zone)
        assert parse_instant(data["startDate"]) == parse_rfc3339(event["start_datetime"]), (zone, data)
        assert parse_instant(data["endDate"]) == parse_rfc3339(event["end_datetime"]), (zone, data)


def test_cancelled_event_page(served):
    api, token, _out = served
    event = new_event(api, token, "Cancelled webinar")
    cancelled = api.call("POST", f"/api/events/{event['id']}/cancel", token=token)
    assert cancelled.status == 200, cancelled
    page = parse_page(get_page(api, event).body)
    data = the_json_ld(page, "cancelled")
    assert schema_value(data.get("eventStatus")) == "EventCancelled", data
    assert parse_instant(data["startDate"]) == parse_rfc3339(event["start_datetime"]), data
    widget = parse_page(get_widget(api, event).body)
    assert page.buttons() == widget.buttons(), f"buttons {page.buttons()} differ from the cancelled widget's {widget.buttons()}"
    # Reinstated: scheduled again.
    again = api.call("PUT", f"/api/events/{event['id']}", {"status": "scheduled"}, token)
    assert again.status == 200, again
    data = the_json_ld(parse_page(get_page(api, event).body), "reinstated")
    assert schema_value(data.get("eventStatus")) == "EventScheduled", data


def test_ended_and_series_event_pages(served):
    """An ended event with a recording and a weekly series: the page has the widget's links
    (buttons and recording), and the JSON-LD's instants are the API's (a series: its first
    session or its next one, as the API reports them)."""
    api, token, _out = served
    past = soon(-20)
    ended = api.create_event(token, "Ended webinar", past, webinar_url=JOIN_URL, recording_url="https://example.com/recording/1")
    series = new_event(api, token, "Weekly webinar", recurrence={"freq": "weekly", "count": 4})
    for name, event in (("ended", ended), ("series", series)):
        page = parse_page(get_page(api, event).body)
        widget = parse_page(get_widget(api, event).body)
        assert page.buttons() == widget.buttons(), f"{name}: buttons {page.buttons()} != the widget's {widget.buttons()}"
        links = lambda doc: sorted(e.attrs.get("href", "") for e in doc.all("a") if "data-type" not in e.attrs)  # noqa: E731
        assert links(page) == links(widget), f"{name}: other links {links(page)} != the widget's {links(widget)}"
        data = the_json_ld(page, name)
        pairs = {(parse_rfc3339(event["start_datetime"]), parse_rfc3339(event["end_datetime"]))}
        if event.get("next_start"):
            pairs.add((parse_rfc3339(event["next_start"]), parse_rfc3339(event["next_end"])))
        assert (parse_instant(data["startDate"]), parse_instant(data["endDate"])) in pairs, f"{name}: {data} vs {pairs}"
    assert "https://example.com/recording/1" in [e.attrs.get("href") for e in parse_page(get_page(api, ended).body).all("a")]


HOSTILE_NAME = "Ana </script><!--<script> \"O'Neil\" & <img src=x onerror=alert(4)> \u202eעברית 🎉"
HOSTILE_LABEL = "</a><img src=x onerror=alert(5)>\"x"


def test_hostile_text(served):
    api, _token, _out = served
    token = api.organizer(HOSTILE_NAME)  # the organizer's name goes into the JSON-LD
    title = HOSTILE_TITLE.replace("🎉", "\r\n🎉")
    event = new_event(api, token, title, description=HOSTILE_DESCRIPTION,
                      customization_settings={"labels": {"google": HOSTILE_LABEL}})
    stored_title, stored_description = event["title"], event["description"]
    stored_name = api.call("GET", "/api/auth/me", token=token).json()["full_name"]
    assert stored_name and "</script>" in stored_name, f"the organizer's name as stored: {stored_name!r}"
    for label, reply in (("page", get_page(api, event)), ("widget", get_widget(api, event))):
        source = reply.body.decode("utf-8")
        page = parse_page(source)
        where = f"{label} of the hostile event"
        # Nothing the organizer typed became markup.
        assert not page.all("img") and not page.all("b") and not page.all("i"), f"{where}: markup from the text"
        handlers = [(e.tag, k) for e in page.elements for k in e.attrs if k.startswith("on")]
        assert not handlers, f"{where}: event handler attributes {handlers}"
        assert len(page.all("title")) == 1, f"{where}: {len(page.all('title'))} <title> elements"
        assert sum(1 for e in page.elements if e.tag == "style") <= 1, f"{where}: more than one <style>"
        for script in page.scripts:
            kind = script.attrs.get("type", "").lower()
            assert kind in ("application/ld+json", "", "text/javascript", "module"), script.attrs
            if kind != "application/ld+json":  # a data block may hold the text (escaped); code never
                assert "alert(" not in script.text and "src" not in script.attrs, \
                    f"{where}: the text runs as a script: {script.attrs} {script.text[:200]!r}"
        assert len(raw_scripts(source)) == len(page.scripts), f"{where}: the script elements were split differently"
        assert normal(page.text_of("h1")) == normal(stored_title), f"{where}: h1 {page.text_of('h1')!r}"
        assert normal(stored_title) in normal(page.title), f"{where}: <title> {page.title!r}"
        if label == "page":
            assert normal(page.one_meta("og:title")) == normal(stored_title)
            assert normal(page.one_meta("twitter:title")) == normal(stored_title)
            ld = [(tag, content) for tag, content in raw_scripts(source) if "ld+json" in tag.lower()]
            assert len(ld) == 1, f"{where}: {len(ld)} JSON-LD scripts"
            content = ld[0][1]
            for needle in ("</script", "<!--"):
                assert needle not in content.lower(), f"{where}: {needle!r} inside the JSON-LD script: {content[:300]!r}"
            data = the_json_ld(page, where)
            assert normal(data["name"]) == normal(stored_title), (data["name"], stored_title)
            assert "\u202e" in data["name"] and "🎉" in data["name"] and "שלום" in data["name"], data["name"]
            if "description" in data:
                assert normal(data["description"]) == normal(stored_description), data["description"]
            assert normal(data["organizer"]["name"]) == normal(stored_name), data["organizer"]
        labels = {e.attrs.get("data-type"): normal(e.text) for e in page.all("a") if "data-type" in e.attrs}
        assert labels.get("google") == normal(HOSTILE_LABEL), f"{where}: the google button reads {labels.get('google')!r}"


def inline_code(source: str) -> list[str]:
    """The content of every inline script that is code (not a JSON-LD data block)."""
    return [content for tag, content in raw_scripts(source) if "ld+json" not in tag.lower()]


def csp_hashes(reply) -> tuple[list[str], str]:
    """(script-src sources, the whole policy) of a response's Content-Security-Policy."""
    policy = reply.header("Content-Security-Policy") or ""
    for part in policy.split(";"):
        words = part.split()
        if words and words[0].lower() == "script-src":
            return words[1:], policy
    return [], policy


def check_scripts_admitted(where: str, reply) -> str | None:
    """The page's one inline script (if any) is admitted by its sha256 in script-src, never by
    'unsafe-inline'; returns its text."""
    source = (gzip.decompress(reply.body) if reply.header("Content-Encoding") == "gzip" else reply.body).decode()
    code = inline_code(source)
    sources, policy = csp_hashes(reply)
    assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources, f"{where}: script-src {sources}"
    assert "default-src" in policy, f"{where}: no default-src in the CSP {policy!r}"
    assert len(code) <= 1, f"{where}: {len(code)} inline scripts"
    for text in code:
        digest = "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"
        assert digest in sources, f"{where}: the inline script's hash {digest} is not in script-src {sources}"
    return code[0] if code else None


def test_clock_script_is_admitted_by_hash(served):
    """SPEC: one static inline script, the same bytes in every widget, admitted by its hash (the
    widget with scripts off still shows the event's zone); the widget stays <= 3 KB gzipped."""
    api, token, _out = served
    scripts: dict[str, str | None] = {}
    events = {code: new_event(api, token, f"Clock {code}", customization_settings={"language": code})
              for code in ("en", "pl", "ja", "ar")}
    events["hostile"] = new_event(api, token, HOSTILE_TITLE, description=HOSTILE_DESCRIPTION)
    events["auto"] = new_event(api, token, "Clock auto", customization_settings={"language": "auto", "theme": "auto"})
    for name, event in events.items():
        for label, path in (("widget", f"/widget/event/{event['public_id']}"), ("page", f"/e/{event['public_id']}")):
            for headers in ({}, {"Accept-Encoding": "gzip", "Accept-Language": "he"}):
                reply = api.call("GET", path, headers=headers)
                assert reply.status == 200, f"{path}: {reply}"
                scripts[f"{label} {name} {headers}"] = check_scripts_admitted(f"{label} {name} {path} {headers}", reply)
    widget_scripts = {k: v for k, v in scripts.items() if k.startswith("widget")}
    assert all(widget_scripts.values()), f"a widget without the clock script: {[k for k, v in widget_scripts.items() if not v]}"
    assert len(set(widget_scripts.values())) == 1, "the clock script differs between widgets"
    # Scripts off: the event's zone is in the HTML itself.
    static = parse_page(get_widget(api, events["en"]).body)
    assert "Europe/Warsaw" in " ".join(e.text for e in static.all("p")), "the static widget does not name the event's zone"
    zipped = api.call("GET", f"/widget/event/{events['en']['public_id']}", headers={"Accept-Encoding": "gzip"})
    assert zipped.header("Content-Encoding") == "gzip" and len(zipped.body) <= 3 * 1024, \
        f"the en widget is {len(zipped.body)} bytes gzipped (budget 3 KB)"


def test_indexing(served):
    api, token, _out = served
    event = new_event(api, token, "Indexing webinar")
    page = parse_page(get_page(api, event).body)
    assert "noindex" in page.robots(), f"no noindex by default: {page.meta('robots')}"

    changed = api.call("PUT", f"/api/events/{event['id']}", {"customization_settings": {"allow_indexing": True}}, token)
    assert changed.status == 200, changed
    assert changed.json()["customization_settings"].get("allow_indexing") is True, changed
    page = parse_page(get_page(api, event).body)
    assert "noindex" not in page.robots(), f"noindex with allow_indexing true: {page.meta('robots')}"

    wrong = api.call("PUT", f"/api/events/{event['id']}", {"customization_settings": {"allow_indexing": "yes"}}, token)
    assert wrong.status == 422, wrong

    # The organizer's default, and an event's own false above it.
    other = api.organizer("Indexing Organizer")
    defaults = api.call("PUT", "/api/settings/iframe", {"iframe_defaults": {"allow_indexing": True}}, other)
    assert defaults.status == 200, defaults
    open_event = new_event(api, other, "Indexed by default")
    closed_event = new_event(api, other, "Not indexed", customization_settings={"allow_indexing": False})
    assert "noindex" not in parse_page(get_page(api, open_event).body).robots()
    assert "noindex" in parse_page(get_page(api, closed_event).body).robots()
    # Back to the default: republished without the opt-in.
    reset = api.call("PUT", "/api/settings/iframe", {"iframe_defaults": {}}, other)
    assert reset.status == 200, reset
    assert "noindex" in parse_page(get_page(api, open_event).body).robots()


def test_page_url(served):
    api, token, out = served
    event = new_event(api, token, "Page URL webinar")
    expected = f"{api.base}/e/{event['public_id']}"
    assert event.get("page_url") == expected, f"create: {event}"
    one = api.call("GET", f"/api/events/{event['id']}", token=token).json()
    assert one.get("page_url") == expected, f"get: {one}"
    listed = api.call("GET", "/api/events?limit=100", token=token).json()
    items = listed["events"]
    mine = [item for item in items if item["id"] == event["id"]]
    assert mine and mine[0].get("page_url") == expected, f"list: {mine}"
    updated = api.call("PUT", f"/api/events/{event['id']}", {"title": "Page URL webinar, renamed"}, token)
    assert updated.status == 200 and updated.json().get("page_url") == expected, updated
    page = parse_page(get_page(api, event, path=urlparse(expected).path).body)
    assert normal(page.text_of("h1")) == "Page URL webinar, renamed"

    deleted = api.call("DELETE", f"/api/events/{event['id']}", token=token)
    assert deleted.status == 204, deleted
    for path in (f"/e/{event['public_id']}", f"/widget/event/{event['public_id']}"):
        gone = api.call("GET", path)
        assert gone.status == 404, f"GET {path} after the deletion: {gone}"
        gone = api.call("GET", path, headers={"Accept-Encoding": "gzip", "Accept-Language": "de"})
        assert gone.status == 404, f"GET {path} (gzip, de) after the deletion: {gone}"
    assert not (out / "e" / event["public_id"]).exists(), "the event page's folder is still published"


# --------------------------------------------------------------------------------------------
# Languages
# --------------------------------------------------------------------------------------------


def month_names(code: str, month: int) -> set[str]:
    import babel.dates

    names = set()
    for context in ("format", "stand-alone"):
        for width in ("wide", "abbreviated"):
            name = babel.dates.get_month_names(width, context, locale=code)[month]
            names.add(name.rstrip(".").casefold())
    return names


def test_every_language_is_spoken(served):
    api, token, _out = served
    headings: dict[str, str] = {}
    labels: dict[str, str] = {}
    for code in LANGUAGES:
        event = new_event(api, token, f"Language {code}", customization_settings={"language": code})
        local = parse_rfc3339(event["start_datetime"]).astimezone(ZoneInfo(event["timezone"]))
        for label, reply in (("widget", get_widget(api, event)), ("page", get_page(api, event))):
            page = parse_page(reply.body)
            where = f"{label} in {code}"
            assert page.lang == code, f"{where}: lang {page.lang!r}"
            if code in RTL:
                assert page.dir == "rtl", f"{where}: dir {page.dir!r}"
            else:
                assert page.dir in (None, "ltr"), f"{where}: dir {page.dir!r}"
            when = " ".join(e.text for e in page.elements if e.tag == "p" and "when" in e.attrs.get("class", "").split())
            when = when or " ".join(e.text for e in page.all("time"))
            names = month_names(code, local.month)
            assert any(name in when.casefold() for name in names), f"{where}: none of {names} in the time {when!r}"
            if label == "widget":
                headings[code] = normal(page.text_of("h2"))
                labels[code] = next((e.attrs.get("aria-label", "") for e in page.all("nav")), "")
    for texts, what in ((headings, "heading"), (labels, "buttons' label")):
        same = [(a, b) for i, a in enumerate(LANGUAGES) for b in LANGUAGES[i + 1:] if texts[a] == texts[b]]
        assert not same, f"the widget's {what} is the same in {same}: {texts}"


AUTO_CHOICES = [
    ("de-DE,de;q=0.9", "de"),
    ("fr-CA", "fr"),
    ("zh-CN", None),  # None: the fallback
    (None, None),
    ("fr;q=0.5, de;q=0.9", "de"),
    ("zh-CN, ja;q=0.2", "ja"),
    ("pt-BR,pt;q=0.9,en;q=0.8", "pt"),
    ("he-IL", "he"),
    ("AR-eg", "ar"),
    ("*", None),
    ("de;q=0, sv;q=0.1", "sv"),
    ("uk-UA,uk;q=0.9,ru;q=0.8", "uk"),
    ("de-CH-1996", "de"),  # lookup drops subtags from the end
    ("zh-Hant-TW, ja-JP", "ja"),
    ("sv-SE;q=1.000", "sv"),
]
# Malformed or odd headers: any supported language, never an error.
ODD_ACCEPT_LANGUAGES = ["de;q=abc, fr", "x" * 4000, ",,,;;;", "de;q=1.5", "\u00e9", "en-US;q=0.8, *;q=0.1", "q=0.5", " ; "]


def lang_of(reply) -> str | None:
    body = gzip.decompress(reply.body) if reply.header("Content-Encoding") == "gzip" else reply.body
    return parse_page(body).lang


def check_variant_etags(name: str, get, require_etag: bool = True) -> None:
    """Each language's copy is its own representation: different bytes, a different ETag (else a
    cache revalidating one language is told another language's request is "not modified"); a
    revalidation of the same language is a 304. Without require_etag (Nginx) a copy may come
    without an ETag, revalidated by Last-Modified only."""
    seen: dict[str, tuple[str, bytes]] = {}
    for code in LANGUAGES:
        reply = get({"Accept-Language": code})
        assert reply.status == 200 and lang_of(reply) == code, f"{name} Accept-Language {code}: {reply}"
        etag = reply.header("ETag")
        if not etag and not require_etag:
            assert reply.header("Last-Modified"), f"{name} {code}: neither ETag nor Last-Modified"
            continue
        assert etag, f"{name} {code}: no ETag"
        if etag in seen and seen[etag][1] != reply.body:
            other = seen[etag][0]
            crossed = get({"Accept-Language": code, "If-None-Match": etag})
            pytest.fail(f"{name}: the {other} and {code} copies differ but share the ETag {etag} "
                        f"(a {code} request with If-None-Match: {etag} gets {crossed.status})")
        seen[etag] = (code, reply.body)
    german = get({"Accept-Language": "de"})
    if german.header("ETag"):
        assert get({"Accept-Language": "de", "If-None-Match": german.header("ETag")}).status == 304, name
    else:
        assert get({"Accept-Language": "de", "If-Modified-Since": german.header("Last-Modified")}).status == 304, name


def test_language_auto_through_serve(served):
    api, token, out = served
    event = new_event(api, token, "Auto language webinar", customization_settings={"language": "auto"})
    placement = api.create_placement(token, event["id"], "newsletter")
    public_id = event["public_id"]
    placement_path = urlparse(placement["widget_url"]).path
    folders = {"widget": out / "widget" / "event" / public_id, "page": out / "e" / public_id}
    folders["placement"] = out / placement_path.strip("/")
    for name, folder in folders.items():
        missing = [f"index.{code}.html{gz}" for code in LANGUAGES for gz in ("", ".gz")
                   if not (folder / f"index.{code}.html{gz}").is_file()]
        assert (folder / "index.html").is_file() and not missing, f"{name} folder {folder}: missing {missing}"

    paths = {"widget": f"/widget/event/{public_id}", "placement": placement_path, "page": f"/e/{public_id}"}
    for name, path in paths.items():
        for accept, expected in AUTO_CHOICES:
            headers = {"Accept-Language": accept} if accept is not None else {}
            reply = api.call("GET", path, headers=headers)
            assert reply.status == 200, f"{name} {path} Accept-Language {accept!r}: {reply}"
            assert lang_of(reply) == (expected or "en"), f"{name} Accept-Language {accept!r}: lang {lang_of(reply)!r}"
            assert "accept-language" in vary_names(reply), f"{name} Accept-Language {accept!r}: Vary {reply.all('Vary')}"
            zipped = api.call("GET", path, headers={**headers, "Accept-Encoding": "gzip"})
            assert zipped.status == 200 and zipped.header("Content-Encoding") == "gzip", zipped
            assert lang_of(zipped) == (expected or "en"), f"{name} gzip, Accept-Language {accept!r}: {lang_of(zipped)!r}"
            assert {"accept-language", "accept-encoding"} <= vary_names(zipped), zipped.all("Vary")
        for accept in ODD_ACCEPT_LANGUAGES:
            reply = api.call("GET", path, headers={"Accept-Language": accept})
            assert reply.status == 200 and lang_of(reply) in LANGUAGES, f"{name} Accept-Language {accept[:40]!r}: {reply}"
        if name == "page":
            assert parse_page(api.call("GET", path, headers={"Accept-Language": "he"}).body).dir == "rtl"
        check_variant_etags(name, lambda headers: api.call("GET", path, headers=headers))

    # The fallback is the organizer's language when their defaults name one.
    defaults = api.call("PUT", "/api/settings/iframe", {"iframe_defaults": {"language": "pl"}}, token)
    assert defaults.status == 200, defaults
    for name, path in paths.items():
        for accept in ("zh-CN", None):
            reply = api.call("GET", path, headers={"Accept-Language": accept} if accept else {})
            assert lang_of(reply) == "pl", f"{name} with the organizer's default pl, Accept-Language {accept!r}: {lang_of(reply)!r}"
        assert lang_of(api.call("GET", path, headers={"Accept-Language": "de-DE"})) == "de"
    reset = api.call("PUT", "/api/settings/iframe", {"iframe_defaults": {}}, token)
    assert reset.status == 200, reset

    # A fixed language is what the organizer chose, whoever asks.
    fixed = new_event(api, token, "German only", customization_settings={"language": "de"})
    for path in (f"/widget/event/{fixed['public_id']}", f"/e/{fixed['public_id']}"):
        assert lang_of(api.call("GET", path, headers={"Accept-Language": "fr-CA"})) == "de", path

    # Not a language: refused.
    for value in ("xx", "de-DE", "AUTO", "", 7):
        wrong = api.call("PUT", f"/api/events/{fixed['id']}", {"customization_settings": {"language": value}}, token)
        assert wrong.status == 422, f"language {value!r}: {wrong}"


def test_language_changes_leave_no_stale_variant(served):
    """auto -> a fixed language removes the variants (no French copy is served any more), for
    the widget, a placement and the page; auto inherited from the organizer's defaults makes
    variants and a fixed default removes them; allow_indexing reaches every variant; the JSON-LD
    says the variant's language; a deletion removes every variant."""
    api, _token, out = served
    token = api.organizer("Switching Organizer")
    event = new_event(api, token, "Switching webinar", customization_settings={"language": "auto"})
    placement = api.create_placement(token, event["id"], "sidebar")
    paths = [f"/widget/event/{event['public_id']}", urlparse(placement["widget_url"]).path, f"/e/{event['public_id']}"]
    assert lang_of(api.call("GET", paths[0], headers={"Accept-Language": "fr"})) == "fr"
    changed = api.call("PUT", f"/api/events/{event['id']}", {"customization_settings": {"language": "de"}}, token)
    assert changed.status == 200, changed
    for path in paths:
        for headers in ({"Accept-Language": "fr"}, {"Accept-Language": "ja", "Accept-Encoding": "gzip"}):
            assert lang_of(api.call("GET", path, headers=headers)) == "de", f"{path} {headers} after auto -> de"
        stale = sorted(p.name for p in (out / path.strip("/")).glob("index.*.html*"))
        assert not stale, f"{path}: language variants left after auto -> de: {stale}"

    defaults = api.call("PUT", "/api/settings/iframe", {"iframe_defaults": {"language": "auto"}}, token)
    assert defaults.status == 200, defaults
    inherited = new_event(api, token, "Inherits auto")
    page = f"/e/{inherited['public_id']}"
    reply = api.call("GET", page, headers={"Accept-Language": "ja"})
    assert lang_of(reply) == "ja" and "accept-language" in vary_names(reply), f"auto from the defaults: {reply}"
    defaults = api.call("PUT", "/api/settings/iframe", {"iframe_defaults": {"language": "it"}}, token)
    assert defaults.status == 200, defaults
    assert lang_of(api.call("GET", page, headers={"Accept-Language": "ja"})) == "it", "defaults auto -> it"
    stale = sorted(p.name for p in (out / "e" / inherited["public_id"]).glob("index.*.html*"))
    assert not stale, f"variants left after the defaults went from auto to it: {stale}"

    indexed = new_event(api, token, "Indexed auto", customization_settings={"language": "auto", "allow_indexing": True})
    folder = out / "e" / indexed["public_id"]
    variants = sorted(folder.glob("index*.html"))
    assert len(variants) == len(LANGUAGES) + 1, [p.name for p in variants]
    for variant in variants:
        parsed = parse_page(variant.read_bytes())
        assert "noindex" not in parsed.robots(), f"{variant.name}: noindex although allow_indexing is true"
        data = the_json_ld(parsed, variant.name)
        if "inLanguage" in data:
            assert data["inLanguage"] == parsed.lang, f"{variant.name}: inLanguage {data['inLanguage']!r}, lang {parsed.lang!r}"
    deleted = api.call("DELETE", f"/api/events/{indexed['id']}", token=token)
    assert deleted.status == 204, deleted
    assert not folder.exists(), f"{folder} (variants) still published after the deletion"
    for code in ("de", "he", "zh"):
        assert api.call("GET", f"/e/{indexed['public_id']}", headers={"Accept-Language": code}).status == 404


def test_language_auto_through_nginx(stack_factory):
    stack = stack_factory(rate_limits=False)
    token = stack.organizer()
    start = soon()
    created = fetch(stack.port, "POST", "/api/events", token=token, body={
        "title": "Nginx auto language", "description": "Through Nginx.",
        "start_datetime": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end_datetime": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "timezone": "Europe/Warsaw", "webinar_url": JOIN_URL, "customization_settings": {"language": "auto"}})
    assert created.status == 201, created
    event = created.json()
    public_id = event["public_id"]
    assert event.get("page_url") == f"{stack.base}/e/{public_id}", event
    placed = fetch(stack.port, "POST", f"/api/events/{event['id']}/placements", token=token, body={"name": "blog"})
    assert placed.status == 201, placed
    paths = {"widget": f"/widget/event/{public_id}", "placement": urlparse(placed.json()["widget_url"]).path,
             "page": f"/e/{public_id}"}
    # Nginx takes the first listed language it has (q-values aside).
    choices = [("de-DE,de;q=0.9", "de"), ("fr-CA", "fr"), ("zh-CN", "en"), (None, "en"), ("zh-CN, de;q=0.5", "de"),
               ("he-IL,he;q=0.9", "he"), ("ja", "ja"), ("pt-BR", "pt")]
    for name, path in paths.items():
        for accept, expected in choices:
            headers = {"Accept-Language": accept} if accept else {}
            reply = stack.get(path, headers=headers)
            assert reply.status == 200, f"{name} {path} through Nginx, Accept-Language {accept!r}: {reply}"
            assert (reply.header("Content-Type") or "").startswith("text/html"), reply
            assert lang_of(reply) == expected, f"{name} through Nginx, Accept-Language {accept!r}: lang {lang_of(reply)!r}"
            assert "accept-language" in vary_names(reply), f"{name} through Nginx: Vary {reply.all('Vary')}"
            zipped = stack.get(path, headers={**headers, "Accept-Encoding": "gzip"})
            assert zipped.status == 200, zipped
            assert lang_of(zipped) == expected, f"{name} through Nginx, gzip, Accept-Language {accept!r}: {lang_of(zipped)!r}"
        for accept in ODD_ACCEPT_LANGUAGES:
            reply = stack.get(path, headers={"Accept-Language": accept})
            assert reply.status == 200 and lang_of(reply) in LANGUAGES, f"{name} through Nginx, {accept[:40]!r}: {reply}"
        check_variant_etags(f"{name} through Nginx", lambda headers: stack.get(path, headers=headers), require_etag=False)
        check_scripts_admitted(f"{name} through Nginx", stack.get(path, headers={"Accept-Language": "de"}))
        check_scripts_admitted(f"{name} through Nginx, gzip", stack.get(path, headers={"Accept-Language": "ar", "Accept-Encoding": "gzip"}))
    fixed = fetch(stack.port, "POST", "/api/events", token=token, body={
        "title": "Nginx fixed language", "description": "Only Swedish.",
        "start_datetime": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end_datetime": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "timezone": "Europe/Warsaw", "webinar_url": JOIN_URL, "customization_settings": {"language": "sv"}})
    assert fixed.status == 201, fixed
    fixed_id = fixed.json()["public_id"]
    for path, file in ((f"/e/{fixed_id}", stack.out / "e" / fixed_id / "index.html"),
                       (f"/widget/event/{fixed_id}", stack.out / "widget" / "event" / fixed_id / "index.html")):
        reply = stack.get(path, headers={"Accept-Language": "de"})
        assert reply.status == 200 and reply.body == file.read_bytes(), f"{path} through Nginx: {reply}"
        assert lang_of(reply) == "sv", f"{path} through Nginx (language sv, Accept-Language de): {lang_of(reply)!r}"
        assert (reply.header("Content-Type") or "").startswith("text/html"), reply
        check_scripts_admitted(f"{path} through Nginx", reply)
    page = parse_page(stack.get(paths["page"], headers={"Accept-Language": "de"}).body)
    assert page.links("canonical") == [f"{stack.base}/e/{public_id}"], page.links("canonical")
    deleted = fetch(stack.port, "DELETE", f"/api/events/{event['id']}", token=token)
    assert deleted.status == 204, deleted
    for path in paths.values():
        assert stack.get(path, headers={"Accept-Language": "de"}).status == 404, path
