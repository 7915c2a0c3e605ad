# nginx_snippets_test.sh: the shipped nginx files pass `nginx -t` at their installed paths: the
# build is installed into a temporary prefix P, Debian's own /etc/nginx/nginx.conf is copied to
# P/etc/nginx with its /etc/nginx, /var/log and /run paths moved under the test dir, and the
# installed example site (P/etc/nginx/sites-available/fcgi-host-example) is enabled there. The
# snippets are included exactly as installed; only the example's log path is moved.
source "$(dirname "$0")/lib.sh"
need_nginx
[ -f /etc/nginx/nginx.conf ] || skip "Debian's /etc/nginx/nginx.conf (nginx-common) is missing"
P=$T/prefix
install_prefix "$P"
E=$P/etc/nginx
for f in snippets/fcgi-host-params.conf snippets/fcgi-host-pool.conf snippets/fcgi-host-cgi-bin.conf \
  conf.d/fcgi-host-log-format.conf sites-available/fcgi-host-example; do
  [ -f "$E/$f" ] || fail "not installed: etc/nginx/$f"
done
mkdir -p "$T"/log "$E"/sites-enabled "$E"/modules-enabled
cp /etc/nginx/mime.types "$E"/
moved() { sed -e "s|/etc/nginx|$E|g" -e "s|/var/log/nginx|$T/log|g" -e "s|/run/nginx.pid|$T/nginx.pid|g" "$@"; }
moved /etc/nginx/nginx.conf >"$E"/nginx.conf
moved "$E"/sites-available/fcgi-host-example >"$E"/sites-enabled/fcgi-host-example
/usr/sbin/nginx -t -p "$T"/ -c "$E"/nginx.conf -e "$T"/log/error.log >"$T"/t.out 2>&1 \
  || { cat "$T"/t.out >&2; fail "nginx -t on the example site"; }
cat "$T"/t.out
# The site's own access log in the fh_traffic format, the pool and cgi-bin snippets in use.
grep -q "access_log $T/log/fcgi-host-example.log fh_traffic;" "$E"/sites-enabled/fcgi-host-example \
  || fail "example site has no access log of its own in fh_traffic"
/usr/sbin/nginx -T -p "$T"/ -c "$E"/nginx.conf -e "$T"/log/error.log 2>/dev/null >"$T"/full.conf
for want in 'log_format fh_traffic' 'fastcgi_split_path_info' 'fastcgi_param SCRIPT_NAME $uri;' \
  "# configuration file $E/snippets/fcgi-host-pool.conf:"; do
  grep -qF "$want" "$T"/full.conf || fail "effective config lacks: $want"
done
pass "nginx -t: Debian's nginx.conf + installed snippets + example site"
