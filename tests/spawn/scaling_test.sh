# scaling_test.sh: --max-rss recycles a worker that grew; SIGTTIN/SIGTTOU add/remove a worker;
# dynamic mode (--min-workers/--max-workers) scales up while every worker is busy.
source "$(dirname "$0")/lib.sh"
start_spawn -p 0 -F 2 --max-rss 40 -- "$FIXTURE"
wait_for 5 has_ready 2 || fail "workers not ready"
remember_workers
get '/grow?mb=64' | grep -q grew || fail "grow"
wait_for 5 grep -q 'recycling worker [0-9]* (max-rss' "$T"/spawn.log || fail "no max-rss recycle"
wait_for 5 grep -q 'exited with status 0 (max-rss' "$T"/spawn.log || fail "max-rss worker not retired"
kill -TTIN "$SPAWN_PID"
wait_for 5 has_ready 3 || fail "TTIN did not add a worker"
remember_workers
kill -TTOU "$SPAWN_PID"
wait_for 5 bash -c "grep -c 'exited with status 0 (scale-down)' $T/spawn.log | grep -qx 1" || fail "TTOU did not retire one"
[ "$(ready_count)" -eq 2 ] || fail "not 2 workers after TTOU"
kill -TERM "$SPAWN_PID"; wait_for 5 bash -c "! kill -0 $SPAWN_PID" || fail "stop"
start_spawn -p 0 --min-workers 1 --max-workers 3 -- "$FIXTURE"
wait_for 5 has_ready 1 || fail "dynamic: not ready"
for i in 1 2 3; do ( get "/sleep?ms=4000&n=$i" >/dev/null 2>&1 || true ) & done
wait_for 6 grep -q 'scaling up to 3' "$T"/spawn.log || fail "dynamic mode did not scale up to 3"
remember_workers
pass "max-rss, TTIN/TTOU, dynamic scale-up"
