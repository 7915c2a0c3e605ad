# worker_bind_log_test.sh: a FastCGI worker started on its own with --bind / --socket logs where
# it listens (with the port actually bound for --bind HOST:0), and answers there.
source "$(dirname "$0")/lib.sh"
"$SLOW_APP" --bind 127.0.0.1:0 >"$T"/tcp.out 2>&1 &
PIDS+=("$!")
wait_for 10 grep -q 'listening on 127.0.0.1:[1-9]' "$T"/tcp.out || fail "no listening line: $(cat "$T"/tcp.out)"
grep -q ' info slow.fcgi\[[0-9]*\] listening on 127.0.0.1:[0-9]*, threads 1$' "$T"/tcp.out \
  || fail "listening line not in the log format: $(cat "$T"/tcp.out)"
port=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$T"/tcp.out | cut -d: -f2)
out=$(REQUEST_METHOD=GET SCRIPT_NAME= PATH_INFO=/pid REQUEST_URI=/pid cgi-fcgi -bind -connect 127.0.0.1:"$port")
[[ $out == *pid* ]] || fail "no answer on the logged port $port: $out"

"$SLOW_APP" --socket "$T"/w.sock --threads 2 >"$T"/unix.out 2>&1 &
PIDS+=("$!")
wait_for 10 grep -q "listening on unix:$T/w.sock, threads 2" "$T"/unix.out \
  || fail "no listening line for --socket: $(cat "$T"/unix.out)"
pass "--bind and --socket say where the worker listens"
