// pool.cpp: the worker table of one pool and every decision about its workers (see pool.hpp).
// Vocabulary from gunicorn's arbiter (spawn/reap/murder/manage), escalation from nginx.
#include "pool.hpp"

#include "fcgihost/log.hpp"
#include "log.hpp"
#include "process.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sys/wait.h>
#include <unistd.h>

namespace spawn {
namespace {

constexpr double kBootWindow = 1.0;    // a crash this soon after start counts as a boot failure
constexpr double kMaxBackoff = 30.0;   // seconds
constexpr std::size_t kMaxLine = 8192; // worker output lines are split past this
constexpr double kDaemonStable = 10.0; // a daemon that ran this long restarts without back-off

const char* state_name(WorkerState s) {
  switch (s) {
  case WorkerState::Booting:
    return "booting";
  case WorkerState::Ready:
    return "ready";
  case WorkerState::Retiring:
    return "retiring";
  case WorkerState::Killed:
    return "killed";
  }
  return "?";
}

long read_rss_kb(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/statm");
  long size = 0, resident = 0;
  if (!(f >> size >> resident)) return 0;
  return resident * (::sysconf(_SC_PAGESIZE) / 1024);
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    std::string s = "killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
                    strsignal(WTERMSIG(status)) + ")";
    if (WTERMSIG(status) == SIGKILL) s += "; perhaps out of memory?";
    return s;
  }
  return "ended with status " + std::to_string(status);
}

std::string fmt_seconds(double s) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1fs", s);
  return b;
}

// The environment every worker of the pool starts with (per-worker entries are added at spawn).
std::vector<std::string> pool_env(const PoolConfig& cfg) {
  std::vector<std::string> extra = cfg.env;
  extra.push_back("FH_POOL=" + cfg.name);
  if (!cfg.allowed_clients.empty()) extra.push_back("FCGI_WEB_SERVER_ADDRS=" + cfg.allowed_clients);
  // fcgi-host workers answer 503 + Retry-After to requests nginx queued longer (fcgi_main.cpp).
  if (cfg.max_queue_wait_ms > 0)
    extra.push_back("FH_MAX_QUEUE_WAIT=" + std::to_string(cfg.max_queue_wait_ms));
  return make_env(extra);
}

} // namespace

double monotonic_now() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

Pool::Pool(PoolConfig cfg, std::unique_ptr<Listener> listener)
    : cfg_(std::move(cfg)), listener_(std::move(listener)), rng_(std::random_device{}()) {
  target_ = cfg_.workers;
  int most = std::max(cfg_.workers, cfg_.max_workers);
  capacity_ = 2 * std::max(most, 4) + 4;
  board_ = std::make_unique<Scoreboard>(cfg_.name, static_cast<std::uint32_t>(capacity_));
  base_env_ = pool_env(cfg_);
}

Worker* Pool::find(pid_t pid) {
  for (auto& w : workers_)
    if (w->pid == pid) return w.get();
  return nullptr;
}

