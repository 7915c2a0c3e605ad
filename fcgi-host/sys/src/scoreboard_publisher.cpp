// The worker's side of the scoreboard (see fh/sys/scoreboard_publisher.hpp): attaching to the
// region spawn named in the environment and publishing each thread's state, request and count.
#include <fh/sys/scoreboard_publisher.hpp>

#include <cstdlib>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fh::sys::worker {

Publisher::~Publisher() {
  if (base_ != nullptr) ::munmap(base_, size_);
}

bool Publisher::attach_from_env() {
  const char* fd_s = std::getenv(kEnvScoreboardFd);
  const char* slot_s = std::getenv(kEnvScoreboardSlot);
  if (fd_s == nullptr || slot_s == nullptr) return false;
  const int fd = std::atoi(fd_s);
  const long slot = std::atol(slot_s);
  struct stat st {};
  if (fd < 0 || slot < 0 || ::fstat(fd, &st) != 0 ||
      st.st_size < static_cast<off_t>(sizeof(Header)))
    return false;
  const auto size = static_cast<std::size_t>(st.st_size);
  void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return false;
  const auto* h = static_cast<const Header*>(p);
  if (h->magic != kMagic || h->version != kVersion || h->slot_size != sizeof(WorkerSlot) ||
      static_cast<std::uint32_t>(slot) >= h->slot_count || region_size(h->slot_count) > size) {
    ::munmap(p, size);
    return false;
  }
  base_ = p;
  size_ = size;
  slot_ = slot_at(p, static_cast<std::uint32_t>(slot));
  ::close(fd); // the mapping stays; the fd is not needed by the app
  return true;
}

void Publisher::init(int thread_count, std::uint32_t flags) {
  if (slot_ == nullptr) return;
  slot_->pid.store(static_cast<std::int32_t>(::getpid()), std::memory_order_relaxed);
  const int n = thread_count < 1 ? 1 : (thread_count > kMaxThreads ? kMaxThreads : thread_count);
  slot_->threads.store(static_cast<std::uint32_t>(n), std::memory_order_relaxed);
  slot_->flags.store(flags, std::memory_order_relaxed);
  slot_->ready.store(1, std::memory_order_release);
}

void Publisher::begin(int thread_index, std::string_view method, std::string_view uri) {
  ThreadSlot* t = thread(thread_index);
  if (t == nullptr) return;
  const std::uint32_t s = t->seq.load(std::memory_order_relaxed);
  t->seq.store(s + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  store_text(t->method, method);
  store_text(t->uri, uri);
  t->seq.store(s + 2, std::memory_order_release);
  t->started_ms.store(monotonic_ms(), std::memory_order_relaxed);
  t->state.store(kBusy, std::memory_order_release);
}

void Publisher::end(int thread_index) {
  ThreadSlot* t = thread(thread_index);
  if (t == nullptr) return;
  t->served.fetch_add(1, std::memory_order_relaxed);
  t->state.store(kIdle, std::memory_order_release);
}

ThreadSlot* Publisher::thread(int i) const {
  if (slot_ == nullptr || i < 0 || i >= kMaxThreads) return nullptr;
  return &slot_->thread[i];
}

} // namespace fh::sys::worker
