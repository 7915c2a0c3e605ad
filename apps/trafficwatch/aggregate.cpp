// Per-minute aggregation of parsed lines and the latency histogram's buckets and quantiles.
#include "aggregate.hpp"

#include <cmath>

namespace tw {

std::size_t latency_bucket(std::uint32_t ms) noexcept {
  for (std::size_t i = 0; i < kLatencyBoundsMs.size(); ++i)
    if (ms <= kLatencyBoundsMs[i]) return i;
  return kLatencyBoundsMs.size();
}

double latency_quantile_ms(const LatencyHistogram& h, double q) noexcept {
  std::uint64_t total = 0;
  for (auto c : h)
    total += c;
  if (total == 0) return 0;
  // The smallest bucket whose cumulative count reaches ceil(q * total).
  const auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(total)));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < h.size(); ++i) {
    seen += h[i];
    if (seen >= rank && seen > 0)
      return i < kLatencyBoundsMs.size() ? kLatencyBoundsMs[i] : 2.0 * kLatencyBoundsMs.back();
  }
  return 2.0 * kLatencyBoundsMs.back();
}

MinuteStats& Batch::at(const std::string& site, std::int64_t minute) {
  if (last_ != nullptr && last_minute_ == minute && *last_site_ == site) return *last_;
  auto it = minutes_.try_emplace({site, minute}).first;
  last_site_ = &it->first.first;
  last_minute_ = minute;
  last_ = &it->second;
  return *last_;
}

void Batch::add(const std::string& site, const LogLine& line) {
  MinuteStats& m = at(site, minute_of(line.time));
  ++m.requests;
  ++lines_;
  m.bytes = add_saturated(m.bytes, line.bytes);
  ++m.status[static_cast<std::size_t>(line.status / 100)];
  ++m.latency[latency_bucket(line.request_time_ms)];
  m.latency_ms += line.request_time_ms;
  if (!line.path.empty()) {
    if (auto it = m.paths.find(line.path); it != m.paths.end())
      ++it->second;
    else
      m.paths.emplace(std::string(line.path), 1);
  }
  if (auto it = m.addrs.find(line.remote_addr); it != m.addrs.end())
    ++it->second;
  else
    m.addrs.emplace(std::string(line.remote_addr), 1);
}

void Batch::add_malformed(const std::string& site, std::int64_t time) {
  ++at(site, minute_of(time)).malformed;
  ++lines_;
}

void Batch::clear() {
  minutes_.clear();
  lines_ = 0;
  last_ = nullptr;
  last_site_ = nullptr;
}

} // namespace tw
