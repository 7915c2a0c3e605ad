// process.cpp: fork+exec of workers with a prepared fd plan (see process.hpp for the contract).
#include "process.hpp"

#include <fh/sys/exec.hpp>

#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace spawn {
namespace {

// Async-signal-safe helpers for the child.
void child_write(const char* s) {
  [[maybe_unused]] ssize_t n = ::write(2, s, std::strlen(s));
}

[[noreturn]] void child_fail(const char* what, const char* path) {
  child_write("spawn: ");
  child_write(what);
  child_write(" ");
  child_write(path);
  child_write(" failed\n");
  ::_exit(127);
}

} // namespace

StartedWorker start_worker(const ExecPlan& plan) {
  auto argv = fh::sys::exec_array(plan.argv);
  auto envp = fh::sys::exec_array(plan.env);
  const char* path = plan.path.c_str();
  const char* dir = plan.chdir.empty() ? nullptr : plan.chdir.c_str();
  const char* run_as = plan.run_as.name.c_str();

  fh::sys::UniqueFd devnull; // fd 0 of a worker without a listen socket (a daemon)
  int listen_fd = plan.listen_fd;
  if (listen_fd < 0) {
    devnull = fh::sys::UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (!devnull) fh::sys::throw_errno("open /dev/null");
    listen_fd = devnull.get();
  }
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) fh::sys::throw_errno("pipe2 for worker output");
  fh::sys::UniqueFd out_r(p[0]), out_w(p[1]);
  pid_t parent = ::getpid();
  // Block every signal across fork: until the child has reset its dispositions, a signal sent to
  // it would run the master's handler there and write into the master's self-pipe.
  sigset_t all, saved;
  sigfillset(&all);
  sigprocmask(SIG_SETMASK, &all, &saved);
  pid_t pid = ::fork();
  if (pid < 0) {
    int err = errno;
    sigprocmask(SIG_SETMASK, &saved, nullptr);
    fh::sys::throw_errno("fork worker " + plan.path, err);
  }
  if (pid == 0) {
    // Child: async-signal-safe calls only from here to execve.
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    for (int s = 1; s < NSIG; ++s)
      if (s != SIGKILL && s != SIGSTOP) sigaction(s, &dfl, nullptr);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    // Credentials first: a change of credentials clears the parent-death signal.
    if (!apply_run_as(plan.run_as)) child_fail("drop privileges to", run_as);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1);
    // Move the sources above the target range first, then place them.
    int l = ::fcntl(listen_fd, F_DUPFD, 10);
    int o = ::fcntl(out_w.get(), F_DUPFD, 10);
    int s = plan.scoreboard_fd >= 0 ? ::fcntl(plan.scoreboard_fd, F_DUPFD, 10) : -1;
    if (l < 0 || o < 0 || ::dup2(l, 0) < 0 || ::dup2(o, 1) < 0 || ::dup2(o, 2) < 0) ::_exit(127);
    if (s >= 0 && ::dup2(s, 3) < 0) ::_exit(127);
    ::syscall(SYS_close_range, s >= 0 ? 4u : 3u, ~0u, 0u);
    if (dir != nullptr && ::chdir(dir) != 0) child_fail("chdir", dir);
    ::execve(path, argv.data(), envp.data());
    child_fail("exec", path);
  }
  sigprocmask(SIG_SETMASK, &saved, nullptr);
  int fl = ::fcntl(out_r.get(), F_GETFL);
  ::fcntl(out_r.get(), F_SETFL, fl | O_NONBLOCK);
  return StartedWorker{pid, std::move(out_r)};
}

} // namespace spawn
