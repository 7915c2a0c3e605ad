#!/usr/bin/env bash
# bench.sh BUILD_DIR [options]: the benchmark matrix of fcgi-host (run it as `./run bench`).
#
# Brings up one user-space nginx on 127.0.0.1 (ports picked at run time, or from --port-base) with
# one location per target, starts every target's backend pool (our hello under spawn, our CGI
# gateway, plain C libfcgi and CGI baselines, the canned FastCGI responder that is the FastCGI
# path's own limit, fcgiwrap, PHP-FPM, gunicorn + Flask), runs wrk on loopback at each
# concurrency, repetitions interleaved across targets, measures CGI start-up side by side with
# hyperfine, and writes docs/benchmarks.md (first the answer to "CGI or FastCGI for my app: how much
# faster, at what memory" with its chart, then tables, goal ratios, fractions of the FastCGI limit,
# machine description), docs/bench/results.csv (every run) and SVG charts (gnuplot).
# Everything it starts is recorded by pid and torn down at the end, on error and on Ctrl-C.
# `bench.sh BUILD --help` lists the options; tests/bench/matrix/ holds the pieces it uses.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
MATRIX=$HERE/matrix

# --- options ---------------------------------------------------------------------------------
BUILD=""
TARGETS="all"
CONCURRENCY="1,32,128"
DURATION="5s"
REPS=3
WARMUP="1s"
OUT=""
QUICK=0
LIST_ONLY=0
REPORT_ONLY=0
NO_MICRO=0
MERGE=auto
RUN_ID=""
PORT_BASE=""
STARTUP_ONLY=0
WITH_SYSCALLS=0
TW_ONLY=0
declare -a STARTUP_ALSO=()
declare -a SYSCALLS_ALSO=() # --also NAME=PATH for syscalls.sh
CGI_CHILDREN=${BENCH_CGI_CHILDREN:-4}    # fcgiwrap -c N (Debian's default is 1)
GW_WORKERS=${BENCH_GW_WORKERS:-1}        # processes of our CGI gateway (it is concurrent inside)
KA_CONNS=${BENCH_KA_CONNS:-16}           # nginx `keepalive N` of the keep-alive upstreams (as shipped:
                                         # nginx/demo.sh and nginx/sites/fcgi-host-example)
KA_THREADS=${BENCH_KA_THREADS:-16}       # hello.fcgi --threads N in the fh-fcgi-4-ka-mt pool
WRK_TIMEOUT=${BENCH_WRK_TIMEOUT:-2s}     # wrk --timeout: a slower reply counts as an error

usage() {
  cat <<EOF
usage: $0 BUILD_DIR [options]
  --targets LIST       comma-separated target names or globs (default: all; see --list)
  --concurrency LIST   wrk connections per run (default: $CONCURRENCY)
  --duration D         wrk duration per run, e.g. 5s (default: $DURATION)
  --reps N             repetitions, interleaved across targets (default: $REPS)
  --warmup D           one warm-up run per target before measuring (default: $WARMUP; 0 = none)
  --quick              1-minute smoke run: concurrency 1,32, 1s, 1 rep, no warm-up; writes to
                       BUILD_DIR/bench-work/report/ unless --out is given; the report marks its
                       numbers as indicative
  --out DIR            where benchmarks.md and bench/ go (default: ROOT/docs)
  --no-micro           do not run the Google Benchmark micro-benchmark (with --merge: the
                       micro-benchmark results already in OUT/bench are kept)
  --merge / --no-merge keep the rows of OUT/bench/results.csv for the targets this run does not
                       measure (each row names its run; the report shows every run kept).
                       Default: --merge with --targets, --no-merge for a full run
  --port-base N        nginx on 127.0.0.1:N, the backend pools on N+1, N+2, ... (default: free
                       ports picked at run time); a port in that range already in use is an error
  --startup-only       only the CGI start-up measurement (hyperfine), printed as a table; the
                       report is not rewritten
  --startup-also PATH  one more CGI binary to time beside the others (e.g. the hello.cgi of
                       another build); repeatable
  --with-syscalls      after the matrix and the start-up table, count system calls per request of
                       the canned responder and hello.fcgi (tests/bench/syscalls.sh: strace, and
                       perf stat on the syscall tracepoints where perf can read them) and put
                       the counts in the report, so that they come from the same session
  --syscalls-also NAME=PATH  one more FastCGI worker for --with-syscalls (e.g. the hello.fcgi of
                       another build); repeatable
  --trafficwatch-only  only trafficwatch's section (ingest vs GoAccess, burst to alert): run it
                       and replace that section of OUT/benchmarks.md
  --list               print the targets (and the skipped ones) and exit
  --report-only        render the report of the last run in BUILD_DIR/bench-work again
Environment: BENCH_CGI_CHILDREN (fcgiwrap -c, $CGI_CHILDREN), BENCH_GW_WORKERS ($GW_WORKERS),
BENCH_KA_CONNS (upstream keepalive, $KA_CONNS), BENCH_KA_THREADS (hello.fcgi --threads in the
fh-fcgi-4-ka-mt pool, $KA_THREADS), BENCH_WRK_TIMEOUT ($WRK_TIMEOUT).
EOF
}

parse_args() {
  [ $# -ge 1 ] || { usage >&2; exit 2; }
  case $1 in -h | --help) usage; exit 0 ;; esac
  BUILD=$(cd "$1" && pwd) || { echo "no build dir: $1" >&2; exit 2; }
  shift
  local quick_conc="" quick_dur="" quick_reps="" quick_warm="" out_given=0
  while [ $# -gt 0 ]; do
    case $1 in
      --targets) TARGETS=$2; shift ;;
      --concurrency) CONCURRENCY=$2; quick_conc=1; shift ;;
      --duration) DURATION=$2; quick_dur=1; shift ;;
      --reps) REPS=$2; quick_reps=1; shift ;;
      --warmup) WARMUP=$2; quick_warm=1; shift ;;
      --out) OUT=$2; out_given=1; shift ;;
      --quick) QUICK=1 ;;
      --no-micro) NO_MICRO=1 ;;
      --merge) MERGE=1 ;;
      --no-merge) MERGE=0 ;;
      --port-base) PORT_BASE=$2; shift ;;
      --startup-only) STARTUP_ONLY=1 ;;
      --with-syscalls) WITH_SYSCALLS=1 ;;
      --syscalls-also) SYSCALLS_ALSO+=(--also "$2"); shift ;;
      --trafficwatch-only) TW_ONLY=1 ;;
      --startup-also) STARTUP_ALSO+=("$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"); shift ;;
      --list) LIST_ONLY=1 ;;
      --report-only) REPORT_ONLY=1 ;;
      -h | --help) usage; exit 0 ;;
      *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
  done
  if [ $QUICK -eq 1 ]; then
    [ -n "$quick_conc" ] || CONCURRENCY="1,32"
    [ -n "$quick_dur" ] || DURATION="1s"
    [ -n "$quick_reps" ] || REPS=1
    [ -n "$quick_warm" ] || WARMUP=0
    [ $out_given -eq 1 ] || OUT=$BUILD/bench-work/report
  fi
  [ -n "$OUT" ] || OUT=$ROOT/docs
  if [ "$MERGE" = auto ]; then
    MERGE=0
    [ "$TARGETS" = all ] || MERGE=1
  fi
  [[ $REPS =~ ^[1-9][0-9]*$ ]] || { echo "--reps must be a positive integer" >&2; exit 2; }
  [[ $CONCURRENCY =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || { echo "bad --concurrency" >&2; exit 2; }
  if [ -n "$PORT_BASE" ]; then
    [[ $PORT_BASE =~ ^[1-9][0-9]*$ ]] && [ "$PORT_BASE" -ge 1024 ] && [ "$PORT_BASE" -le 65000 ] \
      || { echo "--port-base must be a port number in 1024..65000" >&2; exit 2; }
  fi
}

# --- small helpers ---------------------------------------------------------------------------
log() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }
warn() { printf '\033[33m!! %s\033[0m\n' "$*" >&2; }

# seconds D: "5s" / "2m" / "5" -> whole seconds.
seconds() {
  case $1 in
    *ms) echo 1 ;;
    *s) echo "${1%s}" ;;
    *m) echo $((${1%m} * 60)) ;;
    *) echo "$1" ;;
  esac
}

# hms S: 754 -> "12m34s".
hms() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# --- processes: everything we start is tracked by pid (+ start time, against pid reuse) ----
declare -a TRACKED=()
declare -A TRACKED_START=()

