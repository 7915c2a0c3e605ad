# gateway_discovery_test.sh: spawn finds cgi-gateway beside its own executable (as in the build
# tree and after an install into one bin directory), or at an explicit --gateway / INI gateway
# path, and nowhere else: a spawn copied alone into a directory refuses a --cgi-dir pool.
source "$(dirname "$0")/lib.sh"
GW=$(dirname "$SPAWN")/cgi-gateway
[ -x "$GW" ] || { echo "SKIP: cgi-gateway not built beside spawn ($GW)"; exit 77; }
mkdir -p "$T"/cgi "$T"/alone "$T"/bin
printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\nfrom cgi\\n"\n' >"$T"/cgi/hi.sh
chmod +x "$T"/cgi/hi.sh
# The build tree: beside spawn.
"$SPAWN" --cgi-dir "$T"/cgi -p 0 --check-config >"$T"/build.out || fail "build tree: $(cat "$T"/build.out)"
grep -q "app=$GW " "$T"/build.out || fail "build tree gateway: $(cat "$T"/build.out)"
# Alone: no gateway beside it, and no build-tree search (gateways planted where an old search
# looked: BIN/gateway/ and BIN/../spawn/gateway/).
cp "$SPAWN" "$T"/alone/spawn
mkdir -p "$T"/alone/gateway "$T"/spawn/gateway
cp "$GW" "$T"/alone/gateway/; cp "$GW" "$T"/spawn/gateway/
if (cd "$(dirname "$SPAWN")" && "$T"/alone/spawn --cgi-dir "$T"/cgi -p 0 --check-config) 2>"$T"/alone.err; then
  fail "spawn without a gateway beside it accepted a --cgi-dir pool"
fi
grep -q 'cgi-gateway not found beside the spawn executable' "$T"/alone.err || fail "message: $(cat "$T"/alone.err)"
# Explicit: --gateway, and gateway = in the INI.
"$T"/alone/spawn --cgi-dir "$T"/cgi -p 0 --gateway "$GW" --check-config | grep -q "app=$GW " || fail "--gateway"
printf '[pool.cgi]\ncgi-dir = %s\nport = 0\ngateway = %s\n' "$T"/cgi "$GW" >"$T"/gw.ini
"$T"/alone/spawn --config "$T"/gw.ini --check-config | grep -q "app=$GW " || fail "INI gateway ="
# An install-like bin directory: both copied side by side; the pool serves a CGI request.
cp "$SPAWN" "$GW" "$T"/bin/
SPAWN=$T/bin/spawn start_spawn --cgi-dir "$T"/cgi -p 0
grep -q "app=$T/bin/cgi-gateway " "$T"/spawn.log || fail "installed layout: not the gateway beside spawn"
wait_for 5 has_ready 1 || fail "gateway worker not ready"
remember_workers
out=$(REQUEST_METHOD=GET SCRIPT_NAME=/cgi-bin/hi.sh REQUEST_URI=/cgi-bin/hi.sh SERVER_PROTOCOL=HTTP/1.1 \
  cgi-fcgi -bind -connect 127.0.0.1:"$PORT")
[[ $out == *"from cgi"* ]] || fail "CGI through the installed-layout gateway: $out"
pass "gateway found beside spawn (build tree, install layout), explicit path, refused alone"
