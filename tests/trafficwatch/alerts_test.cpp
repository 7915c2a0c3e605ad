// Unit tests of the alert engine on a fake clock: each rule kind fires and resolves once, quiet
// cases, no flapping, restored alerts, rules from INI, the webhook JSON.
#include "alerts.hpp"

#include <fcgihost/config.hpp>

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <unistd.h>

namespace {

tw::Rule rule(tw::RuleKind kind, double threshold, std::int64_t window = 10) {
  tw::Rule r;
  r.name = tw::to_string(kind);
  r.kind = kind;
  r.threshold = threshold;
  r.window = window;
  r.baseline = 60;
  r.min_requests = 10;
  r.min_baseline_rps = 1;
  r.resolve_after = 5;
  return r;
}

// `n` requests in second t for `site`.
void traffic(tw::Engine& e, std::int64_t t, int n, int status = 200, std::uint32_t ms = 5,
             const std::string& site = "shop") {
  for (int i = 0; i < n; ++i)
    e.observe(site, t, status, ms);
}

// Runs the engine second by second over [from, to), feeding `per_second(t)`; returns every
// transition with the time it happened.
template <class F>
std::vector<tw::Alert> run(tw::Engine& e, std::int64_t from, std::int64_t to, F per_second) {
  std::vector<tw::Alert> out;
  for (std::int64_t t = from; t < to; ++t) {
    per_second(t);
    for (auto& a : e.evaluate(t))
      out.push_back(std::move(a));
  }
  return out;
}

TEST(Alerts, ErrorRatioFiresOnceAndResolvesOnce) {
  tw::Engine e({rule(tw::RuleKind::ErrorRatio, 0.2)});
  const auto changes = run(e, 1000, 1100, [&](std::int64_t t) {
    const bool burst = t >= 1030 && t < 1050;
    traffic(e, t, 8, 200);
    traffic(e, t, burst ? 8 : 0, 503);
  });
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_TRUE(changes[0].firing());
  EXPECT_EQ(changes[0].site, "shop");
  EXPECT_GE(changes[0].starts_at, 1030);
  EXPECT_LE(changes[0].starts_at, 1033); // share over 0.2 within a few seconds of the burst
  EXPECT_FALSE(changes[1].firing());
  EXPECT_EQ(changes[1].starts_at, changes[0].starts_at);
  EXPECT_GE(changes[1].ends_at, 1055); // the window clears, then resolve_after (5 s) passes
  EXPECT_LE(changes[1].ends_at, 1066);
  EXPECT_TRUE(e.active().empty());
}

TEST(Alerts, NoFlappingAroundTheThreshold) {
  tw::Engine e({rule(tw::RuleKind::ErrorRatio, 0.5, 1)});
  // The share swings around 0.5 every other second: one firing, no resolve while it swings.
  auto changes = run(e, 0, 100, [&](std::int64_t t) {
    traffic(e, t, 10, 200);
    traffic(e, t, t >= 20 && t % 2 == 0 ? 14 : (t >= 20 ? 7 : 0), 503);
  });
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_TRUE(changes[0].firing());
  changes = run(e, 100, 120, [&](std::int64_t t) { traffic(e, t, 10, 200); });
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_FALSE(changes[0].firing());
}

TEST(Alerts, ThinTrafficIsQuiet) {
  tw::Engine e({rule(tw::RuleKind::ErrorRatio, 0.2), rule(tw::RuleKind::LatencyP95, 100)});
  // Every request fails and is slow, but fewer than min_requests per window.
  const auto changes =
      run(e, 0, 100, [&](std::int64_t t) { traffic(e, t, t % 5 == 0 ? 1 : 0, 500, 9000); });
  EXPECT_TRUE(changes.empty());
}

TEST(Alerts, LatencyP95) {
  tw::Engine e({rule(tw::RuleKind::LatencyP95, 200)});
  const auto changes = run(e, 0, 120, [&](std::int64_t t) {
    const bool slow = t >= 40 && t < 70;
    traffic(e, t, 18, 200, 20);
    traffic(e, t, 2, 200, slow ? 1500 : 20); // 10% slow: p95 lands in the slow bucket
  });
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_TRUE(changes[0].firing());
  EXPECT_EQ(changes[0].value, 2500); // the 1500 ms bucket's upper bound
  EXPECT_FALSE(changes[1].firing());
}

TEST(Alerts, RateSpikeOverBaseline) {
  auto r = rule(tw::RuleKind::RateSpike, 3);
  r.baseline = 600;
  tw::Engine e({r});
  const auto changes = run(e, 0, 1000, [&](std::int64_t t) {
    traffic(e, t, t >= 700 && t < 730 ? 50 : 10); // 5x for 30 s
  });
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_TRUE(changes[0].firing());
  EXPECT_GE(changes[0].starts_at, 700);
  EXPECT_LE(changes[0].starts_at, 710);
  EXPECT_GE(changes[0].value, 30);
  EXPECT_FALSE(changes[1].firing());
  EXPECT_GE(changes[1].ends_at, 730);
  EXPECT_LE(changes[1].ends_at, 746);
}

TEST(Alerts, RateRulesWaitForAFullBaseline) {
  // Traffic from t = 0: no spike is judged before window + baseline seconds of history.
  tw::Engine e({rule(tw::RuleKind::RateSpike, 3), rule(tw::RuleKind::RateDrop, 0.1)});
  const auto changes = run(e, 0, 60, [&](std::int64_t t) { traffic(e, t, t < 5 ? 1 : 40); });
  EXPECT_TRUE(changes.empty());
}

TEST(Alerts, RateDropToNearZeroAndBack) {
  tw::Engine e({rule(tw::RuleKind::RateDrop, 0.1)});
  const auto changes = run(e, 0, 300, [&](std::int64_t t) {
    traffic(e, t, t >= 100 && t < 150 ? 0 : 10); // traffic stops for 50 s
  });
  ASSERT_GE(changes.size(), 2u);
  EXPECT_TRUE(changes[0].firing());
  EXPECT_GE(changes[0].starts_at, 100);
  EXPECT_LE(changes[0].starts_at, 112);
  EXPECT_FALSE(changes[1].firing());
  EXPECT_GE(changes[1].ends_at, 150);
  // A site that never had traffic (baseline below min_baseline_rps) never "collapses".
  tw::Engine quiet({rule(tw::RuleKind::RateDrop, 0.1)});
  quiet.add_site("empty");
  EXPECT_TRUE(run(quiet, 0, 300, [](std::int64_t) {}).empty());
}

TEST(Alerts, EachSiteOnItsOwn) {
  tw::Engine e({rule(tw::RuleKind::ErrorRatio, 0.5)});
  const auto changes = run(e, 0, 30, [&](std::int64_t t) {
    traffic(e, t, 20, 200, 5, "good");
    traffic(e, t, 20, 502, 5, "bad");
  });
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].site, "bad");
  ASSERT_EQ(e.active().size(), 1u);
}

