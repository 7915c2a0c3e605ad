# multihost_test.sh: one pool on three "hosts" behind one nginx. Each host is a network namespace
# made here (veth pair, its own address in 10.251.X.0/30, no route anywhere else) running its own
# spawn with the site app and its own SQLite file; nginx (root namespace) has an upstream of the
# three (max_fails=1, fail_timeout=2s, fastcgi_next_upstream error timeout). Checks: requests
# spread over all hosts; one host's spawn killed under a GET load: no GET fails once the
# fail-over window (fail_timeout) has passed; the host restarted: it serves again; a session
# cookie made on one host is valid on the others (same secret in every host's config).
# Skipped with the reason where namespaces cannot be made (not root, no `ip netns`).
source "$(dirname "$0")/lib.sh"
need_nginx
need_run_user_reach # each host's spawn runs its workers as RUN_USER
command -v cgi-fcgi >/dev/null || skip "cgi-fcgi (libfcgi-bin) not installed"
[ "$(id -u)" -eq 0 ] || skip "network namespaces need root"
SITE=$BUILD_DIR/apps/site/site.fcgi
[ -x "$SITE" ] || skip "$SITE not built"
TAG=fh$$
NETNS=()
delete_netns() {
  local n
  for n in "${NETNS[@]}"; do
    ip netns pids "$n" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
    ip netns del "$n" 2>/dev/null || true
  done
  for n in 1 2 3; do ip link del "${TAG}h$n" 2>/dev/null || true; done
}
ON_CLEANUP+=(delete_netns)
# A free 10.251.X.0/24 block: no address or route of this machine in it.
X=""
for c in $(shuf -i 1-250 -n 20); do
  ip -o addr | has " 10\.251\.$c\." || ip route show | has "10\.251\.$c\." || { X=$c; break; }
done
[ -n "$X" ] || skip "no free 10.251.X.0/24 block for the test hosts"
addr() { echo "10.251.$X.$((4 * $1 + $2))"; } # host N: .4N+1 (our side), .4N+2 (the host)
for n in 1 2 3; do
  ns=${TAG}-host$n
  ip netns add "$ns" 2>"$T"/netns.err || skip "cannot make network namespaces: $(cat "$T"/netns.err)"
  NETNS+=("$ns")
  # A chroot without its own mount namespace can add a namespace but not enter it.
  ip netns exec "$ns" true 2>"$T"/netns.err || skip "cannot enter network namespaces: $(cat "$T"/netns.err)"
  ip link add "${TAG}h$n" type veth peer name eth0 netns "$ns" || skip "cannot make veth pairs"
  ip addr add "$(addr $n 1)/30" dev "${TAG}h$n"
  ip link set "${TAG}h$n" up
  ip -n "$ns" addr add "$(addr $n 2)/30" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
done

# Every host: the same app and secret, its own database (writable by the user spawn's workers
# run as); spawn on the host's address.
SECRET=$(head -c 48 /dev/urandom | base64 -w0)
PORT=9000
start_host() { # N
  local n=$1 d=$T/host$1
  data_dir "$d"
  printf '[session]\nsecret = %s\n[db]\npath = %s/site.db\n' "$SECRET" "$d" >"$d"/site.ini
  chmod 0644 "$d"/site.ini
  : >"$d"/spawn.log
  ip netns exec "${TAG}-host$n" env APP_CONFIG_FILE="$d"/site.ini "$SPAWN" -n -a "$(addr "$n" 2)" \
    -p $PORT -F 2 --name site --control "$d"/ctl -- "$SITE" >>"$d"/spawn.log 2>&1 &
  echo $! >"$d"/pid
  PIDS+=($!)
  wait_for 10 grep -q 'listening on' "$d"/spawn.log || { cat "$d"/spawn.log; fail "host $n: spawn did not start"; }
}
served() { # N: requests the host's pool has served (its spawn's status)
  curl -sf --max-time 2 --unix-socket "$T/host$1/ctl" http://spawn/status \
    | python3 -c 'import json,sys; print(sum(p["requests_served"] for p in json.load(sys.stdin)["pools"]))'
}
for n in 1 2 3; do start_host $n; done

