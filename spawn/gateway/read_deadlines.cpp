// cgi-gateway: the read deadlines of the worker threads and their watchdog (see
// read_deadlines.hpp).
#include "read_deadlines.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <utility>

namespace fh::gateway {

ReadDeadlines::ReadDeadlines(int threads) {
  for (int i = 0; i < threads; ++i)
    slots_.push_back(std::make_unique<Slot>());
}

void ReadDeadlines::arm(int thread, int fd, Clock::time_point deadline) {
  const int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
  if (copy < 0) sys::throw_errno("dup of a connection for its read deadline");
  Slot& s = *slots_.at(static_cast<std::size_t>(thread));
  std::lock_guard lock(s.mu);
  s.fd = sys::UniqueFd(copy);
  s.deadline = deadline;
  s.fired = false;
}

bool ReadDeadlines::disarm(int thread) {
  Slot& s = *slots_.at(static_cast<std::size_t>(thread));
  std::lock_guard lock(s.mu);
  s.fd.reset();
  return std::exchange(s.fired, false);
}

int ReadDeadlines::sweep(Clock::time_point now) {
  int fired = 0;
  for (auto& slot : slots_) {
    std::lock_guard lock(slot->mu);
    if (!slot->fd || slot->fired || now < slot->deadline) continue;
    ::shutdown(slot->fd.get(), SHUT_RDWR); // wakes the blocked read with end-of-stream
    slot->fired = true;
    ++fired;
  }
  return fired;
}

void ReadDeadlines::run(std::chrono::milliseconds tick) {
  std::unique_lock lock(run_mu_);
  while (!run_cv_.wait_for(lock, tick, [this] { return stopped_; }))
    sweep(Clock::now());
}

void ReadDeadlines::stop() {
  {
    std::lock_guard lock(run_mu_);
    stopped_ = true;
  }
  run_cv_.notify_all();
}

} // namespace fh::gateway
