// Logging: one line per event on the process's stderr ("ts level pid message"), never to the
// client and never to the FastCGI error stream. spawn captures stderr and tags it with the pid.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace fh {

enum class LogLevel { Debug, Info, Warning, Error };

// Writes one line to stderr with a single write(2) (lines from several threads do not mix).
// Control characters in `message` are escaped so that client data cannot forge log lines.
void log(LogLevel level, std::string_view message) noexcept;

// How much of one piece of client text a log line keeps (see log_safe).
inline constexpr std::size_t kLogTextMax = 200;

// Client-supplied text (method, path, URI, header values, messages that echo them) made fit for a
// log line: its first `max_bytes` bytes, then "...(N bytes)" if it was longer (N: its full size);
// every byte outside printable ASCII, and the backslash, as \xNN. Wrap each client field in it.
std::string log_safe(std::string_view text, std::size_t max_bytes = kLogTextMax);

} // namespace fh
