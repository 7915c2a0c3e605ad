# out_of_tree_test.sh: an app outside the tree against an installed fcgi-host. The build is
# installed into a temporary prefix P; tests/deploy/outoftree (route, template, SQLite) is copied
# out, configured with find_package(FcgiHost) (CMAKE_PREFIX_PATH=P), built and installed with
# fh_install_app; then the installed notes.cgi runs as a plain CGI program, notes.fcgi under the
# installed spawn, and notes.cgi again through the installed spawn's CGI gateway (found beside
# spawn). Templates come from notes.templates/ beside each binary, the database from notes.ini.
# A test client built on the installed fcgihost_testing asks notes.cgi and notes.fcgi for the
# page. Also links the app with pkg-config alone (fcgihost-fcgi, and fcgihost-cgi --static). Needs cgi-fcgi (libfcgi-bin).
source "$(dirname "$0")/lib.sh"
need_run_user_reach # the installed spawn runs notes.fcgi and notes.cgi as RUN_USER
command -v cgi-fcgi >/dev/null || skip "cgi-fcgi (libfcgi-bin) not installed"
P=$T/prefix
install_prefix "$P"
[ -x "$P"/bin/spawn ] && [ -x "$P"/bin/cgi-gateway ] || fail "spawn/cgi-gateway not installed in bin/"
[ -f "$P"/include/fcgihost/fcgihost.hpp ] || fail "headers not installed"
cp -r "$SOURCE_DIR"/tests/deploy/outoftree "$T"/src
cmake -S "$T"/src -B "$T"/build -DCMAKE_PREFIX_PATH="$P" -DCMAKE_INSTALL_PREFIX="$T"/inst \
  -DCMAKE_BUILD_TYPE=Release >"$T"/cfg.log 2>&1 || { cat "$T"/cfg.log; fail "configure the out-of-tree app"; }
cmake --build "$T"/build -j2 >"$T"/build.log 2>&1 || { tail -40 "$T"/build.log; fail "build the out-of-tree app"; }
[ -x "$T"/build/notes.cgi ] && [ -x "$T"/build/notes.fcgi ] || fail "no notes.cgi + notes.fcgi in the app's build dir"
cmake --install "$T"/build >"$T"/inst.log 2>&1 || { cat "$T"/inst.log; fail "fh_install_app"; }
CGI=$T/inst/lib/cgi-bin/fcgi-host/notes.cgi FCGI=$T/inst/lib/fcgi-host/notes/notes.fcgi
[ -f "${CGI%.cgi}.templates/notes.tpl" ] && [ -f "${FCGI%.fcgi}.templates/notes.tpl" ] \
  || fail "templates not installed beside the binaries"
# No build-time path in the binaries: the source tree may go away.
rm -rf "$T"/src
data_dir "$T"/data
printf '[db]\npath = %s\n' "$T"/data/notes.db | tee "${CGI%.cgi}.ini" >"${FCGI%.fcgi}.ini"

# 1. CGI: the program alone, as any CGI server runs it.
cgi() { env -i REQUEST_METHOD="$1" SCRIPT_NAME=/notes.cgi PATH_INFO="$2" QUERY_STRING="${3:-}" \
  SERVER_PROTOCOL=HTTP/1.1 GATEWAY_INTERFACE=CGI/1.1 SERVER_NAME=localhost SERVER_PORT=80 \
  REMOTE_ADDR=127.0.0.1 CONTENT_LENGTH=0 "$CGI" </dev/null; }
