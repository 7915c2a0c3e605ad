// The FastCGI worker's connection loop. Every thread of the process waits on one shared epoll
// set that holds the listen socket and every connection (leader/follower; with one thread, the
// default, simply an event loop that takes every ready connection per wake-up). Connections are
// non-blocking and owned by the loop, not by a thread: the thread that wakes for a connection
// reads what has arrived into that connection's protocol parser (io/fcgi_protocol.hpp), and only
// when a request is complete does it serve it, write the answer and re-arm the connection. So a
// peer that stalls mid-request, an idle kept-alive connection (nginx fastcgi_keep_conn on) or a
// slow reader never holds a thread; a sweep closes what passes its deadline.
#pragma once

#include "fcgihost/app.hpp"
#include "io/fcgi_protocol.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace fh::detail {

struct LoopOptions {
  int listen_fd = 0;
  int threads = 1;            // request threads that call run() (answered to FCGI_GET_VALUES)
  long max_requests = 0;      // leave after this many requests (0: never)
  long max_queue_wait_ms = 0; // answer 503 at once when nginx's FH_REQUEST_START is older (0: off)
  // A request must arrive whole (and an answer be taken by the peer) within this long of its
  // first byte; a new connection must start its first request within it. Then: closed, not run.
  std::chrono::milliseconds read_timeout{10'000};
  // A kept connection with no request in progress is closed after this long.
  std::chrono::milliseconds idle_timeout{60'000};
};

class ConnectionLoop {
public:
  // Makes the listen socket non-blocking and registers it. Throws std::system_error.
  ConnectionLoop(const App& app, LoopOptions options);
  ~ConnectionLoop(); // closes the epoll set and every connection still held
  ConnectionLoop(const ConnectionLoop&) = delete;
  ConnectionLoop& operator=(const ConnectionLoop&) = delete;

  // One thread's loop. Once `stopping` is set (and wake() called, or within a tick), the loop
  // stops accepting, answers every request it holds or that is still arriving on a connection
  // it accepted, closes idle connections, and returns when it holds none. Reaching
  // max_requests sets `stopping` itself.
  void run(int thread_index, std::atomic<bool>& stopping);
  // Wakes every thread waiting in the loop (an eventfd in the epoll set): no signal interrupts a
  // thread in the middle of a request.
  void wake() noexcept;

private:
  struct Conn;
  using Clock = std::chrono::steady_clock;

  Conn* accept_one();          // a new connection, busy for the caller to drive; nullptr if none
  void pause_accept(int err);  // EMFILE & co.: out of the epoll set until fds free up
  void resume_accept_locked(); // with mu_ held
  int close_idle_for_fds_locked(); // with mu_ held: frees fds held by idle kept connections
  Conn* take(std::uint64_t key);   // marks the connection busy for this thread, or nullptr
  void drive(Conn& c, int thread_index, std::atomic<bool>& stopping);
  bool flush(Conn& c); // false: the connection failed
  void serve(Conn& c, FcgiRequest req, int thread_index);
  void park(Conn& c, bool want_write, bool stopping);
  std::uint32_t events_for(bool want_write) const noexcept; // a parked connection's epoll events
  void close_conn(Conn& c, const char* why);
  void close_locked(std::unordered_map<int, std::unique_ptr<Conn>>::iterator it);
  void sweep(bool stopping);
  void begin_stop();

  const App& app_;
  LoopOptions opt_;
  FcgiLimits limits_;
  int epfd_ = -1;
  int wake_fd_ = -1;
  std::atomic<long> served_{0};
  std::atomic<std::int64_t> next_sweep_ms_{0};

  std::mutex mu_; // guards everything below
  std::unordered_map<int, std::unique_ptr<Conn>> conns_;
  std::uint32_t next_gen_ = 1;
  bool accept_paused_ = false;
  bool stop_begun_ = false;
  Clock::time_point paused_at_{};
  Clock::time_point last_emfile_log_{};
  long emfile_count_ = 0;
};

} // namespace fh::detail
