// cgi-gateway: ChildProcess, one running CGI program in its own process group with pipes on
// its stdin/stdout/stderr, started with posix_spawn. Owns the pid: its destructor kills the
// whole group and reaps the leader, so no code path leaves a zombie or a stray process.
#pragma once

#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include <fh/sys/unique_fd.hpp>

namespace fh::gateway {

struct SpawnSpec {
  std::string path;              // absolute path of the executable
  std::vector<std::string> argv; // argv[0] first
  std::vector<std::string> envp; // "NAME=value"; nothing is inherited from the gateway
  std::string cwd;               // working directory of the child
};

class ChildProcess {
public:
  // Starts `spec` with stdin/stdout/stderr on fresh pipes (our ends non-blocking, CLOEXEC),
  // every other fd closed, default signal dispositions, an empty signal mask and a new
  // process group (pgid == pid). Throws std::system_error if the pipes cannot be made or the
  // exec fails (the error code is the exec's errno, e.g. ENOENT for a bad #! interpreter).
  static ChildProcess spawn(const SpawnSpec& spec);

  ChildProcess(ChildProcess&& o) noexcept;
  ChildProcess& operator=(ChildProcess&&) = delete;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess(); // kill_group() + reap(), never throws

  pid_t pid() const noexcept { return pid_; }
  int pidfd() const noexcept { return pidfd_.get(); } // readable once the leader has exited
  sys::UniqueFd& in() noexcept { return in_; }        // write end of the child's stdin
  sys::UniqueFd& out() noexcept { return out_; }      // read end of the child's stdout
  sys::UniqueFd& err() noexcept { return err_; }      // read end of the child's stderr

  // The leader's wait status if it has exited, without reaping it (the zombie keeps the pgid
  // from being reused, so kill_group stays safe). nullopt while it runs.
  std::optional<int> exited();
  // SIGKILL to the whole process group; a no-op once reaped.
  void kill_group() noexcept;
  // Kills the group and reaps the leader (blocking); returns its wait status. Idempotent.
  int reap() noexcept;

private:
  ChildProcess() = default;
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
  sys::UniqueFd pidfd_, in_, out_, err_;
};

// "exit status 3", "killed by signal 9 (Killed)" for a wait status.
std::string describe_wait_status(int status);

} // namespace fh::gateway
