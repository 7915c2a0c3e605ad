// cgi-gateway: the line logger (see log.hpp).
#include "log.hpp"

#include <string>
#include <unistd.h>

namespace fh::gateway {

void Logger::log(Level level, std::string_view req_id, std::string_view message) noexcept {
  try {
    std::string text = "req=";
    text.append(req_id.empty() ? std::string_view("-") : req_id).append(" ").append(message);
    sys::write_log_line(fd_, level, "cgi-gateway", static_cast<long>(::getpid()), text);
  } catch (...) {
    // Logging must never take a request down (bad_alloc); the event is lost.
  }
}

} // namespace fh::gateway
