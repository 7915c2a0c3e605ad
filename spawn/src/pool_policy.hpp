// pool_policy.hpp: the decisions of one pool, apart from the processes: the worker table and
// what to start, stop, recycle (max-requests with jitter, RSS, reload, scale-down), kill as hung,
// when a failed reload rolls back, when start-up crashes back off or halt, and dynamic scaling.
// Every effect goes through WorkerControl, so a fake drives it in unit tests; time is a parameter.
#pragma once

#include "config.hpp"

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <sys/types.h>
#include <vector>

namespace spawn {

enum class WorkerState { Booting, Ready, Retiring, Killed };
const char* state_name(WorkerState s);

// What a worker publishes (the scoreboard), as the policy needs it.
struct WorkerReport {
  bool ready = false;      // the worker said it is ready
  int threads = 0;         // 0: it does not publish
  std::uint32_t flags = 0; // fh::sys::worker::kFlag* bits
  int busy = 0;
  std::uint64_t served = 0;
  double running_s = 0; // how long the oldest busy request has run
  std::string method, uri;
};

// The effects: start, signal and measure worker processes. Pool implements it on real
// processes; the unit tests implement it with a fake.
class WorkerControl {
public:
  virtual ~WorkerControl() = default;
  // Starts one worker of `generation` (max_requests 0 = none). Returns its pid, or -1 when it
  // could not be started (already logged).
  virtual pid_t start(int generation, long max_requests) = 0;
  virtual void signal(pid_t pid, int sig) = 0;
  virtual WorkerReport report(pid_t pid) = 0;
  virtual long rss_kb(pid_t pid) = 0;
};

struct Worker {
  pid_t pid = -1;
  int generation = 0;
  WorkerState state = WorkerState::Booting;
  double started_at = 0; // monotonic seconds
  double retire_at = 0;  // when TERM was sent
  bool term_resent = false;
  bool doomed = false;   // to be replaced (and then retired)
  std::string reason;    // why it was doomed/killed (restart reason)
  long max_requests = 0; // with jitter; 0 = none
  long rss_kb = 0;
  WorkerReport last; // last report read
};

class PoolPolicy {
public:
  // `control` outlives the policy. `seed` feeds the max-requests jitter.
  PoolPolicy(const PoolConfig& cfg, WorkerControl& control, std::uint32_t seed);

  // Periodic work (every loop turn): reports, timeouts, limits, scaling, starting.
  void tick(double now);
  // A worker exited with wait status `status`. Returns false if pid is not in the table.
  bool on_exit(pid_t pid, int status, double now);
  // A new generation; old workers retire once it is ready (a daemon: stop-first). A halted pool
  // is given a fresh start. `cfg` (same listen address) may replace the settings.
  void reload(const std::string& why, const PoolConfig* cfg = nullptr);
  // Target worker count: relative (TTIN/TTOU, `ctl scale +N`) or absolute. Clamped to
  // 1..max_target(). Returns the new target.
  int scale_by(int delta);
  int scale_to(int target);
  void stop(bool graceful, double now);

  const PoolConfig& config() const { return cfg_; }
  const std::vector<Worker>& workers() const { return workers_; }
  int target() const { return target_; }
  int max_target() const { return max_target_; }
  int generation() const { return generation_; }
  bool halted() const { return halted_; }
  bool stopping() const { return stopping_; }
  double next_start_at() const { return next_spawn_at_; }
  std::uint64_t served_by_gone() const { return served_by_gone_; }
  const std::map<std::string, std::uint64_t>& restarts() const { return restarts_; }

private:
  void spawn_one(double now);
  void retire(Worker& w, double now, int sig);
  void doom(Worker& w, const std::string& reason);
  void refresh(Worker& w, double now);
  void murder_hung(Worker& w, double now);
  void check_limits(Worker& w, bool slow);
  void escalate(Worker& w, double now);
  void check_keepalive(const Worker& w);
  void autoscale();
  void manage(double now);
  void boot_failure(int code, const std::string& what, double now);
  void daemon_exit(double lived, double now);
  std::string tag() const;

  PoolConfig cfg_;
  WorkerControl& control_;
  std::vector<Worker> workers_;
  int target_ = 1;
  int max_target_ = 1;
  int generation_ = 1;
  bool halted_ = false;
  bool stopping_ = false;
  bool keepalive_warned_ = false; // the keep-alive risk is logged once per generation
  double stop_deadline_ = 0;
  double next_spawn_at_ = 0;
  int boot_failures_ = 0;
  double last_slow_tick_ = -1e9;
  int idle_ticks_ = 0;
  std::uint64_t served_by_gone_ = 0;
  std::map<std::string, std::uint64_t> restarts_;
  std::mt19937 rng_;
};

// "exited with status 3", "killed by signal 9 (Killed); perhaps out of memory?".
std::string describe_wait_status(int status);

} // namespace spawn
