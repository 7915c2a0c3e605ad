// fh::sys::UniqueFd: owns one file descriptor and closes it exactly once (move-only), the
// project's one fd owner; and make_pipe(), a CLOEXEC pipe as two of them.
#pragma once

#include <fh/sys/error.hpp>

#include <fcntl.h>
#include <unistd.h>
#include <utility>

namespace fh::sys {

class UniqueFd {
public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) reset(std::exchange(o.fd_, -1));
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }
  int release() noexcept { return std::exchange(fd_, -1); }
  void reset(int fd = -1) noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

private:
  int fd_ = -1;
};

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

// pipe2(O_CLOEXEC | extra_flags); throws std::system_error naming `what` on failure.
inline Pipe make_pipe(const char* what, int extra_flags = 0) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | extra_flags) != 0) throw_errno(std::string("pipe2 ") + what);
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

} // namespace fh::sys
