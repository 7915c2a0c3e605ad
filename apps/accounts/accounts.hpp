// accounts: a users/groups JSON API over SQLite with sign-up/in/out and a signed-cookie session.
// This header is what the app's files share: the JSON error type, input validation, the password
// policy, the schema, the permission hook and the route registration functions. Not a library
// header: only apps/accounts (and its tests) include it.
#pragma once

#include "signin.hpp" // the schema, the session and the signed-in user (shared with the site)

#include <fcgihost/fcgihost.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace accounts {

// A client error about one input field: answered as {"error": ..., "field": ...}.
class FieldError : public fh::HttpError {
public:
  FieldError(int status, const std::string& message, std::string field)
      : fh::HttpError(status, message), field_(std::move(field)) {}
  const std::string& field() const noexcept { return field_; }

private:
  std::string field_;
};

// Field limits (characters, UTF-8). Longer input is a 400 naming the field.
inline constexpr std::size_t kMaxName = 100;
inline constexpr std::size_t kMaxEmail = 254;
inline constexpr std::size_t kMinPassword = 10; // for new passwords; sign-in takes any length
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
// Field "password" when a password is set (sign-up, create, update, accounts-admin): 10..1024
// characters and acceptable to password_problem(). 400 naming "password" otherwise.
std::optional<std::string> new_password_field(const nlohmann::json& in, bool required);
// 400 naming "admin" if `in` has an "admin" field: admin rights are granted only by
// accounts-admin, never through the API (sign-up, POST or PUT /api/users).
void refuse_admin_field(const nlohmann::json& in);
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

// The password policy (password_policy.cpp) beyond the length: why `password` is refused (only
// whitespace; one of the common passwords, alone or followed by digits/punctuation), or nullopt.
std::optional<std::string> password_problem(std::string_view password);
// True if `password`, trimmed and lower-cased, is on the common list (common-passwords.txt), or
// is a listed password followed only by digits, punctuation or spaces ("Password123!").
bool is_common_password(std::string_view password);

// The signed-in user's id. Only for routes whose rule needs a session: authorize() has then
// checked that the request context holds a current user (else std::logic_error, a 500).
std::int64_t current_user(const fh::Request& rq);
// A user row as JSON ({id, name, email, admin, created_at}), or nullopt if there is no such user.
std::optional<nlohmann::json> find_user(fh::sqlite::Connection& db, std::int64_t id);

// Validates name, email and password from `in` (refusing an "admin" field) and inserts the user
// (409 "email" if taken). Returns the user's JSON. Shared by POST /api/users, sign-up (admin
// false) and accounts-admin create-user (the only caller that may pass admin = true).
nlohmann::json create_user_from(fh::sqlite::Connection& db, const nlohmann::json& in,
                                const fh::PasswordCost& cost, bool admin);
std::int64_t create_user(fh::sqlite::Connection& db, const std::string& name,
                         const std::string& email, const std::string& password_hash, bool admin);

// The permission model (authz.cpp). authorize() is the api blueprint's before_request hook: it
// looks the request's endpoint up in one table of rules and answers 401 (no valid session) or 403
// (not allowed) before any view runs. add_route() registers an api route and throws
// std::logic_error at start-up if its endpoint has no rule in that table.
std::optional<fh::Response> authorize(fh::Request& rq);
void add_route(fh::Blueprint& api, std::string_view pattern,
               std::initializer_list<fh::Method> methods, fh::Handler handler,
               const std::string& endpoint);

// Route registration, one function per file.
void add_user_routes(fh::Blueprint& api, const fh::PasswordCost& cost);
void add_group_routes(fh::Blueprint& api);
void add_sign_routes(fh::Blueprint& api, const fh::PasswordCost& cost, const SigninLimits& limits);

} // namespace accounts
