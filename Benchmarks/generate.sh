#!/usr/bin/env bash
# Benchmark of `attendify generate`: how fast a full rebuild of out/ is (every event's widget and page,
# .ics and feed, and every organizer's feed), measured against the cheapest possible way to produce
# the same tree (`cp -r` of it), plus the cost of republishing one event, the CPU time of
# republishing the feed of an organizer with FEED_EVENTS listed events, and the size of a widget.
#
#   Benchmarks/generate.sh                         # release build, 10,000 events
#   EVENTS=500 BIN=.build/debug/attendify Benchmarks/generate.sh   # quick try with a debug binary
#
# Environment: EVENTS (default 10000), USERS (default 8), FEED_EVENTS (listed events of organizer 1,
# part of EVENTS; default 2000), RUNS (timed runs of generate and of cp, best kept; default 2),
# REPUBLISH_RUNS (default 15), BIN (skip the release build and use this binary), KEEP_WORK=1
# (leave the work folder behind).
#
# Targets (issue 11): generate/copy <= 4 with feeds; organizer 1's feed republished in under 1 s
# of CPU (`generate --organizer 1`, process start-up included; organizer USERS+1, with one event,
# is the start-up baseline printed next to it).
#
# Timings are wall clock and sensitive to anything else running on the machine (a concurrent
# `swift build` easily doubles them): run it on an otherwise idle box.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=Benchmarks/lib.sh
source Benchmarks/lib.sh
root=$PWD

events=${EVENTS:-10000}
users=${USERS:-8}
feed_events=${FEED_EVENTS:-2000}
republish_runs=${REPUBLISH_RUNS:-15}
runs=${RUNS:-2}
require_positive_int EVENTS "$events"
require_positive_int USERS "$users"
require_positive_int FEED_EVENTS "$feed_events"
((feed_events <= events)) || { echo "FEED_EVENTS ($feed_events) must not exceed EVENTS ($events)" >&2; exit 1; }
((users >= 2)) || { echo "USERS must be at least 2 (organizer 1 holds the FEED_EVENTS)" >&2; exit 1; }
require_positive_int REPUBLISH_RUNS "$republish_runs"
require_positive_int RUNS "$runs"

resolve_binary

mkdir -p "$root/Benchmarks/.work"
work=$(mktemp -d "$root/Benchmarks/.work/generate.XXXXXX")
cleanup() { if [[ -z "${KEEP_WORK:-}" ]]; then rm -rf "$work"; else echo "work folder kept: $work"; fi; }
trap cleanup EXIT
db="$work/db.sqlite"

# Runs a command and prints "WALL:CPU" in seconds: the wall clock from just before the start to
# just after the exit, and the user + system CPU time of the command and its children. CPU time is
# shown next to wall clock because it is far less disturbed by other load on a shared box. On
# failure prints the command's output and fails.
timed() {
    python3 - "$@" <<'PY'
import os, subprocess, sys, time
before = os.times()
start = time.perf_counter()
result = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
wall = time.perf_counter() - start
after = os.times()
if result.returncode != 0:
    sys.stderr.write(f"{' '.join(sys.argv[1:])} failed ({result.returncode}):\n{result.stdout.decode(errors='replace')}")
    sys.exit(1)
cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
print(f"{wall:.6f}:{cpu:.6f}")
PY
}

# Runs attendify quietly; on failure shows its output and stops the benchmark.
attendify() {
    local log="$work/attendify.log"
    if ! "$bin" "$@" >"$log" 2>&1; then
        echo "attendify $* failed:" >&2
        cat "$log" >&2
        exit 1
    fi
}

echo "== seeding $events events for $users users into $db"
attendify migrate --db "$db"
python3 - "$db" "$events" "$users" "$feed_events" <<'PY'
import json, random, sqlite3, sys, time

db_path, count, users, feed_events = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(20261201)  # fixed seed: every run benchmarks the same data

topics = ["Kubernetes", "Product analytics", "Remote onboarding", "Tax season", "GDPR", "Rust for Swift developers",
          "Customer success", "Pricing experiments", "Zero-downtime deploys", "Accessibility audits",
          "Sales forecasting", "Webinar marketing", "Zażółć gęślą jaźń: Polish typography", "Design systems",
          "Incident response", "Data warehouses", "SEO in 2027", "Hiring engineers", "OKRs", "Edge caching"]
formats = ["{t}: a practical introduction", "{t} Q&A, live", "Office hours — {t}", "{t}, part {n}; deep dive",
           "Masterclass: {t} 🚀", "{t} for beginners (EN/PL)", "Ask me anything: {t}", "{t} in 45 minutes",
           "Warsztaty: {t}", "Quarterly {t} update, Q{q}"]
