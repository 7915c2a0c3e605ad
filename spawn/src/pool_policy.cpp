// pool_policy.cpp: every decision about one pool's workers (see pool_policy.hpp). Vocabulary from
// gunicorn's arbiter (spawn/reap/murder/manage), escalation (TERM, TERM again, KILL) from nginx.
#include "pool_policy.hpp"

#include "log.hpp"

#include <fh/sys/worker_protocol.hpp>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <sys/wait.h>

namespace spawn {
namespace {

constexpr double kBootWindow = 1.0;    // a crash this soon after start counts as a boot failure
constexpr double kMaxBackoff = 30.0;   // seconds
constexpr double kDaemonStable = 10.0; // a daemon that ran this long restarts without back-off

std::string fmt_seconds(double s) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1fs", s);
  return b;
}

// 0.2 s, 0.4 s ... up to kMaxBackoff for the n-th failure in a row.
double backoff(int n) {
  return std::min(kMaxBackoff, 0.1 * static_cast<double>(1 << std::min(n, 10)));
}

// Worker exit codes that mean "this app cannot start" (boot / app-load error, exec failure).
bool cannot_boot(int code) {
  return fh::sys::worker::is_boot_failure_exit(code);
}

bool alive(const Worker& w) {
  return w.state == WorkerState::Booting || w.state == WorkerState::Ready;
}

} // namespace

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

std::string describe_wait_status(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    std::string s = "killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
                    strsignal(WTERMSIG(status)) + ")";
    if (WTERMSIG(status) == SIGKILL) s += "; perhaps out of memory?";
    return s;
  }
  return "ended with status " + std::to_string(status);
}

PoolPolicy::PoolPolicy(const PoolConfig& cfg, WorkerControl& control, std::uint32_t seed)
    : cfg_(cfg), control_(control), rng_(seed) {
  target_ = cfg_.workers;
  max_target_ = std::max({cfg_.workers, cfg_.max_workers, 4}) + 2;
}

std::string PoolPolicy::tag() const {
  return (cfg_.daemon ? "daemon " : "pool ") + cfg_.name + ": ";
}

void PoolPolicy::spawn_one(double now) {
  long max_requests = 0;
  if (cfg_.max_requests > 0) {
    std::uniform_int_distribution<long> jitter(0, cfg_.max_requests_jitter);
    max_requests = cfg_.max_requests + jitter(rng_);
  }
  pid_t pid = control_.start(generation_, max_requests);
  if (pid < 0) {
    next_spawn_at_ = now + 1.0;
    return;
  }
  Worker w;
  w.pid = pid;
  w.generation = generation_;
  w.started_at = now;
  w.max_requests = max_requests;
  workers_.push_back(std::move(w));
}

void PoolPolicy::retire(Worker& w, double now, int sig) {
  if (!alive(w)) return;
  if (w.reason.empty()) w.reason = "retired";
  control_.signal(w.pid, sig);
  w.state = sig == SIGKILL ? WorkerState::Killed : WorkerState::Retiring;
  w.retire_at = now;
}

void PoolPolicy::doom(Worker& w, const std::string& reason) {
  if (w.doomed || !alive(w)) return;
  w.doomed = true;
  w.reason = reason;
  log_info(tag() + "recycling worker " + std::to_string(w.pid) + " (" + reason + ")");
}

void PoolPolicy::refresh(Worker& w, double now) {
  w.last = control_.report(w.pid);
  if (w.state == WorkerState::Booting && (w.last.ready || now - w.started_at >= cfg_.ready_after)) {
    w.state = WorkerState::Ready;
    check_keepalive(w);
  }
}

// nginx keep-alive pins a plain libfcgi worker to one kept connection (its one thread blocks
// reading the next request on it) and stalls the requests behind it (docs/deployment.md,
// keep-alive). Only workers that announce the leader/follower loop are known to be safe.
void PoolPolicy::check_keepalive(const Worker& w) {
  if (!cfg_.keepalive || keepalive_warned_ ||
      (w.last.flags & fh::sys::worker::kFlagLeaderFollower) != 0)
    return;
  keepalive_warned_ = true;
  log_warn(tag() + "keepalive is on, but worker " + std::to_string(w.pid) +
           " is not a leader/follower fcgi-host worker (" +
           (w.last.threads > 0 ? "no leader/follower flag on the scoreboard"
                               : "it does not publish on the scoreboard") +
           "): nginx's kept connections (fastcgi_keep_conn on + upstream keepalive) will pin "
           "its workers and stall other requests; turn keep-alive off for this pool");
}

void PoolPolicy::murder_hung(Worker& w, double now) {
  if (cfg_.timeout <= 0 || w.last.busy == 0 || w.state == WorkerState::Killed) return;
  if (w.last.running_s < cfg_.timeout) return;
  log_error(tag() + "worker " + std::to_string(w.pid) + " killed for timeout: " +
            fh::sys::log_safe(w.last.method) + " " + fh::sys::log_safe(w.last.uri) + " ran " +
            fmt_seconds(w.last.running_s) + " (timeout " + fmt_seconds(cfg_.timeout) + ")");
  w.reason = "timeout";
  w.state = WorkerState::Ready; // let retire() send the KILL even when it was retiring
  retire(w, now, SIGKILL);
}

