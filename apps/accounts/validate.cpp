// Input for the accounts API: the body as a JSON object (or form), field validation with
// errors that name the field (a new password also passes the password policy), and pagination
// arguments. Values are checked here once; the handlers then only see well-typed, bounded
// strings and ids.
#include "accounts.hpp"

#include <charconv>

namespace accounts {
namespace {

// Code points in `s`, or nullopt if it is not valid UTF-8 (RFC 3629: no overlong forms, no
// surrogates) or contains NUL. Output JSON must be valid UTF-8, so this is checked on input.
std::optional<std::size_t> utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++n) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = 1;
    unsigned char lo = 0x80, hi = 0xbf; // allowed range of the second byte
    if (c == 0) return std::nullopt;
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      lo = c == 0xe0 ? 0xa0 : 0x80;
      hi = c == 0xed ? 0x9f : 0xbf;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      lo = c == 0xf0 ? 0x90 : 0x80;
      hi = c == 0xf4 ? 0x8f : 0xbf;
    } else if (c >= 0x80) {
      return std::nullopt;
    }
    if (i + len > s.size()) return std::nullopt;
    for (std::size_t k = 1; k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xbf)) return std::nullopt;
    }
    i += len;
  }
  return n;
}

std::optional<std::int64_t> to_int(std::string_view s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

} // namespace

nlohmann::json input(fh::Request& rq, bool allow_form) {
  if (rq.is_json()) {
    const auto& j = rq.json();
    if (!j.is_object()) throw FieldError(400, "the JSON body must be an object", "");
    return j;
  }
  const auto& ct = rq.content_type();
  if (allow_form && (ct.starts_with("application/x-www-form-urlencoded") ||
                     ct.starts_with("multipart/form-data"))) {
    auto out = nlohmann::json::object();
    for (const auto& [k, v] : rq.form())
      if (!out.contains(k)) out[k] = v;
    return out;
  }
  throw fh::HttpError(415, allow_form ? "send JSON or a form" : "send a JSON body");
}

std::optional<std::string> string_field(const nlohmann::json& in, const char* name, std::size_t min,
                                        std::size_t max, bool required) {
  auto it = in.find(name);
  if (it == in.end() || it->is_null()) {
    if (required) throw FieldError(400, std::string(name) + " is required", name);
    return std::nullopt;
  }
  if (!it->is_string()) throw FieldError(400, std::string(name) + " must be a string", name);
  const auto& s = it->get_ref<const std::string&>();
  const auto len = utf8_length(s);
  if (!len) throw FieldError(400, std::string(name) + " is not valid text", name);
  if (*len < min || *len > max)
    throw FieldError(400,
                     std::string(name) + " must be " + std::to_string(min) + " to " +
                         std::to_string(max) + " characters",
                     name);
  return s;
}

std::optional<std::string> email_field(const nlohmann::json& in, bool required) {
  auto email = string_field(in, "email", 3, kMaxEmail, required);
  if (!email) return email;
  const auto at = email->find('@');
  if (at == 0 || at == std::string::npos || at + 1 == email->size() ||
      email->find('@', at + 1) != std::string::npos ||
      email->find_first_of(" \t\r\n") != std::string::npos)
    throw FieldError(400, "email is not an email address", "email");
  return email;
}

std::optional<std::string> new_password_field(const nlohmann::json& in, bool required) {
  auto password = string_field(in, "password", kMinPassword, kMaxPassword, required);
  if (password)
    if (auto problem = password_problem(*password)) throw FieldError(400, *problem, "password");
  return password;
}

void refuse_admin_field(const nlohmann::json& in) {
  if (in.contains("admin"))
    throw FieldError(400, "admin rights are granted only with accounts-admin", "admin");
}

std::int64_t id_field(const nlohmann::json& in, const char* name, bool allow_string) {
  auto it = in.find(name);
  if (it == in.end()) throw FieldError(400, std::string(name) + " is required", name);
  std::optional<std::int64_t> v;
  if (it->is_number_integer())
    v = it->get<std::int64_t>();
  else if (allow_string && it->is_string())
    v = to_int(it->get_ref<const std::string&>());
  if (!v || *v <= 0) throw FieldError(400, std::string(name) + " must be a positive integer", name);
  return *v;
}

Page page_args(const fh::Request& rq) {
  Page p;
  if (auto s = rq.args().get("page")) {
    auto v = to_int(*s);
    if (!v || *v < 1 || *v > 1'000'000'000) throw FieldError(400, "page must be >= 1", "page");
    p.page = *v;
  }
  if (auto s = rq.args().get("per_page")) {
    auto v = to_int(*s);
    if (!v || *v < 1 || *v > 100) throw FieldError(400, "per_page must be 1 to 100", "per_page");
    p.per_page = *v;
  }
  return p;
}

nlohmann::json page_json(const char* key, nlohmann::json items, const Page& p, std::int64_t total) {
  return {{key, std::move(items)}, {"page", p.page}, {"per_page", p.per_page}, {"total", total}};
}

} // namespace accounts