proc_start() { # start time of PID in clock ticks (field 22 of /proc/PID/stat), or nothing
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  stat=${stat##*) }
  awk '{print $20}' <<<"$stat"
}

track() {
  local pid
  for pid in "$@"; do
    TRACKED+=("$pid")
    TRACKED_START[$pid]=$(proc_start "$pid")
  done
}

still_ours() { # PID is alive and is the very process we recorded
  local pid=$1 now
  now=$(proc_start "$pid")
  [ -n "$now" ] && [ "$now" = "${TRACKED_START[$pid]:-}" ]
}

children() { ps -o pid= --ppid "$1" 2>/dev/null | tr -d ' ' || true; }

descendants() {
  local kid
  for kid in $(children "$1"); do
    echo "$kid"
    descendants "$kid"
  done
}

alive() { # PID exists and is not a zombie
  kill -0 "$1" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

# stop_all: TERM every tracked process that is still the one we started (its descendants are
# noted first), wait up to 5 s for them, TERM the descendants left over, KILL what remains.
stop_all() {
  local pid k i ours=() kids=()
  for pid in "${TRACKED[@]}"; do
    still_ours "$pid" || continue
    ours+=("$pid")
    for k in $(descendants "$pid"); do kids+=("$k"); done
  done
  for pid in "${ours[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for i in $(seq 50); do
    k=0
    for pid in "${ours[@]}"; do alive "$pid" && k=1 && break; done
    [ $k -eq 1 ] || break
    sleep 0.1
  done
  for pid in "${kids[@]}"; do alive "$pid" && kill -TERM "$pid" 2>/dev/null; done
  sleep 0.2
  for pid in "${ours[@]}" "${kids[@]}"; do alive "$pid" && kill -KILL "$pid" 2>/dev/null; done
  for pid in "${TRACKED[@]}"; do wait "$pid" 2>/dev/null || true; done
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ ${#TRACKED[@]} -gt 0 ]; then
    log "tearing down ${#TRACKED[@]} tracked processes"
    stop_all
  fi
  exit "$rc"
}

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || true; }

# --- ports -----------------------------------------------------------------------------------
declare -A USED_PORTS=()
PORT=""
# free_port: sets PORT to a TCP port on 127.0.0.1 nobody listens on, below the ephemeral range
# (with --port-base: the next port from the base, which must be free).
NEXT_PORT=""
free_port() {
  local p
  if [ -n "$PORT_BASE" ]; then
    p=${NEXT_PORT:-$PORT_BASE}
    NEXT_PORT=$((p + 1))
    if ss -Htan "( sport = :$p )" 2>/dev/null | grep -q .; then
      echo "port $p (--port-base $PORT_BASE) is in use on this machine" >&2
      return 1
    fi
    USED_PORTS[$p]=1
    PORT=$p
    return 0
  fi
  while :; do
    p=$((20000 + RANDOM % 12000))
    [ -z "${USED_PORTS[$p]:-}" ] || continue
    ss -Htan "( sport = :$p )" 2>/dev/null | grep -q . && continue
    USED_PORTS[$p]=1
    PORT=$p
    return 0
  done
}

wait_listen() { # PORT [TIMEOUT_S]: until something listens on 127.0.0.1:PORT
  local port=$1 tries=$((${2:-15} * 10))
  while [ "$tries" -gt 0 ]; do
    ss -Htln "( sport = :$port )" 2>/dev/null | grep -q . && return 0
    sleep 0.1
    tries=$((tries - 1))
  done
  return 1
}

wait_socket() { # PATH [TIMEOUT_S]: until a unix socket exists at PATH
  local tries=$((${2:-15} * 10))
  while [ "$tries" -gt 0 ]; do
    [ -S "$1" ] && return 0
    sleep 0.1
    tries=$((tries - 1))
  done
  return 1
}

# --- paths of what we measure ----------------------------------------------------------------
WORK=""
HELLO_FCGI="" HELLO_CGI="" SPAWN="" GATEWAY="" PHP_FPM="" MICRO=""
SUPERVISOR_NOTE=""

resolve_binaries() {
  WORK=$BUILD/bench-work
  HELLO_FCGI=$BUILD/apps/hello/hello.fcgi
  HELLO_CGI=$BUILD/cgi-bin/hello.cgi
  SPAWN=$BUILD/spawn/spawn
  GATEWAY=$BUILD/spawn/cgi-gateway
  PHP_FPM=$(find /usr/sbin -maxdepth 1 -name 'php-fpm*' -type f 2>/dev/null | sort | tail -n1 || true)
  MICRO=$(find "$BUILD/tests/bench" -type f -executable \( -name '*micro*' -o -name '*bench*' \) \
    -not -path '*/CMakeFiles/*' -not -name '*.sh' 2>/dev/null | sort | head -n1 || true)
  if [ -x "$SPAWN" ]; then
    SUPERVISOR_NOTE=""
  else
    SUPERVISOR_NOTE=" (under Debian spawn-fcgi: $SPAWN not built)"
  fi
}

# compile_baselines: the plain C hellos, built here with cc (not CMake) into WORK/bin.
compile_baselines() {
  mkdir -p "$WORK/bin"
  cc -O2 -o "$WORK/bin/hello_plain_fcgi" "$MATRIX/hello_plain_fcgi.c" -lfcgi
  cc -O2 -Wall -Wextra -o "$WORK/bin/canned_fcgi" "$MATRIX/canned_fcgi.c"
  cc -O2 -static -o "$WORK/bin/hello_plain_cgi" "$MATRIX/hello_plain_cgi.c"
  cc -O2 -o "$WORK/bin/hello_plain_cgi_dyn" "$MATRIX/hello_plain_cgi.c"
}

# --- pools: one backend each (a process group of workers listening on one port) -------------
declare -a POOL_NAMES=()
declare -A P_KIND=() P_N=() P_CMD=() P_PORT=() P_PIDS=() P_DESC=() P_UNIX=()
SEP=$'\x1f'

# add_pool NAME KIND N DESCRIPTION CMD...  KIND: spawnfcgi | supervisor | cgigw | php | gunicorn
# (cgigw: CMD is the cgi-bin directory; spawn --cgi-dir runs our gateway over it)
add_pool() {
  local name=$1 kind=$2 n=$3 desc=$4
  shift 4
  POOL_NAMES+=("$name")
  P_KIND[$name]=$kind P_N[$name]=$n P_DESC[$name]=$desc
  P_CMD[$name]=$(IFS=$SEP; echo "$*")
}

pool_cmd() {
  IFS=$SEP read -r -a CMD <<<"${P_CMD[$1]}"
  bind_args "$1"
}

# bind_args POOL: BIND=(spawn/spawn-fcgi flags): TCP on 127.0.0.1, or a unix socket (mode 0666:
# nginx's workers do not run as the user that owns it) for pools marked with P_UNIX.
bind_args() {
  if [ -n "${P_UNIX[$1]:-}" ]; then
    BIND=(-s "$(pool_socket "$1")" -M 0666)
  else
    BIND=(-a 127.0.0.1 -p "${P_PORT[$1]}")
  fi
}

pool_socket() { echo "$WORK/sock/$1.sock"; }

start_spawnfcgi() { # POOL: spawn-fcgi binds the socket and forks N workers (exec with N = 1)
  local pool=$1 n=${P_N[$1]} out pids
  pool_cmd "$pool"
  if [ "$n" -eq 1 ]; then
    spawn-fcgi "${BIND[@]}" -n -- "${CMD[@]}" \
      >>"$WORK/logs/$pool.log" 2>&1 &
    pids=$!
  else
    out=$(spawn-fcgi "${BIND[@]}" -F "$n" -- "${CMD[@]}" 2>&1)
    echo "$out" >>"$WORK/logs/$pool.log"
    pids=$(sed -n 's/.*PID: \([0-9]*\).*/\1/p' <<<"$out" | tr '\n' ' ')
  fi
  # shellcheck disable=SC2086 # pids is a list
  track $pids
  P_PIDS[$pool]=$pids
}

# Our pools run as the user running the bench: started as root, spawn would drop its children to
# fcgi-host/nobody, who cannot read the run's 0600 app configs (the bench measures the framework,
# not the privilege drop; the peers run as the bench's user too).
AS_US=(-u "$(id -un)" -g "$(id -gn)")

start_supervisor() { # POOL: our spawn (or Debian's spawn-fcgi until spawn is built)
  local pool=$1
  if [ ! -x "$SPAWN" ]; then
    start_spawnfcgi "$pool"
    return
  fi
  pool_cmd "$pool"
  "$SPAWN" "${BIND[@]}" "${AS_US[@]}" -F "${P_N[$pool]}" -n -- "${CMD[@]}" \
    >>"$WORK/logs/$pool.log" 2>&1 &
  track $!
  P_PIDS[$pool]=$!
}

start_cgigw() { # POOL: our CGI gateway the shipped way (spawn --cgi-dir), else under spawn-fcgi
  local pool=$1 dir
  pool_cmd "$pool"
  dir=${CMD[0]}
  if [ ! -x "$SPAWN" ]; then
    P_CMD[$pool]=$(IFS=$SEP; echo "$GATEWAY${SEP}--cgi-dir${SEP}$dir")
    start_spawnfcgi "$pool"
    return
  fi
  "$SPAWN" "${BIND[@]}" "${AS_US[@]}" -F "${P_N[$pool]}" -n --cgi-dir "$dir" \
    >>"$WORK/logs/$pool.log" 2>&1 &
  track $!
  P_PIDS[$pool]=$!
}

start_php() { # POOL: php-fpm in the foreground, pm = static, our own config
  local pool=$1 conf=$WORK/php/$1.conf root_flag=()
  mkdir -p "$WORK/php"
  {
    echo "[global]"
    echo "pid = $WORK/php/$pool.pid"
    echo "error_log = $WORK/logs/$pool.log"
    echo "daemonize = no"
    echo "[bench]"
    if [ "$(id -u)" -eq 0 ]; then echo "user = root"; echo "group = root"; fi
    echo "listen = 127.0.0.1:${P_PORT[$pool]}"
    echo "listen.backlog = 1024"
    echo "pm = static"
    echo "pm.max_children = ${P_N[$pool]}"
    echo "pm.max_requests = 0"
    echo "access.log = /dev/null"
    echo "catch_workers_output = yes"
  } >"$conf"
  [ "$(id -u)" -eq 0 ] && root_flag=(-R)
  "$PHP_FPM" -F -y "$conf" "${root_flag[@]}" >>"$WORK/logs/$pool.log" 2>&1 &
  track $!
  P_PIDS[$pool]=$!
}

start_gunicorn() { # POOL: gunicorn sync workers serving matrix/flask_hello.py
  local pool=$1
  gunicorn --chdir "$MATRIX" -w "${P_N[$pool]}" -k sync -b "127.0.0.1:${P_PORT[$pool]}" \
    --backlog 1024 --error-logfile - flask_hello:app \
    >>"$WORK/logs/$pool.log" 2>&1 &
  track $!
  P_PIDS[$pool]=$!
}

# wait_workers POOL: until the pool shows its N worker processes (gunicorn boots them late).
wait_workers() {
  local pool=$1 tries=100
  while [ "$tries" -gt 0 ]; do
    [ "$(pool_workers "$pool" | wc -w)" -ge "${P_N[$pool]}" ] && return 0
    sleep 0.1
    tries=$((tries - 1))
  done
  return 1
}

# pool_workers POOL: the processes that serve requests: a master's children, else the pids.
pool_workers() {
  local pid kids
  for pid in ${P_PIDS[$1]}; do
    kids=$(children "$pid")
    if [ -n "$kids" ]; then echo "$kids"; else echo "$pid"; fi
  done
}

start_pool() {
  local pool=$1
  free_port || return 1
  P_PORT[$pool]=$PORT
  case ${P_KIND[$pool]} in
    spawnfcgi) start_spawnfcgi "$pool" ;;
    supervisor) start_supervisor "$pool" ;;
    cgigw) start_cgigw "$pool" ;;
    php) start_php "$pool" ;;
    gunicorn) start_gunicorn "$pool" ;;
    *) echo "unknown pool kind ${P_KIND[$pool]}" >&2; return 1 ;;
  esac
  if [ -n "${P_UNIX[$pool]:-}" ]; then
    wait_socket "$(pool_socket "$pool")" 15 || return 1
  else
    wait_listen "${P_PORT[$pool]}" 15 || return 1
  fi
  [ "${P_KIND[$pool]}" = spawnfcgi ] || wait_workers "$pool" || return 1
}

