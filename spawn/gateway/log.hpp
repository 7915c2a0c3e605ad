// cgi-gateway: Logger, one line per event on the gateway's stderr in the project's log format
// (fh/sys/log.hpp), the message led by the request id:
//   2026-11-30T08:12:46.123Z warning cgi-gateway[123] req=abc message
// Thread-safe (one write(2) per line); never writes to the FastCGI err stream.
#pragma once

#include <fh/sys/log.hpp>

#include <string_view>

namespace fh::gateway {

using Level = sys::Level;

class Logger {
public:
  explicit Logger(int fd = 2) : fd_(fd) {}
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  // Logs one event. Embedded newlines/control characters in `message` are escaped as \xNN, so
  // a line never splits and nothing the CGI program prints can forge log lines. Never throws.
  void log(Level level, std::string_view req_id, std::string_view message) noexcept;

private:
  int fd_;
};

} // namespace fh::gateway
