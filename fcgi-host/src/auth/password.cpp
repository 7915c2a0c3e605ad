// Password hashing (argon2id via crypto_pwhash_str), the cost settings from config, and the
// timing-equalised sign-in check.
#include "fcgihost/password.hpp"

#include "fcgihost/config.hpp"

#include <sodium.h>

#include <stdexcept>

namespace fh {

PasswordCost PasswordCost::interactive() {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

PasswordCost PasswordCost::minimum() {
  return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
}

PasswordCost PasswordCost::from_config(const Config& config) {
  const std::string name = config.get("password.cost", "interactive");
  if (name == "interactive") return interactive();
  if (name == "moderate") return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE};
  if (name == "minimum") return minimum();
  throw ConfigError("config key 'password.cost' is not one of interactive, moderate, minimum");
}

std::string hash_password(std::string_view password, const PasswordCost& cost) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium cannot be initialised");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), cost.opslimit, cost.memlimit) != 0)
    throw std::runtime_error("password hashing failed (out of memory)");
  return out;
}

bool verify_password(std::string_view hash, std::string_view password) {
  if (sodium_init() < 0) return false;
  if (hash.size() >= crypto_pwhash_STRBYTES) return false;
  char buf[crypto_pwhash_STRBYTES] = {};
  hash.copy(buf, hash.size());
  return crypto_pwhash_str_verify(buf, password.data(), password.size()) == 0;
}

std::string dummy_password_hash(const PasswordCost& cost) {
  // Hashes of a throw-away text made once with each named cost (the parameters in the string
  // are what verification pays for; password_test checks they match hash_password's).
  const auto is = [&](const PasswordCost& c) {
    return c.opslimit == cost.opslimit && c.memlimit == cost.memlimit;
  };
  if (is(PasswordCost::minimum()))
    return "$argon2id$v=19$m=8,t=1,p=1$zjxw5fIXrNW/EZ8ulXjrVg$j/"
           "bgHfnhyml4jqf4O2m9JfqIH09wbQnEqdctVkRqw0g";
  if (is({crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE}))
    return "$argon2id$v=19$m=262144,t=3,p=1$ws/3Kw2JXdeF172hFP2Ucg$"
           "hq20fAm3m7A/s+klGfRZw14ltdYgL6VxZDwCULkj+sw";
  if (is(PasswordCost::interactive()))
    return "$argon2id$v=19$m=65536,t=2,p=1$3oGG7awUIPL11uby/rPQPA$"
           "J6m4daUT9vHGvjRXozaVfHt17rCWl/TBgEcMunr0dHI";
  return hash_password("no such user: timing equaliser", cost);
}

bool check_password(const std::optional<std::string>& hash, std::string_view password,
                    const PasswordCost& cost) {
  if (!hash) {
    (void)verify_password(dummy_password_hash(cost), password);
    return false;
  }
  return verify_password(*hash, password);
}

} // namespace fh
