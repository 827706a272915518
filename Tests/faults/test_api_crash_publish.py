"""SIGKILL of `attendify api` in the middle of publishing.

An organizer with 300 events (seeded in SQLite, published with `attendify generate --all`) changes
the widget defaults (PUT /api/settings/iframe republishes every widget) while DELETEs of some of
the events run at the same time; `attendify api` is SIGKILLed while the PUT is in flight (after
its republishing visibly started and before its answer). A few crash leftovers of every kind
(`.tmp-*` files, `*.deleted-*` folders, `.bak-*` files) are also planted. After a restart of the
api on the same database, out/ must be exactly what a fresh `attendify generate --all` renders from
that database (same public URL), byte for byte, with no leftovers, and every event whose DELETE was
answered 204 must have no files. The trees are compared whole except for the publisher's own
`.locks/` folder of empty lock files, which is bookkeeping, not published content, and whose set of
files depends on which events were ever published rather than on the database.

Run: ATTENDIFY_BIN=.build/debug/attendify .venv/bin/python -m pytest -q -s Tests/faults/test_api_crash_publish.py
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import threading
import time
from pathlib import Path

import fault_support as fs

EVENTS = 300
DELETES = 20
ATTEMPTS = 3
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def seed_events(db: Path, email: str, count: int) -> list[str]:
    """Inserts `count` events for the organizer `email` directly in SQLite; returns public ids."""
    now = int(time.time())
    ids = ["".join(secrets.choice(ALPHABET) for _ in range(22)) for _ in range(count)]
    conn = sqlite3.connect(db, timeout=30)
    try:
        with conn:
            user_id = conn.execute("SELECT id FROM users WHERE email = ?", (email,)).fetchone()[0]
            for n, public_id in enumerate(ids):
                start = now + 86_400 * (n + 1)
                conn.execute(
                    """INSERT INTO events (user_id, public_id, title, description, start_datetime, end_datetime,
                       timezone, webinar_url, customization_settings, sequence, created_at, updated_at)
                       VALUES (?, ?, ?, ?, ?, ?, 'Europe/Warsaw', ?, '{}', 0, ?, ?)""",
                    (user_id, public_id, f"Crash test webinar {n}", f"Seeded event {n}.\nSecond line.",
                     start, start + 3600, f"https://example.com/w/{n}", now - n, now - n),
                )
    finally:
        conn.close()
    return ids


def event_ids(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db, timeout=30)
    try:
        return {pid: eid for eid, pid in conn.execute("SELECT id, public_id FROM events")}
    finally:
        conn.close()


def tombstone_count(db: Path) -> int:
    """Deleted events whose cancellation their own feed still carries (calendar/{id}/feed.ics)."""
    conn = sqlite3.connect(db, timeout=30)
    try:
        return conn.execute("SELECT COUNT(*) FROM event_tombstones").fetchone()[0]
    finally:
        conn.close()


def event_file_count(files: dict[str, bytes]) -> int:
    return sum(1 for k in files if k.startswith(("widget/event/", "calendar/")) and not fs.LEFTOVER.search(k))


def comparable(files: dict[str, bytes]) -> dict[str, bytes]:
    return {k: v for k, v in files.items() if not k.startswith(".locks/")}


def mtimes(out: Path, public_ids: list[str]) -> dict[str, int]:
    stamps = {}
    for public_id in public_ids:
        try:
            stamps[public_id] = os.stat(out / "widget" / "event" / public_id / "index.html").st_mtime_ns
        except FileNotFoundError:
            stamps[public_id] = -1
    return stamps


def plant_leftovers(out: Path, public_id: str) -> list[Path]:
    """Crash leftovers of each kind the publisher can leave behind."""
    widget = out / "widget" / "event" / public_id
    widget.mkdir(parents=True, exist_ok=True)
    planted = [widget / ".tmp-1234567890", widget / ".bak-42", out / "calendar" / f"{public_id}.deleted-77"]
    planted[0].write_bytes(b"<!doctype html><p>half a widget")
    planted[1].write_bytes(b"old copy")
    planted[2].mkdir(parents=True, exist_ok=True)
    (planted[2] / "download.ics").write_bytes(b"BEGIN:VCALENDAR\r\n")
    return planted


def test_sigkill_mid_publish_then_restart_matches_fresh_generate(tmp_path: Path) -> None:
    """Proves that after `attendify api` is SIGKILLed while PUT /api/settings/iframe republishes 300
    widgets (with concurrent DELETEs), a restarted api leaves out/ byte-identical to a fresh
    `generate --all` of the same database, removes every crash leftover, and keeps no files of an
    event whose DELETE was answered 204."""
    db, out = tmp_path / "db.sqlite", tmp_path / "out"
    port = fs.free_port()
    public_url = f"http://127.0.0.1:{port}"
    email = "crash@example.com"
    log_path = tmp_path / "api.log"
    api = fs.start_api(db, out, log_path, port=port, public_url=public_url)
    try:
        token = fs.sign_up(api.base, email)
        public_ids = seed_events(db, email, EVENTS)
        generated = fs.generate_all(db, out, public_url)
        assert generated.returncode == 0, f"generate --all failed: {generated.stdout}{generated.stderr}"
        seeded_files = event_file_count(fs.tree(out))
        # Widget, gzip twin, download and the event's own feed.
        assert seeded_files == 4 * EVENTS, f"seeded publish produced {seeded_files} event files for {EVENTS} events"

        # Calibration: one republish that is not interrupted, to know how long it takes.
        calibration = fs.call(api.base, "PUT", "/api/settings/iframe", {"iframe_defaults": {"accent_color": "#123456"}}, token, timeout=120)
        assert calibration.status == 200, f"uninterrupted settings PUT: {calibration.brief()}"
        republish_s = calibration.seconds

        crashed_mid_flight = 0
        deleted_204: list[str] = []
        report: list[str] = []
        all_5xx: dict[str, str] = {}
        alive_ids = list(public_ids)
        for attempt in range(1, ATTEMPTS + 1):
            if crashed_mid_flight:
                break
            baseline = mtimes(out, alive_ids)
            # The last attempt sends the PUT alone, so that a PUT failing early because of the
            # concurrent DELETEs (itself reported as a 5xx) cannot keep the crash from happening.
            victims = alive_ids[attempt * 7: attempt * 7 + DELETES] if attempt < ATTEMPTS else []
            ids = event_ids(db)
            answers: dict[str, fs.Answer] = {}
            barrier = threading.Barrier(1 + len(victims))

            def put_settings(colour: str = f"#{attempt * 40:02x}a0{attempt * 30:02x}") -> None:
                barrier.wait(timeout=30)
                answers["PUT"] = fs.call(api.base, "PUT", "/api/settings/iframe", {"iframe_defaults": {"accent_color": colour}}, token, timeout=120)

            def delete(public_id: str) -> None:
                barrier.wait(timeout=30)
                answers[public_id] = fs.call(api.base, "DELETE", f"/api/events/{ids[public_id]}", token=token, timeout=120)

            threads = [threading.Thread(target=put_settings, daemon=True)]
            threads += [threading.Thread(target=delete, args=(v,), daemon=True) for v in victims]
            for thread in threads:
                thread.start()
            # Kill once a third of the widgets changed on disk, or at a fraction of the calibrated
            # duration if changes cannot be seen, but only while the PUT has not been answered.
            started = time.monotonic()
            kill_after = republish_s / (2 * attempt)
            changed = polls = 0
            while "PUT" not in answers and time.monotonic() - started < 120 and polls < 100_000:
                polls += 1
                now = mtimes(out, alive_ids)
                changed = sum(1 for k in alive_ids if now[k] != baseline[k] and k not in victims)
                if changed >= EVENTS // 3 or time.monotonic() - started >= kill_after:
                    break
            killed_at = time.monotonic() - started
            put_answered_before_kill = "PUT" in answers
            api.kill()
            for thread in threads:
                thread.join(30)
            put = answers.get("PUT")
            statuses = {k: a.status for k, a in answers.items() if k != "PUT"}
            deleted_204 += [k for k, s in statuses.items() if s == 204]
            five_xx = {k: a.brief() for k, a in answers.items() if a.status >= 500}
            all_5xx.update({f"attempt {attempt} {k}": v for k, v in five_xx.items()})
            report.append(
                f"attempt {attempt}: killed {killed_at:.3f}s after sending (calibrated republish {republish_s:.2f}s), "
                f"widgets changed on disk {changed}/{EVENTS}, PUT {put.brief() if put else 'no answer'}, "
                f"DELETE statuses {sorted(statuses.values())}, 5xx {five_xx}, leftovers now {len(fs.leftovers(out))}")
            # In flight: sent and accepted, then cut off by the kill (not refused, not answered).
            if not put_answered_before_kill and put is not None and put.status == 0 and "Refused" not in (put.error or ""):
                crashed_mid_flight += 1
            alive_ids = [k for k in alive_ids if k not in victims]

            planted = plant_leftovers(out, alive_ids[0])
            api = fs.start_api(db, out, log_path, port=port, public_url=public_url)

        print("\n" + "\n".join(report))
        assert crashed_mid_flight, "the api could never be killed while the PUT was in flight:\n" + "\n".join(report)

        fresh = tmp_path / "fresh"
        generated = fs.generate_all(db, fresh, public_url)
        assert generated.returncode == 0, f"fresh generate --all failed: {generated.stdout}{generated.stderr}"
        expected = comparable(fs.tree(fresh))
        live = event_ids(db)
        # Four files per event, and the feed that each deleted event keeps for its subscribers.
        deleted_feeds = tombstone_count(db)
        assert event_file_count(expected) == 4 * len(live) + deleted_feeds, \
            f"fresh render has {event_file_count(expected)} event files for {len(live)} events and {deleted_feeds} tombstones"

        def matches() -> bool:
            return comparable(fs.tree(out)) == expected and not fs.leftovers(out)

        problems: list[str] = []
        try:
            # The rebuild may finish before or just after the ready line: poll with a deadline.
            fs.eventually(matches, 30, interval=0.2, message="out/ did not match a fresh generate")
        except AssertionError:
            problems.append(f"restarted api did not rebuild out/ to match a fresh generate: "
                            f"{fs.tree_diff(comparable(fs.tree(out)), expected)}; leftovers {fs.leftovers(out)[:10]}")
        surviving = [str(p.relative_to(out)) for p in planted if p.exists()]
        if surviving:
            problems.append(f"planted leftovers survive the restart: {surviving}")
        resurrected = {pid: sorted(k for k, p in fs.event_files(out, pid).items() if p.exists()) for pid in deleted_204}
        resurrected = {k: v for k, v in resurrected.items() if v}
        if resurrected:
            problems.append(f"events whose DELETE answered 204 still have files: {resurrected}")
        if set(deleted_204) & set(live):
            problems.append(f"events whose DELETE answered 204 are still in the database: {set(deleted_204) & set(live)}")
        if all_5xx:
            problems.append(f"5xx answers during the crash attempts: {all_5xx}")
        assert not problems, "\n".join(report) + "\n" + "\n".join(problems)
        print(f"after restart: {len(live)} events, {len(expected)} files equal to a fresh generate, "
              f"{len(deleted_204)} deleted (204) without files, no leftovers")
    finally:
        api.stop()
