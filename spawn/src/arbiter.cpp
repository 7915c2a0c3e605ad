// arbiter.cpp: the master loop (gunicorn's shape: handlers only enqueue, the loop decides and
// always ends with the pools' periodic work), signal dispatch, reaping, reload and status output.
#include "arbiter.hpp"

#include "log.hpp"
#include "signals.hpp"

#include <csignal>
#include <filesystem>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>

namespace spawn {

Arbiter::Arbiter(SpawnConfig cfg, int argc, const char* const* argv)
    : cfg_(std::move(cfg)), argc_(argc), argv_(argv), started_(monotonic_now()) {
  for (const PoolConfig& p : cfg_.pools) {
    std::unique_ptr<Listener> listener;
    if (p.daemon) {
      log_info("daemon " + describe(p));
    } else {
      listener = std::make_unique<Listener>(p);
      log_info("pool " + p.name + ": listening on " + listener->describe() + " — " + describe(p));
    }
    pools_.push_back(std::make_unique<Pool>(p, std::move(listener)));
  }
  if (!cfg_.control.empty()) {
    control_ = std::make_unique<ControlServer>(
        cfg_.control,
        [this](const std::string& m, const std::string& t) { return on_control(m, t); });
    log_info("status on " + control_->describe() + " (GET /status, /metrics)");
  }
  watch_binaries();
}

void Arbiter::watch_binaries() {
  for (auto& p : pools_) {
    if (!p->config().reload_on_change) continue;
    if (!inotify_) inotify_ = fh::sys::UniqueFd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
    std::string dir = std::filesystem::path(p->config().app).parent_path().string();
    if (dir.empty()) dir = ".";
    int wd = ::inotify_add_watch(inotify_.get(), dir.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO);
    if (wd < 0) {
      log_warn("pool " + p->name() + ": cannot watch " + dir + " for changes");
      continue;
    }
    watches_[wd].push_back(p.get());
  }
}

void Arbiter::on_inotify(double now) {
  alignas(inotify_event) char buf[8192];
  for (;;) {
    ssize_t n = ::read(inotify_.get(), buf, sizeof buf);
    if (n <= 0) return;
    for (char* p = buf; p < buf + n;) {
      auto* ev = reinterpret_cast<inotify_event*>(p);
      p += sizeof(inotify_event) + ev->len;
      std::string name = ev->len ? ev->name : "";
      for (Pool* pool : watches_[ev->wd])
        if (std::filesystem::path(pool->config().app).filename() == name)
          pending_reload_[pool] = now + 0.3; // debounce: let the writer finish
    }
  }
}

void Arbiter::reap(double now) {
  for (;;) {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return;
    bool ours = false;
    for (auto& p : pools_)
      if (p->on_exit(pid, status, now)) {
        ours = true;
        break;
      }
    if (!ours) log(Level::Debug, "reaped unknown child " + std::to_string(pid));
  }
}

void Arbiter::handle_hup() {
  const PoolConfig* none = nullptr;
  if (cfg_.config_file.empty()) {
    for (auto& p : pools_)
      p->reload("SIGHUP", none);
    return;
  }
  // Validate the new configuration completely before touching anything (nginx's rule).
  SpawnConfig next;
  try {
    next = reload_config(argc_, argv_);
    std::vector<std::string> errs = validate(next);
    if (!errs.empty()) throw ConfigError(errs.front());
  } catch (const std::exception& e) {
    log_error(std::string("SIGHUP: new configuration rejected, keeping the old one: ") + e.what());
    return;
  }
  for (auto& p : pools_) {
    const PoolConfig* match = nullptr;
    for (const PoolConfig& n : next.pools)
      if (n.name == p->name()) match = &n;
    const PoolConfig& cur = p->config();
    if (match != nullptr &&
        (match->socket != cur.socket || match->port != cur.port || match->address != cur.address)) {
      log_warn("pool " + p->name() + ": listen address changed; restart spawn to apply it");
      match = nullptr;
    }
    p->reload("SIGHUP", match);
  }
  for (const PoolConfig& n : next.pools) {
    bool known = false;
    for (auto& p : pools_)
      known = known || p->name() == n.name;
    if (!known) log_warn("pool " + n.name + ": new pools need a restart of spawn");
  }
}

void Arbiter::dispatch(int sig, double now) {
  switch (sig) {
  case SIGCHLD:
    reap(now);
    break;
  case SIGHUP:
    if (!stopping_) {
      log_info("SIGHUP: graceful reload");
      handle_hup();
    }
    break;
  case SIGTERM:
    log_info("SIGTERM: graceful stop");
    stopping_ = true;
    for (auto& p : pools_)
      p->stop(true, now);
    break;
  case SIGINT:
  case SIGQUIT:
    log_info(std::string(sig == SIGINT ? "SIGINT" : "SIGQUIT") + ": fast stop");
    stopping_ = true;
    for (auto& p : pools_)
      p->stop(false, now);
    break;
  case SIGTTIN:
  case SIGTTOU:
    if (!stopping_)
      for (auto& p : pools_)
        if (!p->config().daemon) p->scale_by(sig == SIGTTIN ? 1 : -1);
    break;
  case SIGUSR1:
    log_reopen();
    log_info("SIGUSR1: log reopened");
    break;
  default:
    break;
  }
}

int Arbiter::run() {
  self_pipe_ = signals_init();
  log_info("master started (pid " + std::to_string(::getpid()) + ")");
  std::vector<int> fds;
  std::vector<pollfd> pfds;
  for (;;) {
    fds.clear();
    if (control_) control_->fds(fds);
    std::size_t control_count = fds.size();
    for (auto& p : pools_)
      p->output_fds(fds);
    pfds.clear();
    pfds.push_back({self_pipe_, POLLIN, 0});
    if (inotify_) pfds.push_back({inotify_.get(), POLLIN, 0});
    for (int fd : fds)
      pfds.push_back({fd, POLLIN, 0});
    int n = ::poll(pfds.data(), pfds.size(), 100);
    double now = monotonic_now();
    if (n > 0) {
      std::size_t base = inotify_ ? 2 : 1;
      if (inotify_ && (pfds[1].revents & POLLIN)) on_inotify(now);
      for (std::size_t i = 0; i < fds.size(); ++i) {
        if (pfds[base + i].revents == 0) continue;
        if (i < control_count)
          control_->on_ready(fds[i], now);
        else
          for (auto& p : pools_)
            p->on_output(fds[i]);
      }
      for (int sig : signals_drain())
        dispatch(sig, now);
    }
    reap(now); // also catches a SIGCHLD byte lost to a full pipe
    if (control_) control_->expire(now);
    for (auto it = pending_reload_.begin(); it != pending_reload_.end();) {
      if (now >= it->second && !stopping_) {
        it->first->reload("app binary changed on disk");
        it = pending_reload_.erase(it);
      } else {
        ++it;
      }
    }
    bool all_empty = true, all_halted = true;
    for (auto& p : pools_) {
      p->tick(now);
      all_empty = all_empty && p->empty();
      all_halted = all_halted && p->halted();
    }
    if (stopping_ && all_empty) break;
    if (!stopping_ && all_halted && all_empty) {
      log_error("every pool is halted; the master exits");
      exit_status_ = 1;
      break;
    }
  }
  log_info("master stopped");
  return exit_status_;
}

} // namespace spawn
