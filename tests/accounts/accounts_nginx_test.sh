#!/usr/bin/env bash
# accounts_nginx_test.sh: the accounts API through a user-space nginx (nginx/nginx.sh), both ways:
# /accounts/... is a spawn pool of accounts.fcgi, /cgi-bin/accounts.cgi/... is accounts.cgi run by
# spawn's CGI gateway, both on one database and one secret. The same scenario (sign up, me, CRUD
# groups + members, bad input, 403 for an admin-only list, sign out, 401 after) must give the same
# codes under both prefixes, and a session made through one mode is honoured by the other; one
# user cannot take over another's account, and only the admin (made by accounts-admin) lists
# users. Exits 77 without nginx or curl.
: "${ACCOUNTS_CGI:?}" "${ACCOUNTS_FCGI:?}" "${ACCOUNTS_ADMIN:?}"
source "$SOURCE_DIR"/tests/support/app_behind_nginx.sh
write_app_config accounts
"$ACCOUNTS_ADMIN" --config "$T"/accounts.ini init >/dev/null || fail "accounts-admin init"
echo 'the admin passphrase' | "$ACCOUNTS_ADMIN" --config "$T"/accounts.ini create-user --admin \
  --name Admin --email admin@example.org --password-stdin >/dev/null || fail "accounts-admin create-user --admin"
start_app_behind_nginx accounts "$ACCOUNTS_CGI" "$ACCOUNTS_FCGI"
B=http://127.0.0.1:$HTTP

# req JAR METHOD URL [JSON]: prints the HTTP status code; the body lands in $T/body.
req() {
  local args=(-s -o "$T"/body -w '%{http_code}' --max-time 10 -b "$1" -c "$1" -X "$2" "$3")
  [ $# -ge 4 ] && args+=(-H 'Content-Type: application/json' --data-binary "$4")
  curl "${args[@]}"
}
expect() { # NAME EXPECTED ACTUAL
  [ "$2" = "$3" ] || fail "$1: expected $2, got $3 (body: $(head -c 300 "$T"/body))"
}

# scenario PREFIX TAG: the whole script under one mount point; prints the code transcript.
scenario() {
  local p=$B$1 jar=$T/jar.$2 out=""
  out+=" $(req "$jar" GET "$p/api/me")"
  out+=" $(req "$jar" POST "$p/api/sign/up" "{\"name\":\"u$2\",\"email\":\"u$2@example.org\",\"password\":\"a long password\"}")"
  out+=" $(req "$jar" GET "$p/api/me")"
  grep -q "\"email\":\"u$2@example.org\"" "$T"/body || fail "$1 me: $(cat "$T"/body)"
  out+=" $(req "$jar" POST "$p/api/groups" "{\"name\":\"g$2\",\"description\":\"d\"}")"
  local gid
  gid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$T"/body)
  local uid
  req "$jar" GET "$p/api/me" >/dev/null
  uid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$T"/body)
  out+=" $(req "$jar" POST "$p/api/groups/$gid/members" "{\"user_id\":$uid}")"
  out+=" $(req "$jar" POST "$p/api/groups/$gid/members" "{\"user_id\":$uid}")"
  out+=" $(req "$jar" GET "$p/api/groups/$gid/members")"
  out+=" $(req "$jar" POST "$p/api/groups" '{"name":')"                          # malformed JSON
  out+=" $(req "$jar" POST "$p/api/groups" "{\"name\":\"$2'; DROP TABLE users;--\"}")" # literal
  out+=" $(req "$jar" GET "$p/api/users/abc")"                                  # <int:> refuses
  out+=" $(req "$jar" GET "$p/api/users")"                                      # admins only
  out+=" $(req "$jar" POST "$p/api/sign/out")"
  out+=" $(req "$jar" GET "$p/api/me")"
  echo "$out"
}

fcgi=$(scenario /accounts f)
cgi=$(scenario /cgi-bin/accounts.cgi c)
echo "FastCGI:$fcgi"
echo "CGI:    $cgi"
expect "transcript" " 401 201 200 201 201 409 200 400 201 404 403 200 401" "$fcgi"
expect "same answers both ways" "$fcgi" "$cgi"

# One session, both modes: sign in through the pool, use the cookie through the CGI.
jar=$T/jar.x
expect "sign in (FastCGI)" 200 "$(req "$jar" POST "$B/accounts/api/sign/in" '{"email":"uf@example.org","password":"a long password"}')"
expect "me through the CGI" 200 "$(req "$jar" GET "$B/cgi-bin/accounts.cgi/api/me")"
grep -q '"email":"uf@example.org"' "$T"/body || fail "CGI saw another user"
req "$jar" GET "$B/accounts/api/me" >/dev/null
uf=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$T"/body)

# No account takeover: another user's password cannot be set, through either mode.
jar=$T/jar.y
expect "sign in uc (CGI)" 200 "$(req "$jar" POST "$B/cgi-bin/accounts.cgi/api/sign/in" '{"email":"uc@example.org","password":"a long password"}')"
expect "uc sets uf's password (CGI)" 403 "$(req "$jar" PUT "$B/cgi-bin/accounts.cgi/api/users/$uf" '{"password":"taken over, long enough"}')"
expect "uc sets uf's password (FastCGI)" 403 "$(req "$jar" PUT "$B/accounts/api/users/$uf" '{"password":"taken over, long enough"}')"
expect "uf's password unchanged" 200 "$(req "$T"/jar.z POST "$B/accounts/api/sign/in" '{"email":"uf@example.org","password":"a long password"}')"

# The admin lists every user: the table is intact (admin, uf, uc).
jar=$T/jar.admin
expect "admin signs in" 200 "$(req "$jar" POST "$B/cgi-bin/accounts.cgi/api/sign/in" '{"email":"admin@example.org","password":"the admin passphrase"}')"
expect "users table intact" 3 "$(req "$jar" GET "$B/accounts/api/users" >/dev/null; python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["total"])' "$T"/body)"
echo "PASS: accounts through nginx, FastCGI and CGI"
