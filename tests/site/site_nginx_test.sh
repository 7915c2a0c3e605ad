#!/usr/bin/env bash
# site_nginx_test.sh: the site app through a user-space nginx (nginx/nginx.sh), both ways at once:
# /site/... is a spawn pool of site.fcgi, /cgi-bin/site.cgi/... is site.cgi run by spawn's CGI
# gateway. The same checks must pass under both prefixes (pages, cookie, session counter, CSRF
# 403, wrong password 401, custom 404/500). Exits 77 when nginx or curl is missing.
: "${SITE_CGI:?}" "${SITE_FCGI:?}"
source "$SOURCE_DIR"/tests/support/app_behind_nginx.sh
start_app_behind_nginx site "$SITE_CGI" "$SITE_FCGI"

# check PREFIX: the site's scenario under one mount point.
check() {
  local base=http://127.0.0.1:$HTTP$1 jar=$T/jar.$2 body code token
  body=$(curl -sf --max-time 5 "$base/") || fail "$1/: request failed"
  grep -q '<title>Home - fcgi-host site</title>' <<<"$body" || fail "$1/: no layout"
  grep -q "<a href=\"$1/page\">Page</a>" <<<"$body" || fail "$1/: links not under $1"
  curl -sf --max-time 5 "$base/page" | grep -q '<td>London (UK)</td>' || fail "$1/page"
  curl -sf --max-time 5 "$base/greet?name=%3Cscript%3Ealert(1)%3C/script%3E" |
    grep -q 'Hello, &lt;script&gt;alert(1)&lt;/script&gt;!' || fail "$1/greet escaping"
  curl -sf --max-time 5 -c "$jar" -b "$jar" -D "$T"/h "$base/cookie?value=mint" >/dev/null
  grep -qi '^Set-Cookie: flavor=mint;.*Max-Age=3600' "$T"/h || fail "$1/cookie header"
  curl -sf --max-time 5 -c "$jar" -b "$jar" "$base/request" |
    grep -q '<code>flavor</code> = <code>mint</code>' || fail "$1/request did not read the cookie"
  for n in 1 2 3; do
    curl -sf --max-time 5 -c "$jar" -b "$jar" "$base/counter" |
      grep -q "class=\"count\">$n<" || fail "$1/counter: want $n"
  done
  code=$(curl -s -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" -d 'email=a@x&password=b' "$base/login")
  [ "$code" = 403 ] || fail "$1/login without CSRF token: $code, want 403"
  token=$(curl -sf -c "$jar" -b "$jar" "$base/login" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -1)
  [ -n "$token" ] || fail "$1/login: no token in the form"
  code=$(curl -s -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" \
    --data-urlencode "csrf_token=$token" -d 'email=nobody@x&password=x' "$base/login")
  [ "$code" = 401 ] || fail "$1/login with a token, unknown user: $code, want 401"
  code=$(curl -s -o "$T"/nf -w '%{http_code}' "$base/nope")
  [ "$code" = 404 ] && grep -q 'There is no page at /nope.' "$T"/nf || fail "$1/nope: $code"
  code=$(curl -s -o "$T"/boom -w '%{http_code}' "$base/boom")
  [ "$code" = 500 ] && grep -q 'Something went wrong on our side.' "$T"/boom || fail "$1/boom: $code"
  echo "ok: $1"
}
# The config beside the CGI must never be served (the gateway only runs executables).
if curl -s --max-time 5 "http://127.0.0.1:$HTTP/cgi-bin/site.ini" | grep -q secret; then
  fail "/cgi-bin/site.ini was served"
fi
# Nor are the templates beside it (site.templates/, where the CGI reads them).
[ -f "$T/cgi-bin/site.templates/layout.tpl" ] || fail "the CGI's templates were not beside it"
if curl -s --max-time 5 "http://127.0.0.1:$HTTP/cgi-bin/site.templates/layout.tpl" | grep -q AUTOESCAPE; then
  fail "/cgi-bin/site.templates/layout.tpl was served"
fi
check /site fcgi
check /cgi-bin/site.cgi cgi
echo "PASS: site through nginx as a FastCGI pool and as a CGI behind the gateway"
