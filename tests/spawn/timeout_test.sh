# timeout_test.sh: a request sleeping past --timeout has its worker killed and logged (pool, pid,
# method, URI escaped as the client's text, duration) while the other workers keep serving.
source "$(dirname "$0")/lib.sh"
start_spawn -p 0 -F 2 --timeout 1 -- "$FIXTURE"
wait_for 5 has_ready 2 || fail "workers not ready"
remember_workers
# The URI carries ESC, CR and a non-ASCII byte: the log line shows them as \xNN.
( get $'/sleep?ms=8000&x=\e[2J\r\xff' >"$T"/slow.out 2>&1 || true ) &
SLOW=$!
PIDS+=("$SLOW")
sleep 0.3
"$FCGI_LOAD" --connect 127.0.0.1:$PORT --concurrency 2 --requests 50 >"$T"/load.out || fail "other requests failed while one hung: $(cat "$T"/load.out)"
wait_for 5 grep -qF 'killed for timeout: GET /sleep?ms=8000&x=\x1b[2J\x0d\xff ran' "$T"/spawn.log || fail "timeout kill not logged (or URI not escaped)"
if LC_ALL=C grep -q $'[\e\r\xff]' "$T"/spawn.log; then fail "raw client bytes in the log"; fi
grep 'killed for timeout' "$T"/spawn.log
grep -q 'pool spawn_fixture_worker: worker [0-9]* killed for timeout' "$T"/spawn.log || fail "log line lacks pool/pid"
wait_for 5 has_ready 2 || fail "no replacement after timeout kill"
remember_workers
wait "$SLOW" || true
if grep -q 'pid=' "$T"/slow.out; then fail "the hung request got an answer"; fi
get /pid | grep -q pid= || fail "pool not serving after timeout"
pass "timeout kill logged; others served: $(cat "$T"/load.out)"
