# keepalive_test.sh: nginx keep-alive (upstream keepalive + fastcgi_keep_conn on) against a pool
# of fcgi-host leader/follower workers (slow.fcgi, 1 process x 2 threads): while wrk holds 8x more
# connections than there are threads and one request sleeps, every other request still completes
# (curl, 3 s bound each), wrk sees no error, nginx really keeps connections, and spawn does not
# warn about keep-alive. Correctness only, no speed assertion. Exit 77 without nginx.
source "$(dirname "$0")/lib.sh"
need_nginx
: "${SLOW_APP:?}"
NGX=$SOURCE_DIR/nginx/nginx.sh
start_spawn -s "$T"/slow.sock -F 1 --keepalive --name slow -- "$SLOW_APP" --threads 2
wait_for 5 has_ready 1 || fail "worker not ready"
remember_workers
status | grep -q '"leader_follower": true' || fail "worker does not announce leader/follower"
ON_CLEANUP+=("\"$NGX\" stop \"$T\"/ngx")
start_nginx HTTP "$NGX" "$T"/ngx --keepalive 8 --app "slow=unix:$T/slow.sock" \
  --cgi "unix:$T/none.sock" || fail "nginx start"
grep -q 'fastcgi_keep_conn on;' "$T"/ngx/nginx.conf || fail "no fastcgi_keep_conn on"
U=http://127.0.0.1:$HTTP
curl -sf --max-time 5 "$U/slow/pid" | grep -q '^pid=' || fail "GET /slow/pid through nginx"
wrk -t2 -c16 -d5s "$U/slow/pid" >"$T"/wrk.out 2>&1 &
WRK=$!
PIDS+=("$WRK")
sleep 0.5
curl -s -o /dev/null -w '%{http_code}\n' --max-time 10 "$U/slow/sleep?ms=1500" >"$T"/sleep.code &
SLEEPER=$!
ok=0
for i in $(seq 20); do
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$U/slow/pid?i=$i") || true
  [ "$code" = 200 ] || fail "request $i during the wrk load: '$code' (stalled or failed)"
  ok=$((ok + 1))
  sleep 0.1
done
wait "$SLEEPER" || true
[ "$(cat "$T"/sleep.code)" = 200 ] || fail "the slow request: $(cat "$T"/sleep.code)"
wait "$WRK" || true
cat "$T"/wrk.out
sent=$(awk '/requests in/ {print $1}' "$T"/wrk.out)
[ -n "$sent" ] && [ "$sent" -gt 0 ] || fail "wrk sent nothing"
if grep -qE 'Non-2xx|Socket errors' "$T"/wrk.out; then fail "wrk saw errors"; fi
# Kept connections stay open after the load (without keep-alive nginx closes each one).
kept=$(ss -xn state connected 2>/dev/null | grep -c "$T/slow.sock" || true)
[ "$kept" -ge 1 ] || fail "no kept-alive connection to the pool after the load"
if grep -q 'keepalive is on, but' "$T"/spawn.log; then fail "spawn warned about a leader/follower pool"; fi
"$NGX" stop "$T"/ngx
pass "keep-alive on, 16 wrk connections on 2 threads + a slow request: $ok/20 curl ok, wrk sent=$sent errors=0, $kept kept connections"
