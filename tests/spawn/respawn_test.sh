# respawn_test.sh: kill -9 of a worker under load: a new worker appears, the pool keeps serving.
source "$(dirname "$0")/lib.sh"
start_spawn -p 0 -F 2 -- "$FIXTURE"
wait_for 5 has_ready 2 || fail "workers not ready"
remember_workers
before=$(worker_pids)
"$FCGI_LOAD" --connect 127.0.0.1:$PORT --concurrency 4 --duration 3 >"$T"/load.out 2>"$T"/load.err &
LOAD=$!
sleep 0.7
victim=${before%% *}
kill -9 "$victim"
wait_for 5 grep -q "worker $victim killed by signal 9" "$T"/spawn.log || fail "kill not logged"
wait_for 5 has_ready 2 || fail "no replacement worker"
after=$(worker_pids); remember_workers
[[ " $after " != *" $victim "* ]] || fail "victim still listed"
wait "$LOAD" || true
cat "$T"/load.out
failed=$(grep -o 'failed=[0-9]*' "$T"/load.out | cut -d= -f2)
ok=$(grep -o 'ok=[0-9]*' "$T"/load.out | cut -d= -f2)
# A request in flight on the killed worker may fail (at most one per killed worker).
[ "$failed" -le 1 ] || fail "too many failed requests: $failed"
[ "$ok" -gt 0 ] || fail "nothing served"
get /pid | grep -q pid= || fail "pool does not serve after the kill"
pass "respawn: $before -> $after, load $(cat "$T"/load.out)"
