#!/usr/bin/env bash
# nginx.sh: run Debian's nginx as a plain user process for fcgi-host: render the config from
# nginx.conf.in and the shipped snippets (snippets/, conf.d/: what the package installs into
# /etc/nginx), start it (foreground child, pid file under the run dir), reload, stop.
# Never touches /etc/nginx, /var/log/nginx or a system service. Each app location logs to
# RUN_DIR/logs/sites/NAME.log (format fh_traffic, for trafficwatch), the CGI location to
# RUN_DIR/logs/sites/cgi-bin.log; RUN_DIR/logs/access.log has every request.
#
#   nginx.sh conf RUN_DIR --port N [--static DIR] [--read-timeout 60s] [--keepalive N]
#            [--app NAME=UPSTREAM]... [--cgi UPSTREAM] [--status NAME=CONTROL_SOCKET]...
#            [--user USER:GROUP] [--fail-timeout 10s]
#       --user: the user the workers run as when nginx is started as root (default: root's own)
#       UPSTREAM: unix:/path.sock or 127.0.0.1:PORT, or several joined by commas: one pool on
#       several hosts (an upstream with max_fails=1 fail_timeout=--fail-timeout (10s) per
#       server; a request that fails to connect or to get an answer header moves on to the next
#       server, except non-idempotent ones: POST, LOCK, PATCH)
#       --keepalive N: keep up to N idle connections per nginx worker to each --app pool
#       (upstream keepalive + fastcgi_keep_conn on; 0 = off, the default). Only for pools of
#       fcgi-host workers (leader/follower loop; give the pool keepalive=on in spawn), never for
#       plain libfcgi apps. The CGI location never keeps connections.
#   nginx.sh start RUN_DIR      starts nginx (daemon off) in the background, prints its pid once
#                               nginx has bound its port; exits 98 if another process holds it
#   nginx.sh stop RUN_DIR       graceful stop (QUIT), then TERM/KILL after 5 s
#   nginx.sh reload RUN_DIR     HUP
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NGINX=${NGINX:-/usr/sbin/nginx}

usage() { sed -n '2,23p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2; }

conf() {
  local run=$1; shift
  local port=8080 static="" cgi="" read_timeout=60s apps="" status="" upstreams="" keepalive=0
  local run_user="" fail_timeout=10s
  local app_specs=() spec
  while [ $# -gt 0 ]; do
    case $1 in
      --port) port=$2; shift 2 ;;
      --keepalive)
        [[ $2 =~ ^[0-9]+$ ]] || { echo "nginx.sh conf: --keepalive needs a number" >&2; exit 2; }
        keepalive=$2; shift 2 ;;
      --static) static=$2; shift 2 ;;
      --read-timeout) read_timeout=$2; shift 2 ;;
      --cgi) cgi=$2; shift 2 ;;
      --user) run_user=$2; shift 2 ;;
      --fail-timeout) fail_timeout=$2; shift 2 ;;
      --app) app_specs+=("$2"); shift 2 ;;
      --status)
        local sname=${2%%=*} sock=${2#*=}
        status+="        location = /status/$sname {
            allow 127.0.0.1;
            deny all;
            proxy_pass http://unix:$sock:/status;
        }
        location = /status/$sname/metrics {
            allow 127.0.0.1;
            deny all;
            proxy_pass http://unix:$sock:/metrics;
        }
"
        shift 2 ;;
      *) echo "nginx.sh conf: unknown option $1" >&2; exit 2 ;;
    esac
  done
  for spec in "${app_specs[@]}"; do
    local name=${spec%%=*} up=${spec#*=} pass keep=""
    pass=$up
    if [[ $up == *,* ]]; then
      # One pool on several hosts: nginx spreads requests over them, takes a failed server out
      # for fail_timeout, and retries idempotent requests on the next one.
      pass=fh_$name
      local servers="" s
      for s in ${up//,/ }; do servers+="        server $s max_fails=1 fail_timeout=$fail_timeout;
"; done
      local ka_line=""
      [ "$keepalive" -le 0 ] || ka_line="        keepalive $keepalive;
"
      upstreams+="    upstream fh_$name {
$servers$ka_line    }
"
      keep="
            fastcgi_next_upstream error timeout;"
      [ "$keepalive" -le 0 ] || keep+="
            fastcgi_keep_conn on;"
    elif [ "$keepalive" -gt 0 ]; then
      # Kept connections need a named upstream; safe only with leader/follower workers.
      pass=fh_$name
      upstreams+="    upstream fh_$name {
        server $up;
        keepalive $keepalive;
        # Below the workers' --idle-timeout (60 s): nginx lets a kept connection go first.
        keepalive_timeout 50s;
    }