# --- targets ---------------------------------------------------------------------------------
declare -a TARGET_NAMES=() SKIPPED=()
declare -A T_POOL=() T_KIND=() T_LABEL=() T_SCRIPT=() T_PATH=() T_METHOD=() T_BODY=() T_CTYPE=()
declare -A T_EXPECT=() T_APP=() T_COOKIE=()

# add_target NAME POOL KIND LABEL [SCRIPT]  KIND: return | fcgi | fcgi-ka | cgi | php | http
add_target() {
  TARGET_NAMES+=("$1")
  T_POOL[$1]=$2 T_KIND[$1]=$3 T_LABEL[$1]=$4 T_SCRIPT[$1]=${5:-} T_PATH[$1]=/
}

skip_target() { SKIPPED+=("$1${SEP}$2"); }

define_targets() {
  local n c_plain_fcgi=$WORK/bin/hello_plain_fcgi c_plain_cgi=$WORK/bin/hello_plain_cgi
  add_target nginx "" return "nginx \`return 200\` (ceiling)"

  for n in 2 4; do
    if [ -x "$HELLO_FCGI" ]; then
      add_pool "fh$n" supervisor "$n" "hello.fcgi, $n workers" "$HELLO_FCGI"
      add_target "fh-fcgi-$n" "fh$n" fcgi "ours: hello.fcgi, spawn -F $n$SUPERVISOR_NOTE"
    else
      skip_target "fh-fcgi-$n" "$HELLO_FCGI not built"
    fi
  done
  if [ -x "$HELLO_FCGI" ]; then
    add_pool fh4u supervisor 4 "hello.fcgi, 4 workers, unix socket" "$HELLO_FCGI"
    P_UNIX[fh4u]=1
    add_target fh-fcgi-4-unix fh4u fcgi "ours: hello.fcgi, spawn -F 4, unix socket$SUPERVISOR_NOTE"
  else
    skip_target fh-fcgi-4-unix "$HELLO_FCGI not built"
  fi
  if [ -x "$HELLO_FCGI" ]; then
    # Two keep-alive pools: 4 threads per worker and KA_THREADS per worker. A loop that gave
    # each kept connection a thread could be pinned by the nginx workers x `keepalive` idle
    # connections nginx may hold; ours parks idle connections in epoll, and the pair shows it.
    add_pool fh4ka supervisor 4 "hello.fcgi --threads 4, 4 workers, kept connections" \
      "$HELLO_FCGI" --threads 4
    add_target fh-fcgi-4-ka fh4ka fcgi-ka \
      "ours: hello.fcgi --threads 4, spawn -F 4, nginx keep-alive$SUPERVISOR_NOTE"
    add_pool fh4kamt supervisor 4 "hello.fcgi --threads $KA_THREADS, 4 workers, kept connections" \
      "$HELLO_FCGI" --threads "$KA_THREADS"
    add_target fh-fcgi-4-ka-mt fh4kamt fcgi-ka \
      "ours: hello.fcgi --threads $KA_THREADS, spawn -F 4, nginx keep-alive$SUPERVISOR_NOTE"
  else
    skip_target fh-fcgi-4-ka "$HELLO_FCGI not built"
    skip_target fh-fcgi-4-ka-mt "$HELLO_FCGI not built"
  fi
  if [ -x "$HELLO_FCGI" ]; then
    # The shipped shape (nginx/demo.sh): a unix socket, nginx keep-alive, the default threads.
    add_pool fh2uka supervisor 2 "hello.fcgi, 2 workers, unix socket, kept connections" \
      "$HELLO_FCGI"
    P_UNIX[fh2uka]=1
    add_target fh-fcgi-2-unix-ka fh2uka fcgi-ka \
      "ours: hello.fcgi, spawn -F 2, unix socket, nginx keep-alive (as shipped)$SUPERVISOR_NOTE"
  else
    skip_target fh-fcgi-2-unix-ka "$HELLO_FCGI not built"
  fi

  if [ -x "$HELLO_CGI" ] && [ -x "$GATEWAY" ]; then
    add_pool gw cgigw "$GW_WORKERS" "cgi-gateway, $GW_WORKERS process(es)" \
      "$(dirname "$HELLO_CGI")"
    add_target fh-cgi-gw gw cgi "ours: hello.cgi through our CGI gateway$SUPERVISOR_NOTE" \
      "$HELLO_CGI"
  else
    skip_target fh-cgi-gw "$HELLO_CGI or $GATEWAY not built"
  fi
  add_pool fcgiwrap spawnfcgi 1 "fcgiwrap -c $CGI_CHILDREN" /usr/sbin/fcgiwrap -c "$CGI_CHILDREN"
  if [ -x "$HELLO_CGI" ]; then
    add_target fh-cgi-fcgiwrap fcgiwrap cgi "ours: hello.cgi through fcgiwrap -c $CGI_CHILDREN" \
      "$HELLO_CGI"
  else
    skip_target fh-cgi-fcgiwrap "$HELLO_CGI not built"
  fi
  add_target c-cgi-fcgiwrap fcgiwrap cgi "plain C CGI (static) through fcgiwrap -c $CGI_CHILDREN" \
    "$c_plain_cgi"
  add_target c-cgi-dyn-fcgiwrap fcgiwrap cgi \
    "plain C CGI (dynamic libc) through fcgiwrap -c $CGI_CHILDREN" "${c_plain_cgi}_dyn"

  for n in 2 4; do
    add_pool "c$n" spawnfcgi "$n" "plain C libfcgi, $n workers" "$c_plain_fcgi"
    add_target "c-fcgi-$n" "c$n" fcgi "plain C libfcgi, spawn-fcgi -F $n"
  done
  add_pool c4u spawnfcgi 4 "plain C libfcgi, 4 workers, unix socket" "$c_plain_fcgi"
  P_UNIX[c4u]=1
  add_target c-fcgi-4-unix c4u fcgi "plain C libfcgi, spawn-fcgi -F 4, unix socket"
  add_pool c4ka spawnfcgi 4 "plain C libfcgi, 4 workers, kept connections" "$c_plain_fcgi"
  add_target c-fcgi-4-ka c4ka fcgi-ka "plain C libfcgi, spawn-fcgi -F 4, nginx keep-alive"

  define_limit_targets

  for n in 2 4; do
    if [ -n "$PHP_FPM" ]; then
      add_pool "php$n" php "$n" "php-fpm pm=static, $n children"
      add_target "php-$n" "php$n" php "PHP-FPM, pm = static, $n children" "$MATRIX/hello.php"
    else
      skip_target "php-$n" "php-fpm not installed"
    fi
  done
  for n in 2 4; do
    if command -v gunicorn >/dev/null; then
      add_pool "flask$n" gunicorn "$n" "gunicorn, $n sync workers"
      add_target "flask-$n" "flask$n" http "Flask under gunicorn, $n sync workers"
    else
      skip_target "flask-$n" "gunicorn not installed"
    fi
  done

  define_app_targets
}