void PoolPolicy::check_limits(Worker& w, bool slow) {
  if (w.state != WorkerState::Ready || w.doomed) return;
  if (w.max_requests > 0 && w.last.served >= static_cast<std::uint64_t>(w.max_requests))
    doom(w, "max-requests");
  if (cfg_.max_rss_mb > 0 && slow) {
    w.rss_kb = control_.rss_kb(w.pid);
    if (w.rss_kb > cfg_.max_rss_mb * 1024)
      doom(w, "max-rss (" + std::to_string(w.rss_kb / 1024) + " MB)");
  }
}

// A retiring worker gets TERM again after 1 s (libfcgi's accept() race can swallow the first),
// and KILL once its grace (or the master's stop deadline) has passed.
void PoolPolicy::escalate(Worker& w, double now) {
  if (w.state != WorkerState::Retiring) return;
  double grace = stopping_ ? stop_deadline_ : w.retire_at + cfg_.graceful_timeout;
  if (!w.term_resent && now - w.retire_at >= 1.0) {
    control_.signal(w.pid, SIGTERM);
    w.term_resent = true;
  }
  if (now >= grace) {
    log_warn(tag() + "worker " + std::to_string(w.pid) + " did not stop in time; SIGKILL");
    control_.signal(w.pid, SIGKILL);
    w.state = WorkerState::Killed;
  }
}

// Dynamic mode: one more worker when every thread is busy, one fewer after 5 mostly idle checks.
void PoolPolicy::autoscale() {
  if (cfg_.max_workers <= cfg_.min_workers || stopping_) return;
  int threads = 0, busy = 0;
  for (const Worker& w : workers_)
    if (!w.doomed && w.state == WorkerState::Ready) {
      threads += w.last.threads;
      busy += w.last.busy;
    }
  if (threads == 0) return;
  double share = static_cast<double>(busy) / threads;
  if (share >= 0.99 && target_ < cfg_.max_workers) {
    ++target_;
    idle_ticks_ = 0;
    log_info(tag() + "all workers busy; scaling up to " + std::to_string(target_));
  } else if (share <= 0.25 && target_ > std::max(1, cfg_.min_workers)) {
    if (++idle_ticks_ >= 5) {
      --target_;
      idle_ticks_ = 0;
      log_info(tag() + "mostly idle; scaling down to " + std::to_string(target_));
    }
  } else {
    idle_ticks_ = 0;
  }
}

void PoolPolicy::manage(double now) {
  if (halted_ || stopping_) return;
  int good = 0, good_ready = 0, good_booting = 0, serving = 0, doomed_alive = 0;
  for (const Worker& w : workers_) {
    if (!alive(w)) continue;
    if (w.state == WorkerState::Ready) ++serving;
    if (w.doomed) {
      ++doomed_alive;
      continue;
    }
    ++good;
    (w.state == WorkerState::Ready ? good_ready : good_booting)++;
  }
  // Surplus (TTOU, scale-down): doom the oldest good workers.
  for (auto it = workers_.begin(); good > target_ && it != workers_.end(); ++it) {
    if (it->doomed || !alive(*it)) continue;
    doom(*it, "scale-down");
    --good;
    ++doomed_alive;
    (it->state == WorkerState::Ready ? good_ready : good_booting)--;
  }
  // A daemon is replaced stop-first: two instances of one supervised command never overlap.
  if (cfg_.daemon) {
    bool leaving = false;
    for (Worker& w : workers_) {
      if (w.doomed) retire(w, now, SIGTERM);
      leaving = leaving || !alive(w);
    }
    if (leaving) return;
  }
  // Start: all missing at once when nothing stands in, else `stagger` at a time.
  int missing = target_ - good;
  if (missing > 0 && now >= next_spawn_at_) {
    int allowed = doomed_alive > 0 ? std::max(0, cfg_.stagger - good_booting) : missing;
    for (int i = 0; i < std::min(missing, allowed); ++i)
      spawn_one(now);
  }
  // Retire doomed workers while the ready ones left still cover the target.
  for (Worker& w : workers_) {
    if (!w.doomed || !alive(w)) continue;
    if (w.state == WorkerState::Booting) {
      retire(w, now, SIGTERM);
    } else if (serving - 1 >= target_ || good_ready >= target_) {
      retire(w, now, SIGTERM);
      --serving;
    }
  }
}

void PoolPolicy::tick(double now) {
  bool slow = now - last_slow_tick_ >= 1.0;
  for (Worker& w : workers_) {
    refresh(w, now);
    murder_hung(w, now);
    check_limits(w, slow);
    escalate(w, now);
  }
  if (slow) {
    autoscale();
    last_slow_tick_ = now;
  }
  manage(now);
}

