// status.cpp: JSON and Prometheus renderings of the master's and the pools' status snapshots.
#include "status.hpp"

#include <fh/sys/worker_protocol.hpp>
#include <nlohmann/json.hpp>

namespace spawn {
namespace {

using nlohmann::json;

json worker_json(const WorkerStatus& w) {
  const WorkerReport& r = w.report;
  json j = {{"pid", w.pid},
            {"generation", w.generation},
            {"state", state_name(w.state)},
            {"publishes", r.threads > 0},
            {"leader_follower", (r.flags & fh::sys::worker::kFlagLeaderFollower) != 0},
            {"threads", r.threads},
            {"busy", r.busy},
            {"served", r.served},
            {"rss_kb", w.rss_kb},
            {"age_s", w.age_s}};
  if (!w.recycling.empty()) j["recycling"] = w.recycling;
  if (r.busy > 0) j["current"] = {{"method", r.method}, {"uri", r.uri}, {"running_s", r.running_s}};
  return j;
}

json pool_json(const PoolStatus& p) {
  json ws = json::array();
  int threads = 0, busy = 0;
  for (const WorkerStatus& w : p.workers) {
    threads += w.report.threads;
    busy += w.report.busy;
    ws.push_back(worker_json(w));
  }
  return json{{"name", p.name},
              {"kind", p.kind},
              {"app", p.app},
              {"listen", p.listen},
              {"generation", p.generation},
              {"target_workers", p.target_workers},
              {"halted", p.halted},
              {"keepalive", p.keepalive},
              {"max_queue_wait_ms", p.max_queue_wait_ms},
              {"stopping", p.stopping},
              {"busy_threads", busy},
              {"threads", threads},
              {"busy_share", threads > 0 ? static_cast<double>(busy) / threads : 0.0},
              {"requests_served", p.requests_served},
              {"restarts", p.restarts},
              {"listen_queue", p.listen_queue},
              {"listen_queue_limit", p.listen_queue_limit},
              {"workers", ws}};
}

std::string dump(const json& j) {
  // Current URIs come from clients (and the scoreboard cuts them at 256 bytes, maybe inside a
  // UTF-8 sequence): invalid UTF-8 becomes U+FFFD instead of a type_error that ends the master.
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

void prometheus_pool(const PoolStatus& s, std::string& out) {
  std::string p = "pool=\"" + s.name + "\"";
  auto line = [&out](const std::string& name, const std::string& labels, const auto& value) {
    out += name + "{" + labels + "} " + json(value).dump() + "\n";
  };
  int threads = 0, busy = 0;
  for (const WorkerStatus& w : s.workers) {
    threads += w.report.threads;
    busy += w.report.busy;
  }
  line("fh_spawn_workers", p, s.workers.size());
  line("fh_spawn_target_workers", p, s.target_workers);
  line("fh_spawn_threads", p + ",state=\"busy\"", busy);
  line("fh_spawn_threads", p + ",state=\"idle\"", threads - busy);
  line("fh_spawn_busy_share", p, threads > 0 ? static_cast<double>(busy) / threads : 0.0);
  line("fh_spawn_requests_served_total", p, s.requests_served);
  line("fh_spawn_listen_queue", p, s.listen_queue);
  line("fh_spawn_listen_queue_limit", p, s.listen_queue_limit);
  line("fh_spawn_halted", p, s.halted ? 1 : 0);
  for (const auto& [reason, n] : s.restarts)
    line("fh_spawn_restarts_total", p + ",reason=\"" + reason + "\"", n);
  for (const WorkerStatus& w : s.workers)
    line("fh_spawn_worker_rss_bytes", p + ",pid=\"" + std::to_string(w.pid) + "\"",
         w.rss_kb * 1024);
}

} // namespace

std::string render_json(const MasterStatus& m) {
  json pools = json::array();
  for (const PoolStatus& p : m.pools)
    pools.push_back(pool_json(p));
  return dump(json{
      {"master_pid", m.pid}, {"uptime_s", m.uptime_s}, {"stopping", m.stopping}, {"pools", pools}});
}

std::string render_pool_json(const PoolStatus& p) {
  return dump(pool_json(p));
}

std::string render_prometheus(const MasterStatus& m) {
  std::string out = "# fcgi-host spawn status (Prometheus text format)\n";
  out += "fh_spawn_up 1\nfh_spawn_uptime_seconds " + std::to_string(m.uptime_s) + "\n";
  for (const PoolStatus& p : m.pools)
    prometheus_pool(p, out);
  return out;
}

} // namespace spawn
