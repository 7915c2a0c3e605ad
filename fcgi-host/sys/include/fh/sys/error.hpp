// fh::sys::throw_errno: the one way a failed system call becomes an exception, a
// std::system_error whose message names the call and its object ("bind /run/x.sock").
#pragma once

#include <cerrno>
#include <string>
#include <system_error>

namespace fh::sys {

[[noreturn]] inline void throw_errno(const std::string& what, int err = errno) {
  throw std::system_error(err, std::generic_category(), what);
}

} // namespace fh::sys
