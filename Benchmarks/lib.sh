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
