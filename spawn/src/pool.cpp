// pool.cpp: the effects of one pool (see pool.hpp): exec plans, starting and signalling worker
// processes, their scoreboard slots and output pipes, /proc RSS, and the status snapshot.
#include "pool.hpp"

#include "gateway_command.hpp"
#include "log.hpp"
#include "process.hpp"

#include <fh/sys/exec.hpp>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <ctime>
#include <fstream>
#include <random>
#include <unistd.h>

namespace spawn {
namespace {

constexpr std::size_t kMaxLine = 8192; // worker output lines are split past this

long read_rss_kb(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/statm");
  long size = 0, resident = 0;
  if (!(f >> size >> resident)) return 0;
  return resident * (::sysconf(_SC_PAGESIZE) / 1024);
}

// The environment every worker of the pool starts with (per-worker entries are added at start).
std::vector<std::string> pool_env(const PoolConfig& cfg) {
  std::vector<std::string> extra = cfg.env;
  if (!cfg.allowed_clients.empty()) extra.push_back("FCGI_WEB_SERVER_ADDRS=" + cfg.allowed_clients);
  // fcgi-host workers answer 503 + Retry-After to requests nginx queued longer (fcgi_main.cpp).
  if (cfg.max_queue_wait_ms > 0)
    extra.push_back(std::string(fh::sys::worker::kEnvMaxQueueWait) + "=" +
                    std::to_string(cfg.max_queue_wait_ms));
  return fh::sys::environ_with(extra); // the master's environment, `extra` replacing
}

// argv of a worker: the app's own arguments, after the gateway's when this is a CGI pool.
ExecPlan exec_plan(const PoolConfig& cfg) {
  ExecPlan plan;
  std::vector<std::string> args = cfg.args;
  if (!cfg.cgi_dir.empty()) {
    std::vector<std::string> g = gateway_args(cfg);
    args.insert(args.begin(), g.begin(), g.end());
  }
  if (cfg.via_shell) {
    std::string cmd = "exec " + cfg.app;
    for (const auto& a : args)
      cmd += " " + a;
    plan.path = "/bin/sh";
    plan.argv = {"sh", "-c", cmd};
  } else {
    plan.path = cfg.app;
    plan.argv.push_back(cfg.app);
    plan.argv.insert(plan.argv.end(), args.begin(), args.end());
  }
  plan.chdir = cfg.chdir;
  return plan;
}

} // namespace

double monotonic_now() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

Pool::Pool(PoolConfig cfg, std::unique_ptr<Listener> listener)
    : cfg_(std::move(cfg)), listener_(std::move(listener)), base_env_(pool_env(cfg_)),
      policy_(cfg_, *this, std::random_device{}()) {
  // Room for two generations side by side at the largest target.
  board_ =
      std::make_unique<Scoreboard>(cfg_.name, static_cast<std::uint32_t>(2 * policy_.max_target()));
}

pid_t Pool::start(int generation, long max_requests) {
  int slot = board_->acquire();
  if (slot < 0) {
    log_warn("pool " + cfg_.name + ": no free scoreboard slot; not spawning");
    return -1;
  }
  ExecPlan plan = exec_plan(cfg_);
  plan.run_as = cfg_.run_as;
  plan.env = base_env_;
  if (!cfg_.daemon) { // a daemon gets no socket and no scoreboard: fd 0 is /dev/null
    plan.env.push_back(std::string(fh::sys::worker::kEnvScoreboardFd) + "=" +
                       std::to_string(fh::sys::worker::kScoreboardFd));
    plan.env.push_back(std::string(fh::sys::worker::kEnvScoreboardSlot) + "=" +
                       std::to_string(slot));
    plan.listen_fd = listener_->fd();
    plan.scoreboard_fd = board_->fd();
  }
  // A worker that honours it leaves by itself after that many requests (exact); the policy also
  // recycles it from the scoreboard count (a backstop for workers that do not).
  if (max_requests > 0)
    plan.env.push_back(std::string(fh::sys::worker::kEnvMaxRequests) + "=" +
                       std::to_string(max_requests));
  StartedWorker started;
  try {
    started = start_worker(plan);
  } catch (const std::exception& e) {
    board_->release(slot);
    log_error("pool " + cfg_.name + ": cannot start a worker: " + e.what());
    return -1;
  }
  board_->set_pid(slot, started.pid);
  procs_[started.pid] = Process{slot, std::move(started.output), {}};
  log_info("pool " + cfg_.name + ": spawned worker " + std::to_string(started.pid) +
           " (generation " + std::to_string(generation) + ", slot " + std::to_string(slot) + ")");
  return started.pid;
}

void Pool::signal(pid_t pid, int sig) {
  if (procs_.count(pid)) ::kill(pid, sig); // never a pid already reaped (it may be reused)
}

WorkerReport Pool::report_slot(int slot) const {
  WorkerView v = board_->view(slot);
  WorkerReport r;
  r.ready = v.ready;
  r.threads = v.threads;
  r.flags = v.flags;
  r.busy = v.busy;
  r.served = v.served;
  if (v.busy > 0)
    r.running_s = static_cast<double>(fh::sys::worker::monotonic_ms() - v.oldest_started_ms) / 1e3;
  r.method = std::move(v.method);
  r.uri = std::move(v.uri);
  return r;
}

WorkerReport Pool::report(pid_t pid) {
  auto it = procs_.find(pid);
  return it == procs_.end() ? WorkerReport{} : report_slot(it->second.slot);
}

long Pool::rss_kb(pid_t pid) {
  return read_rss_kb(pid);
}

bool Pool::on_exit(pid_t pid, int status, double now) {
  auto it = procs_.find(pid);
  if (it == procs_.end()) return false;
  read_output(pid, it->second, true);
  policy_.on_exit(pid, status, now); // reads the slot's last counts: release it afterwards
  board_->release(it->second.slot);
  procs_.erase(it);
  return true;
}

void Pool::reload(const std::string& why, const PoolConfig* cfg) {
  if (cfg != nullptr) {
    cfg_ = *cfg;
    base_env_ = pool_env(cfg_); // env, allowed-clients, max-queue-wait may have changed
  }
  policy_.reload(why, cfg);
}

void Pool::output_fds(std::vector<int>& fds) const {
  for (const auto& [pid, p] : procs_)
    if (p.output) fds.push_back(p.output.get());
}

void Pool::on_output(int fd) {
  for (auto& [pid, p] : procs_)
    if (p.output.get() == fd) {
      read_output(pid, p, false);
      return;
    }
}

// Reads what the pipe has, logging complete lines (and pieces of over-long ones); `flush` logs
// the incomplete rest too (the worker is gone).
void Pool::read_output(pid_t pid, Process& p, bool flush) {
  char buf[16384];
  while (p.output) {
    ssize_t n = ::read(p.output.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break; // EAGAIN: nothing more now
    if (n == 0) {
      p.output.reset();
      flush = true;
      break;
    }
    p.partial.append(buf, static_cast<std::size_t>(n));
    std::size_t start = 0, nl;
    while ((nl = p.partial.find('\n', start)) != std::string::npos) {
      log_worker_line(cfg_.name, pid, std::string_view(p.partial).substr(start, nl - start));
      start = nl + 1;
    }
    p.partial.erase(0, start);
    while (p.partial.size() > kMaxLine) {
      log_worker_line(cfg_.name, pid, std::string_view(p.partial).substr(0, kMaxLine));
      p.partial.erase(0, kMaxLine);
    }
  }
  if (flush && !p.partial.empty()) {
    log_worker_line(cfg_.name, pid, p.partial);
    p.partial.clear();
  }
}

PoolStatus Pool::status(double now) const {
  PoolStatus s;
  s.name = cfg_.name;
  s.kind = cfg_.daemon ? "daemon" : "fastcgi";
  s.app = cfg_.app;
  s.listen = listener_ ? listener_->describe() : "none";
  s.generation = policy_.generation();
  s.target_workers = policy_.target();
  s.halted = policy_.halted();
  s.stopping = policy_.stopping();
  s.keepalive = cfg_.keepalive;
  s.max_queue_wait_ms = cfg_.max_queue_wait_ms;
  s.restarts = policy_.restarts();
  s.requests_served = policy_.served_by_gone();
  if (listener_) {
    s.listen_queue = listener_->queue_depth();
    s.listen_queue_limit = listener_->queue_limit();
  }
  for (const Worker& w : policy_.workers()) {
    WorkerStatus ws;
    ws.pid = w.pid;
    ws.generation = w.generation;
    ws.state = w.state;
    if (w.doomed) ws.recycling = w.reason;
    auto it = procs_.find(w.pid);
    if (it != procs_.end()) ws.report = report_slot(it->second.slot);
    ws.rss_kb = read_rss_kb(w.pid);
    ws.age_s = now - w.started_at;
    s.requests_served += ws.report.served;
    s.workers.push_back(std::move(ws));
  }
  return s;
}

} // namespace spawn
