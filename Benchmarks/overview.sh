#!/usr/bin/env bash
# Benchmark of the organizer overview (`GET /api/stats`), which ranks every event of one organizer
# from the rollups (`traffic_daily` per event and UTC day, `traffic_hourly` per event and hour),
# against the baseline of computing the same per-event numbers (views, clicks) from the raw rows
# (`widget_views`, `widget_interactions`) with GROUP BY in the sqlite3 CLI, in the same run on the
# same database; then the same with SCALE times the traffic, to show that the endpoint's time
# grows with events and days, not with traffic.
#
# One organizer (registered through the API of a release `attendify serve --rate-limits off`), one
# event made through the API and EVENTS - 1 copies of it inserted with SQL (every column copied
# from the API's row except id, public_id, title and the creation times), then ROWS raw rows in
# total (90 % views, 10 % clicks), unevenly spread over the events and over the DAYS-day range from
# FROM plus one day either side (so the range's edges matter), inserted straight into the raw
# tables together with the rollups the tracker's writer would have left for them (traffic_hourly:
# per event and hour, placement_id 0; traffic_daily: per event and UTC day, with a made-up
# unique_visitors = views - views / 4, the tracker's sketches being out of reach of SQL;
# interaction_counts: per event, hour and provider), in one transaction. Then, for tz=UTC and for
# tz=Europe/Warsaw (whose range starts and ends an hour or two before the UTC one, and which by
# default spans the end of summer time on 2026-10-25):
#
#   endpoint: median latency of REQUESTS keep-alive requests for
#             /api/stats?from=FROM&to=FROM+DAYS-1&tz=...&limit=PAGE (default 20, the panel's
#             page: every event is still ranked, only the page is encoded), measured by the client
#             (request sent to body read), after 3 warm-up requests; then one untimed request
#             with limit=1000 (every event on one page) for the check;
#   raw:      median over RAW_RUNS runs of the time SQLite reports (`.timer on`, real) for the two
#             GROUP BY event_id queries over the raw rows of the organizer's events in the range
#             (views from widget_views, clicks from widget_interactions), after 1 warm-up run.
#
# Then SCALE - 1 times as many rows again (ROWS x SCALE in total, the rollups rebuilt to match) and
# the same measurements. It prints both medians and their ratio raw/endpoint for each time zone
# and size (target: >= 20), and the endpoint's median at ROWS x SCALE over its median at ROWS
# (target: <= 1.5; the rollups hold at most one row per event and hour, whatever the traffic). It
# checks, for every size and zone, that the endpoint's per-event views and clicks equal the raw
# aggregate, its per-event unique_visitors the sum of traffic_daily over the range's dates (UTC
# days), its totals the sums, its conversion rates clicks/views, that all EVENTS events are listed
# once and in order of views: PASS, or FAIL with the differences and a non-zero exit. The targets
# are reported, not enforced.
#
# With `--db postgres` (or DB=postgres) the same on PostgreSQL: a throwaway PostgreSQL 15 started
# by this script (Tests/pysupport/postgres_support.py, default settings) and stopped on exit;
# `attendify migrate` and `attendify serve --db postgres://...`; the same rows from the same
# formulas generated inside PostgreSQL (generate_series), then VACUUM ANALYZE of the raw tables,
# the rollups and events (what autovacuum would do soon after: both sides get their best plans;
# without it the 999 events inserted at once are planned as 2 rows); the raw baseline is the same two
# GROUP BY queries timed by psql's \timing (client-side time of each query, as sqlite3's .timer).
#
#   Benchmarks/overview.sh                                   # release build, 1 M then 10 M rows
#   Benchmarks/overview.sh --db postgres                     # the same on a throwaway PostgreSQL
#   BIN=.build/debug/attendify ROWS=100000 SCALE=2 Benchmarks/overview.sh   # quick try
#
# Environment: ROWS (raw rows of the first size, views and clicks together; default 1000000),
# SCALE (the second size is ROWS x SCALE; default 10), EVENTS (default 1000, at most 1000: one
# page), FROM (first day of the range, YYYY-MM-DD; default 2026-10-12), DAYS (default 30, at most
# 366), REQUESTS (default 30), RAW_RUNS (default 5), PAGE (events per timed page, 1 to 1000;
# default 20), BIN (skip the release build and use this
# binary), KEEP_WORK=1 (leave the work folder behind), DB (sqlite or postgres, as --db; default
# sqlite), PG_SETTINGS (reloadable PostgreSQL settings to try, e.g. "work_mem=64MB"). Needs curl,
# python3 and the sqlite3 CLI (installed with apt-get if missing); with --db postgres,
# PostgreSQL 15 and psql. Seeding the 10 M rows takes about a minute on 2 cores.
#
# The client, the server and the database share the machine's cores: compare ratios, on an
# otherwise idle box (a concurrent `swift build` distorts them).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=Benchmarks/lib.sh
source Benchmarks/lib.sh
db_mode_from_args "$@"