void Pool::spawn_one(double now) {
  int slot = board_->acquire();
  if (slot < 0) {
    log_warn("pool " + cfg_.name + ": no free scoreboard slot; not spawning");
    return;
  }
  ExecPlan plan;
  std::vector<std::string> args = cfg_.args;
  if (!cfg_.cgi_dir.empty()) {
    std::vector<std::string> g = {"--cgi-dir", cfg_.cgi_dir, "--cgi-timeout",
                                  std::to_string(cfg_.cgi_timeout)};
    if (cfg_.max_cgi > 0) g.insert(g.end(), {"--max-cgi", std::to_string(cfg_.max_cgi)});
    if (cfg_.threads > 0) g.insert(g.end(), {"--threads", std::to_string(cfg_.threads)});
    args.insert(args.begin(), g.begin(), g.end());
  }
  if (cfg_.via_shell) {
    std::string cmd = "exec " + cfg_.app;
    for (const auto& a : args)
      cmd += " " + a;
    plan.path = "/bin/sh";
    plan.argv = {"sh", "-c", cmd};
  } else {
    plan.path = cfg_.app;
    plan.argv.push_back(cfg_.app);
    plan.argv.insert(plan.argv.end(), args.begin(), args.end());
  }
  plan.env = base_env_;
  if (!cfg_.daemon) { // a daemon gets no socket and no scoreboard: fd 0 is /dev/null
    plan.env.push_back(std::string(fh::scoreboard::kEnvFd) + "=3");
    plan.env.push_back(std::string(fh::scoreboard::kEnvSlot) + "=" + std::to_string(slot));
    plan.listen_fd = listener_->fd();
    plan.scoreboard_fd = board_->fd();
  }
  plan.env.push_back("FH_GENERATION=" + std::to_string(generation_));
  long max_requests = 0;
  if (cfg_.max_requests > 0) {
    std::uniform_int_distribution<long> jitter(0, cfg_.max_requests_jitter);
    max_requests = cfg_.max_requests + jitter(rng_);
    // A worker that honours it leaves by itself after that many requests (exact); the master
    // also recycles it from the scoreboard count (a backstop for workers that do not).
    plan.env.push_back("FH_MAX_REQUESTS=" + std::to_string(max_requests));
  }
  plan.chdir = cfg_.chdir;
  StartedWorker started;
  try {
    started = start_worker(plan);
  } catch (const std::exception& e) {
    board_->release(slot);
    log_error("pool " + cfg_.name + ": cannot start a worker: " + e.what());
    next_spawn_at_ = now + 1.0;
    return;
  }
  board_->set_pid(slot, started.pid);
  auto w = std::make_unique<Worker>();
  w->pid = started.pid;
  w->slot = slot;
  w->generation = generation_;
  w->started_at = now;
  w->output = std::move(started.output);
  w->max_requests = max_requests;
  log_info("pool " + cfg_.name + ": spawned worker " + std::to_string(w->pid) + " (generation " +
           std::to_string(generation_) + ", slot " + std::to_string(slot) + ")");
  workers_.push_back(std::move(w));
}

void Pool::retire(Worker& w, double now, int sig) {
  if (w.state == WorkerState::Retiring || w.state == WorkerState::Killed) return;
  if (w.reason.empty()) w.reason = "retired";
  ::kill(w.pid, sig);
  w.state = sig == SIGKILL ? WorkerState::Killed : WorkerState::Retiring;
  w.retire_at = now;
}

void Pool::doom(Worker& w, const std::string& reason) {
  if (w.doomed || w.state == WorkerState::Retiring || w.state == WorkerState::Killed) return;
  w.doomed = true;
  w.reason = reason;
  log_info("pool " + cfg_.name + ": recycling worker " + std::to_string(w.pid) + " (" + reason +
           ")");
}

void Pool::refresh(Worker& w, double now) {
  w.last = board_->view(w.slot);
  if (w.state == WorkerState::Booting && (w.last.ready || now - w.started_at >= cfg_.ready_after)) {
    w.state = WorkerState::Ready;
    check_keepalive(w);
  }
}

// nginx keep-alive pins a plain libfcgi worker to one kept connection (its one thread blocks
// reading the next request on it) and stalls the requests behind it (docs/deployment.md,
// keep-alive). Only workers that announce the leader/follower loop on the scoreboard are known to
// be safe.
void Pool::check_keepalive(const Worker& w) {
  if (!cfg_.keepalive || keepalive_warned_ ||
      (w.last.flags & fh::scoreboard::kFlagLeaderFollower) != 0)
    return;
  keepalive_warned_ = true;
  log_warn("pool " + cfg_.name + ": keepalive is on, but worker " + std::to_string(w.pid) +
           " is not a leader/follower fcgi-host worker (" +
           (w.last.threads > 0 ? "no leader/follower flag on the scoreboard"
                               : "it does not publish on the scoreboard") +
           "): nginx's kept connections (fastcgi_keep_conn on + upstream keepalive) will pin "
           "its workers and stall other requests; turn keep-alive off for this pool");
}

