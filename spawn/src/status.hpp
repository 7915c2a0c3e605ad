// status.hpp: what the status socket shows, as plain snapshots (PoolStatus, MasterStatus), and
// its renderings: JSON (/status) and the Prometheus text format (/metrics). Pure functions.
#pragma once

#include "pool_policy.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace spawn {

struct WorkerStatus {
  pid_t pid = -1;
  int generation = 0;
  WorkerState state = WorkerState::Booting;
  std::string recycling; // why it is being replaced; "" = it is not
  WorkerReport report;   // from the scoreboard
  long rss_kb = 0;
  double age_s = 0;
};

struct PoolStatus {
  std::string name, kind, app, listen; // kind: "fastcgi" or "daemon"; listen: "none" for a daemon
  int generation = 0, target_workers = 0;
  bool halted = false, stopping = false, keepalive = false;
  long max_queue_wait_ms = 0;
  std::uint64_t requests_served = 0; // by the live workers and the gone ones
  std::map<std::string, std::uint64_t> restarts;
  int listen_queue = -1, listen_queue_limit = 0;
  std::vector<WorkerStatus> workers;
};

struct MasterStatus {
  pid_t pid = -1;
  double uptime_s = 0;
  bool stopping = false;
  std::vector<PoolStatus> pools;
};

// The JSON document of /status (client text in current URIs: invalid UTF-8 becomes U+FFFD).
std::string render_json(const MasterStatus& m);
// One pool's JSON object (`spawn ctl status POOL`).
std::string render_pool_json(const PoolStatus& p);
// The Prometheus text of /metrics (fh_spawn_*).
std::string render_prometheus(const MasterStatus& m);

} // namespace spawn
