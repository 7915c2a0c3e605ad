#!/usr/bin/env bash
# static_cgi_shape.sh HELLO_CGI ACCOUNTS_CGI: the start-up shape of the static .cgi links that
# docs/architecture.md ("CGI start-up") measured, so a change that brings a cost back fails here.
set -euo pipefail
hello=${1:?usage: static_cgi_shape.sh HELLO_CGI ACCOUNTS_CGI}
accounts=${2:?usage: static_cgi_shape.sh HELLO_CGI ACCOUNTS_CGI}
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
pass() { echo "ok: $*"; }
# symbols FILE: its symbol names, one a line (read whole: grep -q on a pipe would SIGPIPE nm).
symbols() { nm "$1" 2>/dev/null | awk '{ print $NF }' || true; }
has_symbol() { grep -qx -- "$2" <<<"${SYMS[$1]}"; } # BINARY NAME

declare -A SYMS=()
for bin in "$hello" "$accounts"; do SYMS[$bin]=$(symbols "$bin"); done

for bin in "$hello" "$accounts"; do
  name=${bin##*/}
  before=$fails
  phdrs=$(readelf -lW "$bin")
  grep -q ' INTERP ' <<<"$phdrs" && fail "$name has a program interpreter (not static)"
  grep -q ' DYNAMIC ' <<<"$phdrs" && fail "$name is dynamic or static-pie (relocates itself at start)"
  grep -q 'GNU_EH_FRAME' <<<"$phdrs" || fail "$name has no .eh_frame_hdr (libgcc would sort every FDE at the first throw)"
  has_symbol "$bin" __wrap___register_frame_info \
    || fail "$name registers .eh_frame with libgcc (crtbeginT.o's registration is not wrapped)"
  has_symbol "$bin" _ZNSt8ios_base4InitC1Ev && fail "$name constructs std::ios_base::Init (iostreams + locale at every start)"
  grep -q '^_ZN5boost' <<<"${SYMS[$bin]}" && fail "$name links Boost (its static initialisers run at every start)"
  readelf -SW "$bin" | grep -q '\.debug_info' && fail "$name carries its debug info (split it off)"
  readelf -SW "$bin" | grep -q '\.gnu_debuglink' || fail "$name has no .gnu_debuglink to its split debug info"
  [ $fails -gt "$before" ] || pass "$name: static non-PIE, .eh_frame_hdr, no frame registration, no iostreams/Boost, debug info split"
done

grep -q '^sqlite3_' <<<"${SYMS[$hello]}" && fail "hello.cgi links SQLite although the app has no database"
for bin in "$hello" "$accounts"; do
  grep -q 'ctemplate' <<<"${SYMS[$bin]}" && fail "${bin##*/} links ctemplate although the app has no templates"
done
has_symbol "$accounts" __wrap_dlopen || fail "accounts.cgi: SQLite's dlopen is not wrapped"

# An exception thrown at start (the 404 of an unknown path is an HttpError) unwinds through
# .eh_frame_hdr and becomes the response.
out=$(env -i REQUEST_METHOD=GET SCRIPT_NAME=/cgi-bin/hello.cgi PATH_INFO=/no/such/route "$hello" 2>/dev/null)
head -n1 <<<"$out" | grep -q '^Status: 404' || fail "hello.cgi did not answer 404 to an unknown route: $(head -n1 <<<"$out")"
out=$(env -i REQUEST_METHOD=GET SCRIPT_NAME=/cgi-bin/hello.cgi PATH_INFO=/ "$hello" 2>/dev/null)
tail -n1 <<<"$out" | grep -qx 'Hello, world' || fail "hello.cgi GET / did not say hello"

[ $fails -eq 0 ] || exit 1
echo "PASS: static .cgi start-up shape"
