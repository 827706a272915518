"""Concurrent edit storms against a real `attendify serve` (rate limits off).

Each trial creates an event, then fires at the same instant (one thread and one connection per
request, released together by a barrier) one DELETE of the event, several PUTs of it with
different titles and one PUT /api/settings/iframe with a new accent colour (which republishes
every widget of the organizer). When every request has answered, the deleted event must be gone
for good: `/widget/event/{public_id}` and `/calendar/{public_id}/download.ics` answer 404 and its
files are absent from out/. A PUT or a settings republish that lost the race must not bring the
widget back ("resurrection"), and no answer may be a 5xx.

Run: ATTENDIFY_BIN=.build/debug/attendify .venv/bin/python -m pytest -q -s Tests/faults/test_api_edit_storms.py
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

import fault_support as fs

MIN_TRIALS = 100
MAX_TRIALS = 300
EXTRA_TRIALS_BUDGET_S = 45.0  # trials beyond MIN_TRIALS only while the test is younger than this
PUTS_PER_TRIAL = 6


def storm(base: str, token: str, event: dict, trial: int) -> list[tuple[str, fs.Answer]]:
    """Fires the DELETE, the PUTs and the settings PUT at once; returns (label, answer) of each."""
    requests: list[tuple[str, str, str, dict | None]] = [("DELETE", "DELETE", f"/api/events/{event['id']}", None)]
    for n in range(PUTS_PER_TRIAL):
        requests.append((f"PUT#{n}", "PUT", f"/api/events/{event['id']}", {"title": f"Storm {trial} edit {n}"}))
    accent = f"#{(trial * 2654435761) % 0xFFFFFF:06x}"
    requests.append(("SETTINGS", "PUT", "/api/settings/iframe", {"iframe_defaults": {"accent_color": accent}}))
    barrier = threading.Barrier(len(requests))
    answers: list[tuple[str, fs.Answer] | None] = [None] * len(requests)

    def fire(index: int, method: str, path: str, body: dict | None) -> None:
        try:
            barrier.wait(timeout=30)
        except threading.BrokenBarrierError:
            pass
        answers[index] = (requests[index][0], fs.call(base, method, path, body, token, timeout=60))

    threads = [threading.Thread(target=fire, args=(i, m, p, b), daemon=True) for i, (_, m, p, b) in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    assert all(not t.is_alive() for t in threads), f"trial {trial}: a storm request did not finish within 90 s"
    return [a for a in answers if a is not None]


def test_delete_put_settings_storms_never_resurrect_or_5xx(tmp_path: Path) -> None:
    """Proves that concurrent DELETE / PUT / settings-PUT storms on one event, over 100+ trials,
    never answer 5xx, and that once an event's DELETE answered 204 and every request of the storm
    has answered, its widget and .ics answer 404 and its files are gone from out/ (no resurrection
    by a PUT or a settings republish that lost the race)."""
    out = tmp_path / "out"
    with fs.running(lambda: fs.start_serve(tmp_path / "db.sqlite", out, tmp_path / "serve.log")) as serve:
        base = serve.base
        token = fs.sign_up(base, "storm@example.com")
        started = time.monotonic()
        statuses: Counter[str] = Counter()
        five_xx: list[str] = []
        resurrected: list[str] = []
        not_deleted: list[str] = []
        trials = 0
        while trials < MAX_TRIALS and (trials < MIN_TRIALS or time.monotonic() - started < EXTRA_TRIALS_BUDGET_S):
            trials += 1
            event = fs.create_event(base, token, trials, title=f"Storm {trials}")
            public_id = event["public_id"]
            answers = storm(base, token, event, trials)
            for label, answer in answers:
                kind = label.split("#")[0]
                statuses[f"{kind} {answer.status}"] += 1
                if answer.status >= 500 or answer.status == 0:
                    five_xx.append(f"trial {trials} {label}: {answer.brief()}")
            delete = next(a for label, a in answers if label == "DELETE")
            if delete.status != 204:
                not_deleted.append(f"trial {trials}: DELETE {delete.brief()}")
                continue
            widget = fs.call(base, "GET", f"/widget/event/{public_id}")
            ics = fs.call(base, "GET", f"/calendar/{public_id}/download.ics")
            api_view = fs.call(base, "GET", f"/api/events/{event['id']}", token=token)
            present = {k: str(p.relative_to(out)) for k, p in fs.event_files(out, public_id).items() if p.exists()}
            if widget.status != 404 or ics.status != 404 or present or api_view.status != 404:
                resurrected.append(
                    f"trial {trials} {public_id}: widget {widget.status}, ics {ics.status}, "
                    f"api {api_view.status}, files {sorted(present.values())}")
        elapsed = time.monotonic() - started
        leftovers = fs.leftovers(out)
        totals = (f"trials={trials} in {elapsed:.1f}s, requests={sum(statuses.values())}, 5xx/no-answer={len(five_xx)}, "
                  f"resurrected={len(resurrected)}, delete-not-204={len(not_deleted)}, leftovers={len(leftovers)}, "
                  f"statuses={dict(sorted(statuses.items()))}")
        print("\n" + totals)
        assert trials >= MIN_TRIALS, totals
        problems = []
        if five_xx:
            problems.append(f"5xx or unanswered requests, first: {five_xx[:3]}")
        if resurrected:
            problems.append(f"resurrected widgets, first: {resurrected[:3]}")
        if not_deleted:
            problems.append(f"DELETEs that did not answer 204, first: {not_deleted[:3]}")
        if leftovers:
            problems.append(f"leftovers under out/: {leftovers[:10]}")
        assert not problems, totals + "\n" + "\n".join(problems) + "\nserve log tail:\n" + serve.log()[-2000:]
