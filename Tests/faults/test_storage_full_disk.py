"""Full disks (ENOSPC), on small tmpfs mounts filled to the last byte by a filler file.

- out/ full (`attendify serve`, database elsewhere): POST /api/events answers 507 problem+json, the
  event is not kept and nothing of it is published, the old event's files stay byte-identical and
  are still served; a PUT of the old event and a PUT /api/settings/iframe answer 507 or 2xx, never
  another 5xx, and leave only whole files. Once the filler is removed the same requests succeed.
- database folder full (`attendify api` plus a separate `attendify track` on the same file): every
  write request answers 507 problem+json while GET /api/events answers 200; the tracker keeps
  answering 302 all along and, once the filler is removed, stores every acknowledged click; the
  same POST then succeeds.

These tests mount tmpfs, so they need root: they skip when not root, and fail instead when CI=true.

Run: ATTENDIFY_BIN=.build/debug/attendify .venv/bin/python -m pytest -q -s Tests/faults/test_storage_full_disk.py
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import fault_support as fs


def event_tree(out: Path) -> dict[str, bytes]:
    """The public files of every event (the folders a web server hands out)."""
    return {k: v for k, v in fs.tree(out).items() if k.startswith(("widget/", "calendar/"))}


def not_5xx_except(answer: fs.Answer, allowed: int) -> bool:
    return answer.status != 0 and (answer.status < 500 or answer.status == allowed)


def test_out_folder_full_answers_507_and_keeps_published_files(tmp_path: Path) -> None:
    """Proves that with out/ on a full tmpfs, POST /api/events answers 507 problem+json and keeps
    neither the event nor any file of it, the published event's files stay byte-identical (and are
    served unchanged), PUTs answer 507 or 2xx but never another 5xx and leave only whole files; and
    that after the filler is removed the same POST succeeds with its files published."""
    fs.require_root("the full out/ test")
    db = tmp_path / "db.sqlite"
    with fs.tmpfs(tmp_path / "out", "4m") as out:
        with fs.running(lambda: fs.start_serve(db, out, tmp_path / "serve.log")) as serve:
            base = serve.base
            token = fs.sign_up(base, "fullout@example.com")
            old = fs.create_event(base, token, 1, title="Published before the disk filled")
            old_files = fs.event_snapshot(out, old["public_id"])
            assert fs.files_whole(old_files) is None, f"old event's files: {fs.files_whole(old_files)}"
            before = event_tree(out)

            filler = fs.fill(out)
            free_after_fill = fs.free_bytes(out)
            body = fs.event_body(2, "Created while out/ is full")
            created = fs.call(base, "POST", "/api/events", body, token)
            put = fs.call(base, "PUT", f"/api/events/{old['id']}", {"title": "Edited while out/ is full"}, token)
            settings = fs.call(base, "PUT", "/api/settings/iframe", {"iframe_defaults": {"accent_color": "#aa3300"}}, token)
            served = fs.call(base, "GET", f"/widget/event/{old['public_id']}", headers={"Accept-Encoding": "identity"})
            listed = [e["title"] for e in fs.list_events(base, token)]
            after = event_tree(out)
            leftovers = [p for p in fs.leftovers(out)]
            figures = (f"free after fill {free_after_fill} B; POST {created.brief()}; PUT {put.brief()}; "
                       f"settings PUT {settings.brief()}; listed {listed}; leftovers {leftovers}")
            print("\n" + figures)

            assert created.status == 507, f"POST with out/ full should answer 507: {figures}"
            assert fs.is_problem(created), f"507 is not application/problem+json with its status: {figures}"
            assert "Created while out/ is full" not in listed, f"the create refused with 507 was kept: {figures}"
            # out/ must match the database after every answer: a 507 PUT keeps the stored event
            # and settings as they were (the old files still describe them).
            if put.status == 507:
                assert listed == ["Published before the disk filled"], (
                    f"PUT answered 507 but the database kept its change, so out/ no longer matches it: {figures}")
            if settings.status == 507:
                stored = fs.call(base, "GET", "/api/settings/iframe", token=token)
                assert stored.status == 200 and stored.json()["iframe_defaults"].get("accent_color") != "#aa3300", (
                    f"settings PUT answered 507 but the database kept the new defaults ({stored.brief()}): {figures}")
            assert not_5xx_except(put, 507), f"PUT with out/ full answered a 5xx other than 507: {figures}"
            assert not_5xx_except(settings, 507), f"settings PUT with out/ full answered a 5xx other than 507: {figures}"
            now_files = fs.event_snapshot(out, old["public_id"])
            if put.status == 507 and settings.status == 507:
                assert now_files == old_files, f"old event's files changed although every write answered 507: {figures}"
                assert after == before, f"out/ changed: {fs.tree_diff(after, before)}; {figures}"
                assert served.status == 200 and served.body == old_files["html"], f"served widget changed: {served.brief()}"
            else:
                assert fs.files_whole(now_files) is None, f"old event's files not whole: {fs.files_whole(now_files)}; {figures}"
                new_ids = {k.split("/")[2] for k in after if k.startswith("widget/event/")} - {old["public_id"]}
                assert not new_ids, f"files of a refused event were published: {new_ids}; {figures}"
            assert not leftovers, f"leftovers under out/: {figures}"

            filler.unlink()
            retried = fs.call(base, "POST", "/api/events", body, token)
            assert retried.status == 201, f"same POST after the filler was removed: {retried.brief()}"
            problem = fs.files_whole(fs.event_snapshot(out, retried.json()["public_id"]))
            assert problem is None, f"retried POST's files: {problem}"
            edited = fs.call(base, "PUT", f"/api/events/{old['id']}", {"title": "Edited after space returned"}, token)
            assert edited.status == 200, f"PUT after the filler was removed: {edited.brief()}"
            html = fs.event_snapshot(out, old["public_id"])["html"] or b""
            assert b"Edited after space returned" in html, "the PUT after space returned was not published"


def checkpoint_truncated(db: Path) -> bool:
    """Moves the WAL into the database and truncates it to 0 bytes, so the next write has to grow
    the WAL file (and so meets the full disk instead of reusing old WAL space)."""
    conn = sqlite3.connect(db, timeout=10)
    try:
        busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        conn.close()
    wal = db.with_name(db.name + "-wal")
    return busy == 0 and (not wal.exists() or wal.stat().st_size == 0)


def test_database_folder_full_answers_507_tracker_keeps_302(tmp_path: Path) -> None:
    """Proves that with the database folder on a full tmpfs, POST, PUT, settings PUT and DELETE
    answer 507 problem+json while GET /api/events answers 200; that a separate `attendify track`
    on the same database answers every click 302 during the whole full period and stores every
    acknowledged click once the filler is removed; and that the same POST then answers 201."""
    fs.require_root("the full database folder test")
    out = tmp_path / "out"
    with fs.tmpfs(tmp_path / "data", "16m") as data:
        db = data / "db.sqlite"
        with fs.running(lambda: fs.start_api(db, out, tmp_path / "api.log")) as api, \
                fs.running(lambda: fs.start_track(db, tmp_path / "track.log")) as track:
            base = api.base
            token = fs.sign_up(base, "fulldb@example.com")
            kept = fs.create_event(base, token, 1, title="Kept")
            doomed = fs.create_event(base, token, 2, title="Delete me")
            assert fs.click(track.port, kept["public_id"]) == 302, "tracker does not redirect before the disk filled"
            fs.eventually(lambda: fs.click_rows(db) == 1, 30, message="the first click was not stored")
            before = event_tree(out)

            fs.eventually(lambda: checkpoint_truncated(db), 10, interval=0.1, message="could not truncate the WAL")
            filler = fs.fill(data)
            free_after_fill = fs.free_bytes(data)
            with fs.Clicker(track.port, [kept["public_id"], doomed["public_id"]]) as clicker:
                body = fs.event_body(3, "Created while the database disk is full")
                writes = {
                    "POST": fs.call(base, "POST", "/api/events", body, token),
                    "PUT": fs.call(base, "PUT", f"/api/events/{kept['id']}", {"title": "Edited while full"}, token),
                    "SETTINGS": fs.call(base, "PUT", "/api/settings/iframe", {"iframe_defaults": {"theme": "dark"}}, token),
                    "DELETE": fs.call(base, "DELETE", f"/api/events/{doomed['id']}", token=token),
                }
                read = fs.call(base, "GET", "/api/events", token=token)
                # Keep the disk full until the tracker has acknowledged a good number of clicks
                # and its writer has had time to meet the full disk (several flush intervals).
                fs.eventually(lambda: clicker.acknowledged >= 300, 30, message=lambda: f"only {clicker.acknowledged} clicks acknowledged")
                rows_while_full = fs.click_rows(db)
                filler.unlink()
                retried = fs.call(base, "POST", "/api/events", body, token)
                clicker.stop()
            figures = ("; ".join(f"{k}: {a.brief()}" for k, a in writes.items())
                       + f"; GET {read.status}; free after fill {free_after_fill} B; rows while full {rows_while_full}; "
                       f"clicks acknowledged {clicker.acknowledged}, other outcomes {clicker.other}; retried POST {retried.brief()}")
            print("\n" + figures)

            for label, answer in writes.items():
                assert answer.status == 507, f"{label} with the database disk full should answer 507: {figures}"
                assert fs.is_problem(answer), f"{label} 507 is not application/problem+json with its status: {figures}"
            assert read.status == 200, f"GET /api/events with the database disk full: {figures}"
            assert event_tree(out) == before or retried.status == 201, f"out/ changed while every write failed: {figures}"
            assert clicker.acknowledged > 0 and not clicker.other, f"tracker did not answer every click 302: {figures}"
            assert retried.status == 201, f"the same POST after the filler was removed: {figures}"

            expected = 1 + clicker.acknowledged
            fs.eventually(lambda: fs.click_rows(db) == expected, 30, message=lambda: (
                f"stored clicks {fs.click_rows(db)} != acknowledged {expected} after space returned; {figures}"))
            titles = sorted(e["title"] for e in fs.list_events(base, token))
            assert titles == sorted(["Kept", "Delete me", "Created while the database disk is full"]), \
                f"events after the full period: {titles}; {figures}"