rows=${ROWS:-1000000}
scale=${SCALE:-10}
events=${EVENTS:-1000}
from_day=${FROM:-2026-10-12}
days=${DAYS:-30}
requests=${REQUESTS:-30}
page=${PAGE:-20}
raw_runs=${RAW_RUNS:-5}
require_positive_int ROWS "$rows"
require_positive_int SCALE "$scale"
require_positive_int EVENTS "$events"
((events <= 1000)) || { echo "EVENTS must be at most 1000 (one page of the overview), got '$events'" >&2; exit 2; }
((rows >= 10)) || { echo "ROWS must be at least 10, got '$rows'" >&2; exit 2; }
[[ $from_day =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] || { echo "FROM must look like 2026-10-12, got '$from_day'" >&2; exit 2; }
if ! [[ $days =~ ^[1-9][0-9]*$ ]] || ((days > 366)); then echo "DAYS must be 1 to 366, got '$days'" >&2; exit 2; fi
require_positive_int REQUESTS "$requests"
require_positive_int PAGE "$page"
if ((page > 1000)); then echo "PAGE must be 1 to 1000, got '$page'" >&2; exit 2; fi
require_positive_int RAW_RUNS "$raw_runs"

install_missing sqlite3 curl python3

resolve_binary

work=$(mktemp -d "${TMPDIR:-/tmp}/attendify-overview-bench.XXXXXX")
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
# sql: runs SQL from stdin (or -c TEXT) in the benchmark's database, rows space-separated.
sql() {
    if [[ $db_mode == postgres ]]; then
        pg_psql "$db" "$@"
    elif [[ ${1:-} == -c ]]; then
        sqlite3 -batch -bail -separator ' ' -cmd '.timeout 10000' "$db" "$2"
    else
        sqlite3 -batch -bail -separator ' ' -cmd '.timeout 10000' "$db"
    fi
}

# The range, its UTC bounds and its Europe/Warsaw bounds, and the seeded span (one day more on
# either side of the UTC range).
read -r to_day utc_start utc_end waw_start waw_end < <(python3 - "$from_day" "$days" <<'PY'
import datetime, sys, zoneinfo
try:
    first = datetime.date.fromisoformat(sys.argv[1])
except ValueError:
    sys.exit(f"FROM is not a date: {sys.argv[1]}")
last = first + datetime.timedelta(days=int(sys.argv[2]) - 1)
def start(day, zone):
    return int(datetime.datetime(day.year, day.month, day.day, tzinfo=zone).timestamp())
utc, waw = datetime.timezone.utc, zoneinfo.ZoneInfo("Europe/Warsaw")
after = last + datetime.timedelta(days=1)
print(last.isoformat(), start(first, utc), start(after, utc), start(first, waw), start(after, waw))
PY
)
seed_start=$((utc_start - 86400))
seed_span=$((utc_end + 86400 - seed_start))
views_first=$((rows - rows / 10)) clicks_first=$((rows / 10))
views_all=$((views_first * scale)) clicks_all=$((clicks_first * scale))

port=$(free_port)
base="http://127.0.0.1:$port"
echo "== attendify migrate, then attendify serve on $base ($build)"
"$bin" migrate --db "$db" >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log" >&2; exit 1; }
"$bin" serve --db "$db" --out "$work/out" --templates "$PWD/Templates" --host 127.0.0.1 --port "$port" \
    --public-url "$base" --rate-limits off >"$work/serve.log" 2>&1 &
server_pid=$!
wait_for_log "$work/serve.log" '(attendify serve is ready on)' "attendify serve" "$server_pid" >/dev/null

json_field() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
password='benchmark password 1'
curl -sS --fail-with-body -X POST "$base/api/auth/register" -H 'Content-Type: application/json' \
    -d "{\"email\": \"bench@example.com\", \"password\": \"$password\"}" >/dev/null
token=$(curl -sS --fail-with-body -X POST "$base/api/auth/login" -H 'Content-Type: application/json' \
    -d "{\"email\": \"bench@example.com\", \"password\": \"$password\"}" | json_field token)
# In the future, so nothing about it falls due (ended, dropped from the feed) while we measure.
template_id=$(curl -sS --fail-with-body -X POST "$base/api/events" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' \
    -d '{"title": "Overview benchmark event 0", "start_datetime": "2027-03-01T15:00:00Z", "end_datetime": "2027-03-01T16:00:00Z",
         "timezone": "Europe/Warsaw", "webinar_url": "https://example.com/webinar"}' | json_field id)
user_id=$(sql -c "SELECT user_id FROM events WHERE id = $template_id")

echo "== $((events - 1)) copies of event $template_id inserted with SQL"
if [[ $db_mode == postgres ]]; then
    columns=$(sql -c "SELECT string_agg(column_name, ', ' ORDER BY ordinal_position) FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = 'events'
          AND column_name NOT IN ('id', 'public_id', 'title', 'created_at', 'updated_at')")
    numbers="generate_series(1, $events - 1) AS n(k)"
    public_id="'ovw' || lpad(k::text, 19, '0')"
else
    columns=$(sql -c "SELECT group_concat(name, ', ') FROM (SELECT name FROM pragma_table_info('events')
        WHERE name NOT IN ('id', 'public_id', 'title', 'created_at', 'updated_at') ORDER BY cid)")
    numbers="(WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k + 1 < $events) SELECT k FROM n) AS n"
    public_id="printf('ovw%019d', k)"
fi
template_columns=$(sed -E 's/([a-z_0-9]+)/t.\1/g' <<<"$columns")
((events == 1)) || sql >"$work/events.log" <<SQL
INSERT INTO events (public_id, title, created_at, updated_at, $columns)
SELECT $public_id, 'Overview benchmark event ' || k, t.created_at + k, t.updated_at + k, $template_columns
FROM $numbers, events t WHERE t.id = $template_id ORDER BY k;
SQL
read -r first_id last_id event_count < <(sql -c "SELECT min(id), max(id), count(*) FROM events WHERE user_id = $user_id")
((event_count == events && last_id - first_id + 1 == events)) \
    || { echo "expected $events events with consecutive ids, got $event_count from $first_id to $last_id" >&2; exit 1; }

# The rows: i numbers the views, j the clicks, each from 0. A multiplicative hash of the number
# picks the event (skewed: k*k over a uniform k, so the busiest event has ~60 times the traffic of
# the quietest and every count differs), another the second in the seeded span, a third the
# provider with uneven weights. Both engines get the same rows from the same formulas (bigint
# arithmetic throughout); only the row generator differs (generate_series / a recursive CTE).
view_event="$first_id + ((i * 48271 + 11) % 1000000) * ((i * 48271 + 11) % 1000000) / 1000000 * $events / 1000000"
view_time="$seed_start + (i * 2654435761) % $seed_span"
click_event="$first_id + ((j * 69621 + 7) % 1000000) * ((j * 69621 + 7) % 1000000) / 1000000 * $events / 1000000"
click_time="$seed_start + (j * 2246822519 + 12345) % $seed_span"
click_type="CASE WHEN (j * 48271 + 11) % 100 < 40 THEN 'google'
            WHEN (j * 48271 + 11) % 100 < 65 THEN 'ics'
            WHEN (j * 48271 + 11) % 100 < 80 THEN 'outlook'
            WHEN (j * 48271 + 11) % 100 < 92 THEN 'office365'
            ELSE 'yahoo' END"
bench_events="event_id BETWEEN $first_id AND $last_id"
# The rollups of all the raw rows, as the writer leaves them: one traffic_hourly row per event and
# hour (placement_id 0: no placement), one traffic_daily row per event and UTC day, one
# interaction_counts row per event, hour and provider (rebuilt whole after each size).
rollups="DELETE FROM traffic_hourly WHERE $bench_events;
DELETE FROM traffic_daily WHERE $bench_events;
DELETE FROM interaction_counts WHERE $bench_events;
INSERT INTO traffic_hourly (event_id, bucket_start, placement_id, views, clicks)
SELECT event_id, bucket_start, 0, SUM(views), SUM(clicks) FROM (
    SELECT event_id, viewed_at - viewed_at % 3600 AS bucket_start, COUNT(*) AS views, 0 AS clicks
    FROM widget_views WHERE $bench_events GROUP BY event_id, viewed_at - viewed_at % 3600
    UNION ALL
    SELECT event_id, clicked_at - clicked_at % 3600, 0, COUNT(*)
    FROM widget_interactions WHERE $bench_events GROUP BY event_id, clicked_at - clicked_at % 3600) AS hours
GROUP BY event_id, bucket_start;
INSERT INTO traffic_daily (event_id, day_start, views, clicks, unique_visitors)
SELECT event_id, bucket_start - bucket_start % 86400, SUM(views), SUM(clicks),
       CAST(SUM(views) AS BIGINT) - CAST(SUM(views) AS BIGINT) / 4
FROM traffic_hourly WHERE $bench_events GROUP BY event_id, bucket_start - bucket_start % 86400;
INSERT INTO interaction_counts (event_id, bucket_start, interaction_type, count)
SELECT event_id, clicked_at - clicked_at % 3600, interaction_type, COUNT(*)
FROM widget_interactions WHERE $bench_events GROUP BY event_id, clicked_at - clicked_at % 3600, interaction_type;"

# seed SIZE VIEWS_FROM VIEWS_TO CLICKS_FROM CLICKS_TO: adds views i in [VIEWS_FROM, VIEWS_TO) and
# clicks j in [CLICKS_FROM, CLICKS_TO), rebuilds the rollups, and prints what the tables hold.
seed() {
    local size=$1 v0=$2 v1=$3 c0=$4 c1=$5 started ended
    echo "== seeding $((v1 - v0)) views and $((c1 - c0)) clicks (size $size: $v1 views and $c1 clicks in all) over $events events into $db"
    started=$(date +%s.%N)
    if [[ $db_mode == postgres ]]; then
        sql >"$work/seed.$size.log" <<SQL
BEGIN;
INSERT INTO widget_views (event_id, viewed_at)
SELECT $view_event, $view_time FROM generate_series($v0::bigint, $v1 - 1) AS i;
INSERT INTO widget_interactions (event_id, interaction_type, clicked_at)
SELECT $click_event, $click_type, $click_time FROM generate_series($c0::bigint, $c1 - 1) AS j;
$rollups
COMMIT;
VACUUM ANALYZE widget_views;
VACUUM ANALYZE widget_interactions;
VACUUM ANALYZE traffic_hourly;
VACUUM ANALYZE traffic_daily;
VACUUM ANALYZE interaction_counts;
VACUUM ANALYZE events;
SQL
    else
        sql >"$work/seed.$size.log" <<SQL
BEGIN IMMEDIATE;
WITH RECURSIVE n(i) AS (SELECT $v0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $v1)
INSERT INTO widget_views (event_id, viewed_at) SELECT $view_event, $view_time FROM n;
WITH RECURSIVE n(j) AS (SELECT $c0 UNION ALL SELECT j + 1 FROM n WHERE j + 1 < $c1)
INSERT INTO widget_interactions (event_id, interaction_type, clicked_at) SELECT $click_event, $click_type, $click_time FROM n;
$rollups
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
SQL
    fi
    ended=$(date +%s.%N)
    sql -c "SELECT (SELECT count(*) FROM widget_views WHERE $bench_events), (SELECT count(*) FROM widget_interactions WHERE $bench_events),
                   (SELECT count(*) FROM traffic_hourly WHERE $bench_events), (SELECT count(*) FROM traffic_daily WHERE $bench_events),
                   (SELECT COALESCE(sum(views), 0) FROM traffic_hourly WHERE $bench_events),
                   (SELECT COALESCE(sum(views), 0) FROM traffic_daily WHERE $bench_events),
                   (SELECT COALESCE(sum(count), 0) FROM interaction_counts WHERE $bench_events)" >"$work/tables.$size.txt"
    local raw_views raw_clicks hourly daily hourly_views daily_views click_rollup
    read -r raw_views raw_clicks hourly daily hourly_views daily_views click_rollup <"$work/tables.$size.txt"
    awk -v a="$started" -v b="$ended" -v v="$raw_views" -v c="$raw_clicks" -v h="$hourly" -v d="$daily" 'BEGIN {
        printf "   %d views, %d clicks; %d traffic_hourly rows, %d traffic_daily rows; seeded in %.1f s\n", v, c, h, d, b - a }'
    ((raw_views == v1 && raw_clicks == c1 && hourly_views == v1 && daily_views == v1 && click_rollup == c1)) \
        || { echo "the seeded tables do not add up: $(cat "$work/tables.$size.txt") (expected $v1 views, $c1 clicks)" >&2; exit 1; }
    # Expected unique visitors of each event over the range's dates (the UTC days of those dates),
    # untimed: the check compares the endpoint with it for both zones.
    sql -c "SELECT 'uv', event_id, sum(unique_visitors) FROM traffic_daily
            WHERE $bench_events AND day_start >= $utc_start AND day_start < $utc_end GROUP BY event_id" >"$work/uv.$size.out"
}

# measure SIZE ZONE_KEY ZONE START END: the raw baseline (RAW_RUNS + 1 runs) and the endpoint
# (3 + REQUESTS requests) for the range in that zone, whose UTC bounds are START and END.
measure() {
    local size=$1 key=$2 zone=$3 start=$4 end=$5 run
    local views_sql="SELECT 'views', event_id, COUNT(*) FROM widget_views
 WHERE viewed_at >= $start AND viewed_at < $end AND event_id IN (SELECT id FROM events WHERE user_id = $user_id) GROUP BY event_id;"
    local clicks_sql="SELECT 'clicks', event_id, COUNT(*) FROM widget_interactions
 WHERE clicked_at >= $start AND clicked_at < $end AND event_id IN (SELECT id FROM events WHERE user_id = $user_id) GROUP BY event_id;"
    if [[ $db_mode == postgres ]]; then
        printf '\\timing on\n%s\n%s\n' "$views_sql" "$clicks_sql" >"$work/raw.sql"
        echo "== [$size rows, tz=$zone] raw aggregate with psql: 1 warm-up + $raw_runs runs"
        for ((run = 0; run <= raw_runs; run++)); do pg_psql "$db" -f "$work/raw.sql" >"$work/raw.$size.$key.$run.out"; done
    else
        printf '.timer on\n.mode list\n.separator " "\n%s\n%s\n' "$views_sql" "$clicks_sql" >"$work/raw.sql"
        echo "== [$size rows, tz=$zone] raw aggregate with sqlite3: 1 warm-up + $raw_runs runs"
        for ((run = 0; run <= raw_runs; run++)); do sqlite3 "$db" <"$work/raw.sql" >"$work/raw.$size.$key.$run.out"; done
    fi
    echo "== [$size rows, tz=$zone] overview endpoint: 3 warm-up + $requests requests of $page events (keep-alive), then all events once"
    python3 - "$port" "$token" "/api/stats?from=$from_day&to=$to_day&tz=$zone&limit=$page" "$requests" \
        "$work/endpoint.$size.$key.json" "$work/endpoint.$size.$key.times" "/api/stats?from=$from_day&to=$to_day&tz=$zone&limit=1000" <<'PY'
import http.client, sys, time
port, token, path, count, body_path, times_path, full_path = (
    sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6], sys.argv[7])
conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=120)
headers = {"Authorization": f"Bearer {token}"}
times = []
for n in range(3 + count):
    started = time.perf_counter()
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    if response.status != 200:
        sys.exit(f"GET {path} answered {response.status}: {body[:500]!r}")
    if n >= 3:
        times.append(elapsed)
page_body = body
conn.request("GET", full_path, headers=headers)
response = conn.getresponse()
body = response.read()
if response.status != 200:
    sys.exit(f"GET {full_path} answered {response.status}: {body[:500]!r}")
# The timed page must be the head of the full ranking.
page, full = __import__("json").loads(page_body), __import__("json").loads(body)
if page["events"] != full["events"][: len(page["events"])] or page["totals"] != full["totals"]:
    sys.exit("the timed page is not the first page of the full ranking (or its totals differ)")
open(body_path, "wb").write(body)
open(times_path, "w").write("\n".join(f"{t:.9f}" for t in times) + "\n")
PY
}

