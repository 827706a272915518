#!/usr/bin/env bash
# Benchmark of `attendify track` (the click tracker) against the cheapest possible redirect: a
# stand-alone Nginx whose location answers `return 302` from its configuration. Both are driven by
# the same wrk script (random valid public id and provider per request, browser User-Agent so every
# click counts), one after the other on the same machine. Also checks that the tracker stored
# exactly the clicks it acknowledged, and reports its resident memory after the run.
#
# The view beacon (`GET /track/{id}/view`, answered 204 and counted as a view) is measured the same
# way, against the same Nginx answering `return 204` for that path: the same wrk script asking for
# the beacon of a random event instead, against the same tracker process right after its click run.
# Its count check compares the views the tracker acknowledged (`attendify_views_received_total`,
# and wrk's 204s) with `count(*)` of `widget_views` and `sum(views)` of `traffic_hourly` and
# `traffic_daily`, before and after the graceful stop; for clicks the check also covers
# `sum(clicks)` of those two rollups. All requests come from one address and one browser, so each
# event has one true visitor per UTC day: the unique visitors the tracker estimated (its sketches)
# are reported next to that, not checked. KINDS="clicks" or KINDS="views" measures one alone.
#
# With `--db postgres` (or DB=postgres) one run measures three servers, one after the other: Nginx
# (the baseline), the tracker on SQLite, and the tracker on PostgreSQL -- a throwaway PostgreSQL 15
# started by this script (Tests/pysupport/postgres_support.py, default durability settings) and
# stopped on exit, migrated by `attendify migrate` and seeded through psql with the same events.
# It adds the ratio PostgreSQL tracker / SQLite tracker (target >= 0.9), each tracker / Nginx,
# the writer's flush figures (batches, mean batch size, time spent committing) and the CPU the
# PostgreSQL server used; the count check and the queue check run for both trackers.
#
#   Benchmarks/track.sh                                   # release build, 1,000 events, 10 s each
#   Benchmarks/track.sh --db postgres                     # Nginx, tracker on SQLite, on PostgreSQL
#   KINDS=views Benchmarks/track.sh                       # the view beacon alone
#   BIN=.build/debug/attendify DURATION=3s Benchmarks/track.sh   # quick try with a debug binary
#
# Environment: EVENTS (default 1000), DURATION (wrk -d, default 10s), CONNECTIONS (wrk -c, default
# 64), THREADS (wrk -t, default 2), KINDS (what to measure: "clicks views", the default, or one of
# them), BIN (skip the release build and use this binary), KEEP_WORK=1 (leave the work folder
# behind, with PostgreSQL's log), DB (sqlite or postgres, as --db; default sqlite), PG_SETTINGS
# (reloadable PostgreSQL settings to try, e.g. "synchronous_commit=off").
#
# Targets (reported, not enforced): tracker requests/s >= 0.5 x Nginx's (clicks against `return
# 302`, views against `return 204`), tracker RSS < 64 MB; with --db postgres also PostgreSQL
# tracker requests/s >= 0.9 x the SQLite tracker's, for clicks and for views.
# The exit status is non-zero only when the stored clicks or views do not match the acknowledged
# ones, or a tracker dropped some from a full queue (or when the benchmark itself cannot run).
#
# wrk, Nginx and the tracker share the machine's cores: the ratio is what matters, not the absolute
# figures, and a concurrent `swift build` on the box distorts both. Run it on an otherwise idle box.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=Benchmarks/lib.sh
source Benchmarks/lib.sh
root=$PWD
db_mode_from_args "$@"

events=${EVENTS:-1000}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-64}
wrk_threads=${THREADS:-2}
require_positive_int EVENTS "$events"
[[ $duration =~ ^[1-9][0-9]*[smh]?$ ]] || { echo "DURATION must look like 10s, got '$duration'" >&2; exit 2; }
require_positive_int CONNECTIONS "$connections"
require_positive_int THREADS "$wrk_threads"
# The kinds of request to measure, in this order: clicks (answered 302), views (answered 204).
read -r -a kinds <<<"${KINDS:-clicks views}"
[[ " ${kinds[*]} " =~ ^\ (clicks\ |views\ |clicks\ views\ )$ ]] \
    || { echo "KINDS must be \"clicks views\", \"clicks\" or \"views\", got '${KINDS:-}'" >&2; exit 2; }
declare -A answer=([clicks]=302 [views]=204)

install_missing nginx wrk python3
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

resolve_binary

