// scoreboard.hpp: the master side of the shared scoreboard (layout: fh/sys/worker_protocol.hpp):
// one memfd per pool, mapped before any fork and handed to each worker at fd 3 with its slot index.
#pragma once

#include <fh/sys/unique_fd.hpp>

#include <cstdint>
#include <fh/sys/worker_protocol.hpp>
#include <string>
#include <vector>

namespace spawn {

// What the master reads about one worker from its slot.
struct WorkerView {
  bool ready = false;
  int threads = 0;         // 0: the worker does not publish
  std::uint32_t flags = 0; // fh::sys::worker::kFlag* bits the worker announced
  int busy = 0;
  std::uint64_t served = 0;
  // The longest-running busy thread, if any.
  std::int64_t oldest_started_ms = 0;
  std::string method, uri;
};

class Scoreboard {
public:
  // Creates and maps a region of `slots` worker slots. Throws std::system_error.
  Scoreboard(const std::string& name, std::uint32_t slots);
  Scoreboard(const Scoreboard&) = delete;
  Scoreboard& operator=(const Scoreboard&) = delete;
  ~Scoreboard();

  int fd() const { return fd_.get(); }
  // A free slot, zeroed and marked with pid 0; -1 when all are taken.
  int acquire();
  void set_pid(int slot, int pid);
  void release(int slot);
  WorkerView view(int slot) const;

private:
  fh::sys::UniqueFd fd_;
  void* base_ = nullptr;
  std::size_t size_ = 0;
  std::vector<bool> used_;
};

} // namespace spawn
