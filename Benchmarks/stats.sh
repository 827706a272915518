#!/usr/bin/env bash
# Benchmark of the statistics endpoint (`GET /api/events/{id}/stats`), which reads the hourly
# rollup `interaction_counts`, against the baseline of computing the same numbers from the raw
# click rows `widget_interactions` with the sqlite3 CLI, in the same run on the same database.
#
# One organizer and one event (made through the API of a release `attendify serve
# --rate-limits off`), then 1,000,000 clicks of that event spread over the last 90 days (UTC),
# inserted straight into widget_interactions together with the matching hourly rollup
# (bucket_start = clicked_at - clicked_at % 3600), in one transaction, as the tracker's writer
# would have left them. Then:
#
#   endpoint: median latency of ~50 keep-alive requests for the 90-day range (tz=UTC), measured
#             by the client (request sent to body read), after 3 warm-up requests;
#   raw:      median over ~5 runs of the time SQLite reports (`.timer on`, real) for the two
#             GROUP BY queries over the raw rows: per day (date(clicked_at, 'unixepoch')) and per
#             interaction_type, in the same range, after 1 warm-up run.
#
# It prints both medians and their ratio raw/endpoint (target: >= 20, reported, not enforced),
# and checks that the endpoint's total, per-type counts and day-by-day timeline equal the raw
# aggregate: PASS, or FAIL with the differences and a non-zero exit.
#
# With `--db postgres` (or DB=postgres) the same on PostgreSQL: a throwaway PostgreSQL 15 started
# by this script (Tests/pysupport/postgres_support.py, default settings) and stopped on exit;
# `attendify migrate` and `attendify serve --db postgres://...`; the same 1,000,000 clicks and
# their rollup generated inside PostgreSQL (generate_series, the same formulas, one transaction),
# then VACUUM ANALYZE (what autovacuum would do soon after: the raw side gets its best plans); and
# the raw baseline is the same two GROUP BY queries in PostgreSQL's SQL (the day as
# to_char(to_timestamp(clicked_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD')), timed by psql's \timing
# (client-side time of each query, as sqlite3's .timer), median over RAW_RUNS runs after a warm-up.
#
#   Benchmarks/stats.sh                                    # release build, 1,000,000 clicks
#   Benchmarks/stats.sh --db postgres                      # the same on a throwaway PostgreSQL
#   BIN=.build/debug/attendify CLICKS=100000 Benchmarks/stats.sh   # quick try with a debug binary
#
# Environment: CLICKS (default 1000000), DAYS (default 90, at most 366), REQUESTS (default 50),
# RAW_RUNS (default 5), BIN (skip the release build and use this binary), KEEP_WORK=1 (leave the
# work folder behind), DB (sqlite or postgres, as --db; default sqlite), PG_SETTINGS (reloadable
# PostgreSQL settings to try, e.g. "work_mem=64MB"). Needs curl, python3 and the sqlite3 CLI
# (installed with apt-get if missing); with --db postgres, PostgreSQL 15 and psql.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=Benchmarks/lib.sh
source Benchmarks/lib.sh
db_mode_from_args "$@"

clicks=${CLICKS:-1000000}
days=${DAYS:-90}
requests=${REQUESTS:-50}
raw_runs=${RAW_RUNS:-5}
require_positive_int CLICKS "$clicks"
if ! [[ $days =~ ^[1-9][0-9]*$ ]] || ((days > 366)); then echo "DAYS must be 1 to 366, got '$days'" >&2; exit 2; fi
require_positive_int REQUESTS "$requests"
require_positive_int RAW_RUNS "$raw_runs"

install_missing sqlite3 curl python3

resolve_binary

