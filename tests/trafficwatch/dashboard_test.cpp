// In-process tests of the trafficwatch dashboard (GET /, /api/top, /static/NAME), the access
// check every route goes through, and the pieces behind them: the address list and the chart
// geometry.
#include "access.hpp"
#include "app_fixture.hpp"
#include "chart.hpp"

namespace {

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + 1))
    ++n;
  return n;
}

TEST_F(AppTest, DashboardShowsChartsAlertsAndTopLists) {
  const auto app = make_app();
  const auto r = get(app, "/", "window=15m&to=6130");
  ASSERT_EQ(r.status(), 200) << r.body();
  EXPECT_EQ(r.header("Content-Type").value_or(""), "text/html; charset=utf-8");
  EXPECT_NE(r.header("Content-Security-Policy").value_or("").find("script-src 'self'"),
            std::string::npos);
  const std::string& h = r.body();
  EXPECT_EQ(count(h, "<svg class=\"chart\""), 3u) << h;
  EXPECT_NE(h.find("<polyline class=\"line rate\""), std::string::npos);
  EXPECT_NE(h.find("<polyline class=\"line p99\""), std::string::npos);
  EXPECT_NE(h.find("<rect class=\"s5xx\""), std::string::npos); // the 502s as bars
  // The firing alert, and both alerts in the history with their states and times.
  EXPECT_NE(h.find("class=\"alert firing critical\" data-alertname=\"errors\" data-site=\"shop\""),
            std::string::npos);
  EXPECT_NE(h.find("<tr class=\"alert resolved\"><td class=\"state\">resolved</td>"
                   "<td class=\"alertname\">slow</td>"),
            std::string::npos);
  EXPECT_NE(h.find("1970-01-01 01:43:20Z"), std::string::npos); // slow's end
  EXPECT_NE(h.find("<td class=\"key\">/x</td><td class=\"count\">101</td>"), std::string::npos)
      << h;
  EXPECT_NE(h.find("<td class=\"key\">10.0.0.1</td>"), std::string::npos);
  EXPECT_NE(h.find("<dd id=\"requests\">101</dd>"), std::string::npos);
  // The site chooser: the odd site name is escaped in text and in its link.
  EXPECT_EQ(h.find("blog\"x"), std::string::npos);
  EXPECT_NE(h.find(">blog&quot;x</a>"), std::string::npos);
  EXPECT_NE(h.find("href=\"?window=15m&amp;site=blog%22x\""), std::string::npos);
  EXPECT_NE(h.find("<a class=\"current\" href=\"?window=15m\">15m</a>"), std::string::npos);
  // Refreshing itself: the script from this app, and the meta refresh without JavaScript.
  EXPECT_NE(h.find("<script src=\"/static/refresh.js\" defer>"), std::string::npos);
  EXPECT_NE(h.find("<noscript><meta http-equiv=\"refresh\""), std::string::npos);
}

TEST_F(AppTest, DashboardPerSiteAndEmpty) {
  const auto app = make_app();
  auto r = get(app, "/", "window=1h&to=6130&site=blog%22x");
  ASSERT_EQ(r.status(), 200);
  EXPECT_NE(r.body().find("<dd id=\"requests\">1</dd>"), std::string::npos);
  EXPECT_EQ(r.body().find("<rect class=\"s5xx\""), std::string::npos);
  r = get(app, "/"); // now: no traffic in the last hour, one alert still firing
  ASSERT_EQ(r.status(), 200);
  EXPECT_NE(r.body().find("<dd id=\"requests\">0</dd>"), std::string::npos);
  EXPECT_NE(r.body().find("no requests"), std::string::npos);
  EXPECT_NE(r.body().find("data-alertname=\"errors\""), std::string::npos);
  EXPECT_EQ(get(app, "/", "window=2h").status(), 400);
  EXPECT_EQ(get(app, "/", "to=soon").status(), 400);
}

TEST_F(AppTest, TopJson) {
  const auto app = make_app();
  auto j = get_json(app, "/api/top", "from=6000&to=6180&site=shop&limit=5");
  ASSERT_EQ(j["paths"].size(), 1u);
  EXPECT_EQ(j["paths"][0]["path"], "/x");
  EXPECT_EQ(j["paths"][0]["count"], 100);
  EXPECT_EQ(j["addrs"][0]["addr"], "10.0.0.1");
  EXPECT_EQ(j["site"], "shop");
  j = get_json(app, "/api/top", "from=6060&to=6120");
  EXPECT_EQ(j["paths"][0]["count"], 30);
  EXPECT_EQ(get(app, "/api/top", "limit=0").status(), 400);
  EXPECT_EQ(get(app, "/api/top", "from=9&to=5").status(), 400);
}

TEST_F(AppTest, StaticFiles) {
  const auto app = make_app();
  auto r = get(app, "/static/refresh.js");
  ASSERT_EQ(r.status(), 200);
  EXPECT_EQ(r.header("Content-Type").value_or(""), "text/javascript; charset=utf-8");
  EXPECT_NE(r.body().find("data-refresh"), std::string::npos);
  EXPECT_EQ(get(app, "/static/dashboard.css").status(), 200);
  EXPECT_EQ(get(app, "/static/trafficwatch.cpp").status(), 404);
  EXPECT_EQ(get(app, "/static/..%2Fdashboard.cpp").status(), 404);
}

