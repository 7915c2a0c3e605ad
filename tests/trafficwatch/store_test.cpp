// Unit tests of trafficwatch's store: aggregates and read positions commit together or not at
// all; totals by site and range; file state; top-K paths/clients; alert history.
#include "store.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

class StoreTest : public ::testing::Test {
protected:
  std::string db() const { return dir_.file("tw.db"); }

  tw::testing::TempDir dir_{"tw_store_"};
};

tw::LogLine line(std::int64_t t, int status, std::uint64_t bytes, std::string_view path = "/a",
                 std::string_view addr = "10.0.0.1") {
  tw::LogLine l;
  l.time = t;
  l.status = status;
  l.bytes = bytes;
  l.path = path;
  l.remote_addr = addr;
  l.request_time_ms = 12;
  return l;
}

tw::FileState file(const std::string& path, std::int64_t offset) {
  tw::FileState f;
  f.path = path;
  f.site = "shop";
  f.dev = 1;
  f.ino = 2;
  f.head_len = 3;
  f.head_hash = -4;
  f.offset = offset;
  return f;
}

TEST_F(StoreTest, CommitsAggregatesAndPositionsTogether) {
  tw::Store s(db());
  tw::Batch b;
  b.add("shop", line(120, 200, 5000000000ULL));
  b.add("shop", line(130, 503, 1));
  b.add("blog", line(190, 0, 7));
  b.add_malformed("shop", 125);
  s.commit(b, {file("/l/shop.log", 400)});
  auto t = s.totals(std::nullopt, std::nullopt, std::nullopt);
  EXPECT_EQ(t.requests, 3u);
  EXPECT_EQ(t.malformed, 1u);
  EXPECT_EQ(t.bytes, 5000000008ULL);
  EXPECT_EQ(t.status[0], 1u);
  EXPECT_EQ(t.status[2], 1u);
  EXPECT_EQ(t.status[5], 1u);
  EXPECT_EQ(t.to_json().dump(), R"({"bytes":5000000008,"malformed":1,"requests":3,)"
                                R"("status":{"0xx":1,"1xx":0,"2xx":1,"3xx":0,"4xx":0,"5xx":1}})");
  EXPECT_EQ(s.totals(std::string("shop"), std::nullopt, std::nullopt).requests, 2u);
  EXPECT_EQ(s.totals(std::nullopt, 180, std::nullopt).requests, 1u); // minute 180 on
  EXPECT_EQ(s.totals(std::nullopt, 100, 180).requests, 2u);          // minutes 120 only
  const auto f = s.file("/l/shop.log");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->offset, 400);
  EXPECT_EQ(f->head_hash, -4);
  EXPECT_FALSE(s.file("/l/other.log"));

  // A second batch for the same minute adds up; the position is updated.
  tw::Batch b2;
  b2.add("shop", line(121, 200, 1));
  s.commit(b2, {file("/l/shop.log", 500)});
  EXPECT_EQ(s.totals(std::string("shop"), std::nullopt, std::nullopt).requests, 3u);
  EXPECT_EQ(s.file("/l/shop.log")->offset, 500);
}

TEST_F(StoreTest, AFailedPositionWriteRollsBackTheAggregates) {
  tw::Store s(db());
  s.connection().exec("CREATE TRIGGER no_files BEFORE UPDATE ON files "
                      "BEGIN SELECT RAISE(ABORT, 'refused'); END");
  tw::Batch b;
  b.add("shop", line(60, 200, 10));
  s.commit(b, {file("/l/shop.log", 100)}); // an insert: allowed
  tw::Batch b2;
  b2.add("shop", line(60, 200, 10));
  EXPECT_THROW(s.commit(b2, {file("/l/shop.log", 200)}), fh::sqlite::Error);
  EXPECT_EQ(s.totals(std::nullopt, std::nullopt, std::nullopt).requests, 1u);
  EXPECT_EQ(s.file("/l/shop.log")->offset, 100);
}

TEST_F(StoreTest, AFailedAggregateWriteKeepsTheOldPosition) {
  tw::Store s(db());
  s.connection().exec("CREATE TRIGGER no_paths BEFORE INSERT ON minute_paths "
                      "WHEN NEW.path = '/boom' BEGIN SELECT RAISE(ABORT, 'refused'); END");
  tw::Batch b;
  b.add("shop", line(60, 200, 10, "/boom"));
  EXPECT_THROW(s.commit(b, {file("/l/shop.log", 100)}), fh::sqlite::Error);
  EXPECT_FALSE(s.file("/l/shop.log"));
  EXPECT_EQ(s.totals(std::nullopt, std::nullopt, std::nullopt).requests, 0u);
}

