#!/usr/bin/env bash
# Benchmark of the production edge: Nginx (configured by `attendify nginx-config --standalone`) in
# front of `attendify api` and `attendify track`, against the all-in-one `attendify serve`, in one
# run on the same database and out/ folder:
#
#   (a) a widget page:  GET /widget/event/{id} through Nginx   vs  the same through `attendify serve`
#   (b) a click:        GET /track/{id}/{type} through Nginx   vs  directly against `attendify track`
#
# Setup: a release build; a temp folder; `attendify api` (release, rate limits off) with one
# organizer and EVENTS events created through it (which publishes their widgets into out/); then
# `attendify track`, Nginx and `attendify serve` over the same database and out/, every rate limit
# off (api, track, serve and nginx-config). Each of the four targets gets a short warm-up and then
# `wrk -t2 -c64 -d10s --latency` with one small Lua script: a random event per request (and a random
# provider for /track), browser headers (a browser User-Agent, so the tracker counts every click,
# and Accept-Encoding: gzip, so both servers hand out the gzip twin as they would to a browser).
# The targets run one after the other, never two at once.
#
#   Benchmarks/edge.sh                                       # release build, 100 events, 10 s each
#   BIN=.build/debug/attendify DURATION=3s Benchmarks/edge.sh   # quick try with a debug binary
#
# Environment: EVENTS (default 100), DURATION (wrk -d, default 10s), WARMUP (default 2s, 0 = none),
# CONNECTIONS (wrk -c, default 64), THREADS (wrk -t, default 2), BIN (skip the release build and use
# this binary), KEEP_WORK=1 (leave the work folder behind).
#
# It prints requests/s, p50 and p99 for each target and the ratios nginx-widget / serve-widget and
# nginx-track / direct-track (2 decimals). Nothing is enforced; the exit status is non-zero only
# when a request got an unexpected answer (widgets must be 200, clicks 302) or the setup fails.
# wrk, Nginx and the apps share the machine's cores: compare ratios, on an otherwise idle box.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=Benchmarks/lib.sh
source Benchmarks/lib.sh
root=$PWD

events=${EVENTS:-100}
duration=${DURATION:-10s}
warmup=${WARMUP:-2s}
connections=${CONNECTIONS:-64}
wrk_threads=${THREADS:-2}
require_positive_int EVENTS "$events"
[[ $duration =~ ^[1-9][0-9]*[smh]?$ ]] || { echo "DURATION must look like 10s, got '$duration'" >&2; exit 2; }
[[ $warmup =~ ^[0-9]+[smh]?$ ]] || { echo "WARMUP must look like 2s or 0, got '$warmup'" >&2; exit 2; }
require_positive_int CONNECTIONS "$connections"
require_positive_int THREADS "$wrk_threads"

install_missing nginx wrk python3 curl
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

resolve_binary

