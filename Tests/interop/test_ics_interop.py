"""Interoperability tests: the `.ics` files and widgets that `attendify generate` writes, read back
with an independent RFC 5545 parser (the `icalendar` package) and checked at the byte level.

The events are inserted straight into SQLite (as the schema in Sources/Core/Storage/Migrations.swift
defines it), so the product sees the raw text: CRLF and lone CR, commas, semicolons, backslashes,
control characters, long lines, multi-byte letters, emoji with ZWJ sequences and markup.

Run: ATTENDIFY_BIN=.build/debug/attendify .venv/bin/python -m pytest -q Tests/interop
"""

from __future__ import annotations

import gzip
import os
import re
import sqlite3
import subprocess
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "Templates"
DEFAULT_UID_HOST = "127.0.0.1"  # host of the default public URL http://127.0.0.1:8080
MAX_OCTETS = 75


# --------------------------------------------------------------------------------------------
# Test data
# --------------------------------------------------------------------------------------------


def at(zone: str, *fields: int) -> int:
    """Epoch seconds of a wall-clock time in an IANA zone (how an organizer thinks of it)."""
    return int(datetime(*fields, tzinfo=ZoneInfo(zone)).timestamp())


@dataclass
class Ev:
    key: str
    public_id: str
    title: str
    description: str
    zone: str
    start: int
    duration: int = 3600
    url: str = "https://meet.example.com/j/8142?pwd=abc&lang=pl"
    customization: str = "{}"
    sequence: int = 0
    updated_at: int = 1_780_000_000
    reminder: int = 15
    row_id: int = field(default=0)

    @property
    def end(self) -> int:
        return self.start + self.duration


PL = "Zażółć gęślą jaźń"
DEV = "👩\u200d💻"  # woman technologist: woman + ZWJ + laptop (11 UTF-8 octets)
FAMILY = "👨\u200d👩\u200d👧\u200d👦"
RAINBOW = "🏳\ufe0f\u200d🌈"
SCRIPT = "<script>alert(1)</script>"