TEST_F(StoreTest, KeepsTheTopPathsAndClientsOfEachBatch) {
  tw::Store s(db());
  s.set_top_k(2);
  tw::Batch b;
  const std::string paths[] = {"/a", "/b", "/c"};
  for (int i = 0; i < 6; ++i) // /a x6, /b x4, /c x2
    for (int k = 0; k <= i / 2 && k < 3; ++k)
      b.add("shop", line(0, 200, 1, paths[k], "10.0.0.9"));
  s.commit(b, {});
  auto st =
      s.connection().query("SELECT group_concat(path || '=' || count) FROM "
                           "(SELECT path, count FROM minute_paths WHERE site = ?1 ORDER BY path)",
                           std::string("shop"));
  ASSERT_TRUE(st.step());
  EXPECT_EQ(st.get_text(0), "/a=6,/b=4");
  EXPECT_EQ(s.totals(std::nullopt, std::nullopt, std::nullopt).requests, 12u);
}

TEST_F(StoreTest, RollupToHoursKeepsTheTotals) {
  tw::Store s(db());
  s.set_top_k(1);
  tw::Batch b;
  for (std::int64_t t = 0; t < 3 * 3600; t += 30) // 3 hours, 2 lines a minute
    b.add("shop", line(t, t % 90 == 0 ? 500 : 200, 10, t % 60 == 0 ? "/even" : "/odd"));
  b.add_malformed("shop", 100);
  s.commit(b, {});
  const auto before = s.totals(std::nullopt, std::nullopt, std::nullopt);
  EXPECT_EQ(before.requests, 360u);
  EXPECT_EQ(s.rollup(2 * 3600 + 1800), 120); // two whole hours: 120 minutes moved
  const auto after = s.totals(std::nullopt, std::nullopt, std::nullopt);
  EXPECT_EQ(after.to_json(), before.to_json());
  EXPECT_EQ(s.totals(std::nullopt, 3600, 7200).requests, 120u); // hour resolution there
  EXPECT_EQ(s.totals(std::nullopt, 7200, 7260).requests, 2u);   // minute resolution here
  auto count = [&](const char* sql) {
    auto st = s.connection().query(sql);
    return st.step() ? st.get_int64(0) : -1;
  };
  EXPECT_EQ(count("SELECT count(*) FROM minutes"), 60);
  EXPECT_EQ(count("SELECT count(*) FROM hours"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM minute_paths WHERE minute < 7200"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM hour_paths"), 2); // top 1 of each hour
  EXPECT_EQ(count("SELECT sum(count) FROM hour_paths"), 2 * 60);
  // Late lines for a rolled-up minute, and a second roll-up: added, never lost.
  tw::Batch late;
  late.add("shop", line(10, 200, 5));
  s.commit(late, {});
  s.rollup(2 * 3600);
  EXPECT_EQ(s.totals(std::nullopt, std::nullopt, std::nullopt).requests, 361u);
  EXPECT_EQ(count("SELECT count(*) FROM hours"), 2);
  // /api/traffic over both tables, in time order.
  const auto points = tw::query_traffic(s.connection(), std::nullopt, 0, 3 * 3600, 3600);
  ASSERT_EQ(points.size(), 3u);
  EXPECT_EQ(points[0].totals.requests, 121u);
  EXPECT_EQ(points[2].time, 7200);
}

TEST_F(StoreTest, AlertHistory) {
  tw::Store s(db());
  const tw::AlertRecord a{.rule = "errors",
                          .site = "shop",
                          .severity = "critical",
                          .summary = "x",
                          .starts_at = 1000,
                          .value = 0.7};
  const auto id = s.alert_fired(a);
  ASSERT_EQ(s.alerts(true).size(), 1u);
  s.alert_resolved(id, 1060);
  EXPECT_TRUE(s.alerts(true).empty());
  const auto all = s.alerts(false);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].ends_at, 1060);
  EXPECT_EQ(all[0].rule, "errors");
}

} // namespace
