// Database: the App-owned map of per-thread connections (lazily opened, migrated once per
// process) and migrations by PRAGMA user_version, each in its own IMMEDIATE transaction.
#include "fcgihost/config.hpp"
#include "fcgihost/log.hpp"
#include "fcgihost/sqlite.hpp"

namespace fh::sqlite {

int Connection::user_version() {
  auto st = prepare("PRAGMA user_version");
  return st.step() ? static_cast<int>(st.get_int64(0)) : 0;
}

int Connection::migrate(const std::vector<std::string>& migrations) {
  const int target = static_cast<int>(migrations.size());
  if (user_version() >= target) return 0; // the common case: no write lock taken
  int applied = 0;
  for (;;) {
    Transaction tx(*this);
    const int v = user_version(); // re-read under the write lock: another process may have won
    if (v >= target) break;
    exec(migrations[static_cast<std::size_t>(v)]);
    // PRAGMA takes no bound parameters; the value is our own integer, not input.
    exec("PRAGMA user_version = " + std::to_string(v + 1));
    tx.commit();
    ++applied;
  }
  return applied;
}

DatabaseSettings DatabaseSettings::from_config(const Config& config,
                                               std::vector<std::string> migrations) {
  DatabaseSettings s;
  s.path = config.get<std::string>("db.path");
  s.busy_timeout_ms = config.get<int>("db.busy_timeout_ms", s.busy_timeout_ms);
  s.auto_migrate = config.get<bool>("db.auto_migrate", s.auto_migrate);
  if (s.busy_timeout_ms < 0) throw ConfigError("config key 'db.busy_timeout_ms' is negative");
  s.migrations = std::move(migrations);
  return s;
}

Connection& Database::connection() {
  const auto id = std::this_thread::get_id();
  std::unique_lock lock(mu_);
  if (auto it = per_thread_.find(id); it != per_thread_.end()) return it->second;
  lock.unlock(); // opening may wait on the database: do not hold up other threads
  Connection c(settings_.path, settings_.busy_timeout_ms);
  if (settings_.auto_migrate) {
    if (int n = c.migrate(settings_.migrations); n > 0)
      fh::log(LogLevel::Info, "database migrated by " + std::to_string(n) + " step(s)");
  }
  lock.lock();
  return per_thread_.emplace(id, std::move(c)).first->second;
}

} // namespace fh::sqlite
