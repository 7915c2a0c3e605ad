// scoreboard.cpp: memfd creation, slot allocation and the master's consistent reads of a slot.
#include "scoreboard.hpp"

#include <cstring>
#include <new>
#include <sys/mman.h>

namespace spawn {

namespace sb = fh::sys::worker;

Scoreboard::Scoreboard(const std::string& name, std::uint32_t slots) : used_(slots, false) {
  fd_ = fh::sys::UniqueFd(::memfd_create(("fh-scoreboard-" + name).c_str(), MFD_CLOEXEC));
  if (!fd_) fh::sys::throw_errno("memfd_create scoreboard " + name);
  size_ = sb::region_size(slots);
  if (::ftruncate(fd_.get(), static_cast<off_t>(size_)) != 0)
    fh::sys::throw_errno("ftruncate scoreboard " + name);
  base_ = ::mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_.get(), 0);
  if (base_ == MAP_FAILED) {
    base_ = nullptr;
    fh::sys::throw_errno("mmap scoreboard " + name);
  }
  auto* h = static_cast<sb::Header*>(base_);
  h->magic = sb::kMagic;
  h->version = sb::kVersion;
  h->slot_count = slots;
  h->slot_size = sizeof(sb::WorkerSlot);
  for (std::uint32_t i = 0; i < slots; ++i)
    new (sb::slot_at(base_, i)) sb::WorkerSlot{};
}

Scoreboard::~Scoreboard() {
  if (base_ != nullptr) ::munmap(base_, size_);
}

int Scoreboard::acquire() {
  for (std::size_t i = 0; i < used_.size(); ++i) {
    if (used_[i]) continue;
    used_[i] = true;
    new (sb::slot_at(base_, static_cast<std::uint32_t>(i))) sb::WorkerSlot{};
    return static_cast<int>(i);
  }
  return -1;
}

void Scoreboard::set_pid(int slot, int pid) {
  sb::slot_at(base_, static_cast<std::uint32_t>(slot))->pid.store(pid, std::memory_order_relaxed);
}

void Scoreboard::release(int slot) {
  if (slot >= 0 && static_cast<std::size_t>(slot) < used_.size())
    used_[static_cast<std::size_t>(slot)] = false;
}

WorkerView Scoreboard::view(int slot) const {
  WorkerView v;
  if (slot < 0) return v;
  const sb::WorkerSlot* w = sb::slot_at(base_, static_cast<std::uint32_t>(slot));
  v.ready = w->ready.load(std::memory_order_acquire) != 0;
  v.threads = static_cast<int>(w->threads.load(std::memory_order_relaxed));
  v.flags = w->flags.load(std::memory_order_relaxed);
  if (v.threads > sb::kMaxThreads) v.threads = sb::kMaxThreads;
  for (int i = 0; i < v.threads; ++i) {
    const sb::ThreadSlot& t = w->thread[i];
    v.served += t.served.load(std::memory_order_relaxed);
    if (t.state.load(std::memory_order_acquire) != sb::kBusy) continue;
    ++v.busy;
    std::int64_t started = t.started_ms.load(std::memory_order_relaxed);
    if (v.oldest_started_ms == 0 || started < v.oldest_started_ms) {
      v.oldest_started_ms = started;
      sb::read_request(t, v.method, v.uri);
    }
  }
  return v;
}

} // namespace spawn
