# ctl_test.sh: per-pool control through the control socket with `spawn ctl`: scale one pool of
# two (+N, -N, N), reload one pool (the other pool's worker pids unchanged), status of one pool,
# errors (unknown pool, bad argument, commands over a TCP control socket); TTIN still acts on
# every pool.
source "$(dirname "$0")/lib.sh"
cat >"$T"/pools.ini <<INI
[pool.a]
exec = $FIXTURE
port = 0
[pool.b]
exec = $FIXTURE
port = 0
INI
start_spawn --config "$T"/pools.ini
ctl() { "$SPAWN" ctl --control "$CTL" "$@"; }
# pool_pids NAME [STATE]: sorted pids of the pool's workers (in that state).
pool_pids() { status | python3 -c 'import json,sys; print(" ".join(sorted(str(w["pid"]) for p in json.load(sys.stdin)["pools"] if p["name"]=="'"$1"'" for w in p["workers"] if "'"${2:-}"'" in ("", w["state"]) and "recycling" not in w)))'; }
count() { set -- $(pool_pids "$1" ready); echo $#; }
has() { [ "$(count "$1")" -eq "$2" ] && [ "$(pool_pids "$1" | wc -w)" -eq "$2" ]; }
wait_for 5 has a 1 && wait_for 5 has b 1 || fail "pools not up"
b_before=$(pool_pids b); remember_workers

ctl scale a +2 | tee "$T"/out | grep -q 'target workers 3' || fail "scale +2: $(cat "$T"/out)"
wait_for 10 has a 3 || fail "pool a did not grow to 3: $(pool_pids a)"
remember_workers
[ "$(pool_pids b)" = "$b_before" ] || fail "pool b changed on scaling a"
ctl scale a -1 | grep -q 'target workers 2' || fail "scale -1"
wait_for 10 has a 2 || fail "pool a did not shrink to 2"
ctl scale a 1 | grep -q 'target workers 1' || fail "scale to 1"
wait_for 10 has a 1 || fail "pool a did not shrink to 1"
[ "$(pool_pids b)" = "$b_before" ] || fail "pool b changed on scaling a"

# Reload one pool: b gets new workers, a keeps its pid.
a_before=$(pool_pids a)
ctl reload b | grep -q 'pool b: reloading' || fail "reload b"
b_new() { p=$(pool_pids b ready); [ -n "$p" ] && [ "$p" != "$b_before" ] && has b 1; }
wait_for 10 b_new || fail "pool b not reloaded: $(pool_pids b)"
remember_workers
[ "$(pool_pids a)" = "$a_before" ] || fail "pool a's workers changed on reloading b"
ctl status b | python3 -c 'import json,sys; p=json.load(sys.stdin); assert p["name"]=="b" and p["generation"]==2, p' || fail "status b"
ctl status | python3 -c 'import json,sys; assert len(json.load(sys.stdin)["pools"])==2' || fail "status"

# Errors: unknown pool (1), bad arguments (2).
if ctl scale nosuch +1 2>"$T"/err; then fail "unknown pool accepted"; fi
grep -q "no pool named 'nosuch'" "$T"/err || fail "unknown pool message: $(cat "$T"/err)"
set +e; ctl scale a x2 2>/dev/null; rc=$?; set -e
[ $rc -eq 2 ] || fail "bad scale argument: exit $rc"
set +e; "$SPAWN" ctl status 2>/dev/null; rc=$?; set -e
[ $rc -eq 2 ] || fail "no --control: exit $rc"

# TTIN still acts on every pool.
kill -TTIN "$SPAWN_PID"
wait_for 10 has a 2 && wait_for 10 has b 2 || fail "TTIN did not grow both pools"
remember_workers

# A TCP control socket answers the status but refuses commands.
cp=$(free_port)
"$SPAWN" -n --control 127.0.0.1:"$cp" -p 0 -- "$FIXTURE" >"$T"/tcp.log 2>&1 &
PIDS+=($!)
wait_for 5 "$SPAWN" ctl --control 127.0.0.1:"$cp" status || fail "status over TCP"
if "$SPAWN" ctl --control 127.0.0.1:"$cp" reload "$(basename "$FIXTURE")" 2>"$T"/err; then fail "command over TCP accepted"; fi
grep -q 'unix control socket' "$T"/err || fail "TCP refusal message: $(cat "$T"/err)"
pass "spawn ctl: scale a +2/-1/1, reload b (a unchanged), status, errors, TTIN on all"
