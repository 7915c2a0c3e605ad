// accounts: a users/groups JSON API over SQLite with sign-up/in/out and a signed-cookie session.
// This header is what the app's files share: the JSON error type, input validation, the schema
// and the route registration functions. Not a library header: only apps/accounts includes it.
#pragma once

#include <fcgihost/fcgihost.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace accounts {

// A client error about one input field: answered as {"error": ..., "field": ...}.
class FieldError : public fh::HttpError {
public:
  FieldError(int status, std::string message, std::string field)
      : fh::HttpError(status, std::move(message)), field_(std::move(field)) {}
  const std::string& field() const noexcept { return field_; }

private:
  std::string field_;
};

// Field limits (characters, UTF-8). Longer input is a 400 naming the field.
inline constexpr std::size_t kMaxName = 100;
inline constexpr std::size_t kMaxEmail = 254;
inline constexpr std::size_t kMinPassword = 8;
inline constexpr std::size_t kMaxPassword = 1024;
inline constexpr std::size_t kMaxDescription = 1000;

// The request's input as a JSON object: the JSON body (Content-Type application/json, must be an
// object) or, if `allow_form`, the urlencoded/multipart form fields as strings. 400 otherwise.
nlohmann::json input(fh::Request& rq, bool allow_form = false);
// Field `name` of `in` as a string of min..max characters of valid UTF-8 (no NUL). Throws
// FieldError 400 if it is missing (when required), not a string, or out of bounds.
std::optional<std::string> string_field(const nlohmann::json& in, const char* name, std::size_t min,
                                        std::size_t max, bool required);
// Field "email": a string of 3..254 characters with one '@' and no spaces. 400 otherwise.
std::optional<std::string> email_field(const nlohmann::json& in, bool required);
// Field `name` as a positive integer (a JSON integer; digits in a string only if
// `allow_string`, for query/form input). 400 otherwise.
std::int64_t id_field(const nlohmann::json& in, const char* name, bool allow_string);

struct Page {
  std::int64_t page = 1, per_page = 20;
  std::int64_t offset() const { return (page - 1) * per_page; }
};
// ?page= (>= 1) and ?per_page= (1..100) from the query string; 400 naming the field otherwise.
Page page_args(const fh::Request& rq);
// {"<key>": items, "page":, "per_page":, "total":}
nlohmann::json page_json(const char* key, nlohmann::json items, const Page& p, std::int64_t total);

// The schema, one migration per PRAGMA user_version step (shared with accounts-admin).
const std::vector<std::string>& migrations();

// The signed-in user's id (the auth hook guarantees it on protected routes).
std::int64_t current_user(fh::Request& rq);
// Signs `user_id` in: a fresh session with the id and the user's current session generation.
void start_session(fh::Request& rq, std::int64_t user_id);
// True if the session names an existing user and that user's current session generation.
bool session_valid(fh::Request& rq);
// A user row as JSON ({id, name, email, created_at}), or nullopt if there is no such user.
std::optional<nlohmann::json> find_user(fh::sqlite::Connection& db, std::int64_t id);

// Validates name, email and password from `in` and inserts the user (409 "email" if taken).
// Returns the user's JSON. Shared by POST /api/users and sign-up.
nlohmann::json create_user_from(fh::sqlite::Connection& db, const nlohmann::json& in,
                                const fh::PasswordCost& cost);
std::int64_t create_user(fh::sqlite::Connection& db, const std::string& name,
                         const std::string& email, const std::string& password_hash);

// Route registration, one function per file.
void add_user_routes(fh::Blueprint& api, const fh::PasswordCost& cost);
void add_group_routes(fh::Blueprint& api);
void add_sign_routes(fh::Blueprint& api, const fh::PasswordCost& cost);

} // namespace accounts
