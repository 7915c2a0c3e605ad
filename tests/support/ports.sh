# ports.sh: sourced by the shell tests that start a server on a loopback TCP port picked at run
# time. free_port's port is free when picked, not when the server binds it: a test running in
# parallel can take it in between, so start servers through start_on_free_port, which retries
# (start_nginx: the tests' own nginx; start_demo: nginx/demo.sh).

# free_port: a loopback TCP port free right now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_on_free_port VAR CMD...: sets VAR to a free port and runs CMD, which starts a server on
# ${!VAR}, waits (on a condition, with a generous bound) until it serves, and returns 0; or
# returns 98 (EADDRINUSE) when the server could not bind the port, which is then retried on a new
# port (5 ports in all). Any other status of CMD is returned as it is. CMD runs in an `||`
# context, where set -e does not apply: it checks its own steps.
start_on_free_port() {
  local var=$1 try rc=98
  shift
  for try in 1 2 3 4 5; do
    printf -v "$var" '%s' "$(free_port)"
    rc=0
    "$@" || rc=$?
    [ "$rc" -eq 98 ] || return "$rc"
    echo "start_on_free_port: port ${!var} was taken before the server bound it (try $try)" >&2
  done
  return "$rc"
}

# process_gone PID: PID (a child of this shell) has exited; reaps it, whatever its status.
process_gone() {
  kill -0 "$1" 2>/dev/null && return 1
  wait "$1" 2>/dev/null || true
}

# start_nginx VAR NGINX_SH RUN_DIR CONF_ARGS...: `NGINX_SH conf RUN_DIR CONF_ARGS... --port P` and
# `NGINX_SH start RUN_DIR` (nginx/nginx.sh) on a free port P, set in VAR (a new one when another
# process took it before nginx bound it); returns once nginx has written its pid file (after its
# bind) and answers on P (30 s bound), non-zero with its logs on stderr when it did not. The
# caller registers `NGINX_SH stop RUN_DIR` for its cleanup.
start_nginx() {
  local var=$1
  shift
  start_on_free_port "$var" _start_nginx_on "$var" "$@"
}
_start_nginx_on() { # VAR NGINX_SH RUN_DIR CONF_ARGS...
  local port=${!1} ngx=$2 run=$3 pid end=$((SECONDS + 30))
  shift 3
  "$ngx" conf "$run" "$@" --port "$port" || return 1
  rm -f "$run"/nginx.pid
  pid=$("$ngx" start "$run") || return $? # 98: another process holds the port
  until curl -s -o /dev/null --max-time 5 "http://127.0.0.1:$port/"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "nginx exited at start" >&2
      cat "$run"/logs/nginx.out "$run"/logs/error.log >&2 2>/dev/null || true
      return 1
    fi
    if [ $SECONDS -ge $end ]; then
      echo "nginx did not answer on port $port within 30 s" >&2
      cat "$run"/logs/nginx.out "$run"/logs/error.log >&2 2>/dev/null || true
      return 1
    fi
    sleep 0.1
  done
}

# start_demo VAR OUT RUN_DIR DEMO_SH BUILD_DIR [DEMO_ARGS...]: `DEMO_SH BUILD_DIR --port P` in its
# own session (setsid; FH_DEMO_RUN_DIR=RUN_DIR, output in OUT) on a free port P, set in VAR (a new
# one when another process took P before the demo's nginx bound it: the demo then exits 98). Sets
# DEMO to the demo's pid (also its session id) and returns once the demo says it serves (60 s
# bound); non-zero with the demo's output on stderr when it did not. The caller registers the
# demo's stop (TERM to $DEMO, then whatever is left in its session) before calling this.
start_demo() {
  local var=$1
  shift
  start_on_free_port "$var" _start_demo_on "$var" "$@"
}
_start_demo_on() { # VAR OUT RUN_DIR DEMO_SH BUILD_DIR DEMO_ARGS...
  local port=${!1} out=$2 run=$3 demo_sh=$4 build=$5 rc end=$((SECONDS + 60))
  shift 5
  FH_DEMO_RUN_DIR=$run setsid "$demo_sh" "$build" --port "$port" "$@" >"$out" 2>&1 &
  DEMO=$!
  until grep -qs 'Ctrl-C stops everything' "$out"; do
    if ! kill -0 "$DEMO" 2>/dev/null; then
      rc=0
      wait "$DEMO" 2>/dev/null || rc=$?
      [ "$rc" -ne 98 ] || return 98
      echo "the demo exited at start (status $rc)" >&2
      cat "$out" >&2
      return 1
    fi
    if [ $SECONDS -ge $end ]; then
      echo "the demo did not start on port $port within 60 s" >&2
      cat "$out" >&2
      return 1
    fi
    sleep 0.1
  done
}
