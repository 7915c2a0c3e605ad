// The alert engine: rules from the config, per-second series, fire/resolve transitions, and the
// Alertmanager-compatible webhook JSON and alerts-log line for each transition.
#include "alerts.hpp"

#include <fcgihost/config.hpp>
#include <fh/sys/log.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <sstream>

namespace tw {
namespace {

RuleKind kind_from(const std::string& s, const std::string& key) {
  if (s == "error_ratio") return RuleKind::ErrorRatio;
  if (s == "rate_spike") return RuleKind::RateSpike;
  if (s == "rate_drop") return RuleKind::RateDrop;
  if (s == "latency_p95") return RuleKind::LatencyP95;
  throw fh::ConfigError("config key '" + key +
                        "' is not one of error_ratio, rate_spike, rate_drop, latency_p95");
}

std::string fmt(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

} // namespace

const char* to_string(RuleKind k) noexcept {
  switch (k) {
  case RuleKind::ErrorRatio:
    return "error_ratio";
  case RuleKind::RateSpike:
    return "rate_spike";
  case RuleKind::RateDrop:
    return "rate_drop";
  case RuleKind::LatencyP95:
    return "latency_p95";
  }
  return "?";
}

std::vector<Rule> Rule::from_config(const fh::Config& c) {
  std::vector<Rule> out;
  std::istringstream names(c.get("alerts.rules", ""));
  std::string name;
  while (names >> name) {
    const std::string p = "rule." + name + ".";
    Rule r;
    r.name = name;
    r.kind = kind_from(c.get<std::string>(p + "kind"), p + "kind");
    r.site = c.get(p + "site", "*");
    r.window = c.get<long long>(p + "window", r.window);
    r.baseline = c.get<long long>(p + "baseline", r.baseline);
    r.threshold = c.get<double>(p + "threshold");
    r.min_requests = c.get<double>(p + "min_requests", r.min_requests);
    r.min_baseline_rps = c.get<double>(p + "min_baseline_rps", r.min_baseline_rps);
    r.severity = c.get(p + "severity", "warning");
    r.resolve_after = c.get<long long>(p + "resolve_after", r.window);
    if (r.window < 1 || r.window > 86400 || r.baseline < 1 || r.baseline > 86400 ||
        r.resolve_after < 0 || r.resolve_after > 86400)
      throw fh::ConfigError("config keys '" + p + "window', '" + p + "baseline' and '" + p +
                            "resolve_after' must be 1..86400 seconds (resolve_after 0..)");
    if (std::any_of(out.begin(), out.end(), [&](const Rule& o) { return o.name == name; }))
      throw fh::ConfigError("config key 'alerts.rules' names '" + name + "' twice");
    out.push_back(std::move(r));
  }
  return out;
}

Series::Series(std::size_t capacity) : slots_(std::max<std::size_t>(capacity, 1)) {}

void Series::add(std::int64_t second, int status, std::uint32_t latency_ms) {
  const auto n = static_cast<std::int64_t>(slots_.size());
  Slot& s = slots_[static_cast<std::size_t>(((second % n) + n) % n)];
  if (s.second > second) return; // older than what the ring keeps
  first_ = std::min(first_, second);
  if (s.second != second) {
    s = Slot{};
    s.second = second;
  }
  ++s.sums.requests;
  if (status >= 500) ++s.sums.errors;
  ++s.sums.latency[latency_bucket(latency_ms)];
}

Series::Sums Series::sum(std::int64_t from, std::int64_t to) const {
  Sums out;
  const auto n = static_cast<std::int64_t>(slots_.size());
  if (to - from > n) from = to - n;
  for (std::int64_t t = from; t < to; ++t) {
    const Slot& s = slots_[static_cast<std::size_t>(((t % n) + n) % n)];
    if (s.second != t) continue;
    out.requests += s.sums.requests;
    out.errors += s.sums.errors;
    for (std::size_t i = 0; i < out.latency.size(); ++i)
      out.latency[i] += s.sums.latency[i];
  }
  return out;
}

Engine::Engine(std::vector<Rule> rules) : rules_(std::move(rules)), capacity_(2) {
  for (const auto& r : rules_)
    capacity_ = std::max<std::size_t>(capacity_, static_cast<std::size_t>(r.window + r.baseline));
  for (const auto& r : rules_)
    if (r.site != "*") add_site(r.site);
}

void Engine::add_site(const std::string& site) {
  series_.try_emplace(site, capacity_);
}

void Engine::observe(const std::string& site, std::int64_t time, int status,
                     std::uint32_t latency_ms) {
  auto it = series_.find(site);
  if (it == series_.end()) it = series_.try_emplace(site, capacity_).first;
  it->second.add(time, status, latency_ms);
}

std::pair<double, bool> Engine::check(const Rule& r, const Series& s, std::int64_t now) const {
  // Shares and latency count the current second too (its lines so far are a fair sample);
  // rates use whole seconds only, or a second still filling up would look like a drop.
  const bool whole = r.kind == RuleKind::RateSpike || r.kind == RuleKind::RateDrop;
  const std::int64_t end = whole ? now : now + 1;
  const auto w = s.sum(end - r.window, end);
  switch (r.kind) {
  case RuleKind::ErrorRatio: {
    const double share =
        w.requests == 0 ? 0 : static_cast<double>(w.errors) / static_cast<double>(w.requests);
    return {share, static_cast<double>(w.requests) >= r.min_requests && share > r.threshold};
  }
  case RuleKind::LatencyP95: {
    const double p95 = latency_quantile_ms(w.latency, 0.95);
    return {p95, static_cast<double>(w.requests) >= r.min_requests && p95 > r.threshold};
  }
  case RuleKind::RateSpike:
  case RuleKind::RateDrop: {
    const std::int64_t from = now - r.window - r.baseline;
    if (s.first() > from) return {0, false}; // no full baseline yet
    const auto b = s.sum(from, now - r.window);
    const double rate = static_cast<double>(w.requests) / static_cast<double>(r.window);
    const double base = static_cast<double>(b.requests) / static_cast<double>(r.baseline);
    if (base < r.min_baseline_rps) return {rate, false};
    if (r.kind == RuleKind::RateSpike) return {rate, rate > r.threshold * base};
    return {rate, rate < r.threshold * base};
  }
  }
  return {0, false};
}

std::vector<Alert> Engine::evaluate(std::int64_t now) {
  std::vector<Alert> changes;
  for (const auto& r : rules_) {
    for (const auto& [site, series] : series_) {
      if (r.site != "*" && r.site != site) continue;
      const auto [value, breached] = check(r, series, now);
      const auto key = std::make_pair(r.name, site);
      auto it = active_.find(key);
      if (breached && it == active_.end()) {
        Alert a;
        a.rule = r.name;
        a.site = site;
        a.severity = r.severity;
        a.kind = to_string(r.kind);
        a.value = value;
        a.starts_at = now;
        a.summary = std::string(to_string(r.kind)) + " on " + site + ": " + fmt(value) +
                    " over the last " + std::to_string(r.window) + " s (threshold " +
                    fmt(r.threshold) + ")";
        changes.push_back(a);
        active_.emplace(key, std::move(a));
      } else if (!breached && it != active_.end()) {
        Alert& cur = it->second;
        if (cur.clear_since == 0) cur.clear_since = now;
        if (now - cur.clear_since < r.resolve_after) continue;
        Alert a = std::move(cur);
        active_.erase(it);
        a.ends_at = now;
        a.value = value;
        changes.push_back(std::move(a));
      } else if (breached) {
        it->second.value = value;
        it->second.clear_since = 0;
      }
    }
  }
  return changes;
}

void Engine::restore(Alert a) {
  add_site(a.site);
  auto key = std::make_pair(a.rule, a.site);
  active_.insert_or_assign(std::move(key), std::move(a));
}

void Engine::set_id(const Alert& a, std::int64_t id) {
  if (auto it = active_.find({a.rule, a.site}); it != active_.end()) it->second.id = id;
}

std::string rfc3339(std::int64_t t) {
  return fh::sys::utc_seconds(t);
}

nlohmann::json webhook_json(const Alert& a, const std::string& external_url) {
  const std::string status = a.firing() ? "firing" : "resolved";
  const nlohmann::json labels = {
      {"alertname", a.rule}, {"site", a.site}, {"severity", a.severity}, {"kind", a.kind}};
  const nlohmann::json annotations = {{"summary", a.summary}, {"value", fmt(a.value)}};
  char fp[17];
  std::snprintf(fp, sizeof fp, "%016llx",
                static_cast<unsigned long long>(std::hash<std::string>{}(a.rule + '\0' + a.site)));
  nlohmann::json alert = {{"status", status},
                          {"labels", labels},
                          {"annotations", annotations},
                          {"startsAt", rfc3339(a.starts_at)},
                          {"endsAt", a.firing() ? "0001-01-01T00:00:00Z" : rfc3339(a.ends_at)},
                          {"generatorURL", external_url},
                          {"fingerprint", fp}};
  const nlohmann::json group = {{"alertname", a.rule}, {"site", a.site}};
  return {{"version", "4"},
          {"groupKey", "{}:{alertname=\"" + a.rule + "\", site=\"" + a.site + "\"}"},
          {"truncatedAlerts", 0},
          {"status", status},
          {"receiver", "trafficwatch"},
          {"groupLabels", group},
          {"commonLabels", labels},
          {"commonAnnotations", annotations},
          {"externalURL", external_url},
          {"alerts", nlohmann::json::array({alert})}};
}

std::string alert_log_line(const Alert& a) {
  const nlohmann::json j = {{"status", a.firing() ? "firing" : "resolved"},
                            {"alertname", a.rule},
                            {"site", a.site},
                            {"severity", a.severity},
                            {"value", a.value},
                            {"startsAt", rfc3339(a.starts_at)},
                            {"endsAt", a.firing() ? "" : rfc3339(a.ends_at)},
                            {"summary", a.summary}};
  return rfc3339(a.firing() ? a.starts_at : a.ends_at) + " " +
         (a.firing() ? "FIRING " : "RESOLVED ") +
         j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace tw