sentences = ["We will walk through real examples, step by step.",
             "Bring your questions; the last 15 minutes are open Q&A.",
             "Slides and the recording will be sent to everyone who registers.",
             "Speakers: Anna Kowalska (CTO), John Smith & guests.",
             "No preparation needed, but a laptop helps 💻.",
             "Agenda:\n1. Welcome\n2. Demo\n3. Questions",
             "Spotkanie poprowadzimy po polsku, materiały będą po angielsku.",
             "Please join 5 minutes early to test your audio; the link is below.",
             "Prices in €, $ and zł will be discussed, with examples from 3 markets.",
             "This session is part of our series on {t}; earlier episodes are on our blog."]
zones = ["Europe/Warsaw", "Europe/London", "America/New_York", "America/Los_Angeles", "America/St_Johns",
         "Asia/Kolkata", "Asia/Tokyo", "Australia/Sydney", "UTC", "Europe/Berlin", "America/Sao_Paulo"]
hosts = ["https://zoom.us/j/{n}?pwd={p}", "https://teams.microsoft.com/l/meetup-join/{p}",
         "https://meet.google.com/{p}", "https://example.clickmeeting.com/webinar-{n}",
         "https://livestorm.co/p/{p}/live?s={n}"]
alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

def customization():
    roll = rng.random()
    if roll < 0.5:
        return "{}"
    options = {}
    if rng.random() < 0.5: options["theme"] = rng.choice(["light", "dark", "auto"])
    if rng.random() < 0.4: options["accent_color"] = "#%06x" % rng.randrange(1 << 24)
    if rng.random() < 0.3: options["button_style"] = rng.choice(["filled", "outline"])
    if rng.random() < 0.3: options["border_radius"] = rng.randint(0, 24)
    if rng.random() < 0.3: options["font"] = rng.choice(["system", "sans", "serif", "mono"])
    if rng.random() < 0.2: options["language"] = "pl"
    if rng.random() < 0.2: options["reminder_minutes"] = rng.choice([0, 5, 30, 60, 1440])
    if rng.random() < 0.2: options["providers"] = rng.sample(["google", "ics", "outlook", "office365", "yahoo"], 3)
    if rng.random() < 0.1: options["labels"] = {"google": "Google Calendar", "ics": "iCal / Outlook"}
    return json.dumps(options, sort_keys=True)

