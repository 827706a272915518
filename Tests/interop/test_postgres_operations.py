"""Operating on PostgreSQL from the command line, against a real server: a location the product
cannot use is refused at start-up with a message that says why (and never the password), the
password can come from a file, `migrate-to-postgres` moves a real SQLite installation (made
through the API and the tracker) with equal statistics, and `backup`/`restore` round-trip a
PostgreSQL database."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from attendify_serve import BIN, running_serve
from fault_support import call, create_event, sign_up

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"


def cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ATTENDIFY_") and k != "PGPASSWORD"}
    clean.update(env or {})
    return subprocess.run([BIN, *args], capture_output=True, text=True, env=clean, cwd=cwd, timeout=timeout)


def stats(base: str, token: str, event_id: int) -> dict:
    answer = call(base, "GET", f"/api/events/{event_id}/stats?tz=UTC", token=token)
    assert answer.status == 200, answer.brief()
    body = answer.json()
    body.pop("generated_at", None)
    return body


def test_unusable_locations_are_refused_at_start_up_without_the_password(tmp_path, postgres_db):
    unreachable = cli("serve", "--db", "postgres://ann:hunter2@127.0.0.1:1/attendify", "--port", "0", cwd=tmp_path, timeout=60)
    assert unreachable.returncode != 0
    assert "cannot reach PostgreSQL" in unreachable.stderr, unreachable.stderr
    assert "hunter2" not in unreachable.stdout + unreachable.stderr
    assert not (tmp_path / "postgres:").exists(), "a URL became a SQLite file again"

    wrong = cli("migrate", "--db", postgres_db.url, env={"PGPASSWORD": "not-the-password"})
    assert wrong.returncode != 0
    assert "refused the password" in wrong.stderr, wrong.stderr
    assert "not-the-password" not in wrong.stdout + wrong.stderr

    missing = cli("migrate", "--db", postgres_db.url.rsplit("/", 1)[0] + "/no_such_db", env={"PGPASSWORD": postgres_db.password})
    assert missing.returncode != 0 and "does not exist" in missing.stderr, missing.stderr

    bad_option = cli("migrate", "--db", postgres_db.url + "?colour=blue", env={"PGPASSWORD": postgres_db.password})
    assert bad_option.returncode != 0 and "unknown option 'colour'" in bad_option.stderr, bad_option.stderr


def test_the_password_can_come_from_a_file(tmp_path, postgres_db):
    secret = tmp_path / "pgpass"
    secret.write_text(postgres_db.password + "\n")
    secret.chmod(0o600)
    done = cli("migrate", "--db", postgres_db.url, "--db-password-file", str(secret))
    assert done.returncode == 0, done.stderr
    assert "applied: v3: how far the change log was pruned" in done.stdout
    assert postgres_db.password not in done.stdout + done.stderr
    from_env = cli("migrate", "--db", postgres_db.url, env={"ATTENDIFY_DB_PASSWORD_FILE": str(secret)})
    assert from_env.returncode == 0, from_env.stderr


def test_migrate_to_postgres_moves_an_installation_with_equal_statistics(tmp_path, postgres_db):
    sqlite_work = tmp_path / "sqlite"
    sqlite_work.mkdir()
    with running_serve(sqlite_work) as (base, _log):
        token = sign_up(base, "mover@example.com")
        events = [create_event(base, token, n) for n in range(3)]
        for index, event in enumerate(events):
            for provider in ("google", "ics", "outlook")[: index + 1]:
                for _ in range(index + 2):
                    answer = call(base, "GET", f"/track/{event['public_id']}/{provider}", headers={"User-Agent": BROWSER})
                    assert answer.status == 302, answer.brief()
        expected = {event["id"]: stats(base, token, event["id"]) for event in events}
        # The tracker commits in the background: wait until every click is in the statistics.
        import time
        deadline = time.monotonic() + 20
        while sum(s["total_clicks"] for s in expected.values()) < 2 + 3 * 2 + 4 * 3 and time.monotonic() < deadline:
            time.sleep(0.1)
            expected = {event["id"]: stats(base, token, event["id"]) for event in events}
    assert sum(s["total_clicks"] for s in expected.values()) == 20, expected

    moved = cli("migrate-to-postgres", "--from", str(sqlite_work / "db.sqlite"), "--to", postgres_db.url, env=postgres_db.env({}))
    assert moved.returncode == 0, moved.stderr
    assert "verified" in moved.stdout and "widget_interactions: 20" in moved.stdout, moved.stdout
    print(moved.stdout.strip())

    again = cli("migrate-to-postgres", "--from", str(sqlite_work / "db.sqlite"), "--to", postgres_db.url, env=postgres_db.env({}))
    assert again.returncode != 0 and "only fills an empty one" in again.stderr, again.stderr

    pg_work = tmp_path / "pg"
    pg_work.mkdir()
    with running_serve(pg_work, db=postgres_db.url, db_env={"PGPASSWORD": postgres_db.password}) as (base, _log):
        # The session token, the ids and the public ids all carried over.
        for event in events:
            assert stats(base, token, event["id"]) == expected[event["id"]]
            widget = call(base, "GET", f"/widget/event/{event['public_id']}")
            assert widget.status == 200, widget.brief()
        # New rows continue after the copied ids.
        fresh = create_event(base, token, 99)
        assert fresh["id"] > max(event["id"] for event in events)


def test_backup_and_restore_round_trip_a_postgres_database(tmp_path, postgres_db):
    env = postgres_db.env({})
    assert cli("migrate", "--db", postgres_db.url, env=env).returncode == 0
    postgres_db.psql("INSERT INTO users (email, password_hash, created_at, updated_at) VALUES ('kept@example.com', 'h', 1, 1)")
    backup = tmp_path / "attendify.pgdump"
    made = cli("backup", "--db", postgres_db.url, str(backup), env=env)
    assert made.returncode == 0, made.stderr
    assert backup.stat().st_size > 0
    refused = cli("backup", "--db", postgres_db.url, str(backup), env=env)
    assert refused.returncode != 0 and "already exists" in refused.stderr, refused.stderr

    postgres_db.psql("INSERT INTO users (email, password_hash, created_at, updated_at) VALUES ('later@example.com', 'h', 1, 1)")
    restored = cli("restore", "--replace", "--db", postgres_db.url, str(backup), env=env)
    assert restored.returncode == 0, restored.stderr
    assert postgres_db.psql("SELECT email FROM users ORDER BY email") == [["kept@example.com"]]
    # The restored schema is complete: the product opens it and finds nothing to migrate.
    again = cli("migrate", "--db", postgres_db.url, env=env)
    fresh = cli("migrate", "--db", postgres_db.url, env=env)  # the same list, read from the same database
    assert again.returncode == 0 and again.stdout.count("applied:") == fresh.stdout.count("applied:") >= 4, again.stdout
