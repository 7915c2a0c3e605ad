// cgi-gateway: the accept wait (see listener.hpp).
#include "listener.hpp"

#include <cerrno>
#include <chrono>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <thread>

namespace fh::gateway {

void prepare_listener(int fd) {
  const int fl = ::fcntl(fd, F_GETFL);
  if (fl < 0 || ::fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0)
    sys::throw_errno("fcntl O_NONBLOCK on listener");
}

sys::UniqueFd accept_connection(int listen_fd, int stop_fd) {
  for (;;) {
    pollfd p[2] = {{stop_fd, POLLIN, 0}, {listen_fd, POLLIN, 0}};
    if (::poll(p, 2, -1) < 0) continue; // EINTR
    if (p[0].revents) return sys::UniqueFd();
    if (!p[1].revents) continue;
    const int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) return sys::UniqueFd(fd);
    // EAGAIN (a sibling took it), ECONNABORTED, EINTR: wait again at once; anything else
    // (EMFILE, ENFILE, ENOBUFS...) after a pause, so a persistent error cannot spin the CPU.
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNABORTED && errno != EINTR)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

} // namespace fh::gateway
