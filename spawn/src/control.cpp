// control.cpp: non-blocking accept/read/write of the status socket's HTTP/1.0 exchanges.
#include "control.hpp"

#include "config.hpp"

#include <fh/sys/http_status.hpp>

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <sys/socket.h>

namespace spawn {
namespace {

constexpr int kControlBacklog = 64;

fh::sys::ListenSocket bind_control(const std::string& where) {
  if (where.find('/') != std::string::npos) {
    fh::sys::UnixSocketOptions owner_only;
    owner_only.mode = 0600;
    return fh::sys::listen_unix(where, kControlBacklog, owner_only);
  }
  if (where.rfind(':') == std::string::npos)
    throw ConfigError("control: give a unix socket path or HOST:PORT, not " + where);
  return fh::sys::listen_tcp(where, kControlBacklog);
}

} // namespace

ControlServer::ControlServer(const std::string& where, Render render)
    : listener_(bind_control(where)), render_(std::move(render)),
      commands_(where.find('/') != std::string::npos) {
  const int fl = ::fcntl(listener_.fd(), F_GETFL);
  ::fcntl(listener_.fd(), F_SETFL, fl | O_NONBLOCK);
}

void ControlServer::fds(std::vector<int>& out) const {
  out.push_back(listener_.fd());
  for (auto& c : conns_)
    out.push_back(c->fd.get());
}

void ControlServer::accept_all(double now) {
  for (int i = 0; i < 16; ++i) {
    int fd = ::accept4(listener_.fd(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    auto c = std::make_unique<Conn>();
    c->fd = fh::sys::UniqueFd(fd);
    c->opened = now;
    conns_.push_back(std::move(c));
  }
}

void ControlServer::serve(Conn& c) {
  // "METHOD /path?query HTTP/1.x": GET and HEAD read, POST commands (unix socket only).
  std::string line = c.in.substr(0, c.in.find_first_of("\r\n"));
  std::size_t a = line.find(' ');
  std::string method = line.substr(0, a);
  Reply r;
  if (method == "GET" || method == "HEAD" || (method == "POST" && commands_)) {
    std::size_t b = line.find(' ', a + 1);
    r = render_(method, a == std::string::npos
                            ? "/"
                            : line.substr(a + 1, b == std::string::npos ? b : b - a - 1));
  } else {
    r = {405, "text/plain",
         commands_ ? "only GET, HEAD and POST\n"
                   : "read-only: commands need the unix control socket\n"};
  }
  c.out = "HTTP/1.0 " + std::to_string(r.status) + " " + fh::sys::reason_phrase(r.status) +
          "\r\nContent-Type: " + r.content_type +
          "\r\nContent-Length: " + std::to_string(r.body.size()) +
          "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n" +
          (method == "HEAD" ? std::string() : r.body);
}

void ControlServer::on_ready(int fd, double now) {
  if (fd == listener_.fd()) {
    accept_all(now);
    return;
  }
  auto it = std::find_if(conns_.begin(), conns_.end(), [fd](auto& c) { return c->fd.get() == fd; });
  if (it == conns_.end()) return;
  Conn& c = **it;
  bool done = false;
  if (c.out.empty()) {
    char buf[2048];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0 && !(n < 0 && (errno == EAGAIN || errno == EINTR)))
      done = true;
    else if (n > 0)
      c.in.append(buf, static_cast<std::size_t>(n));
    if (!done &&
        (c.in.find("\r\n\r\n") != std::string::npos || c.in.find("\n\n") != std::string::npos))
      serve(c);
    else if (c.in.size() > 8192)
      done = true;
  }
  if (!c.out.empty()) {
    ssize_t n = ::send(fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
    if (n > 0) c.out.erase(0, static_cast<std::size_t>(n));
    if (c.out.empty() || (n < 0 && errno != EAGAIN)) done = true;
  }
  if (done) conns_.erase(it);
}

void ControlServer::expire(double now) {
  std::erase_if(conns_, [now](auto& c) { return now - c->opened > 2.0; });
}

} // namespace spawn
