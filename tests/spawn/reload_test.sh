# reload_test.sh: SIGHUP under steady load, then the app binary replaced on disk
# (--reload-on-change): each time a new generation replaces the old, zero failed requests.
# The app is a worker on the real framework loop (slow.fcgi): a plain libfcgi worker can drop a
# connection it accepted just as TERM arrives (libfcgi's accept/shutdown race, docs/conventions.md),
# which ours does not.
source "$(dirname "$0")/lib.sh"
: "${SLOW_APP:?}"
cp "$SLOW_APP" "$T"/app
start_spawn -p 0 -F 3 --reload-on-change -- "$T"/app
wait_for 5 has_ready 3 || fail "workers not ready"
first=$(worker_pids)
"$FCGI_LOAD" --connect 127.0.0.1:$PORT --concurrency 4 --duration 6 >"$T"/load.out 2>"$T"/load.err &
LOAD=$!
sleep 1
kill -HUP "$SPAWN_PID"
wait_for 8 grep -q 'generation 2' "$T"/spawn.log || fail "no generation 2"
# Old workers retire once the new generation is ready, and show as ready (recycling) until then:
# wait for the rollout itself (a fixed sleep fell short on a loaded machine).
settled() { # N: N graceful reload exits, and 3 ready workers none of which is to be replaced
  [ "$(grep -c 'exited with status 0 (reload)' "$T"/spawn.log)" -ge "$1" ] &&
    status | python3 -c 'import json,sys; w=[w for p in json.load(sys.stdin)["pools"] for w in p["workers"]]; sys.exit(not (len(w) == 3 and all(x["state"] == "ready" and "recycling" not in x for x in w)))'
}
wait_for 30 settled 3 || fail "generation 2 did not replace generation 1: $(status)"
cp "$SLOW_APP" "$T"/app.new && mv "$T"/app.new "$T"/app
wait_for 8 grep -q 'reloading (app binary changed on disk)' "$T"/spawn.log || fail "binary change not noticed"
wait "$LOAD" || fail "failed requests during reload: $(cat "$T"/load.out; head -5 "$T"/load.err)"
wait_for 30 settled 6 || fail "generation 3 did not replace generation 2: $(status)"
last=$(worker_pids); remember_workers
for p in $first; do [[ " $last " != *" $p "* ]] || fail "old worker $p still running"; done
[ "$(grep -c 'exited with status 0 (reload)' "$T"/spawn.log)" -eq 6 ] || fail "expected 6 graceful reload exits: $(grep reload "$T"/spawn.log)"
echo "reload under load: $(cat "$T"/load.out)"
pass "SIGHUP + binary change: generations $first -> $last, $(cat "$T"/load.out)"