work=$(mktemp -d "${TMPDIR:-/tmp}/attendify-stats-bench.XXXXXX")
server_pid=""
cleanup() {
    stop "$server_pid"
    stop_postgres
    if [[ -z "${KEEP_WORK:-}" ]]; then rm -rf "$work"; else echo "work folder kept: $work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
db="$work/db.sqlite"
if [[ $db_mode == postgres ]]; then
    start_postgres "$work"
    db=$pg_url
fi

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"

echo "== attendify migrate, then attendify serve on $base ($build)"
"$bin" migrate --db "$db" >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log" >&2; exit 1; }
"$bin" serve --db "$db" --out "$work/out" --templates "$PWD/Templates" --host 127.0.0.1 --port "$port" \
    --public-url "$base" --rate-limits off >"$work/serve.log" 2>&1 &
server_pid=$!
for ((i = 0; i < 600; i++)); do
    grep -q "attendify serve is ready on" "$work/serve.log" 2>/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || { echo "attendify serve exited:" >&2; cat "$work/serve.log" >&2; exit 1; }
    sleep 0.1
done
grep -q "attendify serve is ready on" "$work/serve.log" || { echo "attendify serve not ready after 60 s" >&2; exit 1; }

json_field() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
password='benchmark password 1'
curl -sS --fail-with-body -X POST "$base/api/auth/register" -H 'Content-Type: application/json' \
    -d "{\"email\": \"bench@example.com\", \"password\": \"$password\"}" >/dev/null
token=$(curl -sS --fail-with-body -X POST "$base/api/auth/login" -H 'Content-Type: application/json' \
    -d "{\"email\": \"bench@example.com\", \"password\": \"$password\"}" | json_field token)
event_id=$(curl -sS --fail-with-body -X POST "$base/api/events" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' \
    -d '{"title": "Stats benchmark", "start_datetime": "2026-12-01T15:00:00Z", "end_datetime": "2026-12-01T16:00:00Z",
         "timezone": "UTC", "webinar_url": "https://example.com/webinar"}' | json_field id)

# The range: the DAYS days (UTC) ending today; clicks fall anywhere in it.
read -r from_day to_day range_start range_end < <(python3 - "$days" <<'PY'
import datetime, sys
days = int(sys.argv[1])
today = datetime.datetime.now(datetime.timezone.utc).date()
first = today - datetime.timedelta(days=days - 1)
epoch = lambda d: int(datetime.datetime(d.year, d.month, d.day, tzinfo=datetime.timezone.utc).timestamp())
print(first.isoformat(), today.isoformat(), epoch(first), epoch(today + datetime.timedelta(days=1)))
PY
)
span=$((range_end - range_start))

echo "== seeding $clicks clicks for event $event_id over $from_day .. $to_day (UTC) into $db"
seed_start=$(date +%s.%N)
# Deterministic spread: a multiplicative hash of the row number picks the second in the range, and
# another picks the type with uneven weights (google 40 %, ics 25 %, outlook 15 %, office365 12 %,
# yahoo 8 %), so the per-type and per-day checks compare distinct numbers.
# Both engines get the same rows from the same formulas (bigint arithmetic throughout); only the
# row generator differs (generate_series / a recursive CTE).
seed_columns="CASE WHEN (i * 48271 + 11) % 100 < 40 THEN 'google'
            WHEN (i * 48271 + 11) % 100 < 65 THEN 'ics'
            WHEN (i * 48271 + 11) % 100 < 80 THEN 'outlook'
            WHEN (i * 48271 + 11) % 100 < 92 THEN 'office365'
            ELSE 'yahoo' END,
       $range_start + (i * 2654435761) % $span"
seed_rollup="INSERT INTO interaction_counts (event_id, bucket_start, interaction_type, count)
SELECT event_id, clicked_at - clicked_at % 3600, interaction_type, COUNT(*)
FROM widget_interactions WHERE event_id = $event_id
GROUP BY event_id, clicked_at - clicked_at % 3600, interaction_type;"
if [[ $db_mode == postgres ]]; then
    # The same rows as the SQLite branch below (same formulas; bigint arithmetic throughout).
    pg_psql "$db" >"$work/seed.log" <<SQL
BEGIN;
INSERT INTO widget_interactions (event_id, interaction_type, clicked_at)
SELECT $event_id,
       $seed_columns
FROM generate_series(0::bigint, $clicks - 1) AS i;
$seed_rollup
COMMIT;
VACUUM ANALYZE widget_interactions;
VACUUM ANALYZE interaction_counts;
SQL
    read -r raw_rows rollup_rows rollup_sum < <(pg_psql "$db" -c \
        "SELECT (SELECT COUNT(*) FROM widget_interactions WHERE event_id = $event_id),
                (SELECT COUNT(*) FROM interaction_counts WHERE event_id = $event_id),
                (SELECT SUM(count) FROM interaction_counts WHERE event_id = $event_id);")
else
sqlite3 "$db" >"$work/seed.log" <<SQL
PRAGMA busy_timeout = 10000;
BEGIN IMMEDIATE;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $clicks)
INSERT INTO widget_interactions (event_id, interaction_type, clicked_at)
SELECT $event_id,
       $seed_columns
FROM n;
$seed_rollup
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
SQL
read -r raw_rows rollup_rows rollup_sum < <(sqlite3 -separator ' ' "$db" \
    "SELECT (SELECT COUNT(*) FROM widget_interactions WHERE event_id = $event_id),
            (SELECT COUNT(*) FROM interaction_counts WHERE event_id = $event_id),
            (SELECT SUM(count) FROM interaction_counts WHERE event_id = $event_id);")
fi
seed_end=$(date +%s.%N)
awk -v a="$seed_start" -v b="$seed_end" -v r="$raw_rows" -v n="$rollup_rows" -v s="$rollup_sum" \
    'BEGIN { printf "   %d raw rows, %d rollup rows (sum %d), seeded in %.1f s\n", r, n, s, b - a }'

if [[ $db_mode == postgres ]]; then
# The baseline: the same numbers straight from the raw rows, timed by psql (\timing: "Time: N ms").
cat >"$work/raw.sql" <<SQL
\\timing on
SELECT 'day', to_char(to_timestamp(clicked_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, COUNT(*) FROM widget_interactions
 WHERE event_id = $event_id AND clicked_at >= $range_start AND clicked_at < $range_end GROUP BY day ORDER BY day;
SELECT 'type', interaction_type, COUNT(*) FROM widget_interactions
 WHERE event_id = $event_id AND clicked_at >= $range_start AND clicked_at < $range_end GROUP BY interaction_type;
SQL
echo "== raw aggregate with psql: 1 warm-up + $raw_runs runs"
for ((run = 0; run <= raw_runs; run++)); do
    pg_psql "$db" -f "$work/raw.sql" >"$work/raw.$run.out"
done
# The plan of the per-day query, for the record (EXPLAIN ANALYZE's own execution time).
pg_psql "$db" -c "EXPLAIN (ANALYZE, BUFFERS) SELECT to_char(to_timestamp(clicked_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
    COUNT(*) FROM widget_interactions WHERE event_id = $event_id AND clicked_at >= $range_start AND clicked_at < $range_end
    GROUP BY day ORDER BY day" >"$work/raw.plan"
else
# The baseline: the same numbers straight from the raw rows, timed by SQLite itself.
cat >"$work/raw.sql" <<SQL
.timer on
.mode list
.separator ' '
SELECT 'day', date(clicked_at, 'unixepoch') AS day, COUNT(*) FROM widget_interactions
 WHERE event_id = $event_id AND clicked_at >= $range_start AND clicked_at < $range_end GROUP BY day ORDER BY day;
SELECT 'type', interaction_type, COUNT(*) FROM widget_interactions
 WHERE event_id = $event_id AND clicked_at >= $range_start AND clicked_at < $range_end GROUP BY interaction_type;
SQL
echo "== raw aggregate with sqlite3: 1 warm-up + $raw_runs runs"
for ((run = 0; run <= raw_runs; run++)); do
    sqlite3 "$db" <"$work/raw.sql" >"$work/raw.$run.out"
done
fi

echo "== stats endpoint: 3 warm-up + $requests requests (keep-alive)"
stats_path="/api/events/$event_id/stats?from=$from_day&to=$to_day&tz=UTC"
python3 - "$port" "$token" "$stats_path" "$requests" "$work/endpoint.json" "$work/endpoint.times" <<'PY'
import http.client, sys, time
port, token, path, count, body_path, times_path = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6]
conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=60)
headers = {"Authorization": f"Bearer {token}"}
times = []
for n in range(3 + count):
    started = time.perf_counter()
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    if response.status != 200:
        sys.exit(f"stats answered {response.status}: {body[:500]!r}")
    if n >= 3:
        times.append(elapsed)
open(body_path, "wb").write(body)
open(times_path, "w").write("\n".join(f"{t:.9f}" for t in times) + "\n")
PY

python3 - "$work" "$raw_runs" "$requests" "$clicks" "$db_mode" <<'PY'
import json, statistics, sys
from pathlib import Path

work, raw_runs, requests, clicks, db_mode = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]

def parse_raw(text):
    days, types, seconds = {}, {}, 0.0
    for line in text.splitlines():
        parts = line.split()
        if line.startswith("Run Time:"):
            seconds += float(parts[3])  # "Run Time: real 0.123 user ... sys ..."
        elif line.startswith("Time:"):
            seconds += float(parts[1]) / 1000  # psql: "Time: 123.456 ms" (+ " (00:01.235)" beyond 1 s)
        elif parts and parts[0] == "day":
            days[parts[1]] = int(parts[2])
        elif parts and parts[0] == "type":
            types[parts[1]] = int(parts[2])
    return days, types, seconds

runs = [parse_raw((work / f"raw.{run}.out").read_text()) for run in range(raw_runs + 1)]
raw_days, raw_types, _ = runs[-1]
raw_median = statistics.median(run[2] for run in runs[1:])
endpoint_times = [float(line) for line in (work / "endpoint.times").read_text().split()]
endpoint_median = statistics.median(endpoint_times)
stats = json.loads((work / "endpoint.json").read_text())

print()
print(f"endpoint (rollup, HTTP + JSON)  median {endpoint_median * 1000:9.2f} ms  over {requests} requests "
      f"(min {min(endpoint_times) * 1000:.2f}, max {max(endpoint_times) * 1000:.2f})")
raw_label = "raw rows (psql GROUP BY)   " if db_mode == "postgres" else "raw rows (sqlite3 GROUP BY)"
print(f"{raw_label}     median {raw_median * 1000:9.2f} ms  over {raw_runs} runs "
      f"({', '.join(f'{run[2] * 1000:.0f}' for run in runs[1:])})")
if db_mode == "postgres":
    plan = (work / "raw.plan").read_text().splitlines()
    print("PostgreSQL plan of the per-day query: " + "; ".join(
        line.strip() for line in plan if any(w in line for w in ("Scan", "Aggregate", "Sort", "Gather", "Execution Time", "Workers"))))
ratio = raw_median / endpoint_median if endpoint_median > 0 else float("inf")
print(f"ratio raw/endpoint: {ratio:.2f}   target: >= 20   ({'met' if ratio >= 20 else 'NOT met'})")

problems = []
raw_total = sum(raw_types.values())
if stats["total_clicks"] != raw_total:
    problems.append(f"total_clicks {stats['total_clicks']} != raw {raw_total}")
if raw_total != clicks:
    problems.append(f"raw total {raw_total} != seeded {clicks}")
if sum(raw_days.values()) != raw_total:
    problems.append(f"raw per-day sum {sum(raw_days.values())} != raw total {raw_total}")
endpoint_types = {k: v for k, v in stats["clicks_by_type"].items() if v}
if endpoint_types != raw_types:
    problems.append(f"clicks_by_type {stats['clicks_by_type']} != raw {raw_types}")
timeline = {day["date"]: day["count"] for day in stats["clicks_timeline"]}
if len(timeline) != len(stats["clicks_timeline"]):
    problems.append("clicks_timeline lists a day twice")
if set(raw_days) - set(timeline):
    problems.append(f"days with raw clicks missing from clicks_timeline: {sorted(set(raw_days) - set(timeline))[:5]}")
wrong_days = [(d, timeline[d], raw_days.get(d, 0)) for d in sorted(timeline) if timeline[d] != raw_days.get(d, 0)]
if wrong_days:
    problems.append(f"{len(wrong_days)} days differ (date, endpoint, raw): {wrong_days[:5]}")
print(f"check: endpoint vs raw aggregate over {len(timeline)} days, total {stats['total_clicks']}, "
      f"{len(raw_types)} types: {'PASS' if not problems else 'FAIL'}")
for problem in problems:
    print(f"  - {problem}")
sys.exit(1 if problems else 0)
PY
