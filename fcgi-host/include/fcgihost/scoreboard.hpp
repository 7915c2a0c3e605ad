// fcgihost/scoreboard.hpp: the shared-memory scoreboard protocol between spawn (the master) and
// its FastCGI workers: memory layout, environment variable names, and the small Publisher a worker
// uses to report per-thread state. Not responsible for creating the region (spawn does that).
#pragma once

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <string>
#include <string_view>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fh::scoreboard {

// How spawn names the region to a worker: an inherited fd (memfd, survives exec) and a slot index.
inline constexpr const char* kEnvFd = "FH_SCOREBOARD_FD";
inline constexpr const char* kEnvSlot = "FH_SCOREBOARD_SLOT";

inline constexpr std::uint32_t kMagic = 0x46485342; // "FHSB"
inline constexpr std::uint32_t kVersion = 1;
inline constexpr int kMaxThreads = 32;         // threads past this one are not published
inline constexpr std::size_t kMethodWords = 2; // 16 bytes of method
inline constexpr std::size_t kUriWords = 32;   // 256 bytes of URI (truncated)

enum ThreadState : std::uint32_t { kIdle = 0, kBusy = 1 };

// WorkerSlot::flags bits, published by the worker before ready=1 (0 from workers that predate
// them, as the master zeroes the slot).
// kFlagLeaderFollower: every thread of the worker waits on one epoll set holding the listen socket
// and the idle kept-alive connections, so nginx keep-alive (fastcgi_keep_conn on) cannot pin it.
inline constexpr std::uint32_t kFlagLeaderFollower = 1u;

// One worker thread. Written only by that thread; read by the master. method/uri are guarded by a
// seqlock (seq odd while being written) and stored as relaxed atomic words, so no data race.
struct ThreadSlot {
  std::atomic<std::uint32_t> state;
  std::atomic<std::uint32_t> seq;
  std::atomic<std::uint64_t> served;    // requests finished by this thread
  std::atomic<std::int64_t> started_ms; // CLOCK_MONOTONIC ms when the current request began
  std::atomic<std::uint64_t> method[kMethodWords];
  std::atomic<std::uint64_t> uri[kUriWords];
};

// One worker process. The master zeroes it and sets pid before fork; the worker sets threads and
// flags and then ready=1 once it is about to accept.
struct WorkerSlot {
  std::atomic<std::int32_t> pid;
  std::atomic<std::uint32_t> ready;
  std::atomic<std::uint32_t> threads;
  std::atomic<std::uint32_t> flags; // kFlag* bits (was reserved, always 0: same layout)
  ThreadSlot thread[kMaxThreads];
};

struct Header {
  std::uint32_t magic;
  std::uint32_t version;
  std::uint32_t slot_count;
  std::uint32_t slot_size; // sizeof(WorkerSlot), checked by the worker
  std::uint8_t pad[48];
};

static_assert(std::atomic<std::uint64_t>::is_always_lock_free);
static_assert(std::atomic<std::int64_t>::is_always_lock_free);
static_assert(sizeof(Header) == 64);

inline std::size_t region_size(std::uint32_t slots) {
  return sizeof(Header) + std::size_t{slots} * sizeof(WorkerSlot);
}
inline WorkerSlot* slot_at(void* base, std::uint32_t i) {
  return reinterpret_cast<WorkerSlot*>(static_cast<char*>(base) + sizeof(Header)) + i;
}

inline std::int64_t monotonic_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1000000;
}

// Copies s into words (truncated, NUL padded) with relaxed stores.
template <std::size_t N>
void store_text(std::atomic<std::uint64_t> (&words)[N], std::string_view s) {
  for (std::size_t w = 0; w < N; ++w) {
    std::uint64_t v = 0;
    for (std::size_t b = 0; b < 8; ++b) {
      std::size_t i = w * 8 + b;
      if (i < s.size() && i + 1 < N * 8)
        v |= std::uint64_t{static_cast<unsigned char>(s[i])} << (8 * b);
    }
    words[w].store(v, std::memory_order_relaxed);
  }
}

