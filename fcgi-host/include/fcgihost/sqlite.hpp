// SQLite wrapper: RAII Connection / Statement / Transaction, prepared statements with typed
// binds and columns, migrations by PRAGMA user_version, and Database: one connection per thread,
// opened lazily, owned by the App. SQLITE_BUSY that outlasts busy_timeout and the retries
// throws sqlite::Busy, which the dispatcher answers with 503 + Retry-After.
#pragma once

#include "fcgihost/http_error.hpp"

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace fh {
class Config;
}

namespace fh::sqlite {

// Any SQLite failure other than "busy": our bug or a broken database (a 500).
class Error : public std::runtime_error {
public:
  Error(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
  int code() const noexcept { return code_; }

private:
  int code_;
};

// The database stayed locked past busy_timeout and the retries: 503, try again later.
class Busy : public HttpError {
public:
  Busy() : HttpError(503, "database busy, retry later") {}
};

enum class Step { Row, Done, Constraint };

class Statement {
public:
  Statement(sqlite3* db, std::string_view sql); // throws Error on a bad statement
  ~Statement();
  Statement(Statement&& o) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binds parameter `index` (1-based).
  Statement& bind(int index, std::int64_t v);
  Statement& bind(int index, int v) { return bind(index, static_cast<std::int64_t>(v)); }
  Statement& bind(int index, double v);
  Statement& bind(int index, std::string_view v);
  Statement& bind(int index, const std::string& v) { return bind(index, std::string_view(v)); }
  Statement& bind(int index, const char* v) { return bind(index, std::string_view(v)); }
  Statement& bind(int index, std::nullptr_t);
  template <class T> Statement& bind(int index, const std::optional<T>& v) {
    return v ? bind(index, *v) : bind(index, nullptr);
  }
  // Binds every argument in order, from parameter 1.
  template <class... A> Statement& bind_all(const A&... args) {
    int i = 1;
    (bind(i++, args), ...);
    return *this;
  }

  // Runs one step: true if a row is ready, false when done. Throws Busy or Error (a constraint
  // violation is an Error here; use try_step to handle it).
  bool step();
  // The same, but a constraint violation (UNIQUE, FOREIGN KEY...) is Step::Constraint.
  Step try_step();
  void reset();

  int column_count() const;
  bool is_null(int col) const;
  std::int64_t get_int64(int col) const;
  double get_double(int col) const;
  std::string get_text(int col) const;
  std::optional<std::string> get_optional_text(int col) const;

private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

class Connection {
public:
  // Opens (creating if allowed) `path`, then: busy_timeout, journal_mode=WAL, foreign_keys=ON,
  // synchronous=NORMAL. Throws Error (or Busy if the database stays locked).
  explicit Connection(const std::string& path, int busy_timeout_ms = 5000, bool create = true);
  ~Connection();
  Connection(Connection&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
  Connection& operator=(Connection&&) = delete;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* get() const noexcept { return db_; }
  // Runs SQL text that carries no values (schema, pragmas). Throws Busy or Error.
  void exec(std::string_view sql);
  Statement prepare(std::string_view sql) { return Statement(db_, sql); }
  // Prepares `sql` and binds `args` (the only way values reach SQL).
  template <class... A> Statement query(std::string_view sql, const A&... args) {
    Statement st(db_, sql);
    st.bind_all(args...);
    return st;
  }
  // Runs a statement to completion; returns the number of rows it changed.
  template <class... A> std::int64_t execute(std::string_view sql, const A&... args) {
    auto st = query(sql, args...);
    while (st.step()) {
    }
    return changes();
  }
  std::int64_t changes() const;
  std::int64_t last_insert_rowid() const;

  int user_version();
  // Applies migrations[user_version..] each in its own IMMEDIATE transaction that also bumps
  // user_version; safe when several processes start at once. Returns how many it applied.
  int migrate(const std::vector<std::string>& migrations);

private:
  sqlite3* db_ = nullptr;
};

// BEGIN IMMEDIATE (retried while busy, then Busy); rolls back on destruction unless committed.
class Transaction {
public:
  explicit Transaction(Connection& c);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

private:
  Connection& c_;
  bool done_ = false;
};

// From config: db.path (required), db.busy_timeout_ms, db.auto_migrate.
struct DatabaseSettings {
  std::string path;
  int busy_timeout_ms = 5000;
  std::vector<std::string> migrations; // migrations[i] brings user_version i to i+1
  bool auto_migrate = true;            // migrate when a process opens its first connection

  static DatabaseSettings from_config(const Config& config, std::vector<std::string> migrations);
};

// The App's database: one Connection per thread, opened on first use by that thread. The map is
// owned by the App (no global), guarded by a mutex; a thread only ever uses its own entry.
// Connections are never shared across fork (workers exec; docs/conventions.md).
class Database {
public:
  explicit Database(DatabaseSettings settings) : settings_(std::move(settings)) {}
  Connection& connection();
  const DatabaseSettings& settings() const noexcept { return settings_; }

private:
  DatabaseSettings settings_;
  std::mutex mu_;
  std::map<std::thread::id, Connection> per_thread_;
};

} // namespace fh::sqlite
