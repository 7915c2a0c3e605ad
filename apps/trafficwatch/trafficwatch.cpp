// The trafficwatch web app (trafficwatch.cgi / .fcgi): /api/totals, /api/traffic, /api/alerts
// and /metrics (Prometheus text) over the ingest's SQLite database (config db.path); the
// dashboard and the access check are in dashboard.cpp.
#include "alerts.hpp"
#include "dashboard.hpp"
#include "store.hpp"

#include <fcgihost/fcgihost.hpp>

#include <ctime>
#include <optional>
#include <string>

namespace {

std::optional<std::string> site_arg(fh::Request& rq) {
  const auto v = rq.args().get("site");
  if (!v || v->empty()) return std::nullopt;
  return std::string(*v);
}

nlohmann::json alert_json(const tw::AlertRecord& a) {
  return {{"id", a.id},
          {"alertname", a.rule},
          {"site", a.site},
          {"severity", a.severity},
          {"summary", a.summary},
          {"value", a.value},
          {"status", a.ends_at == 0 ? "firing" : "resolved"},
          {"startsAt", tw::rfc3339(a.starts_at)},
          {"endsAt",
           a.ends_at == 0 ? nlohmann::json(nullptr) : nlohmann::json(tw::rfc3339(a.ends_at))}};
}

fh::Response json(const nlohmann::json& j) {
  fh::Response r;
  r.set_header("Content-Type", "application/json");
  r.body() = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

// A Prometheus label value: backslash, double quote and newline escaped.
std::string label(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

std::string seconds(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", ms / 1000.0);
  return buf;
}

std::string metrics(fh::sqlite::Connection& db) {
  const auto sites = tw::query_site_totals(db);
  std::string out;
  auto family = [&](const char* name, const char* type, const char* help) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  };
  // A counter family with one sample per site: that site's `field` of its totals.
  auto per_site = [&](const char* name, const char* help, std::uint64_t tw::Totals::*field) {
    family(name, "counter", help);
    for (const auto& s : sites)
      out += std::string(name) + "{site=\"" + label(s.site) + "\"} " +
             std::to_string(s.totals.*field) + "\n";
  };
  per_site("trafficwatch_requests_total", "Valid access-log lines (requests).",
           &tw::Totals::requests);
  per_site("trafficwatch_malformed_lines_total", "Access-log lines that did not parse.",
           &tw::Totals::malformed);
  per_site("trafficwatch_response_bytes_total", "Sum of $body_bytes_sent.", &tw::Totals::bytes);
  family("trafficwatch_responses_total", "counter", "Requests by status class.");
  for (const auto& s : sites)
    for (std::size_t i = 0; i < s.totals.status.size(); ++i)
      out += "trafficwatch_responses_total{site=\"" + label(s.site) + "\",class=\"" +
             std::to_string(i) + "xx\"} " + std::to_string(s.totals.status[i]) + "\n";
  family("trafficwatch_request_duration_seconds", "histogram", "$request_time.");
  for (const auto& s : sites) {
    const std::string l = "site=\"" + label(s.site) + "\"";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < tw::kLatencyBoundsMs.size(); ++i) {
      cumulative += s.latency[i];
      out += "trafficwatch_request_duration_seconds_bucket{" + l + ",le=\"" +
             seconds(tw::kLatencyBoundsMs[i]) + "\"} " + std::to_string(cumulative) + "\n";
    }
    cumulative += s.latency.back();
    out += "trafficwatch_request_duration_seconds_bucket{" + l + ",le=\"+Inf\"} " +
           std::to_string(cumulative) + "\n";
    out += "trafficwatch_request_duration_seconds_sum{" + l + "} " +
           seconds(static_cast<double>(s.latency_ms)) + "\n";
    out += "trafficwatch_request_duration_seconds_count{" + l + "} " + std::to_string(cumulative) +
           "\n";
  }
  family("trafficwatch_alerts_firing", "gauge", "1 for each alert firing now.");
  for (const auto& a : tw::query_alerts(db, true, 1000))
    out += "trafficwatch_alerts_firing{alertname=\"" + label(a.rule) + "\",site=\"" +
           label(a.site) + "\",severity=\"" + label(a.severity) + "\"} 1\n";
  return out;
}

// GET /api/traffic?site=&from=&to=&step=: the counters per step (default: the last hour by
// minutes), with p50/p95/p99 from the latency histogram.
fh::Response traffic(fh::Request& rq) {
  const std::int64_t to = rq.args().get_as<std::int64_t>("to").value_or(std::time(nullptr));
  const std::int64_t from = rq.args().get_as<std::int64_t>("from").value_or(to - 3600);
  const std::int64_t step = rq.args().get_as<std::int64_t>("step").value_or(60);
  if (step < 60 || step % 60 != 0)
    throw fh::HttpError(400, "step must be a multiple of 60 seconds");
  if (to <= from || (to - from) / step > 10000)
    throw fh::HttpError(400, "from must be before to, with at most 10000 steps");
  const auto site = site_arg(rq);
  nlohmann::json points = nlohmann::json::array();
  for (const auto& p : tw::query_traffic(rq.db(), site, from, to, step)) {
    auto j = p.totals.to_json();
    j["t"] = p.time;
    j["p50_ms"] = tw::latency_quantile_ms(p.latency, 0.50);
    j["p95_ms"] = tw::latency_quantile_ms(p.latency, 0.95);
    j["p99_ms"] = tw::latency_quantile_ms(p.latency, 0.99);
    points.push_back(std::move(j));
  }
  return json({{"from", from},
               {"to", to},
               {"step", step},
               {"site", site ? nlohmann::json(*site) : nlohmann::json(nullptr)},
               {"points", std::move(points)}});
}

} // namespace

fh::App make_app() {
  fh::App app("trafficwatch");
  app.config().load_from_env("APP_CONFIG_FILE", true);
  app.use_database(fh::sqlite::DatabaseSettings::from_config(app.config(), tw::migrations()));

  app.route(
      "/api/totals", {fh::GET},
      [](fh::Request& rq) {
        return json(tw::query_totals(rq.db(), site_arg(rq), rq.args().get_as<std::int64_t>("from"),
                                     rq.args().get_as<std::int64_t>("to"))
                        .to_json());
      },
      "totals");

  app.route("/api/traffic", {fh::GET}, traffic, "traffic");

  app.route(
      "/api/alerts", {fh::GET},
      [](fh::Request& rq) {
        nlohmann::json firing = nlohmann::json::array(), history = nlohmann::json::array();
        for (const auto& a : tw::query_alerts(rq.db(), true, 1000))
          firing.push_back(alert_json(a));
        for (const auto& a : tw::query_alerts(rq.db(), false, 100))
          history.push_back(alert_json(a));
        return json({{"firing", std::move(firing)}, {"history", std::move(history)}});
      },
      "alerts");

  app.route(
      "/metrics", {fh::GET},
      [](fh::Request& rq) {
        fh::Response r = fh::Response::text(metrics(rq.db()));
        r.set_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        return r;
      },
      "metrics");

  tw::register_dashboard(app);

  app.errorhandler(400, [](fh::Request&, const fh::HttpError& e) {
    return fh::Response::json({{"error", e.what()}}, 400);
  });
  return app;
}