EVENTS: list[Ev] = [
    Ev(
        key="punctuation",
        public_id="interop_punct_0001",
        title="Q&A, part 1; paths C:\\new\\temp\\, and \\n is no newline; done\\",
        description=(
            "Agenda: intro, demo; Q&A\r\nWindows line\nUnix line\rOld Mac line\r\n\r\n"
            "Blank line above; path C:\\Users\\n\\x\\; done,\\,\\\\ end\ttab"
        ),
        zone="Europe/Warsaw",
        start=at("Europe/Warsaw", 2054, 7, 1, 16, 0),  # summer time, UTC+02:00
        sequence=3,
    ),
    Ev(
        key="line-breaks-in-title",
        public_id="interop-breaks-0002",
        title="Line one\r\nLine two\rLine three\nLine four\r\n\r\nafter a blank line",
        description="One\r\r\nTwo\n\rThree\x0cform feed and \x07bell are dropped\x0b",
        zone="America/St_Johns",
        start=at("America/St_Johns", 2054, 12, 3, 9, 30),  # UTC-03:30
        sequence=1,
    ),
    Ev(
        key="long-lines",
        public_id="interop_long_lines_0003_" + "x" * 40,  # 64 characters: the longest public id
        title=", ".join([PL] * 12),
        description=(
            ("Long line without breaks " * 12)
            + "\n"
            + (PL + " ") * 15
            + "\r\n"
            + ("€uro ✓ " * 40)
            + "\n"
            + "".join(chr(0x4E00 + i) for i in range(120))
        ),
        zone="Asia/Kolkata",
        start=at("Asia/Kolkata", 2054, 11, 20, 19, 0),  # UTC+05:30
        duration=5400,
        sequence=42,
    ),
    Ev(
        key="emoji",
        public_id="interopEmoji00004",
        title=f"Launch 🚀 with {DEV} devs, {FAMILY} families; {RAINBOW} 👍🏽 🇵🇱 — {PL}",
        description=(
            f"{PL} 🎉\n"
            + (DEV * 30)
            + "\n"
            + (f"{FAMILY}{RAINBOW}🇵🇱👍🏽" * 12)
            + "\nend \u2028 line separator kept"
        ),
        zone="Asia/Kathmandu",
        start=at("Asia/Kathmandu", 2027, 1, 15, 10, 15),  # UTC+05:45
    ),
    Ev(
        key="markup",
        public_id="interop_markup_00005",
        title=f"{SCRIPT} & friends",
        description=f"{SCRIPT}\n<img src=x onerror=alert(1)> & \"quotes\" 'apos' </p>",
        zone="Asia/Kolkata",
        start=at("Asia/Kolkata", 2054, 9, 1, 23, 30),  # crosses midnight locally
        duration=7200,
    ),
    Ev(
        key="url-in-description",
        public_id="interop_urlindesc_06",
        title="Webinar whose description holds the link",
        description="Join here: https://meet.example.com/j/9?pwd=a,b;c\r\nSee you there!",
        url="https://meet.example.com/j/9?pwd=a,b;c",
        zone="Europe/Warsaw",
        start=at("Europe/Warsaw", 2054, 1, 12, 18, 0),  # winter time, UTC+01:00
    ),
    Ev(
        key="empty-description",
        public_id="interop_empty_desc_07",
        title="No description at all",
        description="",
        zone="Pacific/Chatham",
        start=at("Pacific/Chatham", 2054, 12, 24, 8, 0),  # UTC+13:45
    ),
    Ev(
        key="reminder-60",
        public_id="interop_remind60_08",
        title="Reminder an hour ahead",
        description="Custom reminder",
        customization='{"reminder_minutes": 60}',
        reminder=60,
        zone="America/St_Johns",
        start=at("America/St_Johns", 2054, 6, 10, 12, 0),  # summer, UTC-02:30
    ),
    Ev(
        key="reminder-0",
        public_id="interop_remind0_009",
        title="Reminder at start",
        description="Reminder fires when it starts",
        customization='{"reminder_minutes": 0}',
        reminder=0,
        zone="UTC",
        start=1_800_000_000,
    ),
]

# Folding stress: runs of 2-, 3- and 4-octet scalars (and ZWJ sequences, and two-octet escapes)
# shifted by 0..3 ASCII octets, so every alignment of a multi-byte sequence meets the 75-octet edge.
for shift in range(4):
    EVENTS.append(
        Ev(
            key=f"fold-align-{shift}",
            public_id=f"interop_fold_align_{shift}",
            title="a" * shift + (f"ż€😀{DEV}" * 12),
            description="b" * shift + ("\\,;ó" * 60) + "\n" + "c" * shift + ("🇵🇱,\\" * 40),
            zone="Europe/Warsaw",
            start=at("Europe/Warsaw", 2054, 3, 29, 1, 30) + shift * 86400,  # around the DST switch
            sequence=shift,
        )
    )


# --------------------------------------------------------------------------------------------
# Expectations, written from the RFC and the product's documented rules (not from its code)
# --------------------------------------------------------------------------------------------