# Events are placed around the real clock (the widget of an event that ended says so, and feeds
# hold the last 30 days): from 30 days ago to a year ahead, none ending near the runs (the
# rebuilds must write the same bytes every run).
now = int(time.time()) // 3600 * 3600
with sqlite3.connect(db_path) as db:
    # Organizer USERS+1 has a single event: the start-up baseline of `generate --organizer`.
    db.executemany(
        "INSERT INTO users (email, password_hash, full_name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
        [(f"organizer{u}@example.com", "$argon2id$v=19$m=65536,t=3,p=4$bench", f"Organizer {u}", now, now)
         for u in range(1, users + 2)])
    db.executemany(
        "INSERT INTO user_settings (user_id, iframe_defaults, updated_at) VALUES (?, ?, ?)",
        [(u, customization(), now) for u in range(1, users + 1) if u % 2 == 0])
    rows = []
    for i in range(count):
        topic = rng.choice(topics)
        title = rng.choice(formats).format(t=topic, n=rng.randint(1, 9), q=rng.randint(1, 4))
        paragraphs = [" ".join(rng.choice(sentences).format(t=topic) for _ in range(rng.randint(1, 4)))
                      for _ in range(rng.randint(0, 4))]
        description = "\n\n".join(paragraphs)
        duration = rng.choice([1800, 2700, 3600, 5400, 7200])
        while True:
            start = now + (rng.randrange(0, 395 * 86400) - 30 * 86400) // 900 * 900
            if not now - 3600 <= start + duration <= now + 4 * 3600:
                break
        public_id = "".join(rng.choice(alphabet) for _ in range(22))
        url = rng.choice(hosts).format(n=rng.randrange(10**9, 10**10), p="".join(rng.choice(alphabet[:62]) for _ in range(12)))
        created = now - rng.randrange(0, 90 * 86400)
        # The first FEED_EVENTS belong to organizer 1, all listed; the rest are spread over the
        # others, a tenth unlisted, a few cancelled, half of the past ones with a recording.
        owner = 1 if i < feed_events else rng.randint(2, users)
        listed = 1 if owner == 1 else int(rng.random() >= 0.1)
        status = "cancelled" if rng.random() < 0.03 else "scheduled"
        recording = f"https://example.com/recordings/{public_id}" if start + duration < now and rng.random() < 0.5 else None
        rows.append((owner, public_id, title, description, start, start + duration,
                     rng.choice(zones), url, customization(), rng.choice([0, 0, 0, 1, 2]), created,
                     created + rng.randrange(0, 86400), status, recording, listed))
    rows.append((users + 1, "BaselineBaselineBase01", "Baseline", "", now + 86400, now + 90000, "UTC",
                 "https://example.com/baseline", "{}", 0, now, now, "scheduled", None, 1))
    db.executemany(
        "INSERT INTO events (user_id, public_id, title, description, start_datetime, end_datetime, timezone, "
        "webinar_url, customization_settings, sequence, created_at, updated_at, status, recording_url, listed) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
PY

# Fairness: both sides create a complete tree in a folder that does not exist yet, and each is
# run RUNS times (default twice) with the best run kept. The first generate warms the database,
# the templates and the binary in the page cache; cp runs after generate, so it reads a tree that
# is already in the page cache. Neither calls fsync (the publisher renames, it does not sync), so
# both measure work up to the page cache, not the disk; an untimed `sync` before each run flushes
# the previous run's dirty pages, so no run pays for another's writeback.
#
# Nothing is deleted between runs (every run gets a new folder; the trap removes them all at the
# end): on an ext4 without a journal (this dev box's root filesystem), the inode allocator skips
# inodes freed in the last 60 s (360 s while their inode table block is still dirty) and its
# recently_deleted() check makes creating files after a large `rm -rf` over 10x slower (seen
# with perf: cp -r of this tree went from 2 s to 30 s). That would punish whichever run follows a
# deletion, so on such a disk leave a few minutes between two runs of this script, or after
# deleting any large tree.
generate_all() {
    sync
    timed "$bin" generate --all --db "$db" --out "$1" --templates "$root/Templates"
}
copy_tree() {
    sync
    timed cp -r "$1" "$2"
}
# Public files only: out/.locks holds the publishers' (empty) lock files.
tree_files() { find "$1" -type f -not -path "$1/.locks/*" | wc -l; }
tree_bytes() { find "$1" -type f -printf '%s\n' | awk '{ total += $1 } END { print total + 0 }'; }

echo "== generate --all ($runs runs)"
generate_runs=()
for ((run = 1; run <= runs; run++)); do generate_runs+=("$(generate_all "$work/out-$run")"); done
out="$work/out-1"
files=$(tree_files "$out")
out_bytes=$(tree_bytes "$out")
# Six files per event (widget and event page with their gzip twins, .ics, event feed), the
# baseline organizer's event included, and one feed per organizer.
expected=$(((events + 1) * 6 + users + 1))
if ((files != expected)); then
    echo "generate wrote $files files, expected $expected (6 per event, 1 per organizer)" >&2
    exit 1
fi
feed_vevents=$(grep -c '^BEGIN:VEVENT' "$out"/feed/*/calendar.ics | awk -F: '{ total += $2 } END { print total + 0 }')
for ((run = 2; run <= runs; run++)); do
    # Same database, same templates: every run must write the very same bytes.
    diff -rq "$out" "$work/out-$run" >/dev/null || { echo "generate run $run differs from run 1" >&2; exit 1; }
done

echo "== cp -r of out/ ($runs runs)"
copy_runs=()
for ((run = 1; run <= runs; run++)); do
    copy_runs+=("$(copy_tree "$out" "$work/copy-$run")")
    copied=$(tree_files "$work/copy-$run")
    copy_bytes=$(tree_bytes "$work/copy-$run")
    if ((copied != files)) || ((copy_bytes != out_bytes)); then
        echo "copy $run differs from out/: $copied files / $copy_bytes bytes vs $files / $out_bytes" >&2
        exit 1
    fi
done

echo "== generate --event ID ($republish_runs runs on random events)"
mapfile -t ids < <(python3 -c '
import random, sqlite3, sys
ids = [r[0] for r in sqlite3.connect(sys.argv[1]).execute("SELECT id FROM events")]
for i in random.Random(7).choices(ids, k=int(sys.argv[2])): print(i)
' "$db" "$republish_runs")
republish_times=()
for id in "${ids[@]}"; do
    measured=$(timed "$bin" generate --event "$id" --db "$db" --out "$out" --templates "$root/Templates")
    republish_times+=("${measured%%:*}")
done

echo "== generate --organizer ID ($republish_runs runs each: organizer 1 with $feed_events listed events, organizer $((users + 1)) with one)"
big_feed=$(find "$out/feed" -name calendar.ics -printf '%s %p\n' | sort -n | tail -1)
feed_runs=()
baseline_runs=()
for ((run = 1; run <= republish_runs; run++)); do
    feed_runs+=("$(timed "$bin" generate --organizer 1 --db "$db" --out "$out" --templates "$root/Templates")")
    baseline_runs+=("$(timed "$bin" generate --organizer $((users + 1)) --db "$db" --out "$out" --templates "$root/Templates")")
done
feed1_vevents=$(grep -c '^BEGIN:VEVENT' "$(grep -l '^X-WR-CALNAME:Organizer 1: webinar' "$out"/feed/*/calendar.ics | head -1)")

# Sizes of every widget page (raw and gzip twin): the median is the "typical" widget.
read -r html_median html_max gz_median gz_max < <(python3 -c '
import os, statistics, sys
raw, gz = [], []
for entry in os.scandir(os.path.join(sys.argv[1], "widget", "event")):
    raw.append(os.stat(os.path.join(entry.path, "index.html")).st_size)
    gz.append(os.stat(os.path.join(entry.path, "index.html.gz")).st_size)
print(int(statistics.median(raw)), max(raw), int(statistics.median(gz)), max(gz))
' "$out")

python3 - "$events" "$files" "$out_bytes" "$html_median" "$html_max" "$gz_median" "$gz_max" "$build" "$(nproc)" \
    "${generate_runs[*]}" "${copy_runs[*]}" "${republish_times[*]}" "${feed_runs[*]}" "${baseline_runs[*]}" \
    "$feed_events" "$feed1_vevents" "$feed_vevents" "${big_feed%% *}" <<'PY'
import statistics, sys
a = sys.argv[1:]
events, files, out_bytes, html_median, html_max, gz_median, gz_max = map(int, a[0:7])
build, cores = a[7], a[8]
pairs = lambda arg: [tuple(map(float, run.split(":"))) for run in arg.split()]  # (wall, cpu) per run
gen_runs, cp_runs = pairs(a[9]), pairs(a[10])
republish = sorted(float(x) for x in a[11].split())
gen, cp = min(wall for wall, _ in gen_runs), min(wall for wall, _ in cp_runs)
gen_cpu, cp_cpu = min(cpu for _, cpu in gen_runs), min(cpu for _, cpu in cp_runs)
kib = lambda n: f"{n / 1024:.1f} KiB"
runs = lambda values: ", ".join(f"{wall:.2f} s (cpu {cpu:.2f} s)" for wall, cpu in values)

print()
print(f"attendify generate benchmark ({build}, {cores} cores, {events} events)")
print(f"out/ tree: {files} files, {out_bytes / 1048576:.1f} MiB of file contents")
print(f"generate --all: {gen:.2f} s best of {len(gen_runs)} (runs {runs(gen_runs)}), "
      f"{events / gen:.2f} events/second, wall clock incl. start-up")
print(f"cp -r of out/:  {cp:.2f} s best of {len(cp_runs)} (runs {runs(cp_runs)})")
print(f"ratio generate/copy: {gen / cp:.2f}")
print("target: ratio <= 4")
print(f"(for reference, CPU time ratio generate/copy: {gen_cpu / cp_cpu:.2f}; generate uses every core, cp one)")
print(f"republish one event (generate --event ID): median {statistics.median(republish) * 1000:.0f} ms "
      f"over {len(republish)} runs (min {republish[0] * 1000:.0f} ms, max {republish[-1] * 1000:.0f} ms); "
      "includes process start-up, template loading and opening the database")
print(f"widget index.html: median {html_median} B ({kib(html_median)}) raw, {gz_median} B ({kib(gz_median)}) gzip; "
      f"largest {kib(html_max)} raw, {kib(gz_max)} gzip")
print("target: widget <= 8 KiB raw, <= 3 KiB gzip")
feed_runs, baseline_runs = pairs(a[12]), pairs(a[13])
feed_events, feed1_vevents, all_vevents, big_feed = int(a[14]), int(a[15] or 0), int(a[16]), int(a[17])
feed_cpu = sorted(cpu for _, cpu in feed_runs)
base_cpu = sorted(cpu for _, cpu in baseline_runs)
print(f"organizer feeds: {all_vevents} events in all feeds; organizer 1's feed holds {feed1_vevents} of its {feed_events} "
      f"listed events (events that ended over 30 days ago leave feeds), largest feed {kib(big_feed)}")
print(f"republish organizer 1's feed (generate --organizer 1): CPU median {statistics.median(feed_cpu):.3f} s, "
      f"min {feed_cpu[0]:.3f} s, max {feed_cpu[-1]:.3f} s over {len(feed_cpu)} runs "
      f"(wall median {statistics.median(w for w, _ in feed_runs):.3f} s); process start-up included")
print(f"  start-up baseline (organizer with one event): CPU median {statistics.median(base_cpu):.3f} s; "
      f"the feed itself: about {statistics.median(feed_cpu) - statistics.median(base_cpu):.3f} s")
print("target: feed republish < 1 s of CPU")
PY
