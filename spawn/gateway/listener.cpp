// cgi-gateway: listening socket set-up and the accept wait (see listener.hpp).
#include "listener.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <memory>
#include <netdb.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <system_error>
#include <thread>

namespace fh::gateway {
namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

// "host:port" / "[v6]:port" → {host, port}; throws on a missing port.
std::pair<std::string, std::string> split_host_port(const std::string& hp) {
  const std::size_t colon = hp.rfind(':');
  if (colon == std::string::npos || colon + 1 == hp.size())
    throw std::runtime_error("--bind expects HOST:PORT, got '" + hp + "'");
  std::string host = hp.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "127.0.0.1";
  return {host, hp.substr(colon + 1)};
}

// The numeric "host:port" a bound socket actually listens on.
std::string local_address(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "?";
  char host[NI_MAXHOST], port[NI_MAXSERV];
  if (::getnameinfo(reinterpret_cast<sockaddr*>(&ss), len, host, sizeof host, port, sizeof port,
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
    return "?";
  return ss.ss_family == AF_INET6 ? "[" + std::string(host) + "]:" + port
                                  : std::string(host) + ":" + port;
}

} // namespace

bool is_listening_socket(int fd) {
  int on = 0;
  socklen_t len = sizeof on;
  return ::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == 0 && on != 0;
}

Listener bind_tcp(const std::string& host_port, int backlog) {
  const auto [host, port] = split_host_port(host_port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  if (const int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &res); rc != 0)
    throw std::runtime_error("resolve " + host_port + ": " + ::gai_strerror(rc));
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> guard(res, &::freeaddrinfo);
  Listener l;
  l.owned.reset(::socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!l.owned) fail("socket for " + host_port);
  const int one = 1;
  ::setsockopt(l.owned.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(l.owned.get(), res->ai_addr, res->ai_addrlen) != 0) fail("bind " + host_port);
  if (::listen(l.owned.get(), backlog) != 0) fail("listen " + host_port);
  l.fd = l.owned.get();
  l.address = local_address(l.fd);
  return l;
}

Listener bind_unix(const std::string& path, unsigned mode, int backlog) {
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (path.size() >= sizeof sa.sun_path) throw std::runtime_error("socket path too long: " + path);
  std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) throw std::runtime_error(path + " exists and is not a socket");
    UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (probe && ::connect(probe.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0)
      throw std::runtime_error(path + " is in use by a running server");
    ::unlink(path.c_str()); // a dead socket left behind
  }
  Listener l;
  l.owned.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!l.owned) fail("socket for " + path);
  if (::bind(l.owned.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) fail("bind " + path);
  if (::chmod(path.c_str(), mode) != 0) fail("chmod " + path);
  if (::listen(l.owned.get(), backlog) != 0) fail("listen " + path);
  l.fd = l.owned.get();
  l.address = "unix:" + path;
  return l;
}

void prepare_listener(int fd) {
  const int fl = ::fcntl(fd, F_GETFL);
  if (fl < 0 || ::fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0) fail("fcntl O_NONBLOCK on listener");
}

UniqueFd accept_connection(int listen_fd, int stop_fd) {
  for (;;) {
    pollfd p[2] = {{stop_fd, POLLIN, 0}, {listen_fd, POLLIN, 0}};
    if (::poll(p, 2, -1) < 0) continue; // EINTR
    if (p[0].revents) return UniqueFd();
    if (!p[1].revents) continue;
    const int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) return UniqueFd(fd);
    // EAGAIN (a sibling took it), ECONNABORTED, EINTR: wait again at once; anything else
    // (EMFILE, ENFILE, ENOBUFS...) after a pause, so a persistent error cannot spin the CPU.
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNABORTED && errno != EINTR)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

} // namespace fh::gateway
