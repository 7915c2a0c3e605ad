// The sign-in throttle (signin.hpp): failed attempts per email and per client address, kept in
// the accounts database (table signin_failures) so that every FastCGI worker and every CGI
// process sees the same counts; 429 + Retry-After once an email or an address is locked.
#include "signin.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>

namespace accounts {
namespace {

// The throttle key of an email: ASCII lower case (users.email is COLLATE NOCASE, so "Ann@x" and
// "ann@x" are one account and share one counter).
std::string email_key(const std::string& email) {
  std::string key = "email:" + email;
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return key;
}

// When `key` (with `max` failures allowed per window) may try again: the time its max-th most
// recent failure leaves the window, or nullopt if it is not locked now.
std::optional<std::int64_t> locked_until(fh::sqlite::Connection& db, const std::string& key,
                                         int max, std::int64_t now, std::int64_t window) {
  const auto nth = db.scalar<std::optional<std::int64_t>>(
      "SELECT at FROM signin_failures WHERE key = ? AND at > ? ORDER BY at DESC LIMIT 1 OFFSET ?",
      key, now - window, max - 1);
  if (!nth) return std::nullopt;
  return *nth + window;
}

std::int64_t count_failures(fh::sqlite::Connection& db, const std::string& key, std::int64_t now,
                            std::int64_t window) {
  return db.scalar<std::int64_t>("SELECT count(*) FROM signin_failures WHERE key = ? AND at > ?",
                                 key, now - window);
}

[[noreturn]] void refuse(std::int64_t until, std::int64_t now) {
  const auto wait = std::max<std::int64_t>(1, until - now);
  throw fh::HttpError(429, "too many failed sign-ins; try again later",
                      {{"Retry-After", std::to_string(wait)}});
}

// The warning line when a lock starts (what: who is locked, already made log-safe).
void log_lock(const std::string& what, int failures, std::int64_t window) {
  fh::log(fh::LogLevel::Warning, "accounts: " + what + " after " + std::to_string(failures) +
                                     " failures (window " + std::to_string(window) + " s)");
}

} // namespace

SigninLimits SigninLimits::from_config(const fh::Config& cfg) {
  SigninLimits l;
  l.max_failures = cfg.get<int>("signin.max_failures", l.max_failures);
  l.window_seconds = cfg.get<long long>("signin.window_seconds", l.window_seconds);
  l.max_failures_per_address =
      cfg.get<int>("signin.max_failures_per_address", l.max_failures_per_address);
  if (l.max_failures < 1) throw fh::ConfigError("config key 'signin.max_failures' must be >= 1");
  if (l.window_seconds < 1)
    throw fh::ConfigError("config key 'signin.window_seconds' must be >= 1");
  if (l.max_failures_per_address < 0)
    throw fh::ConfigError("config key 'signin.max_failures_per_address' must be >= 0");
  return l;
}

std::optional<std::int64_t> sign_in(fh::Request& rq, const std::string& email,
                                    const std::string& password, const fh::PasswordCost& cost,
                                    const SigninLimits& limits) {
  auto& db = rq.db();
  const auto now = static_cast<std::int64_t>(std::time(nullptr));
  const auto window = limits.window_seconds;
  const auto user_key = email_key(email);
  const bool by_address = limits.max_failures_per_address > 0 && !rq.remote_addr().empty();
  const auto address_key = "addr:" + rq.remote_addr();
  std::int64_t address_row = 0;
  {
    // The attempt is counted as a failure before the (slow) password check, in one IMMEDIATE
    // transaction with the lock check: parallel attempts cannot slip past the limit.
    fh::sqlite::Transaction tx(db);
    db.execute("DELETE FROM signin_failures WHERE at <= ?", now - window);
    if (auto until = locked_until(db, user_key, limits.max_failures, now, window))
      refuse(*until, now);
    if (by_address) {
      if (auto until = locked_until(db, address_key, limits.max_failures_per_address, now, window))
        refuse(*until, now);
      db.execute("INSERT INTO signin_failures (key, at) VALUES (?, ?)", address_key, now);
      address_row = db.last_insert_rowid();
    }
    db.execute("INSERT INTO signin_failures (key, at) VALUES (?, ?)", user_key, now);
    tx.commit();
  }
  const auto id = check_credentials(db, email, password, cost);
  fh::sqlite::Transaction tx(db);
  if (id) { // a success clears the email's counter, and this attempt from the address's
    db.execute("DELETE FROM signin_failures WHERE key = ?", user_key);
    if (address_row != 0) db.execute("DELETE FROM signin_failures WHERE rowid = ?", address_row);
  } else {
    if (count_failures(db, user_key, now, window) == limits.max_failures)
      log_lock("sign-in locked for " + fh::log_safe(email), limits.max_failures, window);
    if (by_address &&
        count_failures(db, address_key, now, window) == limits.max_failures_per_address)
      log_lock("sign-in locked for client address " + fh::log_safe(rq.remote_addr()),
               limits.max_failures_per_address, window);
  }
  tx.commit();
  return id;
}

} // namespace accounts
