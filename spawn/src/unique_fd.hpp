// unique_fd.hpp: UniqueFd (the library's move-only fd owner, used throughout spawn) and
// sys_error(), the one way spawn turns a failed syscall into an exception naming call and object.
#pragma once

#include "sys/unique_fd.hpp"

#include <cerrno>
#include <string>
#include <system_error>
#include <unistd.h>
#include <utility>

namespace spawn {

using UniqueFd = fh::detail::UniqueFd; // the project's one fd owner (fcgi-host/src/sys)

// Throws std::system_error for errno with "what: object".
[[noreturn]] inline void sys_error(const std::string& what, int err = errno) {
  throw std::system_error(err, std::generic_category(), what);
}

} // namespace spawn
