# nginx_demo_test.sh: nginx/demo.sh end to end: the served cgi-bin holds only CGI programs and
# their .ini, hello answers the same through its FastCGI location and /cgi-bin/hello.cgi/, each
# CGI program reads its own config (trafficwatch the same both ways), the status pages answer, and on TERM demo.sh stops every process it started. On a port another process holds, the demo exits 98.
# Exit 77 without nginx or when hello/cgi-gateway are not built.
source "$(dirname "$0")/lib.sh"
need_nginx
for f in "$BUILD_DIR"/apps/hello/hello.fcgi "$BUILD_DIR"/cgi-bin/hello.cgi "$BUILD_DIR"/spawn/cgi-gateway; do
  [ -x "$f" ] || { echo "SKIP: $f not built"; exit 77; }
done
# A port another process holds: the demo says so and exits 98, having stopped what it started.
python3 -c 'import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
print(s.getsockname()[1], flush=True); time.sleep(600)' >"$T"/held.port &
HOLDER=$!
PIDS+=($HOLDER)
wait_for 10 test -s "$T"/held.port || fail "no port held"
held=$(cat "$T"/held.port) rc=0
FH_DEMO_RUN_DIR=$T/busy timeout 120 "$SOURCE_DIR"/nginx/demo.sh "$BUILD_DIR" --port "$held" >"$T"/busy.out 2>&1 || rc=$?
[ "$rc" -eq 98 ] && grep -q "port $held is in use" "$T"/busy.out \
  || { cat "$T"/busy.out; fail "demo on a taken port: status $rc, want 98 and the reason"; }
busy_gone() { ! pgrep -f -- "$T/busy/" >/dev/null; }
wait_for 10 busy_gone || { pgrep -af -- "$T/busy/" || true; fail "the failed demo left processes"; }
kill -KILL "$HOLDER"
wait "$HOLDER" 2>/dev/null || true
forget_pid "$HOLDER"

# On failure: TERM demo.sh (it stops what it started), then anything left in its session, by pid.
DEMO=""
session_pids() { ps -eo pid=,sid=,stat= | awk -v s="$DEMO" '$2==s && $3 !~ /^Z/ {print $1}'; }
ON_CLEANUP+=('kill -TERM $DEMO; wait_for 8 bash -c "! kill -0 $DEMO"; for p in $(session_pids); do kill -KILL $p; done')
# On a free port (a new one if another process takes it before the demo's nginx binds it).
start_demo HTTP "$T"/demo.out "$T"/demo "$SOURCE_DIR"/nginx/demo.sh "$BUILD_DIR" || fail "demo did not start"
cat "$T"/demo.out
bash "$SOURCE_DIR"/tests/support/cgi_bin_only_programs.sh "$BUILD_DIR"/cgi-bin || fail "the served cgi-bin holds more than CGI programs"
# The gateway serves the build outputs themselves (a rebuilt .cgi runs at the next request).
grep -q "cgi-dir=$BUILD_DIR/cgi-bin" "$T"/demo/logs/spawn-cgi.log || fail "the demo does not serve BUILD/cgi-bin"
U=http://127.0.0.1:$HTTP
fc=$(curl -sf --max-time 5 "$U/hello/hello/world") || fail "FastCGI hello"
cg=$(curl -sf --max-time 5 "$U/cgi-bin/hello.cgi/hello/world") || fail "CGI hello"
[ "$fc" = "$cg" ] || fail "FastCGI and CGI differ: '$fc' vs '$cg'"
fe=$(curl -sf --max-time 5 "$U/hello/echo?a=1&b=2" | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["path"], j["args"])')
ce=$(curl -sf --max-time 5 "$U/cgi-bin/hello.cgi/echo?a=1&b=2" | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["path"], j["args"])')
[ "$fe" = "$ce" ] || fail "echo differs: '$fe' vs '$ce'"
# Each CGI program reads its own conf/NAME.ini (the gateway's APP_CONFIG_DIR): trafficwatch.cgi
# answers from the same database as its FastCGI location (where the ingest counted hello's two
# FastCGI requests above), not from another app's config and database.
if [ -x "$BUILD_DIR"/cgi-bin/trafficwatch.cgi ]; then
  hello_requests() { curl -sf --max-time 10 "$U/$1/api/totals?site=hello" | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])'; }
  counted() { [ "$(hello_requests trafficwatch)" = 2 ]; }
  wait_for 20 counted || fail "the ingest did not count hello's 2 requests: $(hello_requests trafficwatch)"
  tc=$(hello_requests cgi-bin/trafficwatch.cgi) || fail "CGI trafficwatch"
  [ "$tc" = 2 ] || fail "trafficwatch.cgi does not read its own config: hello requests '$tc', expected 2"
fi
# Whole bodies first: `curl | grep -q` fails under pipefail when grep quits before curl's last write.
body=$(curl -sf --max-time 10 "$U/status/apps") && grep -q '"name": "hello"' <<<"$body" || fail "apps status"
body=$(curl -sf --max-time 10 "$U/status/cgi") && grep -q '"name": "cgi"' <<<"$body" || fail "cgi status"
body=$(curl -sf --max-time 10 "$U/") && grep -q '/cgi-bin/hello.cgi/' <<<"$body" || fail "index page"
# Everything demo.sh started lives in its session (setsid): after TERM none may remain.
kill -TERM "$DEMO"
gone() { [ -z "$(session_pids)" ]; }
wait_for 10 gone || { ps -eo pid,sid,stat,args | awk -v s="$DEMO" '$2==s'; fail "processes left after demo stop"; }
pass "demo: hello same both ways ('$fc'), status pages, clean stop"