# nginx in the root namespace, one upstream of the three hosts.
NGX=$SOURCE_DIR/nginx/nginx.sh
ON_CLEANUP=("\"$NGX\" stop \"$T\"/ngx" "${ON_CLEANUP[@]}")
start_nginx HTTP "$NGX" "$T"/ngx --read-timeout 10s --fail-timeout 2s \
  --app "site=$(addr 1 2):$PORT,$(addr 2 2):$PORT,$(addr 3 2):$PORT" --cgi "unix:$T/none.sock" \
  || fail "nginx start"
grep -q 'fastcgi_next_upstream error timeout;' "$T"/ngx/nginx.conf || fail "no fastcgi_next_upstream"
U=http://127.0.0.1:$HTTP/site

# 1. Spread: every host serves part of 60 requests.
for i in $(seq 60); do curl -sf --max-time 5 -o /dev/null "$U/page" || fail "GET /site/page ($i)"; done
for n in 1 2 3; do
  s=$(served $n) || fail "host $n status"
  [ "$s" -gt 0 ] || fail "host $n served nothing of 60 requests"
  echo "host $n served $s"
done

# 2. Sessions: a cookie made on host 1 counts on hosts 2 and 3 (signed with the shared secret).
fcgi_get() { # N PATH COOKIE: one GET straight to host N
  env -i REQUEST_METHOD=GET SCRIPT_NAME=/site PATH_INFO="$2" REQUEST_URI="/site$2" QUERY_STRING= \
    SERVER_NAME=localhost SERVER_PORT=80 SERVER_PROTOCOL=HTTP/1.1 REMOTE_ADDR=127.0.0.1 \
    HTTP_COOKIE="$3" cgi-fcgi -bind -connect "$(addr "$1" 2):$PORT"
}
out=$(fcgi_get 1 /counter "") || fail "counter on host 1"
cookie=$(grep -i '^Set-Cookie:' <<<"$out" | head -1 | sed -e 's/^[Ss]et-[Cc]ookie: *//' -e 's/;.*//' | tr -d '\r')
[ -n "$cookie" ] || { echo "$out"; fail "no session cookie from host 1"; }
for n in 2 3; do
  out=$(fcgi_get $n /counter "$cookie") || fail "counter on host $n"
  grep -q "class=\"count\">$n<" <<<"$out" \
    || { echo "$out"; fail "host $n did not continue host 1's session (want counter $n)"; }
  cookie=$(grep -i '^Set-Cookie:' <<<"$out" | head -1 | sed -e 's/^[Ss]et-[Cc]ookie: *//' -e 's/;.*//' | tr -d '\r')
done
echo "session made on host 1 continued on hosts 2 and 3"

# 3. Fail-over: host 2's spawn (and with it its workers) killed under a GET load.
python3 "$SOURCE_DIR"/tests/deploy/load_client.py "$U/page" 8 8 "$T"/load1.txt &
LOAD=$!
PIDS+=($LOAD)
wait_for 10 test -s "$T"/ngx/logs/sites/site.log || fail "no load reached nginx"
sleep 2
KILLED_AT=$(date +%s.%N)
kill -KILL "$(cat "$T"/host2/pid)"
wait_for 5 bash -c "! ip netns pids ${TAG}-host2 | grep -q ." || fail "host 2's workers outlived their master"
wait "$LOAD" || fail "load client"
total=$(wc -l <"$T"/load1.txt)
failed=$(awk '$2 != 200' "$T"/load1.txt | wc -l)
late=$(awk -v k="$KILLED_AT" '$1 > k + 2.5 && $2 != 200' "$T"/load1.txt | wc -l)
after=$(awk -v k="$KILLED_AT" '$1 > k + 2.5' "$T"/load1.txt | wc -l)
echo "fail-over: $total GETs, $failed failed in all, $late failed of the $after started 2.5 s after the kill"
[ "$after" -gt 0 ] || fail "no request after the fail-over window"
[ "$late" -eq 0 ] || fail "$late GETs failed after the fail-over window"

# 4. Host 2 back: it serves again once nginx retries it (after fail_timeout).
start_host 2
before=$(served 2)
again() { for _ in 1 2 3 4 5 6; do curl -sf --max-time 5 -o /dev/null "$U/page" || return 1; done; [ "$(served 2)" -gt "$before" ]; }
wait_for 20 again || fail "host 2 does not serve again after its restart"
pass "3 hosts: spread, shared sessions, fail-over ($failed of $total failed, 0 after the window), host back"
