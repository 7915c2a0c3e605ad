// Per-minute, per-site aggregates of parsed lines (requests, malformed, status classes, bytes,
// latency histogram, path and client counts), built in memory for one batch.
#pragma once

#include "logline.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace tw {

// Upper bounds (ms, inclusive) of the latency buckets; one more bucket holds everything above.
inline constexpr std::array<std::uint32_t, 13> kLatencyBoundsMs = {
    1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000};
inline constexpr std::size_t kLatencyBuckets = kLatencyBoundsMs.size() + 1;
using LatencyHistogram = std::array<std::uint64_t, kLatencyBuckets>;

std::size_t latency_bucket(std::uint32_t ms) noexcept;
// The q-quantile (0 < q <= 1) of the histogram as the upper bound of the bucket that holds it;
// the overflow bucket reports twice the last bound. 0 for an empty histogram.
double latency_quantile_ms(const LatencyHistogram& h, double q) noexcept;

// Adds without wrapping: totals stay in SQLite's signed 64-bit integers.
inline std::uint64_t add_saturated(std::uint64_t a, std::uint64_t b) noexcept {
  constexpr std::uint64_t kMax = 0x7fffffffffffffffULL;
  return (a >= kMax || b >= kMax - a) ? kMax : a + b;
}

// Hash and equality that take string_view, so that counting a path allocates only when the
// path is new to the batch.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};
using CountMap = std::unordered_map<std::string, std::uint64_t, StringHash, std::equal_to<>>;

struct MinuteStats {
  std::uint64_t requests = 0, malformed = 0, bytes = 0;
  std::uint64_t latency_ms = 0;          // the sum of $request_time
  std::array<std::uint64_t, 6> status{}; // 0xx .. 5xx
  LatencyHistogram latency{};
  CountMap paths, addrs;
};

// The aggregates of one batch, keyed by (site, minute start in unix seconds).
class Batch {
public:
  void add(const std::string& site, const LogLine& line);
  void add_malformed(const std::string& site, std::int64_t time);
  bool empty() const noexcept { return minutes_.empty(); }
  std::uint64_t lines() const noexcept { return lines_; }
  void clear();
  const std::map<std::pair<std::string, std::int64_t>, MinuteStats>& minutes() const noexcept {
    return minutes_;
  }

private:
  MinuteStats& at(const std::string& site, std::int64_t minute);

  std::map<std::pair<std::string, std::int64_t>, MinuteStats> minutes_;
  std::uint64_t lines_ = 0;
  // The last minute used: consecutive lines almost always share it.
  const std::string* last_site_ = nullptr;
  std::int64_t last_minute_ = 0;
  MinuteStats* last_ = nullptr;
};

inline std::int64_t minute_of(std::int64_t t) noexcept {
  return t >= 0 ? t - t % 60 : t - ((t % 60) + 60) % 60;
}

} // namespace tw
