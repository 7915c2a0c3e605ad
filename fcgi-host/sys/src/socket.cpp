// See fh/sys/socket.hpp: TCP and unix listening sockets, the unix socket liveness check, owner
// and mode. Its own archive member, so that programs that bind nothing (the static .cgi) never
// link getaddrinfo.
#include <fh/sys/socket.hpp>

#include <cstring>
#include <grp.h>
#include <memory>
#include <netdb.h>
#include <pwd.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

namespace fh::sys {
namespace {

// The numeric "host:port" a bound socket actually listens on.
std::string local_address(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "?";
  char host[NI_MAXHOST];
  char port[NI_MAXSERV];
  if (::getnameinfo(reinterpret_cast<sockaddr*>(&ss), len, host, sizeof host, port, sizeof port,
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
    return "?";
  return ss.ss_family == AF_INET6 ? "[" + std::string(host) + "]:" + port
                                  : std::string(host) + ":" + port;
}

sockaddr_un unix_addr(const std::string& path) {
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  if (path.size() >= sizeof sun.sun_path)
    throw std::invalid_argument("unix socket path too long: " + path);
  std::memcpy(sun.sun_path, path.c_str(), path.size() + 1);
  return sun;
}

// Removes a dead socket file at path; throws if a live server answers there or it is no socket.
void clear_stale_socket(const std::string& path, const sockaddr_un& sun) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return;
  if (!S_ISSOCK(st.st_mode))
    throw std::runtime_error("refusing to replace " + path + ": it exists and is not a socket");
  const UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (probe && ::connect(probe.get(), reinterpret_cast<const sockaddr*>(&sun), sizeof sun) == 0)
    throw std::runtime_error("refusing to steal " + path + ": a live server answers on it");
  ::unlink(path.c_str());
}

void set_owner(const std::string& path, const std::string& user, const std::string& group) {
  auto uid = static_cast<uid_t>(-1);
  auto gid = static_cast<gid_t>(-1);
  if (!user.empty()) {
    const passwd* pw = ::getpwnam(user.c_str());
    if (pw == nullptr) throw std::invalid_argument("unknown socket user " + user);
    uid = pw->pw_uid;
  }
  if (!group.empty()) {
    const struct group* gr = ::getgrnam(group.c_str());
    if (gr == nullptr) throw std::invalid_argument("unknown socket group " + group);
    gid = gr->gr_gid;
  }
  if (::chown(path.c_str(), uid, gid) != 0) throw_errno("chown " + path);
}

} // namespace

ListenSocket& ListenSocket::operator=(ListenSocket&& o) noexcept {
  if (this != &o) {
    unlink_path();
    fd_ = std::move(o.fd_);
    address_ = std::move(o.address_);
    unix_path_ = std::exchange(o.unix_path_, std::string());
  }
  return *this;
}

ListenSocket::~ListenSocket() {
  unlink_path();
}

void ListenSocket::unlink_path() noexcept {
  if (!unix_path_.empty() && fd_) ::unlink(unix_path_.c_str());
}

std::pair<std::string, std::string> split_host_port(const std::string& host_port) {
  const std::size_t colon = host_port.rfind(':');
  if (colon == std::string::npos || colon + 1 == host_port.size())
    throw std::invalid_argument("expected HOST:PORT, got '" + host_port + "'");
  std::string host = host_port.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "127.0.0.1";
  return {host, host_port.substr(colon + 1)};
}

ListenSocket listen_tcp(const std::string& host_port, int backlog) {
  const auto [host, port] = split_host_port(host_port);
  return listen_tcp(host, port, backlog);
}

ListenSocket listen_tcp(const std::string& host, const std::string& port, int backlog) {
  const std::string where = host + ":" + port;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
  addrinfo* res = nullptr;
  if (const int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &res); rc != 0)
    throw std::invalid_argument("cannot resolve " + where + ": " + ::gai_strerror(rc));
  const std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> guard(res, &::freeaddrinfo);
  UniqueFd fd(::socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) throw_errno("socket for " + where);
  const int one = 1;
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0)
    throw_errno("setsockopt SO_REUSEADDR " + where);
  if (::bind(fd.get(), res->ai_addr, res->ai_addrlen) != 0) throw_errno("bind " + where);
  if (::listen(fd.get(), backlog) != 0) throw_errno("listen " + where);
  std::string address = local_address(fd.get());
  return {std::move(fd), std::move(address)};
}

ListenSocket listen_unix(const std::string& path, int backlog, const UnixSocketOptions& options) {
  const sockaddr_un sun = unix_addr(path);
  clear_stale_socket(path, sun);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) throw_errno("socket for " + path);
  const mode_t mode = options.mode.value_or(0600);
  const mode_t old = ::umask(0777 & ~mode);
  const int rc = ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&sun), sizeof sun);
  const int err = errno;
  ::umask(old);
  if (rc != 0) throw_errno("bind " + path, err);
  // Owned from here: a failure below unlinks the file again.
  ListenSocket sock(std::move(fd), "unix:" + path, path);
  if (::chmod(path.c_str(), mode) != 0) throw_errno("chmod " + path);
  if (!options.user.empty() || !options.group.empty()) set_owner(path, options.user, options.group);
  if (::listen(sock.fd(), backlog) != 0) throw_errno("listen " + path);
  return sock;
}

bool is_listening_socket(int fd) noexcept {
  int on = 0;
  socklen_t len = sizeof on;
  return ::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == 0 && on != 0;
}

} // namespace fh::sys