template <std::size_t N> std::string load_text(const std::atomic<std::uint64_t> (&words)[N]) {
  std::string s;
  for (std::size_t w = 0; w < N; ++w) {
    std::uint64_t v = words[w].load(std::memory_order_relaxed);
    for (std::size_t b = 0; b < 8; ++b) {
      char c = static_cast<char>((v >> (8 * b)) & 0xff);
      if (c == '\0') return s;
      s.push_back(c);
    }
  }
  return s;
}

// Reads a thread's method and URI consistently (seqlock reader; gives up after a few tries).
inline void read_request(const ThreadSlot& t, std::string& method, std::string& uri) {
  for (int attempt = 0; attempt < 8; ++attempt) {
    std::uint32_t s1 = t.seq.load(std::memory_order_acquire);
    if (s1 & 1u) continue;
    method = load_text(t.method);
    uri = load_text(t.uri);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (t.seq.load(std::memory_order_relaxed) == s1) return;
  }
}

// The worker side. Attaches to the region named by the environment; every call is a no-op when
// the process was not started by spawn. Thread-safe as long as each thread uses its own index.
class Publisher {
public:
  Publisher() = default;
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;
  ~Publisher() {
    if (base_ != nullptr) munmap(base_, size_);
  }

  // Maps the region from FH_SCOREBOARD_FD/FH_SCOREBOARD_SLOT. Returns false (and stays a no-op)
  // when they are absent or do not describe a valid region.
  bool attach_from_env() {
    const char* fd_s = std::getenv(kEnvFd);
    const char* slot_s = std::getenv(kEnvSlot);
    if (fd_s == nullptr || slot_s == nullptr) return false;
    int fd = std::atoi(fd_s);
    long slot = std::atol(slot_s);
    struct stat st {};
    if (fd < 0 || slot < 0 || fstat(fd, &st) != 0 ||
        st.st_size < static_cast<off_t>(sizeof(Header)))
      return false;
    void* p = mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ | PROT_WRITE,
                   MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) return false;
    const auto* h = static_cast<const Header*>(p);
    if (h->magic != kMagic || h->version != kVersion || h->slot_size != sizeof(WorkerSlot) ||
        static_cast<std::uint32_t>(slot) >= h->slot_count ||
        region_size(h->slot_count) > static_cast<std::size_t>(st.st_size)) {
      munmap(p, static_cast<std::size_t>(st.st_size));
      return false;
    }
    base_ = p;
    size_ = static_cast<std::size_t>(st.st_size);
    slot_ = slot_at(p, static_cast<std::uint32_t>(slot));
    close(fd); // the mapping stays; the fd is not needed by the app
    return true;
  }

  bool attached() const { return slot_ != nullptr; }

  // Announces the thread count, the worker's kFlag* bits, and that it is ready to accept.
  void init(int thread_count, std::uint32_t flags = 0) {
    if (slot_ == nullptr) return;
    slot_->pid.store(static_cast<std::int32_t>(getpid()), std::memory_order_relaxed);
    int n = thread_count < 1 ? 1 : (thread_count > kMaxThreads ? kMaxThreads : thread_count);
    slot_->threads.store(static_cast<std::uint32_t>(n), std::memory_order_relaxed);
    slot_->flags.store(flags, std::memory_order_relaxed);
    slot_->ready.store(1, std::memory_order_release);
  }

  void begin(int thread_index, std::string_view method, std::string_view uri) {
    ThreadSlot* t = thread(thread_index);
    if (t == nullptr) return;
    std::uint32_t s = t->seq.load(std::memory_order_relaxed);
    t->seq.store(s + 1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
    store_text(t->method, method);
    store_text(t->uri, uri);
    t->seq.store(s + 2, std::memory_order_release);
    t->started_ms.store(monotonic_ms(), std::memory_order_relaxed);
    t->state.store(kBusy, std::memory_order_release);
  }

  void end(int thread_index) {
    ThreadSlot* t = thread(thread_index);
    if (t == nullptr) return;
    t->served.fetch_add(1, std::memory_order_relaxed);
    t->state.store(kIdle, std::memory_order_release);
  }

private:
  ThreadSlot* thread(int i) const {
    if (slot_ == nullptr || i < 0 || i >= kMaxThreads) return nullptr;
    return &slot_->thread[i];
  }

  void* base_ = nullptr;
  std::size_t size_ = 0;
  WorkerSlot* slot_ = nullptr;
};

} // namespace fh::scoreboard
