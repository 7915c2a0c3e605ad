// cgi-gateway: the per-process configuration and the worker loop that serves FastCGI requests
// by running CGI programs. The only file that talks to libfcgi is gateway.cpp.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "cgi_slots.hpp"
#include "log.hpp"
#include "read_deadlines.hpp"

#include <fh/sys/scoreboard_publisher.hpp>

namespace fh::gateway {

struct GatewayConfig {
  std::string cgi_root;                 // canonical absolute CGI directory
  std::string url_prefix = "/cgi-bin";  // URI prefix that maps onto cgi_root (no trailing '/')
  std::string tmp_dir = "/tmp";         // where request bodies over 1 MiB are spooled
  std::chrono::seconds cgi_timeout{30}; // whole-request budget for one CGI process
  std::chrono::milliseconds queue_wait{10000}; // max wait for a --max-cgi slot before 503
  // A request (params and body) must arrive whole within this long of its connection's accept,
  // else the connection is shut down and nothing runs (read_deadlines.hpp).
  std::chrono::milliseconds read_timeout{10000};
  int threads = 8;
  int max_cgi = 8;
  // NAME=value entries (--setenv) every CGI program gets on top of the RFC 3875 environment,
  // replacing a same-named request variable: operator configuration such as APP_CONFIG_FILE.
  std::vector<std::string> set_env;
};

// Everything a worker thread shares with the others; immutable except the slots, the logger and
// the scoreboard, which are thread-safe (each thread writes its own scoreboard entry).
struct GatewayContext {
  const GatewayConfig& config;
  CgiSlots& slots;
  Logger& log;
  sys::worker::Publisher& board; // spawn's scoreboard (a no-op outside spawn)
  ReadDeadlines& deadlines;      // one slot per thread; the watchdog runs in main
  int listen_fd;
  int stop_fd; // readable once the gateway is stopping
};

// One worker thread: accepts connections until `stop_fd` is readable and serves one request
// per connection (FCGI_KEEP_CONN is not honoured: the connection closes after each response).
// An in-flight request always completes before the loop checks for stop. Never throws.
void worker_loop(const GatewayContext& ctx, int thread_index);

} // namespace fh::gateway
