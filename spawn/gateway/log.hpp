// cgi-gateway: Logger, one line per event on the gateway's stderr:
//   2024-05-01T12:00:00.123Z warn cgi-gateway[123] req=abc message
// Thread-safe (one write(2) per line under a mutex); never writes to the FastCGI err stream.
#pragma once

#include <mutex>
#include <string_view>

namespace fh::gateway {

enum class Level { Info, Warning, Error };

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
  std::mutex mu_;
};

} // namespace fh::gateway
