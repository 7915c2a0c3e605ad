// The early-warning engine, pure (time passed in): per-second series per site, rules from the
// INI config, firing/resolved transitions, and the Alertmanager webhook JSON.
#pragma once

#include "aggregate.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace fh {
class Config;
}

namespace tw {

enum class RuleKind { ErrorRatio, RateSpike, RateDrop, LatencyP95 };

const char* to_string(RuleKind k) noexcept;

struct Rule {
  std::string name;
  RuleKind kind = RuleKind::ErrorRatio;
  std::string site = "*";   // one site, or "*": every site on its own
  std::int64_t window = 60; // seconds evaluated: [now - window, now)
  // Rate rules: the seconds before the window; quiet until the site has that much history.
  std::int64_t baseline = 600;
  // error_ratio: 5xx share (0..1); latency_p95: bound in ms; rate_spike: factor over the
  // baseline rate; rate_drop: fraction of the baseline rate under which traffic has collapsed.
  double threshold = 0;
  double min_requests = 10;    // error_ratio, latency_p95: fewer requests in the window: quiet
  double min_baseline_rps = 1; // rate rules: a baseline below this is too thin to judge
  std::string severity = "warning";
  // A firing alert resolves only after this many seconds in a row without a breach (no
  // flapping around the threshold); -1 in the config means "the window".
  std::int64_t resolve_after = 60;

  // alerts.rules = "a b c" names the rules; each is section [rule.NAME] with kind, site, window,
  // baseline, threshold, min_requests, min_baseline_rps, severity, resolve_after (default: the
  // window). Throws fh::ConfigError.
  static std::vector<Rule> from_config(const fh::Config& config);
};

// Per-second counters of one site, for the last `capacity` seconds.
class Series {
public:
  struct Sums {
    std::uint64_t requests = 0, errors = 0; // errors: 5xx
    LatencyHistogram latency{};
  };
  explicit Series(std::size_t capacity);
  void add(std::int64_t second, int status, std::uint32_t latency_ms);
  Sums sum(std::int64_t from, std::int64_t to) const; // seconds in [from, to)
  // The first second ever added (INT64_MAX before any): a baseline needs history behind it.
  std::int64_t first() const noexcept { return first_; }

private:
  std::int64_t first_ = INT64_MAX;
  struct Slot {
    std::int64_t second = INT64_MIN;
    Sums sums;
  };
  std::vector<Slot> slots_;
};

struct Alert {
  std::string rule, site, severity, kind, summary;
  double value = 0;
  std::int64_t starts_at = 0;
  std::int64_t ends_at = 0;     // 0 while firing
  std::int64_t id = 0;          // its row in the store's history (set by the caller)
  std::int64_t clear_since = 0; // firing, but not breached since then (0: breached)
  bool firing() const noexcept { return ends_at == 0; }
};

class Engine {
public:
  explicit Engine(std::vector<Rule> rules);

  const std::vector<Rule>& rules() const noexcept { return rules_; }
  void observe(const std::string& site, std::int64_t time, int status, std::uint32_t latency_ms);
  // Evaluates every rule for every site at `now`; returns the alerts that fired or resolved
  // (each exactly once per episode). Firing alerts stay in active().
  std::vector<Alert> evaluate(std::int64_t now);
  // An alert that was firing when the process stopped: resolved later without firing again.
  void restore(Alert a);
  void set_id(const Alert& a, std::int64_t id);
  const std::map<std::pair<std::string, std::string>, Alert>& active() const noexcept {
    return active_;
  }
  // Also watched for rate rules before their first line (a site that never logs collapses).
  void add_site(const std::string& site);

private:
  // The rule's value at `now` and whether it is breached.
  std::pair<double, bool> check(const Rule& r, const Series& s, std::int64_t now) const;

  std::vector<Rule> rules_;
  std::size_t capacity_;
  std::map<std::string, Series> series_;
  std::map<std::pair<std::string, std::string>, Alert> active_; // (rule, site)
};

// RFC 3339 UTC ("2026-10-10T11:55:36Z").
std::string rfc3339(std::int64_t t);
// The Alertmanager webhook payload (version 4) for one alert transition.
nlohmann::json webhook_json(const Alert& a, const std::string& external_url = "");
// One alerts-log line (no newline).
std::string alert_log_line(const Alert& a);

} // namespace tw
