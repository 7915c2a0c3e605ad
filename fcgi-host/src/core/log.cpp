// fh::log: "2026-11-22T00:00:00Z level pid message" on stderr, one write(2) per line; and
// fh::log_safe, which caps and escapes client text before it goes into a message.
#include "fcgihost/log.hpp"

#include <ctime>
#include <string>
#include <unistd.h>

namespace fh {

void log(LogLevel level, std::string_view message) noexcept {
  static constexpr const char* kNames[] = {"debug", "info", "warning", "error"};
  try {
    char ts[32];
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    std::string line = ts;
    line.append(" ").append(kNames[static_cast<int>(level)]).append(" ");
    line.append(std::to_string(getpid())).append(" ");
    for (unsigned char c : message) {
      if (c < 0x20 || c == 0x7f) {
        static constexpr char kHex[] = "0123456789abcdef";
        line.append("\\x").push_back(kHex[c >> 4]);
        line.push_back(kHex[c & 15]);
      } else {
        line.push_back(static_cast<char>(c));
      }
    }
    line.push_back('\n');
    const char* p = line.data();
    std::size_t left = line.size();
    while (left > 0) {
      ssize_t n = ::write(STDERR_FILENO, p, left);
      if (n <= 0) break;
      p += n;
      left -= static_cast<std::size_t>(n);
    }
  } catch (...) {
    // Logging must never take the request down (bad_alloc while formatting).
  }
}

std::string log_safe(std::string_view text, std::size_t max_bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  const std::string_view kept = text.substr(0, max_bytes);
  std::string out;
  out.reserve(kept.size() + 24);
  for (unsigned char c : kept) {
    if (c < 0x20 || c >= 0x7f || c == '\\') {
      out.append("\\x").push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  if (kept.size() < text.size())
    out.append("...(").append(std::to_string(text.size())).append(" bytes)");
  return out;
}

} // namespace fh
