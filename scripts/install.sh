#!/usr/bin/env bash
# Installs built binaries, the browser app, the systemd units and the nginx site (make install):
#   scripts/install.sh BIN_DIR
# Environment (all optional):
#   DESTDIR        staging root every file goes under (packages); the paths written into the
#                  files never include it
#   PREFIX         /usr/local
#   SYSCONFDIR     /etc: cofferd.env.example in SYSCONFDIR/coffer, the site in SYSCONFDIR/nginx
#   UNIT_DIR       PREFIX/lib/systemd/system, which systemd searches for PREFIX /usr/local or /usr
#                  only: with another PREFIX, use /etc/systemd/system
#   SYSUSERS_DIR   PREFIX/lib/sysusers.d, the same (/etc/sysusers.d otherwise)
#   NGINX_LISTEN   the site's listen (80); SERVER_NAMES its server_name, AUTH_RATE its /v1/auth/
#                  rate (as nginx/render.sh)
#   SWAGGER_UI_DIR the Swagger UI to copy (default: python3's swagger_ui_bundle); without one the
#                  install goes on with a warning and /docs/ lacks it
# The layout is in the Makefile, above `install`. Users, enabling and starting are left to the
# operator: nothing here runs systemctl or touches a live nginx.
set -euo pipefail
[ $# = 1 ] || { echo "usage: scripts/install.sh BIN_DIR" >&2; exit 2; }
# nginx's workers read the app and the site as another user, whatever the caller's umask.
umask 022
repo=$(cd "$(dirname "$0")/.." && pwd)
bin_dir=$(realpath "$1")
destdir=${DESTDIR:-}
prefix=${PREFIX:-/usr/local}
sysconfdir=${SYSCONFDIR:-/etc}
unit_dir=${UNIT_DIR:-$prefix/lib/systemd/system}
sysusers_dir=${SYSUSERS_DIR:-$prefix/lib/sysusers.d}
share="$prefix/share/coffer"
for dir in "$prefix" "$sysconfdir" "$unit_dir" "$sysusers_dir"; do
  [[ "$dir" = /* ]] || { echo "install: $dir is not an absolute path" >&2; exit 2; }
done
# The socket nginx is pointed at is the one the socket unit listens on.
socket=$(sed -n 's/^ListenStream=//p' "$repo/systemd/cofferd.socket")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for program in cofferd coffer; do
  install -D -m 0755 "$bin_dir/$program" "$destdir$prefix/bin/$program"
done
# SwiftPM's resource bundles (cofferd's openapi.json): Bundle.module looks for them beside the
# executable, and otherwise only in the build directory, which a server does not have.
for bundle in "$bin_dir"/*.resources; do
  [ -d "$bundle" ] || continue
  for file in "$bundle"/*; do
    install -D -m 0644 "$file" "$destdir$prefix/bin/$(basename "$bundle")/$(basename "$file")"
  done
done

# The browser app without its in-browser test page.
(cd "$repo/static" && find . -path ./tests -prune -o -type f -print0) | while IFS= read -r -d '' file; do
  install -D -m 0644 "$repo/static/$file" "$destdir$share/static/${file#./}"
done

# Only the two files the site serves at /docs/vendor/; the distribution's demo pages stay out.
swagger_ui=${SWAGGER_UI_DIR:-$(python3 -c 'import swagger_ui_bundle; print(swagger_ui_bundle.swagger_ui_path)' 2>/dev/null || true)}
if [ -n "$swagger_ui" ] && [ -f "$swagger_ui/swagger-ui-bundle.js" ] && [ -f "$swagger_ui/swagger-ui.css" ]; then
  for file in swagger-ui-bundle.js swagger-ui.css; do
    install -D -m 0644 "$swagger_ui/$file" "$destdir$share/swagger-ui/$file"
  done
else
  echo "install: warning: no Swagger UI (python3 cannot import swagger_ui_bundle; make deps installs it)," \
       "so /docs/ will not work until $share/swagger-ui holds swagger-ui-bundle.js and swagger-ui.css" >&2
fi

render() { sed -e "s|@PREFIX@|$prefix|g" -e "s|@SYSCONFDIR@|$sysconfdir|g" "$repo/systemd/$1" > "$work/$1"; }
for unit in cofferd.socket cofferd.service; do
  render "$unit"
  install -D -m 0644 "$work/$unit" "$destdir$unit_dir/$unit"
done
install -D -m 0644 "$repo/systemd/coffer.sysusers" "$destdir$sysusers_dir/coffer.conf"
# The example only: the real env file holds secrets and is the operator's to write (0600).
render cofferd.env.example
install -D -m 0644 "$work/cofferd.env.example" "$destdir$sysconfdir/coffer/cofferd.env.example"

# Debian's layout: the site in sites-available (the operator links it into sites-enabled), the
# files it includes in a directory of their own.
"$repo/nginx/render.sh" --site "$work/nginx" "$sysconfdir/nginx/coffer" "${NGINX_LISTEN:-80}" "$socket" \
  "$share/static" "$share/swagger-ui"
install -D -m 0644 "$work/nginx/coffer.conf" "$destdir$sysconfdir/nginx/sites-available/coffer.conf"
for file in "$work"/nginx/*.conf; do
  [ "$(basename "$file")" = coffer.conf ] && continue
  install -D -m 0644 "$file" "$destdir$sysconfdir/nginx/coffer/$(basename "$file")"
done
echo "install: Coffer installed under ${destdir:-/} (PREFIX $prefix)" >&2
