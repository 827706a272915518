"""Issue 11 acceptance test with real subscription clients: `vdirsyncer` subscribes to an
organizer's feed (an `http` storage, read-only) and syncs it into a local vdir (a `filesystem`
storage), and `khal` reads that vdir, in a fixed time zone, the way a person's calendar would.

The test creates events through the API of a real `attendify serve` (SQLite and PostgreSQL),
syncs, checks the synced files; then moves one event, gives another a new webinar link and
cancels a third; syncs again and checks, on the synced files, the new DTSTART, the new link
(URL, LOCATION, DESCRIPTION) and STATUS:CANCELLED, that a fourth event is untouched and that no
stale copy was left behind. Finally `khal list` shows the moved event at its new Europe/Warsaw
wall-clock time, and not at the old one.

vdirsyncer 0.19's http storage replaces every UID with a hash of the item (it assumes feeds with
unstable UIDs), so a changed event arrives as a new item and the old one is deleted; the synced
files are therefore matched by title, and "no stale copy" is what shows that the update worked.

The tools come from Debian (`apt-get install -y vdirsyncer khal`, which `scripts/setup.sh test`
does). Without them the test is skipped, except with CI=true, where that fails.

Run: ATTENDIFY_BIN=.build/debug/attendify .venv/bin/python -m pytest -q Tests/interop/test_subscription_client.py
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

import postgres_support as pg
from attendify_nginx import fetch, wait_until
from attendify_serve import database_for, running_serve

PASSWORD = "correct horse battery staple"
LOCAL_ZONE = "Europe/Warsaw"
OLD_LINK = "https://meet.example.com/j/1001?pwd=old"
NEW_LINK = "https://meet.example.com/j/2002?pwd=new&lang=pl"
PROPAGATION_S = 30.0  # the organizer feed catching up with the API: generous, never a speed test
TOOL_TIMEOUT_S = 120


def tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    message = f"{name} is not installed (apt-get install -y vdirsyncer khal, or scripts/setup.sh test)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; CI=true, so the subscription client test must run, not be skipped")
    pytest.skip(f"{message} (with CI=true this is a failure)")


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request) -> Iterator[tuple[str | None, dict[str, str]]]:
    db, env = database_for(request.param, request)
    yield db, env
    if db is not None:
        pg.drop_database(db, env["PGPASSWORD"])


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Client:
    """The organizer's side, over loopback HTTP to `attendify serve`."""

    def __init__(self, base: str):
        self.base = base
        self.port = int(base.rsplit(":", 1)[1])
        email = f"subscriber-{uuid.uuid4().hex[:12]}@example.com"
        registered = fetch(self.port, "POST", "/api/auth/register",
                           body={"email": email, "password": PASSWORD, "full_name": "Subscription Org"})
        assert registered.status == 201, registered
        login = fetch(self.port, "POST", "/api/auth/login", body={"email": email, "password": PASSWORD})
        assert login.status == 200, login
        self.token = login.json()["token"]

    def call(self, method: str, path: str, body=None, expect: int = 200) -> dict:
        reply = fetch(self.port, method, path, body=body, token=self.token)
        assert reply.status == expect, f"{method} {path} {body!r}: {reply}"
        return reply.json()

    def create(self, title: str, start: datetime, link: str = OLD_LINK) -> dict:
        return self.call("POST", "/api/events", {
            "title": title, "description": f"About {title}.", "start_datetime": rfc3339(start),
            "end_datetime": rfc3339(start + timedelta(hours=1)), "timezone": LOCAL_ZONE, "webinar_url": link,
        }, expect=201)

    def feed(self, url: str) -> bytes:
        assert url.startswith(self.base + "/"), url
        reply = fetch(self.port, "GET", url[len(self.base):])
        assert reply.status == 200, f"GET {url}: {reply}"
        return reply.body


