# config_test.sh: --check-config on an INI with two pools; bad configs are refused with reasons;
# one master runs both pools; a live unix socket is never stolen; spawn-fcgi flags (-s -M -P); a
# unix socket without -M gets 0600, as --help says.
source "$(dirname "$0")/lib.sh"
cat >"$T"/pools.ini <<INI
control = $T/ctl
[pool.one]
exec = $FIXTURE
socket = $T/one.sock
workers = 2
max-requests = 100
[pool.two]
exec = $FIXTURE
address = 127.0.0.1
port = 0
workers = 1
timeout = 5
INI
"$SPAWN" --config "$T"/pools.ini --check-config | tee "$T"/check.out
grep -q 'configuration OK' "$T"/check.out || fail "check-config"
printf '[pool.bad]\nexec = /nonexistent\nworkers = 0\n' >"$T"/bad.ini
if "$SPAWN" --config "$T"/bad.ini --check-config 2>"$T"/bad.err; then fail "bad config accepted"; fi
grep -q 'not an executable' "$T"/bad.err && grep -q 'no listen address' "$T"/bad.err || fail "reasons missing: $(cat "$T"/bad.err)"
"$SPAWN" -n --config "$T"/pools.ini >"$T"/spawn.log 2>&1 &
SPAWN_PID=$!; PIDS+=("$SPAWN_PID"); CTL=$T/ctl
wait_for 5 has_ready 3 || fail "two pools not up"
remember_workers
"$FCGI_LOAD" --connect "$T"/one.sock --requests 20 >/dev/null || fail "pool one"
[ "$(stat -c %a "$T"/one.sock)" = 600 ] || fail "default socket mode $(stat -c %a "$T"/one.sock), want 600"
help=$("$SPAWN" --help) && grep -q -- '-M \[ --socket-mode \] arg .*(default 0600)' <<<"$help" \
  || fail "--help does not state -M's default"
PORT=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$T"/spawn.log | head -1 | cut -d: -f2)
get /pid | grep -q pid= || fail "pool two"
# A second spawn must refuse to steal the live socket.
if "$SPAWN" -n -s "$T"/one.sock -- "$FIXTURE" 2>"$T"/steal.err; then fail "stole a live socket"; fi
grep -q 'refusing to steal' "$T"/steal.err || fail "steal message: $(cat "$T"/steal.err)"
kill -TERM "$SPAWN_PID"
wait_for 5 bash -c "! kill -0 $SPAWN_PID" || fail "no graceful stop"
[ ! -e "$T"/one.sock ] || fail "socket not removed"
# spawn-fcgi style: -s -M -P -F, daemonized (no -n).
"$SPAWN" -s "$T"/sf.sock -M 0660 -P "$T"/sf.pid -F 1 -- "$FIXTURE" 2>>"$T"/spawn.log
wait_for 3 test -s "$T"/sf.pid || fail "no pid file"
MPID=$(cat "$T"/sf.pid); PIDS+=("$MPID")
[ "$(stat -c %a "$T"/sf.sock)" = 660 ] || fail "socket mode"
wait_for 3 "$FCGI_LOAD" --connect "$T"/sf.sock --requests 2 || fail "daemonized pool"
kill -TERM "$MPID"
wait_for 5 bash -c "! kill -0 $MPID" || fail "daemon did not stop"
[ ! -e "$T"/sf.pid ] || fail "pid file left"
pass "config, two pools, socket safety, spawn-fcgi flags"
