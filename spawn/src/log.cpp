// log.cpp: formats and writes the master's log lines with single write() calls, so lines from the
// master never interleave mid-line with anything else appending to the same file.
#include "log.hpp"

#include "unique_fd.hpp"

#include <cstdio>
#include <ctime>
#include <fcntl.h>
#include <sys/time.h>
#include <unistd.h>

namespace spawn {
namespace {

struct LogTarget {
  std::string path;
  UniqueFd fd; // empty: stderr
};

// The log destination, owned here for the process's lifetime (set once at start, reopened on USR1).
LogTarget& target() {
  static LogTarget t;
  return t;
}

const char* level_name(Level l) {
  switch (l) {
  case Level::Debug:
    return "debug";
  case Level::Info:
    return "info";
  case Level::Warning:
    return "warning";
  case Level::Error:
    return "error";
  }
  return "?";
}

void write_line(std::string_view level, std::string_view who, int pid, std::string_view msg) {
  timeval tv{};
  gettimeofday(&tv, nullptr);
  tm t{};
  localtime_r(&tv.tv_sec, &t);
  char ts[64];
  std::snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03ld", t.tm_year + 1900,
                t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec,
                static_cast<long>(tv.tv_usec / 1000));
  std::string line;
  line.reserve(msg.size() + 64);
  line.append(ts).append(" ").append(level).append(" ").append(who);
  line.append("[").append(std::to_string(pid)).append("] ").append(msg).append("\n");
  int fd = target().fd ? target().fd.get() : STDERR_FILENO;
  std::string_view rest = line;
  while (!rest.empty()) {
    ssize_t n = ::write(fd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
}

UniqueFd open_log(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644));
  if (!fd) sys_error("open log file " + path);
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
  write_line(level_name(level), "spawn", static_cast<int>(getpid()), message);
}

void log_worker_line(std::string_view pool, int pid, std::string_view line) {
  write_line("info", pool, pid, line);
}

} // namespace spawn