sizes=("$rows" "$((rows * scale))")
seed "${sizes[0]}" 0 "$views_first" 0 "$clicks_first"
measure "${sizes[0]}" utc UTC "$utc_start" "$utc_end"
measure "${sizes[0]}" warsaw Europe/Warsaw "$waw_start" "$waw_end"
if ((scale > 1)); then
    seed "${sizes[1]}" "$views_first" "$views_all" "$clicks_first" "$clicks_all"
    measure "${sizes[1]}" utc UTC "$utc_start" "$utc_end"
    measure "${sizes[1]}" warsaw Europe/Warsaw "$waw_start" "$waw_end"
else
    sizes=("$rows")
fi

python3 - "$work" "$raw_runs" "$requests" "$events" "$first_id" "$db_mode" "$build" "$from_day" "$to_day" "$page" "${sizes[@]}" <<'PY'
import json, statistics, sys
from pathlib import Path

work, raw_runs, requests, events, first_id, db_mode, build, from_day, to_day, page = (
    Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6], sys.argv[7], sys.argv[8], sys.argv[9],
    int(sys.argv[10]))
sizes = [int(s) for s in sys.argv[11:]]
zones = [("utc", "UTC"), ("warsaw", "Europe/Warsaw")]
bench_ids = set(range(first_id, first_id + events))

