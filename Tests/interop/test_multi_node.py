"""Two nodes on loopback sharing ONE PostgreSQL: what a cluster promises.

Each node is its own temp folder with its own out/, its own Nginx (exactly what `attendify
nginx-config --standalone` prints, every rate limit off), its own `attendify api`, its own
`attendify track` and its own follower (`attendify generate --follow` into its out/). Both nodes
use one fresh database on a private PostgreSQL server of the test's own (`postgres_private_server`:
the last test restarts it, which must never happen to the suite-wide server). The stacks are
Tests/pysupport/attendify_nginx.py's, with a database URL and PGPASSWORD instead of a SQLite file.
Every request goes through a node's Nginx; asynchronous work is polled for with deadlines.

- test_changes_on_one_node_reach_the_other_within_a_second: an event created through node A's API
  is served by node B's Nginx (widget and .ics, with the new title) within 1 s of the API's answer;
  a title change on A reaches B's widget and .ics within 1 s; a deletion on A makes B's widget and
  .ics 404, and B's tracker answer 404 for the event's /track link, within 1 s; and B's copies of
  the event's feed and of the organizer's feed carry its cancellation within 1 s.
- test_clicks_through_both_nodes_are_all_counted_once: 5,000 concurrent clicks spread over both
  nodes' Nginx are all answered 302; the statistics on A and on B both say exactly 5,000, and so
  do PostgreSQL's raw rows (widget_interactions) and hourly rollup (interaction_counts).
- test_a_node_killed_outright_does_not_disturb_the_other: SIGKILL of every process of node B
  (Nginx, tracker, follower, API); node A goes on creating, editing, serving and counting. Node B's
  processes started again catch up (the follower's rebuild, the tracker's link table, the stats).
- test_clicks_survive_a_database_restart: PostgreSQL restarts while clicks flow through both
  nodes; every click answered 302 is stored (statistics on both nodes and the raw rows), no
  process exits, afterwards a new event created on A reaches B's widget and tracker, and both
  trackers still stop on SIGTERM with their queues drained.

The figures (propagation times, click rates and counts) are printed: run with -s to see them.

Run: .venv/bin/python -m pytest -q -s -p no:cacheprovider Tests/interop/test_multi_node.py
"""

from __future__ import annotations

import http.client
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

import pytest

import postgres_support as pg
from attendify_nginx import Reply, Stack, app_env, fetch, metric, stack_factory, wait_until  # noqa: F401 (stack_factory: a fixture)

UA = "Mozilla/5.0 (X11; Linux x86_64) MultiNode"  # browser-like: the tracker counts it
PROBE_UA = "attendify-multi-node-probe-bot/1.0"  # "bot/": redirected like anyone, never counted
PROVIDERS = ("google", "outlook", "office365", "yahoo", "ics")
PROPAGATION_LIMIT_S = 1.0
APP_PROCESSES = ("api", "track", "follow")


# --------------------------------------------------------------------------------------------
# The cluster
# --------------------------------------------------------------------------------------------


@dataclass
class Cluster:
    server: pg.PostgresServer
    url: str  # the one database both nodes use
    a: Stack
    b: Stack

    def psql(self, sql: str) -> list[list[str]]:
        return pg.psql(self.url, sql, self.server.password)

    def scalar(self, sql: str) -> int:
        return int(self.psql(sql)[0][0] or 0)


@pytest.fixture
def cluster(postgres_private_server, stack_factory) -> Cluster:
    # postgres_private_server first: torn down last, after every process of both nodes stopped.
    server = postgres_private_server
    url = pg.fresh_database(server.admin_url, server.password, prefix="multinode")
    env = server.env(app_env())  # PGPASSWORD (never in the URL), no ATTENDIFY_* fallbacks
    nodes = [stack_factory(rate_limits=False, db_url=url, env=env, follow=True, name=f"node {n}") for n in "AB"]
    for node in nodes:
        assert node.procs.keys() >= {"api", "track", "follow", "nginx"}, node.procs
    return Cluster(server, url, *nodes)


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def widget_path(public_id: str) -> str:
    return f"/widget/event/{public_id}"


