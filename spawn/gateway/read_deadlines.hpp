// cgi-gateway: bounds how long a peer may take to send a whole request. libfcgi reads with
// blocking calls, so each worker thread registers the connection it is reading and one watchdog
// shuts down (SHUT_RDWR) any connection past its deadline: libfcgi's read then ends with
// end-of-stream and the thread is free again. A stalled peer holds a thread --read-timeout at most.
#pragma once

#include <fh/sys/error.hpp>
#include <fh/sys/unique_fd.hpp>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

namespace fh::gateway {

class ReadDeadlines {
public:
  using Clock = std::chrono::steady_clock;
  explicit ReadDeadlines(int threads);

  // Thread `thread` starts reading connection `fd`, due whole by `deadline`. The slot keeps its
  // own dup of the socket, so the watchdog never touches an fd number libfcgi closed and the
  // kernel gave to another connection. Throws std::system_error if dup fails.
  void arm(int thread, int fd, Clock::time_point deadline);
  // The request has arrived whole (or the connection is gone): stop watching. True if the
  // deadline passed first and the connection was shut down: the request must not run.
  bool disarm(int thread);
  // Shuts down every armed connection whose deadline is <= now; returns how many.
  int sweep(Clock::time_point now);
  // The watchdog: sweeps every `tick` until stop(). Runs until the workers are done (a stopping
  // gateway finishes its requests, and a stalled one among them must still time out).
  void run(std::chrono::milliseconds tick);
  void stop();

private:
  struct Slot {
    std::mutex mu;
    sys::UniqueFd fd; // a dup of the connection being read; empty when not armed
    Clock::time_point deadline{};
    bool fired = false;
  };
  std::vector<std::unique_ptr<Slot>> slots_;
  std::mutex run_mu_;
  std::condition_variable run_cv_;
  bool stopped_ = false;
};

} // namespace fh::gateway
