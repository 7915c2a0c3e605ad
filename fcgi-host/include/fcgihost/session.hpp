// Sessions: a JSON object carried in a signed cookie, base64url(payload).expiry.base64url(mac),
// where mac = HMAC-SHA256(secret, "payload.expiry") (libsodium). The codec verifies in constant
// time; a tampered, truncated, expired or foreign-secret cookie decodes to "no session".
// Not encrypted: the client can read the payload, so never put secrets in a session.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fh {

class Config;

// What App::use_sessions needs. From config: session.secret (>= 32 bytes), session.cookie_name,
// session.max_age (seconds), session.insecure_dev (allows a missing/short secret: development
// only, logged loudly at start-up).
struct SessionSettings {
  std::string secret;
  std::string cookie_name = "session";
  long max_age = 14L * 24 * 3600;
  bool insecure_dev = false;

  // Reads the keys above; throws ConfigError for bad values. Validation happens in use_sessions.
  static SessionSettings from_config(const Config& config);
};

// The signed-cookie format; stateless and thread-safe once built.
class SessionCodec {
public:
  static constexpr std::size_t kMinSecretBytes = 32;
  // Throws std::invalid_argument if `secret` is empty.
  explicit SessionCodec(std::string_view secret);

  // The cookie value for `payload` (an object), valid until `expiry` (unix seconds).
  std::string encode(const nlohmann::json& payload, std::int64_t expiry) const;
  // The payload, or nullopt if the value is malformed, its MAC does not verify, it has expired
  // at `now` or the payload is not a JSON object. Never throws on bad input.
  std::optional<nlohmann::json> decode(std::string_view cookie, std::int64_t now) const;

private:
  std::string mac(std::string_view signed_part) const;
  unsigned char key_[32]{};
};

// The mutable session of one request (Flask's `session`): a JSON object with change tracking.
class Session {
public:
  Session() = default;
  explicit Session(nlohmann::json data) : data_(std::move(data)) {}

  bool contains(std::string_view key) const { return data_.contains(key); }
  // The value at `key`, or nullptr.
  const nlohmann::json* get(std::string_view key) const;
  // The value at `key` converted to T, or `fallback` if absent or of another type.
  template <class T> T get(std::string_view key, T fallback) const {
    const auto* v = get(key);
    if (v == nullptr) return fallback;
    try {
      return v->get<T>();
    } catch (const nlohmann::json::exception&) {
      return fallback;
    }
  }
  void set(std::string_view key, nlohmann::json value);
  void erase(std::string_view key);
  void clear();
  bool empty() const noexcept { return data_.empty(); }

  // True once set/erase/clear changed something: only then is the cookie sent again.
  bool modified() const noexcept { return modified_; }
  const nlohmann::json& data() const noexcept { return data_; }

private:
  nlohmann::json data_ = nlohmann::json::object();
  bool modified_ = false;
};

} // namespace fh
