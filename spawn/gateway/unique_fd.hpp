// cgi-gateway: UniqueFd (the library's fd owner, fcgi-host/src/sys) and make_pipe().
// Not responsible for any I/O policy (blocking mode, polling): callers decide.
#pragma once

#include "sys/unique_fd.hpp"

#include <cerrno>
#include <fcntl.h>
#include <string>
#include <system_error>
#include <unistd.h>
#include <utility>

namespace fh::gateway {

using UniqueFd = fh::detail::UniqueFd; // one owner type for the whole project

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

// pipe2(O_CLOEXEC | extra_flags); throws std::system_error naming `what` on failure.
inline Pipe make_pipe(const char* what, int extra_flags = 0) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | extra_flags) != 0)
    throw std::system_error(errno, std::generic_category(), std::string("pipe2 ") + what);
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

} // namespace fh::gateway
