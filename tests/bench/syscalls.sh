#!/usr/bin/env bash
# syscalls.sh BUILD_DIR [options]: system calls per request of FastCGI workers, by name (run it as
# `./run bench --syscalls`). For the canned FastCGI responder (matrix/canned_fcgi.c, the FastCGI
# path's limit) and our hello.fcgi under spawn (and any other worker given with --also), it sends
# a fixed number of requests through a user-space nginx on 127.0.0.1 with wrk while
# `strace -c -f` (or, with --counter perf, `perf stat` on the kernel's syscall tracepoints, which
# does not stop the workers at every call) is attached to the worker processes only, then prints
# calls per request for each syscall side by side. Everything it starts is tracked by pid and
# stopped at the end.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
MATRIX=$HERE/matrix

REQUESTS=20000
CONNECTIONS=32
PROCS=2
TRANSPORT=unix
KEEPALIVE=on
PORT_BASE=""
WARMUP=1000
COUNTER=strace
declare -a EXTRA=() # NAME=PATH of more FastCGI workers to run under spawn

usage() {
  cat <<EOF
usage: $0 BUILD_DIR [options]
  --requests N       requests per worker kind, counted by wrk (default: $REQUESTS)
  --connections N    wrk connections (default: $CONNECTIONS)
  --procs N          worker processes per pool (default: $PROCS)
  --transport T      unix | tcp between nginx and the pools (default: $TRANSPORT, as shipped)
  --keepalive on|off nginx keep-alive to the pools: upstream keepalive \$BENCH_KA_CONNS (16, as
                     shipped) + fastcgi_keep_conn on (default: $KEEPALIVE, as shipped)
  --also NAME=PATH   one more FastCGI worker binary to measure under spawn, e.g. the hello.fcgi
                     of another build (before/after a change); repeatable
  --port-base N      nginx on 127.0.0.1:N, TCP pools on N+1, ... (default: ports picked at run time)
  --counter C        strace | perf (default: $COUNTER). perf counts with \`perf stat\` on the
                     syscalls:sys_enter_* tracepoints of the workers: no ptrace stop per call, so
                     the workers run at full speed and nginx keeps its connections as it would
                     untraced (under strace a slowed worker makes nginx open and close more)
Prints, per syscall, calls per request of each worker kind (strace -c -f on the worker processes
only; nginx and spawn's master are not traced), and the workers' CPU time per request from an
untraced run of the same size just before (schedstat of all their threads); keeps the raw strace
summaries in BUILD_DIR/bench-work/syscalls/. Counts are of a traced run: tracing slows the workers, which can
change how many events one epoll_wait returns; compare kinds measured in the same run.
EOF
}

[ $# -ge 1 ] || { usage >&2; exit 2; }
case $1 in -h | --help) usage; exit 0 ;; esac
BUILD=$(cd "$1" && pwd) || { echo "no build dir: $1" >&2; exit 2; }
shift
while [ $# -gt 0 ]; do
  case $1 in
    --requests) REQUESTS=$2; shift ;;
    --connections) CONNECTIONS=$2; shift ;;
    --procs) PROCS=$2; shift ;;
    --transport) TRANSPORT=$2; shift ;;
    --keepalive) KEEPALIVE=$2; shift ;;
    --also) EXTRA+=("$2"); shift ;;
    --port-base) PORT_BASE=$2; shift ;;
    --counter) COUNTER=$2; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
[[ $REQUESTS =~ ^[1-9][0-9]*$ && $CONNECTIONS =~ ^[1-9][0-9]*$ && $PROCS =~ ^[1-9][0-9]*$ ]] \
  || { echo "--requests, --connections and --procs take positive integers" >&2; exit 2; }
[[ $TRANSPORT == unix || $TRANSPORT == tcp ]] || { echo "--transport unix|tcp" >&2; exit 2; }
[[ $KEEPALIVE == on || $KEEPALIVE == off ]] || { echo "--keepalive on|off" >&2; exit 2; }
[[ $COUNTER == strace || $COUNTER == perf ]] || { echo "--counter strace|perf" >&2; exit 2; }
if [ "$COUNTER" = perf ]; then
  perf stat -e syscalls:sys_enter_getpid -- true >/dev/null 2>&1 \
    || { echo "--counter perf: perf cannot read the syscall tracepoints here" >&2; exit 1; }
fi
for tool in $COUNTER wrk nginx spawn-fcgi cc ss; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] \
    || { echo "missing tool: $tool (./run bench installs it)" >&2; exit 1; }
done

WORK=$BUILD/bench-work/syscalls
SPAWN=$BUILD/spawn/spawn
HELLO=$BUILD/apps/hello/hello.fcgi
log() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }

# --- processes we start: tracked by pid, stopped by pid ---------------------------------------
declare -a TRACKED=()
cleanup() {
  local rc=$? pid
  trap - EXIT INT TERM
  for pid in "${TRACKED[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${TRACKED[@]}"; do wait "$pid" 2>/dev/null || true; done
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

NEXT_PORT=""
PORT=""
free_port() { # sets PORT: the next from --port-base, else a free one picked at run time
  local p
  while :; do
    if [ -n "$PORT_BASE" ]; then
      p=${NEXT_PORT:-$PORT_BASE}
      NEXT_PORT=$((p + 1))
    else
      p=$((20000 + RANDOM % 12000))
    fi
    if ss -Htan "( sport = :$p )" 2>/dev/null | grep -q .; then
      [ -z "$PORT_BASE" ] || { echo "port $p (--port-base) is in use" >&2; exit 1; }
      continue
    fi
    PORT=$p
    return 0
  done
}

wait_for() { # COMMAND...: retried for 10 s
  local i
  for i in $(seq 100); do "$@" && return 0; sleep 0.1; done
  return 1
}
listening() { ss -Htln "( sport = :$1 )" 2>/dev/null | grep -q .; }
children() { ps -o pid= --ppid "$1" 2>/dev/null | tr -d ' ' || true; }
has_workers() { [ "$(children "$1" | wc -w)" -ge "$2" ]; } # MASTER N

# --- pools -----------------------------------------------------------------------------------
declare -a KINDS=()
declare -A K_BIN=() K_SUP=() K_ADDR=() K_BIND=() K_PIDS=() K_MASTER=()

add_kind() { # NAME BINARY SUPERVISOR(spawnfcgi|spawn)
  KINDS+=("$1")
  K_BIN[$1]=$2 K_SUP[$1]=$3
}

start_kind() {
  local k=$1 bind out
  if [ "$TRANSPORT" = unix ]; then
    K_ADDR[$k]="unix:$WORK/$k.sock"
    bind=(-s "$WORK/$k.sock" -M 0666)
  else
    free_port
    K_ADDR[$k]="127.0.0.1:$PORT"
    bind=(-a 127.0.0.1 -p "$PORT")
  fi
  if [ "${K_SUP[$k]}" = spawnfcgi ]; then
    out=$(spawn-fcgi "${bind[@]}" -F "$PROCS" -- "${K_BIN[$k]}" 2>&1)
    K_PIDS[$k]=$(sed -n 's/.*PID: \([0-9]*\).*/\1/p' <<<"$out" | tr '\n' ' ')
    # shellcheck disable=SC2206 # a list of pids
    TRACKED+=(${K_PIDS[$k]})
  else
    "$SPAWN" "${bind[@]}" -F "$PROCS" -n -- "${K_BIN[$k]}" >>"$WORK/$k.log" 2>&1 &
    K_MASTER[$k]=$!
    TRACKED+=("$!")
    wait_for has_workers "${K_MASTER[$k]}" "$PROCS" \
      || { echo "$k: spawn did not start $PROCS workers (log: $WORK/$k.log)" >&2; exit 1; }
    K_PIDS[$k]=$(children "${K_MASTER[$k]}" | tr '\n' ' ')
  fi
}

write_nginx() {
  local k params ka=""
  mkdir -p "$WORK/nginx/tmp"
  cp "$MATRIX/fastcgi_params" "$WORK/nginx/fastcgi_params"
  [ ! -f "$ROOT/nginx/snippets/fcgi-host-params.conf" ] \
    || cp "$ROOT/nginx/snippets/fcgi-host-params.conf" "$WORK/nginx/fastcgi_params.fcgi-host"
  sed -e "s|@WORK@|$WORK/nginx|g" -e "s|@PORT@|$NGINX_PORT|g" -e "s|@NGINX_WORKERS@|auto|g" \
    "$MATRIX/nginx.conf.in" >"$WORK/nginx/nginx.conf"
  : >"$WORK/nginx/upstreams.conf"
  : >"$WORK/nginx/locations.conf"
  [ "$KEEPALIVE" = on ] && ka="    keepalive ${BENCH_KA_CONNS:-16};"
  for k in "${KINDS[@]}"; do
    printf 'upstream up_%s {\n    server %s;\n%s\n}\n' "$k" "${K_ADDR[$k]}" "$ka" \
      >>"$WORK/nginx/upstreams.conf"
    params=fastcgi_params
    [ "${K_SUP[$k]}" = spawnfcgi ] || [ ! -f "$WORK/nginx/fastcgi_params.fcgi-host" ] \
      || params=fastcgi_params.fcgi-host
    {
      echo "location /t/$k/ {"
      echo "    include $WORK/nginx/$params;"
      echo "    fastcgi_split_path_info ^(/t/$k)(/.*)\$;"
      echo "    fastcgi_param SCRIPT_NAME \$fastcgi_script_name;"
      echo "    fastcgi_param PATH_INFO \$fastcgi_path_info;"
      [ "$KEEPALIVE" = on ] && echo "    fastcgi_keep_conn on;"
      echo "    fastcgi_pass up_$k;"
      echo "}"
    } >>"$WORK/nginx/locations.conf"
  done
}

# run_wrk KIND N OUT: N requests (about: each wrk thread stops after N / threads responses). wrk's
# main thread sleeps for -d whatever its threads do: once they have all stopped, SIGINT ends the
# sleep and wrk prints its summary (and wrk_count.lua's COUNT line).
run_wrk() {
  local k=$1 n=$2 threads=2 pid i
  [ "$CONNECTIONS" -lt "$threads" ] && threads=$CONNECTIONS
  WRK_PER_THREAD=$(((n + threads - 1) / threads)) wrk -t "$threads" -c "$CONNECTIONS" -d 10m \
    --timeout 10s -s "$MATRIX/wrk_count.lua" "http://127.0.0.1:$NGINX_PORT/t/$k/" >"$3" 2>&1 &
  pid=$!
  TRACKED+=("$pid")
  for ((i = 0; i < 6000; i++)); do # 10 minutes at most
    sleep 0.1
    [ "$(awk '/^Threads:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)" -gt 1 ] \
      || break
  done
  kill -INT "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# cpu_ns KIND: CPU time the workers of KIND have used so far, in ns (all threads, schedstat).
cpu_ns() {
  local pid
  for pid in ${K_PIDS[$1]}; do cat /proc/"$pid"/task/*/schedstat 2>/dev/null; done \
    | awk '{ s += $1 } END { printf "%.0f", s }'
}

# untraced KIND: REQUESTS requests without strace; the workers' CPU time per request.
untraced() {
  local k=$1 before after ok
  before=$(cpu_ns "$k")
  run_wrk "$k" "$REQUESTS" "$WORK/$k.untraced"
  after=$(cpu_ns "$k")
  ok=$(sed -n 's/^COUNT ok=\([0-9]*\).*/\1/p' "$WORK/$k.untraced")
  [ -n "$ok" ] && [ "$ok" -gt 0 ] || { echo "$k: wrk gave no count" >&2; exit 1; }
  awk -v d=$((after - before)) -v n="$ok" 'BEGIN { printf "%.1f", d / n / 1000 }' >"$WORK/$k.cpu"
}

# The syscalls `--counter perf` counts (the ones a FastCGI worker makes per request or per
# connection; anything else shows in the raw_syscalls total).
PERF_CALLS=(accept4 close epoll_ctl epoll_wait epoll_pwait recvfrom sendto read write writev
  readv futex rt_sigtimedwait getsockopt setsockopt fcntl)

# requests_counted KIND: prints the 200s wrk counted for KIND (wrk_count.lua's COUNT line) and
# keeps them in WORK/KIND.requests; exits if wrk gave no count, warns about other statuses.
requests_counted() {
  local k=$1 ok other
  ok=$(sed -n 's/^COUNT ok=\([0-9]*\).*/\1/p' "$WORK/$k.wrk")
  other=$(sed -n 's/^COUNT ok=[0-9]* other=\([0-9]*\).*/\1/p' "$WORK/$k.wrk")
  [ -n "$ok" ] || { echo "$k: wrk gave no count (see $WORK/$k.wrk)" >&2; exit 1; }
  [ "${other:-0}" -eq 0 ] || echo "$k: $other responses were not 200 (see $WORK/$k.wrk)" >&2
  echo "$ok" >"$WORK/$k.requests"
  echo "$ok"
}

# perf_counted KIND: like traced, with perf stat on the syscall tracepoints (no ptrace stops).
perf_counted() {
  local k=$1 pids events=raw_syscalls:sys_enter tracer ok sc
  pids=$(tr ' ' ',' <<<"${K_PIDS[$k]% }")
  for sc in "${PERF_CALLS[@]}"; do events+=",syscalls:sys_enter_$sc"; done
  perf stat -x '\t' -e "$events" -p "$pids" -o "$WORK/$k.perf" 2>>"$WORK/$k.log" &
  tracer=$!
  TRACKED+=("$tracer")
  sleep 0.5 # perf attaches within a few ms; nothing to poll for
  run_wrk "$k" "$REQUESTS" "$WORK/$k.wrk"
  kill -INT "$tracer"
  wait "$tracer" 2>/dev/null || true
  ok=$(requests_counted "$k") || exit 1
  # perf stat -x rows: count, unit, event, ...; the raw total becomes "all (raw_syscalls)".
  awk -F'\t' -v n="$ok" '$3 ~ /sys_enter/ && $1 ~ /^[0-9]+$/ {
      name = $3; sub(/^syscalls:sys_enter_/, "", name); sub(/^raw_syscalls:sys_enter$/, "all (raw_syscalls)", name)
      if ($1 > 0) printf "%s\t%d\t0\t%.3f\n", name, $1, $1 / n
    }' "$WORK/$k.perf" | sort >"$WORK/$k.tsv"
}

# traced KIND: strace -c -f on the workers of KIND while wrk sends REQUESTS requests.
traced() {
  local k=$1 pid args=() tracer ok
  [ "$COUNTER" = strace ] || { perf_counted "$k"; return; }
  for pid in ${K_PIDS[$k]}; do args+=(-p "$pid"); done
  strace -c -f -q -o "$WORK/$k.strace" "${args[@]}" 2>>"$WORK/$k.log" &
  tracer=$!
  TRACKED+=("$tracer")
  for pid in ${K_PIDS[$k]}; do
    wait_for awk '/^TracerPid:/ { exit !($2 != 0) }' "/proc/$pid/status" \
      || { echo "$k: strace did not attach to $pid" >&2; exit 1; }
  done
  run_wrk "$k" "$REQUESTS" "$WORK/$k.wrk"
  kill -INT "$tracer"
  wait "$tracer" 2>/dev/null || true
  ok=$(requests_counted "$k") || exit 1
  # strace -c rows: % time, seconds, usecs/call, calls, [errors,] syscall
  awk -v n="$ok" '$NF != "syscall" && $NF != "total" && $1 ~ /^[0-9.]+$/ {
      errors = (NF == 6) ? $5 : 0
      printf "%s\t%d\t%d\t%.3f\n", $NF, $4, errors, $4 / n
    }' "$WORK/$k.strace" | sort >"$WORK/$k.tsv"
}

# --- main ------------------------------------------------------------------------------------
[ -x "$HELLO" ] || { echo "$HELLO not built" >&2; exit 1; }
[ -x "$SPAWN" ] || { echo "$SPAWN not built" >&2; exit 1; }
rm -rf "$WORK"
mkdir -p "$WORK/bin"
cc -O2 -Wall -Wextra -o "$WORK/bin/canned_fcgi" "$MATRIX/canned_fcgi.c"
add_kind canned "$WORK/bin/canned_fcgi" spawnfcgi
add_kind hello "$HELLO" spawn
for e in "${EXTRA[@]}"; do
  [[ $e == *=* && -x ${e#*=} ]] || { echo "--also $e: want NAME=PATH of an executable" >&2; exit 2; }
  [[ ${e%%=*} =~ ^[a-z][a-z0-9_]*$ ]] || { echo "--also $e: NAME is [a-z][a-z0-9_]*" >&2; exit 2; }
  add_kind "${e%%=*}" "${e#*=}" spawn
done

free_port
NGINX_PORT=$PORT
for k in "${KINDS[@]}"; do start_kind "$k"; done
write_nginx
/usr/sbin/nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" \
  >>"$WORK/nginx.log" 2>&1 &
TRACKED+=("$!")
wait_for listening "$NGINX_PORT" || { echo "nginx did not start ($WORK/nginx/error.log)" >&2; exit 1; }

for k in "${KINDS[@]}"; do
  log "$k: ${K_BIN[$k]}, $PROCS processes (pids ${K_PIDS[$k]% }), $TRANSPORT, keep-alive $KEEPALIVE"
  run_wrk "$k" "$WARMUP" "$WORK/$k.warmup"
  grep -q '^COUNT ok=[1-9]' "$WORK/$k.warmup" \
    || { echo "$k: warm-up requests failed (see $WORK/$k.warmup)" >&2; exit 1; }
  untraced "$k"
  traced "$k"
done

# Side by side: calls per request by syscall name.
{
  printf '%-22s' "syscall"
  for k in "${KINDS[@]}"; do printf ' %14s' "$k/req"; done
  printf '\n'
  for k in "${KINDS[@]}"; do cut -f1 "$WORK/$k.tsv"; done | sort -u \
    | while read -r sc; do
      [ -n "$sc" ] || continue
      printf '%-22s' "$sc"
      for k in "${KINDS[@]}"; do
        v=$(awk -F'\t' -v s="$sc" '$1 == s { printf "%.3f", $4; if ($3 > 0) printf " (%d err)", $3 }' "$WORK/$k.tsv")
        printf ' %14s' "${v:--}"
      done
      printf '\n'
    done
  printf '%-22s' "total"
  for k in "${KINDS[@]}"; do
    printf ' %14s' "$(awk -F'\t' '$1 !~ /^all/ { s += $4 } END { printf "%.3f", s }' "$WORK/$k.tsv")"
  done
  printf '\n%-22s' "worker CPU us/req"
  for k in "${KINDS[@]}"; do printf ' %14s' "$(cat "$WORK/$k.cpu")"; done
  printf '\n%-22s' "requests counted"
  for k in "${KINDS[@]}"; do printf ' %14s' "$(cat "$WORK/$k.requests")"; done
  printf '\n'
} | tee "$WORK/per-request.txt"
log "raw strace -c summaries and wrk output: $WORK"
