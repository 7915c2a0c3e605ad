// Unit tests: the SQLite wrapper (pragmas, typed binds and columns, scalar/one, transactions,
// constraint results), migrations per schema name (two schemas in one file, adoption of
// user_version, concurrent starts), per-thread connections, and Busy -> 503 + Retry-After.
#include "fcgihost/app.hpp"
#include "fcgihost/sqlite.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <thread>
#include <vector>

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

const fh::sqlite::Migrations kMigrations{
    "t",
    {"CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT UNIQUE, score REAL, note TEXT)",
     "CREATE TABLE c (p_id INTEGER NOT NULL REFERENCES p(id))"}};

TEST(Sqlite, PragmasBindsAndColumns) {
  TempDb t;
  fh::sqlite::Connection db(t.path);
  {
    auto mode = db.query("PRAGMA journal_mode");
    ASSERT_TRUE(mode.step());
    EXPECT_EQ(mode.get_text(0), "wal");
  } // finalized here: an unfinished statement would keep its read transaction open
  EXPECT_EQ(db.migrate(kMigrations), 2);
  EXPECT_EQ(db.schema_version("t"), 2);
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
  EXPECT_THROW(db.migrate({"t", {kMigrations.steps[0], "CREATE TABLE broken (", "SELECT 1"}}),
               fh::sqlite::Error);
  EXPECT_EQ(db.schema_version("t"), 1);
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
  EXPECT_EQ(mine->schema_version("t"), 2);
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

// Every integer type and bool bind without an overload ambiguity (size_t did not compile).
TEST(Sqlite, BindsEveryIntegerTypeAndBool) {
  TempDb t;
  fh::sqlite::Connection db(t.path);
  db.exec("CREATE TABLE v (x INTEGER)");
  const std::size_t size = 7;
  const unsigned short us = 3;
  const long long ll = -5;
  const std::uint32_t u32 = 4000000000U;
  const char c = 2;
  db.execute("INSERT INTO v VALUES (?), (?), (?), (?), (?), (?), (?)", size, us, ll, u32, true,
             false, c);
  EXPECT_EQ(db.scalar<std::int64_t>("SELECT sum(x) FROM v"), 7 + 3 - 5 + 4000000000LL + 1 + 2);
  EXPECT_THROW(db.execute("INSERT INTO v VALUES (?)", std::uint64_t{1} << 63), fh::sqlite::Error);
  EXPECT_EQ(db.scalar<bool>("SELECT x FROM v WHERE x = ?", true), true);
  EXPECT_EQ(db.scalar<std::size_t>("SELECT x FROM v WHERE x = ?", size), size);
}

TEST(Sqlite, ScalarAndOne) {
  TempDb t;
  fh::sqlite::Connection db(t.path);
  db.migrate(kMigrations);
  db.execute("INSERT INTO p (name, score) VALUES (?, ?), (?, NULL)", "ann", 2.5, "bob");
  EXPECT_EQ(db.scalar<std::int64_t>("SELECT count(*) FROM p"), 2);
  EXPECT_EQ(db.scalar<std::string>("SELECT name FROM p WHERE id = ?", 2), "bob");
  EXPECT_THROW(db.scalar<std::int64_t>("SELECT id FROM p WHERE name = ?", "eve"),
               fh::sqlite::Error);
  EXPECT_EQ(db.scalar<std::optional<std::int64_t>>("SELECT id FROM p WHERE name = ?", "eve"),
            std::nullopt);
  EXPECT_EQ(db.scalar<std::optional<double>>("SELECT score FROM p WHERE name = 'bob'"),
            std::nullopt);
  auto row = db.one<std::int64_t, std::string, std::optional<double>>(
      "SELECT id, name, score FROM p WHERE name = ?", "ann");
  ASSERT_TRUE(row);
  const auto& [id, name, score] = *row;
  EXPECT_EQ(id, 1);
  EXPECT_EQ(name, "ann");
  EXPECT_EQ(score, 2.5);
  EXPECT_FALSE((db.one<std::int64_t>("SELECT id FROM p WHERE name = ?", "eve")));
}

// Two apps (schemas) in one file: each gets its own steps. With one shared user_version, the
// second schema's step 1 looked applied.
TEST(Sqlite, SchemasSharingAFileEachGetTheirSteps) {
  TempDb t;
  fh::sqlite::Connection db(t.path);
  EXPECT_EQ(db.migrate(kMigrations), 2);
  const fh::sqlite::Migrations other{"other", {"CREATE TABLE o (x INTEGER)"}};
  EXPECT_EQ(db.migrate(other), 1);
  EXPECT_EQ(db.schema_version("other"), 1);
  EXPECT_EQ(db.schema_version("t"), 2);
  EXPECT_EQ(db.scalar<std::int64_t>("SELECT count(*) FROM o"), 0); // the table exists
  EXPECT_EQ(db.migrate(other), 0);
  EXPECT_EQ(db.migrate(kMigrations), 0);
}

// A database from before fh_migrations: its schema counted in PRAGMA user_version. A schema that
// says so adopts those steps (not run again: step 1 would fail on the existing table), one that
// does not starts from its own version 0.
TEST(Sqlite, AdoptsUserVersionFromOlderDatabases) {
  TempDb t;
  {
    fh::sqlite::Connection old(t.path);
    old.exec(kMigrations.steps[0]);
    old.exec("PRAGMA user_version = 1");
  }
  fh::sqlite::Connection db(t.path);
  const fh::sqlite::Migrations unrelated{"unrelated", {"CREATE TABLE u (x INTEGER)"}};
  EXPECT_EQ(db.migrate(unrelated), 1);
  auto adopting = kMigrations;
  adopting.adopt_user_version = true;
  EXPECT_EQ(db.migrate(adopting), 1); // step 2 only
  EXPECT_EQ(db.schema_version("t"), 2);
  EXPECT_EQ(db.scalar<std::int64_t>("SELECT count(*) FROM fh_migrations WHERE app = 't'"), 2);
}

// Processes (here threads, each with its own connection) starting at once: every step runs
// exactly once, under BEGIN IMMEDIATE.
TEST(Sqlite, ConcurrentMigrationsRunEachStepOnce) {
  TempDb t;
  const fh::sqlite::Migrations counted{"c",
                                       {"CREATE TABLE runs (n INTEGER)",
                                        "INSERT INTO runs VALUES (1)",
                                        "INSERT INTO runs VALUES (2)"}};
  std::vector<std::thread> threads;
  std::vector<int> applied(6, -1);
  for (std::size_t i = 0; i < applied.size(); ++i)
    threads.emplace_back([&, i] {
      fh::sqlite::Connection c(t.path, 10000);
      applied[i] = c.migrate(counted);
    });
  for (auto& th : threads)
    th.join();
  int total = 0;
  for (int n : applied)
    total += n;
  EXPECT_EQ(total, 3);
  fh::sqlite::Connection db(t.path);
  EXPECT_EQ(db.scalar<std::int64_t>("SELECT count(*) FROM runs"), 2);
}

} // namespace
