// fh::log: the library's log line on stderr, in fh_sys's format, named after the program
// (hello.fcgi, accounts.cgi).
#include "fcgihost/log.hpp"

#include <cerrno>
#include <unistd.h>

namespace fh {

void log(LogLevel level, std::string_view message) noexcept {
  sys::write_log_line(STDERR_FILENO, level, program_invocation_short_name,
                      static_cast<long>(::getpid()), message);
}

} // namespace fh