def parse_raw(text):
    views, clicks, seconds = {}, {}, 0.0
    for line in text.splitlines():
        parts = line.split()
        if line.startswith("Run Time:"):
            seconds += float(parts[3])  # "Run Time: real 0.123 user ... sys ..."
        elif line.startswith("Time:"):
            seconds += float(parts[1]) / 1000  # psql: "Time: 123.456 ms" (+ " (00:01.235)" beyond 1 s)
        elif parts and parts[0] == "views":
            views[int(parts[1])] = int(parts[2])
        elif parts and parts[0] == "clicks":
            clicks[int(parts[1])] = int(parts[2])
    return views, clicks, seconds

def rate(clicks, views):
    return None if views == 0 else clicks / views

def same_rate(got, exact):
    # got: the endpoint's rate, rounded to 4 decimals (either way on a tie); exact: unrounded.
    return got is None and exact is None or got is not None and exact is not None and abs(got - exact) <= 0.00005 + 1e-9

def check(stats, raw_views, raw_clicks, uniques):
    problems = []
    rows = stats.get("events", [])
    if stats.get("total_events") != events:
        problems.append(f"total_events {stats.get('total_events')} != {events}")
    ids = [row.get("id") for row in rows]
    if len(ids) != events or set(ids) != bench_ids:
        problems.append(f"{len(ids)} events listed ({len(set(ids))} distinct), expected the {events} seeded ones")
    wrong = []
    for row in rows:
        want = (raw_views.get(row.get("id"), 0), raw_clicks.get(row.get("id"), 0), uniques.get(row.get("id"), 0))
        got = (row.get("views"), row.get("clicks"), row.get("unique_visitors"))
        if got != want or not same_rate(row.get("conversion_rate"), rate(want[1], want[0])):
            wrong.append((row.get("id"), got, want, row.get("conversion_rate")))
    if wrong:
        problems.append(f"{len(wrong)} events differ (id, endpoint views/clicks/unique, raw views/clicks and daily unique, conversion): {wrong[:3]}")
    views_seen = [row.get("views") or 0 for row in rows]
    if views_seen != sorted(views_seen, reverse=True):
        problems.append("events are not in descending order of views (the default sort)")
    totals = stats.get("totals", {})
    want_totals = (sum(raw_views.values()), sum(raw_clicks.values()), sum(uniques.values()))
    got_totals = (totals.get("views"), totals.get("clicks"), totals.get("unique_visitors"))
    if got_totals != want_totals or not same_rate(totals.get("conversion_rate"), rate(want_totals[1], want_totals[0])):
        problems.append(f"totals views/clicks/unique {got_totals} (conversion {totals.get('conversion_rate')}) != raw {want_totals}")
    if (stats.get("from"), stats.get("to"), stats.get("limit")) != (from_day, to_day, 1000):
        problems.append(f"echoed from/to/limit {stats.get('from')}/{stats.get('to')}/{stats.get('limit')}")
    return problems, want_totals

