// See fcgi_listen.hpp. We bind ourselves instead of FCGX_OpenSocket, which exits on errors,
// binds every interface and steals live unix sockets (docs/conventions.md).
#include "frontend/fcgi_listen.hpp"

#include <cerrno>
#include <cstring>
#include <netdb.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <system_error>

namespace fh::detail {

bool is_listening_socket(int fd) noexcept {
  int value = 0;
  socklen_t len = sizeof value;
  return ::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &value, &len) == 0 && value != 0;
}

UniqueFd listen_tcp(const std::string& host_port, int backlog) {
  auto colon = host_port.rfind(':');
  if (colon == std::string::npos) throw std::invalid_argument("--bind wants HOST:PORT");
  std::string host = host_port.substr(0, colon);
  const std::string port = host_port.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "127.0.0.1";
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &res); rc != 0)
    throw std::invalid_argument("cannot resolve " + host_port + ": " + ::gai_strerror(rc));
  UniqueFd fd(::socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  int one = 1;
  int err = 0;
  if (!fd)
    err = errno;
  else if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
           ::bind(fd.get(), res->ai_addr, res->ai_addrlen) != 0 || ::listen(fd.get(), backlog) != 0)
    err = errno;
  ::freeaddrinfo(res);
  if (err != 0) throw std::system_error(err, std::generic_category(), "listen on " + host_port);
  return fd;
}

UniqueFd listen_unix(const std::string& path, int backlog) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path)
    throw std::invalid_argument("socket path too long: " + path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  {
    UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (probe && ::connect(probe.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0)
      throw std::runtime_error("socket " + path + " is in use by a live server");
  }
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) throw std::runtime_error(path + " exists and is not a socket");
    ::unlink(path.c_str()); // a dead socket left behind
  }
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd || ::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(fd.get(), backlog) != 0)
    throw std::system_error(errno, std::generic_category(), "listen on " + path);
  return fd;
}

} // namespace fh::detail
