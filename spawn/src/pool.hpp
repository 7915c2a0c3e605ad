// pool.hpp: one pool of workers on real processes: the listen socket, the scoreboard, the exec
// plan, worker output pipes and /proc RSS. It is the WorkerControl (the effects) of its
// PoolPolicy, which decides everything (pool_policy.hpp); status comes out as a PoolStatus.
#pragma once

#include "config.hpp"
#include "listener.hpp"
#include "pool_policy.hpp"
#include "scoreboard.hpp"
#include "status.hpp"
#include <fh/sys/unique_fd.hpp>

#include <map>
#include <memory>
#include <string>
#include <sys/types.h>
#include <vector>

namespace spawn {

class Pool : private WorkerControl {
public:
  // `listener` is null for a daemon (cfg.daemon): a supervised command with no socket.
  Pool(PoolConfig cfg, std::unique_ptr<Listener> listener);
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  const std::string& name() const { return policy_.config().name; }
  const PoolConfig& config() const { return policy_.config(); }

  // Periodic work (every loop turn), delegated to the policy.
  void tick(double now) { policy_.tick(now); }
  // A child exited: returns false if pid is not one of this pool's workers.
  bool on_exit(pid_t pid, int status, double now);
  // SIGHUP / binary changed / `spawn ctl reload`: see PoolPolicy::reload.
  void reload(const std::string& why, const PoolConfig* cfg = nullptr);
  int scale_by(int delta) { return policy_.scale_by(delta); } // SIGTTIN/SIGTTOU, ctl scale +-N
  int scale_to(int target) { return policy_.scale_to(target); }
  void stop(bool graceful, double now) { policy_.stop(graceful, now); }

  bool halted() const { return policy_.halted(); }
  bool empty() const { return policy_.workers().empty(); }

  // Worker output pipes to poll, and reading one when it is readable.
  void output_fds(std::vector<int>& fds) const;
  void on_output(int fd);

  PoolStatus status(double now) const;

private:
  struct Process {
    int slot = -1;
    fh::sys::UniqueFd output;
    std::string partial; // incomplete output line
  };

  pid_t start(int generation, long max_requests) override;
  void signal(pid_t pid, int sig) override;
  WorkerReport report(pid_t pid) override;
  long rss_kb(pid_t pid) override;
  WorkerReport report_slot(int slot) const;
  void read_output(pid_t pid, Process& p, bool flush);

  PoolConfig cfg_; // the settings the exec plan is built from (replaced on reload)
  std::unique_ptr<Listener> listener_;
  std::unique_ptr<Scoreboard> board_;
  std::vector<std::string> base_env_;
  std::map<pid_t, Process> procs_;
  PoolPolicy policy_;
};

double monotonic_now();

} // namespace spawn
