// SQLite RAII types: Connection (open + pragmas, exec), Statement (prepare/bind/step/columns),
// Transaction (BEGIN IMMEDIATE with busy retries). Busy surfaces as sqlite::Busy (503).
#include "fcgihost/sqlite.hpp"

#include <sqlite3.h>

#include <chrono>
#include <thread>

namespace fh::sqlite {
namespace {

bool is_busy(int rc) {
  const int primary = rc & 0xff;
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

[[noreturn]] void fail(sqlite3* db, int rc, std::string_view what) {
  if (is_busy(rc)) throw Busy();
  throw Error(rc, std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
}

} // namespace

Busy::Busy() : Error(SQLITE_BUSY, "database busy, retry later") {}

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  const int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
  if (rc != SQLITE_OK) fail(db, rc, "prepare");
}

Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

Statement::Statement(Statement&& o) noexcept : db_(o.db_), stmt_(o.stmt_) {
  o.stmt_ = nullptr;
}

void Statement::throw_out_of_range(int index) const {
  throw Error(SQLITE_RANGE,
              "bind: parameter " + std::to_string(index) + " is an unsigned value over INT64_MAX");
}

void Connection::throw_no_row(std::string_view sql) {
  throw Error(SQLITE_NOTFOUND, "scalar: no row from " + std::string(sql.substr(0, 200)));
}

Statement& Statement::bind_int64(int index, std::int64_t v) {
  if (int rc = sqlite3_bind_int64(stmt_, index, v); rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

Statement& Statement::bind(int index, double v) {
  if (int rc = sqlite3_bind_double(stmt_, index, v); rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

Statement& Statement::bind(int index, std::string_view v) {
  const int rc =
      sqlite3_bind_text64(stmt_, index, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

Statement& Statement::bind(int index, std::nullptr_t) {
  if (int rc = sqlite3_bind_null(stmt_, index); rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

Step Statement::try_step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return Step::Row;
  if (rc == SQLITE_DONE) return Step::Done;
  if ((rc & 0xff) == SQLITE_CONSTRAINT) {
    sqlite3_reset(stmt_);
    return Step::Constraint;
  }
  sqlite3_reset(stmt_);
  fail(db_, rc, "step");
}

bool Statement::step() {
  const Step s = try_step();
  if (s == Step::Constraint) throw Error(SQLITE_CONSTRAINT, "constraint failed");
  return s == Step::Row;
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int Statement::column_count() const {
  return sqlite3_column_count(stmt_);
}
bool Statement::is_null(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}
std::int64_t Statement::get_int64(int col) const {
  return sqlite3_column_int64(stmt_, col);
}
double Statement::get_double(int col) const {
  return sqlite3_column_double(stmt_, col);
}

std::string Statement::get_text(int col) const {
  const auto* p = sqlite3_column_text(stmt_, col);
  const int n = sqlite3_column_bytes(stmt_, col);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n))
           : std::string();
}

std::optional<std::string> Statement::get_optional_text(int col) const {
  if (is_null(col)) return std::nullopt;
  return get_text(col);
}

Connection::Connection(const std::string& path, int busy_timeout_ms, bool create) {
  const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) |
                    SQLITE_OPEN_NOMUTEX; // one thread per connection (Database guarantees it)
  const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg =
        "cannot open database " + path + ": " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw Error(rc, msg);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, busy_timeout_ms);
  // journal_mode=WAL needs a lock the first time; retry a few times if another process has it.
  for (int attempt = 0;; ++attempt) {
    try {
      exec("PRAGMA journal_mode=WAL");
      break;
    } catch (const Busy&) {
      if (attempt >= 5) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(20 * (attempt + 1)));
    }
  }
  exec("PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL");
}

Connection::~Connection() {
  sqlite3_close_v2(db_);
}

void Connection::exec(std::string_view sql) {
  const std::string text(sql);
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) fail(db_, rc, "exec");
}

std::int64_t Connection::changes() const {
  return sqlite3_changes64(db_);
}
std::int64_t Connection::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(db_);
}

Transaction::Transaction(Connection& c) : c_(c) {
  // busy_timeout already waits inside each attempt; the retries cover the cases where SQLite
  // returns BUSY without calling the busy handler, and long write bursts from many workers.
  for (int attempt = 0;; ++attempt) {
    try {
      c_.exec("BEGIN IMMEDIATE");
      return;
    } catch (const Busy&) {
      if (attempt >= 3) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(10 << attempt));
    }
  }
}

Transaction::~Transaction() {
  if (!done_) sqlite3_exec(c_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  c_.exec("COMMIT");
  done_ = true;
}

} // namespace fh::sqlite
