// trafficwatch's SQLite store: the schema, one transaction per batch holding the aggregates AND
// each log's read position, the totals/traffic/metrics queries and the alert history.
#pragma once

#include "aggregate.hpp"

#include <fcgihost/sqlite.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tw {

// The schema, recorded as "trafficwatch" in fh_migrations (adopted from PRAGMA user_version in
// databases made before that table existed).
const fh::sqlite::Migrations& migrations();

// How far a log has been read, and which file that offset belongs to: dev/inode plus a hash of
// the file's first head_len bytes (a copytruncate or a replaced file changes them).
struct FileState {
  std::string path;
  std::string site;
  std::int64_t dev = 0, ino = 0;
  std::int64_t head_len = 0;
  std::int64_t head_hash = 0;
  std::int64_t offset = 0;
};

struct Totals {
  std::uint64_t requests = 0, malformed = 0, bytes = 0;
  std::array<std::uint64_t, 6> status{};
  nlohmann::json to_json() const;
};

// One alert's row in the history (ends_at 0 while firing).
struct AlertRecord {
  std::int64_t id = 0;
  std::string rule, site, severity, summary;
  std::int64_t starts_at = 0, ends_at = 0;
  double value = 0;
};

std::vector<AlertRecord> query_alerts(fh::sqlite::Connection& db, bool firing_only, int limit);

// One step of /api/traffic: the minutes in [time, time + step).
struct TrafficPoint {
  std::int64_t time = 0;
  Totals totals;
  std::uint64_t latency_ms = 0;
  LatencyHistogram latency{};
};

// Everything stored for one site (for /metrics).
struct SiteTotals {
  std::string site;
  Totals totals;
  std::uint64_t latency_ms = 0;
  LatencyHistogram latency{};
};

// Queries on any connection (the ingest's, or a web worker's rq.db()).
Totals query_totals(fh::sqlite::Connection& db, const std::optional<std::string>& site,
                    std::optional<std::int64_t> from, std::optional<std::int64_t> to);
// Minutes in [from, to) summed per `step` seconds (a multiple of 60); steps without data are
// left out.
std::vector<TrafficPoint> query_traffic(fh::sqlite::Connection& db,
                                        const std::optional<std::string>& site, std::int64_t from,
                                        std::int64_t to, std::int64_t step);
std::vector<SiteTotals> query_site_totals(fh::sqlite::Connection& db);

class Store {
public:
  // Opens (creating) the database and applies pending migrations.
  explicit Store(const std::string& path, int busy_timeout_ms = 5000);

  // Each batch adds, per site and minute, only its `top_k` most frequent paths and clients:
  // exact for the heavy hitters, approximate in the tail, and the table stays small.
  void set_top_k(std::size_t k) noexcept { top_k_ = k; }

  std::optional<FileState> file(const std::string& path);
  // Merges `batch` and records `files` in ONE transaction: both or neither survive a crash.
  void commit(const Batch& batch, const std::vector<FileState>& files);

  // Sums over minutes in [from, to) (minute resolution; nullopt = unbounded), all sites or one.
  Totals totals(const std::optional<std::string>& site, std::optional<std::int64_t> from,
                std::optional<std::int64_t> to);

  // Rolls the minutes before `before` (rounded down to an hour) up into hours, in one
  // transaction: totals are unchanged, old ranges answer with hour resolution. Returns the
  // number of minute rows moved.
  std::int64_t rollup(std::int64_t before);

  std::int64_t alert_fired(const AlertRecord& a);
  void alert_resolved(std::int64_t id, std::int64_t ends_at);
  std::vector<AlertRecord> alerts(bool firing_only, int limit = 100);

  fh::sqlite::Connection& connection() noexcept { return db_; }

private:
  fh::sqlite::Connection db_;
  std::size_t top_k_ = 100;
};

} // namespace tw
