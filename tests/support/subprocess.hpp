// Test support: run a program with a given environment and stdin and collect its output, or keep
// one running (ChildProcess kills and reaps it when the test is done). Linux only.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace fh::test {

struct ProcessResult {
  int exit_code = -1; // -1 if killed by a signal or timed out
  bool timed_out = false;
  std::string out, err;
};

struct RunOptions {
  std::vector<std::string> env; // "NAME=value"; the child gets exactly these (and *SAN_OPTIONS)
  std::string input;            // written to stdin (concurrently with reading stdout)
  bool keep_stdin_open = false; // do not close stdin after `input` (tests "never blocks")
  std::chrono::milliseconds timeout{10000};
};

// Runs argv[0] (a path) to completion; kills it after the timeout.
ProcessResult run_process(const std::vector<std::string>& argv, const RunOptions& options);

// A long-running child; killed (SIGKILL) and reaped on destruction unless already stopped.
class ChildProcess {
public:
  // Starts argv with `stdin_fd` as its fd 0 (-1: /dev/null) and stderr to `stderr_path`
  // ("" : inherit).
  ChildProcess(const std::vector<std::string>& argv, int stdin_fd,
               const std::string& stderr_path = {}, const std::vector<std::string>& env = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const noexcept { return pid_; }
  bool alive();
  // Sends `sig` and waits up to `timeout` for the exit; returns the wait status, or nullopt.
  std::optional<int> stop(int sig, std::chrono::milliseconds timeout);

private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
};

// A TCP listening socket on 127.0.0.1 with a kernel-chosen port (what spawn hands a worker).
struct Listener {
  int fd = -1;
  int port = 0;
  Listener();
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
};

// A free loopback port right now (bind to 0, read it, close): for servers that bind themselves.
int pick_free_port();

// A parsed CGI-style response ("Status: 200 OK\r\nName: value\r\n\r\nbody").
struct CgiResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::optional<std::string> header(std::string_view name) const;
};
// Parses `raw`; status 200 if there is no Status header; status -1 if there is no header block.
CgiResponse parse_cgi_response(std::string_view raw);

} // namespace fh::test
