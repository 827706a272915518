#!/usr/bin/env bash
# One command to a tested product: installs what is missing, starts a throwaway PostgreSQL 15 for
# the suites (initdb in a temp folder, a free 127.0.0.1 port, password auth; stopped and deleted on
# exit, see Tests/pysupport/postgres_support.py), builds, validates the templates, runs the Swift
# suites, then the tests that need real outside parts: an independent RFC 5545 parser,
# SIGTERM/SIGKILL of the tracker, schemathesis against openapi.yaml, the README's curl
# walk-through, Nginx end to end, the fault-injection suite (crashes, full disks, a locked
# database, edit storms, hostile clients; its mount tests need root), the panel in
# headless Chromium, and the .deb (a release build, packed, installed and run from /tmp as root).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test

echo "== PostgreSQL for the suites"
# Exported, so `swift test` and pytest both find it: ATTENDIFY_TEST_POSTGRES_URL (superuser URL,
# no password in it), ATTENDIFY_TEST_POSTGRES_PASSWORD, ATTENDIFY_TEST_POSTGRES_DATA (its folder).
# Run as root, the server runs as the `postgres` system user (PostgreSQL refuses root).
unset ATTENDIFY_TEST_POSTGRES_URL ATTENDIFY_TEST_POSTGRES_PASSWORD ATTENDIFY_TEST_POSTGRES_DATA
postgres_env=$(mktemp)
stop_postgres() {
    local status=$?
    rm -f "$postgres_env"
    if [[ -n "${ATTENDIFY_TEST_POSTGRES_DATA:-}" ]]; then
        python3 Tests/pysupport/postgres_support.py stop --data "$ATTENDIFY_TEST_POSTGRES_DATA" ||
            echo "test: could not stop the PostgreSQL in $ATTENDIFY_TEST_POSTGRES_DATA" >&2
    fi
    exit "$status" # the tests' exit code, not the cleanup's
}
trap stop_postgres EXIT
python3 Tests/pysupport/postgres_support.py start --env-file "$postgres_env"
source "$postgres_env"
rm -f "$postgres_env"
export ATTENDIFY_TEST_POSTGRES_URL ATTENDIFY_TEST_POSTGRES_PASSWORD ATTENDIFY_TEST_POSTGRES_DATA

echo "== build"
swift build
echo "== check-templates"
.build/debug/attendify check-templates
echo "== swift test (storage suite on SQLite and PostgreSQL; the rest on SQLite)"
swift test
echo "== swift test: HTTP, tracker and generator suites again, on PostgreSQL"
ATTENDIFY_TEST_BACKEND=postgres swift test --skip-build --filter "ServerTests|EdgeTrackerTests|GeneratorTests"
echo "== release build and Debian package (scripts/build-deb.sh; Tests/interop/test_deb_package.py installs it)"
rm -f .build/deb/attendify_*.deb
ATTENDIFY_DEB=$(scripts/build-deb.sh --out .build/deb)
export ATTENDIFY_DEB
echo "== interoperability, end-to-end, fault-injection and browser tests (pytest)"
export ATTENDIFY_BIN="$PWD/.build/debug/attendify"
.venv/bin/python -m pytest -q -p no:cacheprovider Tests/interop Tests/faults Tests/browser
