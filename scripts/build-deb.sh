#!/usr/bin/env bash
# Builds the Debian package attendify_<version>_<arch>.deb with dpkg-deb:
#   /usr/bin/attendify                      release build, the Swift runtime linked in statically
#                                           (templates and panel are embedded in it)
#   /lib/systemd/system/attendify-{api,track,follow}.service
#                                           deploy/systemd's units with the packaged paths
#   /etc/attendify/attendify.env            the services' environment (conffile)
#   /etc/nginx/sites-available/attendify    `attendify nginx-config` for this layout (conffile; not enabled)
#   /usr/share/attendify/panel/             the panel's files, for Nginx
# postinst creates the system user `attendify` and /var/lib/attendify (database, out/), enables
# attendify-api and attendify-track, and starts them only where systemd runs.
#
# Usage: scripts/build-deb.sh [--out DIR] [--version VERSION] [--compression xz|zstd|gzip|none]
# Progress goes to stderr; stdout is the absolute path of the .deb (default folder .build/deb).
set -euo pipefail
caller=$PWD
cd "$(dirname "$0")/.."
root=$PWD

out_dir="$root/.build/deb"
version="${ATTENDIFY_DEB_VERSION:-}"
compression="xz"
while (($#)); do
    case "$1" in
        --out) [[ "$2" = /* ]] && out_dir=$2 || out_dir="$caller/$2"; shift 2 ;;
        --version) version=$2; shift 2 ;;
        --compression) compression=$2; shift 2 ;;
        -h | --help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "build-deb: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
say() { echo "build-deb: $*" >&2; }
fail() { say "$*"; exit 1; }

# dpkg-deb and dpkg-shlibdeps (dpkg-dev), readelf (binutils), and what the build needs.
scripts/setup.sh >&2
for tool in dpkg-shlibdeps readelf; do
    if ! command -v "$tool" >/dev/null; then
        sudo=""
        [[ $(id -u) -eq 0 ]] || sudo="sudo"
        say "installing dpkg-dev and binutils (for $tool)"
        $sudo apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends dpkg-dev binutils >/dev/null
        break
    fi
done

if [[ -z "$version" ]]; then
    # Upstream 0.0.0 until releases are tagged, then the commit's time and id: later builds sort later.
    stamp=$(git log -1 --format=%cd --date=format:%Y%m%d%H%M%S 2>/dev/null || date -u +%Y%m%d%H%M%S)
    commit=$(git rev-parse --short=10 HEAD 2>/dev/null || echo unknown)
    version="0.0.0~git${stamp}.${commit}"
fi
[[ "$version" =~ ^[0-9][A-Za-z0-9.+~-]*$ ]] || fail "--version $version is not a Debian version (digits first; letters, digits, . + ~ -)"
arch=$(dpkg --print-architecture)

say "release build, Swift runtime linked statically (the first one takes several minutes)"
swift build -c release --static-swift-stdlib --product attendify >&2
binary="$(swift build -c release --static-swift-stdlib --show-bin-path)/attendify"
[[ -x "$binary" ]] || fail "no binary at $binary"

# The package must not need a Swift toolchain: no Swift runtime, Foundation or Dispatch library
# among the binary's needs, and no run path into the toolchain.
needed=$(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
if grep -E 'swift|Foundation|dispatch|BlocksRuntime' <<<"$needed"; then
    fail "$binary still links the Swift runtime dynamically (see above)"
fi
if readelf -d "$binary" | grep -E '(RUNPATH|RPATH)' | grep -q swift; then
    fail "$binary has a run path into the Swift toolchain"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pkg="$work/pkg"
install -d "$pkg/DEBIAN" "$pkg/usr/bin" "$pkg/lib/systemd/system" "$pkg/etc/attendify" \
    "$pkg/etc/nginx/sites-available" "$pkg/usr/share/attendify/panel" "$pkg/usr/share/doc/attendify"
install -m 0755 "$binary" "$pkg/usr/bin/attendify"
strip --strip-unneeded "$pkg/usr/bin/attendify"

# The units of deploy/systemd, moved to the packaged paths: the binary in /usr/bin and the
# templates from the binary itself (no --templates). Everything else (user, hardening, ports,
# /var/lib/attendify) stays as the deploy guide has it.
for unit in attendify-api attendify-track attendify-follow; do
    {
        echo "# Installed by the attendify package (from deploy/systemd/$unit.service)."
        sed -e 's#/opt/attendify/bin/attendify#/usr/bin/attendify#g' \
            -e 's# --templates /opt/attendify/Templates##g' \
            -e 's#^WorkingDirectory=/opt/attendify$#WorkingDirectory=/var/lib/attendify#' \
            -e 's#^ReadOnlyPaths=/opt/attendify \(.*\)$#ReadOnlyPaths=\1#' \
            -e '/^ReadOnlyPaths=\/opt\/attendify$/d' \
            "deploy/systemd/$unit.service"
    } >"$pkg/lib/systemd/system/$unit.service"
    if grep -n '/opt/attendify' "$pkg/lib/systemd/system/$unit.service" >&2; then
        fail "deploy/systemd/$unit.service names /opt/attendify in a way this script does not map (see above)"
    fi
done
chmod 0644 "$pkg"/lib/systemd/system/*.service

cat >"$pkg/etc/attendify/attendify.env" <<'EOF'
# Environment of the attendify services (attendify-api, attendify-track, attendify-follow).
# Any ATTENDIFY_* variable works here (see `attendify help serve`). After a change:
#   systemctl restart attendify-api attendify-track
#
# The public origin of the site: embed codes, .ics UIDs and subscribe links are made from it.
# Set your domain before organizers start (calendars treat a changed UID as a new event).
ATTENDIFY_PUBLIC_URL=http://localhost
#ATTENDIFY_CLICK_LIMIT=10
# Mail (password resets, e-mail changes): without a relay each mail is a file in
# /var/lib/attendify/mail and nobody receives it. Keep the password in a file only root and
# attendify can read.
#ATTENDIFY_SMTP_URL=smtps://attendify@mail.example.com
#ATTENDIFY_SMTP_PASSWORD_FILE=/etc/attendify/smtp-password
#ATTENDIFY_MAIL_FROM=Attendify <no-reply@attendify.example.com>
# Only with a legal basis (see the README's privacy section):
#ATTENDIFY_STORE_CLIENT_INFO=1
EOF
chmod 0644 "$pkg/etc/attendify/attendify.env"

"$pkg/usr/bin/attendify" nginx-config --out /var/lib/attendify/out --panel /usr/share/attendify/panel \
    >"$pkg/etc/nginx/sites-available/attendify"
chmod 0644 "$pkg/etc/nginx/sites-available/attendify"

# The panel's servable files (its README is for developers).
(cd Panel && find . -type f ! -name README.md ! -name '.*' ! -path '*/__pycache__/*' -print0) |
    while IFS= read -r -d '' file; do
        install -D -m 0644 "Panel/$file" "$pkg/usr/share/attendify/panel/$file"
    done
install -m 0644 deploy/README.md "$pkg/usr/share/doc/attendify/DEPLOY.md"

cat >"$pkg/DEBIAN/conffiles" <<'EOF'
/etc/attendify/attendify.env
/etc/nginx/sites-available/attendify
EOF

units_enabled="attendify-api.service attendify-track.service"
units_all="attendify-api.service attendify-track.service attendify-follow.service"

cat >"$pkg/DEBIAN/postinst" <<EOF
#!/bin/sh
# attendify postinst: the system user and its state folder, then the units (debhelper-style:
# enabled for boot; started or restarted only where systemd is running, never in a container
# without it).
set -e

if [ "\$1" = configure ]; then
    if ! getent passwd attendify >/dev/null; then
        # Its own group, or the one an earlier install (the deploy guide's useradd) left.
        if getent group attendify >/dev/null; then group="--ingroup attendify"; else group="--group"; fi
        adduser --system \$group --quiet --home /var/lib/attendify --no-create-home \\
            --shell /usr/sbin/nologin --gecos Attendify attendify
    fi
    getent group attendify >/dev/null || addgroup --system --quiet attendify
    # Nginx (www-data) reads out/; the database is attendify's alone (SQLite gives its -wal and
    # -shm files the database file's mode, and an empty file is a new database).
    install -d -o attendify -g attendify -m 0755 /var/lib/attendify /var/lib/attendify/out
    install -d -o attendify -g attendify -m 0750 /var/lib/attendify/backups
    if [ ! -e /var/lib/attendify/attendify.sqlite ]; then
        install -o attendify -g attendify -m 0640 /dev/null /var/lib/attendify/attendify.sqlite
    fi
fi

if [ "\$1" = configure ] || [ "\$1" = abort-upgrade ] || [ "\$1" = abort-deconfigure ] || [ "\$1" = abort-remove ]; then
    if [ -x /usr/bin/deb-systemd-helper ]; then
        for unit in $units_enabled; do
            deb-systemd-helper unmask "\$unit" >/dev/null || true
            if deb-systemd-helper --quiet was-enabled "\$unit"; then
                deb-systemd-helper enable "\$unit" >/dev/null || true
            else
                deb-systemd-helper update-state "\$unit" >/dev/null || true
            fi
        done
    fi
    if [ -d /run/systemd/system ]; then
        systemctl --system daemon-reload >/dev/null || true
        if [ -n "\$2" ]; then action=restart; else action=start; fi
        for unit in $units_enabled; do
            deb-systemd-invoke "\$action" "\$unit" >/dev/null || true
        done
    fi
fi
exit 0
EOF

cat >"$pkg/DEBIAN/prerm" <<EOF
#!/bin/sh
# attendify prerm: stop the services on removal (an upgrade restarts them in postinst instead).
set -e
if [ -d /run/systemd/system ] && [ "\$1" = remove ]; then
    for unit in $units_all; do
        deb-systemd-invoke stop "\$unit" >/dev/null || true
    done
fi
exit 0
EOF

cat >"$pkg/DEBIAN/postrm" <<EOF
#!/bin/sh
# attendify postrm: systemd's view of the units, and on purge what the package made. A database
# that holds anything is kept (delete /var/lib/attendify yourself); the user attendify stays, as
# Debian leaves system users (files it owned may remain).
set -e
if [ -d /run/systemd/system ] && [ "\$1" = remove ]; then
    systemctl --system daemon-reload >/dev/null || true
fi
if [ -x /usr/bin/deb-systemd-helper ]; then
    if [ "\$1" = remove ]; then
        deb-systemd-helper mask $units_all >/dev/null || true
    fi
    if [ "\$1" = purge ]; then
        deb-systemd-helper purge $units_all >/dev/null || true
        deb-systemd-helper unmask $units_all >/dev/null || true
    fi
fi
if [ "\$1" = purge ]; then
    rm -rf /var/lib/attendify/out
    # The empty database postinst made, if no service ever wrote to it.
    if [ -f /var/lib/attendify/attendify.sqlite ] && [ ! -s /var/lib/attendify/attendify.sqlite ]; then
        rm -f /var/lib/attendify/attendify.sqlite /var/lib/attendify/attendify.sqlite-wal /var/lib/attendify/attendify.sqlite-shm
    fi
    rmdir /var/lib/attendify/backups 2>/dev/null || true
    if ! rmdir /var/lib/attendify 2>/dev/null && [ -d /var/lib/attendify ]; then
        echo "attendify: kept /var/lib/attendify (the database and backups); delete it when you no longer need it" >&2
    fi
fi
exit 0
EOF
chmod 0755 "$pkg/DEBIAN/postinst" "$pkg/DEBIAN/prerm" "$pkg/DEBIAN/postrm"

# Depends from the libraries the binary links (dpkg-shlibdeps: package names with the minimum
# versions the symbols need), plus adduser for postinst.
mkdir -p "$work/shlibs/debian"
printf 'Source: attendify\n\nPackage: attendify\nArchitecture: any\n' >"$work/shlibs/debian/control"
shlibs=$(cd "$work/shlibs" && dpkg-shlibdeps -O -e"$pkg/usr/bin/attendify" 2>"$work/shlibdeps.log") || {
    cat "$work/shlibdeps.log" >&2
    fail "dpkg-shlibdeps could not tell the binary's library packages"
}
depends=${shlibs#shlibs:Depends=}
[[ -n "$depends" ]] || fail "dpkg-shlibdeps printed no dependencies"

installed_size=$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
cat >"$pkg/DEBIAN/control" <<EOF
Package: attendify
Version: $version
Architecture: $arch
Maintainer: ${ATTENDIFY_DEB_MAINTAINER:-Attendify maintainers <attendify@localhost>}
Section: web
Priority: optional
Installed-Size: $installed_size
Depends: adduser, $depends
Recommends: nginx
Suggests: sqlite3, certbot
Description: "Add to calendar" widgets for webinar organizers
 Attendify publishes a static "Add to calendar" widget, an .ics file and subscription feeds
 for each webinar, counts the clicks without personal data, and gives organizers a panel and
 an API. One binary with the templates and the panel built in: "attendify serve --demo" runs
 from any folder; attendify-api and attendify-track run the production layout behind the
 Nginx site in /etc/nginx/sites-available/attendify.
EOF

mkdir -p "$out_dir"
deb="$out_dir/attendify_${version}_${arch}.deb"
say "packing $deb ($compression)"
dpkg-deb --build --root-owner-group -Z"$compression" "$pkg" "$deb" >&2
say "$(du -h "$deb" | cut -f1) $deb, depends: adduser, $depends"
echo "$deb"
