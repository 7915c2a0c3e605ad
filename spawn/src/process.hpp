// process.hpp: starting one worker. Everything the child needs (argv, envp, the fd plan) is built
// before fork(); between fork and exec the child makes only async-signal-safe calls.
#pragma once

#include "privileges.hpp"
#include <fh/sys/unique_fd.hpp>

#include <string>
#include <sys/types.h>
#include <vector>

namespace spawn {

struct ExecPlan {
  std::string path;              // executable
  std::vector<std::string> argv; // argv[0..]
  std::vector<std::string> env;  // complete environment, KEY=VALUE
  std::string chdir;             // "" = stay
  int listen_fd = -1;            // becomes fd 0 (-1: /dev/null)
  int scoreboard_fd = -1;        // becomes fd 3 (-1: none)
  RunAs run_as;                  // credentials the child takes before exec (privileges.hpp)
};

struct StartedWorker {
  pid_t pid = -1;
  fh::sys::UniqueFd output; // read end of the worker's stdout+stderr pipe (non-blocking, CLOEXEC)
};

// Forks and execs the plan. The child gets: fd 0 = listen socket (or /dev/null), fd 1+2 = a pipe to
// the master, fd 3 = scoreboard, nothing else; default signal dispositions and an empty mask;
// the credentials of plan.run_as; PR_SET_PDEATHSIG(SIGKILL). Failure to drop privileges or exec:
// a message on the pipe and _exit(127). Throws std::system_error when pipe/fork fail.
StartedWorker start_worker(const ExecPlan& plan);

} // namespace spawn
