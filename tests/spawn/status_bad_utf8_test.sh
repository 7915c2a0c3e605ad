# status_bad_utf8_test.sh: a request whose URI is not valid UTF-8 (a raw 0xff, as nginx passes it
# on) is busy while the status is asked for: the status answers (the byte as U+FFFD) and the
# master stays up.
source "$(dirname "$0")/lib.sh"
start_spawn -p 0 -F 1 -- "$FIXTURE"
wait_for 5 has_ready 1 || fail "worker not ready"
remember_workers
( get $'/sleep?ms=3000&x=\xff\xfe' >/dev/null 2>&1 || true ) &
busy() { status | python3 -c 'import json,sys; p=json.load(sys.stdin)["pools"][0]; sys.exit(0 if p["busy_threads"]==1 else 1)'; }
wait_for 3 busy || fail "the worker never showed busy (status failing?)"
out=$(status) || fail "status did not answer"
echo "$out" | python3 -c 'import json,sys; w=json.load(sys.stdin)["pools"][0]["workers"][0]; print(w["current"]["uri"]); assert w["current"]["uri"] == "/sleep?ms=3000&x=\ufffd\ufffd"' || fail "status: $out"
curl -sf --max-time 1 --unix-socket "$CTL" http://spawn/metrics >/dev/null || fail "metrics"
kill -0 "$SPAWN_PID" || fail "the master died"
pass "status with a non-UTF-8 URI in flight"