void PoolPolicy::boot_failure(int code, const std::string& what, double now) {
  ++boot_failures_;
  bool fatal = cannot_boot(code) || boot_failures_ >= cfg_.max_boot_failures;
  auto old_ready = [](const Worker& w) {
    return w.doomed && w.reason == "reload" && w.state == WorkerState::Ready;
  };
  bool old_generation = std::any_of(workers_.begin(), workers_.end(), old_ready);
  if (fatal && old_generation) { // roll back: the old generation keeps serving
    log_error(tag() + "reload failed, the new generation cannot start (" + what +
              "); keeping the running workers");
    for (Worker& w : workers_) {
      if (old_ready(w)) {
        w.doomed = false;
        w.reason.clear();
        generation_ = w.generation;
      }
    }
    for (Worker& w : workers_)
      if (w.generation != generation_ || w.state == WorkerState::Booting) retire(w, now, SIGTERM);
    boot_failures_ = 0;
    return;
  }
  if (fatal) {
    halted_ = true;
    log_error(tag() + "HALTED: the app fails at start-up (" + what + ", " +
              std::to_string(boot_failures_) +
              " time(s) in a row); not respawning. Fix it and send SIGHUP to retry.");
    for (Worker& w : workers_)
      retire(w, now, SIGTERM);
    return;
  }
  double delay = backoff(boot_failures_);
  next_spawn_at_ = now + delay;
  log_warn(tag() + "worker crashed at start-up; next spawn in " + fmt_seconds(delay));
}

// A daemon is always restarted (it never halts the pool): at once after a long run, else after a
// back-off that doubles with each quick exit in a row (0.2 s, 0.4 s ... up to 30 s).
void PoolPolicy::daemon_exit(double lived, double now) {
  boot_failures_ = lived >= kDaemonStable ? 1 : boot_failures_ + 1;
  double delay = backoff(boot_failures_);
  next_spawn_at_ = now + delay;
  log_warn(tag() + "restarting in " + fmt_seconds(delay) + " (" + std::to_string(boot_failures_) +
           " quick exit(s) in a row)");
}

bool PoolPolicy::on_exit(pid_t pid, int status, double now) {
  auto it = std::find_if(workers_.begin(), workers_.end(),
                         [pid](const Worker& w) { return w.pid == pid; });
  if (it == workers_.end()) return false;
  Worker w = std::move(*it);
  workers_.erase(it);
  WorkerReport last = control_.report(pid);
  served_by_gone_ += last.served;
  std::string how = describe_wait_status(status);
  std::string who = tag() + "worker " + std::to_string(pid);
  if (!alive(w)) {
    ++restarts_[w.reason];
    log_info(who + " " + how + " (" + w.reason + ")");
    return true;
  }
  double lived = now - w.started_at;
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code == 0 && w.max_requests > 0 &&
      last.served >= static_cast<std::uint64_t>(w.max_requests)) {
    ++restarts_["max-requests"]; // it honoured FH_MAX_REQUESTS and left by itself
    log_info(who + " " + how + " after " + std::to_string(last.served) +
             " requests (max-requests)");
    return true;
  }
  ++restarts_[code == 0 ? "exited" : "crash"];
  log_warn(who + " " + how + " after " + fmt_seconds(lived) + " (unexpected)");
  if (stopping_) return true;
  if (cfg_.daemon)
    daemon_exit(lived, now);
  else if (cannot_boot(code) || (lived < kBootWindow && !last.ready))
    boot_failure(code, how, now);
  else
    boot_failures_ = 0;
  return true;
}

void PoolPolicy::reload(const std::string& why, const PoolConfig* cfg) {
  if (stopping_) return;
  if (cfg != nullptr) {
    cfg_ = *cfg;
    target_ = cfg_.workers;
    max_target_ = std::max({cfg_.workers, cfg_.max_workers, 4}) + 2;
  }
  keepalive_warned_ = false; // check the new generation again
  if (halted_) {
    halted_ = false;
    boot_failures_ = 0;
    next_spawn_at_ = 0;
  }
  ++generation_;
  log_info(tag() + "reloading (" + why + "): starting generation " + std::to_string(generation_));
  for (Worker& w : workers_)
    if (w.generation < generation_ && !w.doomed && alive(w)) {
      w.doomed = true;
      w.reason = "reload";
    }
}

int PoolPolicy::scale_to(int target) {
  target_ = std::clamp(target, 1, max_target_);
  log_info(tag() + "target workers -> " + std::to_string(target_));
  return target_;
}

int PoolPolicy::scale_by(int delta) {
  return scale_to(target_ + delta);
}

void PoolPolicy::stop(bool graceful, double now) {
  if (stopping_ && graceful) return;
  stopping_ = true;
  stop_deadline_ = now + (graceful ? cfg_.graceful_timeout : 1.0);
  for (Worker& w : workers_) {
    if (w.state == WorkerState::Killed) continue;
    w.reason = "stop";
    w.state = WorkerState::Ready;
    retire(w, now, graceful ? SIGTERM : SIGQUIT);
    w.term_resent = !graceful;
  }
}

} // namespace spawn
