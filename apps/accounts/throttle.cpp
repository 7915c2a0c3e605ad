// The sign-in throttle (signin.hpp): failed attempts per (email, client address) pair, per email
// across all addresses (a higher backstop) and per client address, kept in the accounts database
// (table signin_failures) so that every FastCGI worker and every CGI process sees the same
// counts; 429 + Retry-After while one of them is locked; accounts-admin's unlock and
// unlock-address.
#include "signin.hpp"

#include <fh/sys/strings.hpp>

#include <algorithm>
#include <ctime>
#include <string_view>
#include <vector>

namespace accounts {
namespace {

// The throttle keys. The backstop (every address together) is "email:<email>", the key migration
// 3's single per-email counter had, so its rows carry over. A pair is
// "pair:<byte length of email>:<email>:<address>": the length makes "pair:<n>:<email>:" a prefix
// of that email's pairs and of no other email's, whatever bytes the email or address hold.
std::string backstop_key(const std::string& email) {
  return "email:" + fh::sys::to_ascii_lower(email); // users.email is COLLATE NOCASE
}
std::string pair_prefix(const std::string& email) {
  const auto e = fh::sys::to_ascii_lower(email);
  return "pair:" + std::to_string(e.size()) + ":" + e + ":";
}

// The address part of a pair key, or nullopt if `key` is not a well-formed pair key.
std::optional<std::string_view> pair_address(std::string_view key) {
  constexpr std::string_view tag = "pair:";
  if (!key.starts_with(tag)) return std::nullopt;
  key.remove_prefix(tag.size());
  const auto colon = key.find(':');
  if (colon == 0 || colon == std::string_view::npos || colon > 9) return std::nullopt;
  std::size_t length = 0;
  for (const char c : key.substr(0, colon)) {
    if (c < '0' || c > '9') return std::nullopt;
    length = length * 10 + static_cast<std::size_t>(c - '0');
  }
  key.remove_prefix(colon + 1);
  if (key.size() <= length || key[length] != ':') return std::nullopt;
  return key.substr(length + 1);
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

// Throws 429 if `key` is locked (`max` 0: that limit is off).
void refuse_if_locked(fh::sqlite::Connection& db, const std::string& key, int max, std::int64_t now,
                      std::int64_t window) {
  if (max <= 0) return;
  const auto until = locked_until(db, key, max, now, window);
  if (!until) return;
  const auto wait = std::max<std::int64_t>(1, *until - now);
  throw fh::HttpError(429, "too many failed sign-ins; try again later",
                      {{"Retry-After", std::to_string(wait)}});
}

std::int64_t record(fh::sqlite::Connection& db, const std::string& key, std::int64_t now) {
  db.execute("INSERT INTO signin_failures (key, at) VALUES (?, ?)", key, now);
  return db.last_insert_rowid();
}

// Logs a warning if the failure recorded as `row` is the `max`-th in the window for `key`, i.e.
// the one that started the lock: once per lock, also under parallel attempts (rows are numbered
// in the order the IMMEDIATE transactions recorded them; only a success deleting its own row in
// between can shift a rank). `who` and `from` are already log-safe.
void log_if_lock_starts(fh::sqlite::Connection& db, const std::string& key, std::int64_t row,
                        int max, std::int64_t now, std::int64_t window, const std::string& who,
                        const std::string& from) {
  if (max <= 0 || row == 0) return;
  const auto rank = db.scalar<std::int64_t>(
      "SELECT count(*) FROM signin_failures WHERE key = ? AND at > ? AND rowid <= ?", key,
      now - window, row);
  if (rank != max) return;
  fh::log(fh::LogLevel::Warning, "accounts: sign-in locked for " + who + " after " +
                                     std::to_string(max) + " failures" + from + " (window " +
                                     std::to_string(window) + " s)");
}

} // namespace

SigninLimits SigninLimits::from_config(const fh::Config& cfg) {
  SigninLimits l;
  l.max_failures = cfg.get<int>("signin.max_failures", l.max_failures);
  l.window_seconds = cfg.get<long long>("signin.window_seconds", l.window_seconds);
  l.max_failures_per_email =
      cfg.get<int>("signin.max_failures_per_email", l.max_failures_per_email);
  l.max_failures_per_address =
      cfg.get<int>("signin.max_failures_per_address", l.max_failures_per_address);
  if (l.max_failures < 1) throw fh::ConfigError("config key 'signin.max_failures' must be >= 1");
  if (l.window_seconds < 1)
    throw fh::ConfigError("config key 'signin.window_seconds' must be >= 1");
  if (l.window_seconds > kMaxWindowSeconds)
    throw fh::ConfigError("config key 'signin.window_seconds' must be <= " +
                          std::to_string(kMaxWindowSeconds) + " (30 days)");
  if (l.max_failures_per_email < 0)
    throw fh::ConfigError("config key 'signin.max_failures_per_email' must be >= 0");
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
  const auto& addr = rq.remote_addr();
  const auto pair = pair_prefix(email) + addr;
  const auto backstop = backstop_key(email);
  const auto address = "addr:" + addr;
  const int per_email = limits.max_failures_per_email;
  const int per_address = addr.empty() ? 0 : limits.max_failures_per_address;
  // Pruned in a statement of its own, so that it holds when the attempt below is refused.
  db.execute("DELETE FROM signin_failures WHERE at <= ?", now - window);
  std::int64_t pair_row = 0, backstop_row = 0, address_row = 0;
  {
    // The attempt is counted as a failure before the (slow) password check, in one IMMEDIATE
    // transaction with the lock checks: parallel attempts cannot slip past a limit. A refused
    // attempt is not counted (a lock does not extend itself).
    fh::sqlite::Transaction tx(db);
    refuse_if_locked(db, pair, limits.max_failures, now, window);
    refuse_if_locked(db, backstop, per_email, now, window);
    refuse_if_locked(db, address, per_address, now, window);
    pair_row = record(db, pair, now);
    if (per_email > 0) backstop_row = record(db, backstop, now);
    if (per_address > 0) address_row = record(db, address, now);
    tx.commit();
  }
  const auto id = check_credentials(db, email, password, cost);
  fh::sqlite::Transaction tx(db);
  if (id) {
    // A success clears this pair's failures and this attempt's own rows, nothing else: other
    // addresses' counts and the backstop would otherwise show them that the account is in use.
    db.execute("DELETE FROM signin_failures WHERE key = ?", pair);
    db.execute("DELETE FROM signin_failures WHERE rowid IN (?, ?)", backstop_row, address_row);
  } else {
    const auto who = fh::log_safe(email);
    const auto from =
        addr.empty() ? std::string(" (no client address)") : " from " + fh::log_safe(addr);
    log_if_lock_starts(db, pair, pair_row, limits.max_failures, now, window, who, from);
    log_if_lock_starts(db, backstop, backstop_row, per_email, now, window, who,
                       " from all addresses together");
    log_if_lock_starts(db, address, address_row, per_address, now, window,
                       "client address " + fh::log_safe(addr), "");
  }
  tx.commit();
  return id;
}

std::int64_t unlock_sign_in(fh::sqlite::Connection& db, const std::string& email) {
  auto prefix = pair_prefix(email);
  auto end = prefix;
  end.back() = ';'; // the first string after every one that starts with prefix (':' + 1)
  fh::sqlite::Transaction tx(db);
  const auto n = db.execute("DELETE FROM signin_failures WHERE key = ? OR (key >= ? AND key < ?)",
                            backstop_key(email), prefix, end);
  tx.commit();
  return n;
}

std::int64_t unlock_sign_in_address(fh::sqlite::Connection& db, const std::string& address) {
  fh::sqlite::Transaction tx(db);
  std::vector<std::string> keys;
  auto pairs =
      db.query("SELECT DISTINCT key FROM signin_failures WHERE key >= 'pair:' AND key < 'pair;'");
  while (pairs.step()) {
    auto key = pairs.get<std::string>(0);
    if (pair_address(key) == std::string_view(address)) keys.push_back(std::move(key));
  }
  std::int64_t n = db.execute("DELETE FROM signin_failures WHERE key = ?", "addr:" + address);
  for (const auto& key : keys)
    n += db.execute("DELETE FROM signin_failures WHERE key = ?", key);
  tx.commit();
  return n;
}

} // namespace accounts
