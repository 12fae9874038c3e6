#!/usr/bin/env bash
# Renders the nginx configuration into PREFIX/conf for a foreground nginx:
#   nginx/render.sh PREFIX PORT FASTCGI_SOCKET[,FASTCGI_SOCKET...] STATIC_ROOT
# Several sockets (make run-cluster's nodes) become one upstream that nginx balances over; a
# request that cannot reach one node (dead, restarting) goes to the next.
# then: nginx -p PREFIX -c PREFIX/conf/nginx.conf -e PREFIX/error.log -g 'daemon off;'
#
# For the system's nginx instead (make install, scripts/install.sh):
#   nginx/render.sh --site OUT_DIR CONF_DIR LISTEN FASTCGI_SOCKET[,...] STATIC_ROOT SWAGGER_UI_DIR
# writes the site (coffer.conf) and its includes into OUT_DIR, naming CONF_DIR as where the includes
# will be. Every path is the target machine's, so none is checked here.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
site=0
if [ "${1:-}" = --site ]; then
  site=1; out=$2; conf=$3; listen=$4; static=$6; swagger_ui_dir=$7; prefix=""
  IFS=, read -r -a sockets <<<"$5"
  mkdir -p "$out"
else
  prefix=$(realpath -m "$1"); listen="127.0.0.1:$2"; static=$(realpath -m "$4")
  IFS=, read -r -a sockets <<<"$3"
  conf="$prefix/conf"; out=$conf
  mkdir -p "$conf" "$prefix/client_body" "$prefix/fastcgi" "$prefix/proxy" "$prefix/uwsgi" "$prefix/scgi"
fi
# As root, nginx's workers would switch to 'nobody'; keep them as the invoking user so a dev run
# needs no group setup. (A production install sets 'user' and the socket's group instead.)
user_line=""
if [ "$(id -u)" = 0 ]; then user_line="user root root;"; fi
access_log="${NGINX_ACCESS_LOG:-off}"
# AUTH_RATE is nginx's per-address limit on /v1/auth/ (API.md: 20r/s, bursts of 100); benchmarks raise it.
# SERVER_NAMES are the host names the site answers to (nginx server_name); every other Host gets a
# 400 problem. cofferd reads the same list from COFFER_SERVER_NAMES.
server_names="${SERVER_NAMES:-localhost 127.0.0.1}"
# SWAGGER_UI_DIR is the Swagger UI distribution nginx serves under /docs/vendor/; by default the one
# the swagger-ui-bundle-v2 wheel installed (make deps). It must be Swagger UI 5 or later: older ones
# cannot read an OpenAPI 3.1 document.
# --site has it as an argument: where the install put it.
if [ "$site" = 0 ]; then
  swagger_ui_dir="${SWAGGER_UI_DIR:-}"
  if [ -z "$swagger_ui_dir" ]; then
    swagger_ui_dir=$(python3 -c 'import swagger_ui_bundle; print(swagger_ui_bundle.swagger_ui_path)' 2>/dev/null) || swagger_ui_dir=""
  fi
  if [ -z "$swagger_ui_dir" ] || [ ! -f "$swagger_ui_dir/swagger-ui-bundle.js" ] || [ ! -f "$swagger_ui_dir/swagger-ui.css" ]; then
    echo "render.sh: no Swagger UI for /docs/${swagger_ui_dir:+ in $swagger_ui_dir}: run make deps (python3 must import" \
         "swagger_ui_bundle) or set SWAGGER_UI_DIR to a directory holding swagger-ui-bundle.js and swagger-ui.css" >&2
    exit 1
  fi
  swagger_ui_dir=$(realpath "$swagger_ui_dir")
fi
if [ ${#sockets[@]} = 1 ]; then
  fastcgi_pass="unix:$(realpath -m "${sockets[0]}")"
  : > "$out/upstream.conf"
else
  fastcgi_pass="cofferd_nodes"
  {
    echo "# The cofferd nodes behind /v1/ (make run-cluster); rendered by nginx/render.sh."
    echo "upstream cofferd_nodes {"
    for socket in "${sockets[@]}"; do echo "    server unix:$(realpath -m "$socket") max_fails=1 fail_timeout=2s;"; done
    echo "}"
  } > "$out/upstream.conf"
fi
files=(coffer.conf errors.conf fastcgi.conf security-headers.conf app-page.conf problem.conf)
[ "$site" = 1 ] || files+=(dev.conf)
for file in "${files[@]}"; do
  sed -e "s|@LISTEN@|$listen|g" -e "s|@STATIC_ROOT@|$static|g" \
      -e "s|@FASTCGI_PASS@|$fastcgi_pass|g" -e "s|@CONF_DIR@|$conf|g" -e "s|@PREFIX@|$prefix|g" \
      -e "s|@USER@|$user_line|g" -e "s|@ACCESS_LOG@|$access_log|g" -e "s|@AUTH_RATE@|${AUTH_RATE:-20r/s}|g" -e "s|@SERVER_NAMES@|$server_names|g" \
      -e "s|@SWAGGER_UI_DIR@|$swagger_ui_dir|g" "$here/$file" > "$out/$file"
done
[ "$site" = 1 ] && exit 0
mv "$conf/dev.conf" "$conf/nginx.conf"
echo "$conf/nginx.conf"
