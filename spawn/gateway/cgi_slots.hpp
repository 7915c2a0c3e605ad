// cgi-gateway: CgiSlots, the limit on concurrently running CGI processes in one gateway
// process (--max-cgi). A counting semaphore with a bounded wait; Slot is its RAII permit.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace fh::gateway {

class CgiSlots {
public:
  explicit CgiSlots(int max) : free_(max) {}

  // A held permit; releases on destruction. Empty (false) if the wait timed out.
  class Slot {
  public:
    Slot() = default;
    explicit Slot(CgiSlots* owner) : owner_(owner) {}
    Slot(Slot&& o) noexcept : owner_(o.owner_) { o.owner_ = nullptr; }
    Slot& operator=(Slot&&) = delete;
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    ~Slot() {
      if (owner_) owner_->release();
    }
    explicit operator bool() const { return owner_ != nullptr; }

  private:
    CgiSlots* owner_ = nullptr;
  };

  // Waits up to `timeout` for a free slot.
  Slot acquire(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, timeout, [this] { return free_ > 0; })) return Slot();
    --free_;
    return Slot(this);
  }

private:
  void release() {
    {
      std::lock_guard lock(mu_);
      ++free_;
    }
    cv_.notify_one();
  }
  std::mutex mu_;
  std::condition_variable cv_;
  int free_;
};

} // namespace fh::gateway