void Pool::murder_hung(Worker& w, double now) {
  if (cfg_.timeout <= 0 || w.last.busy == 0 || w.state == WorkerState::Killed) return;
  double ran = static_cast<double>(fh::scoreboard::monotonic_ms() - w.last.oldest_started_ms) / 1e3;
  if (ran < cfg_.timeout) return;
  log_error("pool " + cfg_.name + ": worker " + std::to_string(w.pid) +
            " killed for timeout: " + fh::log_safe(w.last.method) + " " + fh::log_safe(w.last.uri) +
            " ran " + fmt_seconds(ran) + " (timeout " + fmt_seconds(cfg_.timeout) + ")");
  w.reason = "timeout";
  w.state = WorkerState::Ready; // let retire() send the KILL even when it was retiring
  retire(w, now, SIGKILL);
}

void Pool::check_limits(Worker& w, double now) {
  if (w.state != WorkerState::Ready || w.doomed) return;
  if (w.max_requests > 0 && w.last.served >= static_cast<std::uint64_t>(w.max_requests))
    doom(w, "max-requests");
  if (cfg_.max_rss_mb > 0 && now - last_slow_tick_ >= 1.0) {
    w.rss_kb = read_rss_kb(w.pid);
    if (w.rss_kb > cfg_.max_rss_mb * 1024)
      doom(w, "max-rss (" + std::to_string(w.rss_kb / 1024) + " MB)");
  }
}

void Pool::scale(double now) {
  if (cfg_.max_workers <= cfg_.min_workers || stopping_) return;
  int threads = 0, busy = 0;
  for (auto& w : workers_)
    if (!w->doomed && w->state == WorkerState::Ready) {
      threads += w->last.threads;
      busy += w->last.busy;
    }
  if (threads == 0) return;
  double share = static_cast<double>(busy) / threads;
  if (share >= 0.99 && target_ < cfg_.max_workers) {
    ++target_;
    idle_ticks_ = 0;
    log_info("pool " + cfg_.name + ": all workers busy; scaling up to " + std::to_string(target_));
  } else if (share <= 0.25 && target_ > std::max(1, cfg_.min_workers)) {
    if (++idle_ticks_ >= 5) {
      --target_;
      idle_ticks_ = 0;
      log_info("pool " + cfg_.name + ": mostly idle; scaling down to " + std::to_string(target_));
    }
  } else {
    idle_ticks_ = 0;
  }
  (void)now;
}

void Pool::manage(double now) {
  if (halted_ || stopping_) return;
  int good = 0, good_ready = 0, good_booting = 0, serving = 0, doomed_alive = 0;
  for (auto& w : workers_) {
    bool alive = w->state == WorkerState::Booting || w->state == WorkerState::Ready;
    if (!alive) continue;
    if (w->state == WorkerState::Ready) ++serving;
    if (w->doomed) {
      ++doomed_alive;
      continue;
    }
    ++good;
    if (w->state == WorkerState::Ready)
      ++good_ready;
    else
      ++good_booting;
  }
  // Surplus (TTOU, scale-down): doom the oldest good workers.
  for (auto it = workers_.begin(); good > target_ && it != workers_.end(); ++it) {
    Worker& w = **it;
    if (!w.doomed && (w.state == WorkerState::Booting || w.state == WorkerState::Ready)) {
      doom(w, "scale-down");
      --good;
      ++doomed_alive;
      if (w.state == WorkerState::Ready)
        --good_ready;
      else
        --good_booting;
    }
  }
  // A daemon is replaced stop-first: two instances of one supervised command never overlap.
  if (cfg_.daemon) {
    bool leaving = false;
    for (auto& w : workers_) {
      if (w->doomed) retire(*w, now);
      leaving = leaving || w->state == WorkerState::Retiring || w->state == WorkerState::Killed;
    }
    if (leaving) return;
  }
  // Spawn: all missing at once when nothing stands in, else `stagger` at a time.
  int missing = target_ - good;
  if (missing > 0 && now >= next_spawn_at_) {
    int allowed = doomed_alive > 0 ? std::max(0, cfg_.stagger - good_booting) : missing;
    for (int i = 0; i < std::min(missing, allowed); ++i)
      spawn_one(now);
  }
  // Retire doomed workers while the ready ones left still cover the target.
  for (auto& w : workers_) {
    if (!w->doomed || w->state == WorkerState::Retiring || w->state == WorkerState::Killed)
      continue;
    if (w->state == WorkerState::Booting) {
      retire(*w, now);
      continue;
    }
    if (serving - 1 >= target_ || good_ready >= target_) {
      retire(*w, now);
      --serving;
    }
  }
}

