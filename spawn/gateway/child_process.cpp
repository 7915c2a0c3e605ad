// cgi-gateway: posix_spawn of a CGI program into its own process group, and its RAII owner.
// Only posix_spawn's own (async-signal-safe) steps run between fork and exec.
#include "child_process.hpp"

#include <fh/sys/exec.hpp>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <system_error>
#include <utility>

namespace fh::gateway {
namespace {

void set_nonblocking(int fd) {
  const int fl = ::fcntl(fd, F_GETFL);
  if (fl < 0 || ::fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
    throw std::system_error(errno, std::generic_category(), "fcntl O_NONBLOCK on CGI pipe");
}

// RAII for posix_spawn_file_actions_t / posix_spawnattr_t.
struct SpawnSetup {
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  SpawnSetup() {
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

void check(int rc, const char* what) {
  if (rc != 0) throw std::system_error(rc, std::generic_category(), what);
}

} // namespace

ChildProcess ChildProcess::spawn(const SpawnSpec& spec) {
  sys::Pipe in = sys::make_pipe("CGI stdin"), out = sys::make_pipe("CGI stdout"),
            err = sys::make_pipe("CGI stderr");
  SpawnSetup s;
  check(posix_spawn_file_actions_adddup2(&s.fa, in.read.get(), 0), "spawn dup2 stdin");
  check(posix_spawn_file_actions_adddup2(&s.fa, out.write.get(), 1), "spawn dup2 stdout");
  check(posix_spawn_file_actions_adddup2(&s.fa, err.write.get(), 2), "spawn dup2 stderr");
  check(posix_spawn_file_actions_addclosefrom_np(&s.fa, 3), "spawn closefrom");
  if (!spec.cwd.empty())
    check(posix_spawn_file_actions_addchdir_np(&s.fa, spec.cwd.c_str()), "spawn chdir");
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  check(posix_spawnattr_setsigmask(&s.attr, &none), "spawn sigmask");
  check(posix_spawnattr_setsigdefault(&s.attr, &all), "spawn sigdefault");
  check(posix_spawnattr_setpgroup(&s.attr, 0), "spawn pgroup");
  check(posix_spawnattr_setflags(&s.attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                              POSIX_SPAWN_SETSIGDEF),
        "spawn flags");
  auto argv = sys::exec_array(spec.argv);
  auto envp = sys::exec_array(spec.envp);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, spec.path.c_str(), &s.fa, &s.attr, argv.data(), envp.data());
  if (rc != 0) throw std::system_error(rc, std::generic_category(), "exec " + spec.path);

  ChildProcess c;
  c.pid_ = pid;
  // glibc 2.36's <sys/pidfd.h> lacks extern "C" for C++: call the syscall directly.
  c.pidfd_.reset(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!c.pidfd_)
    throw std::system_error(errno, std::generic_category(), "pidfd_open"); // ~ChildProcess reaps
  c.in_ = std::move(in.write);
  c.out_ = std::move(out.read);
  c.err_ = std::move(err.read);
  set_nonblocking(c.in_.get());
  set_nonblocking(c.out_.get());
  set_nonblocking(c.err_.get());
  return c;
}

ChildProcess::ChildProcess(ChildProcess&& o) noexcept
    : pid_(std::exchange(o.pid_, -1)), reaped_(o.reaped_), status_(o.status_),
      pidfd_(std::move(o.pidfd_)), in_(std::move(o.in_)), out_(std::move(o.out_)),
      err_(std::move(o.err_)) {}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) reap();
}

std::optional<int> ChildProcess::exited() {
  if (reaped_) return status_;
  siginfo_t si{};
  if (::waitid(P_PID, static_cast<id_t>(pid_), &si, WEXITED | WNOHANG | WNOWAIT) != 0 ||
      si.si_pid == 0)
    return std::nullopt;
  if (si.si_code == CLD_EXITED) return W_EXITCODE(si.si_status, 0);
  return si.si_status; // killed or dumped: the wait status of a signal death is the signal
}

void ChildProcess::kill_group() noexcept {
  if (pid_ > 0 && !reaped_) ::kill(-pid_, SIGKILL);
}

int ChildProcess::reap() noexcept {
  if (pid_ <= 0 || reaped_) return status_;
  kill_group();
  int st = 0;
  while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
  status_ = st;
  return st;
}

std::string describe_wait_status(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* abbrev = ::sigabbrev_np(sig); // thread-safe, unlike strsignal
    return "killed by signal " + std::to_string(sig) + " (SIG" + (abbrev ? abbrev : "?") + ")";
  }
  return "wait status " + std::to_string(status);
}

} // namespace fh::gateway