def normalized(text: str) -> str:
    """Line breaks become LF (CRLF and lone CR alike); control characters other than LF and TAB go."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")


def expected_description(ev: Ev) -> str:
    text = normalized(ev.description)
    if ev.url in text:
        return text
    return ev.url if text == "" else text + "\n\n" + ev.url


def utc(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, tz=timezone.utc)


# --------------------------------------------------------------------------------------------
# Running the product
# --------------------------------------------------------------------------------------------


def attendify_bin() -> str:
    path = os.environ.get("ATTENDIFY_BIN") or str(REPO / ".build" / "debug" / "attendify")
    if not os.access(path, os.X_OK):
        pytest.fail(f"attendify binary not found at {path}: build it or set ATTENDIFY_BIN", pytrace=False)
    return path


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    # The product reads ATTENDIFY_* fallbacks; none of the caller's may leak into the test.
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATTENDIFY_")}
    result = subprocess.run(
        [attendify_bin(), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, (
        f"attendify {' '.join(args)} exited {result.returncode}\n"
        f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    )
    return result


def seed(db_path: Path, events: list[Ev]) -> None:
    with sqlite3.connect(db_path) as db:
        db.execute("PRAGMA foreign_keys = ON")
        user_id = db.execute(
            "INSERT INTO users (email, password_hash, full_name, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?)",
            ("interop@example.com", "$argon2id$v=19$not-a-real-hash", "Interop Tester", 1_770_000_000, 1_770_000_000),
        ).lastrowid
        for ev in events:
            ev.row_id = db.execute(
                "INSERT INTO events (user_id, public_id, title, description, start_datetime, end_datetime, "
                "timezone, webinar_url, customization_settings, sequence, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    user_id, ev.public_id, ev.title, ev.description, ev.start, ev.end, ev.zone, ev.url,
                    ev.customization, ev.sequence, ev.updated_at - 100, ev.updated_at,
                ),
            ).lastrowid


@dataclass
class Site:
    root: Path
    db: Path
    out: Path

    def ics(self, ev: Ev) -> bytes:
        return (self.out / "calendar" / ev.public_id / "download.ics").read_bytes()

    def widget(self, ev: Ev) -> Path:
        return self.out / "widget" / "event" / ev.public_id


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    for ev in EVENTS:
        assert re.fullmatch(r"[A-Za-z0-9_-]{16,64}", ev.public_id), ev.public_id
    root = tmp_path_factory.mktemp("interop")
    site = Site(root=root, db=root / "db.sqlite", out=root / "out")
    run("migrate", "--db", str(site.db), cwd=root)
    seed(site.db, EVENTS)
    result = run(
        "generate", "--all", "--db", str(site.db), "--out", str(site.out), "--templates", str(TEMPLATES), cwd=root
    )
    assert f"Published {len(EVENTS)} event(s)" in result.stdout
    return site


def parse(data: bytes):
    """The calendar and its one VEVENT, as the icalendar package reads them."""
    calendar = Calendar.from_ical(data)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


def content_lines(data: bytes) -> list[str]:
    """Independent RFC 5545 unfolding (3.1): CRLF followed by one space or tab disappears."""
    text = data.decode("utf-8")
    return re.sub(r"\r\n[ \t]", "", text).split("\r\n")[:-1]


def unescape(value: str) -> str:
    """RFC 5545 3.3.11 TEXT unescaping, in one pass."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


ids = [ev.key for ev in EVENTS]


# --------------------------------------------------------------------------------------------
# The .ics files
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("ev", EVENTS, ids=ids)
def test_ics_bytes_are_crlf_folded_and_valid_utf8(site: Site, ev: Ev) -> None:
    data = site.ics(ev)
    data.decode("utf-8", errors="strict")
    assert data.endswith(b"\r\n")
    assert re.search(rb"(?<!\r)\n", data) is None, "bare LF in the file"
    assert re.search(rb"\r(?!\n)", data) is None, "bare CR in the file"
    physical = data.split(b"\r\n")[:-1]
    assert physical, "empty file"
    for number, line in enumerate(physical, 1):
        assert line, f"empty physical line {number}"
        assert len(line) <= MAX_OCTETS, f"line {number} has {len(line)} octets: {line!r}"
        # A fold that cut a UTF-8 sequence would leave halves that do not decode alone.
        line.decode("utf-8", errors="strict")
    assert physical[0] == b"BEGIN:VCALENDAR" and physical[-1] == b"END:VCALENDAR"


def test_long_values_really_are_folded(site: Site) -> None:
    """The stress events only prove something if their lines were long enough to be folded."""
    for ev in EVENTS:
        if ev.key.startswith(("long-lines", "fold-align", "emoji")):
            physical = site.ics(ev).split(b"\r\n")
            assert any(line.startswith(b" ") for line in physical), ev.key
            assert max(len(line) for line in physical) >= MAX_OCTETS - 3, ev.key


