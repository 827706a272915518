"""Seeding a tracker's database directly in SQLite, for tests that drive `attendify track`
without the API: one organizer and a number of events that offer every provider."""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import time
from pathlib import Path


def tracker_env() -> dict[str, str]:
    """The caller's environment without ATTENDIFY_* fallbacks, which could change what is tested."""
    return {k: v for k, v in os.environ.items() if not k.startswith("ATTENDIFY_")}


def seed(binary: str, db: Path, count: int, prefix: str) -> list[str]:
    """Migrates a fresh database and inserts one organizer with `count` events; returns their
    public ids (`{prefix}_{n}_{random hex}`, valid for the strict id pattern)."""
    subprocess.run([binary, "migrate", "--db", str(db)], check=True, capture_output=True, env=tracker_env(), timeout=60)
    now = int(time.time())
    ids = [f"{prefix}_{i:06d}_{random.randrange(16**8):08x}" for i in range(count)]
    with sqlite3.connect(db) as conn:
        user = conn.execute(
            "INSERT INTO users (email, password_hash, full_name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
            (f"{prefix}@example.com", "x", "Tracker Tester", now, now),
        ).lastrowid
        for n, public_id in enumerate(ids):
            start = now + 86_400 * (n + 1)
            conn.execute(
                """INSERT INTO events (user_id, public_id, title, description, start_datetime, end_datetime,
                   timezone, webinar_url, customization_settings, sequence, created_at, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, 'UTC', 'https://example.com/x', '{}', 0, ?, ?)""",
                (user, public_id, f"{prefix} event {n}", "", start, start + 3600, now, now),
            )
    return ids
