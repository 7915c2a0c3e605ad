// The project's one log line format, written by every process (library, spawn, cgi-gateway):
//   2026-11-30T08:12:46.123Z warning hello.fcgi[1234] message
// UTC timestamp with milliseconds, a level (debug, info, warning, error), who[pid], the message
// with control characters escaped (so no data can split or forge a line). One write(2) a line.
// spawn parses its workers' lines back (parse_log_line) to keep their level.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fh::sys {

enum class Level { Debug, Info, Warning, Error };

// "debug", "info", "warning", "error".
std::string_view level_name(Level level) noexcept;
// The inverse of level_name; nullopt for any other word.
std::optional<Level> parse_level(std::string_view word) noexcept;

// UTC in RFC 3339: "2026-11-30T08:12:46Z" from seconds since the epoch, and the log's
// "2026-11-30T08:12:46.123Z" from milliseconds.
std::string utc_seconds(std::int64_t unix_seconds);
std::string utc_millis(std::int64_t unix_ms);
// Milliseconds since the epoch now (CLOCK_REALTIME).
std::int64_t now_unix_ms() noexcept;

// One complete line (with its '\n') in the format above, stamped now.
std::string format_log_line(Level level, std::string_view who, long pid, std::string_view message);
// format_log_line written to `fd` in one write (short writes retried). Never throws.
void write_log_line(int fd, Level level, std::string_view who, long pid,
                    std::string_view message) noexcept;

// A line in this format, split into its fields (views into the line given).
struct LogLine {
  std::string_view timestamp;
  Level level = Level::Info;
  std::string_view who;
  long pid = 0;
  std::string_view message;
};
// nullopt when `line` (without its '\n') is not in the format above.
std::optional<LogLine> parse_log_line(std::string_view line) noexcept;

// How much of one piece of client text a log line keeps (see log_safe).
inline constexpr std::size_t kLogTextMax = 200;

// Client-supplied text (method, path, URI, header values, messages that echo them) made fit for a
// log line: its first `max_bytes` bytes, then "...(N bytes)" if it was longer (N: its full size);
// every byte outside printable ASCII, and the backslash, as \xNN. Wrap each client field in it.
std::string log_safe(std::string_view text, std::size_t max_bytes = kLogTextMax);

} // namespace fh::sys
