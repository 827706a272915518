#!/usr/bin/env bash
# One command to a tested product: installs what is missing, builds, runs the Swift test suites,
# validates the templates, and runs the interoperability tests against real third-party parsers.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test

echo "== build"
swift build
echo "== check-templates"
.build/debug/attendify check-templates
echo "== swift test"
swift test 2>&1 | tee .build/swift-test.log
echo "== interoperability tests (pytest)"
ATTENDIFY_BIN="$PWD/.build/debug/attendify" .venv/bin/python -m pytest -q Tests/interop
