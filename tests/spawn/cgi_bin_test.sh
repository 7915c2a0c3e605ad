# cgi_bin_test.sh: what is dropped into a source cgi-bin/ is served (fh_copy_cgi_programs, as the
# build uses it): any executable whatever its name (`noext`, `p.rb`), a warning for a
# non-executable file, no dotfiles; an edited program is copied again by the next build, a
# removed one disappears; a program replaced in the served directory (as a relink does) is what
# the next request runs; a symlink out of the served directory is still refused; the gateway's
# --setenv reaches the programs.
source "$(dirname "$0")/lib.sh"
GW=$(dirname "$SPAWN")/cgi-gateway
[ -x "$GW" ] || { echo "SKIP: cgi-gateway not built beside spawn"; exit 77; }
mkdir -p "$T"/proj/src "$T"/served "$T"/outside
script() { printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n%s %%s\\n" "$APP_CONFIG_FILE"\n' "$1"; }
script "noext v1" >"$T"/proj/src/noext
script "ruby-named" >"$T"/proj/src/p.rb
script "hidden" >"$T"/proj/src/.hidden
echo "just notes" >"$T"/proj/src/notes.txt
chmod +x "$T"/proj/src/noext "$T"/proj/src/p.rb "$T"/proj/src/.hidden
cat >"$T"/proj/CMakeLists.txt <<CM
cmake_minimum_required(VERSION 3.20)
project(cgi_bin_copy NONE)
include("$SOURCE_DIR/fcgi-host/cmake/CgiBinPrograms.cmake")
fh_copy_cgi_programs("$T/proj/src" "$T/served")
CM
cmake -S "$T"/proj -B "$T"/proj/build >"$T"/cmake.out 2>&1 || { cat "$T"/cmake.out; fail "configure"; }
[ -x "$T"/served/noext ] && [ -x "$T"/served/p.rb ] || fail "executables not copied: $(ls -A "$T"/served)"
[ ! -e "$T"/served/notes.txt ] && [ ! -e "$T"/served/.hidden ] || fail "non-program copied: $(ls -A "$T"/served)"
grep -q 'not executable, so not served: notes.txt' "$T"/cmake.out || fail "no warning for notes.txt: $(cat "$T"/cmake.out)"

start_spawn --cgi-dir "$T"/served -p 0 --arg=--setenv=APP_CONFIG_FILE=/etc/demo.ini
wait_for 5 has_ready 1 || fail "gateway not ready"
remember_workers
cgi() { REQUEST_METHOD=GET SCRIPT_NAME=/cgi-bin/$1 REQUEST_URI=/cgi-bin/$1 SERVER_PROTOCOL=HTTP/1.1 \
  cgi-fcgi -bind -connect 127.0.0.1:"$PORT"; }
[[ $(cgi noext) == *"noext v1 /etc/demo.ini"* ]] || fail "noext (with --setenv): $(cgi noext)"
[[ $(cgi p.rb) == *"ruby-named"* ]] || fail "p.rb: $(cgi p.rb)"

# Edit in the source, rebuild: the next request runs the new program.
script "noext v2" >"$T"/proj/src/noext
cmake --build "$T"/proj/build >>"$T"/cmake.out 2>&1 || fail "rebuild"
[[ $(cgi noext) == *"noext v2"* ]] || fail "edited program not served after the rebuild: $(cgi noext)"
# Replaced in the served directory the way a linker does (a new file in its place).
script "noext v3" >"$T"/served/noext.tmp && chmod +x "$T"/served/noext.tmp && mv "$T"/served/noext.tmp "$T"/served/noext
[[ $(cgi noext) == *"noext v3"* ]] || fail "replaced program not what runs next: $(cgi noext)"
# Removed from the source: gone after the next build.
rm "$T"/proj/src/p.rb
cmake --build "$T"/proj/build >>"$T"/cmake.out 2>&1 || fail "rebuild after removal"
[ ! -e "$T"/served/p.rb ] || fail "removed program still in the served directory"
[[ $(cgi p.rb) == *"404"* ]] || fail "removed program still answers: $(cgi p.rb)"
# No path escapes the served directory: a symlink out of it is refused.
script "escaped" >"$T"/outside/evil && chmod +x "$T"/outside/evil
ln -s "$T"/outside/evil "$T"/served/evil
out=$(cgi evil)
[[ $out == *"403"* && $out != *escaped* ]] || fail "symlink out of the served directory ran: $out"
pass "cgi-bin: noext and p.rb served, notes.txt warned, rebuild/replace picked up, removal, no escape"