work=$(mktemp -d "${TMPDIR:-/tmp}/attendify-track-bench.XXXXXX")
tracker_pid=""
nginx_pid=""
sampler_pid=""
cleanup() {
    stop "$sampler_pid"
    stop "$tracker_pid"
    stop "$nginx_pid"
    stop_postgres
    if [[ -z "${KEEP_WORK:-}" ]]; then rm -rf "$work"; else echo "work folder kept: $work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
db="$work/db.sqlite"

# The trackers to measure, in order: key, what --db gets.
trackers=(sqlite)
if [[ $db_mode == postgres ]]; then
    trackers=(sqlite postgres)
    start_postgres "$work"
fi
declare -A db_arg=([sqlite]="$db")
[[ $db_mode == postgres ]] && db_arg[postgres]=$pg_url

echo "== seeding $events events into $db"
"$bin" migrate --db "$db" >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log" >&2; exit 1; }
python3 - "$db" "$events" "$work/ids.txt" "$([[ $db_mode == postgres ]] && echo "$work/events.tsv")" <<'PY'
import random, sqlite3, sys

db_path, count, ids_path, tsv_path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
rng = random.Random(20261202)  # fixed seed: every run benchmarks the same data
alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
now = 1_790_000_000
ids = ["".join(rng.choice(alphabet) for _ in range(22)) for _ in range(count)]
with sqlite3.connect(db_path) as db:
    user = db.execute(
        "INSERT INTO users (email, password_hash, full_name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
        ("bench@example.com", "$argon2id$v=19$m=65536,t=3,p=4$bench", "Bench Organizer", now, now)).lastrowid
    rows = []
    for n, public_id in enumerate(ids):
        start = now + rng.randrange(0, 365 * 86400) // 900 * 900
        # '{}' customization: every event offers all five providers, so every request is a 302.
        rows.append((user, public_id, f"Benchmark webinar {n}: tracking clicks", "Agenda: intro, demo, Q&A.",
                     start, start + 3600, rng.choice(["UTC", "Europe/Warsaw", "America/New_York"]),
                     f"https://zoom.us/j/{rng.randrange(10**9, 10**10)}", "{}", 0, now, now))
    db.executemany(
        "INSERT INTO events (user_id, public_id, title, description, start_datetime, end_datetime, timezone, "
        "webinar_url, customization_settings, sequence, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
with open(ids_path, "w") as out:
    out.write("\n".join(ids) + "\n")
if tsv_path:
    # The same events for PostgreSQL's COPY (text format: no tab, newline or backslash in them),
    # without the user id, which the database that receives them assigns.
    with open(tsv_path, "w") as out:
        for row in rows:
            assert not any(c in str(v) for v in row for c in "\t\n\\")
            out.write("\t".join(str(v) for v in row[1:]) + "\n")
PY
if [[ $db_mode == postgres ]]; then
    echo "== migrating and seeding the same $events events into $pg_url"
    "$bin" migrate --db "$pg_url" >"$work/migrate-postgres.log" 2>&1 || { cat "$work/migrate-postgres.log" >&2; exit 1; }
    pg_psql "$pg_url" >"$work/seed-postgres.log" <<SQL
BEGIN;
INSERT INTO users (email, password_hash, full_name, created_at, updated_at)
VALUES ('bench@example.com', '\$argon2id\$v=19\$m=65536,t=3,p=4\$bench', 'Bench Organizer', 1790000000, 1790000000);
CREATE TEMP TABLE seed_events (
    n BIGINT GENERATED ALWAYS AS IDENTITY, public_id TEXT, title TEXT, description TEXT, start_datetime BIGINT,
    end_datetime BIGINT, timezone TEXT, webinar_url TEXT, customization_settings TEXT, sequence INTEGER,
    created_at BIGINT, updated_at BIGINT);
\\copy seed_events (public_id, title, description, start_datetime, end_datetime, timezone, webinar_url, customization_settings, sequence, created_at, updated_at) FROM '$work/events.tsv'
INSERT INTO events (user_id, public_id, title, description, start_datetime, end_datetime, timezone,
                    webinar_url, customization_settings, sequence, created_at, updated_at)
SELECT (SELECT id FROM users WHERE email = 'bench@example.com'), public_id, title, description, start_datetime,
       end_datetime, timezone, webinar_url, customization_settings, sequence, created_at, updated_at
FROM seed_events ORDER BY n;
COMMIT;
SQL
    pg_psql "$pg_url" -c "ANALYZE" >/dev/null
    seeded=$(pg_psql "$pg_url" -c "SELECT count(*) FROM events")
    ((seeded == events)) || { echo "PostgreSQL holds $seeded events, expected $events" >&2; exit 1; }
fi

# One wrk script for both servers: a random id and provider per request (clicks) or a random id's
# beacon (views), a browser User-Agent (the tracker answers bots without counting them), and
# per-thread status counts summed in done(). Arguments: the ids file, the kind, the expected status.
cat >"$work/track.lua" <<'LUA'
local ids = {}
local types = { "google", "ics", "outlook", "office365", "yahoo" }
local threads = {}
local views = false
local expected = 302

function setup(thread)
    thread:set("tid", #threads + 1)
    table.insert(threads, thread)
end

function init(args)
    for line in io.lines(args[1]) do
        if #line > 0 then ids[#ids + 1] = line end
    end
    views = args[2] == "views"
    expected = tonumber(args[3])
    math.randomseed(os.time() * 100 + tid)
    wrk.headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
    status_ok = 0
    status_other = 0
end

function request()
    if views then
        return wrk.format("GET", "/track/" .. ids[math.random(#ids)] .. "/view")
    end
    return wrk.format("GET", "/track/" .. ids[math.random(#ids)] .. "/" .. types[math.random(#types)])
end

function response(status, headers, body)
    if status == expected then status_ok = status_ok + 1 else status_other = status_other + 1 end
end

function done(summary, latency, requests)
    local ok, other = 0, 0
    for _, thread in ipairs(threads) do
        ok = ok + thread:get("status_ok")
        other = other + thread:get("status_other")
    end
    io.write(string.format("status_ok %d\nstatus_other %d\n", ok, other))
end
LUA

# CPU accounting, to show what each server costs and whether anything else competed for the CPUs:
# clock ticks used by the given processes (all their threads), and busy ticks of the whole machine.
clk_tck=$(getconf CLK_TCK)
process_ticks() {
    local total=0 pid
    for pid in "$@"; do
        [[ -r /proc/$pid/stat ]] || continue
        total=$((total + $(sed 's/.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }')))
    done
    echo "$total"
}
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
# "PID TICKS" lines for the PostgreSQL server's processes right now; empty unless `with_postgres` is
# set (the tracker-on-PostgreSQL run: in the others the idle server counts as anything else).
# Backends come and go: the difference of two snapshots counts a process that appeared in between
# in full.
with_postgres=""
postgres_ticks() {
    local pid
    [[ -n $with_postgres ]] || return 0
    for pid in $(postgres_pids); do echo "$pid $(process_ticks "$pid")"; done
}
ticks_between() {  # ticks_between BEFORE_FILE AFTER_FILE: ticks used in between by the listed processes
    awk 'FILENAME == ARGV[1] { before[$1] = $2; next } { total += $2 - ($1 in before ? before[$1] : 0) } END { print total + 0 }' "$1" "$2"
}

# Runs wrk for KIND (clicks or views) against URL, the output going to FILE; PIDS are the server's processes. Writes
# "server wrk other" (CPU cores used on average during the run) to FILE.cpu, server including the
# PostgreSQL server's processes when `with_postgres` is set (FILE.pgcpu has their share alone).
run_wrk() {
    local kind=$1 url=$2 file=$3 busy0 server0 start busy1 server1 end pg
    shift 3
    postgres_ticks >"$file.pg0"
    busy0=$(busy_ticks) server0=$(process_ticks "$@") start=$(date +%s.%N)
    echo "$start" >"$file.start"
    local TIMEFORMAT='%U %S'
    { time wrk -t"$wrk_threads" -c"$connections" -d"$duration" --latency -s "$work/track.lua" "$url" -- "$work/ids.txt" "$kind" "${answer[$kind]}" \
        >"$file" 2>&1; } 2>"$file.time" || { echo "wrk failed:" >&2; cat "$file" "$file.time" >&2; exit 1; }
    busy1=$(busy_ticks) server1=$(process_ticks "$@") end=$(date +%s.%N)
    postgres_ticks >"$file.pg1"
    pg=$(ticks_between "$file.pg0" "$file.pg1")
    read -r wrk_user wrk_sys <"$file.time"
    local wall
    wall=$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')
    awk -v b=$((busy1 - busy0)) -v s=$((server1 - server0 + pg)) -v hz="$clk_tck" -v wall="$wall" \
        -v w="$(awk -v u="$wrk_user" -v y="$wrk_sys" 'BEGIN { print u + y }')" 'BEGIN {
            server = s / hz / wall; load = w / wall; other = b / hz / wall - server - load
            printf "%.2f %.2f %.2f\n", server, load, (other < 0 ? 0 : other) }' >"$file.cpu"
    awk -v p="$pg" -v hz="$clk_tck" -v wall="$wall" 'BEGIN { printf "%.2f\n", p / hz / wall }' >"$file.pgcpu"
}
# Requests/sec, p50 and p99 (in ms) and the status counts (ok: the expected 302 or 204) from a wrk output file.
wrk_field() {
    local file=$1 field=$2
    case $field in
        rps) awk '/^Requests\/sec:/ { print $2 }' "$file" ;;
        p50 | p99)
            awk -v want="${field#p}%" '
                /Latency Distribution/ { on = 1; next }
                on && $1 == want {
                    v = $2; unit = v; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v)
                    if (unit == "us") v /= 1000; else if (unit == "s") v *= 1000; else if (unit == "m") v *= 60000
                    printf "%.2f", v; exit
                }' "$file" ;;
        ok) awk '$1 == "status_ok" { print $2 }' "$file" ;;
        other) awk '$1 == "status_other" { print $2 }' "$file" ;;
        non3xx) awk '/Non-2xx or 3xx responses:/ { print $NF; found = 1 } END { if (!found) print 0 }' "$file" ;;
        socket) awk '/Socket errors:/ { sub(/.*Socket errors: /, ""); print; found = 1 } END { if (!found) print "none" }' "$file" ;;
    esac
}

# ---------------------------------------------------------------------------------------------
# Nginx: a private instance (own prefix, pid, logs and temp paths; no access log), run first.
# ---------------------------------------------------------------------------------------------
nginx_port=$(free_port)
mkdir -p "$work/nginx/logs" "$work/nginx/tmp"
cat >"$work/nginx/nginx.conf" <<NGINX
worker_processes auto;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $work/nginx/tmp/body;
    proxy_temp_path $work/nginx/tmp/proxy;
    fastcgi_temp_path $work/nginx/tmp/fastcgi;
    uwsgi_temp_path $work/nginx/tmp/uwsgi;
    scgi_temp_path $work/nginx/tmp/scgi;
    # Fairness: keep connections as long as wrk does (Nginx's default closes each after 1,000
    # requests, which would make it pay for reconnects the tracker does not pay for).
    keepalive_requests 1000000;
    keepalive_timeout 75s;
    server {
        listen 127.0.0.1:$nginx_port;
        location /track/ {
            # The same extra headers the tracker sends with its 302.
            add_header Cache-Control no-store always;
            add_header Referrer-Policy no-referrer always;
            add_header Access-Control-Allow-Origin * always;
            return 302 https://calendar.google.com/;
        }
        # The view beacon (a regular expression location: it wins over the prefix above).
        location ~ ^/track/[^/]+/view(/[^/]+)?\$ {
            # The same extra headers the tracker sends with its 204.
            add_header Cache-Control no-store always;
            return 204;
        }
    }
}
NGINX
"$nginx_bin" -t -q -p "$work/nginx" -e "$work/nginx/logs/error.log" -c "$work/nginx/nginx.conf" \
    || { echo "nginx rejected its configuration" >&2; exit 1; }
