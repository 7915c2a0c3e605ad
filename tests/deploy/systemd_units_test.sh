# systemd_units_test.sh: the installed systemd units (fcgi-host@.service, fcgi-host-cgi.service)
# pass `systemd-analyze verify` (as the instance fcgi-host@example) with no warning, point at
# the installed spawn, run it as the user fcgi-host with the hardening in place, and reload with
# HUP. Skipped (77) where systemd-analyze is not available.
source "$(dirname "$0")/lib.sh"
command -v systemd-analyze >/dev/null || skip "systemd-analyze not available (Debian package systemd)"
P=$T/prefix
install_prefix "$P"
U=$P/lib/systemd/system
[ -f "$U/fcgi-host@.service" ] && [ -f "$U/fcgi-host-cgi.service" ] || fail "units not installed in lib/systemd/system"
mkdir -p "$T"/units
cp "$U/fcgi-host@.service" "$T/units/fcgi-host@example.service"
cp "$U/fcgi-host-cgi.service" "$T/units/"
for u in "$T/units/fcgi-host@example.service" "$T/units/fcgi-host-cgi.service"; do
  n=$(basename "$u")
  timeout 60 systemd-analyze verify --man=no "$u" >"$T/verify.out" 2>&1 || { cat "$T/verify.out"; fail "systemd-analyze verify $n"; }
  # Warnings (unknown keys, bad values) do not fail verify: none is allowed.
  if grep -v '^$' "$T/verify.out" | has .; then cat "$T/verify.out"; fail "systemd-analyze verify $n warned"; fi
  grep -q "^ExecStart=$P/bin/spawn -n " "$u" || fail "$n does not run the installed spawn"
  for want in 'User=fcgi-host' 'NoNewPrivileges=yes' 'ProtectSystem=strict' 'ProtectHome=yes' \
    'PrivateTmp=yes' 'ReadWritePaths=/run/fcgi-host /var/lib/fcgi-host' \
    'ExecReload=/bin/kill -HUP $MAINPID'; do
    grep -qxF "$want" "$u" || fail "$n lacks $want"
  done
done
grep -q "^ExecStart=.* --config $P/etc/fcgi-host/%i.ini" "$T/units/fcgi-host@example.service" \
  || fail "fcgi-host@ does not read PREFIX/etc/fcgi-host/NAME.ini"
# A unit with a mistake is caught (the check above can fail).
sed 's/^ProtectHome=yes/ProtectHome=maybe-not/' "$T/units/fcgi-host-cgi.service" >"$T/units/broken.service"
timeout 60 systemd-analyze verify --man=no "$T/units/broken.service" >"$T/verify.out" 2>&1 || true
grep -q . "$T/verify.out" || fail "systemd-analyze verify did not notice a bad value"
pass "systemd units verified: fcgi-host@example.service, fcgi-host-cgi.service"
