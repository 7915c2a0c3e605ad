# max_requests_test.sh: --max-requests recycles workers (pids change) without a failed request.
source "$(dirname "$0")/lib.sh"
start_spawn -p 0 -F 2 --max-requests 20 --max-requests-jitter 5 -- "$FIXTURE"
wait_for 5 has_ready 2 || fail "workers not ready"
"$FCGI_LOAD" --connect 127.0.0.1:$PORT --concurrency 4 --duration 3 >"$T"/load.out 2>"$T"/load.err || fail "failed requests: $(cat "$T"/load.out; head "$T"/load.err)"
cat "$T"/load.out
pids=$(grep -o 'pids=[0-9]*' "$T"/load.out | cut -d= -f2)
[ "$pids" -gt 2 ] || fail "pids did not change ($pids distinct)"
grep -q 'recycling worker .* (max-requests)' "$T"/spawn.log || fail "no recycle logged"
remember_workers
pass "max-requests: $(cat "$T"/load.out)"