void Pool::tick(double now) {
  bool slow = now - last_slow_tick_ >= 1.0;
  for (auto& w : workers_) {
    refresh(*w, now);
    murder_hung(*w, now);
    check_limits(*w, now);
    if (w->state == WorkerState::Retiring) {
      double grace = stopping_ ? stop_deadline_ : w->retire_at + cfg_.graceful_timeout;
      if (!w->term_resent && now - w->retire_at >= 1.0) {
        ::kill(w->pid, SIGTERM); // libfcgi's accept() race can swallow the first TERM
        w->term_resent = true;
      }
      if (now >= grace) {
        log_warn("pool " + cfg_.name + ": worker " + std::to_string(w->pid) +
                 " did not stop in time; SIGKILL");
        ::kill(w->pid, SIGKILL);
        w->state = WorkerState::Killed;
      }
    }
  }
  if (slow) {
    scale(now);
    last_slow_tick_ = now;
  }
  manage(now);
}

void Pool::boot_failure(int code, const std::string& what, double now) {
  ++boot_failures_;
  bool fatal = code == 3 || code == 4 || code == 127 || boot_failures_ >= cfg_.max_boot_failures;
  bool old_generation = false;
  for (auto& w : workers_)
    if (w->doomed && w->reason == "reload" && w->state == WorkerState::Ready) old_generation = true;
  if (fatal && old_generation) {
    log_error("pool " + cfg_.name + ": reload failed, the new generation cannot start (" + what +
              "); keeping the running workers");
    for (auto& w : workers_) {
      if (w->doomed && w->reason == "reload" && w->state == WorkerState::Ready) {
        w->doomed = false;
        w->reason.clear();
        generation_ = w->generation;
      } else if (w->generation != generation_ || w->state == WorkerState::Booting) {
        retire(*w, now);
      }
    }
    boot_failures_ = 0;
    return;
  }
  if (fatal) {
    halted_ = true;
    log_error("pool " + cfg_.name + ": HALTED: the app fails at start-up (" + what + ", " +
              std::to_string(boot_failures_) +
              " time(s) in a row); not respawning. Fix it and send SIGHUP to retry.");
    for (auto& w : workers_)
      retire(*w, now);
    return;
  }
  double delay =
      std::min(kMaxBackoff, 0.1 * static_cast<double>(1 << std::min(boot_failures_, 10)));
  next_spawn_at_ = now + delay;
  log_warn("pool " + cfg_.name + ": worker crashed at start-up; next spawn in " +
           fmt_seconds(delay));
}

// A daemon is always restarted (it never halts the pool): at once after a long run, else after a
// back-off that doubles with each quick exit in a row (0.2 s, 0.4 s ... up to 30 s).
void Pool::daemon_exit(double lived, double now) {
  boot_failures_ = lived >= kDaemonStable ? 1 : boot_failures_ + 1;
  double delay =
      std::min(kMaxBackoff, 0.1 * static_cast<double>(1 << std::min(boot_failures_, 10)));
  next_spawn_at_ = now + delay;
  log_warn("daemon " + cfg_.name + ": restarting in " + fmt_seconds(delay) + " (" +
           std::to_string(boot_failures_) + " quick exit(s) in a row)");
}

