// In-process tests of the trafficwatch web app (make_app + App::handle): the JSON API, /metrics
// and bad arguments, over a database filled through the ingest's Store.
#include "store.hpp"

#include <fcgihost/app.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

fh::App make_app();

namespace {

class AppTest : public ::testing::Test {
protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tw_app_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::ofstream(dir_ + "/tw.ini") << "[db]\npath = " << dir_ << "/tw.db\n";
    ::setenv("APP_CONFIG_FILE", (dir_ + "/tw.ini").c_str(), 1);
    tw::Store store(dir_ + "/tw.db");
    tw::Batch b;
    auto add = [&](const char* site, std::int64_t t, int status, std::uint64_t bytes,
                   std::uint32_t ms) {
      tw::LogLine l;
      l.time = t;
      l.status = status;
      l.bytes = bytes;
      l.request_time_ms = ms;
      l.path = "/x";
      l.remote_addr = "10.0.0.1";
      b.add(site, l);
    };
    for (int i = 0; i < 90; ++i)
      add("shop", 6000 + i, 200, 10, 4); // minutes 6000 and 6060: 60 + 30 lines
    for (int i = 0; i < 10; ++i)
      add("shop", 6130, 502, 5000000000ULL, 3000); // minute 6120
    add("blog\"x", 6000, 404, 1, 1);
    b.add_malformed("shop", 6000);
    store.commit(b, {});
    tw::AlertRecord a;
    a.rule = "errors";
    a.site = "shop";
    a.severity = "critical";
    a.summary = "5xx";
    a.value = 1;
    a.starts_at = 6130;
    store.alert_fired(a);
    a.rule = "slow";
    store.alert_resolved(store.alert_fired(a), 6200);
  }
  void TearDown() override {
    ::unsetenv("APP_CONFIG_FILE");
    std::filesystem::remove_all(dir_);
  }

  fh::Response get(const fh::App& app, const std::string& path, const std::string& query = "") {
    fh::RawRequest r;
    r.params = {{"REQUEST_METHOD", "GET"}, {"PATH_INFO", path},      {"QUERY_STRING", query},
                {"SCRIPT_NAME", ""},       {"SERVER_NAME", "local"}, {"SERVER_PORT", "80"}};
    return app.handle(std::move(r));
  }
  nlohmann::json get_json(const fh::App& app, const std::string& path,
                          const std::string& query = "") {
    const auto r = get(app, path, query);
    EXPECT_EQ(r.status(), 200) << path << "?" << query << ": " << r.body();
    EXPECT_EQ(r.header("Content-Type").value_or(""), "application/json");
    return nlohmann::json::parse(r.body());
  }

  std::string dir_;
};

TEST_F(AppTest, Totals) {
  const auto app = make_app();
  auto j = get_json(app, "/api/totals");
  EXPECT_EQ(j["requests"], 101);
  EXPECT_EQ(j["malformed"], 1);
  EXPECT_EQ(j["bytes"], 90 * 10 + 50000000000ULL + 1);
  EXPECT_EQ(j["status"]["2xx"], 90);
  EXPECT_EQ(j["status"]["4xx"], 1);
  EXPECT_EQ(j["status"]["5xx"], 10);
  EXPECT_EQ(j["status"]["0xx"], 0);
  j = get_json(app, "/api/totals", "site=shop&from=6060&to=6180");
  EXPECT_EQ(j["requests"], 40);
  EXPECT_EQ(j["malformed"], 0);
  EXPECT_EQ(get_json(app, "/api/totals", "site=none")["requests"], 0);
  const auto bad = get(app, "/api/totals", "from=yesterday");
  EXPECT_EQ(bad.status(), 400);
  EXPECT_NE(bad.body().find("from must be an integer"), std::string::npos);
}

