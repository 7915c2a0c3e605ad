# keepalive_check_test.sh: a pool declared `keepalive = on` whose workers are plain libfcgi (the
# fixture: no leader/follower flag on the scoreboard) gets one clear warning naming the pool and
# the risk; a pool of fcgi-host workers (slow.fcgi) does not. Also the config side of keepalive
# and max-queue-wait: --check-config shows them, bad values are refused.
source "$(dirname "$0")/lib.sh"
: "${SLOW_APP:?}"
cat >"$T"/pools.ini <<INI
control = $T/ctl
[pool.plain]
exec = $FIXTURE
socket = $T/plain.sock
keepalive = on
[pool.lf]
exec = $SLOW_APP
arg = --threads
arg = 2
socket = $T/lf.sock
keepalive = on
max-queue-wait = 500
[pool.quiet]
exec = $FIXTURE
socket = $T/quiet.sock
keepalive = off
INI
"$SPAWN" --config "$T"/pools.ini --check-config >"$T"/check.out || fail "check-config: $(cat "$T"/check.out)"
grep -q '^pool plain: .* keepalive=on' "$T"/check.out || fail "check-config lacks keepalive: $(cat "$T"/check.out)"
grep -q '^pool lf: .* max-queue-wait=500ms keepalive=on' "$T"/check.out || fail "check-config lacks max-queue-wait"
if grep -q '^pool quiet: .*keepalive' "$T"/check.out; then fail "keepalive = off shown as on"; fi
bad() { # bad NAME KEY=VALUE... : a pool with these keys must be refused with `want` in the message
  local name=$1 want=$2; shift 2
  { echo "[pool.$name]"; echo "exec = $FIXTURE"; echo "socket = $T/$name.sock"; printf '%s\n' "$@"; } >"$T"/bad.ini
  if "$SPAWN" --config "$T"/bad.ini --check-config >/dev/null 2>"$T"/bad.err; then fail "$name accepted"; fi
  grep -q -- "$want" "$T"/bad.err || fail "$name: no '$want' in: $(cat "$T"/bad.err)"
}
bad b1 'keepalive must be on or off' 'keepalive = maybe'
bad b2 'negative limit' 'max-queue-wait = -5'
if "$SPAWN" --check-config --max-queue-wait 100 --cgi-dir "$T" -s "$T"/cgi.sock 2>"$T"/bad.err; then
  fail "max-queue-wait accepted for the CGI gateway"
fi
grep -q 'not the CGI gateway' "$T"/bad.err || fail "cgi + max-queue-wait: $(cat "$T"/bad.err)"
"$SPAWN" -n --config "$T"/pools.ini >"$T"/spawn.log 2>&1 &
SPAWN_PID=$!; PIDS+=("$SPAWN_PID"); CTL=$T/ctl
wait_for 5 has_ready 3 || fail "pools not up"
remember_workers
wait_for 3 grep -q 'pool plain: keepalive is on, but worker [0-9]* is not a leader/follower' "$T"/spawn.log ||
  fail "no keep-alive warning for the plain libfcgi pool"
grep 'keepalive is on, but' "$T"/spawn.log | grep -q 'stall other requests' || fail "warning does not name the risk"
[ "$(grep -c 'keepalive is on, but' "$T"/spawn.log)" -eq 1 ] || fail "warned for another pool (or twice)"
lf=$(status | python3 -c 'import json,sys; print([w["leader_follower"] for p in json.load(sys.stdin)["pools"] if p["name"]=="lf" for w in p["workers"]])')
[ "$lf" = "[True]" ] || fail "lf pool's worker not shown as leader/follower: $lf"
grep 'keepalive is on, but' "$T"/spawn.log
pass "keep-alive check: warning for the plain libfcgi pool only; config keys validated"
