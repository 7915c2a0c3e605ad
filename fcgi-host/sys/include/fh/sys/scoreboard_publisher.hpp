// The worker's side of the scoreboard (layout in fh/sys/worker_protocol.hpp): attaches to the
// region spawn named in the environment and publishes each thread's busy/idle state, current
// request and served count. Every call is a no-op when the process was not started by spawn.
// Used by the library's FastCGI front end and by cgi-gateway.
#pragma once

#include <fh/sys/worker_protocol.hpp>

#include <cstdint>
#include <string_view>

namespace fh::sys::worker {

// Thread-safe as long as each thread uses its own index.
class Publisher {
public:
  Publisher() = default;
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;
  ~Publisher();

  // Maps the region from FH_SCOREBOARD_FD/FH_SCOREBOARD_SLOT. Returns false (and stays a no-op)
  // when they are absent or do not describe a valid region.
  bool attach_from_env();
  bool attached() const { return slot_ != nullptr; }

  // Announces the thread count (1..kMaxThreads: callers refuse more at start), the worker's
  // kFlag* bits, and that it is ready to accept.
  void init(int thread_count, std::uint32_t flags = 0);
  // Thread `thread_index` started a request / finished it (counted as served).
  void begin(int thread_index, std::string_view method, std::string_view uri);
  void end(int thread_index);

private:
  ThreadSlot* thread(int i) const;

  void* base_ = nullptr;
  std::size_t size_ = 0;
  WorkerSlot* slot_ = nullptr;
};

} // namespace fh::sys::worker
