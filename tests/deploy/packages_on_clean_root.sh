#!/usr/bin/env bash
# packages_on_clean_root.sh PACKAGE_DIR: the Debian packages on a clean Debian 12 root (what
# `./run test --full` runs after `./run package`; several minutes, so not in the CTest suite).
# The root is debootstrap's minbase bookworm, cached in /var/tmp/fresh-bookworm.tgz (made by the
# first run, reused by the next). In a chroot: `apt-get install
# ./fcgi-host_*.deb ./fcgi-host-dev_*.deb` (apt pulls the dependencies from Debian), then checks
# the system user fcgi-host, the installed files (spawn, cgi-gateway, snippets, units), `nginx -t`
# with the example site enabled, and builds tests/deploy/outoftree against the installed
# package and runs it as CGI. Needs root. Cleans up its mounts and the root it unpacked.
set -euo pipefail
PKG=$(cd "${1:?usage: packages_on_clean_root.sh PACKAGE_DIR}" && pwd)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (chroot)"; exit 77; }
ls "$PKG"/fcgi-host_*.deb "$PKG"/fcgi-host-dev_*.deb >/dev/null || { echo "no packages in $PKG" >&2; exit 1; }
cache=/var/tmp/fresh-bookworm.tgz
root=$(mktemp -d /var/tmp/fh-pkgroot.XXXXXX)
cleanup() {
  umount -R "$root/dev" 2>/dev/null || umount -l "$root/dev" 2>/dev/null || true
  umount "$root/proc" "$root/tmp" 2>/dev/null || umount -l "$root/proc" "$root/tmp" 2>/dev/null || true
  # never delete through a mount that is still there (the host's /dev)
  if grep -q " $root/" /proc/mounts; then echo "mounts left under $root; not removing it" >&2; return; fi
  rm -rf --one-file-system "$root"
}
trap cleanup EXIT
if [ ! -f "$cache" ]; then
  command -v debootstrap >/dev/null || { echo "debootstrap missing (./run installs it)" >&2; exit 1; }
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [ -n "$mirror" ] || mirror=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
  echo "== making a clean Debian 12 root (cached in $cache afterwards)"
  debootstrap --variant=minbase --include=git,ca-certificates bookworm "$root" "$mirror" >/var/tmp/debootstrap.log 2>&1
  cp /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/" 2>/dev/null || true
  tar -C "$root" -czf "$cache" .
else
  tar -C "$root" -xzf "$cache"
fi
# The root directory of the clean system: every user traverses it (the archive of a mktemp -d
# root records 0700).
chmod 0755 "$root"
mkdir -p "$root/root/pkg" "$root/root/app"
cp "$PKG"/fcgi-host_*.deb "$PKG"/fcgi-host-dev_*.deb "$root/root/pkg/"
cp -r "$HERE"/outoftree/. "$root/root/app/"
mount -t proc proc "$root/proc"; mount --rbind /dev "$root/dev"; mount -t tmpfs tmpfs "$root/tmp"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
# No service may start inside the chroot.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"; chmod +x "$root/usr/sbin/policy-rc.d"
chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  DEBIAN_FRONTEND=noninteractive bash -euo pipefail -c '
fail() { echo "FAIL: $*" >&2; exit 1; }
cd /root/pkg
apt-get update -qq
apt-get install -y -qq --no-install-recommends ./fcgi-host_*.deb ./fcgi-host-dev_*.deb nginx-light >/root/apt.log 2>&1 \
  || { tail -30 /root/apt.log; fail "apt-get install ./*.deb"; }
getent passwd fcgi-host | grep -q ":/usr/sbin/nologin$" || fail "no system user fcgi-host"
for f in /usr/bin/spawn /usr/bin/cgi-gateway /etc/nginx/snippets/fcgi-host-pool.conf \
  /etc/nginx/snippets/fcgi-host-cgi-bin.conf /etc/nginx/snippets/fcgi-host-params.conf \
  /etc/nginx/conf.d/fcgi-host-log-format.conf /etc/nginx/sites-available/fcgi-host-example \
  /usr/lib/systemd/system/fcgi-host@.service /usr/lib/systemd/system/fcgi-host-cgi.service \
  /usr/include/fcgihost/fcgihost.hpp /usr/share/doc/fcgi-host/deployment.md; do
  [ -e "$f" ] || fail "not installed: $f"
done
ln -s ../sites-available/fcgi-host-example /etc/nginx/sites-enabled/
nginx -t 2>&1 || fail "nginx -t with the example site enabled"
spawn --help >/dev/null || fail "spawn --help"
cmake -S /root/app -B /root/app-build -DCMAKE_BUILD_TYPE=Release >/root/cfg.log 2>&1 || { cat /root/cfg.log; fail "configure the app"; }
cmake --build /root/app-build -j2 >/root/build.log 2>&1 || { tail -30 /root/build.log; fail "build the app"; }
cmake --install /root/app-build >/dev/null || fail "install the app"
printf "[db]\npath = /var/lib/fcgi-host/notes.db\n" >/usr/local/lib/cgi-bin/fcgi-host/notes.ini
chown fcgi-host /var/lib/fcgi-host
out=$(setpriv --reuid=fcgi-host --regid=fcgi-host --clear-groups env -i REQUEST_METHOD=GET PATH_INFO=/ \
  SCRIPT_NAME=/notes.cgi SERVER_PROTOCOL=HTTP/1.1 GATEWAY_INTERFACE=CGI/1.1 SERVER_NAME=x SERVER_PORT=80 \
  REMOTE_ADDR=127.0.0.1 /usr/local/lib/cgi-bin/fcgi-host/notes.cgi) || fail "run notes.cgi"
grep -q "0 notes" <<<"$out" || { echo "$out"; fail "notes.cgi page"; }
echo "PASS: packages installed on a clean Debian 12 root; nginx -t; an app built against fcgi-host-dev runs"
'