"
      keep="
            fastcgi_keep_conn on;"
    fi
    apps+="        # FastCGI pool '$name': /$name/... reaches the app's route /...; its own access log.
        location /$name/ {
            include snippets/fcgi-host-pool.conf;
            access_log $run/logs/access.log fh_traffic;
            access_log $run/logs/sites/$name.log fh_traffic;$keep
            fastcgi_pass $pass;
        }
        location = /$name {
            return 301 /$name/;
        }
"
  done
  [ -n "$static" ] || static=$run/htdocs
  [ -n "$cgi" ] || cgi=unix:$run/cgi.sock
  mkdir -p "$run"/logs/sites "$run"/tmp "$static" "$run"/snippets "$run"/conf.d
  # The shipped snippets, at the same paths relative to nginx.conf as in /etc/nginx.
  cp "$HERE"/snippets/*.conf "$run"/snippets/
  cp "$HERE"/conf.d/*.conf "$run"/conf.d/
  # Started as root, nginx runs its workers as --user USER:GROUP (the demo: the user spawn's
  # workers run as, who can reach their sockets); without it as the invoking user (tests).
  local user_directive="# workers run as the invoking user"
  if [ "$(id -u)" -eq 0 ]; then
    if [ -n "$run_user" ]; then
      user_directive="user ${run_user%%:*} ${run_user#*:};"
    else
      user_directive="user $(id -un) $(id -gn);"
    fi
  fi
  UD=$user_directive UPSTREAMS=$upstreams APPS=$apps STATUS=$status RUN=$run PORT=$port STATIC=$static CGI=$cgi RT=$read_timeout \
    python3 - "$HERE"/nginx.conf.in "$run"/nginx.conf <<'PY'
import os, sys
s = open(sys.argv[1]).read()
for k, v in {"@UPSTREAMS@": os.environ["UPSTREAMS"], "@APP_LOCATIONS@": os.environ["APPS"],
             "@STATUS_LOCATIONS@": os.environ["STATUS"],
             "@RUN@": os.environ["RUN"], "@PORT@": os.environ["PORT"],
             "@STATIC@": os.environ["STATIC"], "@CGI_UPSTREAM@": os.environ["CGI"],
             "@READ_TIMEOUT@": os.environ["RT"], "@USER_DIRECTIVE@": os.environ["UD"]}.items():
    s = s.replace(k, v)
open(sys.argv[2], "w").write(s)
PY
  "$NGINX" -t -q -p "$run" -c "$run"/nginx.conf -e "$run"/logs/error.log
}

start() {
  local run=$1
  [ -x "$NGINX" ] || { echo "nginx not found at $NGINX (Debian package nginx-light)" >&2; exit 77; }
  "$NGINX" -p "$run" -c "$run"/nginx.conf -e "$run"/logs/error.log -g 'daemon off;' \
    </dev/null >>"$run"/logs/nginx.out 2>&1 &
  local pid=$! end=$((SECONDS + 30))
  # nginx writes its pid file once it has bound its port(s).
  until [ -s "$run"/nginx.pid ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      if grep -q "failed (98: Address already in use)" "$run"/logs/error.log 2>/dev/null; then
        echo "nginx.sh: nginx's port is in use by another process" >&2
        exit 98
      fi
      cat "$run"/logs/nginx.out "$run"/logs/error.log >&2 2>/dev/null || true
      exit 1
    fi
    if [ $SECONDS -ge $end ]; then
      echo "nginx.sh: nginx wrote no pid file within 30 s; stopping it" >&2
      kill -TERM "$pid" 2>/dev/null || true
      cat "$run"/logs/nginx.out "$run"/logs/error.log >&2 2>/dev/null || true
      exit 1
    fi
    sleep 0.1
  done
  echo "$pid"
}

stop() {
  local run=$1 pid i
  pid=$(cat "$run"/nginx.pid 2>/dev/null) || return 0
  kill -QUIT "$pid" 2>/dev/null || return 0
  for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}

case ${1:-} in
  conf) shift; [ $# -ge 1 ] || usage; conf "$@" ;;
  start) [ $# -eq 2 ] || usage; start "$2" ;;
  stop) [ $# -eq 2 ] || usage; stop "$2" ;;
  reload) [ $# -eq 2 ] || usage; kill -HUP "$(cat "$2"/nginx.pid)" ;;
  *) usage ;;
esac