bool Pool::on_exit(pid_t pid, int status, double now) {
  auto it = std::find_if(workers_.begin(), workers_.end(),
                         [pid](const auto& w) { return w->pid == pid; });
  if (it == workers_.end()) return false;
  std::unique_ptr<Worker> w = std::move(*it);
  workers_.erase(it);
  read_output(*w, true);
  WorkerView last = board_->view(w->slot);
  served_by_gone_ += last.served;
  board_->release(w->slot);
  std::string how = describe_status(status);
  std::string who = "pool " + cfg_.name + ": worker " + std::to_string(pid);
  bool expected = w->state == WorkerState::Retiring || w->state == WorkerState::Killed;
  if (expected) {
    ++restarts_[w->reason];
    log_info(who + " " + how + " (" + w->reason + ")");
    return true;
  }
  double lived = now - w->started_at;
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code == 0 && w->max_requests > 0 &&
      last.served >= static_cast<std::uint64_t>(w->max_requests)) {
    ++restarts_["max-requests"]; // it honoured FH_MAX_REQUESTS and left by itself
    log_info(who + " " + how + " after " + std::to_string(last.served) +
             " requests (max-requests)");
    return true;
  }
  ++restarts_[code == 0 ? "exited" : "crash"];
  log_warn(who + " " + how + " after " + fmt_seconds(lived) + " (unexpected)");
  if (stopping_) return true;
  if (cfg_.daemon) {
    daemon_exit(lived, now);
    return true;
  }
  if (code == 3 || code == 4 || code == 127 || (lived < kBootWindow && !last.ready))
    boot_failure(code, how, now);
  else
    boot_failures_ = 0;
  return true;
}

void Pool::reload(const std::string& why, const PoolConfig* cfg) {
  if (stopping_) return;
  if (cfg != nullptr) {
    cfg_ = *cfg;
    target_ = cfg_.workers;
    base_env_ = pool_env(cfg_); // env, allowed-clients, max-queue-wait may have changed
  }
  keepalive_warned_ = false; // check the new generation again
  if (halted_) {
    halted_ = false;
    boot_failures_ = 0;
    next_spawn_at_ = 0;
  }
  ++generation_;
  log_info("pool " + cfg_.name + ": reloading (" + why + "): starting generation " +
           std::to_string(generation_));
  for (auto& w : workers_)
    if (w->generation < generation_ && !w->doomed &&
        (w->state == WorkerState::Booting || w->state == WorkerState::Ready)) {
      w->doomed = true;
      w->reason = "reload";
    }
}

void Pool::add_worker(int delta) {
  int most = capacity_ / 2;
  target_ = std::clamp(target_ + delta, 1, most);
  log_info("pool " + cfg_.name + ": workers " + (delta > 0 ? "+1" : "-1") + " -> " +
           std::to_string(target_));
}

void Pool::stop(bool graceful, double now) {
  if (stopping_ && graceful) return;
  stopping_ = true;
  stop_deadline_ = now + (graceful ? cfg_.graceful_timeout : 1.0);
  for (auto& w : workers_) {
    if (w->state == WorkerState::Killed) continue;
    w->reason = "stop";
    w->state = WorkerState::Ready;
    retire(*w, now, graceful ? SIGTERM : SIGQUIT);
    w->term_resent = !graceful;
  }
}

void Pool::output_fds(std::vector<int>& fds) const {
  for (auto& w : workers_)
    if (w->output) fds.push_back(w->output.get());
}

void Pool::on_output(int fd) {
  for (auto& w : workers_)
    if (w->output.get() == fd) {
      read_output(*w, false);
      return;
    }
}

