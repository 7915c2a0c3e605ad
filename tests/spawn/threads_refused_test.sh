# threads_refused_test.sh: --threads above what the scoreboard shows (fh::sys::worker::kMaxThreads,
# 32) is refused at start, with a clear error and the boot-error exit code (3), by the library's
# worker, by cgi-gateway and by spawn's own config check; under spawn the refusal halts the pool at
# once (no respawn loop), and spawn logs the worker's refusal at error level (its own level).
source "$(dirname "$0")/lib.sh"
GW=$(dirname "$SPAWN")/cgi-gateway
[ -x "$GW" ] || { echo "SKIP: cgi-gateway not built beside spawn"; exit 77; }
mkdir -p "$T"/cgi

rc=0; "$SLOW_APP" --threads 33 --bind 127.0.0.1:0 >"$T"/worker.out 2>&1 || rc=$?
[ "$rc" -eq 3 ] || fail "worker --threads 33: exit $rc, want 3 (boot error): $(cat "$T"/worker.out)"
grep -q -- 'error slow.fcgi\[[0-9]*\] cannot start: --threads 33 refused: 1..32' "$T"/worker.out \
  || fail "worker: no clear error line: $(cat "$T"/worker.out)"
rc=0; "$SLOW_APP" --threads 32 --bind 127.0.0.1:0 >"$T"/worker32.out 2>&1 &
pid=$!; PIDS+=("$pid")
wait_for 10 grep -q 'listening on' "$T"/worker32.out || fail "worker --threads 32 did not start: $(cat "$T"/worker32.out)"
kill -TERM "$pid"

rc=0; "$GW" --cgi-dir "$T"/cgi --bind 127.0.0.1:0 --threads 33 >"$T"/gw.out 2>&1 || rc=$?
[ "$rc" -eq 3 ] || fail "cgi-gateway --threads 33: exit $rc, want 3: $(cat "$T"/gw.out)"
grep -q -- '--threads 33 refused: 1..32' "$T"/gw.out || fail "gateway: no clear error: $(cat "$T"/gw.out)"

rc=0; "$SPAWN" --check-config --cgi-dir "$T"/cgi -p 0 --threads 33 >"$T"/check.out 2>&1 || rc=$?
[ "$rc" -ne 0 ] || fail "spawn --check-config accepted --threads 33"
grep -q 'threads 33 refused: at most 32' "$T"/check.out || fail "spawn: no clear error: $(cat "$T"/check.out)"

# Under spawn: the pool halts at the first refusal (exit 3 is "cannot boot"), with the reason.
start_spawn -p 0 -F 2 -- "$SLOW_APP" --threads 33
wait_for 10 bash -c "! kill -0 $SPAWN_PID" || fail "master did not halt"
grep -q 'HALTED' "$T"/spawn.log || fail "no HALTED line"
n=$(grep -c 'spawned worker' "$T"/spawn.log)
[ "$n" -le 2 ] || fail "respawn loop: $n spawns"
grep -q ' error slow\[[0-9]*\] cannot start: --threads 33 refused' "$T"/spawn.log \
  || fail "the worker's refusal is not logged at error level by spawn"
pass "--threads 33 refused by the worker (exit 3), the gateway (exit 3) and spawn; pool halted"
