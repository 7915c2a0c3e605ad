# lib.sh: shared helpers of the deploy tests: a private temp dir, cleanup by pid (and by the
# commands a test registers), bounded waits, and `install_prefix`, which runs `cmake --install`
# of the build into a temporary prefix (what an operator's `cmake --install` would put in place).
set -euo pipefail
: "${BUILD_DIR:?}" "${SOURCE_DIR:?}"
T=$(mktemp -d /tmp/fh-deploy-test.XXXXXX)
PIDS=()
ON_CLEANUP=()
cleanup() {
  local p c
  for c in "${ON_CLEANUP[@]}"; do eval "$c" >/dev/null 2>&1 || true; done
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
  rm -rf "$T"
}
trap cleanup EXIT
# Started as root, spawn runs its workers as fcgi-host or nobody (spawn/src/privileges.hpp): they
# must reach the test dir and write their databases. RUN_USER is that user ("" when not root).
RUN_USER=""
if [ "$(id -u)" -eq 0 ]; then
  if id fcgi-host >/dev/null 2>&1; then RUN_USER=fcgi-host; else RUN_USER=nobody; fi
  chmod 0711 "$T"
fi
# data_dir DIR: makes DIR, writable by the workers.
data_dir() { mkdir -p "$1"; [ -z "$RUN_USER" ] || chown "$RUN_USER" "$1"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
# CMD | has PATTERN: like grep -q, but reads all its input, so that CMD never dies of SIGPIPE
# (which pipefail would turn into a failure).
has() { grep -c "$@" >/dev/null; }
pass() { echo "PASS: $*"; }
skip() { echo "SKIP: $*"; exit 77; }
wait_for() {
  local limit=$1; shift
  local end=$((SECONDS + limit + 1))
  while ! "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $end ] || return 1
    sleep 0.1
  done
}
# free_port, start_on_free_port (a server on a port picked at run time), start_nginx.
source "$(dirname "${BASH_SOURCE[0]}")"/../support/ports.sh
need_nginx() { [ -x /usr/sbin/nginx ] || skip "nginx (nginx-light) not installed"; }
# need_run_user_reach: for a test whose children run as RUN_USER (spawn's workers, the demo started
# as root): skips when RUN_USER cannot reach $T (a parent directory not searchable by others, e.g.
# a chroot whose / is 0700). Tests that never drop privileges run anyway.
need_run_user_reach() {
  [ -z "$RUN_USER" ] || runuser -u "$RUN_USER" -- test -x "$T" ||
    skip "$RUN_USER cannot reach $T (a parent directory is not searchable by others)"
}

# install_prefix DIR: cmake --install of the build into DIR (everything: runtime and dev).
install_prefix() {
  cmake --install "$BUILD_DIR" --prefix "$1" >"$T"/install.log 2>&1 || { cat "$T"/install.log >&2; fail "cmake --install"; }
}
