// pool.hpp: one pool of workers running the same app on one listen socket: the worker table,
// spawning (with back-off and a halt on repeated start-up crashes), reaping, hung-worker kills,
// recycling (max-requests, RSS, reload) staggered against the ready minimum, dynamic scaling,
// graceful/fast stop, worker output logging and the pool's status.
#pragma once

#include "config.hpp"
#include "listener.hpp"
#include "scoreboard.hpp"
#include "unique_fd.hpp"

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <sys/types.h>
#include <vector>

namespace spawn {

enum class WorkerState { Booting, Ready, Retiring, Killed };

struct Worker {
  pid_t pid = -1;
  int slot = -1;
  int generation = 0;
  WorkerState state = WorkerState::Booting;
  double started_at = 0; // monotonic seconds
  double retire_at = 0;  // when TERM was sent
  bool term_resent = false;
  bool doomed = false;   // to be replaced (and then retired)
  std::string reason;    // why it was doomed/killed (restart reason)
  long max_requests = 0; // with jitter; 0 = none
  long rss_kb = 0;
  WorkerView last; // last scoreboard read
  UniqueFd output;
  std::string partial; // incomplete output line
};

class Pool {
public:
  // `listener` is null for a daemon (cfg.daemon): a supervised command with no socket.
  Pool(PoolConfig cfg, std::unique_ptr<Listener> listener);

  const std::string& name() const { return cfg_.name; }
  const PoolConfig& config() const { return cfg_; }

  // Periodic work (every loop turn): scoreboard refresh, timeouts, limits, scaling, spawning.
  void tick(double now);
  // A child exited: returns false if pid is not one of this pool's workers.
  bool on_exit(pid_t pid, int status, double now);
  // SIGHUP / binary changed: start a new generation; old workers retire once it is ready.
  // A halted pool is given a fresh start. `cfg` (same listen address) may replace the settings.
  void reload(const std::string& why, const PoolConfig* cfg = nullptr);
  void add_worker(int delta); // SIGTTIN (+1) / SIGTTOU (-1)
  void stop(bool graceful, double now);

  bool halted() const { return halted_; }
  bool empty() const { return workers_.empty(); }

  // Worker output pipes to poll, and reading one when it is readable.
  void output_fds(std::vector<int>& fds) const;
  void on_output(int fd);

  nlohmann::json status(double now) const;
  void prometheus(std::string& out) const;

private:
  void spawn_one(double now);
  void retire(Worker& w, double now, int sig = 15);
  void doom(Worker& w, const std::string& reason);
  void refresh(Worker& w, double now);
  void murder_hung(Worker& w, double now);
  void check_limits(Worker& w, double now);
  void scale(double now);
  void manage(double now);
  void boot_failure(int code, const std::string& what, double now);
  void daemon_exit(double lived, double now);
  void read_output(Worker& w, bool flush);
  void check_keepalive(const Worker& w);
  Worker* find(pid_t pid);

  PoolConfig cfg_;
  std::unique_ptr<Listener> listener_;
  std::unique_ptr<Scoreboard> board_;
  std::vector<std::string> base_env_;
  std::vector<std::unique_ptr<Worker>> workers_;
  int target_ = 1;
  int capacity_ = 0; // scoreboard slots
  int generation_ = 1;
  bool halted_ = false;
  bool stopping_ = false;
  bool keepalive_warned_ = false; // the keep-alive risk is logged once per generation
  double stop_deadline_ = 0;
  double next_spawn_at_ = 0;
  int boot_failures_ = 0;
  double last_slow_tick_ = 0;
  int idle_ticks_ = 0;
  std::uint64_t served_by_gone_ = 0;
  std::map<std::string, std::uint64_t> restarts_;
  std::mt19937 rng_;
};

double monotonic_now();

} // namespace spawn
