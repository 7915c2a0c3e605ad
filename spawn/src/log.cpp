// log.cpp: where the master's log lines go (stderr or a reopenable file), each written with one
// write() so that lines never interleave mid-line; the line format is fh_sys's.
#include "log.hpp"

#include <fh/sys/unique_fd.hpp>

#include <fcntl.h>
#include <unistd.h>

namespace spawn {
namespace {

struct LogTarget {
  std::string path;
  fh::sys::UniqueFd fd; // empty: stderr
};

// The log destination, owned here for the process's lifetime (set once at start, reopened on USR1).
LogTarget& target() {
  static LogTarget t;
  return t;
}

int target_fd() {
  return target().fd ? target().fd.get() : STDERR_FILENO;
}

fh::sys::UniqueFd open_log(const std::string& path) {
  fh::sys::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644));
  if (!fd) fh::sys::throw_errno("open log file " + path);
  return fd;
}

} // namespace

void log_open(const std::string& path) {
  target().path = path;
  if (!path.empty()) target().fd = open_log(path);
}

void log_reopen() {
  if (target().path.empty()) return;
  try {
    target().fd = open_log(target().path);
  } catch (const std::exception& e) {
    log(Level::Error, std::string("cannot reopen log: ") + e.what());
  }
}

void log(Level level, std::string_view message) {
  fh::sys::write_log_line(target_fd(), level, "spawn", static_cast<long>(::getpid()), message);
}

void log_worker_line(std::string_view pool, int pid, std::string_view line) {
  const auto parsed = fh::sys::parse_log_line(line);
  if (!parsed) {
    fh::sys::write_log_line(target_fd(), Level::Info, pool, pid, line);
    return;
  }
  // A line from another process than the worker (a child it started) keeps its name and pid.
  std::string message;
  if (parsed->pid != pid)
    message.append(parsed->who).append("[").append(std::to_string(parsed->pid)).append("] ");
  message.append(parsed->message);
  fh::sys::write_log_line(target_fd(), parsed->level, pool, pid, message);
}

} // namespace spawn
