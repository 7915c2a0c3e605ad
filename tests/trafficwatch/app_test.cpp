// In-process tests of the trafficwatch web app (make_app + App::handle): the JSON API, /metrics
// and bad arguments, over a database filled through the ingest's Store.
#include "app_fixture.hpp"

namespace {

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
