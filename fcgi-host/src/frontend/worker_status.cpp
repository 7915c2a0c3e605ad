// worker_status.cpp: the FastCGI worker's side of spawn's scoreboard. Attaches to the shared
// region named by FH_SCOREBOARD_FD/FH_SCOREBOARD_SLOT (set by spawn) and publishes per-thread
// idle/busy state, the current request and the served count. A no-op when not run by spawn.
#include "frontend/worker_status.hpp"

#include <fh/sys/scoreboard_publisher.hpp>

namespace fh::detail {
namespace {

// The process's one publisher: written once by worker_status_init (before any worker thread
// starts), then only read; each thread touches only its own ThreadSlot.
sys::worker::Publisher& publisher() {
  static sys::worker::Publisher p;
  return p;
}

} // namespace

void worker_status_init(int thread_count) {
  sys::worker::Publisher& p = publisher();
  if (!p.attached() && !p.attach_from_env()) return;
  // The library's FastCGI loop (fcgi_loop.cpp) is leader/follower: say so, so that spawn can
  // tell a pool that is safe behind nginx keep-alive from a plain libfcgi one.
  p.init(thread_count, sys::worker::kFlagLeaderFollower);
}

void worker_status_begin(int thread_index, std::string_view method, std::string_view uri) {
  publisher().begin(thread_index, method, uri);
}

void worker_status_end(int thread_index) {
  publisher().end(thread_index);
}

} // namespace fh::detail
