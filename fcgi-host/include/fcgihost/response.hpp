// Response: a value type (status, multi-valued headers, body) that handlers build and return.
// Header names and values are checked when set: CR, LF or NUL are refused (no header splitting).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fh {

struct CookieOptions {
  std::optional<long> max_age;        // seconds; also emits Expires for old clients
  std::optional<std::string> expires; // an HTTP date, used as given
  std::string path = "/";
  std::string domain; // empty: host-only cookie
  bool secure = false;
  bool httponly = true;
  std::string samesite = "Lax"; // "Strict", "Lax", "None" or empty (omitted)
};

class Response {
public:
  using Header = std::pair<std::string, std::string>;

  Response() = default;
  // A text/html response with `body` (Flask's "return a string").
  Response(std::string body, int status = 200); // NOLINT(google-explicit-constructor)
  Response(const char* body, int status = 200)  // NOLINT(google-explicit-constructor)
      : Response(std::string(body), status) {}

  static Response text(std::string body, int status = 200);
  static Response html(std::string body, int status = 200);
  static Response json(const nlohmann::json& value, int status = 200);
  // A redirect to `location` (302 unless told otherwise); refuses CR/LF in the location.
  static Response redirect(std::string_view location, int status = 302);

  int status() const noexcept { return status_; }
  Response& status(int code);

  // Replaces every header named `name` (case-insensitive) with one `name: value`.
  Response& set_header(std::string_view name, std::string_view value);
  // Adds `name: value`, keeping headers of the same name (Set-Cookie, Link, ...).
  Response& add_header(std::string_view name, std::string_view value);
  // Removes every header named `name` (case-insensitive).
  Response& remove_header(std::string_view name);
  // The first value of header `name` (case-insensitive), if any.
  std::optional<std::string> header(std::string_view name) const;
  const std::vector<Header>& headers() const noexcept { return headers_; }

  // Adds a Set-Cookie header; name and value are checked (no ';', ',', CR, LF, space in name).
  Response& set_cookie(std::string_view name, std::string_view value,
                       const CookieOptions& options = {});
  // Expires the cookie on the client (same path and domain as it was set with).
  Response& delete_cookie(std::string_view name, std::string_view path = "/",
                          std::string_view domain = {});

  const std::string& body() const noexcept { return body_; }
  std::string& body() noexcept { return body_; }
  Response& body(std::string b) {
    body_ = std::move(b);
    return *this;
  }

private:
  int status_ = 200;
  std::vector<Header> headers_;
  std::string body_;
};

} // namespace fh
