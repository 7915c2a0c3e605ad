// Notifier: alerts-log lines (one write(2) each, O_APPEND) and the notify command, spawned with
// the webhook JSON on a pipe to its stdin and reaped without blocking the ingest loop.
#include "notify.hpp"

#include <fcgihost/log.hpp>

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <system_error>
#include <thread>
#include <unistd.h>

#include <fh/sys/io.hpp>

extern char** environ;

namespace tw {

Notifier::Notifier(std::string command, const std::string& log_path)
    : command_(std::move(command)) {
  if (!log_path.empty()) {
    log_.reset(::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
    if (!log_) throw std::system_error(errno, std::generic_category(), "open " + log_path);
  }
}

Notifier::~Notifier() {
  wait_all(std::chrono::milliseconds(2000));
}

void Notifier::send(const Alert& a) {
  const std::string line = alert_log_line(a);
  fh::log(fh::LogLevel::Warning, "alert " + line);
  if (log_) fh::sys::write_all(log_.get(), line + "\n");
  if (command_.empty()) return;
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) {
    fh::log(fh::LogLevel::Error, "notify: pipe failed");
    return;
  }
  fh::sys::UniqueFd rd(p[0]), wr(p[1]);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, rd.get(), 0);
  // The ingest ignores SIGPIPE; the command gets the default disposition back.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t dflt;
  sigemptyset(&dflt);
  sigaddset(&dflt, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &dflt);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
  const char* argv[] = {"/bin/sh", "-c", command_.c_str(), nullptr};
  pid_t pid = -1;
  const int rc =
      ::posix_spawn(&pid, "/bin/sh", &fa, &attr, const_cast<char* const*>(argv), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    fh::log(fh::LogLevel::Error, "notify: cannot start /bin/sh");
    return;
  }
  children_.push_back(pid);
  rd.reset();
  const std::string body =
      webhook_json(a).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  if (!fh::sys::write_all(wr.get(), body))
    fh::log(fh::LogLevel::Warning, "notify: the command did not read the whole alert");
}

void Notifier::reap() {
  for (auto it = children_.begin(); it != children_.end();) {
    int status = 0;
    const pid_t r = ::waitpid(*it, &status, WNOHANG);
    if (r == 0 || (r < 0 && errno == EINTR)) {
      ++it;
      continue;
    }
    if (r > 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
      fh::log(fh::LogLevel::Warning,
              "notify: the command failed (status " + std::to_string(status) + ")");
    it = children_.erase(it);
  }
}

void Notifier::wait_all(std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  for (;;) {
    reap();
    if (children_.empty() || std::chrono::steady_clock::now() >= until) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

} // namespace tw
