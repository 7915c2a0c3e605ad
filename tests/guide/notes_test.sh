#!/usr/bin/env bash
# notes_test.sh NOTES_CGI: requests through the handler guide's walk-through app, built from the
# guide's own code blocks (tests/guide/CMakeLists.txt): the page (template, SQLite, context),
# the CSRF refusal, a note added with the form's token, the JSON API and its JSON errors, and the
# HTML 404 of the rest of the app.
set -euo pipefail
cgi=${1:?usage: notes_test.sh NOTES_CGI}
T=$(mktemp -d /tmp/fh-guide.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
printf '[session]\nsecret = %s\n[db]\npath = %s\n' "$(head -c 48 /dev/urandom | base64 -w0)" \
  "$T/notes.db" >"$T/notes.ini"
# req METHOD PATH [COOKIE [BODY]]: the CGI's whole answer (headers, blank line, body) in $T/out.
req() {
  local body=${4-}
  env -i REQUEST_METHOD="$1" PATH_INFO="$2" SCRIPT_NAME=/notes SERVER_NAME=localhost \
    SERVER_PORT=80 HTTP_COOKIE="${3-}" APP_CONFIG_FILE="$T/notes.ini" \
    CONTENT_TYPE=application/x-www-form-urlencoded CONTENT_LENGTH=${#body} \
    "$cgi" <<<"$body" >"$T/out" 2>>"$T/log" || fail "$1 $2: the CGI failed: $(cat "$T/log")"
}
status() { head -n1 "$T/out" | tr -d '\r'; }
cookie() { sed -n 's/^Set-Cookie: \([^;]*\);.*/\1/p' "$T/out" | head -n1; }

req GET /
[ "$(status)" = "Status: 200 OK" ] || fail "GET /: $(status)"
grep -q '<p>Hello guest: 0 notes.</p>' "$T/out" || fail "GET /: no page: $(cat "$T/out")"
jar=$(cookie)
token=$(sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' "$T/out")
[ -n "$jar" ] && [ -n "$token" ] || fail "GET /: no session cookie or CSRF token"

req POST /notes "$jar" "text=hello"
[ "$(status)" = "Status: 403 Forbidden" ] || fail "POST without a token: $(status)"
grep -q '<h1>403</h1>' "$T/out" || fail "POST without a token: not the error page"
req POST /notes "$jar" "csrf_token=$token&text=%3Cb%3Ehello"
[ "$(status)" = "Status: 303 See Other" ] || fail "POST with the token: $(status)"
req GET / "$jar"
grep -q '<li><a href="/notes/api/notes/1">&lt;b&gt;hello</a></li>' "$T/out" || fail "the note is not listed: $(cat "$T/out")"

req GET /api/notes/1
grep -q '"self":"/notes/api/notes/1"' "$T/out" && grep -q '"text":"<b>hello"' "$T/out" ||
  fail "GET /api/notes/1: $(cat "$T/out")"
req GET /api/notes/2
[ "$(status)" = "Status: 404 Not Found" ] && grep -q '{"error":"no note 2"}' "$T/out" ||
  fail "GET /api/notes/2: $(cat "$T/out")"
req DELETE /api/notes/1
grep -q '{"error":"Method Not Allowed"}' "$T/out" && grep -q '^Allow: ' "$T/out" ||
  fail "DELETE /api/notes/1: $(cat "$T/out")"
req GET /nope
[ "$(status)" = "Status: 404 Not Found" ] && grep -q '<h1>404</h1>' "$T/out" || fail "GET /nope: $(cat "$T/out")"
echo "PASS: the handler guide's notes app, built from the guide"