"$nginx_bin" -p "$work/nginx" -e "$work/nginx/logs/error.log" -c "$work/nginx/nginx.conf" >"$work/nginx/stdout.log" 2>&1 &
nginx_pid=$!
for ((i = 0; i < 300; i++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$nginx_port") 2>/dev/null && break
    kill -0 "$nginx_pid" 2>/dev/null || { echo "nginx exited:" >&2; cat "$work/nginx/logs/error.log" >&2; exit 1; }
    sleep 0.1
done

# Order: Nginx first (clicks, then views), then the tracker(s), never two at once: each run has the
# whole machine (minus wrk). Nginx is stopped before the tracker starts.
for kind in "${kinds[@]}"; do
    echo "== wrk -t$wrk_threads -c$connections -d$duration against Nginx (return ${answer[$kind]}, $kind) on 127.0.0.1:$nginx_port"
    run_wrk "$kind" "http://127.0.0.1:$nginx_port" "$work/wrk-nginx-$kind.txt" "$nginx_pid" $(ps --ppid "$nginx_pid" -o pid= || true)
done
stop "$nginx_pid"
nginx_pid=""

# ---------------------------------------------------------------------------------------------
# The tracker (release build, rate limits off), on kernel-chosen ports read back from its log;
# once per database. Each run's figures go into `result[KEY.NAME]`.
# ---------------------------------------------------------------------------------------------
declare -A result
metrics_port=""
metric() {  # metric NAME [DEFAULT]: its value from the tracker's /metrics (exact name, no labels); DEFAULT if absent
    python3 - "$metrics_port" "$1" "${2-}" <<'PY'
import sys, urllib.request
port, name, default = sys.argv[1], sys.argv[2], sys.argv[3]
text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
value = next((line.split()[1] for line in text.splitlines() if line.split() and line.split()[0] == name), None)
if value is None and not default:
    sys.exit(f"the tracker's /metrics has no {name}")
print(value if value is not None else default)
PY
}
# The metrics of each kind: received, recorded, dropped, queue depth. The one writer commits both
# queues and counts its batches and failed writes for both together (attendify_click_flush_seconds,
# attendify_click_write_errors_total): each run's figures are the difference over that run (the
# runs come one after the other, each starting with empty queues).
declare -A metric_name=(
    [clicks.received]=attendify_clicks_received_total [views.received]=attendify_views_received_total
    [clicks.recorded]=attendify_clicks_recorded_total [views.recorded]=attendify_views_recorded_total
    [clicks.dropped]=attendify_clicks_dropped_total [views.dropped]=attendify_views_dropped_total
    [clicks.depth]=attendify_click_queue_depth [views.depth]=attendify_view_queue_depth
)
writer_metrics=(attendify_click_write_errors_total attendify_click_flush_seconds_count attendify_click_flush_seconds_sum)
# rows KEY KIND: what that tracker's database holds, space-separated: the raw rows, then each
# rollup's sum (clicks: interaction_counts, traffic_hourly, traffic_daily; views: traffic_hourly,
# traffic_daily), then for views the true visitors (one per event and UTC day: every request comes
# from one address and browser) and the unique visitors of traffic_daily.
declare -A rows_sql=(
    [clicks]="SELECT (SELECT count(*) FROM widget_interactions), (SELECT COALESCE(sum(count), 0) FROM interaction_counts),
                     (SELECT COALESCE(sum(clicks), 0) FROM traffic_hourly), (SELECT COALESCE(sum(clicks), 0) FROM traffic_daily)"
    [views]="SELECT (SELECT count(*) FROM widget_views), (SELECT COALESCE(sum(views), 0) FROM traffic_hourly),
                    (SELECT COALESCE(sum(views), 0) FROM traffic_daily),
                    (SELECT count(*) FROM (SELECT DISTINCT event_id, viewed_at - viewed_at % 86400 FROM widget_views) AS visitor_days),
                    (SELECT COALESCE(sum(unique_visitors), 0) FROM traffic_daily)"
)
declare -A rollup_names=([clicks]="interaction_counts traffic_hourly traffic_daily" [views]="traffic_hourly traffic_daily")
rows() {
    if [[ $1 == postgres ]]; then
        pg_psql "$pg_url" -c "${rows_sql[$2]}"
    else
        python3 -c 'import sqlite3, sys
print(*sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone())' "$db" "${rows_sql[$2]}"
    fi
}

# bench_kind KEY KIND: wrk for KIND against the running tracker, then waits until it stored
# everything, and keeps the figures in `result[KEY.KIND.NAME]`.
bench_kind() {
    local key=$1 kind=$2 run=$key-$2 empty_at name
    if [[ $db_mode == postgres ]]; then
        echo "== wrk -t$wrk_threads -c$connections -d$duration against attendify track on $key, $kind (127.0.0.1:$track_port)"
    else
        echo "== wrk -t$wrk_threads -c$connections -d$duration against attendify track, $kind, on 127.0.0.1:$track_port"
    fi
    # While wrk runs, one long-lived sampler reads the queue depth every 0.5 s (negligible CPU): if the
    # writer cannot keep up, the queue grows towards its capacity (100,000), beyond which clicks drop.
    rm -f "$work/stop-sampler"
    python3 - "$metrics_port" "$work/queue-peak-$run.txt" "$work/stop-sampler" "${metric_name[$kind.depth]}" <<'PY' &
import os, sys, time, urllib.request
port, out, stop, name = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
peak = None
while not os.path.exists(stop):
    try:
        text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2).read().decode()
        depth = next(int(l.split()[1]) for l in text.splitlines() if l.startswith(name + " "))
        peak = max(peak or 0, depth)
    except Exception:
        pass
    with open(out, "w") as f:
        f.write(f"{'?' if peak is None else peak}\n")
    time.sleep(0.5)
PY
    sampler_pid=$!
    local writer_before=()
    for name in "${writer_metrics[@]}"; do writer_before+=("$(metric "$name")"); done
    with_postgres=""
    [[ $key == postgres ]] && with_postgres=1
    run_wrk "$kind" "http://127.0.0.1:$track_port" "$work/wrk-track-$run.txt" "$tracker_pid"
    with_postgres=""
    touch "$work/stop-sampler"
    wait "$sampler_pid" || true
    sampler_pid=""
    result[$key.$kind.queue_peak]=$(cat "$work/queue-peak-$run.txt" 2>/dev/null || echo "?")

    # Wait for the queue to drain: depth 0 (when the tracker exports it), everything received
    # recorded or dropped, and no request still arriving (received stable over 0.1 s). One poller
    # every 20 ms; it prints when it first saw the queue empty (the end of the span of the
    # stored-per-second figure), or "timeout" after 30 s.
    empty_at=$(python3 - "$metrics_port" "${metric_name[$kind.depth]}" "${metric_name[$kind.received]}" \
        "${metric_name[$kind.recorded]}" "${metric_name[$kind.dropped]}" <<'PY'
import sys, time, urllib.request
port, depth_name, received_name, recorded_name, dropped_name = sys.argv[1:6]
def read():
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    values = dict(line.split()[:2] for line in text.splitlines() if line and not line.startswith("#"))
    received = int(values[received_name])
    done = int(values[recorded_name]) + int(values.get(dropped_name, 0))
    return int(values.get(depth_name, 0)) == 0 and done >= received, received
deadline, empty_at, stable_since, previous = time.time() + 30, None, None, None
while time.time() < deadline:
    empty, received = read()
    now = time.time()
    empty_at = (empty_at or now) if empty else None
    stable_since = (stable_since or now) if received == previous else None
    previous = received
    if empty_at and stable_since and now - stable_since >= 0.1:
        print(f"{empty_at:.3f}")
        sys.exit(0)
    time.sleep(0.02)
print("timeout")
PY
)
    if [[ $empty_at == timeout ]]; then
        echo "warning: the ${kind%s} queue did not drain within 30 s (depth $(metric "${metric_name[$kind.depth]}" "?"))" >&2
        empty_at=""
    fi
    result[$key.$kind.store_seconds]=$(awk -v a="$(cat "$work/wrk-track-$run.txt.start")" -v b="${empty_at:-$(date +%s.%N)}" 'BEGIN { printf "%.2f", b - a }')
    for name in received recorded dropped; do result[$key.$kind.$name]=$(metric "${metric_name[$kind.$name]}"); done
    local writer_after=()
    for name in "${writer_metrics[@]}"; do writer_after+=("$(metric "$name")"); done
    result[$key.$kind.write_errors]=$((writer_after[0] - writer_before[0]))
    result[$key.$kind.flushes]=$((writer_after[1] - writer_before[1]))
    result[$key.$kind.flush_seconds]=$(awk -v a="${writer_before[2]}" -v b="${writer_after[2]}" 'BEGIN { printf "%.6f", b - a }')
    result[$key.$kind.not_found]=$(metric attendify_track_not_found_total)
    result[$key.$kind.rows]=$(rows "$key" "$kind")
}

bench_tracker() {
    local key=$1 tracker_exit kind
    "$bin" track --db "${db_arg[$key]}" --host 127.0.0.1 --port 0 --metrics-port 0 --rate-limits off >"$work/track-$key.log" 2>&1 &
    tracker_pid=$!
    track_port=$(wait_for_log "$work/track-$key.log" 'attendify track is ready on http://127\.0\.0\.1:([0-9]+)' "attendify track" "$tracker_pid")
    metrics_port=$(wait_for_log "$work/track-$key.log" 'attendify metrics is ready on http://127\.0\.0\.1:([0-9]+)' "attendify metrics" "$tracker_pid")
    # `--rate-limits off`: every request comes from 127.0.0.1, which the per-client limits (clicks
    # and views alike, 10 per minute per event by default) would otherwise mostly refuse to count.
    for kind in "${kinds[@]}"; do bench_kind "$key" "$kind"; done

    result[$key.rss_kb]=$(awk '/^VmRSS:/ { print $2 }' "/proc/$tracker_pid/status")
    result[$key.hwm_kb]=$(awk '/^VmHWM:/ { print $2 }' "/proc/$tracker_pid/status")

    # A graceful stop must not change anything: everything acknowledged is already stored.
    kill -TERM "$tracker_pid"
    tracker_exit=0
    wait "$tracker_pid" || tracker_exit=$?
    tracker_pid=""
    for kind in "${kinds[@]}"; do result[$key.$kind.rows_after]=$(rows "$key" "$kind"); done
    result[$key.exit]=$tracker_exit
}
for key in "${trackers[@]}"; do bench_tracker "$key"; done

# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------
# Labels of the table rows and what the per-tracker lines start with, per tracker and kind.
declare -A label=([sqlite.clicks]="attendify track" [sqlite.views]="track view beacon")
declare -A prefix=([sqlite.clicks]="" [sqlite.views]="[views] ")
if [[ $db_mode == postgres ]]; then
    label=([sqlite.clicks]="track on sqlite" [postgres.clicks]="track on postgres"
           [sqlite.views]="views on sqlite" [postgres.views]="views on postgres")
    prefix=([sqlite.clicks]="[sqlite] " [postgres.clicks]="[postgres] " [sqlite.views]="[sqlite views] " [postgres.views]="[postgres views] ")
fi
declare -A requests_name=([clicks]="requests/s" [views]="beacon requests/s")

echo
echo "== results ($build, $events events, wrk -t$wrk_threads -c$connections -d$duration, $(nproc) CPUs)"
if [[ $db_mode == postgres ]]; then
    if [[ -n $pg_settings ]]; then
        echo "   PostgreSQL $pg_version (throwaway server on 127.0.0.1; defaults except $pg_settings)"
    else
        echo "   PostgreSQL $pg_version (throwaway server on 127.0.0.1, default settings: fsync and synchronous_commit on)"
    fi
fi
# "answered": the 302s of a click run, the 204s of a view run; "other": any other status.
printf '%-18s %12s %10s %10s %10s %10s  %s\n' "" "requests/s" "p50 ms" "p99 ms" "answered" "other" "socket errors"
for kind in "${kinds[@]}"; do
    f="$work/wrk-nginx-$kind.txt"
    printf '%-18s %12s %10s %10s %10s %10s  %s\n' "nginx return ${answer[$kind]}" "$(wrk_field "$f" rps)" "$(wrk_field "$f" p50)" \
        "$(wrk_field "$f" p99)" "$(wrk_field "$f" ok)" "$(wrk_field "$f" other)" "$(wrk_field "$f" socket)"
    for key in "${trackers[@]}"; do
        f="$work/wrk-track-$key-$kind.txt"
        printf '%-18s %12s %10s %10s %10s %10s  %s\n' "${label[$key.$kind]}" "$(wrk_field "$f" rps)" "$(wrk_field "$f" p50)" \
            "$(wrk_field "$f" p99)" "$(wrk_field "$f" ok)" "$(wrk_field "$f" other)" "$(wrk_field "$f" socket)"
    done
done
busy_other=""
for kind in "${kinds[@]}"; do
    read -r n_cpu n_wrk n_other_cpu <"$work/wrk-nginx-$kind.txt.cpu"
    n_rps=$(wrk_field "$work/wrk-nginx-$kind.txt" rps)
    cpu_line="CPU cores used on average ($kind): nginx $n_cpu (wrk $n_wrk, anything else $n_other_cpu)"
    per_cpu="$kind per server CPU-second: nginx $(awk -v r="$n_rps" -v c="$n_cpu" 'BEGIN { printf "%.0f", (c > 0 ? r / c : 0) }')"
    busy_other+=" $n_other_cpu"
    for key in "${trackers[@]}"; do
        f="$work/wrk-track-$key-$kind.txt"
        read -r t_cpu t_wrk t_other_cpu <"$f.cpu"
        busy_other+=" $t_other_cpu"
        name=tracker
        [[ $db_mode == postgres ]] && name="$key tracker"
        if [[ $key == postgres ]]; then
            pg_cpu=$(cat "$f.pgcpu")
            cpu_line+="; $name $t_cpu = tracker $(awk -v a="$t_cpu" -v b="$pg_cpu" 'BEGIN { printf "%.2f", a - b }') + postgres server $pg_cpu (wrk $t_wrk, anything else $t_other_cpu)"
        else
            cpu_line+="; $name $t_cpu (wrk $t_wrk, anything else $t_other_cpu)"
        fi
        # Requests per CPU-second the server itself used: less sensitive to other load than requests/s.
        per_cpu+=", $name $(awk -v r="$(wrk_field "$f" rps)" -v c="$t_cpu" 'BEGIN { printf "%.0f", (c > 0 ? r / c : 0) }')"
    done
    echo "$cpu_line"
    echo "$per_cpu$([[ $db_mode == postgres ]] && echo " (postgres tracker: tracker and PostgreSQL server together)")"
done
awk -v list="$busy_other" 'BEGIN { n = split(list, v, " "); for (i = 1; i <= n; i++) if (v[i] > 0.2) exit 0; exit 1 }' \
    && echo "  warning: other processes used CPU during a run; the figures are distorted (run on an idle box)"
ratio_of() { awk -v t="$1" -v n="$2" 'BEGIN { printf "%.2f", (n > 0 ? t / n : 0) }'; }
all_ok=1
for kind in "${kinds[@]}"; do
    n_rps=$(wrk_field "$work/wrk-nginx-$kind.txt" rps)
    for key in "${trackers[@]}"; do
        ratio=$(ratio_of "$(wrk_field "$work/wrk-track-$key-$kind.txt" rps)" "$n_rps")
        if [[ $db_mode == postgres ]]; then
            echo "ratio $key tracker/nginx ${requests_name[$kind]}: $ratio   (target: ratio >= 0.5)"
        else
            echo "ratio tracker/nginx ${requests_name[$kind]}: $ratio   (target: ratio >= 0.5)"
        fi
        awk -v r="$ratio" 'BEGIN { exit !(r >= 0.5) }' && echo "  ratio target: met" || echo "  ratio target: NOT met"
    done
done
for key in "${trackers[@]}"; do
    for kind in "${kinds[@]}"; do
        read -r stored _ <<<"${result[$key.$kind.rows]}"
        result[$key.$kind.stored]=$stored
        result[$key.$kind.stored_rate]=$(awk -v n="$stored" -v s="${result[$key.$kind.store_seconds]}" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
    done
done
if [[ $db_mode == postgres ]]; then
    for kind in "${kinds[@]}"; do
        pg_ratio=$(ratio_of "$(wrk_field "$work/wrk-track-postgres-$kind.txt" rps)" "$(wrk_field "$work/wrk-track-sqlite-$kind.txt" rps)")
        echo "ratio postgres tracker/sqlite tracker ${requests_name[$kind]}: $pg_ratio   (target: ratio >= 0.9)"
        awk -v r="$pg_ratio" 'BEGIN { exit !(r >= 0.9) }' && echo "  ratio target: met" || echo "  ratio target: NOT met"
        # Requests/s says how fast answers went out; a tracker whose writer falls behind answers fast
        # and drops clicks. What each could store per second, from wrk's start until its queue was empty:
        echo "ratio postgres/sqlite stored $kind/s: $(ratio_of "${result[postgres.$kind.stored_rate]}" "${result[sqlite.$kind.stored_rate]}")" \
            "(postgres ${result[postgres.$kind.stored_rate]}/s, sqlite ${result[sqlite.$kind.stored_rate]}/s; the writer's sustained rate when its queue overflowed)"
    done
fi

# The count check. wrk stops reading when its time is up, so requests in flight at that moment
# (at most one per connection) may have been answered -- and counted -- by the tracker without wrk
# seeing the answer. Hence two checks: the tracker stored exactly the clicks (views) it
# acknowledged (its own counter of 302s for counted clicks, or 204s for counted views, all of this
# run's requests being counted ones) -- the raw rows and every rollup's sum, before and after the
# graceful stop --, and that figure lies between the answers wrk saw and those plus one per connection.
for key in "${trackers[@]}"; do
    for kind in "${kinds[@]}"; do
        p=${prefix[$key.$kind]}
        f="$work/wrk-track-$key-$kind.txt"
        t_ok=$(wrk_field "$f" ok) t_other=$(wrk_field "$f" other)
        received=${result[$key.$kind.received]} stored=${result[$key.$kind.stored]}
        dropped=${result[$key.$kind.dropped]} not_found=${result[$key.$kind.not_found]} tracker_exit=${result[$key.exit]}
        read -r -a before <<<"${result[$key.$kind.rows]}"
        read -r -a after <<<"${result[$key.$kind.rows_after]}"
        read -r -a rollups <<<"${rollup_names[$kind]}"
        sums="" sums_after="" sums_ok=1
        for ((i = 0; i < ${#rollups[@]}; i++)); do
            sums+="${sums:+, }${rollups[i]} ${before[i + 1]}"
            sums_after+="${sums_after:+ / }${after[i + 1]}"
            ((before[i + 1] == stored && after[i + 1] == stored)) || sums_ok=""
        done
        echo "${p}tracker acknowledged (${answer[$kind]}s wrk saw): $t_ok; ${answer[$kind]}s the tracker sent (${metric_name[$kind.received]}): $received"
        echo "${p}stored rows: $stored (rollup sums: $sums; after graceful stop: ${after[0]} / $sums_after); recorded_total ${result[$key.$kind.recorded]}," \
            "dropped $dropped, write errors ${result[$key.$kind.write_errors]}, 404s $not_found; tracker exit status $tracker_exit"
        count_ok=1
        ((stored == received && after[0] == stored)) || count_ok=""
        [[ -n $sums_ok ]] || count_ok=""
        ((t_ok <= stored && stored <= t_ok + connections)) || count_ok=""
        ((t_other == 0 && dropped == 0 && not_found == 0 && tracker_exit == 0)) || count_ok=""
        if [[ -n $count_ok ]]; then
            echo "${p}count check: PASS (answered $received = stored $stored; wrk saw $t_ok, $((stored - t_ok)) answered while wrk was stopping)"
        else
            echo "${p}count check: FAIL (answered $received, stored $stored, rollups ${before[*]:1}, wrk saw $t_ok ${answer[$kind]}s and $t_other others)"
            all_ok=""
        fi
        if [[ $kind == views ]]; then
            # Reported, not checked: the estimate's documented bound is 5 % of the true count + 1 per day.
            echo "${p}unique visitors (traffic_daily, from the tracker's sketches): ${after[4]}; true visitors: ${after[3]}" \
                "(one per event and UTC day with views: all requests come from one address and browser)"
        fi

        if [[ $db_mode == postgres ]]; then
            # The queue check, said in so many words, and what the writer spent its time on.
            if ((dropped == 0)); then queue_verdict="never overflowed (0 dropped)"; else queue_verdict="OVERFLOWED: $dropped ${kind} dropped"; fi
            echo "${p}tracker ${kind%s} queue: peak depth ${result[$key.$kind.queue_peak]} during the run (capacity 100,000): $queue_verdict"
            echo "${p}stored $kind/s: ${result[$key.$kind.stored_rate]} ($stored stored from wrk's start until the queue was empty, ${result[$key.$kind.store_seconds]} s)"
            awk -v p="$p" -v n="${result[$key.$kind.flushes]}" -v s="${result[$key.$kind.flush_seconds]}" -v c="$stored" \
                -v span="${result[$key.$kind.store_seconds]}" -v what="$kind" 'BEGIN {
                    printf "%swriter: %d batches, mean %.0f %s per batch, mean %.2f ms per batch; committing %.1f s of the %.1f s until the queue was empty (%.0f%%)\n",
                        p, n, (n > 0 ? c / n : 0), what, (n > 0 ? s * 1000 / n : 0), s, span, (span > 0 ? s * 100 / span : 0) }'
        else
            echo "${p}tracker ${kind%s} queue: peak depth ${result[$key.$kind.queue_peak]} during the run (capacity 100,000; $kind beyond it are dropped)"
        fi
    done

    rss_kb=${result[$key.rss_kb]} hwm_kb=${result[$key.hwm_kb]}
    rss_mb=$(awk -v k="$rss_kb" 'BEGIN { printf "%.1f", k / 1024 }')
    hwm_mb=$(awk -v k="$hwm_kb" 'BEGIN { printf "%.1f", k / 1024 }')
    p=${prefix[$key.clicks]}
    echo "${p}tracker resident memory after the run$( ((${#kinds[@]} > 1)) && echo "s"): VmRSS $rss_mb MB (peak VmHWM $hwm_mb MB)   (target: < 64 MB)"
    awk -v k="$rss_kb" 'BEGIN { exit !(k < 64 * 1024) }' && echo "  memory target: met" || echo "  memory target: NOT met"
done

[[ -n $all_ok ]] || exit 1