# --- the FastCGI limit ---------------------------------------------------------------------
# One limit-* target per (processes, transport, keep-alive) that a FastCGI target of the matrix
# uses: the canned responder (matrix/canned_fcgi.c, under spawn-fcgi like the plain C baselines)
# behind the same nginx. It does the protocol and nothing else, so what it reaches is what nginx
# and the transport leave for any backend; report.py shows every FastCGI target as a fraction of
# the limit of the same shape. Fields: name | processes | tcp or unix | ka or no.
LIMIT_TARGETS=(
  "limit-2|2|tcp|no"       # fh-fcgi-2, c-fcgi-2, php-2
  "limit-4|4|tcp|no"       # fh-fcgi-4, c-fcgi-4, php-4, app-*-fcgi
  "limit-4-unix|4|unix|no" # fh-fcgi-4-unix, c-fcgi-4-unix
  "limit-4-ka|4|tcp|ka"    # fh-fcgi-4-ka, fh-fcgi-4-ka-mt, c-fcgi-4-ka
  "limit-2-unix-ka|2|unix|ka" # fh-fcgi-2-unix-ka (the shipped shape)
)

define_limit_targets() {
  local line name n transport ka pool what kind
  for line in "${LIMIT_TARGETS[@]}"; do
    IFS='|' read -r name n transport ka <<<"$line"
    pool=$name
    what="FastCGI limit: canned responder, spawn-fcgi -F $n"
    kind=fcgi
    if [ "$transport" = unix ]; then
      what="$what, unix socket"
      P_UNIX[$pool]=1
    fi
    if [ "$ka" = ka ]; then
      what="$what, nginx keep-alive"
      kind=fcgi-ka
    fi
    add_pool "$pool" spawnfcgi "$n" "canned FastCGI responder, $n processes" \
      "$WORK/bin/canned_fcgi"
    add_target "$name" "$pool" "$kind" "$what"
  done
}

# --- hook: our apps' real endpoints (SQLite read, SQLite write, template page) ---------------
# One line per endpoint, fields separated by '|':
#   name | what it measures | FastCGI binary (relative to BUILD) | CGI binary (relative to BUILD)
#   | request path (the app's route) | method | body | content type | expected status
# Each line becomes two targets, app-NAME-fcgi (under spawn -F 4) and app-NAME-cgi (through our
# gateway), compared in the "Apps" table. A line whose binaries are missing is skipped with a note
# in the report; an endpoint whose check request does not answer the expected status (2xx if
# none is given) is marked failed there. With an expected status, wrk counts every other status
# as an error (err_status; wrk alone only counts statuses > 399).
# A body containing @UNIQ@ is built per request by wrk_report.lua, @UNIQ@ -> RUN-tTHREAD-nCOUNT,
# so a create endpoint makes a distinct row every time.
# Every app gets WORK/apps/APP.ini (a random session secret, db.path in WORK/apps, plus what
# app_ini_APP adds), used by the FastCGI pool through APP_CONFIG_FILE and by the CGI program as
# APP.ini beside a copy of it in WORK/apps/cgi-bin (a CGI gateway passes no environment of its
# own; the front ends read NAME.ini beside the binary when APP_CONFIG_FILE is unset). Per app,
# optional functions: app_ini_APP (extra INI lines), app_setup_APP (seed data, before the pools
# start), app_signin_APP (after nginx is up: sets APP_COOKIE[APP], sent by wrk as Cookie).
APP_ENDPOINTS=(
  "site-page|template page: site GET /page|apps/site/site.fcgi|cgi-bin/site.cgi|/page|GET|||200"
  "accounts-read|SQLite read: accounts GET /api/users/1 (signed in)|apps/accounts/accounts.fcgi|cgi-bin/accounts.cgi|/api/users/1|GET|||200"
  "accounts-write|SQLite write: accounts POST /api/users, a new user per request (signed in)|apps/accounts/accounts.fcgi|cgi-bin/accounts.cgi|/api/users|POST|{\"name\":\"bench @UNIQ@\",\"email\":\"@UNIQ@@bench.invalid\",\"password\":\"bench-password\"}|application/json|201"
)
declare -a APP_NAMES=()
declare -A APP_CGI=() APP_COOKIE=()
ACCOUNTS_ADMIN=""
BENCH_USER_EMAIL=bench-reader@bench.invalid
BENCH_USER_PASSWORD=bench-password-0

# accounts: POST /api/users hashes the new user's password (argon2id) before the INSERT, so the
# write endpoint costs SQLite + one hash per request. `minimum` keeps the hash a few microseconds
# (libsodium's OPSLIMIT_MIN/MEMLIMIT_MIN): the number is then about the framework and SQLite, not
# argon2id. The shipped default (`interactive`, 64 MiB per hash) would bound it at a few
# hashes/s per core; never use `minimum` outside tests and benchmarks.
app_ini_accounts() {
  printf '[password]\ncost = minimum\n'
}

# accounts: create the database and the signed-in user (user 1, the one the read endpoint gets).
# An admin (made by accounts-admin, the only way): only admins may POST /api/users.
app_setup_accounts() {
  local ini=$WORK/apps/accounts.ini
  ACCOUNTS_ADMIN=$BUILD/apps/accounts/accounts-admin
  [ -x "$ACCOUNTS_ADMIN" ] || { warn "$ACCOUNTS_ADMIN not built"; return 1; }
  "$ACCOUNTS_ADMIN" --config "$ini" init >>"$WORK/logs/accounts-admin.log" 2>&1
  printf '%s\n' "$BENCH_USER_PASSWORD" | "$ACCOUNTS_ADMIN" --config "$ini" create-user --admin \
    --name "Bench Reader" --email "$BENCH_USER_EMAIL" --password-stdin \
    >>"$WORK/logs/accounts-admin.log" 2>&1
}

# accounts: one sign-in with curl through nginx (the location of the first accounts target), the
# session cookie (name=value) kept for wrk. FastCGI and CGI share the INI, so one cookie serves
# both.
app_signin_accounts() {
  local t url hdr
  for t in "${TARGET_NAMES[@]}"; do
    [ "${T_APP[$t]:-}" = accounts ] && [ -z "${FAILED[$t]:-}" ] && break
    t=""
  done
  [ -n "$t" ] || return 0
  url=$URL_BASE/t/$t/api/sign/in
  hdr=$(curl -sS -o "$WORK/signin.body" -D - --max-time 10 -H 'Content-Type: application/json' \
    --data "{\"email\":\"$BENCH_USER_EMAIL\",\"password\":\"$BENCH_USER_PASSWORD\"}" "$url" \
    2>>"$WORK/logs/signin.log" || true)
  APP_COOKIE[accounts]=$(tr -d '\r' <<<"$hdr" | sed -n 's/^[Ss]et-[Cc]ookie: *\([^;]*\).*/\1/p' | head -n1)
  if [ -z "${APP_COOKIE[accounts]}" ]; then
    warn "accounts sign-in through $url gave no cookie: $(head -n1 <<<"$hdr") $(head -c 200 "$WORK/signin.body" 2>/dev/null)"
    return 1
  fi
  log "accounts: signed in as $BENCH_USER_EMAIL through /t/$t (cookie ${APP_COOKIE[accounts]%%=*})"
}