@pytest.mark.parametrize("ev", EVENTS, ids=ids)
def test_ics_parses_with_icalendar(site: Site, ev: Ev) -> None:
    calendar, event = parse(site.ics(ev))

    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["PRODID"]).strip()
    assert str(event["UID"]) == f"{ev.public_id}@{DEFAULT_UID_HOST}"

    assert str(event["SUMMARY"]) == normalized(ev.title)
    assert str(event["DESCRIPTION"]) == expected_description(ev)
    assert str(event["URL"]) == ev.url
    assert str(event["LOCATION"]) == ev.url

    for name, epoch in (("DTSTART", ev.start), ("DTEND", ev.end)):
        value = event.decoded(name)
        assert isinstance(value, datetime), name
        assert value.utcoffset() == timedelta(0), f"{name} is not UTC: {value!r}"
        assert value == utc(epoch), name
        assert "TZID" not in event[name].params, name
    assert event.decoded("DTSTAMP") == utc(ev.updated_at)

    assert int(event["SEQUENCE"]) == ev.sequence
    assert str(event["STATUS"]) == "CONFIRMED"

    alarms = event.walk("VALARM")
    assert len(alarms) == 1
    alarm = alarms[0]
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert str(alarm["DESCRIPTION"]).strip(), "a DISPLAY alarm needs a DESCRIPTION"
    assert alarm.decoded("TRIGGER") == timedelta(minutes=-ev.reminder)


@pytest.mark.parametrize("ev", EVENTS, ids=ids)
def test_ics_text_agrees_with_a_second_unfolder(site: Site, ev: Ev) -> None:
    """Cross-check icalendar with a minimal parser of our own, so one parser's quirk can't hide a bug."""
    lines = content_lines(site.ics(ev))
    begin, end = lines.index("BEGIN:VEVENT"), lines.index("BEGIN:VALARM")
    own = {line.split(":", 1)[0]: line.split(":", 1)[1] for line in lines[begin + 1 : end]}
    assert unescape(own["SUMMARY"]) == normalized(ev.title)
    assert unescape(own["DESCRIPTION"]) == expected_description(ev)
    assert own["DTSTART"] == utc(ev.start).strftime("%Y%m%dT%H%M%SZ")
    assert own["DTEND"] == utc(ev.end).strftime("%Y%m%dT%H%M%SZ")
    # Raw TEXT may hold no unescaped ',' or ';' (an RFC 5545 reader would split or reject it).
    for name in ("SUMMARY", "DESCRIPTION", "LOCATION"):
        assert re.search(r"(?<!\\)(?:\\\\)*[,;]", own[name]) is None, f"unescaped separator in {name}"


def test_description_gets_the_link_appended_unless_it_already_has_it(site: Site) -> None:
    by_key = {ev.key: ev for ev in EVENTS}
    _, plain = parse(site.ics(by_key["punctuation"]))
    assert str(plain["DESCRIPTION"]).endswith("\n\n" + by_key["punctuation"].url)

    holder = by_key["url-in-description"]
    _, event = parse(site.ics(holder))
    assert str(event["DESCRIPTION"]) == "Join here: https://meet.example.com/j/9?pwd=a,b;c\nSee you there!"
    assert str(event["DESCRIPTION"]).count(holder.url) == 1

    _, empty = parse(site.ics(by_key["empty-description"]))
    assert str(empty["DESCRIPTION"]) == by_key["empty-description"].url


def test_reminder_minutes_from_customization(site: Site) -> None:
    ev = next(ev for ev in EVENTS if ev.key == "reminder-60")
    data = site.ics(ev)
    assert b"\r\nTRIGGER:-PT60M\r\n" in data
    _, event = parse(data)
    assert event.walk("VALARM")[0].decoded("TRIGGER") == timedelta(minutes=-60)

    default = next(ev for ev in EVENTS if ev.key == "punctuation")
    assert b"\r\nTRIGGER:-PT15M\r\n" in site.ics(default)