def ics_path(public_id: str) -> str:
    return f"/calendar/{public_id}/download.ics"


def safe_get(node: Stack, path: str, **kwargs) -> Reply | None:
    try:
        return node.get(path, timeout=5, **kwargs)
    except (OSError, http.client.HTTPException):
        return None


def time_until(what: str, check: Callable[[], bool], since: float, limit_s: float,
               explain: Callable[[], str] = lambda: "") -> float:
    """Polls check() every 10 ms until it holds; returns the seconds from `since` (a monotonic
    time) to the first success, or fails after limit_s (plus a grace to report the figure)."""
    deadline = since + limit_s + 2.0  # look a little longer, so a miss is reported with its figure
    while True:
        if check():
            elapsed = time.monotonic() - since
            assert elapsed < limit_s, f"{what}: took {elapsed * 1000:.0f} ms, the limit is {limit_s * 1000:.0f} ms"
            return elapsed
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {deadline - since:.1f} s\n{explain()}")
        time.sleep(0.01)


def serves(node: Stack, path: str, *present: str, absent: tuple[str, ...] = ()) -> bool:
    reply = safe_get(node, path)
    return (reply is not None and reply.status == 200 and all(p.encode() in reply.body for p in present)
            and not any(a.encode() in reply.body for a in absent))


def answers(node: Stack, path: str, status: int, **kwargs) -> bool:
    reply = safe_get(node, path, **kwargs)
    return reply is not None and reply.status == status


def tracker_knows(node: Stack, public_id: str, within_s: float = 10) -> None:
    """Waits until the node's tracker redirects the event's link (a bot probe: not counted)."""
    wait_until(f"{node.name}'s tracker knowing {public_id}",
               lambda: answers(node, f"/track/{public_id}/google", 302, headers={"User-Agent": PROBE_UA}), within_s)


def total_clicks(node: Stack, token: str, event_id: int) -> int | None:
    """total_clicks from the node's stats API; None while the API does not answer 200."""
    try:
        reply = fetch(node.port, "GET", f"/api/events/{event_id}/stats?tz=UTC", token=token, timeout=10)
    except (OSError, http.client.HTTPException):
        return None
    return reply.json()["total_clicks"] if reply.status == 200 else None


def drained(node: Stack, counted: int) -> bool:
    """The node's tracker has an empty queue and has committed `counted` clicks. (Its
    clicks_received_total also counts the bot probes, which are never recorded.)"""
    return (metric(node.metrics_port, "attendify_click_queue_depth") == 0
            and metric(node.metrics_port, "attendify_clicks_recorded_total") == counted)


def both_say(cluster: Cluster, token: str, event_id: int, expected: int, deadline_s: float) -> dict[str, int | None]:
    """Polls both nodes' statistics until both report `expected` clicks twice in a row (stable);
    fails at once when one reports more, and after the deadline with the last figures."""
    seen: dict[str, int | None] = {}
    stable = 0

    def check():
        nonlocal stable
        for node in (cluster.a, cluster.b):
            seen[node.name] = total_clicks(node, token, event_id)
            assert (seen[node.name] or 0) <= expected, f"{node.name} counts {seen[node.name]} clicks, only {expected} were sent"
        stable = stable + 1 if all(v == expected for v in seen.values()) else 0
        return stable >= 2

    wait_until(f"total_clicks == {expected} on both nodes", check, deadline_s, interval=0.2,
               explain=lambda: f"last figures: {seen}; rows: {cluster.scalar('SELECT count(*) FROM widget_interactions')}\n"
                               + diagnose(cluster))
    return seen


TRACKER_FIGURES = ("attendify_clicks_received_total", "attendify_clicks_recorded_total", "attendify_click_queue_depth",
                   "attendify_click_write_errors_total", "attendify_clicks_dropped_total")


