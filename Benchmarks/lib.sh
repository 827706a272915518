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
