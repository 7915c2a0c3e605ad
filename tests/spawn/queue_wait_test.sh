# queue_wait_test.sh: --max-queue-wait through nginx (which sends FH_REQUEST_START=$msec): with
# every thread of the pool busy on slow requests, the requests queued behind them past the limit
# get 503 + Retry-After instead of running, the master's status still answers, and afterwards a
# normal request gets 200. Uses slow.fcgi (the real framework's loop). Exit 77 without nginx.
source "$(dirname "$0")/lib.sh"
need_nginx
: "${SLOW_APP:?}"
NGX=$SOURCE_DIR/nginx/nginx.sh
start_spawn -s "$T"/slow.sock -F 1 --max-queue-wait 300 --name slow -- "$SLOW_APP" --threads 2
wait_for 5 has_ready 1 || fail "worker not ready"
remember_workers
grep -q 'max-queue-wait=300ms' "$T"/spawn.log || fail "start line lacks max-queue-wait"
ON_CLEANUP+=("\"$NGX\" stop \"$T\"/ngx")
start_nginx HTTP "$NGX" "$T"/ngx --app "slow=unix:$T/slow.sock" --status "slow=$CTL" \
  --cgi "unix:$T/none.sock" || fail "nginx start"
U=http://127.0.0.1:$HTTP
curl -sf --max-time 5 "$U/slow/pid" | grep -q '^pid=' || fail "GET /slow/pid through nginx"
# Both threads busy for 6 s (the queued requests below must be sent, on a loaded machine, well
# before a thread frees up: they went out 0.3-0.8 s after these at load 13, and 2.5 s left only
# about 1.5 s of margin)...
BPIDS=()
for i in 1 2; do
  curl -s -o /dev/null -w '%{http_code}\n' --max-time 20 "$U/slow/sleep?ms=6000&n=$i" >"$T"/busy.$i &
  BPIDS+=($!)
done
busy() { status | python3 -c 'import json,sys; p=json.load(sys.stdin)["pools"][0]; sys.exit(0 if p["busy_threads"]==2 else 1)'; }
wait_for 5 busy || fail "threads never both busy"
QPIDS=()
# ...so these wait in the listen queue far past 300 ms, then must be refused, not run.
for i in 1 2 3 4; do
  curl -s -D "$T"/q.$i.h -o "$T"/q.$i.b --max-time 20 "$U/slow/sleep?ms=1000&q=$i" &
  QPIDS+=($!)
done
start=$(date +%s%N)
curl -sf --max-time 3 "$U/status/slow" >"$T"/st.json || fail "status did not answer within 3 s while busy (generous: shared CI cores)"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
wait "${QPIDS[@]}" "${BPIDS[@]}" || true
for i in 1 2; do [ "$(cat "$T"/busy.$i)" = 200 ] || fail "slow request $i: $(cat "$T"/busy.$i)"; done
for i in 1 2 3 4; do
  head -1 "$T"/q.$i.h | grep -q ' 503' || fail "queued request $i: $(head -1 "$T"/q.$i.h)"
  grep -qi '^Retry-After: 1' "$T"/q.$i.h || fail "queued request $i: no Retry-After"
  if grep -q slept "$T"/q.$i.b; then fail "queued request $i ran its handler"; fi
done
grep -q 'overload: request queued [0-9]* ms (over --max-queue-wait)' "$T"/spawn.log || fail "overload not logged"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$U/slow/pid")
[ "$code" = 200 ] || fail "after the overload: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$U/slow/sleep?ms=100")
[ "$code" = 200 ] || fail "a short sleep after the overload: $code"
"$NGX" stop "$T"/ngx
pass "max-queue-wait: 4 queued requests got 503 + Retry-After, status answered in ${ms} ms, then 200"
