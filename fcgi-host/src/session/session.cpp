// Session codec (HMAC-SHA256 signed cookies with libsodium), the Session value type and the
// session settings read from config. Saving the cookie on the response is App's job (app.cpp).
#include "fcgihost/session.hpp"

#include "fcgihost/config.hpp"

#include <sodium.h>

#include <charconv>
#include <stdexcept>

namespace fh {
namespace {

std::string b64url(std::string_view bin) {
  std::string out(sodium_base64_ENCODED_LEN(bin.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                  '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bin.data()),
                    bin.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.find('\0'));
  return out;
}

std::optional<std::string> unb64url(std::string_view text) {
  std::string out(text.size(), '\0');
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size())
    return std::nullopt;
  out.resize(len);
  return out;
}

// libsodium wants sodium_init() before its other functions; it probes the CPU (cpuid, ~40 µs in
// a VM) to pick implementations HMAC-SHA256 and SHA-256 do not have. The codec runs it when it
// first signs or verifies a cookie, not when the app is built: a CGI request without a session
// cookie does not pay for it.
void sodium_ready() {
  static const bool ok = sodium_init() >= 0;
  if (!ok) throw std::runtime_error("libsodium cannot be initialised");
}

} // namespace

SessionSettings SessionSettings::from_config(const Config& config) {
  SessionSettings s;
  s.secret = config.get("session.secret", "");
  s.cookie_name = config.get("session.cookie_name", "session");
  s.max_age = config.get<long>("session.max_age", s.max_age);
  s.insecure_dev = config.get<bool>("session.insecure_dev", false);
  if (s.max_age <= 0) throw ConfigError("config key 'session.max_age' must be positive");
  return s;
}

SessionCodec::SessionCodec(std::string_view secret) {
  if (secret.empty()) throw std::invalid_argument("session secret is empty");
  // The key is SHA-256 of the secret: any length of secret gives a full-size HMAC key. (SHA-256
  // is libsodium's portable code, the same before and after sodium_init.)
  crypto_hash_sha256(key_, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
}

std::string SessionCodec::mac(std::string_view signed_part) const {
  sodium_ready();
  unsigned char out[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256(out, reinterpret_cast<const unsigned char*>(signed_part.data()),
                         signed_part.size(), key_);
  return std::string(reinterpret_cast<const char*>(out), sizeof out);
}

std::string SessionCodec::encode(const nlohmann::json& payload, std::int64_t expiry) const {
  // A client's bytes kept in the session need not be UTF-8 ("?name=%ff"): replaced with U+FFFD,
  // as Response::json does, rather than a type_error that fails the request with a 500.
  const std::string json = payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string signed_part = b64url(json) + "." + std::to_string(expiry);
  return signed_part + "." + b64url(mac(signed_part));
}

std::optional<nlohmann::json> SessionCodec::decode(std::string_view cookie,
                                                   std::int64_t now) const {
  const auto last = cookie.rfind('.');
  if (last == std::string_view::npos) return std::nullopt;
  const std::string_view signed_part = cookie.substr(0, last);
  const auto given = unb64url(cookie.substr(last + 1));
  if (!given || given->size() != crypto_auth_hmacsha256_BYTES) return std::nullopt;
  const std::string expected = mac(signed_part);
  if (crypto_verify_32(reinterpret_cast<const unsigned char*>(given->data()),
                       reinterpret_cast<const unsigned char*>(expected.data())) != 0)
    return std::nullopt;
  // Authentic from here on; still check its shape and its age.
  const auto dot = signed_part.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const std::string_view exp_text = signed_part.substr(dot + 1);
  std::int64_t expiry = 0;
  auto [p, ec] = std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), expiry);
  if (ec != std::errc() || p != exp_text.data() + exp_text.size() || expiry <= now)
    return std::nullopt;
  const auto json_text = unb64url(signed_part.substr(0, dot));
  if (!json_text) return std::nullopt;
  auto payload = nlohmann::json::parse(*json_text, nullptr, false);
  if (payload.is_discarded() || !payload.is_object()) return std::nullopt;
  return payload;
}

const nlohmann::json* Session::get(std::string_view key) const {
  auto it = data_.find(key);
  return it == data_.end() ? nullptr : &*it;
}

void Session::set(std::string_view key, nlohmann::json value) {
  data_[std::string(key)] = std::move(value);
  modified_ = true;
}

void Session::erase(std::string_view key) {
  if (data_.erase(std::string(key)) > 0) modified_ = true;
}

void Session::clear() {
  modified_ = true; // even if already empty: a cleared session always deletes the cookie
  data_ = nlohmann::json::object();
}

} // namespace fh
