# upgrade_test.sh: the zero-downtime upgrade of docs/deployment.md, under load through nginx: a
# pool from an INI (as fcgi-host@NAME.service runs it) serves hello.fcgi; while a GET load runs,
# a new binary is put in place with `install` (a new file: running workers keep the old one) and
# the master gets HUP (`systemctl reload`). Every request succeeds, and afterwards every worker
# runs the new file (its /proc/PID/exe is the new inode). spawn's own reload_test covers the
# same without nginx and with --reload-on-change.
source "$(dirname "$0")/lib.sh"
need_nginx
need_run_user_reach # spawn runs hello.fcgi's workers as RUN_USER
HELLO=$BUILD_DIR/apps/hello/hello.fcgi
[ -x "$HELLO" ] || skip "$HELLO not built"
mkdir -p "$T"/app
install -m 0755 "$HELLO" "$T"/app/hello.fcgi
cat >"$T"/pools.ini <<INI
control = $T/ctl
[pool.hello]
exec = $T/app/hello.fcgi
address = 127.0.0.1
port = 0
workers = 3
keepalive = on
INI
"$SPAWN" -n --config "$T"/pools.ini >"$T"/spawn.log 2>&1 &
SPAWN_PID=$!
PIDS+=($SPAWN_PID)
wait_for 10 grep -q 'listening on' "$T"/spawn.log || { cat "$T"/spawn.log; fail "spawn did not start"; }
port=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$T"/spawn.log | head -1 | cut -d: -f2)
workers() { curl -sf --max-time 2 --unix-socket "$T"/ctl http://spawn/status \
  | python3 -c 'import json,sys; print(" ".join(str(w["pid"]) for p in json.load(sys.stdin)["pools"] for w in p["workers"] if w["state"]=="ready"))'; }
three_ready() { [ "$(workers | wc -w)" -eq 3 ]; }
wait_for 10 three_ready || { cat "$T"/spawn.log; fail "3 workers not ready"; }
NGX=$SOURCE_DIR/nginx/nginx.sh
ON_CLEANUP+=("\"$NGX\" stop \"$T\"/ngx")
start_nginx HTTP "$NGX" "$T"/ngx --keepalive 8 --app "hello=127.0.0.1:$port" --cgi "unix:$T/none.sock" \
  || fail "nginx start"
old=$(workers)

python3 "$SOURCE_DIR"/tests/deploy/load_client.py "http://127.0.0.1:$HTTP/hello/hello/u" 6 6 "$T"/load.txt &
LOAD=$!
PIDS+=($LOAD)
wait_for 10 test -s "$T"/ngx/logs/sites/hello.log || fail "no load reached nginx"
sleep 1
install -m 0755 "$HELLO" "$T"/app/hello.fcgi # the upgrade: a new file in place
new_inode=$(stat -c %i "$T"/app/hello.fcgi)
kill -HUP "$SPAWN_PID"                         # systemctl reload fcgi-host@NAME
wait "$LOAD" || fail "load client"
total=$(wc -l <"$T"/load.txt)
failed=$(awk '$2 != 200' "$T"/load.txt | wc -l)
echo "upgrade under load: $total GETs through nginx, $failed failed"
[ "$total" -gt 0 ] || fail "no requests"
[ "$failed" -eq 0 ] || { awk '$2 != 200' "$T"/load.txt | head; fail "$failed requests failed during the upgrade"; }
wait_for 10 three_ready || fail "3 workers not ready after the reload"
for p in $(workers); do
  [[ " $old " != *" $p "* ]] || fail "worker $p of the old generation still serves"
  [ "$(stat -L -c %i /proc/"$p"/exe)" = "$new_inode" ] || fail "worker $p does not run the new binary"
done
pass "upgrade: new binary + HUP under load, $total GETs, 0 failed, every worker on the new binary"