class Subscriber:
    """vdirsyncer and khal, each with its own config in a temp folder, nothing from the user's."""

    def __init__(self, root: Path, feed_url: str):
        self.root = root
        self.vdir = root / "calendars" / "webinars"
        self.vdir.mkdir(parents=True)
        self.vdirsyncer_config = root / "vdirsyncer.conf"
        self.vdirsyncer_config.write_text(f"""\
[general]
status_path = "{root / 'vdirsyncer-status'}/"

[pair webinars]
a = "webinars_feed"
b = "webinars_local"
collections = null
conflict_resolution = "a wins"

[storage webinars_feed]
type = "http"
url = "{feed_url}"
read_only = true

[storage webinars_local]
type = "filesystem"
path = "{self.vdir}/"
fileext = ".ics"
""")
        self.khal_config = root / "khal.conf"
        self.khal_config.write_text(f"""\
[calendars]
[[webinars]]
path = {self.vdir}/
type = calendar

[locale]
timeformat = %H:%M
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%d %H:%M
longdatetimeformat = %Y-%m-%d %H:%M
local_timezone = {LOCAL_ZONE}
default_timezone = {LOCAL_ZONE}

[sqlite]
path = {root / 'khal.db'}
""")
        home = root / "home"
        home.mkdir()
        # TZ=UTC for the tools: the wall-clock time khal prints must come from its config alone.
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LANG": "C.UTF-8",
                    "LC_ALL": "C.UTF-8", "TZ": "UTC", "VDIRSYNCER_CONFIG": str(self.vdirsyncer_config),
                    "XDG_CONFIG_HOME": str(home / ".config"), "XDG_DATA_HOME": str(home / ".local/share"),
                    "XDG_CACHE_HOME": str(home / ".cache")}

    def run(self, *args: str, answers: str = "") -> str:
        result = subprocess.run(list(args), input=answers, capture_output=True, text=True, env=self.env,
                                cwd=self.root, timeout=TOOL_TIMEOUT_S)
        output = result.stdout + result.stderr
        assert result.returncode == 0, f"{' '.join(args)} exited {result.returncode}:\n{output}"
        # vdirsyncer reports a failed item or storage as an error line, sometimes with exit code 0.
        assert not re.search(r"^(?:error|critical):", output, re.MULTILINE), f"{' '.join(args)}:\n{output}"
        return output

    def sync(self) -> str:
        vdirsyncer = tool("vdirsyncer")
        # discover may ask before creating anything; the answers are "yes", like `yes |`.
        self.run(vdirsyncer, "--verbosity", "INFO", "discover", answers="y\n" * 20)
        return self.run(vdirsyncer, "--verbosity", "INFO", "sync")

    def synced(self) -> dict[str, object]:
        """SUMMARY -> VEVENT of every synced file (one event per file, as vdirsyncer stores them)."""
        events = {}
        files = sorted(self.vdir.glob("*.ics"))
        for path in files:
            found = Calendar.from_ical(path.read_bytes()).walk("VEVENT")
            assert len(found) == 1, f"{path.name} holds {len(found)} events"
            summary = str(found[0]["SUMMARY"])
            assert summary not in events, f"two synced files for {summary!r}"
            events[summary] = found[0]
        return events

    def khal_list(self, day: datetime) -> list[str]:
        output = self.run(tool("khal"), "-c", str(self.khal_config), "list", "--format", "{start-time} {title}",
                          "--day-format", "", day.strftime("%Y-%m-%d"), "1d")
        return [line.strip() for line in output.splitlines() if line.strip()]