void Pool::read_output(Worker& w, bool flush) {
  char buf[16384];
  while (w.output) {
    ssize_t n = ::read(w.output.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break; // EAGAIN: nothing more now
    if (n == 0) {
      w.output.reset();
      flush = true;
      break;
    }
    w.partial.append(buf, static_cast<std::size_t>(n));
    std::size_t start = 0, nl;
    while ((nl = w.partial.find('\n', start)) != std::string::npos) {
      log_worker_line(cfg_.name, w.pid, std::string_view(w.partial).substr(start, nl - start));
      start = nl + 1;
    }
    w.partial.erase(0, start);
    while (w.partial.size() > kMaxLine) {
      log_worker_line(cfg_.name, w.pid, std::string_view(w.partial).substr(0, kMaxLine));
      w.partial.erase(0, kMaxLine);
    }
  }
  if (flush && !w.partial.empty()) {
    log_worker_line(cfg_.name, w.pid, w.partial);
    w.partial.clear();
  }
}

nlohmann::json Pool::status(double now) const {
  using nlohmann::json;
  json ws = json::array();
  int threads = 0, busy = 0;
  std::uint64_t served = served_by_gone_;
  std::int64_t now_ms = fh::scoreboard::monotonic_ms();
  for (auto& w : workers_) {
    WorkerView v = board_->view(w->slot);
    served += v.served;
    threads += v.threads;
    busy += v.busy;
    json j = {{"pid", w->pid},
              {"generation", w->generation},
              {"state", state_name(w->state)},
              {"publishes", v.threads > 0},
              {"leader_follower", (v.flags & fh::scoreboard::kFlagLeaderFollower) != 0},
              {"threads", v.threads},
              {"busy", v.busy},
              {"served", v.served},
              {"rss_kb", read_rss_kb(w->pid)},
              {"age_s", now - w->started_at}};
    if (w->doomed) j["recycling"] = w->reason;
    if (v.busy > 0)
      j["current"] = {{"method", v.method},
                      {"uri", v.uri},
                      {"running_s", static_cast<double>(now_ms - v.oldest_started_ms) / 1e3}};
    ws.push_back(std::move(j));
  }
  return json{{"name", cfg_.name},
              {"kind", cfg_.daemon ? "daemon" : "fastcgi"},
              {"app", cfg_.app},
              {"listen", listener_ ? listener_->describe() : "none"},
              {"generation", generation_},
              {"target_workers", target_},
              {"halted", halted_},
              {"keepalive", cfg_.keepalive},
              {"max_queue_wait_ms", cfg_.max_queue_wait_ms},
              {"stopping", stopping_},
              {"busy_threads", busy},
              {"threads", threads},
              {"busy_share", threads > 0 ? static_cast<double>(busy) / threads : 0.0},
              {"requests_served", served},
              {"restarts", restarts_},
              {"listen_queue", listener_ ? listener_->queue_depth() : -1},
              {"listen_queue_limit", listener_ ? listener_->queue_limit() : 0},
              {"workers", ws}};
}

void Pool::prometheus(std::string& out) const {
  nlohmann::json s = status(monotonic_now());
  std::string p = "pool=\"" + cfg_.name + "\"";
  auto line = [&out](const std::string& name, const std::string& labels, const auto& value) {
    out += name + "{" + labels + "} " + nlohmann::json(value).dump() + "\n";
  };
  int idle = static_cast<int>(s["threads"]) - static_cast<int>(s["busy_threads"]);
  line("fh_spawn_workers", p, s["workers"].size());
  line("fh_spawn_target_workers", p, s["target_workers"]);
  line("fh_spawn_threads", p + ",state=\"busy\"", s["busy_threads"]);
  line("fh_spawn_threads", p + ",state=\"idle\"", idle);
  line("fh_spawn_busy_share", p, s["busy_share"]);
  line("fh_spawn_requests_served_total", p, s["requests_served"]);
  line("fh_spawn_listen_queue", p, s["listen_queue"]);
  line("fh_spawn_listen_queue_limit", p, s["listen_queue_limit"]);
  line("fh_spawn_halted", p, s["halted"].get<bool>() ? 1 : 0);
  for (auto& [reason, n] : restarts_)
    line("fh_spawn_restarts_total", p + ",reason=\"" + reason + "\"", n);
  for (auto& w : s["workers"])
    line("fh_spawn_worker_rss_bytes", p + ",pid=\"" + std::to_string(w["pid"].get<int>()) + "\"",
         w["rss_kb"].get<long>() * 1024);
}

} // namespace spawn
