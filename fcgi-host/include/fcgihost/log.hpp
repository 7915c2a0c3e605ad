// Logging: one line per event on the process's stderr, in the project's one format (fh_sys's
// fh/sys/log.hpp: "2026-11-30T08:12:46.123Z warning hello.fcgi[1234] message"), never to the
// client and never to the FastCGI error stream. spawn captures stderr and keeps each line's level.
#pragma once

#include <fh/sys/log.hpp>

#include <string_view>

namespace fh {

// Debug, Info, Warning, Error.
using LogLevel = sys::Level;

// Writes one line to stderr with a single write(2) (lines from several threads do not mix),
// tagged with the program's name and pid. Control characters in `message` are escaped so that
// client data cannot forge log lines.
void log(LogLevel level, std::string_view message) noexcept;

// Client-supplied text made fit for a log line (capped at kLogTextMax bytes, escaped): wrap each
// client field (method, path, URI, header values, messages that echo them) in it.
using sys::kLogTextMax;
using sys::log_safe;

} // namespace fh
