// Password hashing with libsodium's crypto_pwhash_str (argon2id; the string stores salt and
// cost). Neither function logs or keeps the clear password.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace fh {

class Config;

struct PasswordCost {
  unsigned long long opslimit;
  std::size_t memlimit;
  // libsodium's "interactive" limits (argon2id: 2 passes, 64 MiB): the default.
  static PasswordCost interactive();
  // The lowest limits libsodium accepts: tests only, never production.
  static PasswordCost minimum();
  // password.cost = interactive (default) | moderate | minimum; ConfigError otherwise.
  static PasswordCost from_config(const Config& config);
};

// An argon2id hash string ("$argon2id$v=19$..."). Throws std::runtime_error if out of memory.
std::string hash_password(std::string_view password, const PasswordCost& cost);
// True if `password` matches `hash` (false for a malformed hash).
bool verify_password(std::string_view hash, std::string_view password);
// A fixed argon2id hash of a throw-away text at `cost`: precomputed for the named costs
// (interactive, moderate, minimum), so a CGI start pays no hashing; computed for any other.
std::string dummy_password_hash(const PasswordCost& cost);
// The sign-in check that does not tell whether the account exists: verifies `password` against
// `hash`, or, when there is no account (nullopt), against dummy_password_hash(cost), so both
// take the same time. True only for an account whose hash matches.
bool check_password(const std::optional<std::string>& hash, std::string_view password,
                    const PasswordCost& cost);

} // namespace fh
