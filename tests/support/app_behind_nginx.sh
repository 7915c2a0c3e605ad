# app_behind_nginx.sh: sourced by the app tests that go through a user-space nginx. Sets T (a
# private temp dir), fail(), a cleanup trap that stops everything started (by pid), and
# start_app_behind_nginx NAME CGI FCGI: an INI with a random secret in $T/NAME.ini (written by the
# caller first or defaulted here), NAME.fcgi as a spawn pool at /NAME/, NAME.cgi behind spawn's
# CGI gateway at /cgi-bin/NAME.cgi/ (its config beside it), nginx in front; sets HTTP (the port).
# Exits 77 (skip) when nginx or curl is missing.
set -euo pipefail
: "${SPAWN:?}" "${SOURCE_DIR:?}"
[ -x /usr/sbin/nginx ] || { echo "SKIP: nginx not installed"; exit 77; }
command -v curl >/dev/null || { echo "SKIP: curl not installed"; exit 77; }
T=$(mktemp -d /tmp/fh-app-nginx.XXXXXX)
PIDS=()
NGX=$SOURCE_DIR/nginx/nginx.sh
cleanup() {
  "$NGX" stop "$T"/ngx >/dev/null 2>&1 || true
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  sleep 0.2
  for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  rm -rf "$T"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  tail -n 20 "$T"/*.log "$T"/ngx/logs/error.log >&2 2>/dev/null || true
  exit 1
}
source "$SOURCE_DIR"/tests/support/ports.sh

# write_app_config NAME: the shared test config (random secret; cheap password hashing: these
# tests are about transport, not argon2).
write_app_config() {
  cat >"$T/$1.ini" <<INI
[session]
secret = $(head -c 48 /dev/urandom | base64 -w0)
[db]
path = $T/accounts.db
[password]
cost = minimum
INI
}

start_app_behind_nginx() {
  local name=$1 cgi=$2 fcgi=$3
  [ -f "$T/$name.ini" ] || write_app_config "$name"
  mkdir -p "$T"/cgi-bin
  cp "$cgi" "$T/cgi-bin/$name.cgi"
  cp "$T/$name.ini" "$T/cgi-bin/$name.ini" # the CGI finds its config beside itself
  # ... and its templates (NAME.templates/, copied there by the build), if it has any.
  if [ -d "${cgi%.cgi}.templates" ]; then cp -r "${cgi%.cgi}.templates" "$T/cgi-bin/"; fi
  # These tests are about the apps: the workers keep the invoking user (-u; as root spawn would
  # otherwise run them as fcgi-host/nobody, who cannot reach this private dir).
  APP_CONFIG_FILE=$T/$name.ini "$SPAWN" -n -u "$(id -un)" -s "$T/$name.sock" -F 2 --name "$name" -- "$fcgi" \
    >"$T/spawn-$name.log" 2>&1 &
  PIDS+=($!)
  "$SPAWN" -n -u "$(id -un)" --cgi-dir "$T"/cgi-bin -s "$T"/cgi.sock -F 1 >"$T"/spawn-cgi.log 2>&1 &
  PIDS+=($!)
  for _ in $(seq 300); do [ -S "$T/$name.sock" ] && [ -S "$T"/cgi.sock ] && break; sleep 0.1; done
  [ -S "$T/$name.sock" ] && [ -S "$T"/cgi.sock ] || fail "spawn sockets did not appear"
  start_nginx HTTP "$NGX" "$T"/ngx --read-timeout 10s --app "$name=unix:$T/$name.sock" \
    --cgi "unix:$T/cgi.sock" || fail "nginx start"
}
