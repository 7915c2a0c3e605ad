// listener.cpp: socket creation for pools (TCP/unix), unix-socket liveness check, ownership and
// mode, and queue depth (TCP_INFO for TCP listeners, sock_diag UDIAG_SHOW_RQLEN for unix ones).
#include "listener.hpp"

#include <arpa/inet.h>
#include <cstring>
#include <grp.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <memory>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

namespace spawn {
namespace {

UniqueFd bind_tcp(const std::string& host, int port, int backlog, std::string& text) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
  addrinfo* res = nullptr;
  std::string service = std::to_string(port);
  int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &res);
  if (rc != 0) throw ConfigError("cannot resolve " + host + ": " + gai_strerror(rc));
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(res, freeaddrinfo);
  UniqueFd fd(::socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) sys_error("socket for " + host);
  int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  std::string where = host + ":" + service;
  if (::bind(fd.get(), res->ai_addr, res->ai_addrlen) != 0) sys_error("bind " + where);
  if (::listen(fd.get(), backlog) != 0) sys_error("listen " + where);
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&ss), &len);
  char buf[INET6_ADDRSTRLEN] = "?";
  int bound_port = port;
  if (ss.ss_family == AF_INET) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
    ::inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof buf);
    bound_port = ntohs(sin->sin_port);
    text = std::string(buf) + ":" + std::to_string(bound_port);
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
    ::inet_ntop(AF_INET6, &sin6->sin6_addr, buf, sizeof buf);
    bound_port = ntohs(sin6->sin6_port);
    text = "[" + std::string(buf) + "]:" + std::to_string(bound_port);
  }
  return fd;
}

sockaddr_un unix_addr(const std::string& path) {
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  if (path.size() >= sizeof sun.sun_path) throw ConfigError("unix socket path too long: " + path);
  std::memcpy(sun.sun_path, path.c_str(), path.size() + 1);
  return sun;
}

// Removes a stale socket file at path; throws if a live server answers there or it is no socket.
void clear_stale_socket(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return;
  if (!S_ISSOCK(st.st_mode))
    throw ConfigError("refusing to replace " + path + ": it exists and is not a socket");
  sockaddr_un sun = unix_addr(path);
  UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (probe && ::connect(probe.get(), reinterpret_cast<sockaddr*>(&sun), sizeof sun) == 0)
    throw ConfigError("refusing to steal " + path + ": a live server answers on it");
  ::unlink(path.c_str());
}

void set_owner(const std::string& path, const std::string& user, const std::string& grp) {
  uid_t uid = static_cast<uid_t>(-1);
  gid_t gid = static_cast<gid_t>(-1);
  if (!user.empty()) {
    passwd* pw = ::getpwnam(user.c_str());
    if (pw == nullptr) throw ConfigError("unknown socket user " + user);
    uid = pw->pw_uid;
  }
  if (!grp.empty()) {
    struct group* gr = ::getgrnam(grp.c_str());
    if (gr == nullptr) throw ConfigError("unknown socket group " + grp);
    gid = gr->gr_gid;
  }
  if (::chown(path.c_str(), uid, gid) != 0) sys_error("chown " + path);
}

// Accept-queue length of a listening unix socket via NETLINK_SOCK_DIAG (-1 on any failure).
int unix_queue_depth(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return -1;
  UniqueFd nl(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
  if (!nl) return -1;
  struct {
    nlmsghdr nlh;
    unix_diag_req req;
  } msg{};
  msg.nlh.nlmsg_len = sizeof msg;
  msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  msg.nlh.nlmsg_flags = NLM_F_REQUEST;
  msg.req.sdiag_family = AF_UNIX;
  msg.req.udiag_states = 1u << 10; // TCP_LISTEN
  msg.req.udiag_ino = static_cast<unsigned>(st.st_ino);
  msg.req.udiag_show = UDIAG_SHOW_RQLEN;
  msg.req.udiag_cookie[0] = msg.req.udiag_cookie[1] = ~0u;
  timeval tv{0, 200000};
  ::setsockopt(nl.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::send(nl.get(), &msg, sizeof msg, 0) < 0) return -1;
  alignas(nlmsghdr) char buf[8192];
  ssize_t n = ::recv(nl.get(), buf, sizeof buf, 0);
  if (n <= 0) return -1;
  // One reply message: nlmsghdr, unix_diag_msg, then rtattrs (parsed without the cast-heavy
  // NLMSG_*/RTA_* macros).
  nlmsghdr h{};
  std::memcpy(&h, buf, sizeof h);
  if (h.nlmsg_type != SOCK_DIAG_BY_FAMILY || h.nlmsg_len > static_cast<unsigned>(n)) return -1;
  std::size_t off = NLMSG_ALIGN(sizeof(nlmsghdr)) + NLMSG_ALIGN(sizeof(unix_diag_msg));
  while (off + sizeof(rtattr) <= h.nlmsg_len) {
    rtattr a{};
    std::memcpy(&a, buf + off, sizeof a);
    if (a.rta_len < sizeof(rtattr)) return -1;
    if (a.rta_type == UNIX_DIAG_RQLEN && a.rta_len >= sizeof(rtattr) + sizeof(unix_diag_rqlen)) {
      unix_diag_rqlen q{};
      std::memcpy(&q, buf + off + RTA_ALIGN(sizeof(rtattr)), sizeof q);
      return static_cast<int>(q.udiag_rqueue);
    }
    off += RTA_ALIGN(a.rta_len);
  }
  return -1;
}

} // namespace

Listener::Listener(const PoolConfig& pool) : backlog_(pool.backlog) {
  if (pool.socket.empty()) {
    fd_ = bind_tcp(pool.address, pool.port.value_or(0), pool.backlog, text_);
    return;
  }
  const std::string& path = pool.socket;
  clear_stale_socket(path);
  sockaddr_un sun = unix_addr(path);
  fd_ = UniqueFd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd_) sys_error("socket for " + path);
  mode_t old = ::umask(pool.socket_mode ? 0777 & ~*pool.socket_mode : 0077);
  int rc = ::bind(fd_.get(), reinterpret_cast<sockaddr*>(&sun), sizeof sun);
  int err = errno;
  ::umask(old);
  if (rc != 0) sys_error("bind " + path, err);
  path_ = path;
  text_ = "unix:" + path;
  if (pool.socket_mode && ::chmod(path.c_str(), *pool.socket_mode) != 0) sys_error("chmod " + path);
  if (!pool.socket_user.empty() || !pool.socket_group.empty())
    set_owner(path, pool.socket_user, pool.socket_group);
  if (::listen(fd_.get(), pool.backlog) != 0) sys_error("listen " + path);
}

Listener::~Listener() {
  if (!path_.empty() && fd_) ::unlink(path_.c_str());
}

int Listener::queue_depth() const {
  if (!fd_) return -1;
  if (is_unix()) return unix_queue_depth(fd_.get());
  tcp_info ti{};
  socklen_t len = sizeof ti;
  if (::getsockopt(fd_.get(), IPPROTO_TCP, TCP_INFO, &ti, &len) != 0) return -1;
  return static_cast<int>(ti.tcpi_unacked); // for a listener: current accept-queue length
}

} // namespace spawn
