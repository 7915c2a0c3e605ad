// Sign-in for the apps that share the accounts database (accounts and site): the one
// implementation of the credential check (timing-equalised, throttled), the session format (user_id
// and the user's session_gen), the signed-in user loaded once per request into the request context,
// and sign-out. Built as the accounts_signin library with the schema; both apps link it.
#pragma once

#include <fcgihost/fcgihost.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace accounts {

// The accounts schema (schema.cpp): one step per version, recorded as schema "accounts".
const fh::sqlite::Migrations& migrations();

// The signed-in user, as the request context holds it (rq.find<SignedInUser>()).
struct SignedInUser {
  std::int64_t id = 0;
  std::string name, email;
  bool admin = false;
  std::int64_t created_at = 0;
  // {id, name, email, admin, created_at}: the API's user object.
  nlohmann::json to_json() const;
  // May this user read user `user_id` (GET /api/users/<id>, authz.cpp's Rule::Self): themself,
  // or anyone for an admin.
  bool may_read_user(std::int64_t user_id) const { return admin || user_id == id; }
};

// The before_request hook of both apps: if the session names a user whose session_gen still
// matches (sign-out, a new password or email bump it), that user goes into the request context.
// One query, only when the session names a user. Never ends the request.
std::optional<fh::Response> load_signed_in_user(fh::Request& rq);
// The user load_signed_in_user found, or nullptr.
inline const SignedInUser* signed_in(const fh::Request& rq) {
  return rq.find<SignedInUser>();
}

// The id of the user with `email` if `password` is theirs; nullopt otherwise. An unknown email
// costs the same hash verification as a wrong password (fh::check_password). Not throttled: the
// request handlers call sign_in() below.
std::optional<std::int64_t> check_credentials(fh::sqlite::Connection& db, const std::string& email,
                                              const std::string& password,
                                              const fh::PasswordCost& cost);
// The sign-in throttle's settings (config keys signin.*). After `max_failures` failed sign-ins
// for one email from one client address within `window_seconds`, that (email, address) pair is
// refused (429) until the oldest of them leaves the window, whether the account exists or not and
// whatever the password; other addresses may still sign in to it. The same for the email from
// every address together after `max_failures_per_email` (a backstop against guessing from many
// addresses), and for a client address after `max_failures_per_address` (guessing across many
// emails); 0 turns either of those two off. ConfigError for max_failures < 1, window_seconds
// outside 1..kMaxWindowSeconds, or a negative per-email or per-address limit.
struct SigninLimits {
  static constexpr std::int64_t kMaxWindowSeconds = 30 * 24 * 3600; // 30 days
  int max_failures = 5;                                             // signin.max_failures
  std::int64_t window_seconds = 900;                                // signin.window_seconds
  int max_failures_per_email = 50;                                  // signin.max_failures_per_email
  int max_failures_per_address = 100; // signin.max_failures_per_address
  static SigninLimits from_config(const fh::Config& cfg);
};

// The sign-in both apps use (throttle.cpp): check_credentials behind the throttle, whose counts
// live in the database (table signin_failures), so every FastCGI worker and CGI process shares
// them. Throws HttpError 429 with Retry-After (seconds) while the (email, client address) pair,
// the email or the client address is locked; a success clears only that pair's failures (never
// other addresses' counts nor the email's backstop: those would tell an attacker that the account
// exists and is in use). Logs a warning when a lock starts (the email and address through
// fh::log_safe; never the password). Returns the user's id, or nullopt.
std::optional<std::int64_t> sign_in(fh::Request& rq, const std::string& email,
                                    const std::string& password, const fh::PasswordCost& cost,
                                    const SigninLimits& limits);
// Lifts every lock on `email` (accounts-admin unlock): deletes its failures from every address
// and its backstop count (not the client addresses' own counts). Returns the rows deleted.
std::int64_t unlock_sign_in(fh::sqlite::Connection& db, const std::string& email);
// Lifts every lock on the client `address` (accounts-admin unlock-address): deletes the address's
// own count and its failures for every email (not the emails' backstops). Returns the rows deleted.
std::int64_t unlock_sign_in_address(fh::sqlite::Connection& db, const std::string& address);
// Signs `user_id` in: a fresh session (nothing of the old one kept) with the id and the user's
// current session generation.
void start_session(fh::Request& rq, std::int64_t user_id);
// Signs out: bumps the signed-in user's session_gen (ending every copy of the cookie) and empties
// the session.
void end_session(fh::Request& rq);

} // namespace accounts
