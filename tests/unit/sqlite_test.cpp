// Unit tests: the SQLite wrapper (pragmas, typed binds and columns, transactions, constraint
// results), migrations by user_version, per-thread connections, and Busy -> 503 + Retry-After.
#include "fcgihost/app.hpp"
#include "fcgihost/sqlite.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

namespace {

struct TempDb {
  std::filesystem::path dir;
  std::string path;
  TempDb() {
    std::string t = (std::filesystem::temp_directory_path() / "fh-sqlite-XXXXXX").string();
    dir = ::mkdtemp(t.data());
    path = (dir / "t.db").string();
  }
  ~TempDb() { std::filesystem::remove_all(dir); }
};

const std::vector<std::string> kMigrations = {
    "CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT UNIQUE, score REAL, note TEXT)",
    "CREATE TABLE c (p_id INTEGER NOT NULL REFERENCES p(id))"};

TEST(Sqlite, PragmasBindsAndColumns) {
  TempDb t;
  fh::sqlite::Connection db(t.path);
  {
    auto mode = db.query("PRAGMA journal_mode");
    ASSERT_TRUE(mode.step());
    EXPECT_EQ(mode.get_text(0), "wal");
  } // finalized here: an unfinished statement would keep its read transaction open
  EXPECT_EQ(db.migrate(kMigrations), 2);
  EXPECT_EQ(db.user_version(), 2);
  EXPECT_EQ(db.migrate(kMigrations), 0);
  const std::string evil = "x'); DROP TABLE p; --";
  db.execute("INSERT INTO p (name, score, note) VALUES (?, ?, ?)", evil, 1.5,
             std::optional<std::string>());
  auto st = db.query("SELECT id, name, score, note FROM p WHERE name = ?", evil);
  ASSERT_TRUE(st.step());
  EXPECT_EQ(st.get_int64(0), 1);
  EXPECT_EQ(st.get_text(1), evil);
  EXPECT_DOUBLE_EQ(st.get_double(2), 1.5);
  EXPECT_FALSE(st.get_optional_text(3));
  EXPECT_FALSE(st.step());
  auto dup = db.query("INSERT INTO p (name) VALUES (?)", evil);
  EXPECT_EQ(dup.try_step(), fh::sqlite::Step::Constraint);
  auto fk = db.query("INSERT INTO c (p_id) VALUES (?)", 42); // foreign_keys=ON
  EXPECT_EQ(fk.try_step(), fh::sqlite::Step::Constraint);
  EXPECT_THROW(db.prepare("SELEKT 1"), fh::sqlite::Error);
}

TEST(Sqlite, TransactionRollsBackUnlessCommitted) {
  TempDb t;
  fh::sqlite::Connection db(t.path);
  db.migrate(kMigrations);
  {
    fh::sqlite::Transaction tx(db);
    db.execute("INSERT INTO p (name) VALUES (?)", "gone");
  }
  {
    fh::sqlite::Transaction tx(db);
    db.execute("INSERT INTO p (name) VALUES (?)", "kept");
    tx.commit();
  }
  auto st = db.query("SELECT group_concat(name) FROM p");
  ASSERT_TRUE(st.step());
  EXPECT_EQ(st.get_text(0), "kept");
}

TEST(Sqlite, FailedMigrationLeavesTheVersion) {
  TempDb t;
  fh::sqlite::Connection db(t.path);
  EXPECT_THROW(db.migrate({kMigrations[0], "CREATE TABLE broken (", "SELECT 1"}),
               fh::sqlite::Error);
  EXPECT_EQ(db.user_version(), 1);
}

TEST(Sqlite, DatabaseGivesEachThreadItsOwnConnection) {
  TempDb t;
  fh::sqlite::DatabaseSettings s;
  s.path = t.path;
  s.migrations = kMigrations;
  fh::sqlite::Database d(s);
  fh::sqlite::Connection* mine = &d.connection();
  EXPECT_EQ(mine, &d.connection());
  fh::sqlite::Connection* other = nullptr;
  std::thread([&] { other = &d.connection(); }).join();
  EXPECT_NE(mine, other);
  EXPECT_EQ(mine->user_version(), 2);
}

TEST(Sqlite, BusyBecomes503WithRetryAfter) {
  TempDb t;
  fh::sqlite::Connection holder(t.path);
  holder.migrate(kMigrations);
  fh::sqlite::Transaction lock(holder); // holds the write lock for the whole test
  fh::App app("t");
  fh::sqlite::DatabaseSettings s;
  s.path = t.path;
  s.busy_timeout_ms = 10;
  s.migrations = kMigrations;
  app.use_database(s);
  app.route("/w", {fh::POST}, [](fh::Request& rq) {
    fh::sqlite::Transaction tx(rq.db());
    rq.db().execute("INSERT INTO p (name) VALUES (?)", "w");
    tx.commit();
    return fh::Response::text("ok");
  });
  fh::RawRequest raw;
  raw.params = {{"REQUEST_METHOD", "POST"}, {"PATH_INFO", "/w"}};
  auto r = app.handle(std::move(raw));
  EXPECT_EQ(r.status(), 503);
  EXPECT_EQ(r.header("Retry-After"), "1");
}

} // namespace
