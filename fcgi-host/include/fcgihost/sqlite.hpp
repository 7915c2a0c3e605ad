// SQLite wrapper: RAII Connection / Statement / Transaction, prepared statements with typed
// binds and columns, scalar() / one() for the one-value and one-row queries, migrations recorded
// per schema name in table fh_migrations, and Database: one connection per thread, opened lazily,
// owned by the App. SQLITE_BUSY that outlasts busy_timeout and the retries throws sqlite::Busy
// (App::use_database maps it to 503 + Retry-After). Knows nothing of HTTP.
#pragma once

#include <concepts>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <type_traits>
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

// The database stayed locked past busy_timeout and the retries: try again later (an App with
// use_database answers it 503 + Retry-After).
class Busy : public Error {
public:
  Busy();
};

// NOLINTNEXTLINE(readability-identifier-naming): a type trait, named like the standard ones
template <class T> struct is_optional : std::false_type {};
template <class T> struct is_optional<std::optional<T>> : std::true_type {};

enum class Step { Row, Done, Constraint };

class Statement {
public:
  Statement(sqlite3* db, std::string_view sql); // throws Error on a bad statement
  ~Statement();
  Statement(Statement&& o) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binds parameter `index` (1-based). Every integer type and bool (as 0/1); an unsigned value
  // over INT64_MAX throws Error (SQLite integers are 64-bit signed).
  template <std::integral T> Statement& bind(int index, T v) {
    if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(std::int64_t)) {
      if (v > static_cast<T>(INT64_MAX)) throw_out_of_range(index);
    }
    return bind_int64(index, static_cast<std::int64_t>(v));
  }
  Statement& bind(int index, double v);
  Statement& bind(int index, float v) { return bind(index, static_cast<double>(v)); }
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
  // Column `col` as T: an integer type, bool, double, std::string, or std::optional of one of
  // them (nullopt for NULL). A NULL read as a non-optional is 0 / "".
  template <class T> T get(int col) const {
    if constexpr (is_optional<T>::value) {
      if (is_null(col)) return std::nullopt;
      return get<typename T::value_type>(col);
    } else if constexpr (std::is_same_v<T, bool>) {
      return get_int64(col) != 0;
    } else if constexpr (std::is_integral_v<T>) {
      return static_cast<T>(get_int64(col));
    } else if constexpr (std::is_floating_point_v<T>) {
      return static_cast<T>(get_double(col));
    } else {
      static_assert(std::is_same_v<T, std::string>, "get<T>: an integer, bool, double or string");
      return get_text(col);
    }
  }
  // Columns 0..n-1 as a tuple.
  template <class... T> std::tuple<T...> row() const {
    return row_impl<T...>(std::index_sequence_for<T...>{});
  }

private:
  template <class... T, std::size_t... I>
  std::tuple<T...> row_impl(std::index_sequence<I...>) const {
    return std::tuple<T...>(get<T>(static_cast<int>(I))...);
  }
  Statement& bind_int64(int index, std::int64_t v);
  [[noreturn]] void throw_out_of_range(int index) const;

  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// A schema: its name (the key in fh_migrations: apps that share tables share the name) and its
// steps (steps[i] brings version i to i+1; append, never edit).
struct Migrations {
  std::string name;
  std::vector<std::string> steps;
  // The schema counted its steps in PRAGMA user_version before fh_migrations existed: a database
  // with no fh_migrations rows for `name` and user_version N > 0 has steps 1..N applied (they are
  // recorded, not run again). Set by at most one schema per database file.
  bool adopt_user_version = false;
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
  // The first column of the first row as T (see Statement::get); Error if there is no row
  // (std::optional<X> as T: nullopt for no row or NULL). For COUNT(*), MAX(...), one flag.
  template <class T, class... A> T scalar(std::string_view sql, const A&... args) {
    auto st = query(sql, args...);
    if (!st.step()) {
      if constexpr (is_optional<T>::value)
        return std::nullopt;
      else
        throw_no_row(sql);
    }
    return st.template get<T>(0);
  }
  // The first row as a tuple of T... (one per column, in order), or nullopt if there is none:
  //   if (auto row = db.one<std::int64_t, std::string>("SELECT id, name ... WHERE email = ?", e))
  //     auto [id, name] = *row;
  template <class... T, class... A>
  std::optional<std::tuple<T...>> one(std::string_view sql, const A&... args) {
    auto st = query(sql, args...);
    if (!st.step()) return std::nullopt;
    return st.template row<T...>();
  }
  std::int64_t changes() const;
  std::int64_t last_insert_rowid() const;

  // Applies the steps of `m` that table fh_migrations(app, version, applied_at) does not list for
  // m.name, each in its own IMMEDIATE transaction that records it; safe when several processes
  // start at once, and apps sharing a file each get their own schema's steps. Returns how many
  // it applied. Throws Error (the failed step is rolled back and not recorded) or Busy.
  int migrate(const Migrations& m);
  // How many steps of schema `name` are applied (0 for none).
  int schema_version(std::string_view name);
  int user_version(); // PRAGMA user_version (what databases from before fh_migrations used)

private:
  [[noreturn]] static void throw_no_row(std::string_view sql);

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
  Migrations migrations;
  bool auto_migrate = true; // migrate when a process opens its first connection

  static DatabaseSettings from_config(const Config& config, Migrations migrations);
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