// Client addresses are on every page: loopback only unless access.allow says otherwise.
TEST_F(AppTest, AccessIsLoopbackOnlyByDefault) {
  const auto app = make_app();
  EXPECT_EQ(get(app, "/", "", "::1").status(), 200);
  for (const char* path : {"/", "/api/top", "/api/totals", "/api/alerts", "/metrics"}) {
    const auto r = get(app, path, "", "192.0.2.7");
    EXPECT_EQ(r.status(), 403) << path;
    EXPECT_EQ(r.body().find("10.0.0.1"), std::string::npos);
  }
  EXPECT_EQ(get(app, "/", "", "").status(), 403);
}

TEST_F(AppTest, AccessAllowFromConfig) {
  write_config("[access]\nallow = 192.0.2.0/24 2001:db8::/32\n");
  const auto app = make_app();
  EXPECT_EQ(get(app, "/api/totals", "", "192.0.2.7").status(), 200);
  EXPECT_EQ(get(app, "/api/totals", "", "2001:db8::5").status(), 200);
  EXPECT_EQ(get(app, "/api/totals", "", "192.0.3.7").status(), 403);
  EXPECT_EQ(get(app, "/api/totals", "", "127.0.0.1").status(),
            403); // the list replaces the default
  write_config("[access]\nallow = 10.0.0.0/33\n");
  EXPECT_THROW(make_app(), fh::ConfigError);
}

TEST(AccessList, Matches) {
  const tw::AccessList a("127.0.0.1 ::1, 10.0.0.0/8 fd00::/8 192.168.1.0/25");
  EXPECT_TRUE(a.allows("127.0.0.1"));
  EXPECT_FALSE(a.allows("127.0.0.2"));
  EXPECT_TRUE(a.allows("::1"));
  EXPECT_TRUE(a.allows("::ffff:127.0.0.1")); // IPv4-mapped
  EXPECT_TRUE(a.allows("10.255.0.1"));
  EXPECT_FALSE(a.allows("11.0.0.1"));
  EXPECT_TRUE(a.allows("fdab::1"));
  EXPECT_FALSE(a.allows("fe80::1"));
  EXPECT_TRUE(a.allows("192.168.1.127"));
  EXPECT_FALSE(a.allows("192.168.1.128"));
  EXPECT_FALSE(a.allows(""));
  EXPECT_FALSE(a.allows("localhost"));
  EXPECT_FALSE(tw::AccessList("").allows("127.0.0.1"));
  EXPECT_TRUE(tw::AccessList("*").allows("203.0.113.9"));
  EXPECT_TRUE(tw::AccessList("0.0.0.0/0").allows("203.0.113.9"));
  for (const char* bad : {"10.0.0.0/33", "::/129", "10.0.0/8", "10.0.0.1/", "10.0.0.1/x", "host"})
    EXPECT_THROW(tw::AccessList{bad}, std::invalid_argument) << bad;
}

TEST(Chart, Scales) {
  EXPECT_EQ(tw::nice_ceiling(0), 1);
  EXPECT_EQ(tw::nice_ceiling(0.3), 0.5);
  EXPECT_EQ(tw::nice_ceiling(7), 10);
  EXPECT_EQ(tw::nice_ceiling(10), 10);
  EXPECT_EQ(tw::nice_ceiling(1100), 2000);
  EXPECT_EQ(tw::short_number(0.25), "0.25");
  EXPECT_EQ(tw::short_number(1500), "1.5k");
  EXPECT_EQ(tw::short_number(2e6), "2M");
}

TEST(Chart, LinesBreakAtGapsAndBarsStack) {
  tw::ChartSpec spec{"t", "ms", 0, 60, {{"a", "p50", {1.0, 2.0, std::nullopt, 4.0}}}};
  auto j = tw::line_chart(spec);
  ASSERT_EQ(j["LINE"].size(), 2u); // two runs around the gap
  EXPECT_EQ(count(j["LINE"][0]["POINTS"], ","), 2u);
  EXPECT_EQ(count(j["LINE"][1]["POINTS"], ","), 2u); // a lone point drawn as a dot
  EXPECT_EQ(j["YTICK"].back()["LABEL"], "5 ms");
  spec.series.push_back({"b", "s5xx", {1.0, 1.0, 0.0, 1.0}});
  j = tw::stacked_bar_chart(spec);
  EXPECT_EQ(j["BAR"].size(), 6u); // no bar for a missing value or a zero
  // "b" at step 0 (bar 3) stands on "a" at step 0 (bar 0): its bottom is a's top.
  const auto num = [](const nlohmann::json& v) { return std::stod(v.get<std::string>()); };
  EXPECT_NEAR(num(j["BAR"][3]["Y"]) + num(j["BAR"][3]["H"]), num(j["BAR"][0]["Y"]), 0.11);
}

} // namespace
