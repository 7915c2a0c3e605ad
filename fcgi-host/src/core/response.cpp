// Response construction and the header / cookie rules: names must be tokens, values must not
// contain CR, LF or NUL (no header splitting), cookie values must be RFC 6265 cookie-octets.
#include "fcgihost/response.hpp"

#include <fh/sys/strings.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <stdexcept>

namespace fh {
namespace {

bool is_token_char(unsigned char c) {
  return std::isalnum(c) ||
         std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

void check_name(std::string_view name) {
  if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) {
        return is_token_char(static_cast<unsigned char>(c));
      }))
    throw std::invalid_argument("invalid header name");
}

void check_value(std::string_view value) {
  // One pass (find_first_of scans the value once per character it looks for).
  if (std::any_of(value.begin(), value.end(),
                  [](char c) { return c == '\r' || c == '\n' || c == '\0'; }))
    throw std::invalid_argument("header value contains CR, LF or NUL");
}

using sys::iequals;

std::string http_date(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

} // namespace

Response::Response(std::string body, int status) : body_(std::move(body)) {
  this->status(status);
}

Response& Response::status(int code) {
  if (code < 100 || code > 999) throw std::invalid_argument("invalid HTTP status");
  status_ = code;
  return *this;
}

Response Response::text(std::string body, int status) {
  Response r(std::move(body), status);
  r.set_header("Content-Type", "text/plain; charset=utf-8");
  return r;
}

Response Response::html(std::string body, int status) {
  Response r(std::move(body), status);
  r.set_header("Content-Type", "text/html; charset=utf-8");
  return r;
}

Response Response::json(const nlohmann::json& value, int status) {
  Response r(value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), status);
  r.body().push_back('\n');
  r.set_header("Content-Type", "application/json");
  return r;
}

Response Response::redirect(std::string_view location, int status) {
  Response r(std::string{}, status);
  r.set_header("Location", location);
  return r;
}

Response& Response::set_header(std::string_view name, std::string_view value) {
  check_name(name);
  check_value(value);
  remove_header(name);
  headers_.emplace_back(std::string(name), std::string(value));
  return *this;
}

Response& Response::add_header(std::string_view name, std::string_view value) {
  check_name(name);
  check_value(value);
  headers_.emplace_back(std::string(name), std::string(value));
  return *this;
}

Response& Response::remove_header(std::string_view name) {
  std::erase_if(headers_, [&](const Header& h) { return iequals(h.first, name); });
  return *this;
}

std::optional<std::string> Response::header(std::string_view name) const {
  for (const auto& [k, v] : headers_)
    if (iequals(k, name)) return v;
  return std::nullopt;
}

Response& Response::set_cookie(std::string_view name, std::string_view value,
                               const CookieOptions& o) {
  check_name(name);
  for (unsigned char c : value) {
    if (c < 0x21 || c == 0x7f || c == '"' || c == ',' || c == ';' || c == '\\')
      throw std::invalid_argument("cookie value has a character outside RFC 6265 cookie-octets");
  }
  std::string line(name);
  line.append("=").append(value);
  if (o.max_age) {
    line.append("; Expires=").append(http_date(std::time(nullptr) + *o.max_age));
    line.append("; Max-Age=").append(std::to_string(*o.max_age));
  } else if (o.expires) {
    line.append("; Expires=").append(*o.expires);
  }
  for (const std::string* attr : {&o.path, &o.domain, &o.samesite}) {
    if (attr->find_first_of(";\r\n") != std::string::npos)
      throw std::invalid_argument("cookie attribute contains ';', CR or LF");
  }
  if (!o.domain.empty()) line.append("; Domain=").append(o.domain);
  if (!o.path.empty()) line.append("; Path=").append(o.path);
  if (o.secure) line.append("; Secure");
  if (o.httponly) line.append("; HttpOnly");
  if (!o.samesite.empty()) line.append("; SameSite=").append(o.samesite);
  return add_header("Set-Cookie", line);
}

Response& Response::delete_cookie(std::string_view name, std::string_view path,
                                  std::string_view domain) {
  CookieOptions o;
  o.max_age = 0;
  o.path = std::string(path);
  o.domain = std::string(domain);
  o.samesite.clear();
  o.httponly = false;
  return set_cookie(name, "", o);
}

} // namespace fh
