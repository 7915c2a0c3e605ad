// raise_fd_limit(): RLIMIT_NOFILE's soft limit up to the hard one, for every long-lived process
// of the project (spawn, the FastCGI workers, the CGI gateway): each idle or stalled peer costs an
// fd, and running out stops accept. Header-only.
#pragma once

#include <sys/resource.h>

namespace fh::sys {

// Returns the soft limit in force afterwards (0 if it cannot be read).
inline rlim_t raise_fd_limit() noexcept {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return 0;
  if (rl.rlim_cur < rl.rlim_max) {
    rlimit up = rl;
    up.rlim_cur = rl.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &up) == 0) return up.rlim_cur;
  }
  return rl.rlim_cur;
}

} // namespace fh::sys