# prepare_app_env: config files, seed data and CGI copies for the app endpoints (WORK/apps is
# fresh: the previous run's databases are gone).
prepare_app_env() {
  local app secret t
  [ ${#APP_NAMES[@]} -gt 0 ] || return 0
  mkdir -p "$WORK/apps/cgi-bin"
  secret=$(head -c 48 /dev/urandom | base64 -w0)
  for app in "${APP_NAMES[@]}"; do
    {
      printf '[session]\nsecret = %s\n[db]\npath = %s\n' "$secret" "$WORK/apps/$app.db"
      if declare -F "app_ini_$app" >/dev/null; then "app_ini_$app"; fi
    } >"$WORK/apps/$app.ini"
    chmod 600 "$WORK/apps/$app.ini"
    cp "${APP_CGI[$app]}" "$WORK/apps/$app.ini" "$WORK/apps/cgi-bin/"
    # An app's templates sit beside its binaries as NAME.templates/ (fh_add_app puts them there).
    if [ -d "${APP_CGI[$app]%.cgi}.templates" ]; then
      cp -r "${APP_CGI[$app]%.cgi}.templates" "$WORK/apps/cgi-bin/"
    fi
    if declare -F "app_setup_$app" >/dev/null && ! "app_setup_$app"; then
      for t in "${TARGET_NAMES[@]}"; do
        [ "${T_APP[$t]:-}" = "$app" ] && FAILED[$t]="setup of $app failed (see $WORK/logs)"
      done
    fi
  done
}

# app_signins: after nginx is up, the sign-ins of the apps that need a session.
app_signins() {
  local app t
  for app in "${APP_NAMES[@]}"; do
    declare -F "app_signin_$app" >/dev/null || continue
    if ! "app_signin_$app"; then
      for t in "${TARGET_NAMES[@]}"; do
        [ "${T_APP[$t]:-}" = "$app" ] && [ -z "${FAILED[$t]:-}" ] \
          && FAILED[$t]="could not sign in to $app (see $WORK/signin.body)"
      done
      continue
    fi
    for t in "${TARGET_NAMES[@]}"; do
      [ "${T_APP[$t]:-}" = "$app" ] && T_COOKIE[$t]=${APP_COOKIE[$app]:-}
    done
  done
}

define_app_targets() {
  local line name what fcgi cgi path method body ctype expect t app
  for line in "${APP_ENDPOINTS[@]}"; do
    IFS='|' read -r name what fcgi cgi path method body ctype expect <<<"$line"
    if [ ! -x "$BUILD/$fcgi" ] || [ ! -x "$BUILD/$cgi" ] || [ ! -x "$GATEWAY" ]; then
      skip_target "app-$name" "$BUILD/$fcgi, $BUILD/$cgi or the gateway not built"
      continue
    fi
    app=$(basename "$cgi" .cgi)
    APP_CGI[$app]=$BUILD/$cgi
    add_pool "app-$name" supervisor 4 "$fcgi, 4 workers" \
      /usr/bin/env "APP_CONFIG_FILE=$WORK/apps/$app.ini" "$BUILD/$fcgi"
    add_target "app-$name-fcgi" "app-$name" fcgi "$what, FastCGI (spawn -F 4)"
    add_pool "app-$name-gw" cgigw "$GW_WORKERS" "cgi-gateway" "$WORK/apps/cgi-bin"
    add_target "app-$name-cgi" "app-$name-gw" cgi "$what, CGI (our gateway)" \
      "$WORK/apps/cgi-bin/$app.cgi"
    for t in "app-$name-fcgi" "app-$name-cgi"; do
      T_PATH[$t]=$path T_METHOD[$t]=$method T_BODY[$t]=$body T_CTYPE[$t]=$ctype
      T_EXPECT[$t]=$expect T_APP[$t]=$app
    done
  done
}

# app_names: the apps of the selected targets (after select_targets).
app_names() {
  local t
  APP_NAMES=()
  for t in "${TARGET_NAMES[@]}"; do
    [ -n "${T_APP[$t]:-}" ] || continue
    [[ " ${APP_NAMES[*]} " == *" ${T_APP[$t]} "* ]] || APP_NAMES+=("${T_APP[$t]}")
  done
}

# select_targets: keep the targets matching --targets (names or globs, comma-separated).
select_targets() {
  [ "$TARGETS" = all ] && return 0
  local kept=() t pat pats
  IFS=, read -r -a pats <<<"$TARGETS"
  for t in "${TARGET_NAMES[@]}"; do
    for pat in "${pats[@]}"; do
      # shellcheck disable=SC2053 # glob match on purpose
      if [[ $t == $pat ]]; then kept+=("$t"); break; fi
    done
  done
  [ ${#kept[@]} -gt 0 ] || { echo "no target matches --targets $TARGETS" >&2; exit 2; }
  TARGET_NAMES=("${kept[@]}")
}

used_pools() {
  local t
  for t in "${TARGET_NAMES[@]}"; do [ -n "${T_POOL[$t]}" ] && echo "${T_POOL[$t]}"; done | sort -u
}

# --- nginx -----------------------------------------------------------------------------------
NGINX_PORT="" NGINX_PID=""

# params_for TARGET: our targets use the shipped nginx/snippets/fcgi-host-params.conf when present.
params_for() {
  if [[ $1 == fh-* || $1 == app-* ]] && [ -f "$ROOT/nginx/snippets/fcgi-host-params.conf" ]; then
    echo fastcgi_params.fcgi-host
  else
    echo fastcgi_params
  fi
}

location_for() { # TARGET: the nginx location block of one target
  local t=$1 pool=${T_POOL[$1]} script=${T_SCRIPT[$1]}
  echo "location /t/$t/ {"
  case ${T_KIND[$t]} in
    return)
      printf '    return 200 "Hello, world\\n";\n'
      ;;
    fcgi | fcgi-ka)
      # Our pools get the location nginx/nginx.sh ships (its params file, split into
      # SCRIPT_NAME=/t/NAME and PATH_INFO=/rest); the plain C pools the bench's own params.
      echo "    include $WORK/nginx/$(params_for "$t");"
      echo "    fastcgi_split_path_info ^(/t/$t)(/.*)\$;"
      echo "    fastcgi_param SCRIPT_NAME \$fastcgi_script_name;"
      echo "    fastcgi_param PATH_INFO \$fastcgi_path_info;"
      [ "${T_KIND[$t]}" = fcgi-ka ] && echo "    fastcgi_keep_conn on;"
      echo "    fastcgi_pass up_$pool;"
      ;;
    cgi | php)
      local name
      name=$(basename "$script")
      [ "${T_KIND[$t]}" = cgi ] && name=cgi-bin/$name
      # REQUEST_URI as a client would send it for this script (the params copy lacks it).
      echo "    include $WORK/nginx/$(params_for "$t").script;"
      local pinfo=${T_PATH[$t]}
      [ "$pinfo" != / ] || pinfo=""
      if [ -n "${T_APP[$t]:-}" ]; then
        # App endpoints: the path after /t/NAME goes to the program as PATH_INFO (the measured
        # route, and /api/sign/in for the one sign-in before the runs).
        echo "    fastcgi_split_path_info ^(/t/$t)(/.*)\$;"
        pinfo=\$fastcgi_path_info
      fi
      echo "    fastcgi_param REQUEST_URI \"/$name$pinfo\";"
      echo "    fastcgi_param SCRIPT_FILENAME \"$script\";"
      echo "    fastcgi_param SCRIPT_NAME \"/$name\";"
      echo "    fastcgi_param PATH_INFO \"$pinfo\";"
      echo "    fastcgi_pass up_$pool;"
      ;;
    http)
      echo "    proxy_pass http://up_$pool/;"
      ;;
  esac
  echo "}"
}

write_nginx_conf() {
  local dir=$WORK/nginx t pool
  mkdir -p "$dir/tmp" "$dir/logs"
  cp "$MATRIX/fastcgi_params" "$dir/fastcgi_params"
  [ ! -f "$ROOT/nginx/snippets/fcgi-host-params.conf" ] || cp "$ROOT/nginx/snippets/fcgi-host-params.conf" "$dir/fastcgi_params.fcgi-host"
  local f
  for f in "$dir"/fastcgi_params*; do grep -v '^fastcgi_param *REQUEST_URI ' "$f" >"$f.script"; done
  sed -e "s|@WORK@|$dir|g" -e "s|@PORT@|$NGINX_PORT|g" -e "s|@NGINX_WORKERS@|auto|g" \
    "$MATRIX/nginx.conf.in" >"$dir/nginx.conf"
  : >"$dir/upstreams.conf"
  for pool in $(used_pools); do
    {
      echo "upstream up_$pool {"
      if [ -n "${P_UNIX[$pool]:-}" ]; then
        echo "    server unix:$(pool_socket "$pool");"
      else
        echo "    server 127.0.0.1:${P_PORT[$pool]};"
      fi
      if used_with_keepalive "$pool"; then echo "    keepalive $KA_CONNS;"; fi
      echo "}"
    } >>"$dir/upstreams.conf"
  done
  : >"$dir/locations.conf"
  for t in "${TARGET_NAMES[@]}"; do location_for "$t" >>"$dir/locations.conf"; done
}

