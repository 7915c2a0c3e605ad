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
# The master scales from the scoreboard (busy threads / published threads, sampled once a second),
# so first wait for the worker to really publish: `ready` alone can be the --ready-after fallback
# of a worker still starting on a loaded machine. Then check the requests reached it before
# waiting (generously: each step needs a new worker started and one sample) for the scale-up.
published() { status | python3 -c 'import json,sys; w=json.load(sys.stdin)["pools"][0]["workers"]; sys.exit(0 if w and all(x["publishes"] for x in w) else 1)'; }
busy_threads() { status | python3 -c 'import json,sys; print(json.load(sys.stdin)["pools"][0]["busy_threads"])'; }
wait_for 10 published || fail "dynamic: the worker never published on the scoreboard"
for i in 1 2 3; do ( get "/sleep?ms=12000&n=$i" >/dev/null 2>&1 || true ) & done
reached() { [ "$(busy_threads)" -ge 1 ]; }
wait_for 10 reached ||
  fail "dynamic: the requests never reached the worker (busy threads: $(busy_threads))"
wait_for 20 grep -q 'scaling up to 3' "$T"/spawn.log || fail "dynamic mode did not scale up to 3 (busy threads: $(busy_threads))"
remember_workers
pass "max-rss, TTIN/TTOU, dynamic scale-up"
