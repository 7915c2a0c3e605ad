// CSRF token: created with randombytes_buf, stored in the session under "_csrf", checked in
// constant time against the form field or the X-CSRF-Token header.
#include "fcgihost/csrf.hpp"

#include "fcgihost/http_error.hpp"
#include "fcgihost/request.hpp"

#include <sodium.h>

namespace fh {
namespace {

constexpr const char* kSessionKey = "_csrf";

} // namespace

std::string csrf_token(Request& rq) {
  Session& s = rq.session();
  if (auto existing = s.get<std::string>(kSessionKey, ""); !existing.empty()) return existing;
  if (sodium_init() < 0) throw std::runtime_error("libsodium cannot be initialised");
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  char text[sodium_base64_ENCODED_LEN(sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(text, sizeof text, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  s.set(kSessionKey, std::string(text));
  return text;
}

void require_csrf(Request& rq) {
  const std::string expected = rq.session().get<std::string>(kSessionKey, "");
  std::string given;
  if (auto h = rq.header("X-CSRF-Token")) {
    given = *h;
  } else if (auto f = rq.form().get("csrf_token")) {
    given = *f;
  }
  if (expected.empty() || given.size() != expected.size() ||
      sodium_memcmp(given.data(), expected.data(), expected.size()) != 0)
    throw HttpError(403, "missing or bad CSRF token");
}

} // namespace fh
