// config_check.cpp: validation of a parsed SpawnConfig (every problem, one message each; the
// CGI gateway's path resolved) and the one-line description of a pool (--check-config, start log).
#include "config.hpp"

#include "gateway_command.hpp"

#include <fh/sys/worker_protocol.hpp>

#include <cerrno>
#include <filesystem>
#include <set>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

namespace spawn {
namespace {

// A daemon has no socket and serves no requests: the request-side settings are mistakes.
void validate_daemon(const PoolConfig& p, const std::string& tag, std::vector<std::string>& errs) {
  if (p.port || !p.socket.empty())
    errs.push_back(tag + "a [daemon.NAME] has no listen socket: remove port/socket");
  if (!p.cgi_dir.empty() || p.max_requests > 0 || p.timeout > 0 || p.max_queue_wait_ms > 0 ||
      p.keepalive || p.max_workers > 0 || p.min_workers > 0 || !p.allowed_clients.empty())
    errs.push_back(tag +
                   "a [daemon.NAME] serves no requests: cgi-dir, max-requests, timeout, "
                   "max-queue-wait, keepalive, min/max-workers, allowed-clients do not apply");
  if (p.workers < 1) errs.push_back(tag + "workers must be at least 1");
  if (p.graceful_timeout < 0 || p.max_rss_mb < 0) errs.push_back(tag + "negative limit");
  for (const std::string& e : p.env)
    if (e.find('=') == std::string::npos || e.front() == '=')
      errs.push_back(tag + "env entry is not KEY=VALUE: " + e);
}

} // namespace

namespace {

// Whether `r`'s user can execute `path` (and search every directory above it): asked of the
// kernel in a child that takes those credentials.
bool can_exec_as(const RunAs& r, const std::string& path) {
  const pid_t pid = ::fork();
  if (pid < 0) return true; // cannot tell: keep the configured drop
  if (pid == 0) _exit(apply_run_as(r) && ::access(path.c_str(), X_OK) == 0 ? 0 : 1);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

} // namespace

std::vector<std::string> validate(SpawnConfig& cfg) {
  std::vector<std::string> errs;
  if (cfg.pools.empty())
    errs.emplace_back(
        "no pool: give an application (-f APP or -- APP ARGS), --cgi-dir, or --config");
  std::set<std::string> names, listens;
  for (PoolConfig& p : cfg.pools) {
    std::string tag = "pool " + (p.name.empty() ? std::string("?") : p.name) + ": ";
    if (!p.cgi_dir.empty()) {
      if (p.app.empty()) p.app = gateway_beside_self();
      if (p.app.empty())
        errs.push_back(tag + "cgi-gateway not found beside the spawn executable; give its path "
                             "with --gateway PATH (INI: gateway = PATH)");
      if (!std::filesystem::is_directory(p.cgi_dir))
        errs.push_back(tag + "cgi-dir is not a directory: " + p.cgi_dir);
      if (p.max_queue_wait_ms > 0)
        errs.push_back(tag +
                       "max-queue-wait is done by fcgi-host app workers, not the CGI gateway");
      if (p.threads > fh::sys::worker::kMaxThreads)
        errs.push_back(
            tag + "threads " + std::to_string(p.threads) + " refused: at most " +
            std::to_string(fh::sys::worker::kMaxThreads) +
            " (one scoreboard slot each, so that status and --timeout see every thread)");
    }
    if (p.app.empty())
      errs.push_back(tag + "no application");
    else if (!p.via_shell && ::access(p.app.c_str(), X_OK) != 0)
      errs.push_back(tag + "application is not an executable file: " + p.app);
    if (!names.insert(p.name).second) errs.push_back(tag + "duplicate pool name");
    if (p.daemon) {
      validate_daemon(p, tag, errs);
      continue;
    }
    if (p.port && !p.socket.empty())
      errs.push_back(tag + "give either a port (-p) or a socket (-s), not both");
    if (!p.port && p.socket.empty())
      errs.push_back(tag + "no listen address: give -p PORT or -s PATH");
    if (p.port && (*p.port < 0 || *p.port > 65535)) errs.push_back(tag + "port out of range");
    std::string listen = p.socket.empty() ? p.address + ":" + std::to_string(p.port.value_or(0))
                                          : "unix:" + p.socket;
    if ((p.socket.empty() ? p.port.value_or(0) != 0 : true) && !listens.insert(listen).second)
      errs.push_back(tag + "listen address used by another pool: " + listen);
    if (p.workers < 1) errs.push_back(tag + "workers must be at least 1");
    if (p.max_workers > 0 && p.min_workers > p.max_workers)
      errs.push_back(tag + "min-workers is above max-workers");
    if (p.max_workers > 0 && p.workers > p.max_workers) p.workers = p.max_workers;
    if (p.backlog < 1) errs.push_back(tag + "backlog must be positive");
    if (p.max_requests < 0 || p.max_requests_jitter < 0 || p.timeout < 0 || p.max_rss_mb < 0 ||
        p.max_queue_wait_ms < 0 || p.graceful_timeout < 0 || p.stagger < 1 ||
        p.max_boot_failures < 1)
      errs.push_back(tag + "negative limit (or stagger/max-boot-failures below 1)");
    for (const std::string& e : p.env)
      if (e.find('=') == std::string::npos || e.front() == '=')
        errs.push_back(tag + "env entry is not KEY=VALUE: " + e);
  }
  try {
    RunAs run_as = resolve_run_as(cfg.user, cfg.group, ::geteuid());
    // The default user (nothing asked for) must reach the programs: a checkout under /root is
    // out of its reach, and the pool would only fail to exec. Then children keep root, loudly.
    if (run_as.drop && cfg.user.empty() && cfg.group.empty()) {
      for (const PoolConfig& p : cfg.pools) {
        if (p.via_shell || p.app.empty() || can_exec_as(run_as, p.app)) continue;
        cfg.run_as_fallback = run_as.name + " cannot reach " + p.app;
        run_as = RunAs{};
        break;
      }
    }
    for (PoolConfig& p : cfg.pools)
      p.run_as = run_as;
  } catch (const std::exception& e) {
    errs.emplace_back(e.what());
  }
  return errs;
}

std::string describe(const PoolConfig& p) {
  std::ostringstream os;
  os << p.name << ": app=" << p.app;
  for (const auto& a : p.args)
    os << " " << a;
  if (p.daemon) {
    os << " daemon (no socket) instances=" << p.workers;
    return os.str();
  }
  os << " listen="
     << (p.socket.empty() ? p.address + ":" + std::to_string(p.port.value_or(0))
                          : "unix:" + p.socket);
  os << " workers=" << p.workers;
  if (p.max_workers > p.min_workers) os << " dynamic=" << p.min_workers << ".." << p.max_workers;
  if (p.max_requests) os << " max-requests=" << p.max_requests << "+" << p.max_requests_jitter;
  if (p.timeout > 0) os << " timeout=" << p.timeout << "s";
  if (p.max_rss_mb) os << " max-rss=" << p.max_rss_mb << "MB";
  if (p.max_queue_wait_ms) os << " max-queue-wait=" << p.max_queue_wait_ms << "ms";
  if (p.keepalive) os << " keepalive=on";
  if (!p.cgi_dir.empty()) os << " cgi-dir=" << p.cgi_dir;
  return os.str();
}

} // namespace spawn
