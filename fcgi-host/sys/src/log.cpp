// See fh/sys/log.hpp: formatting, writing and parsing the one log line format.
#include <fh/sys/log.hpp>

#include <fh/sys/io.hpp>

#include <array>
#include <charconv>
#include <cstdio>
#include <ctime>

namespace fh::sys {
namespace {

constexpr std::array<std::string_view, 4> kLevelNames = {"debug", "info", "warning", "error"};
constexpr char kHex[] = "0123456789abcdef";

void append_hex(std::string& out, unsigned char c) {
  out.append("\\x").push_back(kHex[c >> 4]);
  out.push_back(kHex[c & 15]);
}

// "2026-11-30T08:12:46" into buf (at least 20 bytes); the length written.
int format_utc(char* buf, std::size_t size, std::int64_t unix_seconds) {
  const auto secs = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  return std::snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                       tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

} // namespace

std::string_view level_name(Level level) noexcept {
  const auto i = static_cast<std::size_t>(level);
  return i < kLevelNames.size() ? kLevelNames[i] : std::string_view("info");
}

std::optional<Level> parse_level(std::string_view word) noexcept {
  for (std::size_t i = 0; i < kLevelNames.size(); ++i)
    if (kLevelNames[i] == word) return static_cast<Level>(i);
  return std::nullopt;
}

std::string utc_seconds(std::int64_t unix_seconds) {
  char buf[40];
  format_utc(buf, sizeof buf, unix_seconds);
  return std::string(buf) + "Z";
}

std::string utc_millis(std::int64_t unix_ms) {
  std::int64_t secs = unix_ms / 1000, ms = unix_ms % 1000;
  if (ms < 0) {
    ms += 1000;
    --secs;
  }
  char buf[48];
  const int n = format_utc(buf, sizeof buf, secs);
  std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n), ".%03dZ", static_cast<int>(ms));
  return buf;
}

std::int64_t now_unix_ms() noexcept {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return std::int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1000000;
}

std::string format_log_line(Level level, std::string_view who, long pid, std::string_view message) {
  std::string line = utc_millis(now_unix_ms());
  line.reserve(line.size() + who.size() + message.size() + 32);
  line.append(" ").append(level_name(level)).append(" ").append(who);
  line.append("[").append(std::to_string(pid)).append("] ");
  for (const char ch : message) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f)
      append_hex(line, c);
    else
      line.push_back(ch);
  }
  line.push_back('\n');
  return line;
}

void write_log_line(int fd, Level level, std::string_view who, long pid,
                    std::string_view message) noexcept {
  try {
    write_all(fd, format_log_line(level, who, pid, message));
  } catch (...) {
    // Logging must never take the process down (bad_alloc while formatting): the event is lost.
  }
}

std::optional<LogLine> parse_log_line(std::string_view line) noexcept {
  // TIMESTAMP LEVEL WHO[PID] MESSAGE
  LogLine out;
  const std::size_t s1 = line.find(' ');
  if (s1 == std::string_view::npos || s1 < 20 || line[s1 - 1] != 'Z') return std::nullopt;
  out.timestamp = line.substr(0, s1);
  const std::size_t s2 = line.find(' ', s1 + 1);
  if (s2 == std::string_view::npos) return std::nullopt;
  const auto level = parse_level(line.substr(s1 + 1, s2 - s1 - 1));
  if (!level) return std::nullopt;
  out.level = *level;
  const std::size_t close = line.find("] ", s2 + 1);
  const std::size_t space = line.find(' ', s2 + 1);
  if (close == std::string_view::npos || space != close + 1) return std::nullopt;
  const std::size_t open = line.rfind('[', close);
  if (open == std::string_view::npos || open <= s2 + 1) return std::nullopt;
  out.who = line.substr(s2 + 1, open - s2 - 1);
  const char* first = line.data() + open + 1;
  const char* last = line.data() + close;
  const auto [ptr, ec] = std::from_chars(first, last, out.pid);
  if (ec != std::errc() || ptr != last) return std::nullopt;
  out.message = line.substr(close + 2);
  return out;
}

std::string log_safe(std::string_view text, std::size_t max_bytes) {
  const std::string_view kept = text.substr(0, max_bytes);
  std::string out;
  out.reserve(kept.size() + 24);
  for (const char ch : kept) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x7f || c == '\\')
      append_hex(out, c);
    else
      out.push_back(ch);
  }
  if (kept.size() < text.size())
    out.append("...(").append(std::to_string(text.size())).append(" bytes)");
  return out;
}

} // namespace fh::sys
