// Database: the App-owned map of per-thread connections (lazily opened, migrated once per
// process) and migrations recorded per schema name in fh_migrations, each step in its own
// IMMEDIATE transaction.
#include "fcgihost/config.hpp"
#include "fcgihost/log.hpp"
#include "fcgihost/sqlite.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <ctime>

namespace fh::sqlite {

int Connection::user_version() {
  return static_cast<int>(scalar<std::int64_t>("PRAGMA user_version"));
}

namespace {

bool has_migrations_table(Connection& c) {
  return c.scalar<std::int64_t>("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                                "name = 'fh_migrations'") > 0;
}

// Under the write lock: the table exists, and a schema that counted in user_version before has
// those steps recorded. Returns the schema's version.
int prepare_locked(Connection& c, const Migrations& m) {
  c.exec("CREATE TABLE IF NOT EXISTS fh_migrations (app TEXT NOT NULL, version INTEGER NOT NULL, "
         "applied_at INTEGER NOT NULL, PRIMARY KEY (app, version))");
  int v = c.schema_version(m.name);
  if (v == 0 && m.adopt_user_version) {
    const int legacy = std::min(c.user_version(), static_cast<int>(m.steps.size()));
    for (int i = 1; i <= legacy; ++i)
      c.execute("INSERT INTO fh_migrations (app, version, applied_at) VALUES (?, ?, 0)", m.name, i);
    if (legacy > 0)
      fh::log(LogLevel::Info, "database: schema " + m.name + " adopted at version " +
                                  std::to_string(legacy) + " from PRAGMA user_version");
    v = legacy;
  }
  return v;
}

} // namespace

int Connection::schema_version(std::string_view name) {
  if (!has_migrations_table(*this)) return 0;
  return static_cast<int>(scalar<std::int64_t>(
      "SELECT coalesce(max(version), 0) FROM fh_migrations WHERE app = ?", name));
}

int Connection::migrate(const Migrations& m) {
  if (m.name.empty()) throw Error(SQLITE_MISUSE, "migrations without a schema name");
  const int target = static_cast<int>(m.steps.size());
  // The common case: everything applied, no write lock taken (adoption needs the lock).
  if (schema_version(m.name) >= target) return 0;
  int applied = 0;
  for (;;) {
    Transaction tx(*this);
    const int v = prepare_locked(*this, m); // re-read under the lock: another process may have won
    if (v >= target) {
      tx.commit(); // keeps an adoption
      break;
    }
    exec(m.steps[static_cast<std::size_t>(v)]);
    execute("INSERT INTO fh_migrations (app, version, applied_at) VALUES (?, ?, ?)", m.name, v + 1,
            static_cast<std::int64_t>(std::time(nullptr)));
    tx.commit();
    ++applied;
  }
  return applied;
}

DatabaseSettings DatabaseSettings::from_config(const Config& config, Migrations migrations) {
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
