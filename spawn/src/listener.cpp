// listener.cpp: a pool's listen socket, bound by fh_sys (fh/sys/socket.hpp) from the pool's
// settings, and its queue depth (TCP_INFO for TCP listeners, sock_diag UDIAG_SHOW_RQLEN for unix).
#include "listener.hpp"

#include <cstring>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>

namespace spawn {
namespace {

// Accept-queue length of a listening unix socket via NETLINK_SOCK_DIAG (-1 on any failure).
int unix_queue_depth(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return -1;
  fh::sys::UniqueFd nl(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
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
    sock_ = fh::sys::listen_tcp(pool.address, std::to_string(pool.port.value_or(0)), pool.backlog);
    return;
  }
  fh::sys::UnixSocketOptions unix_options;
  unix_options.mode = pool.socket_mode;
  unix_options.user = pool.socket_user;
  unix_options.group = pool.socket_group;
  sock_ = fh::sys::listen_unix(pool.socket, pool.backlog, unix_options);
}

int Listener::queue_depth() const {
  if (!sock_) return -1;
  if (is_unix()) return unix_queue_depth(fd());
  tcp_info ti{};
  socklen_t len = sizeof ti;
  if (::getsockopt(fd(), IPPROTO_TCP, TCP_INFO, &ti, &len) != 0) return -1;
  return static_cast<int>(ti.tcpi_unacked); // for a listener: current accept-queue length
}

} // namespace spawn
