"""PostgreSQL going away under a running `attendify serve`: the API answers 503 at once (nothing
hangs, nothing is half-written), files and known redirects keep being served, clicks made during
the outage are queued and counted once the database is back, and the very first requests after
the restart already succeed (pooled connections that died are replaced, not surfaced)."""

from __future__ import annotations


from attendify_serve import running_serve
from fault_support import call, create_event, eventually, sign_up
from postgres_support import fresh_database

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"


def test_an_outage_is_503_then_everything_resumes_and_no_click_is_lost(tmp_path, postgres_private_server):
    pg = postgres_private_server
    url = fresh_database(pg.admin_url, pg.password)
    with running_serve(tmp_path, db=url, db_env={"PGPASSWORD": pg.password}) as (base, log):
        token = sign_up(base, "outage@example.com")
        event = create_event(base, token, 1)
        # One click first, so the tracker has the event in memory (an id it has never seen needs
        # the database, and during the outage that is a 503: see the Swift TrackerOutageTests).
        first_click = call(base, "GET", f"/track/{event['public_id']}/google", headers={"User-Agent": BROWSER})
        assert first_click.status == 302, first_click.brief()
        clicks = 1
        pg.shutdown()

        listed = call(base, "GET", "/api/events", token=token)
        assert listed.status == 503, listed.brief()
        assert listed.header("retry-after"), listed.brief()
        assert listed.seconds < 5, f"a request hung for {listed.seconds:.1f}s while the database was down"
        created = call(base, "POST", "/api/events", {"title": "during", "start_datetime": "2027-01-01T10:00:00Z",
                                                      "end_datetime": "2027-01-01T11:00:00Z", "webinar_url": "https://example.com/w"},
                       token=token)
        assert created.status == 503, created.brief()
        assert call(base, "GET", f"/widget/event/{event['public_id']}").status == 200
        never_seen = call(base, "GET", "/track/BBBBBBBBBBBBBBBBBBBBBB/google", headers={"User-Agent": BROWSER})
        assert never_seen.status == 503 and never_seen.header("retry-after"), f"an id the tracker cannot look up: {never_seen.brief()}"
        for _ in range(5):
            answer = call(base, "GET", f"/track/{event['public_id']}/google", headers={"User-Agent": BROWSER})
            assert answer.status == 302, answer.brief()
            clicks += 1

        pg.start()
        first = call(base, "GET", "/api/events", token=token)
        assert first.status == 200, f"the first request after the restart: {first.brief()}"
        assert [e["title"] for e in first.json()["events"]] == [event["title"]], "the write refused during the outage happened anyway"

        def counted():
            stats = call(base, "GET", f"/api/events/{event['id']}/stats?tz=UTC", token=token)
            return stats.status == 200 and stats.json()["total_clicks"] == clicks

        assert eventually(counted, timeout=30), "clicks acknowledged during the outage were not stored"
        assert eventually(lambda: "change notifications restored" in log.read_text(), timeout=30), "the LISTEN connection did not come back"
        unknown = call(base, "GET", "/track/AAAAAAAAAAAAAAAAAAAAAA/google", headers={"User-Agent": BROWSER})
        assert unknown.status == 404, f"an id that does not exist, database up: {unknown.brief()}"


def test_a_row_locked_by_another_session_is_503_after_the_lock_timeout_and_changes_nothing(tmp_path, postgres_db):
    """Another session (psql) holds an event's row lock for longer than the product's 5 s
    lock_timeout: editing that event answers 503 with Retry-After (not a hang, not a 500) and
    changes nothing; other reads and writes keep working meanwhile; afterwards the edit works."""
    import subprocess

    with running_serve(tmp_path, db=postgres_db.url, db_env={"PGPASSWORD": postgres_db.password}) as (base, _log):
        token = sign_up(base, "locked@example.com")
        event = create_event(base, token, 1, title="Before the lock")
        other = create_event(base, token, 2)
        holder = subprocess.Popen(
            ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", postgres_db.url, "-c",
             f"BEGIN; SELECT id FROM events WHERE id = {event['id']} FOR UPDATE; SELECT pg_sleep(9); COMMIT;"],
            env=postgres_db.env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            def locked():
                rows = postgres_db.psql(
                    "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                    "WHERE c.relname = 'events' AND l.mode = 'RowShareLock' AND l.granted")
                return rows[0][0] != "0"
            assert eventually(locked, timeout=10), "psql never took the row lock"

            edit = call(base, "PUT", f"/api/events/{event['id']}", {"title": "During the lock"}, token=token, timeout=30)
            assert edit.status == 503, edit.brief()
            assert edit.header("retry-after"), edit.brief()
            assert "busy" in edit.json()["detail"], edit.brief()
            assert edit.seconds < 8, f"the edit waited {edit.seconds:.1f}s, past the 5 s lock timeout"
            assert call(base, "GET", f"/api/events/{event['id']}", token=token).json()["title"] == "Before the lock"
            # The rest of the product is not held up by one locked row.
            assert call(base, "PUT", f"/api/events/{other['id']}", {"title": "Other edited"}, token=token).status == 200
        finally:
            holder.wait(timeout=30)
        assert holder.returncode == 0, holder.stderr.read().decode()
        after = call(base, "PUT", f"/api/events/{event['id']}", {"title": "After the lock"}, token=token)
        assert after.status == 200, after.brief()
