// log.hpp: the master's one-line-per-event log in the project's format (fh/sys/log.hpp:
// "ts level spawn[pid] message") to stderr or to a log file (reopened on SIGUSR1). Worker output
// is logged through log_worker_line(), which keeps the level of the worker's own log lines.
#pragma once

#include <fh/sys/log.hpp>

#include <string>
#include <string_view>

namespace spawn {

using Level = fh::sys::Level;

// Where log lines go: "" = stderr. Throws std::system_error if the file cannot be opened.
void log_open(const std::string& path);
// Reopens the log file (SIGUSR1, after rotation). Keeps the old one on failure.
void log_reopen();
void log(Level level, std::string_view message);
// One line of a worker's stdout/stderr, tagged with its pool and pid. A line in the project's
// log format keeps its level and message (its own timestamp and name are dropped); any other
// line is logged at info, whole.
void log_worker_line(std::string_view pool, int pid, std::string_view line);

inline void log_info(std::string_view m) {
  log(Level::Info, m);
}
inline void log_warn(std::string_view m) {
  log(Level::Warning, m);
}
inline void log_error(std::string_view m) {
  log(Level::Error, m);
}

} // namespace spawn
