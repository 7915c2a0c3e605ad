// The trafficwatch dashboard and its access check through both front ends, as deployed: the
// trafficwatch.cgi binary (one process per request) and a trafficwatch.fcgi worker, over a
// database filled through the ingest's Store. Loopback clients see the page, its files and the
// top lists; any other REMOTE_ADDR gets 403 from either front end.
#include "store.hpp"
#include "temp_dir.hpp"

#include <fcgihost/testing.hpp>

#include <gtest/gtest.h>

#include <ctime>
#include <fstream>
#include <memory>

namespace {

namespace ft = fh::testing;

class Frontends : public ::testing::TestWithParam<const char*> {
protected:
  void SetUp() override {
    std::ofstream(dir_.file("tw.ini")) << "[db]\npath = " << dir_.file("tw.db") << "\n";
    {
      tw::Store store(dir_.file("tw.db"));
      tw::Batch b;
      tw::LogLine l;
      l.time = std::time(nullptr) - 120;
      l.status = 503;
      l.bytes = 10;
      l.request_time_ms = 7;
      l.path = "/checkout";
      l.remote_addr = "198.51.100.23";
      for (int i = 0; i < 25; ++i)
        b.add("shop", l);
      store.commit(b, {});
      store.alert_fired({.rule = "errors",
                         .site = "shop",
                         .severity = "critical",
                         .summary = "5xx",
                         .starts_at = l.time,
                         .value = 1});
    }
    const std::string env = "APP_CONFIG_FILE=" + dir_.file("tw.ini");
    if (std::string(GetParam()) == "cgi")
      target_ = std::make_unique<ft::CgiBinary>(FH_TW_CGI, ft::CgiOptions{{env}});
    else
      target_ = std::make_unique<ft::FcgiWorker>(FH_TW_FCGI, ft::FcgiOptions{{}, {env}});
  }
  void TearDown() override { target_.reset(); }
  static ft::RequestOptions from(const char* addr) { return {{}, {{"REMOTE_ADDR", addr}}}; }

  tw::testing::TempDir dir_{"tw_frontends_"};
  std::unique_ptr<ft::Target> target_;
};

TEST_P(Frontends, LoopbackSeesTheDashboard) {
  ft::Client c(*target_);
  auto r = c.get("/?window=15m", from("127.0.0.1"));
  ASSERT_EQ(r.status, 200) << r.raw << r.errors;
  EXPECT_TRUE(r.contains("data-alertname=\"errors\" data-site=\"shop\"")) << r.body;
  EXPECT_TRUE(r.contains("<td class=\"key\">198.51.100.23</td><td class=\"count\">25</td>"));
  EXPECT_TRUE(r.contains("<rect class=\"s5xx\""));
  r = c.get("/static/refresh.js", from("::1"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Type").value_or(""), "text/javascript; charset=utf-8");
  r = c.get("/api/top", from("127.0.0.1"));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["addrs"][0]["addr"], "198.51.100.23");
}

TEST_P(Frontends, OtherClientsAreRefused) {
  ft::Client c(*target_);
  for (const char* url : {"/", "/api/top", "/api/totals", "/metrics", "/static/refresh.js"}) {
    const auto r = c.get(url, from("203.0.113.5"));
    EXPECT_EQ(r.status, 403) << url;
    EXPECT_FALSE(r.contains("198.51.100.23")) << url;
  }
}

INSTANTIATE_TEST_SUITE_P(Trafficwatch, Frontends, ::testing::Values("cgi", "fcgi"));

} // namespace