work=$(mktemp -d "${TMPDIR:-/tmp}/attendify-edge-bench.XXXXXX")
# Nginx's workers run as nobody when started by root: they must be able to read out/ and the panel.
chmod 755 "$work"
api_pid="" track_pid="" serve_pid="" nginx_pid=""
prefix="$work/nginx"
nginx_args=(-p "$prefix" -c "$prefix/nginx.conf" -e "$prefix/error.log")
cleanup() {
    if [[ -n $nginx_pid ]] && kill -0 "$nginx_pid" 2>/dev/null; then
        "$nginx_bin" "${nginx_args[@]}" -s quit 2>/dev/null || true
        for ((i = 0; i < 100; i++)); do kill -0 "$nginx_pid" 2>/dev/null || break; sleep 0.1; done
    fi
    stop "$nginx_pid"
    stop "$serve_pid"
    stop "$track_pid"
    stop "$api_pid"
    if [[ -z "${KEEP_WORK:-}" ]]; then rm -rf "$work"; else echo "work folder kept: $work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
db="$work/db.sqlite"
out="$work/out"


# ---------------------------------------------------------------------------------------------
# The stack: api, then seeding through it, then track, Nginx and serve.
# ---------------------------------------------------------------------------------------------
nginx_port=$(free_port)
base="http://127.0.0.1:$nginx_port"
"$bin" migrate --db "$db" >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log" >&2; exit 1; }
"$bin" api --db "$db" --out "$out" --templates "$root/Templates" --host 127.0.0.1 --port 0 --public-url "$base" \
    --trusted-proxy 127.0.0.1 --rate-limits off >"$work/api.log" 2>&1 &
api_pid=$!
api_port=$(wait_for_log "$work/api.log" 'attendify api is ready on http://127\.0\.0\.1:([0-9]+)' "attendify api" "$api_pid")

echo "== seeding 1 organizer and $events events through attendify api ($build)"
python3 - "$api_port" "$events" "$work/ids.txt" <<'PY'
import http.client, json, random, sys

port, count, ids_path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

def call(method, path, body, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, json.dumps(body), headers)
    response = conn.getresponse()
    data = response.read()
    if response.status not in (200, 201):
        sys.exit(f"{method} {path}: {response.status} {data[:300]!r}")
    return json.loads(data)

account = {"email": "edge-bench@example.com", "password": "benchmark password 1"}
call("POST", "/api/auth/register", {**account, "full_name": "Edge Bench"})
token = call("POST", "/api/auth/login", account)["token"]
rng = random.Random(20261125)  # fixed seed: every run benchmarks the same kind of data
ids = []
for n in range(count):
    day = 1 + rng.randrange(28)
    event = call("POST", "/api/events", {
        "title": f"Edge benchmark webinar {n}: static widgets and fast clicks",
        "description": "Agenda: intro, live demo, Q&A. Bring your questions.",
        "start_datetime": f"2027-03-{day:02d}T15:00:00Z", "end_datetime": f"2027-03-{day:02d}T16:30:00Z",
        "timezone": rng.choice(["UTC", "Europe/Warsaw", "America/New_York"]),
        "webinar_url": f"https://zoom.us/j/{rng.randrange(10**9, 10**10)}",
    }, token)
    ids.append(event["public_id"])
with open(ids_path, "w") as f:
    f.write("\n".join(ids) + "\n")
PY

"$bin" track --db "$db" --host 127.0.0.1 --port 0 --metrics-port 0 --trusted-proxy 127.0.0.1 --rate-limits off \
    >"$work/track.log" 2>&1 &
track_pid=$!
track_port=$(wait_for_log "$work/track.log" 'attendify track is ready on http://127\.0\.0\.1:([0-9]+)' "attendify track" "$track_pid")
metrics_port=$(wait_for_log "$work/track.log" 'attendify metrics is ready on http://127\.0\.0\.1:([0-9]+)' "attendify metrics" "$track_pid")

mkdir -p "$prefix/tmp" "$work/panel"
echo '<!doctype html><html lang="en"><meta charset="utf-8"><title>Attendify panel</title></html>' >"$work/panel/index.html"
"$bin" nginx-config --standalone "$prefix" --listen "127.0.0.1:$nginx_port" --out "$out" --panel "$work/panel" \
    --api "127.0.0.1:$api_port" --track "127.0.0.1:$track_port" --rate-limits off >"$prefix/nginx.conf"
"$nginx_bin" "${nginx_args[@]}" -t -q || { echo "nginx rejected the generated nginx.conf" >&2; exit 1; }
"$nginx_bin" "${nginx_args[@]}" -g 'daemon off;' >"$work/nginx.log" 2>&1 &
nginx_pid=$!

"$bin" serve --db "$db" --out "$out" --templates "$root/Templates" --host 127.0.0.1 --port 0 --public-url "$base" \
    --rate-limits off >"$work/serve.log" 2>&1 &
serve_pid=$!
serve_port=$(wait_for_log "$work/serve.log" 'attendify serve is ready on http://127\.0\.0\.1:([0-9]+)' "attendify serve" "$serve_pid")
for ((i = 0; i < 300; i++)); do
    curl -fsS -o /dev/null "$base/" 2>/dev/null && break
    kill -0 "$nginx_pid" 2>/dev/null || { echo "nginx exited:" >&2; cat "$prefix/error.log" >&2; exit 1; }
    sleep 0.1
done

# The same widget both ways (serve republished out/ at start, from the same rows: same bytes).
first_id=$(head -n1 "$work/ids.txt")
cmp -s <(curl -fsS "$base/widget/event/$first_id") <(curl -fsS "http://127.0.0.1:$serve_port/widget/event/$first_id") \
    || { echo "the widget differs between Nginx and attendify serve" >&2; exit 1; }
cmp -s <(curl -fsS "$base/widget/event/$first_id") "$out/widget/event/$first_id/index.html" \
    || { echo "the widget through Nginx differs from out/" >&2; exit 1; }
# With the benchmark's Accept-Encoding both hand out the gzip twin.
for url in "$base" "http://127.0.0.1:$serve_port"; do
    curl -fsS -o /dev/null -D - -H 'Accept-Encoding: gzip, deflate, br' "$url/widget/event/$first_id" \
        | grep -qi '^content-encoding: *gzip' || { echo "$url does not serve the gzip twin" >&2; exit 1; }
done

# ---------------------------------------------------------------------------------------------
# wrk
# ---------------------------------------------------------------------------------------------
cat >"$work/edge.lua" <<'LUA'
-- wrk -s edge.lua URL -- IDS_FILE widget|track
-- A random event per request (and a random provider for /track), browser headers, and per-thread
-- status counts summed in done(): "status 200 N" lines.
local ids, mode = {}, "widget"
local types = { "google", "ics", "outlook", "office365", "yahoo" }
local threads = {}

function setup(thread)
    thread:set("tid", #threads + 1)
    table.insert(threads, thread)
end

function init(args)
    for line in io.lines(args[1]) do
        if #line > 0 then ids[#ids + 1] = line end
    end
    mode = args[2] or "widget"
    math.randomseed(os.time() * 100 + tid)
    wrk.headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
    wrk.headers["Accept-Encoding"] = "gzip, deflate, br"
    counts = {}
end

function request()
    local id = ids[math.random(#ids)]
    if mode == "track" then
        return wrk.format("GET", "/track/" .. id .. "/" .. types[math.random(#types)])
    end
    return wrk.format("GET", "/widget/event/" .. id)
end

function response(status, headers, body)
    counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
    local total = {}
    for _, thread in ipairs(threads) do
        local c = thread:get("counts")
        for status, n in pairs(c) do total[status] = (total[status] or 0) + n end
    end
    for status, n in pairs(total) do io.write(string.format("status %d %d\n", status, n)) end
end
LUA

# alive PID LOG WHAT: fails (with the end of LOG) if the server PID has exited.
alive() {
    kill -0 "$1" 2>/dev/null && return 0
    local status=0
    wait "$1" 2>/dev/null || status=$?
    echo "$3 (pid $1) exited with status $status; the end of its log:" >&2
    tail -n 40 "$2" >&2
    exit 1
}
# run_wrk NAME URL MODE PID LOG: warm-up, then the measured run into $work/wrk-NAME.txt; PID and
# LOG are the server's (an upstream behind Nginx counts too), checked to be alive after each.
run_wrk() {
    local name=$1 url=$2 mode=$3 pid=$4 log=$5
    if [[ $warmup != 0 && $warmup != 0[smh] ]]; then
        wrk -t"$wrk_threads" -c"$connections" -d"$warmup" -s "$work/edge.lua" "$url" -- "$work/ids.txt" "$mode" \
            >"$work/warmup-$name.txt" 2>&1 || true
        alive "$pid" "$log" "$name: the server, during the warm-up,"
    fi
    echo "== wrk -t$wrk_threads -c$connections -d$duration: $name ($url)"
    wrk -t"$wrk_threads" -c"$connections" -d"$duration" --latency -s "$work/edge.lua" "$url" -- "$work/ids.txt" "$mode" \
        >"$work/wrk-$name.txt" 2>&1 || { echo "wrk failed:" >&2; cat "$work/wrk-$name.txt" >&2; alive "$pid" "$log" "$name: the server"; exit 1; }
    alive "$pid" "$log" "$name: the server"
}
# Requests/sec, p50 and p99 (in ms), counts of a status, or socket errors, from a wrk output file.
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
        status) awk -v s="$3" '$1 == "status" && $2 == s { n = $3 } END { print n + 0 }' "$file" ;;
        others) awk -v s="$3" '$1 == "status" && $2 != s { n += $3 } END { print n + 0 }' "$file" ;;
        socket) awk '/Socket errors:/ { sub(/.*Socket errors: /, ""); print; found = 1 } END { if (!found) print "none" }' "$file" ;;
    esac
}

run_wrk nginx-widget "$base/widget/event/" widget "$nginx_pid" "$prefix/error.log"
run_wrk serve-widget "http://127.0.0.1:$serve_port/widget/event/" widget "$serve_pid" "$work/serve.log"
run_wrk nginx-track "$base/track/" track "$track_pid" "$work/track.log"
alive "$nginx_pid" "$prefix/error.log" "nginx"
run_wrk direct-track "http://127.0.0.1:$track_port/track/" track "$track_pid" "$work/track.log"

# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------
echo
echo "== results ($build, $events events, wrk -t$wrk_threads -c$connections -d$duration, $(nproc) CPUs, rate limits off)"
printf '%-32s %11s %8s %8s %14s %7s  %s\n' "" "requests/s" "p50 ms" "p99 ms" "answers" "other" "socket errors"
failed=""
row() {  # row NAME LABEL EXPECTED_STATUS
    local file="$work/wrk-$1.txt" ok other
    ok=$(wrk_field "$file" status "$3")
    other=$(wrk_field "$file" others "$3")
    printf '%-32s %11s %8s %8s %14s %7s  %s\n' "$2" "$(wrk_field "$file" rps)" "$(wrk_field "$file" p50)" \
        "$(wrk_field "$file" p99)" "$ok x $3" "$other" "$(wrk_field "$file" socket)"
    ((other == 0 && ok > 0)) || failed+=" $1"
}
row nginx-widget "widget via nginx" 200
row serve-widget "widget via attendify serve" 200
row nginx-track "track via nginx" 302
row direct-track "track direct (attendify track)" 302
tracker_metric() {  # tracker_metric NAME: the sum of the tracker's /metrics lines for NAME (with any labels)
    curl -fsS "http://127.0.0.1:$metrics_port/metrics" | awk -v n="$1" '$1 == n || index($1, n "{") == 1 { s += $2 } END { print s + 0 }'
}
echo "tracker: $(tracker_metric attendify_clicks_received_total) clicks counted, $(tracker_metric attendify_clicks_not_counted_total)" \
    "not counted, $(tracker_metric attendify_clicks_dropped_total) dropped (both /track runs and their warm-ups)"
ratio() { awk -v a="$(wrk_field "$work/wrk-$1.txt" rps)" -v b="$(wrk_field "$work/wrk-$2.txt" rps)" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
echo "ratio nginx-widget / serve-widget requests/s: $(ratio nginx-widget serve-widget)"
echo "ratio nginx-track / direct-track requests/s:  $(ratio nginx-track direct-track)"
echo "Widgets through Nginx run at Nginx's static-file speed: no application code runs for them (a file"
echo "from out/, its gzip twin via gzip_static, sendfile); attendify serve reads and answers them in Swift."
echo "/track through Nginx pays one extra proxy hop (keep-alive upstream) in front of the same tracker."
if [[ -n $failed ]]; then
    echo "unexpected answers in:$failed (see $work/wrk-*.txt; set KEEP_WORK=1 to keep them)" >&2
    exit 1
fi
