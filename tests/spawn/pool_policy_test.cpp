// pool_policy_test.cpp: unit tests of spawn's pool policy with a fake WorkerControl (no process
// is started): crash-loop back-off and halt, rollback of a failed reload, staggered reload,
// scaling steps (TTIN/TTOU, autoscale), recycling with max-requests jitter, hung-worker kills,
// TERM/KILL escalation, daemons (stop-first, back-off), and the status renderings.
#include "pool_policy.hpp"
#include "status.hpp"

#include <csignal>
#include <gtest/gtest.h>
#include <map>
#include <set>
#include <sys/wait.h>
#include <vector>

namespace spawn {
namespace {

int exited(int code) {
  return code << 8; // a wait status: WIFEXITED, WEXITSTATUS == code
}

class FakeControl : public WorkerControl {
public:
  struct Started {
    pid_t pid;
    int generation;
    long max_requests;
  };
  pid_t start(int generation, long max_requests) override {
    if (fail_starts) return -1;
    pid_t pid = next_pid++;
    started.push_back({pid, generation, max_requests});
    return pid;
  }
  void signal(pid_t pid, int sig) override { signals[pid].push_back(sig); }
  WorkerReport report(pid_t pid) override { return reports[pid]; }
  long rss_kb(pid_t pid) override { return rss[pid]; }

  void ready(pid_t pid, int threads = 1) {
    reports[pid].ready = true;
    reports[pid].threads = threads;
  }
  bool got(pid_t pid, int sig) const {
    auto it = signals.find(pid);
    if (it == signals.end()) return false;
    for (int s : it->second)
      if (s == sig) return true;
    return false;
  }