cgi POST /add 'text=from+cgi' | has '^Status: 201' || { cgi POST /add 'text=x'; fail "CGI POST /add"; }
out=$(cgi GET /) || fail "CGI GET /"
grep -q '<li>from cgi</li>' <<<"$out" && grep -q '1 notes' <<<"$out" || { echo "$out"; fail "CGI page"; }
# The CGI ran as us; the pool's workers (RUN_USER when we are root) take the database over.
[ -z "$RUN_USER" ] || chown "$RUN_USER" "$T"/data/*

# 2. FastCGI: notes.fcgi as a pool of the installed spawn.
"$P"/bin/spawn -n -p 0 -F 2 --control "$T"/ctl -- "$FCGI" >"$T"/spawn.log 2>&1 &
PIDS+=($!)
wait_for 10 grep -q 'listening on' "$T"/spawn.log || { cat "$T"/spawn.log; fail "spawn did not start"; }
port=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$T"/spawn.log | head -1 | cut -d: -f2)
fcgi() { env -i REQUEST_METHOD="$1" SCRIPT_NAME="$2" PATH_INFO="$3" QUERY_STRING="${4:-}" \
  REQUEST_URI="$2$3" SERVER_PROTOCOL=HTTP/1.1 SERVER_NAME=localhost SERVER_PORT=80 \
  REMOTE_ADDR=127.0.0.1 cgi-fcgi -bind -connect "127.0.0.1:$5"; }
fcgi POST /notes /add 'text=from+fcgi' "$port" | has '^Status: 201' || fail "FastCGI POST /add"
wait_for 10 bash -c "$(declare -f fcgi); fcgi GET /notes / '' $port | grep -q '2 notes'" \
  || { fcgi GET /notes / '' "$port"; cat "$T"/spawn.log; fail "FastCGI page"; }
fcgi GET /notes / '' "$port" | has '<li>from fcgi</li>' || fail "FastCGI page lacks the note"

# 3. The installed spawn's CGI gateway over the installed cgi-bin directory.
"$P"/bin/spawn -n -p 0 -F 1 --cgi-dir "$(dirname "$CGI")" >"$T"/gw.log 2>&1 &
PIDS+=($!)
wait_for 10 grep -q 'listening on' "$T"/gw.log || { cat "$T"/gw.log; fail "gateway spawn did not start"; }
gport=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$T"/gw.log | head -1 | cut -d: -f2)
out=$(fcgi GET /cgi-bin/notes.cgi / '' "$gport") || fail "gateway request"
grep -q '2 notes' <<<"$out" || { echo "$out"; cat "$T"/gw.log; fail "CGI through the installed gateway"; }

# 4. pkg-config alone (no CMake): the FastCGI artifact links.
# An app's tests against the package: fh::testing's client (FcgiHost::fcgihost_testing) asks the
# installed notes.cgi and a notes.fcgi worker of its own for the page.
mkdir -p "$T"/client
cat >"$T"/client/CMakeLists.txt <<'EOF'
cmake_minimum_required(VERSION 3.20)
project(notes_client LANGUAGES CXX)
set(CMAKE_CXX_STANDARD 20)
find_package(FcgiHost REQUIRED)
add_executable(notes_client notes_client.cpp)
target_link_libraries(notes_client PRIVATE FcgiHost::fcgihost_testing)
EOF
cat >"$T"/client/notes_client.cpp <<'EOF'
#include <fcgihost/testing.hpp>
#include <cstdio>
int main(int, char** argv) {
  fh::testing::CgiBinary cgi(argv[1]);
  fh::testing::FcgiWorker fcgi(argv[2]);
  int bad = 0;
  for (fh::testing::Target* t : {static_cast<fh::testing::Target*>(&cgi),
                                 static_cast<fh::testing::Target*>(&fcgi)}) {
    const auto r = fh::testing::Client(*t).get("/");
    std::printf("%s: %d\n", t->mode_name(), r.status);
    bad += r.status != 200 || !r.contains("2 notes");
  }
  return bad;
}
EOF
{ cmake -S "$T"/client -B "$T"/client/build -DCMAKE_PREFIX_PATH="$P" &&
  cmake --build "$T"/client/build; } >"$T"/client.log 2>&1 \
  || { tail -40 "$T"/client.log; fail "build a test client against the installed fcgihost_testing"; }
"$T"/client/build/notes_client "$CGI" "$FCGI" || fail "the test client: no notes page from the app"

if command -v pkg-config >/dev/null; then
  cp "$SOURCE_DIR"/tests/deploy/outoftree/notes.cpp "$T"/notes.cpp
  pcdir=$(dirname "$(find "$P" -name fcgihost.pc | head -1)")
  flags=$(PKG_CONFIG_PATH=$pcdir pkg-config --cflags --libs fcgihost-fcgi) || fail "pkg-config fcgihost-fcgi"
  # shellcheck disable=SC2086
  g++ -O0 -o "$T"/notes-pc.fcgi "$T"/notes.cpp $flags >"$T"/pc.log 2>&1 \
    || { cat "$T"/pc.log; fail "pkg-config build"; }
  # The static CGI through pkg-config --static: links quietly (the dlopen wraps) and answers.
  flags=$(PKG_CONFIG_PATH=$pcdir pkg-config --static --cflags --libs fcgihost-cgi) || fail "pkg-config fcgihost-cgi"
  # shellcheck disable=SC2086
  g++ -O0 -static -o "$T"/notes-pc.cgi "$T"/notes.cpp $flags >"$T"/pc-cgi.log 2>&1 \
    || { cat "$T"/pc-cgi.log; fail "pkg-config static CGI build"; }
  if grep -q 'dlopen' "$T"/pc-cgi.log; then cat "$T"/pc-cgi.log; fail "pkg-config static CGI: glibc's dlopen warning"; fi
  env -i REQUEST_METHOD=POST PATH_INFO=/add QUERY_STRING=text=pc SERVER_PROTOCOL=HTTP/1.1 \
    GATEWAY_INTERFACE=CGI/1.1 SERVER_NAME=localhost SERVER_PORT=80 CONTENT_LENGTH=0 \
    APP_CONFIG_FILE="${CGI%.cgi}.ini" "$T"/notes-pc.cgi </dev/null | has '^Status: 201' \
    || fail "pkg-config static CGI: POST /add"
fi
pass "out-of-tree app: CMake package + pkg-config builds, CGI, spawn pool, installed gateway, test client"
