// Sign-in for the apps that share the accounts database (accounts and site): the one
// implementation of the credential check (timing-equalised), the session format (user_id and the
// user's session_gen), the signed-in user loaded once per request into the request context, and
// sign-out. Built as the accounts_signin library with the schema; both apps link it.
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
// costs the same hash verification as a wrong password (fh::check_password).
std::optional<std::int64_t> check_credentials(fh::sqlite::Connection& db, const std::string& email,
                                              const std::string& password,
                                              const fh::PasswordCost& cost);
// Signs `user_id` in: a fresh session (nothing of the old one kept) with the id and the user's
// current session generation.
void start_session(fh::Request& rq, std::int64_t user_id);
// Signs out: bumps the signed-in user's session_gen (ending every copy of the cookie) and empties
// the session.
void end_session(fh::Request& rq);

} // namespace accounts
