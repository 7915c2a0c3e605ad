# demo_unprivileged_test.sh: `./run demo` started as root runs nothing as root but its masters:
# spawn's workers, the CGI gateway, the CGI programs it runs (cgi-bin/whoami.sh prints `id`) and
# nginx's workers all run as fcgi-host or nobody:nogroup; each app has its own database file; each app
# location logs to its own access log (logs/sites/NAME.log) in the fh_traffic format. Skipped
# when not root (nothing to drop) or when the demo's parts are not built.
source "$(dirname "$0")/lib.sh"
shopt -s extglob
need_nginx
need_run_user_reach # the demo's apps, CGI programs and nginx workers run as RUN_USER
[ "$(id -u)" -eq 0 ] || skip "not root: the demo runs as the invoking user, nothing to drop"
for f in "$BUILD_DIR"/apps/hello/hello.fcgi "$BUILD_DIR"/cgi-bin/hello.cgi "$BUILD_DIR"/spawn/cgi-gateway; do
  [ -x "$f" ] || skip "$f not built"
done
WANT=$RUN_USER
# A checkout the run user cannot reach (under /root, 0700): the demo stays with root and says so.
runuser -u "$RUN_USER" -- test -x "$BUILD_DIR"/spawn/cgi-gateway ||
  skip "$RUN_USER cannot reach $BUILD_DIR (a parent directory is not searchable by others)"
DEMO=""
session_pids() { ps -eo pid=,sid=,stat= | awk -v s="$DEMO" '$2==s && $3 !~ /^Z/ {print $1}'; }
ON_CLEANUP+=('kill -TERM $DEMO; wait_for 8 bash -c "! kill -0 $DEMO"; for p in $(session_pids); do kill -KILL $p; done')
start_demo HTTP "$T"/demo.out "$T"/demo "$SOURCE_DIR"/nginx/demo.sh "$BUILD_DIR" || fail "demo did not start"
U=http://127.0.0.1:$HTTP

# The CGI program that prints `id` (cgi-bin/whoami.sh, served from the build's cgi-bin).
[ -x "$BUILD_DIR"/cgi-bin/whoami.sh ] || skip "$BUILD_DIR/cgi-bin/whoami.sh not built"
who=$(curl -sf --max-time 10 "$U/cgi-bin/whoami.sh") || fail "GET /cgi-bin/whoami.sh"
[[ $who == "uid="+([0-9])"($WANT) "* ]] || fail "CGI program runs as '$who', want $WANT"
[[ $who != uid=0\(* ]] || fail "CGI program ran as root: $who"
# Through the FastCGI pools and the CGI gateway, with nginx in between.
curl -sf --max-time 10 "$U/hello/hello/x" | has 'Hello, x!' || fail "FastCGI hello"
curl -sf --max-time 10 "$U/cgi-bin/hello.cgi/hello/y" | has 'Hello, y!' || fail "CGI hello"
curl -sf --max-time 10 "$U/status/apps" | has '"name": "hello"' || fail "status through nginx"

# Every process in the demo's session runs as WANT, except the spawn masters and nginx's master.
masters=" $DEMO $(cat "$T"/demo/nginx.pid) $(pgrep -s "$DEMO" -x spawn | tr '\n' ' ') "
bad=""
for p in $(session_pids); do
  case "$masters" in *" $p "*) continue ;; esac
  u=$(ps -o user= -p "$p" 2>/dev/null | tr -d ' ') || continue
  c=$(ps -o comm= -p "$p" 2>/dev/null) || continue
  # demo.sh's own shell and its short-lived helpers (sleep) are the invoking user's.
  case "$c" in demo.sh | sleep | bash) continue ;; esac
  [ -z "$u" ] || [ "$u" = "$WANT" ] || bad+=" $p($c as $u)"
done
[ -z "$bad" ] || { ps -o pid,user,comm,args -s "$DEMO"; fail "processes not dropped to $WANT:$bad"; }
n=$(ps -o user=,comm= -s "$DEMO" | awk -v w="$WANT" '$1==w' | wc -l)
[ "$n" -ge 4 ] || { ps -o pid,user,comm -s "$DEMO"; fail "only $n processes run as $WANT"; }
ps -o user=,args= -s "$DEMO" | has "^$WANT .*nginx: worker process" || fail "nginx workers not as $WANT"

# Each app its own database file (accounts and site shared one before).
grep -h '^path' "$T"/demo/conf/*.ini | sort | uniq -d | has . && fail "two apps share a database"
if [ -x "$BUILD_DIR"/apps/site/site.fcgi ] && [ -x "$BUILD_DIR"/apps/accounts/accounts.fcgi ]; then
  [ -f "$T"/demo/db/accounts.db ] || { ls -l "$T"/demo/db; fail "no accounts database in db/"; }
  grep -qx "path = $T/demo/db/site.db" "$T"/demo/conf/site.ini || fail "site has no database of its own"
fi

# Per-site access logs in fh_traffic: combined + request time + upstream time.
re='^[0-9.]+ - [^ ]+ \[[^]]+\] "[^"]*" [0-9]{3} [0-9]+ "[^"]*" "[^"]*" [0-9]+\.[0-9]{3} ([0-9]+\.[0-9]{3}|-)$'
for site in hello cgi-bin; do
  wait_for 5 test -s "$T/demo/logs/sites/$site.log" || fail "no access log logs/sites/$site.log"
  bad_lines=$(grep -Evc "$re" "$T/demo/logs/sites/$site.log" || true)
  [ "$bad_lines" = 0 ] || { cat "$T/demo/logs/sites/$site.log"; fail "$site.log: lines not in fh_traffic"; }
done
grep -q 'GET /hello/hello/x ' "$T"/demo/logs/sites/hello.log || fail "hello request not in hello.log"
grep -q '"GET /hello/' "$T"/demo/logs/sites/cgi-bin.log && fail "cgi-bin.log has the hello pool's requests"
pass "demo as root: workers, gateway, CGI ($who) and nginx workers as $WANT; a database per app; per-site logs"
