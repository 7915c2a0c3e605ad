// arbiter.hpp: the master. Owns the pools, the status socket and the inotify watch; runs the
// loop: wait (poll on self-pipe, worker output, control, inotify) -> dispatch signals -> tick.
#pragma once

#include "config.hpp"
#include "control.hpp"
#include "pool.hpp"
#include <fh/sys/unique_fd.hpp>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace spawn {

class Arbiter {
public:
  // Binds every pool's socket (and the control socket). Throws on any bind/config failure.
  Arbiter(SpawnConfig cfg, int argc, const char* const* argv);
  // Runs until stopped; returns the process exit status (0 after a requested stop).
  int run();

private:
  void dispatch(int sig, double now);
  void reap(double now);
  void handle_hup();
  void watch_binaries();
  void on_inotify(double now);
  // The control socket (arbiter_control.cpp): status, and the per-pool commands of spawn ctl.
  ControlServer::Reply on_control(const std::string& method, const std::string& target);
  Pool* find_pool(std::string_view name) const;
  MasterStatus snapshot() const;

  SpawnConfig cfg_;
  int argc_;
  const char* const* argv_;
  std::vector<std::unique_ptr<Pool>> pools_;
  std::unique_ptr<ControlServer> control_;
  fh::sys::UniqueFd inotify_;
  std::map<int, std::vector<Pool*>> watches_; // inotify wd -> pools whose app lives in that dir
  std::map<Pool*, double> pending_reload_;    // debounced binary-change reloads
  bool stopping_ = false;
  int exit_status_ = 0;
  double started_ = 0;
  int self_pipe_ = -1;
};

} // namespace spawn
