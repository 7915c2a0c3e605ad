# daemon_test.sh: a [daemon.NAME] section (a supervised command with no socket) next to a FastCGI
# pool: started with spawn (fd 0 = /dev/null, no scoreboard fd), shown in the status, restarted
# after kill -9, replaced stop-first on SIGHUP, restarted with a growing back-off when it exits at
# once (never halted), and stopped with the master.
source "$(dirname "$0")/lib.sh"
cat >"$T"/ticker.sh <<SH
#!/bin/sh
echo "start \$\$" >>"$T"/events
trap 'echo "stop \$\$" >>"$T"/events; kill \$child; exit 0' TERM
echo "ticker \$\$ up"
sleep 600 &
child=\$!
wait \$child
SH
chmod +x "$T"/ticker.sh
# Started as root, spawn runs the daemon as fcgi-host/nobody: it must be able to write its events.
: >"$T"/events
chmod 0666 "$T"/events
cat >"$T"/pools.ini <<INI
[pool.web]
exec = $FIXTURE
port = 0
[daemon.ticker]
exec = $T/ticker.sh
env = TICK=1
[daemon.quitter]
exec = /bin/sh
arg = -c
arg = echo quitting now; exit 1
INI
"$SPAWN" --config "$T"/pools.ini --check-config >"$T"/check.out || fail "check-config: $(cat "$T"/check.out)"
grep -q 'ticker: app=.*daemon (no socket)' "$T"/check.out || fail "check-config output: $(cat "$T"/check.out)"
# A daemon with a socket is refused with a reason.
printf '[daemon.bad]\nexec = /bin/true\nport = 0\n' >"$T"/bad.ini
if "$SPAWN" --config "$T"/bad.ini --check-config 2>"$T"/bad.err; then fail "daemon with a port accepted"; fi
grep -q 'no listen socket' "$T"/bad.err || fail "reason missing: $(cat "$T"/bad.err)"

start_spawn --config "$T"/pools.ini
daemon_json() { status | python3 -c 'import json,sys; print(json.dumps([p for p in json.load(sys.stdin)["pools"] if p["name"]=="'"$1"'"][0]))'; }
daemon_pid() { daemon_json ticker | python3 -c 'import json,sys; w=json.load(sys.stdin)["workers"]; print(w[0]["pid"] if len(w)==1 else "")'; }
has_pid() { [ -n "$(daemon_pid)" ]; }
wait_for 5 has_pid || fail "ticker not started"
first=$(daemon_pid); echo "$first" >>"$T"/worker-pids
daemon_json ticker | python3 -c 'import json,sys; p=json.load(sys.stdin); assert p["kind"]=="daemon" and p["listen"]=="none", p' \
  || fail "status of the daemon: $(daemon_json ticker)"
[ "$(readlink /proc/"$first"/fd/0)" = /dev/null ] || fail "fd 0 of the daemon is not /dev/null"
tr '\0' '\n' </proc/"$first"/environ | grep -qx TICK=1 || fail "env= not passed"
if tr '\0' '\n' </proc/"$first"/environ | grep -q '^FH_SCOREBOARD'; then fail "daemon got a scoreboard"; fi
[ ! -e /proc/"$first"/fd/3 ] || fail "daemon got an fd 3 (the scoreboard)"
wait_for 5 grep -q "ticker\[$first\].*ticker $first up" "$T"/spawn.log || fail "daemon output not logged"
get /pid | grep -q pid= || fail "the FastCGI pool next to the daemon does not serve"

# kill -9: restarted.
kill -9 "$first"
restarted() { p=$(daemon_pid); [ -n "$p" ] && [ "$p" != "$first" ]; }
wait_for 5 restarted || fail "daemon not restarted after kill -9"
second=$(daemon_pid); echo "$second" >>"$T"/worker-pids

# SIGHUP: the old instance stops before the new one starts.
kill -HUP "$SPAWN_PID"
replaced() { p=$(daemon_pid); [ -n "$p" ] && [ "$p" != "$second" ]; }
wait_for 10 replaced || fail "daemon not replaced on SIGHUP"
third=$(daemon_pid); echo "$third" >>"$T"/worker-pids
wait_for 5 grep -q "start $third" "$T"/events || fail "no start event"
order=$(grep -n -e "stop $second" -e "start $third" "$T"/events | cut -d: -f2 | tr '\n' ' ')
[ "$order" = "stop $second start $third " ] || fail "reload not stop-first: $(cat "$T"/events)"

# A command that exits at once: restarted with a growing back-off, never halted.
wait_for 10 grep -q 'daemon quitter: restarting in 0.8s' "$T"/spawn.log || fail "no back-off"
grep -q 'daemon quitter: restarting in 0.2s' "$T"/spawn.log && grep -q 'daemon quitter: restarting in 0.4s' "$T"/spawn.log \
  || fail "back-off does not double"
grep -q 'quitter\[[0-9]*\].*quitting now' "$T"/spawn.log || fail "quitter output not logged"
if grep -q HALTED "$T"/spawn.log; then fail "a daemon halted"; fi

# TERM: the daemon is stopped with the master.
kill -TERM "$SPAWN_PID"
wait_for 10 bash -c "! kill -0 $SPAWN_PID" || fail "master did not stop"
wait_for 5 grep -q "stop $third" "$T"/events || fail "daemon not stopped (TERM) with the master"
! kill -0 "$third" 2>/dev/null || fail "daemon still alive"
pass "daemon: started, status, restart $first -> $second, reload -> $third stop-first, back-off, stopped"