used_with_keepalive() {
  local t
  for t in "${TARGET_NAMES[@]}"; do
    [ "${T_POOL[$t]}" = "$1" ] && [ "${T_KIND[$t]}" = fcgi-ka ] && return 0
  done
  return 1
}

start_nginx() {
  local dir=$WORK/nginx
  /usr/sbin/nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" -t -q \
    || { cat "$dir/error.log" >&2; return 1; }
  /usr/sbin/nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" >>"$WORK/logs/nginx.log" 2>&1 &
  NGINX_PID=$!
  track "$NGINX_PID"
  wait_listen "$NGINX_PORT" 10
}

# --- measuring -------------------------------------------------------------------------------
URL_BASE=""
CSV=""
declare -A FAILED=()

target_url() { echo "$URL_BASE/t/$1${T_PATH[$1]}"; }

# check_target T: one request through nginx must answer 200 with "Hello" (app endpoints: their
# expected status, else any 2xx; a body with @UNIQ@ gets a unique value). Retries for 5 s while
# a backend boots.
check_target() {
  local t=$1 code body tries=25 data want
  want=${T_EXPECT[$t]:-}
  while [ "$tries" -gt 0 ]; do
    data=${T_BODY[$t]:-}
    data=${data//@UNIQ@/check-$t-$tries-$RANDOM}
    code=$(curl -sS -o "$WORK/check.body" -w '%{http_code}' --max-time 5 \
      -X "${T_METHOD[$t]:-GET}" ${data:+--data "$data"} \
      ${T_CTYPE[$t]:+-H "Content-Type: ${T_CTYPE[$t]}"} \
      ${T_COOKIE[$t]:+-H "Cookie: ${T_COOKIE[$t]}"} "$(target_url "$t")" 2>/dev/null || true)
    body=$(head -c 200 "$WORK/check.body" 2>/dev/null || true)
    if [ -n "$want" ]; then
      [ "$code" = "$want" ] && return 0
    elif [[ $code == 2* ]] && { [[ $t == app-* ]] || grep -qi hello <<<"$body"; }; then
      return 0
    fi
    sleep 0.2
    tries=$((tries - 1))
  done
  FAILED[$t]="check request answered HTTP ${code:-none}${want:+ (expected $want)}: $(tr '\n' ' ' <<<"$body" | cut -c1-80)"
  return 1
}

# rss_of_target T: "WORKERS MEAN_KIB MAX_KIB" of the processes serving T right now.
rss_of_target() {
  local t=$1 pids pid r n=0 sum=0 max=0
  if [ "${T_KIND[$t]}" = return ]; then pids=$(children "$NGINX_PID"); else pids=$(pool_workers "${T_POOL[$t]}"); fi
  for pid in $pids; do
    r=$(rss_kib "$pid")
    [ -n "$r" ] || continue
    n=$((n + 1)) sum=$((sum + r))
    [ "$r" -gt "$max" ] && max=$r
  done
  [ "$n" -gt 0 ] && echo "$n $((sum / n)) $max" || echo "0 0 0"
}

# wrk_run T C DURATION OUTFILE: one wrk run through nginx (output: wrk's text + WRK_RESULT).
wrk_run() {
  local t=$1 c=$2 d=$3 out=$4 threads tag
  tag=${out##*/}
  tag=${tag%.txt}
  threads=$NCPU
  [ "$c" -lt "$threads" ] && threads=$c
  BENCH_METHOD=${T_METHOD[$t]:-} BENCH_BODY=${T_BODY[$t]:-} BENCH_CTYPE=${T_CTYPE[$t]:-} \
    BENCH_COOKIE=${T_COOKIE[$t]:-} BENCH_EXPECT=${T_EXPECT[$t]:-} \
    BENCH_TAG=$tag \
    timeout --foreground $(($(seconds "$d") + 60)) wrk -t "$threads" -c "$c" -d "$d" --timeout "$WRK_TIMEOUT" \
    --latency -s "$MATRIX/wrk_report.lua" "$(target_url "$t")" >"$out" 2>&1 || true
}

field() { sed -n "s/.*[ ]$1=\([0-9]*\).*/\1/p" <<<"$2"; }

RUN_NO=0 RUN_TOTAL=0 T0=0

# measure T C REP: one measured run, one CSV row, one progress line.
measure() {
  local t=$1 c=$2 rep=$3 out line req dur rps p50 p90 p99 pmax econ erd ewr est eto errs rss
  RUN_NO=$((RUN_NO + 1))
  out=$WORK/runs/$t-c$c-r$rep.txt
  wrk_run "$t" "$c" "$DURATION" "$out"
  line=$(grep '^WRK_RESULT' "$out" || echo "WRK_RESULT requests=0 duration_us=1")
  req=$(field requests "$line") dur=$(field duration_us "$line")
  p50=$(field p50_us "$line") p90=$(field p90_us "$line") p99=$(field p99_us "$line")
  pmax=$(field max_us "$line")
  econ=$(field connect "$line") erd=$(field read "$line") ewr=$(field write "$line")
  est=$(field status "$line") eto=$(field timeout "$line")
  # With an expected status, every other status is an error (wrk's own count: > 399 only).
  [ -z "${T_EXPECT[$t]:-}" ] || est=$(field unexpected "$line")
  errs=$((${econ:-0} + ${erd:-0} + ${ewr:-0} + ${est:-0} + ${eto:-0}))
  rps=$(awk -v r="$req" -v d="$dur" 'BEGIN { printf "%.1f", (d > 0 ? r * 1e6 / d : 0) }')
  read -r -a rss <<<"$(rss_of_target "$t")"
  printf '%s,%d,%s,%d,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%d,%d,%d,%d\n' \
    "$(date -u +%FT%TZ)" "$rep" "$t" "$c" "$(seconds "$DURATION")" "${req:-0}" "$rps" \
    "${p50:-0}" "${p90:-0}" "${p99:-0}" "${pmax:-0}" "${econ:-0}" "${erd:-0}" "${ewr:-0}" \
    "${est:-0}" "${eto:-0}" "$errs" "${rss[0]}" "${rss[1]}" "${rss[2]}" >>"$CSV"
  progress "$t" "$c" "$rep" "$rps" "${p50:-0}" "${p99:-0}" "$errs" "${rss[2]}"
}

progress() {
  local t=$1 c=$2 rep=$3 rps=$4 p50=$5 p99=$6 errs=$7 rss_kib=$8 el left err_txt
  el=$(($(date +%s) - T0))
  left=$((el * (RUN_TOTAL - RUN_NO) / RUN_NO))
  err_txt="errors 0"
  [ "$errs" -gt 0 ] && err_txt=$'\033[31m'"errors $errs"$'\033[0m'
  printf '[%3d/%d] %-18s c=%-4s rep %d/%d %9.0f req/s  p50 %8.2f ms  p99 %8.2f ms  %s  rss/worker %5.1f MiB  (%s, ~%s left)\n' \
    "$RUN_NO" "$RUN_TOTAL" "$t" "$c" "$rep" "$REPS" "$rps" \
    "$(awk -v v="$p50" 'BEGIN{print v/1000}')" "$(awk -v v="$p99" 'BEGIN{print v/1000}')" \
    "$err_txt" "$(awk -v v="$rss_kib" 'BEGIN{print v/1024}')" "$(hms "$el")" "$(hms "$left")"
}

# run_matrix: for each repetition, every target at every concurrency; the target order rotates
# by one per repetition so no target always runs right after the same neighbour.
run_matrix() {
  local rep i k t c n=${#TARGET_NAMES[@]} concs
  IFS=, read -r -a concs <<<"$CONCURRENCY"
  RUN_TOTAL=$((n * ${#concs[@]} * REPS))
  T0=$(date +%s)
  for ((rep = 1; rep <= REPS; rep++)); do
    for ((k = 0; k < n; k++)); do
      i=$(((k + rep - 1) % n))
      t=${TARGET_NAMES[$i]}
      [ -z "${FAILED[$t]:-}" ] || continue
      for c in "${concs[@]}"; do measure "$t" "$c" "$rep"; done
    done
  done
}

warm_up() {
  local t
  [ "$(seconds "$WARMUP")" -gt 0 ] || return 0
  log "warming up each target for $WARMUP"
  for t in "${TARGET_NAMES[@]}"; do
    [ -z "${FAILED[$t]:-}" ] || continue
    wrk_run "$t" 8 "$WARMUP" "$WORK/runs/$t-warmup.txt"
  done
}

# measure_startup FILE: CGI start-up, fork+exec+answer+exit of each CGI binary run directly (no
# gateway), side by side with hyperfine -N (posix_spawn, as our gateway starts scripts), in a
# clean CGI environment. STARTUP_ROUNDS rounds of STARTUP_RUNS runs each, the order of the
# binaries rotated per round so that a change in the machine's load hits all of them alike.
# FILE gets "name<TAB>linkage<TAB>KiB<TAB>mean ms<TAB>sd ms<TAB>median ms<TAB>min ms<TAB>runs"
# lines (report.py: the "CGI start-up" table); the raw hyperfine JSON stays in WORK/startup/.
STARTUP_ROUNDS=${BENCH_STARTUP_ROUNDS:-5}
STARTUP_RUNS=${BENCH_STARTUP_RUNS:-300}
measure_startup() {
  local out=$1 bins=() bin r k n warm=50 rounds=$STARTUP_ROUNDS runs=$STARTUP_RUNS order
  : >"$out"
  if ! command -v hyperfine >/dev/null; then
    warn "hyperfine not installed: no CGI start-up measurement (./run bench installs it)"
    return 0
  fi
  [ $QUICK -eq 1 ] && rounds=2 runs=100 warm=20
  for bin in "$WORK/bin/hello_plain_cgi" "$WORK/bin/hello_plain_cgi_dyn" "$HELLO_CGI" \
    "${STARTUP_ALSO[@]}"; do
    [ -x "$bin" ] && bins+=("$bin")
  done
  [ ${#bins[@]} -gt 0 ] || return 0
  rm -rf "$WORK/startup"
  mkdir -p "$WORK/startup"
  n=${#bins[@]}
  for ((r = 0; r < rounds; r++)); do
    order=()
    for ((k = 0; k < n; k++)); do order+=("${bins[$(((k + r) % n))]}"); done
    # The CGI meta-variables a gateway would pass for GET /cgi-bin/hello.cgi/, nothing else.
    env -i PATH=/usr/bin:/bin GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET \
      SCRIPT_NAME=/cgi-bin/hello.cgi PATH_INFO=/ QUERY_STRING= SERVER_PROTOCOL=HTTP/1.1 \
      SERVER_NAME=127.0.0.1 SERVER_PORT=80 REMOTE_ADDR=127.0.0.1 SERVER_SOFTWARE=bench \
      hyperfine -N --style none --warmup "$warm" --runs "$runs" --output null \
      --export-json "$WORK/startup/round-$r.json" "${order[@]}" >>"$WORK/logs/startup.log" 2>&1 \
      || { warn "hyperfine failed (see $WORK/logs/startup.log)"; return 0; }
  done
  for bin in "${bins[@]}"; do
    local link=dynamic
    file -L "$bin" 2>/dev/null | grep -q 'statically linked' && link=static
    ldd "$bin" >/dev/null 2>&1 || link=static
    python3 - "$bin" "$WORK/startup" <<'PY' | sed "s|^|${bin#"$BUILD"/}\t$link\t$(($(stat -c %s "$bin") / 1024))\t|" >>"$out"
import glob, json, statistics, sys
times = []
for f in sorted(glob.glob(sys.argv[2] + "/round-*.json")):
    for r in json.load(open(f))["results"]:
        if r["command"] == sys.argv[1]:
            times += r["times"]
ms = [t * 1e3 for t in times]
print("%.4f\t%.4f\t%.4f\t%.4f\t%d" % (statistics.mean(ms), statistics.stdev(ms),
                                      statistics.median(ms), min(ms), len(ms)))
PY
  done
}

run_micro() {
  local dest=$1
  if [ $NO_MICRO -eq 1 ]; then
    [ "$MERGE" -eq 1 ] || rm -f "$dest"
    return 0
  fi
  rm -f "$dest"
  if [ -z "$MICRO" ]; then
    warn "no micro-benchmark binary under $BUILD/tests/bench (build with -DFH_BUILD_BENCH=ON)"
    return 0
  fi
  log "running the micro-benchmark $MICRO"
  local min=0.5
  [ $QUICK -eq 1 ] && min=0.05
  "$MICRO" --benchmark_format=json --benchmark_min_time="$min" >"$dest" 2>"$WORK/logs/micro.log" \
    || { warn "micro-benchmark failed (see $WORK/logs/micro.log)"; rm -f "$dest"; }
  scrub_paths "$dest" # no machine paths in docs/
}

# scrub_paths FILE...: names the build dir BUILD and the checkout ROOT instead of this machine's
# paths, in place (files that do not exist are skipped).
scrub_paths() {
  local f
  for f in "$@"; do [ ! -f "$f" ] || sed -i "s|$BUILD|BUILD|g; s|$ROOT|ROOT|g" "$f"; done
}

# --- trafficwatch: ingest vs GoAccess, burst to alert (trafficwatch_bench.py) ---------------
# run_trafficwatch: writes WORK/trafficwatch.md (a report section); a failure is a warning.
run_trafficwatch() {
  rm -f "$WORK/trafficwatch.md"
  [ -x "$BUILD/apps/trafficwatch/trafficwatch-ingest" ] \
    || { warn "trafficwatch-ingest not built: its section is left out"; return 0; }
  local args=()
  [ $QUICK -eq 1 ] && args=(--lines 200000 --reps 1 --bursts 2)
  log "trafficwatch: ingest of a generated log vs GoAccess (one core), burst to alert"
  python3 "$HERE/trafficwatch_bench.py" "$BUILD" "$WORK/trafficwatch" "$WORK/trafficwatch.md" \
    "${args[@]}" || { warn "trafficwatch bench failed: its section is left out"; rm -f "$WORK/trafficwatch.md"; }
}

# add_trafficwatch_section MD: puts WORK/trafficwatch.md into MD between its markers (replacing
# an older one), or at the end.
add_trafficwatch_section() {
  [ -f "$WORK/trafficwatch.md" ] && [ -f "$1" ] || return 0
  python3 - "$1" "$WORK/trafficwatch.md" <<'PY'
import sys
md, sec = open(sys.argv[1]).read(), open(sys.argv[2]).read()
a, b = '<!-- trafficwatch: tests/bench/trafficwatch_bench.py -->', '<!-- /trafficwatch -->'
block = a + '\n' + sec.rstrip() + '\n' + b + '\n'
if a in md and b in md:
    md = md[:md.index(a)] + block + md[md.index(b) + len(b):].lstrip('\n')
else:
    md = md.rstrip() + '\n\n' + block
open(sys.argv[1], 'w').write(md)
PY
}

# --- the report ------------------------------------------------------------------------------
pkg_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo "not installed"; }

describe_machine() { # -> markdown on stdout (the report's "Machine" section)
  local cpu mem load pkg
  cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
  mem=$(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  echo "- CPU: ${cpu:-unknown}, $NCPU cores online; memory $mem"
  echo "- Kernel: $(uname -srm); $(sed -n 's/^PRETTY_NAME="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' /etc/os-release)"
  echo "- Load average before the run: $LOAD_BEFORE; after: $load (other work on the machine adds noise)"
  echo "- Repository: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (working tree has changes)')"
  echo "- Run: concurrency $CONCURRENCY, $DURATION per run, $REPS repetition(s) interleaved across targets (order rotated per repetition), warm-up $WARMUP per target; wrk $(pkg_version wrk), threads = min(connections, cores), --timeout $WRK_TIMEOUT"
  echo "- Kernel settings: somaxconn $(cat /proc/sys/net/core/somaxconn), tcp_tw_reuse $(cat /proc/sys/net/ipv4/tcp_tw_reuse), ephemeral ports $(tr '\t' '-' </proc/sys/net/ipv4/ip_local_port_range)"
  echo "- Packages:"
  for pkg in nginx-light php8.2-fpm php8.2-opcache gunicorn python3-flask libfcgi0ldbl fcgiwrap spawn-fcgi wrk gcc; do
    echo "  $pkg $(pkg_version "$pkg");"
  done
  echo "- Backends: fcgiwrap -c $CGI_CHILDREN; our gateway \`spawn --cgi-dir -F $GW_WORKERS\` with its default threads; keep-alive upstreams \`keepalive $KA_CONNS\` + \`fastcgi_keep_conn on\`; every FastCGI pool on its own TCP port on 127.0.0.1 (nginx opens a new connection per request unless keep-alive); PHP-FPM with opcache as packaged; gunicorn sync workers behind \`proxy_pass\`."
  echo "- Supervisor: $( [ -x "$SPAWN" ] && echo "our spawn (BUILD/${SPAWN#"$BUILD"/})" || echo "**our spawn not built: our targets ran under Debian's spawn-fcgi**")"
}

# collect_report_inputs ARGS: what the report needs besides the CSV, kept in WORK so that
# --report-only can render the last run again (after a change to report.py or charts.gp).
collect_report_inputs() {
  local meta=$WORK/meta.md skipped=$WORK/skipped.tsv targets_tsv=$WORK/targets.tsv s t f
  echo "./run bench $*" >"$WORK/command.txt"
  echo "$RUN_ID" >"$WORK/run_id.txt"
  describe_machine >"$meta"
  : >"$skipped"
  for s in "${SKIPPED[@]}"; do printf '%s\t%s\n' "${s%%"$SEP"*}" "${s#*"$SEP"}" >>"$skipped"; done
  for t in "${!FAILED[@]}"; do printf '%s\t%s\n' "$t" "${FAILED[$t]}" >>"$skipped"; done
  : >"$targets_tsv"
  # name, kind, label, then for FastCGI targets the shape report.py matches limits by:
  # transport (tcp | unix) and worker processes.
  local transport procs pool
  for t in "${TARGET_NAMES[@]}"; do
    transport="" procs="" pool=${T_POOL[$t]}
    if [[ ${T_KIND[$t]} == fcgi* || ${T_KIND[$t]} == php ]]; then
      transport=tcp
      [ -z "${P_UNIX[$pool]:-}" ] || transport=unix
      procs=${P_N[$pool]}
    fi
    printf '%s\t%s\t%s\t%s\t%s\n' "$t" "${T_KIND[$t]}" "${T_LABEL[$t]}" "$transport" "$procs" \
      >>"$targets_tsv"
  done
  {
    echo "# generated by tests/bench/bench.sh: the nginx configuration of the run"
    cat "$WORK/nginx/nginx.conf" "$WORK/nginx/upstreams.conf"
  } >"$WORK/nginx-settings.txt"
  for f in locations.conf fastcgi_params fastcgi_params.fcgi-host; do
    [ ! -f "$WORK/nginx/$f" ] || cat "$WORK/nginx/$f"
  done >"$WORK/nginx-locations.txt"
}

# render_report: docs/benchmarks.md + results.csv + SVG charts from the files of the last run.
render_report() {
  local out_md=$OUT/benchmarks.md data=$OUT/bench
  if [ ! -f "$WORK/results.csv" ] || [ ! -f "$WORK/meta.md" ]; then
    echo "no finished run in $WORK to report on" >&2
    exit 1
  fi
  mkdir -p "$data" "$WORK/plot"
  # The recorded run names the build dir BUILD and the checkout ROOT, never this machine's paths.
  scrub_paths "$WORK/nginx-settings.txt" "$WORK/nginx-locations.txt" "$WORK/skipped.tsv" \
    "$WORK/meta.md"
  local merge_args=()
  [ "$MERGE" -eq 1 ] && [ -f "$data/results.csv" ] && merge_args=(--previous "$data/results.csv")
  python3 "$MATRIX/report.py" --csv "$WORK/results.csv" --csv-out "$data/results.csv" \
    "${merge_args[@]}" --run-id "$(cat "$WORK/run_id.txt" 2>/dev/null || true)" \
    --runs-dir "$data/runs" --targets "$WORK/targets.tsv" \
    --skipped "$WORK/skipped.tsv" --meta "$WORK/meta.md" --nginx "$WORK/nginx-settings.txt" \
    --locations "$WORK/nginx-locations.txt" --micro "$data/micro.json" \
    --startup "$WORK/startup.tsv" --syscalls "$WORK/syscalls-strace.txt" \
    --syscalls-perf "$WORK/syscalls-perf.txt" --datadir "$WORK/plot" --out "$out_md" \
    --command "$(cat "$WORK/command.txt")"
  add_trafficwatch_section "$out_md"
  if command -v gnuplot >/dev/null; then
    gnuplot -e "datadir='$WORK/plot'; outdir='$data'" "$MATRIX/charts.gp" \
      || warn "gnuplot failed: charts not updated"
  else
    warn "gnuplot not installed: no charts"
  fi
  log "report: $out_md (CSV $data/results.csv, charts $data/*.svg)"
}

# measure_syscalls: with --with-syscalls, syscalls.sh's side-by-side counts (strace; perf stat
# too where the syscall tracepoints can be read) into WORK/syscalls-*.txt for the report.
measure_syscalls() {
  local counter
  rm -f "$WORK"/syscalls-*.txt
  [ "$WITH_SYSCALLS" -eq 1 ] || return 0
  for counter in strace perf; do
    if [ "$counter" = perf ] && ! perf stat -e syscalls:sys_enter_getpid -- true >/dev/null 2>&1; then
      warn "perf cannot read the syscall tracepoints: syscalls counted with strace only"
      continue
    fi
    log "counting system calls per request ($counter)"
    if BENCH_KA_CONNS=$KA_CONNS "$HERE/syscalls.sh" "$BUILD" --counter "$counter" "${SYSCALLS_ALSO[@]}" >"$WORK/syscalls-$counter.log" 2>&1; then
      cp "$BUILD/bench-work/syscalls/per-request.txt" "$WORK/syscalls-$counter.txt"
    else
      warn "syscalls.sh --counter $counter failed (see $WORK/syscalls-$counter.log)"
    fi
  done
}

# --- main ------------------------------------------------------------------------------------
NCPU=$(nproc)
LOAD_BEFORE=""
ARGS_TEXT=""

list_targets() {
  local t s
  for t in "${TARGET_NAMES[@]}"; do printf '%-18s %s\n' "$t" "${T_LABEL[$t]}"; done
  for s in "${SKIPPED[@]}"; do printf '%-18s SKIPPED: %s\n' "${s%%"$SEP"*}" "${s#*"$SEP"}"; done
}

main() {
  ARGS_TEXT="${*:2}"
  parse_args "$@"
  resolve_binaries
  for tool in nginx wrk spawn-fcgi curl python3 ss cc; do
    command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] \
      || { echo "missing tool: $tool (./run bench installs it)" >&2; exit 1; }
  done
  mkdir -p "$WORK"
  if [ $REPORT_ONLY -eq 1 ]; then render_report; exit 0; fi
  if [ $TW_ONLY -eq 1 ]; then
    run_trafficwatch
    add_trafficwatch_section "$OUT/benchmarks.md"
    exit 0
  fi
  if [ $STARTUP_ONLY -eq 1 ]; then
    mkdir -p "$WORK/logs"
    compile_baselines
    log "measuring CGI start-up (hyperfine: each CGI binary run directly, side by side)"
    measure_startup "$WORK/startup-only.tsv"
    {
      printf 'binary\tlinkage\tKiB\tmean_ms\tsd_ms\tmedian_ms\tmin_ms\truns\n'
      cat "$WORK/startup-only.tsv"
    } | column -t -s $'\t'
    exit 0
  fi
  define_targets
  select_targets
  if [ $LIST_ONLY -eq 1 ]; then list_targets; exit 0; fi

  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
  rm -rf "$WORK/runs" "$WORK/logs" "$WORK/plot" "$WORK/nginx" "$WORK/sock" "$WORK/apps"
  mkdir -p "$WORK/runs" "$WORK/logs" "$WORK/plot" "$WORK/sock" "$OUT/bench"
  log "compiling the plain C baselines into $WORK/bin"
  compile_baselines
  app_names
  prepare_app_env

  local pool t
  free_port || exit 1 # nginx's port first: with --port-base it is the base itself
  NGINX_PORT=$PORT
  log "starting the backend pools: $(used_pools | tr '\n' ' ')"
  for pool in $(used_pools); do
    start_pool "$pool" || {
      warn "pool $pool did not come up (log: $WORK/logs/$pool.log)"
      for t in "${TARGET_NAMES[@]}"; do
        [ "${T_POOL[$t]}" = "$pool" ] && FAILED[$t]="backend did not start (${P_DESC[$pool]})"
      done
    }
  done
  write_nginx_conf
  log "starting nginx on 127.0.0.1:$NGINX_PORT (prefix $WORK/nginx)"
  start_nginx || { warn "nginx did not start"; exit 1; }
  URL_BASE=http://127.0.0.1:$NGINX_PORT
  app_signins
  for t in "${TARGET_NAMES[@]}"; do
    [ -n "${FAILED[$t]:-}" ] || check_target "$t" || warn "target $t fails its check: ${FAILED[$t]}"
  done

  CSV=$WORK/results.csv
  echo "time,rep,target,concurrency,duration_s,requests,rps,p50_us,p90_us,p99_us,max_us,err_connect,err_read,err_write,err_status,err_timeout,errors,workers,rss_kib_mean,rss_kib_max" >"$CSV"
  RUN_ID=$(date -u +%FT%H:%MZ)
  warm_up
  log "measuring: ${#TARGET_NAMES[@]} targets x concurrency $CONCURRENCY x $REPS reps, $DURATION each"
  run_matrix
  log "matrix done in $(hms $(($(date +%s) - T0)))"
  log "measuring CGI start-up (hyperfine: each CGI binary run directly, side by side)"
  measure_startup "$WORK/startup.tsv"
  measure_syscalls
  run_micro "$OUT/bench/micro.json"
  run_trafficwatch
  collect_report_inputs "$ARGS_TEXT"
  render_report
}

main "$@"
