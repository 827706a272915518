#!/usr/bin/env bash
# One command to a running product: installs what is missing, builds, creates a demo event once,
# and serves everything on http://127.0.0.1:8080 (override with --host/--port or ATTENDIFY_*).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec swift run attendify serve --demo "$@"
