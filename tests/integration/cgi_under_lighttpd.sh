#!/usr/bin/env bash
# hello.cgi under a real third-party CGI server: lighttpd's mod_cgi, as a plain user process on a
# loopback port picked at run time. Checks routing through PATH_INFO, query args, a POST body,
# the Status header (404) and that lighttpd relays our headers. Exits 77 (skip) without lighttpd.
set -euo pipefail
cgi=$1
lighttpd=$(command -v lighttpd || echo /usr/sbin/lighttpd)
[ -x "$lighttpd" ] || { echo "lighttpd not installed"; exit 77; }
work=$(mktemp -d)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/root/cgi-bin"
cp "$cgi" "$work/root/cgi-bin/hello.cgi"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/lighttpd.conf" <<CONF
server.document-root = "$work/root"
server.bind = "127.0.0.1"
server.port = $port
server.errorlog = "$work/error.log"
server.modules = ("mod_cgi")
cgi.assign = (".cgi" => "")
CONF
"$lighttpd" -D -f "$work/lighttpd.conf" &
pid=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
base="http://127.0.0.1:$port/cgi-bin/hello.cgi"
fail=0
check() { # name expected actual
  if [ "$2" == "$3" ]; then echo "ok   $1"; else echo "FAIL $1: expected [$2] got [$3]"; fail=1; fi
}
check index "Hello, world" "$(curl -s "$base/")"
check greet "Hello, lighttpd!" "$(curl -s "$base/hello/lighttpd")"
check status_404 404 "$(curl -s -o /dev/null -w '%{http_code}' "$base/missing")"
check status_405 405 "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$base/")"
check content_type "text/plain; charset=utf-8" \
  "$(curl -s -o /dev/null -w '%{content_type}' "$base/")"
echo_out=$(curl -s -d 'a=1&b=two' -b 'c=3' "$base/echo?q=x")
check echo_form '["two"]' "$(python3 -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1])["form"]["b"]))' "$echo_out")"
check echo_args '["x"]' "$(python3 -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1])["args"]["q"]))' "$echo_out")"
check echo_cookie '["3"]' "$(python3 -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1])["cookies"]["c"]))' "$echo_out")"
# (lighttpd re-encodes a stray '%' in the query itself, so the bad input here is a JSON body.)
check bad_json 400 "$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -d '{"a":' "$base/echo")"
check after_bad_input "Hello, world" "$(curl -s "$base/")"
[ $fail -eq 0 ] || { echo "--- lighttpd error log:"; cat "$work/error.log" 2>/dev/null; }
exit $fail
