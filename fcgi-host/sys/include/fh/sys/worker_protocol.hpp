// The spawn <-> worker protocol, in one place: what spawn passes to a worker it starts (the
// environment, the scoreboard at fd 3), what a worker's exit code tells spawn, and the layout of
// the shared-memory scoreboard the worker publishes its per-thread state in. The worker side of
// the scoreboard is fh/sys/scoreboard_publisher.hpp; spawn's side is spawn/src/scoreboard.*.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

namespace fh::sys::worker {

// ---- environment spawn sets for every worker ------------------------------------------------
// The scoreboard: an inherited memfd (kScoreboardFd, survives exec) and this worker's slot.
inline constexpr const char* kEnvScoreboardFd = "FH_SCOREBOARD_FD";
inline constexpr const char* kEnvScoreboardSlot = "FH_SCOREBOARD_SLOT";
inline constexpr int kScoreboardFd = 3;
// Leave after this many requests (spawn's --max-requests with its jitter applied); a flag on the
// worker's command line wins.
inline constexpr const char* kEnvMaxRequests = "FH_MAX_REQUESTS";
// Answer 503 at once to a request nginx queued longer than this many ms (spawn's
// --max-queue-wait); a flag on the worker's command line wins.
inline constexpr const char* kEnvMaxQueueWait = "FH_MAX_QUEUE_WAIT";

// ---- exit codes ------------------------------------------------------------------------------
// A worker that exits with one of these "cannot boot": spawn halts the pool (reporting why)
// instead of respawning it in a loop, as gunicorn's arbiter does with its WORKER_BOOT_ERROR and
// APP_LOAD_ERROR.
inline constexpr int kExitBootError =
    3; // the worker itself cannot start (options, socket, threads)
inline constexpr int kExitAppLoadError = 4; // the app cannot load (make_app() threw)
inline constexpr int kExitExecFailed =
    127; // spawn's child could not exec the worker (the shell's 127)

constexpr bool is_boot_failure_exit(int code) noexcept {
  return code == kExitBootError || code == kExitAppLoadError || code == kExitExecFailed;
}

// ---- the scoreboard --------------------------------------------------------------------------
// A header, then one WorkerSlot per worker slot of the pool. Every field is a lock-free atomic:
// the worker writes its own slot (each thread its own ThreadSlot), the master reads.
inline constexpr std::uint32_t kMagic = 0x46485342; // "FHSB"
inline constexpr std::uint32_t kVersion = 1;
// Threads a worker can publish. A worker refuses --threads above it (kExitBootError): a thread
// the scoreboard cannot show would be invisible to spawn's status and to its --timeout.
inline constexpr int kMaxThreads = 32;
inline constexpr std::size_t kMethodWords = 2; // 16 bytes of method
inline constexpr std::size_t kUriWords = 32;   // 256 bytes of URI (truncated)

enum ThreadState : std::uint32_t { kIdle = 0, kBusy = 1 };

// WorkerSlot::flags bits, published by the worker before ready=1 (0 from workers that predate
// them, as the master zeroes the slot).
// kFlagLeaderFollower: every thread of the worker waits on one epoll set holding the listen socket
// and the idle kept-alive connections, so nginx keep-alive (fastcgi_keep_conn on) cannot pin it.
inline constexpr std::uint32_t kFlagLeaderFollower = 1U;

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
  std::atomic<std::uint32_t> flags; // kFlag* bits
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

// CLOCK_MONOTONIC in milliseconds: the clock of ThreadSlot::started_ms.
inline std::int64_t monotonic_ms() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1000000;
}

inline std::size_t region_size(std::uint32_t slots) {
  return sizeof(Header) + std::size_t{slots} * sizeof(WorkerSlot);
}
inline WorkerSlot* slot_at(void* base, std::uint32_t i) {
  return reinterpret_cast<WorkerSlot*>(static_cast<char*>(base) + sizeof(Header)) + i;
}

// Copies s into words (truncated, NUL padded) with relaxed stores.
template <std::size_t N>
void store_text(std::atomic<std::uint64_t> (&words)[N], std::string_view s) {
  for (std::size_t w = 0; w < N; ++w) {
    std::uint64_t v = 0;
    for (std::size_t b = 0; b < 8; ++b) {
      const std::size_t i = w * 8 + b;
      if (i < s.size() && i + 1 < N * 8)
        v |= std::uint64_t{static_cast<unsigned char>(s[i])} << (8 * b);
    }
    words[w].store(v, std::memory_order_relaxed);
  }
}

template <std::size_t N> std::string load_text(const std::atomic<std::uint64_t> (&words)[N]) {
  std::string s;
  for (std::size_t w = 0; w < N; ++w) {
    const std::uint64_t v = words[w].load(std::memory_order_relaxed);
    for (std::size_t b = 0; b < 8; ++b) {
      const auto c = static_cast<char>((v >> (8 * b)) & 0xff);
      if (c == '\0') return s;
      s.push_back(c);
    }
  }
  return s;
}

// Reads a thread's method and URI consistently (seqlock reader; gives up after a few tries).
inline void read_request(const ThreadSlot& t, std::string& method, std::string& uri) {
  for (int attempt = 0; attempt < 8; ++attempt) {
    const std::uint32_t s1 = t.seq.load(std::memory_order_acquire);
    if ((s1 & 1U) != 0) continue;
    method = load_text(t.method);
    uri = load_text(t.uri);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (t.seq.load(std::memory_order_relaxed) == s1) return;
  }
}

} // namespace fh::sys::worker