TEST(Alerts, ARestoredFiringAlertOnlyResolves) {
  tw::Engine e({rule(tw::RuleKind::ErrorRatio, 0.2)});
  tw::Alert a;
  a.rule = "error_ratio";
  a.site = "shop";
  a.starts_at = 500;
  a.id = 7;
  e.restore(a);
  // Still failing: no second "firing"; then healthy: one "resolved" carrying the stored id.
  auto changes = run(e, 1000, 1020, [&](std::int64_t t) { traffic(e, t, 20, 500); });
  EXPECT_TRUE(changes.empty());
  changes = run(e, 1020, 1040, [&](std::int64_t t) { traffic(e, t, 20, 200); });
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_FALSE(changes[0].firing());
  EXPECT_EQ(changes[0].id, 7);
  EXPECT_EQ(changes[0].starts_at, 500);
}

TEST(Alerts, OldLinesOutsideTheWindowDoNotCount) {
  tw::Engine e({rule(tw::RuleKind::ErrorRatio, 0.2)});
  traffic(e, 100, 1000, 500); // a backlog from long ago, read at start-up
  EXPECT_TRUE(e.evaluate(5000).empty());
}

TEST(Alerts, RulesFromConfig) {
  char path[] = "/tmp/tw_rules_XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  {
    std::ofstream f(path);
    f << "[alerts]\nrules = errors slow\n[rule.errors]\nkind = error_ratio\nthreshold = 0.05\n"
         "window = 30\nsite = shop\nseverity = critical\n[rule.slow]\nkind = latency_p95\n"
         "threshold = 800\n";
  }
  fh::Config c;
  c.load_file(path);
  const auto rules = tw::Rule::from_config(c);
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[0].name, "errors");
  EXPECT_EQ(rules[0].kind, tw::RuleKind::ErrorRatio);
  EXPECT_EQ(rules[0].window, 30);
  EXPECT_EQ(rules[0].site, "shop");
  EXPECT_EQ(rules[0].severity, "critical");
  EXPECT_EQ(rules[0].resolve_after, 30); // the window by default
  EXPECT_EQ(rules[1].kind, tw::RuleKind::LatencyP95);
  EXPECT_EQ(rules[1].site, "*");
  EXPECT_DOUBLE_EQ(rules[1].threshold, 800);
  c.set("rule.slow.kind", "fast");
  EXPECT_THROW(tw::Rule::from_config(c), fh::ConfigError);
  c.set("rule.slow.kind", "latency_p95");
  c.set("rule.slow.window", "0");
  EXPECT_THROW(tw::Rule::from_config(c), fh::ConfigError);
  std::remove(path);
}

TEST(Alerts, WebhookJson) {
  tw::Alert a;
  a.rule = "errors";
  a.site = "shop";
  a.severity = "critical";
  a.kind = "error_ratio";
  a.summary = "5xx share";
  a.value = 0.5;
  a.starts_at = 1791633336;
  auto j = tw::webhook_json(a);
  EXPECT_EQ(j["version"], "4");
  EXPECT_EQ(j["status"], "firing");
  EXPECT_EQ(j["receiver"], "trafficwatch");
  EXPECT_EQ(j["groupLabels"]["alertname"], "errors");
  ASSERT_EQ(j["alerts"].size(), 1u);
  EXPECT_EQ(j["alerts"][0]["labels"]["site"], "shop");
  EXPECT_EQ(j["alerts"][0]["startsAt"], "2026-10-10T11:55:36Z");
  EXPECT_EQ(j["alerts"][0]["endsAt"], "0001-01-01T00:00:00Z");
  EXPECT_EQ(j["alerts"][0]["annotations"]["summary"], "5xx share");
  const auto fingerprint = j["alerts"][0]["fingerprint"];
  a.ends_at = a.starts_at + 60;
  j = tw::webhook_json(a);
  EXPECT_EQ(j["status"], "resolved");
  EXPECT_EQ(j["alerts"][0]["endsAt"], "2026-10-10T11:56:36Z");
  EXPECT_EQ(j["alerts"][0]["fingerprint"], fingerprint);
  EXPECT_NE(tw::alert_log_line(a).find(" RESOLVED {"), std::string::npos);
}

} // namespace
