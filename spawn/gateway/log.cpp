// cgi-gateway: the line logger (see log.hpp).
#include "log.hpp"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <unistd.h>

namespace fh::gateway {
namespace {

std::string timestamp() {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch());
  const std::time_t secs = static_cast<std::time_t>(ms.count() / 1000);
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms.count() % 1000));
  return buf;
}

std::string_view level_name(Level l) {
  switch (l) {
  case Level::Info:
    return "info";
  case Level::Warning:
    return "warning";
  case Level::Error:
    return "error";
  }
  return "?";
}

} // namespace

void Logger::log(Level level, std::string_view req_id, std::string_view message) noexcept {
  try {
    std::string line = timestamp();
    line += ' ';
    line += level_name(level);
    line += " cgi-gateway[" + std::to_string(::getpid()) + "] req=";
    line += req_id.empty() ? std::string_view("-") : req_id;
    line += ' ';
    for (unsigned char c : message) {
      if (c < 0x20 || c == 0x7f) {
        char esc[8];
        std::snprintf(esc, sizeof esc, "\\x%02x", c);
        line += esc;
      } else {
        line += static_cast<char>(c);
      }
    }
    line += '\n';
    std::lock_guard lock(mu_);
    std::size_t off = 0;
    while (off < line.size()) {
      const ssize_t w = ::write(fd_, line.data() + off, line.size() - off);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) break;
      off += static_cast<std::size_t>(w);
    }
  } catch (...) {
    // Logging must never take a request down (bad_alloc); the event is lost.
  }
}

} // namespace fh::gateway
