"""`attendify generate --all` run over and over in its own processes while `attendify api` creates,
edits and deletes events in the same out/ (an operator rebuilding after a deploy while
organizers work).

Before the cross-process lock, a rebuild published from a snapshot taken before the API's last
changes: it could delete the folder of an event created during the run and overwrite a newer
widget with an older one. Now each event is re-read under its `flock` and a folder is removed only
if its event is gone, so when everything has answered out/ must equal a fresh render.

Run: ATTENDIFY_BIN=.build/debug/attendify .venv/bin/python -m pytest -q -s Tests/faults/test_api_generate_race.py
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import fault_support as fs
import tracker_seed

MIN_ROUNDS = 80
MIN_REBUILDS = 6
BULK_EVENTS = 1_500  # other organizers' events, so each rebuild takes long enough to be raced
DEADLINE_S = 90.0


def test_rebuilds_racing_api_edits_leave_out_equal_to_a_fresh_render(tmp_path: Path) -> None:
    """Proves that rebuilds in other processes never undo the API's newer work: after at least 80
    rounds of create + edit or delete through the API, with `generate --all` looping alongside
    (at least 6 complete rebuilds of 1,500+ events each), every live
    event's files equal a fresh `generate --all` of the final database (so no created event lost
    its files and no edit was overwritten by an older snapshot), and no deleted event has files."""
    db, out = tmp_path / "db.sqlite", tmp_path / "out"
    port = fs.free_port()
    public_url = f"http://127.0.0.1:{port}"
    tracker_seed.seed(fs.BIN, db, BULK_EVENTS, "bulk")
    with fs.running(lambda: fs.start_api(db, out, tmp_path / "api.log", port=port, public_url=public_url)) as api:
        token = fs.sign_up(api.base, "race@example.com")
        stop = threading.Event()
        rebuilds: list[int] = []

        def rebuild_forever() -> None:
            started = time.monotonic()
            while not stop.is_set() and time.monotonic() - started < DEADLINE_S:
                rebuilds.append(fs.generate_all(db, out, public_url).returncode)

        rebuilder = threading.Thread(target=rebuild_forever)
        rebuilder.start()
        live: dict[int, dict] = {}
        deleted: list[str] = []
        failures: list[str] = []
        rounds_started = time.monotonic()

        def keep_going() -> bool:
            # Once enough rounds and rebuilds ran, ask the rebuilder to stop, but keep editing
            # until its last rebuild has finished: no rebuild may start after the last change
            # and quietly heal what an earlier one broke.
            if time.monotonic() - rounds_started > DEADLINE_S:
                stop.set()
                return False
            if n + 1 >= MIN_ROUNDS and len(rebuilds) >= MIN_REBUILDS:
                stop.set()
            return rebuilder.is_alive()

        try:
            n = -1
            while keep_going():
                n += 1
                created = fs.call(api.base, "POST", "/api/events", fs.event_body(n), token)
                if created.status != 201:
                    failures.append(f"create {n}: {created.brief()}")
                    continue
                event = created.json()
                live[event["id"]] = event
                victim = sorted(live)[n % len(live)]
                if n % 3 == 0:
                    answer = fs.call(api.base, "DELETE", f"/api/events/{victim}", token=token)
                    if answer.status == 204:
                        deleted.append(live.pop(victim)["public_id"])
                    else:
                        failures.append(f"delete {victim}: {answer.brief()}")
                else:
                    answer = fs.call(api.base, "PUT", f"/api/events/{victim}", {"title": f"Edited in round {n}"}, token)
                    if answer.status != 200:
                        failures.append(f"edit {victim}: {answer.brief()}")
        finally:
            stop.set()
            rebuilder.join(timeout=DEADLINE_S + 60)
        assert not failures, failures
        assert rebuilds and all(code == 0 for code in rebuilds), f"generate --all exit codes: {rebuilds}"

        fresh = tmp_path / "fresh"
        result = fs.generate_all(db, fresh, public_url)
        assert result.returncode == 0, result.stderr
        actual = {k: v for k, v in fs.tree(out).items() if k.startswith(("widget/", "calendar/"))}
        expected = {k: v for k, v in fs.tree(fresh).items() if k.startswith(("widget/", "calendar/"))}
        print(f"\n{n + 1} rounds, {len(rebuilds)} concurrent rebuilds, {len(live)} live and {len(deleted)} deleted events")
        assert actual == expected, f"out/ differs from a fresh render after racing rebuilds: {fs.tree_diff(actual, expected)}"
        stale = [public_id for public_id in deleted if fs.event_snapshot(out, public_id)["html"] is not None]
        assert not stale, f"deleted events still have files: {stale}"
        assert not fs.leftovers(out), fs.leftovers(out)
