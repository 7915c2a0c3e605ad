# lib.sh: shared helpers for spawn's shell tests: a private temp dir, spawn started in the
# foreground with its log captured, bounded waits, and cleanup (by pid) of everything started.
set -euo pipefail
: "${SPAWN:?}" "${FIXTURE:?}" "${FCGI_LOAD:?}"
T=$(mktemp -d /tmp/fh-spawn-test.XXXXXX)
# Started as root, spawn runs its workers as fcgi-host or nobody: they must reach the files here.
chmod 0711 "$T"
PIDS=()
ON_CLEANUP=() # commands run first at cleanup (e.g. a graceful nginx stop)

cleanup() {
  local p c
  for c in "${ON_CLEANUP[@]}"; do eval "$c" >/dev/null 2>&1 || true; done
  for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  # Workers die with the master (PR_SET_PDEATHSIG); give the kernel a moment, then check.
  for p in $(cat "$T"/worker-pids 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
  rm -rf "$T"
}
trap cleanup EXIT

# forget_pid PID: drops PID from PIDS once it is reaped (its number may be another process's by
# cleanup time).
forget_pid() {
  local i
  for i in "${!PIDS[@]}"; do [ "${PIDS[i]}" != "$1" ] || unset 'PIDS[i]'; done
}

fail() { echo "FAIL: $*" >&2; echo "--- spawn log:" >&2; cat "$T"/spawn.log >&2 2>/dev/null || true; exit 1; }
pass() { echo "PASS: $*"; }

# wait_for SECONDS CMD...: polls CMD every 0.1 s until it succeeds; fails when time runs out.
wait_for() {
  local limit=$1; shift
  local end=$((SECONDS + limit + 1)) i=0
  while ! "$@" >/dev/null 2>&1; do
    i=$((i + 1))
    [ $SECONDS -lt $end ] || return 1
    sleep 0.1
  done
}

# start_spawn ARGS...: starts spawn -n with a control socket; sets SPAWN_PID, PORT, CTL.
start_spawn() {
  CTL=$T/ctl
  # Empty the log here, not in the background child's redirection: a second start_spawn would
  # otherwise read the previous spawn's 'listening on' line (and its dead port) before the child
  # truncates the file.
  : >"$T"/spawn.log
  "$SPAWN" -n --control "$CTL" "$@" >>"$T"/spawn.log 2>&1 &
  SPAWN_PID=$!
  PIDS+=("$SPAWN_PID")
  wait_for 30 grep -q 'listening on' "$T"/spawn.log || fail "spawn did not start" # a bound: loaded cores
  PORT=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$T"/spawn.log | head -1 | cut -d: -f2 || true)
}

status() { curl -sf --max-time 2 --unix-socket "$CTL" http://spawn/status; }
# worker_pids: pids of the pool's live workers, from the status socket.
worker_pids() { status | python3 -c 'import json,sys; print(" ".join(str(w["pid"]) for p in json.load(sys.stdin)["pools"] for w in p["workers"]))'; }
ready_count() { status | python3 -c 'import json,sys; print(sum(1 for p in json.load(sys.stdin)["pools"] for w in p["workers"] if w["state"]=="ready"))'; }
has_ready() { [ "$(ready_count)" -ge "$1" ]; }
remember_workers() { worker_pids | tr ' ' '\n' >>"$T"/worker-pids; }
get() { REQUEST_METHOD=GET SCRIPT_NAME=${1%%\?*} QUERY_STRING=$( [[ $1 == *\?* ]] && echo "${1#*\?}" ) REQUEST_URI=$1 cgi-fcgi -bind -connect "127.0.0.1:$PORT"; }
# free_port, start_on_free_port (a server on a port picked at run time), start_nginx.
source "$(dirname "${BASH_SOURCE[0]}")"/../support/ports.sh
need_nginx() { [ -x /usr/sbin/nginx ] || { echo "SKIP: nginx (nginx-light) not installed"; exit 77; }; }