endpoint_median, failed = {}, False
print()
label = "PostgreSQL" if db_mode == "postgres" else "SQLite"
print(f"== results ({build}, {label}, {events} events, {from_day} .. {to_day}, {requests} requests, {raw_runs} raw runs)")
raw_label = "raw rows (psql GROUP BY)   " if db_mode == "postgres" else "raw rows (sqlite3 GROUP BY)"
for size in sizes:
    uniques = {int(p[1]): int(p[2]) for p in (l.split() for l in (work / f"uv.{size}.out").read_text().splitlines()) if p}
    for key, zone in zones:
        runs = [parse_raw((work / f"raw.{size}.{key}.{run}.out").read_text()) for run in range(raw_runs + 1)]
        raw_views, raw_clicks, _ = runs[-1]
        raw_median = statistics.median(run[2] for run in runs[1:])
        times = [float(t) for t in (work / f"endpoint.{size}.{key}.times").read_text().split()]
        median = endpoint_median[size, key] = statistics.median(times)
        stats = json.loads((work / f"endpoint.{size}.{key}.json").read_text())
        print(f"[{size:,} rows, tz={zone}]")
        print(f"  endpoint (rollups, HTTP + JSON, page of {page})  median {median * 1000:9.2f} ms  over {requests} requests "
              f"(min {min(times) * 1000:.2f}, max {max(times) * 1000:.2f})")
        print(f"  {raw_label}     median {raw_median * 1000:9.2f} ms  over {raw_runs} runs "
              f"({', '.join(f'{run[2] * 1000:.0f}' for run in runs[1:])})")
        ratio = raw_median / median if median > 0 else float("inf")
        print(f"  ratio raw/endpoint: {ratio:.2f}   target: >= 20   ({'met' if ratio >= 20 else 'NOT met'})")
        problems, totals = check(stats, raw_views, raw_clicks, uniques)
        print(f"  check: endpoint vs raw aggregate over {len(stats.get('events', []))} events, "
              f"{totals[0]} views, {totals[1]} clicks, {totals[2]} unique: {'PASS' if not problems else 'FAIL'}")
        for problem in problems:
            print(f"    - {problem}")
        failed = failed or bool(problems)
if len(sizes) == 2:
    for key, zone in zones:
        growth = endpoint_median[sizes[1], key] / endpoint_median[sizes[0], key]
        print(f"ratio endpoint {sizes[1]:,}/{sizes[0]:,} rows (tz={zone}): {growth:.2f}   target: <= 1.5   "
              f"({'met' if growth <= 1.5 else 'NOT met'})")
sys.exit(1 if failed else 0)
PY
