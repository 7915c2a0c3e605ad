# gateway_scoreboard_test.sh: cgi-gateway publishes on spawn's scoreboard like any worker: after N
# requests through the gateway, spawn's status counts them (and shows its threads), so /status
# and --timeout see the gateway's work.
source "$(dirname "$0")/lib.sh"
GW=$(dirname "$SPAWN")/cgi-gateway
[ -x "$GW" ] || { echo "SKIP: cgi-gateway not built beside spawn"; exit 77; }
mkdir -p "$T"/cgi
printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\nhi\\n"\n' >"$T"/cgi/hi.sh
chmod +x "$T"/cgi/hi.sh

start_spawn --cgi-dir "$T"/cgi -p 0 -F 1 --threads 3
wait_for 10 has_ready 1 || fail "gateway not ready"
remember_workers
N=7
for _ in $(seq $N); do
  out=$(REQUEST_METHOD=GET SCRIPT_NAME=/cgi-bin/hi.sh REQUEST_URI=/cgi-bin/hi.sh \
    SERVER_PROTOCOL=HTTP/1.1 cgi-fcgi -bind -connect 127.0.0.1:"$PORT")
  [[ $out == *hi* ]] || fail "request through the gateway: $out"
done
served() { status | python3 -c 'import json,sys; print(sum(w["served"] for p in json.load(sys.stdin)["pools"] for w in p["workers"]))'; }
threads() { status | python3 -c 'import json,sys; print(sum(w["threads"] for p in json.load(sys.stdin)["pools"] for w in p["workers"]))'; }
wait_for 5 bash -c "[ \"\$(curl -sf --unix-socket '$CTL' http://spawn/status | python3 -c 'import json,sys; print(sum(w[\"served\"] for p in json.load(sys.stdin)[\"pools\"] for w in p[\"workers\"]))')\" = $N ]" \
  || fail "status shows $(served) requests served, want $N"
[ "$(threads)" = 3 ] || fail "status shows $(threads) gateway threads, want 3"
pass "spawn's status counts the $N requests the gateway served"