TEST_F(AppTest, Traffic) {
  const auto app = make_app();
  auto j = get_json(app, "/api/traffic", "site=shop&from=6000&to=6180&step=60");
  ASSERT_EQ(j["points"].size(), 3u);
  EXPECT_EQ(j["points"][0]["t"], 6000);
  EXPECT_EQ(j["points"][0]["requests"], 60);
  EXPECT_EQ(j["points"][0]["p95_ms"], 5);
  EXPECT_EQ(j["points"][2]["t"], 6120);
  EXPECT_EQ(j["points"][2]["status"]["5xx"], 10);
  EXPECT_EQ(j["points"][2]["p99_ms"], 5000); // 3000 ms falls in the (2500, 5000] bucket
  j = get_json(app, "/api/traffic", "from=5940&to=6180&step=120");
  ASSERT_EQ(j["points"].size(), 2u);
  EXPECT_EQ(j["points"][0]["t"], 6000); // steps aligned to multiples of the step
  EXPECT_EQ(j["points"][0]["requests"], 91);
  EXPECT_EQ(j["points"][1]["t"], 6120);
  EXPECT_EQ(j["points"][1]["requests"], 10);
  EXPECT_EQ(get(app, "/api/traffic", "step=30").status(), 400);
  EXPECT_EQ(get(app, "/api/traffic", "from=10&to=5").status(), 400);
  EXPECT_EQ(get(app, "/api/traffic", "from=0&to=100000000&step=60").status(), 400);
}

TEST_F(AppTest, Alerts) {
  const auto app = make_app();
  auto j = get_json(app, "/api/alerts");
  ASSERT_EQ(j["firing"].size(), 1u);
  EXPECT_EQ(j["firing"][0]["alertname"], "errors");
  EXPECT_EQ(j["firing"][0]["status"], "firing");
  EXPECT_TRUE(j["firing"][0]["endsAt"].is_null());
  ASSERT_EQ(j["history"].size(), 2u);
  EXPECT_EQ(j["history"][0]["alertname"], "slow");
  EXPECT_EQ(j["history"][0]["endsAt"], "1970-01-01T01:43:20Z");
}

TEST_F(AppTest, PrometheusMetrics) {
  const auto app = make_app();
  const auto r = get(app, "/metrics");
  ASSERT_EQ(r.status(), 200);
  EXPECT_EQ(r.header("Content-Type").value_or(""), "text/plain; version=0.0.4; charset=utf-8");
  const std::string& m = r.body();
  for (const char* want :
       {"# TYPE trafficwatch_requests_total counter\n",
        "trafficwatch_requests_total{site=\"shop\"} 100\n",
        "trafficwatch_requests_total{site=\"blog\\\"x\"} 1\n", // label value escaped
        "trafficwatch_malformed_lines_total{site=\"shop\"} 1\n",
        "trafficwatch_responses_total{site=\"shop\",class=\"5xx\"} 10\n",
        "trafficwatch_response_bytes_total{site=\"shop\"} 50000000900\n",
        "# TYPE trafficwatch_request_duration_seconds histogram\n",
        "trafficwatch_request_duration_seconds_bucket{site=\"shop\",le=\"0.005\"} 90\n",
        "trafficwatch_request_duration_seconds_bucket{site=\"shop\",le=\"2.5\"} 90\n",
        "trafficwatch_request_duration_seconds_bucket{site=\"shop\",le=\"5\"} 100\n",
        "trafficwatch_request_duration_seconds_bucket{site=\"shop\",le=\"+Inf\"} 100\n",
        "trafficwatch_request_duration_seconds_sum{site=\"shop\"} 30.36\n",
        "trafficwatch_request_duration_seconds_count{site=\"shop\"} 100\n",
        "trafficwatch_alerts_firing{alertname=\"errors\",site=\"shop\",severity=\"critical\"} 1\n"})
    EXPECT_NE(m.find(want), std::string::npos) << want << "\n---\n" << m;
  EXPECT_EQ(m.find("alertname=\"slow\""), std::string::npos); // resolved: not firing
}

} // namespace
