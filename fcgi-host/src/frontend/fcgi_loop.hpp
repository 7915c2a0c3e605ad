// The FastCGI worker's request loop, leader/follower style: every thread of the process waits on
// one shared epoll set that holds the listen socket and every idle kept-alive connection. The
// thread that wakes accepts (or takes the ready connection), serves one request through libfcgi,
// re-arms the connection if nginx keeps it, and waits again. So nginx keep-alive
// (fastcgi_keep_conn on) never pins a thread to an idle connection (DESIGN.md, measured).
#pragma once

#include "fcgihost/app.hpp"

#include <atomic>
#include <mutex>
#include <set>

namespace fh::detail {

struct LoopOptions {
  int listen_fd = 0;
  long max_requests = 0;      // leave after this many requests (0: never)
  long max_queue_wait_ms = 0; // answer 503 at once when nginx's FH_REQUEST_START is older (0: off)
};

class ConnectionLoop {
public:
  // Makes the listen socket non-blocking and registers it. Call FCGX_Init() before.
  ConnectionLoop(const App& app, LoopOptions options);
  ~ConnectionLoop(); // closes the epoll set and the idle kept connections
  ConnectionLoop(const ConnectionLoop&) = delete;
  ConnectionLoop& operator=(const ConnectionLoop&) = delete;

  // One thread's loop; returns once `stopping` is set and wake() called (or within half a
  // second of `stopping`), after serving requests already waiting on kept connections; or when
  // max_requests is reached (which then sets `stopping` and wakes everyone).
  void run(int thread_index, std::atomic<bool>& stopping);
  // Wakes every thread waiting in the loop (an eventfd in the epoll set): no signal interrupts a
  // thread in the middle of a request (libfcgi does not retry a read or write after EINTR).
  void wake() noexcept;

private:
  int next_connection(std::atomic<bool>& stopping);
  int ready_kept_connection(); // while stopping: a kept connection that already has a request
  void park(int fd);           // into the epoll set until readable (new or kept connection)

  const App& app_;
  LoopOptions opt_;
  int epfd_ = -1;
  int wake_fd_ = -1;
  std::atomic<long> served_{0};
  std::mutex idle_mutex_;
  std::set<int> idle_; // kept connections currently parked in the epoll set
};

} // namespace fh::detail
