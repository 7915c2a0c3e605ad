#!/usr/bin/env bash
# hello.cgi under a real third-party CGI server: lighttpd's mod_cgi, as a plain user process on a
# loopback port picked at run time (a new one if another test takes it first: ../support/ports.sh).
# Checks routing through PATH_INFO, query args, a POST body, the Status header (404) and that
# lighttpd relays our headers. Exits 77 (skip) without lighttpd.
set -euo pipefail
cgi=$1
lighttpd=$(command -v lighttpd || echo /usr/sbin/lighttpd)
[ -x "$lighttpd" ] || { echo "lighttpd not installed"; exit 77; }
source "$(dirname "$0")"/../support/ports.sh
work=$(mktemp -d)
pid=""
cleanup() {
  # lighttpd's exit status after SIGTERM is not always 0 (1.4.69 returns 1): not the test's result.
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
show_logs() {
  echo "--- lighttpd stderr:"; cat "$work/lighttpd.err" 2>/dev/null || true
  echo "--- lighttpd error log:"; cat "$work/error.log" 2>/dev/null || true
}
mkdir -p "$work/root/cgi-bin"
cp "$cgi" "$work/root/cgi-bin/hello.cgi"

# start_lighttpd: lighttpd on $port; returns once it has logged 'server started' (after its bind)
# and answers, 98 when the port was taken since free_port picked it, 1 on any other failure.
start_lighttpd() {
  cat >"$work/lighttpd.conf" <<CONF
server.document-root = "$work/root"
server.bind = "127.0.0.1"
server.port = $port
server.errorlog = "$work/error.log"
server.modules = ("mod_cgi")
cgi.assign = (".cgi" => "")
CONF
  rm -f "$work/error.log"
  "$lighttpd" -D -f "$work/lighttpd.conf" 2>"$work/lighttpd.err" &
  pid=$!
  local end=$((SECONDS + 30))
  until grep -q 'server started' "$work/error.log" 2>/dev/null &&
    curl -s -o /dev/null --max-time 5 "http://127.0.0.1:$port/"; do
    if process_gone "$pid"; then
      pid=""
      grep -q 'Address already in use' "$work/lighttpd.err" && return 98
      echo "lighttpd exited at start"; show_logs; return 1
    fi
    [ $SECONDS -lt $end ] || { echo "lighttpd did not serve within 30 s"; show_logs; return 1; }
    sleep 0.1
  done
}
start_on_free_port port start_lighttpd || exit 1
base="http://127.0.0.1:$port/cgi-bin/hello.cgi"
fail=0
check() { # name expected actual
  if [ "$2" == "$3" ]; then echo "ok   $1"; else echo "FAIL $1: expected [$2] got [$3]"; fail=1; fi
}
check index "Hello, world" "$(curl -s --max-time 20 "$base/")"
check greet "Hello, lighttpd!" "$(curl -s --max-time 20 "$base/hello/lighttpd")"
check status_404 404 "$(curl -s --max-time 20 -o /dev/null -w '%{http_code}' "$base/missing")"
check status_405 405 "$(curl -s --max-time 20 -o /dev/null -w '%{http_code}' -X DELETE "$base/")"
check content_type "text/plain; charset=utf-8" \
  "$(curl -s --max-time 20 -o /dev/null -w '%{content_type}' "$base/")"
echo_out=$(curl -s --max-time 20 -d 'a=1&b=two' -b 'c=3' "$base/echo?q=x") || echo_out=""
check echo_form '["two"]' "$(python3 -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1])["form"]["b"]))' "$echo_out")"
check echo_args '["x"]' "$(python3 -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1])["args"]["q"]))' "$echo_out")"
check echo_cookie '["3"]' "$(python3 -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1])["cookies"]["c"]))' "$echo_out")"
# (lighttpd re-encodes a stray '%' in the query itself, so the bad input here is a JSON body.)
check bad_json 400 "$(curl -s --max-time 20 -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -d '{"a":' "$base/echo")"
check after_bad_input "Hello, world" "$(curl -s --max-time 20 "$base/")"
[ $fail -eq 0 ] || show_logs
exit $fail
