// config.hpp: SpawnConfig/PoolConfig, the plain structs the arbiter runs from, and the functions
// that fill them from the command line (spawn-fcgi compatible flags + long options) and from an
// INI file with several [pool.NAME] (and [daemon.NAME]) sections. The arbiter never sees a
// variables_map.
#pragma once

#include "privileges.hpp"

#include <optional>
#include <stdexcept>
#include <string>
#include <sys/types.h>
#include <vector>

namespace spawn {

struct PoolConfig {
  std::string name; // log tag and status key
  // A [daemon.NAME] section: one supervised long-running command with no listen socket (fd 0 is
  // /dev/null, no scoreboard): started, respawned with back-off, stopped with the master.
  bool daemon = false;
  std::string app;               // executable path
  std::vector<std::string> args; // argv[1..]
  bool via_shell = false;        // -f APP: run as /bin/sh -c "exec APP" (spawn-fcgi)
  std::string address = "127.0.0.1";
  std::optional<int> port; // TCP port (0 = any free port, logged)
  std::string socket;      // unix socket path
  std::optional<mode_t> socket_mode;
  std::string socket_user, socket_group;
  int backlog = 1024;
  int workers = 1;
  int min_workers = 0, max_workers = 0; // dynamic mode when max_workers > min_workers
  long max_requests = 0, max_requests_jitter = 0;
  double timeout = 0; // seconds one request may run; 0 = off
  long max_rss_mb = 0;
  long max_queue_wait_ms =
      0;                  // passed as FH_MAX_QUEUE_WAIT: 503 for requests queued longer; 0 = off
  bool keepalive = false; // nginx keeps connections to this pool: check the workers can take it
  double graceful_timeout = 30;
  bool reload_on_change = false;
  std::string chdir;
  std::vector<std::string> env; // KEY=VALUE added to the workers' environment
  int stagger = 1;              // workers recycled at once (max-requests, RSS, reload)
  double ready_after = 1.0;     // a worker silent on the scoreboard counts as ready after this
  int max_boot_failures = 5;    // consecutive start-up crashes before the pool halts
  std::string allowed_clients;  // comma list of client IPs (FCGI_WEB_SERVER_ADDRS)
  // CGI gateway mode (app is the cgi-gateway executable)
  std::string cgi_dir;
  int cgi_timeout = 30;
  int max_cgi = 0, threads = 0;
  RunAs run_as; // whom the workers run as: filled in by validate() from user/group
};

struct SpawnConfig {
  std::vector<PoolConfig> pools;
  std::string config_file;
  bool check_only = false;
  bool foreground = false;
  std::string pidfile;
  std::string user, group;
  // Set when the default user (no -u/-g) cannot reach a pool's program: children keep root.
  std::string run_as_fallback;
  std::string control;  // status/control socket: unix path or HOST:PORT
  std::string log_file; // "" = stderr
};

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Result of parsing argv: either a config to run, or text to print and an exit code (--help).
struct ParseResult {
  SpawnConfig config;
  std::optional<int> exit_now;
  std::string output;
};

// Parses argv (throws ConfigError on bad syntax or an unreadable --config file).
ParseResult parse_command_line(int argc, const char* const* argv);
// The configuration again from the same command line (for SIGHUP): re-reads its --config file.
// Throws ConfigError.
SpawnConfig reload_config(int argc, const char* const* argv);
// Every problem found, one message each; empty means valid. Also resolves the gateway path and
// the user the workers run as (privileges.hpp).
std::vector<std::string> validate(SpawnConfig& cfg);
// "hello: app=/x workers=2 listen=127.0.0.1:9000 ..." for --check-config and the start log.
std::string describe(const PoolConfig& p);

} // namespace spawn
