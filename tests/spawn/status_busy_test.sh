# status_busy_test.sh: with every worker busy, the master's status still answers at once and
# shows the busy workers with their URIs; Prometheus text too; then the busy share drops.
source "$(dirname "$0")/lib.sh"
start_spawn -p 0 -F 2 -- "$FIXTURE"
wait_for 5 has_ready 2 || fail "workers not ready"
remember_workers
for i in 1 2 3; do ( get "/sleep?ms=3000&n=$i" >/dev/null 2>&1 || true ) & done
busy() { status | python3 -c 'import json,sys; p=json.load(sys.stdin)["pools"][0]; sys.exit(0 if p["busy_threads"]==2 else 1)'; }
wait_for 3 busy || fail "workers never busy"
start=$(date +%s%N)
out=$(curl -sf --max-time 1 --unix-socket "$CTL" http://spawn/status) || fail "status did not answer within 1 s"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "$out" | grep -q '"uri": "/sleep?ms=3000' || fail "status lacks current URIs: $out"
echo "$out" | grep -q '"busy_share": 1.0' || fail "busy share not 1.0"
curl -sf --max-time 1 --unix-socket "$CTL" http://spawn/metrics | grep -q 'fh_spawn_threads{pool="spawn_fixture_worker",state="busy"} 2' || fail "prometheus busy"
q=$(curl -sf --max-time 1 --unix-socket "$CTL" http://spawn/metrics | grep '^fh_spawn_listen_queue{' | awk '{print $2}')
echo "status answered in ${ms} ms with all workers busy; listen queue depth $q"
[ "$q" -ge 1 ] || fail "the third request should wait in the listen queue (got $q)"
pass "status while busy (${ms} ms), queue depth $q"
