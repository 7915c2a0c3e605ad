// See fh/sys/io.hpp.
#include <fh/sys/io.hpp>

#include <cerrno>
#include <unistd.h>

namespace fh::sys {

bool write_all(int fd, std::string_view data) noexcept {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (n == 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

long read_some(int fd, char* buf, std::size_t n) noexcept {
  for (;;) {
    const ssize_t r = ::read(fd, buf, n);
    if (r < 0 && errno == EINTR) continue;
    return static_cast<long>(r);
  }
}

} // namespace fh::sys
