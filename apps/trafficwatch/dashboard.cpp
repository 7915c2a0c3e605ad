// The dashboard's routes (see dashboard.hpp): reads the store, computes the charts (chart.cpp)
// and renders templates/dashboard.tpl; every value reaches the page through the auto-escaping
// templates.
#include "dashboard.hpp"

#include "access.hpp"
#include "alerts.hpp"
#include "chart.hpp"
#include "store.hpp"
#include "top.hpp"

#include <fcgihost/template.hpp>
#include <fcgihost/url.hpp>

#include <array>
#include <cstdio>
#include <ctime>
#include <memory>

namespace tw {
namespace {

using AccessPtr = std::shared_ptr<const AccessList>;

struct WindowPreset {
  const char* name;
  std::int64_t seconds, step;
};
// Each window keeps at most 72 steps per chart.
constexpr std::array<WindowPreset, 4> kWindows = {
    {{"15m", 900, 60}, {"1h", 3600, 60}, {"6h", 6 * 3600, 300}, {"24h", 24 * 3600, 1200}}};

const WindowPreset& window_arg(fh::Request& rq) {
  const auto w = rq.args().get_or("window", "1h");
  for (const auto& p : kWindows)
    if (w == p.name) return p;
  throw fh::HttpError(400, "window must be one of 15m, 1h, 6h, 24h");
}

std::string href(std::string_view window, const std::optional<std::string>& site) {
  return "?window=" + std::string(window) + (site ? "&site=" + fh::url_encode(*site) : "");
}

std::string fixed(double v, int decimals) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string when(std::int64_t t) {
  auto s = rfc3339(t);
  s[10] = ' ';
  return s;
}

// The three charts of the window: request rate, status classes per step, latency quantiles.
void add_charts(fh::TemplateDict& d, const std::vector<TrafficPoint>& points, std::int64_t from,
                const WindowPreset& w) {
  const auto n = static_cast<std::size_t>(w.seconds / w.step);
  ChartSpec rate{"requests per second", "req/s", from, w.step, {}};
  rate.series.push_back({"requests/s", "rate", std::vector<std::optional<double>>(n, 0.0)});
  ChartSpec status{"responses per step by status class", "", from, w.step, {}};
  const std::array<std::pair<std::size_t, const char*>, 6> classes = {
      {{2, "2xx"}, {3, "3xx"}, {4, "4xx"}, {5, "5xx"}, {1, "1xx"}, {0, "0xx"}}};
  for (const auto& [i, name] : classes)
    status.series.push_back({name, std::string("s") + name, std::vector<std::optional<double>>(n)});
  ChartSpec latency{"latency percentiles", "ms", from, w.step, {}};
  for (const char* q : {"p50", "p95", "p99"})
    latency.series.push_back({q, q, std::vector<std::optional<double>>(n)});
  for (const auto& p : points) {
    if (p.time < from) continue;
    const auto i = static_cast<std::size_t>((p.time - from) / w.step);
    if (i >= n) continue;
    rate.series[0].values[i] = static_cast<double>(p.totals.requests) / static_cast<double>(w.step);
    for (std::size_t c = 0; c < classes.size(); ++c)
      status.series[c].values[i] = static_cast<double>(p.totals.status[classes[c].first]);
    if (p.totals.requests == 0) continue;
    latency.series[0].values[i] = latency_quantile_ms(p.latency, 0.50);
    latency.series[1].values[i] = latency_quantile_ms(p.latency, 0.95);
    latency.series[2].values[i] = latency_quantile_ms(p.latency, 0.99);
  }
  d.include("RATE_CHART", "chart.tpl", fh::TemplateDict(line_chart(rate)));
  d.include("STATUS_CHART", "chart.tpl", fh::TemplateDict(stacked_bar_chart(status)));
  d.include("LATENCY_CHART", "chart.tpl", fh::TemplateDict(line_chart(latency)));
}

void add_alerts(fh::TemplateDict& d, fh::sqlite::Connection& db) {
  const auto firing = query_alerts(db, true, 1000);
  for (const auto& a : firing)
    d.add_section("FIRING")
        .set("ALERTNAME", a.rule)
        .set("SITE", a.site)
        .set("SEVERITY", a.severity)
        .set("SUMMARY", a.summary)
        .set("STARTS", when(a.starts_at));
  if (firing.empty()) d.show_section("NO_FIRING");
  const auto history = query_alerts(db, false, 50);
  for (const auto& a : history)
    d.add_section("HISTORY")
        .set("STATE", a.ends_at == 0 ? "firing" : "resolved")
        .set("ALERTNAME", a.rule)
        .set("SITE", a.site)
        .set("SEVERITY", a.severity)
        .set("SUMMARY", a.summary)
        .set("STARTS", when(a.starts_at))
        .set("ENDS", a.ends_at == 0 ? std::string("-") : when(a.ends_at));
  if (history.empty()) d.show_section("NO_HISTORY");
}

void add_top(fh::TemplateDict& d, fh::sqlite::Connection& db,
             const std::optional<std::string>& site, std::int64_t from, std::int64_t to) {
  for (const auto& e : query_top(db, TopKind::Paths, site, from, to, 10))
    d.add_section("PATHS").set("KEY", e.key).set("COUNT", e.count);
  for (const auto& e : query_top(db, TopKind::Addrs, site, from, to, 10))
    d.add_section("ADDRS").set("KEY", e.key).set("COUNT", e.count);
  if (d.sections().find("PATHS") == d.sections().end()) d.show_section("NO_PATHS");
  if (d.sections().find("ADDRS") == d.sections().end()) d.show_section("NO_ADDRS");
}

// The window chooser (keeping the site) and the site chooser (keeping the window).
void add_choosers(fh::TemplateDict& d, fh::sqlite::Connection& db, const WindowPreset& w,
                  const std::optional<std::string>& site) {
  for (const auto& p : kWindows)
    d.add_section("WINDOWS")
        .set("NAME", p.name)
        .set("HREF", href(p.name, site))
        .set("CURRENT", &p == &w ? "current" : "");
  d.add_section("SITES")
      .set("NAME", "all sites")
      .set("HREF", href(w.name, std::nullopt))
      .set("CURRENT", site ? "" : "current");
  for (const auto& s : query_sites(db))
    d.add_section("SITES")
        .set("NAME", s)
        .set("HREF", href(w.name, s))
        .set("CURRENT", site == s ? "current" : "");
}

fh::Response page(fh::Request& rq) {
  const auto& w = window_arg(rq);
  const auto site_v = rq.args().get("site");
  const std::optional<std::string> site =
      site_v && !site_v->empty() ? std::optional(*site_v) : std::nullopt;
  const std::int64_t now = std::time(nullptr);
  // The window ends at the end of the current step, so the newest (partial) step is shown.
  std::int64_t to = rq.args().get_as<std::int64_t>("to").value_or(now);
  to = to - ((to % w.step) + w.step) % w.step + w.step;
  const std::int64_t from = to - w.seconds;
  auto& db = rq.db();

  fh::TemplateDict d;
  d.set("SITE_LABEL", site ? *site : std::string("all sites"))
      .set("WINDOW", w.name)
      .set("FROM", when(from))
      .set("TO", when(to))
      .set("NOW", when(now))
      .set("CSS_URL", rq.url_for("static", {{"name", "dashboard.css"}}))
      .set("JS_URL", rq.url_for("static", {{"name", "refresh.js"}}))
      .set("TOP_URL", rq.url_for("top") + "?from=" + std::to_string(from) + "&to=" +
                          std::to_string(to) + (site ? "&site=" + fh::url_encode(*site) : ""));
  add_choosers(d, db, w, site);

  const auto t = query_totals(db, site, from, to);
  const auto points = query_traffic(db, site, from, to, w.step);
  LatencyHistogram all{};
  for (const auto& p : points)
    for (std::size_t i = 0; i < all.size(); ++i)
      all[i] += p.latency[i];
  d.set("REQUESTS", t.requests)
      .set("RATE", fixed(static_cast<double>(t.requests) / static_cast<double>(w.seconds), 2))
      .set("ERROR_SHARE", t.requests ? fixed(100.0 * static_cast<double>(t.status[5]) /
                                                 static_cast<double>(t.requests),
                                             1) +
                                           " %"
                                     : std::string("-"))
      .set("MALFORMED", t.malformed)
      .set("BYTES", short_number(static_cast<double>(t.bytes)))
      .set("P95", t.requests ? fixed(latency_quantile_ms(all, 0.95), 0) + " ms" : std::string("-"));
  add_charts(d, points, from, w);
  add_alerts(d, db);
  add_top(d, db, site, from, to);

  auto r = rq.render("dashboard.tpl", d);
  r.set_header("Cache-Control", "no-store");
  return r;
}

// GET /api/top?site=&from=&to=&limit=: {"from", "to", "site", "paths": [{"path", "count"}],
// "addrs": [{"addr", "count"}]}; default the last hour, limit 1..1000 (default 10).
fh::Response top_json(fh::Request& rq) {
  const std::int64_t to = rq.args().get_as<std::int64_t>("to").value_or(std::time(nullptr));
  const std::int64_t from = rq.args().get_as<std::int64_t>("from").value_or(to - 3600);
  const std::int64_t limit = rq.args().get_as<std::int64_t>("limit").value_or(10);
  if (to <= from) throw fh::HttpError(400, "from must be before to");
  if (limit < 1 || limit > 1000) throw fh::HttpError(400, "limit must be 1..1000");
  const auto site_v = rq.args().get("site");
  const std::optional<std::string> site =
      site_v && !site_v->empty() ? std::optional(*site_v) : std::nullopt;
  nlohmann::json paths = nlohmann::json::array(), addrs = nlohmann::json::array();
  for (const auto& e : query_top(rq.db(), TopKind::Paths, site, from, to, int(limit)))
    paths.push_back({{"path", e.key}, {"count", e.count}});
  for (const auto& e : query_top(rq.db(), TopKind::Addrs, site, from, to, int(limit)))
    addrs.push_back({{"addr", e.key}, {"count", e.count}});
  fh::Response r;
  r.set_header("Content-Type", "application/json");
  r.body() = nlohmann::json{{"from", from},
                            {"to", to},
                            {"site", site ? nlohmann::json(*site) : nlohmann::json(nullptr)},
                            {"paths", std::move(paths)},
                            {"addrs", std::move(addrs)}}
                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

// GET /static/NAME: the page's stylesheet and script, nothing else. Both are templates without
// variables (templates/*.css.tpl, *.js.tpl), so they sit beside the binaries with the pages.
fh::Response static_file(fh::Request& rq) {
  const auto& name = rq.path_param("name");
  const char* type = name == "dashboard.css" ? "text/css; charset=utf-8"
                     : name == "refresh.js"  ? "text/javascript; charset=utf-8"
                                             : nullptr;
  if (type == nullptr) throw fh::HttpError(404, "no such file");
  fh::Response r;
  r.set_header("Content-Type", type);
  r.set_header("Cache-Control", "max-age=300");
  r.body() = rq.app().templates().expand(name + ".tpl", fh::TemplateDict{});
  return r;
}

} // namespace

void register_dashboard(fh::App& app) {
  AccessPtr access;
  try {
    access = std::make_shared<const AccessList>(app.config().get("access.allow", kDefaultAccess));
  } catch (const std::invalid_argument& e) {
    throw fh::ConfigError(std::string("config key 'access.allow': ") + e.what());
  }
  app.use_templates(); // trafficwatch.templates beside the binary, or config templates.root
  // Every route: the page and the API name client addresses.
  app.before_request([access](fh::Request& rq) -> std::optional<fh::Response> {
    if (access->allows(rq.remote_addr())) return std::nullopt;
    fh::log(fh::LogLevel::Warning,
            "trafficwatch: refused client " + fh::log_safe(rq.remote_addr()) + " (access.allow)");
    return fh::Response::json({{"error", "trafficwatch is not open to this client address"}}, 403);
  });
  // The page, its files and the JSON only ever come from this app.
  app.after_request([](fh::Request&, fh::Response& r) {
    r.set_header("Content-Security-Policy",
                 "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                 "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
    r.set_header("X-Content-Type-Options", "nosniff");
    r.set_header("Referrer-Policy", "no-referrer");
  });
  app.route("/", {fh::GET}, page, "dashboard");
  app.route("/api/top", {fh::GET}, top_json, "top");
  app.route("/static/<name>", {fh::GET}, static_file, "static");
}

} // namespace tw
