# master_kill_test.sh: kill -9 of the master leaves no worker behind (PR_SET_PDEATHSIG),
# even a worker busy in a request.
source "$(dirname "$0")/lib.sh"
start_spawn -p 0 -F 3 -- "$FIXTURE"
wait_for 5 has_ready 3 || fail "workers not ready"
pids=$(worker_pids); remember_workers
( get '/sleep?ms=5000' >/dev/null 2>&1 || true ) &
sleep 0.3
kill -9 "$SPAWN_PID"
# Alive = exists and is not a zombie (an orphan's zombie waits for init to reap it).
alive() {
  local p st
  for p in $pids; do
    st=$(awk '{print $3}' /proc/"$p"/stat 2>/dev/null) || continue
    [ "$st" = Z ] || return 0
  done
  return 1
}
# A generous bound: SIGKILL is immediate, but a dying process still waits for a CPU to exit on.
end=$((SECONDS + 10))
while alive && [ $SECONDS -lt $end ]; do sleep 0.05; done
! alive || fail "workers left after master kill -9: $pids"
pass "no worker left after kill -9 of the master ($pids)"
