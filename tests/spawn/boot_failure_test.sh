# boot_failure_test.sh: an app that fails at start-up (exit 3, or crashing at once) makes the
# pool halt with a clear log line instead of a fork loop, and the master exits non-zero.
source "$(dirname "$0")/lib.sh"
FIXTURE_BOOT_EXIT=3 start_spawn -p 0 -F 2 -- "$FIXTURE"
wait_for 5 bash -c "! kill -0 $SPAWN_PID" || fail "master did not exit"
rc=0; wait "$SPAWN_PID" || rc=$?
[ "$rc" -ne 0 ] || fail "exit status 0"
grep -q 'HALTED: the app fails at start-up' "$T"/spawn.log || fail "no halt line"
n=$(grep -c 'spawned worker' "$T"/spawn.log)
[ "$n" -le 4 ] || fail "fork loop: $n spawns"
# A crash at start-up without a special code: back-off, then halt after --max-boot-failures.
FIXTURE_BOOT_EXIT=1 start_spawn -p 0 -F 1 --max-boot-failures 3 -- "$FIXTURE"
wait_for 10 bash -c "! kill -0 $SPAWN_PID" || fail "master did not halt on repeated crashes"
grep -q 'next spawn in' "$T"/spawn.log || fail "no back-off"
grep -q 'HALTED' "$T"/spawn.log || fail "no halt after repeated crashes"
grep 'HALTED' "$T"/spawn.log
pass "boot failures halt ($rc)"