  pid_t next_pid = 100;
  bool fail_starts = false;
  std::vector<Started> started;
  std::map<pid_t, std::vector<int>> signals;
  std::map<pid_t, WorkerReport> reports;
  std::map<pid_t, long> rss;
};

PoolConfig config(int workers) {
  PoolConfig c;
  c.name = "t";
  c.app = "/bin/true";
  c.port = 0;
  c.workers = workers;
  c.ready_after = 1.0;
  return c;
}

std::set<pid_t> pids(const PoolPolicy& p) {
  std::set<pid_t> s;
  for (const Worker& w : p.workers())
    s.insert(w.pid);
  return s;
}

int ready_count(const PoolPolicy& p) {
  int n = 0;
  for (const Worker& w : p.workers())
    n += w.state == WorkerState::Ready ? 1 : 0;
  return n;
}

// Starts the pool at t=0 and makes every worker ready at t=0.1.
void boot(PoolPolicy& p, FakeControl& c) {
  p.tick(0);
  for (const Worker& w : p.workers())
    c.ready(w.pid);
  p.tick(0.1);
}

TEST(PoolPolicy, StartsTheTargetAndReadyAfterTheWorkerSaysSo) {
  FakeControl c;
  PoolPolicy p(config(3), c, 1);
  p.tick(0);
  EXPECT_EQ(c.started.size(), 3u);
  EXPECT_EQ(ready_count(p), 0);
  c.ready(100);
  p.tick(0.1);
  EXPECT_EQ(ready_count(p), 1);
  p.tick(1.5); // silent workers count as ready after ready_after
  EXPECT_EQ(ready_count(p), 3);
}

TEST(PoolPolicy, CrashLoopBacksOffDoublingThenHalts) {
  FakeControl c;
  PoolConfig cfg = config(1);
  cfg.max_boot_failures = 3;
  PoolPolicy p(cfg, c, 1);
  p.tick(0);
  ASSERT_EQ(c.started.size(), 1u);
  p.on_exit(100, exited(1), 0.1); // crash at start-up: back-off 0.2 s
  EXPECT_NEAR(p.next_start_at(), 0.3, 1e-9);
  p.tick(0.25);
  EXPECT_EQ(c.started.size(), 1u);
  p.tick(0.31);
  ASSERT_EQ(c.started.size(), 2u);
  p.on_exit(101, exited(1), 0.4); // second: 0.4 s
  EXPECT_NEAR(p.next_start_at(), 0.8, 1e-9);
  p.tick(0.81);
  ASSERT_EQ(c.started.size(), 3u);
  p.on_exit(102, exited(1), 0.9); // third in a row: halted
  EXPECT_TRUE(p.halted());
  p.tick(100);
  EXPECT_EQ(c.started.size(), 3u);
  EXPECT_EQ(p.restarts().at("crash"), 3u);
  p.reload("SIGHUP"); // a fresh start
  EXPECT_FALSE(p.halted());
  p.tick(101);
  EXPECT_EQ(c.started.size(), 4u);
}

TEST(PoolPolicy, CannotBootExitCodeHaltsAtOnce) {
  FakeControl c;
  PoolPolicy p(config(2), c, 1);
  p.tick(0);
  p.on_exit(100, exited(3), 0.05);
  EXPECT_TRUE(p.halted());
  EXPECT_TRUE(c.got(101, SIGTERM)); // the other one is stopped
}

TEST(PoolPolicy, CrashAfterBootRespawnsWithoutBackoff) {
  FakeControl c;
  PoolPolicy p(config(1), c, 1);
  boot(p, c);
  p.on_exit(100, SIGKILL, 50); // killed by signal 9 after 50 s
  p.tick(50);
  EXPECT_EQ(c.started.size(), 2u);
  EXPECT_FALSE(p.halted());
}

TEST(PoolPolicy, FailedReloadRollsBackToTheRunningGeneration) {
  FakeControl c;
  PoolPolicy p(config(2), c, 1);
  boot(p, c);
  ASSERT_EQ(ready_count(p), 2);
  p.reload("SIGHUP");
  EXPECT_EQ(p.generation(), 2);
  p.tick(1); // stagger 1: one new worker at a time
  ASSERT_EQ(c.started.size(), 3u);
  EXPECT_EQ(c.started[2].generation, 2);
  p.on_exit(102, exited(4), 1.1); // the new generation cannot load the app
  EXPECT_FALSE(p.halted());
  EXPECT_EQ(p.generation(), 1);
  p.tick(2);
  EXPECT_EQ(c.started.size(), 3u); // nothing more started
  EXPECT_EQ(pids(p), (std::set<pid_t>{100, 101}));
  EXPECT_TRUE(c.signals.empty()); // the old workers were never signalled
  for (const Worker& w : p.workers())
    EXPECT_FALSE(w.doomed);
}

TEST(PoolPolicy, ReloadRetiresOldWorkersOnlyOnceNewOnesAreReady) {
  FakeControl c;
  PoolPolicy p(config(2), c, 1);
  boot(p, c);
  p.reload("SIGHUP");
  p.tick(1);
  ASSERT_EQ(c.started.size(), 3u);
  EXPECT_TRUE(c.signals.empty()); // the new one is still booting
  c.ready(102);
  p.tick(1.1);
  EXPECT_TRUE(c.got(100, SIGTERM));  // the oldest goes
  EXPECT_FALSE(c.got(101, SIGTERM)); // one at a time
  EXPECT_GE(ready_count(p), 2);
  p.on_exit(100, 0, 1.2);
  p.tick(1.3);
  ASSERT_EQ(c.started.size(), 4u);
  c.ready(103);
  p.tick(1.4);
  EXPECT_TRUE(c.got(101, SIGTERM));
  p.on_exit(101, 0, 1.5);
  EXPECT_EQ(pids(p), (std::set<pid_t>{102, 103}));
  EXPECT_EQ(p.restarts().at("reload"), 2u);
}

TEST(PoolPolicy, ScalingStepsAndClamps) {
  FakeControl c;
  PoolPolicy p(config(2), c, 1);
  boot(p, c);
  EXPECT_EQ(p.scale_by(+1), 3); // SIGTTIN
  p.tick(1);
  EXPECT_EQ(c.started.size(), 3u);
  c.ready(102);
  p.tick(1.1);
  EXPECT_EQ(p.scale_by(-2), 1); // two TTOUs
  p.tick(1.2);
  EXPECT_TRUE(c.got(100, SIGTERM)); // the oldest surplus workers go
  EXPECT_TRUE(c.got(101, SIGTERM));
  EXPECT_FALSE(c.got(102, SIGTERM));
  EXPECT_EQ(p.restarts().count("scale-down"), 0u); // counted when they exit
  p.on_exit(100, 0, 1.3);
  EXPECT_EQ(p.restarts().at("scale-down"), 1u);
  EXPECT_EQ(p.scale_to(0), 1);
  EXPECT_EQ(p.scale_to(1000), p.max_target());
}

TEST(PoolPolicy, AutoscaleUpWhenAllBusyDownWhenIdle) {
  FakeControl c;
  PoolConfig cfg = config(1);
  cfg.min_workers = 1;
  cfg.max_workers = 3;
  PoolPolicy p(cfg, c, 1);
  boot(p, c);
  c.reports[100].busy = 1;
  p.tick(2);
  EXPECT_EQ(p.target(), 2);
  EXPECT_EQ(c.started.size(), 2u);
  c.ready(101);
  c.reports[100].busy = 0;
  for (int i = 0; i < 5; ++i)
    p.tick(3 + i); // five idle checks, one a second
  EXPECT_EQ(p.target(), 1);
}

TEST(PoolPolicy, RecycleAtMaxRequestsWithJitter) {
  FakeControl c;
  PoolConfig cfg = config(8);
  cfg.max_requests = 100;
  cfg.max_requests_jitter = 50;
  PoolPolicy p(cfg, c, 42);
  boot(p, c);
  std::set<long> limits;
  for (const auto& s : c.started) {
    EXPECT_GE(s.max_requests, 100);
    EXPECT_LE(s.max_requests, 150);
    limits.insert(s.max_requests);
  }
  EXPECT_GT(limits.size(), 1u); // not all recycled together
  c.reports[100].served = static_cast<std::uint64_t>(c.started[0].max_requests);
  p.tick(1);
  ASSERT_EQ(c.started.size(), 9u); // the replacement first
  EXPECT_FALSE(c.got(100, SIGTERM));
  EXPECT_EQ(p.workers()[0].reason, "max-requests");
  c.ready(108);
  p.tick(1.1);
  EXPECT_TRUE(c.got(100, SIGTERM));
}

TEST(PoolPolicy, WorkerThatLeftAtItsMaxRequestsIsNoCrash) {
  FakeControl c;
  PoolConfig cfg = config(1);
  cfg.max_requests = 10;
  PoolPolicy p(cfg, c, 1);
  boot(p, c);
  c.reports[100].served = 10;
  p.on_exit(100, exited(0), 0.2); // it honoured FH_MAX_REQUESTS
  EXPECT_EQ(p.restarts().at("max-requests"), 1u);
  EXPECT_EQ(p.restarts().count("crash"), 0u);
  EXPECT_EQ(p.served_by_gone(), 10u);
}

TEST(PoolPolicy, HungWorkerIsKilledAfterTheTimeout) {
  FakeControl c;
  PoolConfig cfg = config(1);
  cfg.timeout = 5;
  PoolPolicy p(cfg, c, 1);
  boot(p, c);
  c.reports[100].busy = 1;
  c.reports[100].running_s = 4.9;
  p.tick(5);
  EXPECT_FALSE(c.got(100, SIGKILL));
  c.reports[100].running_s = 5.1;
  p.tick(6);
  EXPECT_TRUE(c.got(100, SIGKILL));
  EXPECT_EQ(p.workers()[0].state, WorkerState::Killed);
  p.on_exit(100, SIGKILL, 6.1);
  EXPECT_EQ(p.restarts().at("timeout"), 1u);
  p.tick(6.2);
  EXPECT_EQ(c.started.size(), 2u);
}

TEST(PoolPolicy, MaxRssRecyclesOnTheSlowTick) {
  FakeControl c;
  PoolConfig cfg = config(1);
  cfg.max_rss_mb = 100;
  PoolPolicy p(cfg, c, 1);
  boot(p, c);
  c.rss[100] = 200 * 1024;
  p.tick(2);
  EXPECT_EQ(p.workers()[0].reason.rfind("max-rss", 0), 0u);
}

TEST(PoolPolicy, GracefulStopEscalatesTermThenKill) {
  FakeControl c;
  PoolConfig cfg = config(1);
  cfg.graceful_timeout = 3;
  PoolPolicy p(cfg, c, 1);
  boot(p, c);
  p.stop(true, 10);
  EXPECT_EQ(c.signals[100], (std::vector<int>{SIGTERM}));
  p.tick(11.1); // again after 1 s (libfcgi's accept race)
  EXPECT_EQ(c.signals[100], (std::vector<int>{SIGTERM, SIGTERM}));
  p.tick(13.1);
  EXPECT_EQ(c.signals[100].back(), SIGKILL);
  p.on_exit(100, SIGKILL, 13.2);
  p.tick(14);
  EXPECT_EQ(c.started.size(), 1u); // nothing restarts while stopping
  EXPECT_EQ(p.restarts().at("stop"), 1u);
}

TEST(PoolPolicy, DaemonIsReplacedStopFirstAndBacksOffWithoutHalting) {
  FakeControl c;
  PoolConfig cfg = config(1);
  cfg.daemon = true;
  cfg.port.reset();
  cfg.max_boot_failures = 2;
  PoolPolicy p(cfg, c, 1);
  p.tick(0);
  p.tick(2);
  p.reload("SIGHUP");
  p.tick(3);
  EXPECT_TRUE(c.got(100, SIGTERM));
  EXPECT_EQ(c.started.size(), 1u); // not before the old one is gone
  p.on_exit(100, 0, 3.5);
  p.tick(3.6);
  ASSERT_EQ(c.started.size(), 2u);
  for (int i = 0; i < 4; ++i) { // quick exits: 0.2, 0.4, 0.8, 1.6 s; never halted
    double t = p.next_start_at() > 4 ? p.next_start_at() : 4;
    p.tick(t);
    pid_t pid = c.started.back().pid;
    p.on_exit(pid, exited(1), t + 0.01);
    EXPECT_NEAR(p.next_start_at() - (t + 0.01), 0.2 * (1 << i), 1e-9);
  }
  EXPECT_FALSE(p.halted());
}

TEST(PoolPolicy, StartFailureRetriesLater) {
  FakeControl c;
  c.fail_starts = true;
  PoolPolicy p(config(1), c, 1);
  p.tick(0);
  EXPECT_TRUE(p.workers().empty());
  c.fail_starts = false;
  p.tick(0.5);
  EXPECT_TRUE(p.workers().empty());
  p.tick(1.01);
  EXPECT_EQ(p.workers().size(), 1u);
}

TEST(Status, JsonAndPrometheusShowThePools) {
  MasterStatus m;
  m.pid = 7;
  PoolStatus ps;
  ps.name = "hello";
  ps.kind = "fastcgi";
  ps.listen = "127.0.0.1:9000";
  ps.target_workers = 1;
  ps.restarts["crash"] = 2;
  WorkerStatus w;
  w.pid = 42;
  w.state = WorkerState::Ready;
  w.report.threads = 4;
  w.report.busy = 1;
  w.report.uri = "/bad\xff";
  w.rss_kb = 10;
  ps.workers.push_back(w);
  m.pools.push_back(ps);
  std::string j = render_json(m);
  EXPECT_NE(j.find("\"kind\": \"fastcgi\""), std::string::npos);
  EXPECT_NE(j.find("\"busy_share\": 0.25"), std::string::npos);
  EXPECT_NE(j.find("/bad\xef\xbf\xbd"), std::string::npos) << j; // invalid UTF-8: U+FFFD
  std::string prom = render_prometheus(m);
  EXPECT_NE(prom.find("fh_spawn_threads{pool=\"hello\",state=\"idle\"} 3"), std::string::npos);
  EXPECT_NE(prom.find("fh_spawn_restarts_total{pool=\"hello\",reason=\"crash\"} 2"),
            std::string::npos);
  EXPECT_NE(prom.find("fh_spawn_worker_rss_bytes{pool=\"hello\",pid=\"42\"} 10240"),
            std::string::npos);
  EXPECT_NE(render_pool_json(ps).find("\"name\": \"hello\""), std::string::npos);
}

} // namespace
} // namespace spawn