def test_vdirsyncer_and_khal_follow_the_organizer_feed(tmp_path, backend):
    tool("vdirsyncer"), tool("khal")  # skip (or, with CI=true, fail) before starting anything
    db, db_env = backend
    work = tmp_path / "serve"
    work.mkdir()
    with running_serve(work, db=db, db_env=db_env) as (base, _log):
        client = Client(base)
        feed_url = client.call("GET", "/api/feed")["feed_url"]
        # Future events, whole hours UTC, a few weeks ahead (the feed holds upcoming events).
        first = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) + timedelta(days=21)
        moved = client.create("Moved webinar", first)
        relinked = client.create("Relinked webinar", first + timedelta(days=1))
        cancelled = client.create("Cancelled webinar", first + timedelta(days=2))
        steady = client.create("Steady webinar", first + timedelta(days=3))
        everyone = (moved, relinked, cancelled, steady)

        def feed_has(*pairs: tuple[dict, str]) -> bool:
            text = client.feed(feed_url).decode()
            return all(f"UID:{event['public_id']}@" in text and needle in text for event, needle in pairs)

        wait_until("all four events in the organizer feed",
                   lambda: feed_has(*[(e, f"UID:{e['public_id']}@") for e in everyone]), PROPAGATION_S)

        subscriber = Subscriber(tmp_path / "client", feed_url)
        subscriber.sync()
        synced = subscriber.synced()
        assert sorted(synced) == sorted(e["title"] for e in everyone), f"synced: {sorted(synced)}"
        assert len(list(subscriber.vdir.glob("*.ics"))) == 4
        for event in everyone:
            item = synced[event["title"]]
            assert item.decoded("DTSTART") == datetime.fromisoformat(event["start_datetime"].replace("Z", "+00:00"))
            assert str(item["URL"]) == OLD_LINK and str(item["STATUS"]) == "CONFIRMED", event["title"]

        # ---- the organizer changes things ------------------------------------------------------
        new_start = first + timedelta(days=4, hours=2, minutes=30)
        moved = client.call("PUT", f"/api/events/{moved['id']}", {
            "start_datetime": rfc3339(new_start), "end_datetime": rfc3339(new_start + timedelta(hours=1))})
        relinked = client.call("PUT", f"/api/events/{relinked['id']}", {"webinar_url": NEW_LINK})
        cancelled = client.call("POST", f"/api/events/{cancelled['id']}/cancel")
        assert cancelled["status"] == "cancelled", cancelled
        # The client must see the new state, so wait until the feed carries all three changes.
        wait_until("the organizer feed carrying the three changes", lambda: feed_has(
            (moved, f"SEQUENCE:{moved['sequence']}\r\n"), (relinked, f"SEQUENCE:{relinked['sequence']}\r\n"),
            (cancelled, "STATUS:CANCELLED")), PROPAGATION_S)

        output = subscriber.sync()
        synced = subscriber.synced()

    # ---- what the client now holds (serve is stopped: these are the local files) --------------
    assert sorted(synced) == sorted(["Moved webinar", "Relinked webinar", "Cancelled: Cancelled webinar",
                                     "Steady webinar"]), f"synced after the changes: {sorted(synced)}\n{output}"
    assert len(list(subscriber.vdir.glob("*.ics"))) == 4, "a stale copy of a changed event was left behind"

    item = synced["Moved webinar"]
    assert item.decoded("DTSTART") == new_start, f"DTSTART {item.decoded('DTSTART')!r}, moved to {new_start}"
    assert item.decoded("DTEND") == new_start + timedelta(hours=1)
    assert int(item["SEQUENCE"]) == moved["sequence"]

    item = synced["Relinked webinar"]
    assert str(item["URL"]) == NEW_LINK, item["URL"]
    assert str(item["LOCATION"]) == NEW_LINK, item["LOCATION"]
    assert NEW_LINK in str(item["DESCRIPTION"]) and OLD_LINK not in str(item["DESCRIPTION"]), item["DESCRIPTION"]

    item = synced["Cancelled: Cancelled webinar"]
    assert str(item["STATUS"]) == "CANCELLED", item["STATUS"]
    assert int(item["SEQUENCE"]) == cancelled["sequence"]

    item = synced["Steady webinar"]
    assert item.decoded("DTSTART") == datetime.fromisoformat(steady["start_datetime"].replace("Z", "+00:00"))
    assert str(item["STATUS"]) == "CONFIRMED" and str(item["URL"]) == OLD_LINK

    # ---- khal shows the moved event at its new local time, and no longer at the old one ----------
    local = new_start.astimezone(ZoneInfo(LOCAL_ZONE))
    print(f"vdirsyncer, second sync:\n{output}\nkhal list {local:%Y-%m-%d} 1d: {subscriber.khal_list(local)}")
    assert f"{local:%H:%M} Moved webinar" in subscriber.khal_list(local), (
        f"khal list {local:%Y-%m-%d}: expected '{local:%H:%M} Moved webinar' ({LOCAL_ZONE}) in "
        f"{subscriber.khal_list(local)}")
    old_local = first.astimezone(ZoneInfo(LOCAL_ZONE))
    assert not any(line.endswith("Moved webinar") for line in subscriber.khal_list(old_local)), (
        f"khal still lists the moved event on its old day: {subscriber.khal_list(old_local)}")
    # And the steady one where it always was, as a control that khal reads the vdir at all.
    steady_local = datetime.fromisoformat(steady["start_datetime"].replace("Z", "+00:00")).astimezone(ZoneInfo(LOCAL_ZONE))
    assert f"{steady_local:%H:%M} Steady webinar" in subscriber.khal_list(steady_local), subscriber.khal_list(steady_local)
