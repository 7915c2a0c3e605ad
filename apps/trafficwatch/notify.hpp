// Notifier: for each alert transition, appends a line to the alerts log and runs the configured
// command (through /bin/sh -c) with the Alertmanager webhook JSON on its stdin.
#pragma once

#include "alerts.hpp"

#include <chrono>
#include <string>
#include <sys/types.h>
#include <vector>

#include <fh/sys/unique_fd.hpp>

namespace tw {

class Notifier {
public:
  // Empty `command` or `log_path`: that part is off. Throws std::system_error if the log
  // cannot be opened.
  Notifier(std::string command, const std::string& log_path);
  ~Notifier();
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  void send(const Alert& a);
  // Collects commands that have finished (never blocks); logs a failure's exit status.
  void reap();
  // Waits up to `limit` for the commands still running.
  void wait_all(std::chrono::milliseconds limit);

private:
  std::string command_;
  fh::sys::UniqueFd log_;
  std::vector<pid_t> children_;
};

} // namespace tw
