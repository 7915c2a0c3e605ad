// main.cpp: spawn's entry point: parse and validate the configuration, bind every socket, detach
// unless -n, write the pid file, and hand over to the Arbiter (or, for `spawn ctl ...`, to the
// control client). Started as root, the master keeps root and its children drop to an
// unprivileged user (privileges.hpp).
#include "arbiter.hpp"
#include "config.hpp"
#include "ctl.hpp"
#include "log.hpp"
#include <fh/sys/fd_limit.hpp>

#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <iostream>
#include <unistd.h>

namespace {

// Writes the master's pid on construction, removes the file on destruction.
class PidFile {
public:
  explicit PidFile(std::string path) : path_(std::move(path)) {
    if (path_.empty()) return;
    std::ofstream f(path_, std::ios::trunc);
    if (!(f << ::getpid() << "\n")) throw std::runtime_error("cannot write pid file " + path_);
  }
  PidFile(const PidFile&) = delete;
  PidFile& operator=(const PidFile&) = delete;
  ~PidFile() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }

private:
  std::string path_;
};

// Says whom the workers run as (privileges.hpp): -u/-g (INI user/group) only matter as root.
void log_run_as(const spawn::SpawnConfig& cfg) {
  if (cfg.pools.empty()) return;
  const spawn::RunAs& r = cfg.pools.front().run_as;
  if (r.drop)
    spawn::log_info("workers run as " + r.name);
  else if (::geteuid() == 0 && !cfg.run_as_fallback.empty())
    spawn::log_warn("workers run as root: " + cfg.run_as_fallback +
                    " (a directory above it is not searchable by others); every app and CGI "
                    "program has root's rights: move the programs or set user =");
  else if (::geteuid() == 0)
    spawn::log_warn("workers run as root (user = root asked for): every app and CGI program has "
                    "root's rights");
  else if (!cfg.user.empty() || !cfg.group.empty())
    spawn::log_warn("-u/-g ignored: not running as root");
}

// Detaches (fork + setsid). The parent waits for the child's "started" byte, then exits 0.
// Returns the write end the child uses to signal readiness (-1 in the foreground).
int daemonize() {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) fh::sys::throw_errno("pipe2");
  pid_t pid = ::fork();
  if (pid < 0) fh::sys::throw_errno("fork");
  if (pid > 0) {
    ::close(p[1]);
    char c = 0;
    ssize_t n = ::read(p[0], &c, 1);
    ::_exit(n == 1 ? 0 : 1);
  }
  ::close(p[0]);
  ::setsid();
  int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull >= 0) {
    ::dup2(devnull, STDIN_FILENO);
    ::close(devnull);
  }
  return p[1];
}

} // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == "ctl") return spawn::ctl_main(argc - 1, argv + 1);
  spawn::ParseResult parsed;
  try {
    parsed = spawn::parse_command_line(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "spawn: " << e.what() << "\n(spawn --help for usage)\n";
    return 2;
  }
  if (parsed.exit_now) {
    std::cout << parsed.output;
    return *parsed.exit_now;
  }
  spawn::SpawnConfig& cfg = parsed.config;
  std::vector<std::string> errs = spawn::validate(cfg);
  for (const std::string& e : errs)
    std::cerr << "spawn: config error: " << e << "\n";
  if (!errs.empty()) return 2;
  if (cfg.check_only) {
    for (const auto& p : cfg.pools)
      std::cout << "pool " << spawn::describe(p) << "\n";
    std::cout << "configuration OK\n";
    return 0;
  }
  try {
    fh::sys::raise_fd_limit(); // before the workers fork: they inherit it
    spawn::log_open(cfg.log_file);
    spawn::Arbiter arbiter(cfg, argc, argv);
    log_run_as(cfg);
    int ready_fd = cfg.foreground ? -1 : daemonize();
    PidFile pidfile(cfg.pidfile);
    if (ready_fd >= 0) {
      char c = 1;
      [[maybe_unused]] ssize_t n = ::write(ready_fd, &c, 1);
      ::close(ready_fd);
    }
    return arbiter.run();
  } catch (const std::exception& e) {
    spawn::log_error(std::string("fatal: ") + e.what());
    return 1;
  }
}
