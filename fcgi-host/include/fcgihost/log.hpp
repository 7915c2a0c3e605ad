// Logging: one line per event on the process's stderr ("ts level pid message"), never to the
// client and never to the FastCGI error stream. spawn captures stderr and tags it with the pid.
#pragma once

#include <string_view>

namespace fh {

enum class LogLevel { Debug, Info, Warning, Error };

// Writes one line to stderr with a single write(2) (lines from several threads do not mix).
// Control characters in `message` are escaped so that client data cannot forge log lines.
void log(LogLevel level, std::string_view message) noexcept;

} // namespace fh
