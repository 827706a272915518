# Shared set-up of the benchmark scripts; source it after `cd` to the repository root.
# Each function does one thing the scripts all need, so they measure the same binary the same way.

# require_positive_int NAME VALUE: stops with a clear message unless VALUE is 1, 2, 3, ...
require_positive_int() {
    [[ $2 =~ ^[1-9][0-9]*$ ]] || { echo "$1 must be a positive integer, got '$2'" >&2; exit 2; }
}

# install_missing TOOL...: installs Debian packages named like the missing commands.
install_missing() {
    local missing=() tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null 2>&1 || [[ -x /usr/sbin/$tool ]] || missing+=("$tool")
    done
    ((${#missing[@]})) || return 0
    echo "== apt-get install -y ${missing[*]}"
    local sudo=""
    ((EUID == 0)) || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
}

# resolve_binary: sets `bin` (absolute path) and `build` (a label): $BIN if given, else a release
# build of the executable product alone (the test targets are not needed to benchmark it).
resolve_binary() {
    if [[ -n "${BIN:-}" ]]; then
        bin=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
        build="binary $BIN"
    else
        echo "== swift build -c release --product attendify"
        swift build -c release --product attendify
        bin="$(swift build -c release --show-bin-path)/attendify"
        build="release build"
    fi
    [[ -x $bin ]] || { echo "no executable at $bin" >&2; exit 1; }
    # The product falls back to ATTENDIFY_* variables; none of the caller's may change what we measure.
    local name
    for name in $(compgen -e | grep '^ATTENDIFY_' || true); do unset "$name"; done
}

# stop PID: SIGTERM, then SIGKILL after 10 s. Only ever given processes the script started.
stop() {
    local pid=$1 i
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# free_port: prints a free TCP port on 127.0.0.1.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for_log FILE REGEX WHAT PID [SECONDS]: waits until FILE has a line matching REGEX and prints
# its first capture group; stops the script if PID exits first or the time runs out.
wait_for_log() {
    local file=$1 regex=$2 what=$3 pid=$4 seconds=${5:-60} i line
    for ((i = 0; i < seconds * 10; i++)); do
        line=$(grep -Eo "$regex" "$file" 2>/dev/null | head -n1 || true)
        if [[ -n $line ]]; then [[ $line =~ $regex ]] && echo "${BASH_REMATCH[1]}"; return 0; fi
        kill -0 "$pid" 2>/dev/null || { echo "$what exited before it was ready:" >&2; cat "$file" >&2; exit 1; }
        sleep 0.1
    done
    echo "$what not ready after $seconds s:" >&2
    cat "$file" >&2
    exit 1
}

# db_mode_from_args ARG...: sets `db_mode` to sqlite (the default) or postgres, from `--db MODE`
# / `--db=MODE` on the command line, else the environment variable DB. Anything else stops the
# script with usage help (lines 2.. of the script's header comment up to `set -euo pipefail`).
db_mode_from_args() {
    db_mode=${DB:-sqlite}
    while (($#)); do
        case $1 in
            --db) (($# >= 2)) || { echo "--db needs a value: sqlite or postgres" >&2; exit 2; }; db_mode=$2; shift 2 ;;
            --db=*) db_mode=${1#--db=}; shift ;;
            -h | --help) sed -n '2,/^set -euo pipefail/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
            *) echo "unknown argument '$1' (known: --db sqlite|postgres, --help)" >&2; exit 2 ;;
        esac
    done
    case $db_mode in
        sqlite | postgres) ;;
        *) echo "--db (or DB) must be sqlite or postgres, got '$db_mode'" >&2; exit 2 ;;
    esac
}

# start_postgres FOLDER: a throwaway PostgreSQL 15 (Tests/pysupport/postgres_support.py: private
# initdb, 127.0.0.1 on a free port, random password, PostgreSQL's default durability settings)
# with one empty database `attendify_bench`. Sets `pg_url` (postgres://attendify@127.0.0.1:PORT/
# attendify_bench, no password in it), `pg_data` (its data folder, for stop_postgres) and
# `pg_version`; exports PGPASSWORD (what the product and psql read) and PGPASSFILE=/dev/null (so a
# ~/.pgpass cannot stand in). The exports file holds the password: it stays in FOLDER (mode 600).
# PG_SETTINGS="name=value ..." (optional) is applied with ALTER SYSTEM and a reload (settings that
# need a restart are refused), e.g. PG_SETTINGS="synchronous_commit=off log_min_duration_statement=0"
# to see what durability costs or what each statement takes; `pg_settings` says what was set.
# Call stop_postgres from the EXIT trap; with KEEP_WORK set it keeps the server's log in FOLDER.
pg_data=""
pg_folder=""
pg_settings=""
start_postgres() {
    local folder=$1 admin_url password setting name value
    [[ -x /usr/lib/postgresql/15/bin/initdb ]] || command -v initdb >/dev/null 2>&1 \
        || { echo "PostgreSQL 15 server binaries are missing: scripts/setup.sh test, or apt-get install -y postgresql-15 postgresql-client-15" >&2; exit 1; }
    command -v psql >/dev/null 2>&1 || { echo "psql is missing: apt-get install -y postgresql-client-15" >&2; exit 1; }
    echo "== starting a throwaway PostgreSQL server"
    python3 Tests/pysupport/postgres_support.py start --env-file "$folder/postgres.env" >"$folder/postgres-start.log" 2>&1 \
        || { echo "the PostgreSQL server did not start:" >&2; cat "$folder/postgres-start.log" >&2; exit 1; }
    # The file exports ATTENDIFY_TEST_POSTGRES_*: read in a subshell, so none reaches the product.
    admin_url=$(source "$folder/postgres.env" && echo "$ATTENDIFY_TEST_POSTGRES_URL")
    password=$(source "$folder/postgres.env" && echo "$ATTENDIFY_TEST_POSTGRES_PASSWORD")
    pg_data=$(source "$folder/postgres.env" && echo "$ATTENDIFY_TEST_POSTGRES_DATA")
    export PGPASSWORD=$password PGPASSFILE=/dev/null PGCONNECT_TIMEOUT=10
    unset PGOPTIONS PGSERVICE PGSERVICEFILE
    pg_psql "$admin_url" -c "CREATE DATABASE attendify_bench" >/dev/null
    pg_url=${admin_url%/*}/attendify_bench
    pg_version=$(pg_psql "$pg_url" -c "SHOW server_version")
    pg_folder=$folder
    for setting in ${PG_SETTINGS:-}; do
        [[ $setting =~ ^([a-z_]+)=([A-Za-z0-9_.-]+)$ ]] || { echo "PG_SETTINGS: '$setting' is not name=value" >&2; exit 2; }
        name=${BASH_REMATCH[1]} value=${BASH_REMATCH[2]}
        [[ $(pg_psql "$admin_url" -c "SELECT context FROM pg_settings WHERE name = '$name'") =~ ^(user|superuser|sighup|superuser-backend|backend)$ ]] \
            || { echo "PG_SETTINGS: $name is unknown or needs a restart" >&2; exit 2; }
        pg_psql "$admin_url" -c "ALTER SYSTEM SET $name = '$value'" >/dev/null
        pg_settings+="${pg_settings:+ }$name=$value"
    done
    [[ -z $pg_settings ]] || pg_psql "$admin_url" -c "SELECT pg_reload_conf()" >/dev/null
    echo "   PostgreSQL $pg_version at $pg_url (data $pg_data)${pg_settings:+; settings: $pg_settings}"
}

# stop_postgres: stops the server start_postgres started and deletes its folder (no-op otherwise).
stop_postgres() {
    [[ -n $pg_data ]] || return 0
    [[ -z ${KEEP_WORK:-} ]] || cp "$(dirname "$pg_data")/postgres.log" "$pg_folder/postgres.log" 2>/dev/null || true
    python3 Tests/pysupport/postgres_support.py stop --data "$pg_data" >/dev/null 2>&1 \
        || echo "warning: could not stop the PostgreSQL server in $pg_data" >&2
    pg_data=""
}

# pg_psql URL ARG...: psql without ~/.psqlrc, unaligned, tuples only, space-separated, quiet,
# stopping at the first error, never prompting for a password.
pg_psql() {
    local url=$1
    shift
    psql -X -q -w -A -t -F ' ' -v ON_ERROR_STOP=1 -d "$url" "$@"
}

# postgres_pids: the PIDs of the server start_postgres started (postmaster and all its children).
postgres_pids() {
    [[ -n $pg_data && -r $pg_data/postmaster.pid ]] || return 0
    local postmaster
    postmaster=$(head -n1 "$pg_data/postmaster.pid")
    echo "$postmaster"
    ps --ppid "$postmaster" -o pid= 2>/dev/null || true
}
