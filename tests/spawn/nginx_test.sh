# nginx_test.sh: spawn behind a user-space nginx (nginx/nginx.sh), with curl and wrk: the pool's
# location answers, the status path answers from 127.0.0.1, a request past --timeout becomes a
# 502 (never a hang), and SIGHUP under a steady wrk load fails no request. Exit 77 without nginx.
source "$(dirname "$0")/lib.sh"
need_nginx
NGX=$SOURCE_DIR/nginx/nginx.sh
start_spawn -s "$T"/fix.sock -F 3 --timeout 1 --name fix -- "$FIXTURE"
wait_for 5 has_ready 3 || fail "workers not ready"
remember_workers
ON_CLEANUP+=("\"$NGX\" stop \"$T\"/ngx")
start_nginx HTTP "$NGX" "$T"/ngx --read-timeout 10s --app "fix=unix:$T/fix.sock" \
  --status "fix=$CTL" --cgi "unix:$T/none.sock" || fail "nginx start"
U=http://127.0.0.1:$HTTP
curl -sf --max-time 5 "$U/fix/pid" | grep -q '^pid=' || fail "GET /fix/pid through nginx"
curl -sf --max-time 2 "$U/status/fix" | grep -q '"name": "fix"' || fail "status path"
curl -sf --max-time 2 "$U/status/fix/metrics" | grep -q '^fh_spawn_workers{pool="fix"} 3' || fail "metrics path"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 8 "$U/fix/sleep?ms=6000")
[ "$code" = 502 ] || fail "timeout through nginx gave $code, want 502"
grep -q 'killed for timeout: GET /fix/sleep?ms=6000' "$T"/spawn.log || fail "timeout not logged with URI"
wait_for 5 has_ready 3 || fail "no replacement after timeout"
remember_workers
# SIGHUP during a steady wrk load: zero failed requests.
wrk -t2 -c8 -d5s "$U/fix/pid" >"$T"/wrk.out 2>&1 &
WRK=$!
PIDS+=("$WRK")
sleep 1.5
kill -HUP "$SPAWN_PID"
sleep 1.5
kill -HUP "$SPAWN_PID"
wait "$WRK" || true
cat "$T"/wrk.out
sent=$(awk '/requests in/ {print $1}' "$T"/wrk.out)
[ -n "$sent" ] && [ "$sent" -gt 0 ] || fail "wrk sent nothing"
if grep -qE 'Non-2xx|Socket errors' "$T"/wrk.out; then fail "failed requests during HUP"; fi
[ "$(grep -c 'exited with status 0 (reload)' "$T"/spawn.log)" -ge 3 ] || fail "no graceful reload exits"
grep -c ' 502 \| 504 ' "$T"/ngx/logs/access.log | grep -qx 1 || fail "unexpected 5xx in access log"
remember_workers
"$NGX" stop "$T"/ngx
echo "nginx + HUP x2 under wrk: requests sent=$sent failed=0"
pass "nginx: location, status path, timeout 502, HUP under wrk (sent=$sent failed=0)"