def diagnose(cluster: Cluster) -> str:
    """Each tracker's click figures and what PostgreSQL's sessions are doing, for a failure message."""
    lines = []
    for node in (cluster.a, cluster.b):
        try:
            figures = {name.removeprefix("attendify_"): metric(node.metrics_port, name) for name in TRACKER_FIGURES}
        except (OSError, http.client.HTTPException, AssertionError) as error:
            figures = {"metrics": f"unavailable: {error}"}
        lines.append(f"{node.name} tracker (pid {node.procs['track'].pid}): {figures}")
    try:
        sessions = cluster.psql(
            "SELECT pid, client_port, state, coalesce(wait_event_type, ''), coalesce(wait_event, ''), "
            "coalesce(extract(epoch FROM now() - xact_start)::int::text, ''), left(regexp_replace(query, '\\s+', ' ', 'g'), 80) "
            "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() ORDER BY pid")
        lines.append("pg_stat_activity (pid, client port, state, wait, xact age s, query):")
        lines += ["  " + " | ".join(row) for row in sessions]
    except pg.PostgresError as error:
        lines.append(f"pg_stat_activity unavailable: {error}")
    return "\n".join(lines)


@dataclass
class Tally:
    """What a click load got back, per node."""
    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: dict[str, dict[int, int]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    ok_at: list[float] = field(default_factory=list)  # monotonic time of every 302
    started: float = float("inf")
    ended: float = 0.0

    def record(self, node: str, status: int | None, error: str | None, at: float) -> None:
        with self.lock:
            if status is not None:
                per = self.statuses.setdefault(node, {})
                per[status] = per.get(status, 0) + 1
                if status == 302:
                    self.ok_at.append(at)
            if error is not None:
                self.errors.append(error)

    def span(self, started: float, ended: float) -> None:
        with self.lock:
            self.started, self.ended = min(self.started, started), max(self.ended, ended)

    def count(self, status: int) -> int:
        with self.lock:
            return sum(per.get(status, 0) for per in self.statuses.values())

    def total(self) -> int:
        with self.lock:
            return sum(sum(per.values()) for per in self.statuses.values())

    def other(self) -> dict[str, dict[int, int]]:
        with self.lock:
            return {node: {s: c for s, c in per.items() if s != 302} for node, per in self.statuses.items()
                    if any(s != 302 for s in per)}

    def between(self, start: float, end: float) -> int:
        with self.lock:
            return sum(1 for t in self.ok_at if start <= t <= end)


def click_worker(node: Stack, public_id: str, tally: Tally, count: int | None = None,
                 stop: threading.Event | None = None, barrier: threading.Barrier | None = None) -> None:
    """Clicks on one keep-alive connection to the node's Nginx: `count` of them, or until `stop`.
    A transport error is recorded and the click not retried (a new connection for the next)."""
    conn = http.client.HTTPConnection("127.0.0.1", node.port, timeout=30)
    if barrier is not None:
        barrier.wait()
    started = time.monotonic()
    n = 0
    try:
        while (count is None or n < count) and not (stop is not None and stop.is_set()):
            n += 1
            path = f"/track/{public_id}/{random.choice(PROVIDERS)}"
            try:
                conn.request("GET", path, headers={"User-Agent": UA})
                response = conn.getresponse()
                payload = response.read()
                error = None if response.status == 302 else f"{node.name} {path}: {response.status} {payload[:200]!r}"
                tally.record(node.name, response.status, error, time.monotonic())
            except (OSError, http.client.HTTPException) as exc:
                tally.record(node.name, None, f"{node.name} {path}: {type(exc).__name__}: {exc}", time.monotonic())
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", node.port, timeout=30)
    finally:
        conn.close()
        tally.span(started, time.monotonic())


def still_running(*nodes: Stack) -> list[str]:
    """Descriptions of every process of these nodes that has exited."""
    return [f"{node.name} {name} exited with {code}" for node in nodes
            for name, code in node.exit_codes().items() if code is not None]


# --------------------------------------------------------------------------------------------
# a. Propagation
# --------------------------------------------------------------------------------------------


def test_changes_on_one_node_reach_the_other_within_a_second(cluster):
    a, b = cluster.a, cluster.b
    token = a.organizer()
    title = "Multi-node launch webinar"
    event = a.create_event(token, title)
    created_at = time.monotonic()
    event_id, public_id = event["id"], event["public_id"]
    assert event["widget_url"] == a.base + widget_path(public_id), event
    assert event["ics_url"] == a.base + ics_path(public_id), event
    # Node A's API published into A's out/ before answering.
    assert serves(a, widget_path(public_id), title), "node A does not serve the widget its API just published"

    def b_files():
        return f"B widget: {safe_get(b, widget_path(public_id))}\nB follower log:\n{b.log_text('follow')[-2000:]}"

    widget_s = time_until("B's Nginx serving the new widget", lambda: serves(b, widget_path(public_id), title),
                          created_at, PROPAGATION_LIMIT_S, b_files)
    ics_s = time_until("B's Nginx serving the new .ics", lambda: serves(b, ics_path(public_id), "BEGIN:VCALENDAR", title),
                       created_at, PROPAGATION_LIMIT_S, b_files)
    published = b.out / "widget" / "event" / public_id / "index.html"
    assert b.get(widget_path(public_id)).body == published.read_bytes(), "B serves something else than B's out/ holds"
    print(f"\ncreate on A -> B serves the widget after {widget_s * 1000:.0f} ms, the .ics after {ics_s * 1000:.0f} ms")

    # ---- an edit -----------------------------------------------------------------------------
    new_title = "Renamed multi-node webinar"  # no comma: the .ics escapes those
    updated = fetch(a.port, "PUT", f"/api/events/{event_id}", token=token, body={"title": new_title})
    assert updated.status == 200, updated
    edited_at = time.monotonic()
    assert serves(a, widget_path(public_id), new_title), "node A does not serve its own edit"
    edit_widget_s = time_until(
        "B's widget showing the new title",
        lambda: serves(b, widget_path(public_id), new_title, absent=(title,)), edited_at, PROPAGATION_LIMIT_S, b_files)
    edit_ics_s = time_until("B's .ics showing the new title", lambda: serves(b, ics_path(public_id), f"SUMMARY:{new_title}", absent=(title,)),
                            edited_at, PROPAGATION_LIMIT_S, b_files)
    print(f"edit on A -> B's widget after {edit_widget_s * 1000:.0f} ms, B's .ics after {edit_ics_s * 1000:.0f} ms")

    # ---- a deletion --------------------------------------------------------------------------
    tracker_knows(b, public_id)  # so that a 404 below is the deletion's doing
    deleted = fetch(a.port, "DELETE", f"/api/events/{event_id}", token=token)
    assert deleted.status == 204, deleted
    deleted_at = time.monotonic()
    assert answers(a, widget_path(public_id), 404), "node A still serves the widget it deleted"
    gone_widget_s = time_until("B's widget answering 404", lambda: answers(b, widget_path(public_id), 404),
                               deleted_at, PROPAGATION_LIMIT_S, b_files)
    gone_ics_s = time_until("B's .ics answering 404", lambda: answers(b, ics_path(public_id), 404),
                            deleted_at, PROPAGATION_LIMIT_S, b_files)
    gone_track_s = time_until(
        "B's tracker answering 404 for the deleted event",
        lambda: answers(b, f"/track/{public_id}/google", 404, headers={"User-Agent": PROBE_UA}),
        deleted_at, PROPAGATION_LIMIT_S, lambda: f"B track log:\n{b.log_text('track')[-2000:]}")
    print(f"delete on A -> B's widget 404 after {gone_widget_s * 1000:.0f} ms, .ics 404 after {gone_ics_s * 1000:.0f} ms, "
          f"/track 404 after {gone_track_s * 1000:.0f} ms")
    assert not (b.out / "widget" / "event" / public_id).exists(), "B's out/ still holds the deleted widget"

    # ---- feeds follow too --------------------------------------------------------------------
    # The deletion's cancellation (a tombstone in PostgreSQL) reaches B's copies of the event's
    # own feed and of the organizer's feed: B's subscribers learn it is cancelled.
    feed = fetch(a.port, "GET", "/api/feed", token=token)
    assert feed.status == 200, feed
    feed_path = "/" + feed.json()["feed_url"].split("/", 3)[3]
    uid = f"UID:{public_id}@"
    cancelled = f"SUMMARY:Cancelled: {new_title}"
    feed_s = time_until("B's organizer feed carrying the cancellation", lambda: serves(b, feed_path, uid, cancelled, "STATUS:CANCELLED"),
                        deleted_at, PROPAGATION_LIMIT_S, b_files)
    own_s = time_until("B's event feed carrying the cancellation",
                       lambda: serves(b, f"/calendar/{public_id}/feed.ics", uid, "STATUS:CANCELLED"), deleted_at, PROPAGATION_LIMIT_S, b_files)
    print(f"delete on A -> B's organizer feed cancelled after {feed_s * 1000:.0f} ms, its event feed after {own_s * 1000:.0f} ms")
    assert not still_running(a, b), still_running(a, b)


# --------------------------------------------------------------------------------------------
# b. Clicks through both nodes
# --------------------------------------------------------------------------------------------

CLICKS = 5_000
THREADS_PER_NODE = 8


def test_clicks_through_both_nodes_are_all_counted_once(cluster):
    a, b = cluster.a, cluster.b
    token = a.organizer()
    event = a.create_event(token, "Click storm webinar")
    event_id, public_id = event["id"], event["public_id"]
    for node in (a, b):
        tracker_knows(node, public_id)

    tally = Tally()
    threads_total = 2 * THREADS_PER_NODE
    barrier = threading.Barrier(threads_total)
    threads = []
    for n in range(threads_total):
        node = (a, b)[n % 2]
        count = CLICKS // threads_total + (1 if n < CLICKS % threads_total else 0)
        threads.append(threading.Thread(target=click_worker, daemon=True,
                                        kwargs=dict(node=node, public_id=public_id, tally=tally, count=count, barrier=barrier)))
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), f"the clicks did not finish within 60 s: {tally.statuses}"
    load_s = tally.ended - tally.started
    answered_at = time.monotonic()
    print(f"\n{CLICKS} clicks through both nodes in {load_s:.2f} s ({CLICKS / load_s:.0f}/s): {tally.statuses}")
    assert tally.count(302) == CLICKS and not tally.errors, \
        f"not every click answered 302: {tally.statuses}, errors: {tally.errors[:10]}"
    assert {node: sum(per.values()) for node, per in tally.statuses.items()} == {a.name: CLICKS // 2, b.name: CLICKS // 2}

    seen = both_say(cluster, token, event_id, CLICKS, 30)
    print(f"stats on both nodes == {CLICKS} {time.monotonic() - answered_at:.2f} s after the last answer: {seen}")
    for node in (a, b):
        wait_until(f"{node.name}'s click queue draining", lambda node=node: drained(node, CLICKS // 2), 10,
                   explain=lambda node=node: fetch(node.metrics_port, "GET", "/metrics").body.decode())
        assert metric(node.metrics_port, "attendify_clicks_dropped_total") == 0, f"{node.name} dropped clicks"
        print(f"{node.name} tracker recorded {metric(node.metrics_port, 'attendify_clicks_recorded_total')} clicks")
    rows = cluster.scalar("SELECT count(*) FROM widget_interactions")
    rollup = cluster.scalar("SELECT COALESCE(sum(count), 0) FROM interaction_counts")
    print(f"PostgreSQL: widget_interactions {rows} rows, interaction_counts sums to {rollup}")
    assert rows == CLICKS, f"widget_interactions holds {rows} rows, expected {CLICKS}"
    assert rollup == CLICKS, f"interaction_counts sums to {rollup}, expected {CLICKS}"
    assert both_say(cluster, token, event_id, CLICKS, 5)  # still exactly that, after the queues drained
    assert not still_running(a, b), still_running(a, b)


# --------------------------------------------------------------------------------------------
# c. One node killed outright
# --------------------------------------------------------------------------------------------


def test_a_node_killed_outright_does_not_disturb_the_other(cluster):
    a, b = cluster.a, cluster.b
    token = a.organizer()
    before = a.create_event(token, "Before the crash")
    wait_until("B serving the first event", lambda: serves(b, widget_path(before["public_id"]), "Before the crash"), 5)

    b.kill()  # SIGKILL, every process of node B: no drain, no graceful close of anything
    codes = b.exit_codes()
    assert all(code is not None for code in codes.values()), codes
    print(f"\nnode B killed: exit codes {codes}")
    with pytest.raises(OSError):
        b.get("/", timeout=2)

    # Node A: create, edit, serve.
    event = a.create_event(token, "After the crash")
    event_id, public_id = event["id"], event["public_id"]
    assert serves(a, widget_path(public_id), "After the crash"), "node A does not serve the new widget"
    assert serves(a, ics_path(public_id), "After the crash"), "node A does not serve the new .ics"
    updated = fetch(a.port, "PUT", f"/api/events/{event_id}", token=token, body={"title": "After the crash edited"})
    assert updated.status == 200, updated
    assert serves(a, widget_path(public_id), "After the crash edited"), "node A does not serve its edit"
    assert serves(a, ics_path(public_id), "SUMMARY:After the crash edited"), "node A's .ics misses the edit"
    listed = fetch(a.port, "GET", "/api/events", token=token)
    assert listed.status == 200, listed

    # Node A: clicks counted.
    tracker_knows(a, public_id)
    clicks = 400
    tally = Tally()
    threads = [threading.Thread(target=click_worker, daemon=True,
                                kwargs=dict(node=a, public_id=public_id, tally=tally, count=clicks // 4)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert tally.count(302) == clicks and not tally.errors, f"{tally.statuses}, errors: {tally.errors[:10]}"
    answered_at = time.monotonic()
    wait_until(f"A's stats reaching {clicks}", lambda: (total_clicks(a, token, event_id) or 0) >= clicks, 15)
    counted_s = time.monotonic() - answered_at
    assert total_clicks(a, token, event_id) == clicks
    assert cluster.scalar(f"SELECT count(*) FROM widget_interactions WHERE event_id = {int(event_id)}") == clicks
    print(f"with B dead: A created, edited and served the event; {clicks} clicks through A all 302 and "
          f"in A's stats {counted_s:.2f} s after the last answer")
    assert not still_running(a), still_running(a)

    # Node B started again, on the same ports: it catches up with what happened meanwhile.
    restarted_at = time.monotonic()
    for name in ("api", "track", "follow", "nginx"):
        b.start_process(name)
    wait_until("B serving the event created while it was down",
               lambda: serves(b, widget_path(public_id), "After the crash edited"), 10)
    tracker_knows(b, public_id)
    assert total_clicks(b, token, event_id) == clicks
    print(f"node B started again and caught up in {time.monotonic() - restarted_at:.2f} s")
    assert not still_running(a, b), still_running(a, b)


# --------------------------------------------------------------------------------------------
# d. PostgreSQL restarts under load
# --------------------------------------------------------------------------------------------

WORKERS_PER_NODE = 2
LOAD_BEFORE_S = 1.0  # clicks flowing before the restart
LOAD_AFTER_S = 2.0  # and after it (the trackers' write back-off starts at 0.05 s, doubling)


def test_clicks_survive_a_database_restart(cluster):
    a, b = cluster.a, cluster.b
    token = a.organizer()
    event = a.create_event(token, "Restart webinar")
    event_id, public_id = event["id"], event["public_id"]
    for node in (a, b):
        tracker_knows(node, public_id)

    tally = Tally()
    stop = threading.Event()
    threads = [threading.Thread(target=click_worker, daemon=True,
                                kwargs=dict(node=node, public_id=public_id, tally=tally, stop=stop))
               for node in (a, b) for _ in range(WORKERS_PER_NODE)]
    for thread in threads:
        thread.start()
    try:
        # Clicks flowing (through both nodes) and being stored for a while before the restart.
        wait_until("clicks answered through both nodes", lambda: all(
            tally.statuses.get(node.name, {}).get(302, 0) >= 200 for node in (a, b)), 20)
        wait_until("clicks stored before the restart", lambda: cluster.scalar("SELECT count(*) FROM widget_interactions") > 0, 10)
        load_began = time.monotonic()
        wait_until("a second of clicks before the restart", lambda: time.monotonic() - load_began >= LOAD_BEFORE_S, 5)
        restart_began = time.monotonic()
        cluster.server.restart()
        restart_ended = time.monotonic()
        # Keep clicking after the server is back, so the trackers have to recover under load.
        mark = tally.count(302)
        wait_until("clicks answered after the restart", lambda: tally.count(302) >= mark + 400
                   and time.monotonic() - restart_ended >= LOAD_AFTER_S, 20)
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
    assert not any(t.is_alive() for t in threads), "a click thread did not stop"
    answered_at = time.monotonic()
    answered = tally.count(302)
    during = tally.between(restart_began, restart_ended)
    print(f"\n{tally.total()} clicks in {tally.ended - tally.started:.2f} s: {tally.statuses}; PostgreSQL restart took "
          f"{restart_ended - restart_began:.2f} s, {during} clicks answered 302 during it")
    assert during > 0, "no click was answered while PostgreSQL restarted: the test did not test the outage"
    assert not tally.errors, f"clicks not answered 302: {tally.other()}, errors: {tally.errors[:10]}"

    seen = both_say(cluster, token, event_id, answered, 60)
    print(f"all {answered} clicks answered 302 are in the stats of both nodes "
          f"{time.monotonic() - answered_at:.2f} s after the last answer: {seen}")
    rows = cluster.scalar("SELECT count(*) FROM widget_interactions")
    rollup = cluster.scalar("SELECT COALESCE(sum(count), 0) FROM interaction_counts")
    assert rows == answered, f"widget_interactions holds {rows} rows, {answered} clicks were answered 302"
    assert rollup == answered, f"interaction_counts sums to {rollup}, {answered} clicks were answered 302"
    write_errors = {}
    for node in (a, b):
        assert metric(node.metrics_port, "attendify_clicks_dropped_total") == 0, f"{node.name} dropped clicks"
        write_errors[node.name] = metric(node.metrics_port, "attendify_click_write_errors_total")
    print(f"failed (retried) click batch writes: {write_errors}")
    assert any(write_errors.values()), "no tracker ever failed a write: the restart did not hit the click path"
    assert not still_running(a, b), still_running(a, b)

    # The followers and trackers reconnected: a new event on A reaches B's files and tracker.
    later = a.create_event(token, "After the restart")
    created_at = time.monotonic()
    reached_s = time_until("B serving an event created after the restart",
                           lambda: serves(b, widget_path(later["public_id"]), "After the restart"), created_at, 5.0,
                           lambda: f"B follower log:\n{b.log_text('follow')[-3000:]}")
    tracked_s = time_until("B's tracker knowing an event created after the restart",
                           lambda: answers(b, f"/track/{later['public_id']}/google", 302, headers={"User-Agent": PROBE_UA}),
                           created_at, 5.0, lambda: f"B track log:\n{b.log_text('track')[-3000:]}")
    print(f"after the restart: a new event on A served by B after {reached_s * 1000:.0f} ms, "
          f"tracked by B after {tracked_s * 1000:.0f} ms")
    assert not still_running(a, b), still_running(a, b)

    # And both trackers still stop the documented way: SIGTERM, queue drained, exit code 0.
    for node in (a, b):
        code = node.stop_process("track")
        assert code == 0, f"{node.name}'s tracker exited with {code} on SIGTERM:\n{node.current_log('track')[-2000:]}"
        assert "click queue drained" in node.current_log("track"), node.current_log("track")[-2000:]
