#!/usr/bin/env bash
# One command to a tested product: installs what is missing, builds, validates the templates,
# runs the Swift suites, then the tests that need real outside parts: an independent RFC 5545
# parser, SIGTERM/SIGKILL of the tracker, schemathesis against openapi.yaml, the README's curl
# walk-through, Nginx end to end, the fault-injection suite (crashes, full disks, a locked
# database, edit storms, hostile clients; its mount tests need root), and the panel in
# headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test

echo "== build"
swift build
echo "== check-templates"
.build/debug/attendify check-templates
echo "== swift test"
swift test
echo "== interoperability, end-to-end, fault-injection and browser tests (pytest)"
export ATTENDIFY_BIN="$PWD/.build/debug/attendify"
.venv/bin/python -m pytest -q -p no:cacheprovider Tests/interop Tests/faults Tests/browser