def test_public_url_sets_uid_host_and_single_event_generation(site: Site) -> None:
    ev = EVENTS[0]
    out = site.root / "out-public-url"
    run(
        "generate", "--event", str(ev.row_id), "--db", str(site.db), "--out", str(out),
        "--templates", str(TEMPLATES), "--public-url", "https://widgets.example.org:8443", cwd=site.root,
    )
    assert sorted(p.name for p in (out / "calendar").iterdir()) == [ev.public_id]
    _, event = parse((out / "calendar" / ev.public_id / "download.ics").read_bytes())
    assert str(event["UID"]) == f"{ev.public_id}@widgets.example.org"
    # Same event, same bytes apart from the UID: the output does not depend on the run.
    assert (out / "calendar" / ev.public_id / "download.ics").read_bytes().replace(
        b"@widgets.example.org", b"@" + DEFAULT_UID_HOST.encode()
    ) == site.ics(ev)


# --------------------------------------------------------------------------------------------
# The widget pages
# --------------------------------------------------------------------------------------------

# The one script a widget may carry: the visitor's clock, inline, the same in every widget, with
# no source and no user text (the CSP admits it by its hash). Anything else is a finding.
CLOCK_SCRIPT = re.compile(r"<script>\(function\(\)\{var d=document,t=d\.querySelector\(\"time\[data-zone\]\"\);[^<]*</script>")


def without_clock_script(text: str) -> str:
    assert len(CLOCK_SCRIPT.findall(text)) == 1, "the widget should carry exactly one visitor's-clock script"
    return CLOCK_SCRIPT.sub("", text)



@pytest.mark.parametrize("ev", EVENTS, ids=ids)
def test_widget_html_and_gzip_twin(site: Site, ev: Ev) -> None:
    folder = site.widget(ev)
    html = (folder / "index.html").read_bytes()
    assert gzip.decompress((folder / "index.html.gz").read_bytes()) == html
    text = html.decode("utf-8", errors="strict")
    assert re.search(r"<script", without_clock_script(text), re.IGNORECASE) is None
    assert re.search(r"<img", text, re.IGNORECASE) is None
    assert f'datetime="{utc(ev.start).strftime("%Y-%m-%dT%H:%M:%SZ")}"' in text
    offset = utc(ev.start).astimezone(ZoneInfo(ev.zone)).utcoffset()
    minutes = int(offset.total_seconds()) // 60
    sign = "−" if minutes < 0 else "+"  # U+2212, as the widget writes it
    zone_text = f"{ev.zone.replace('_', ' ')}, UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    assert zone_text in text


def test_widget_escapes_markup_and_keeps_unicode(site: Site) -> None:
    markup = next(ev for ev in EVENTS if ev.key == "markup")
    text = (site.widget(markup) / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<script>" not in without_clock_script(text)
    assert "&lt;img src=x onerror=alert(1)&gt;" in text

    emoji = next(ev for ev in EVENTS if ev.key == "emoji")
    text = (site.widget(emoji) / "index.html").read_text(encoding="utf-8")
    for piece in (PL, DEV, FAMILY, RAINBOW, "🇵🇱", "👍🏽"):
        assert piece in text, piece


def test_every_event_has_exactly_its_four_files(site: Site) -> None:
    expected = {ev.public_id for ev in EVENTS}
    assert {p.name for p in (site.out / "calendar").iterdir()} == expected
    assert {p.name for p in (site.out / "widget" / "event").iterdir()} == expected
    for ev in EVENTS:
        assert sorted(p.name for p in site.widget(ev).iterdir()) == ["index.html", "index.html.gz"]
        assert sorted(p.name for p in (site.out / "calendar" / ev.public_id).iterdir()) == ["download.ics", "feed.ics"]


def test_widget_text_is_normalized_like_the_ics(site: Site) -> None:
    ev = next(ev for ev in EVENTS if ev.key == "line-breaks-in-title")
    html = (site.widget(ev) / "index.html").read_bytes()
    assert re.search(rb"[\x00-\x08\x0b-\x1f\x7f]", html) is None, "CR or control character in the widget"
