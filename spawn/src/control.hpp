// control.hpp: the master's status socket, a deliberately tiny HTTP/1.0 server on a unix socket
// or loopback TCP port (nginx proxies to it; curl --unix-socket reads it). It is served by the
// master's own poll loop, so it answers even when every worker is busy. GET reads the status;
// POST commands (`spawn ctl`) are accepted on a unix socket only (mode 0600: the owner's).
#pragma once

#include <fh/sys/socket.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace spawn {

class ControlServer {
public:
  struct Reply {
    int status = 200; // 200, 400, 404, 405, 409
    std::string content_type = "text/plain", body;
  };
  // handle(method, path_and_query) for GET, HEAD and (unix socket only) POST.
  using Render = std::function<Reply(const std::string& method, const std::string& target)>;

  // Binds `where` (a path containing '/' is a unix socket, mode 0600, else HOST:PORT). Throws
  // ConfigError for neither, else like fh::sys::listen_tcp / listen_unix.
  ControlServer(const std::string& where, Render render);

  void fds(std::vector<int>& out) const; // listen socket + open connections
  void on_ready(int fd, double now);     // fd from fds() is readable/writable
  void expire(double now);               // drops connections older than 2 s
  const std::string& describe() const { return listener_.address(); }

private:
  struct Conn {
    fh::sys::UniqueFd fd;
    std::string in, out;
    double opened = 0;
  };
  void accept_all(double now);
  void serve(Conn& c);

  fh::sys::ListenSocket listener_;
  Render render_;
  bool commands_ = false; // POST accepted (a unix socket)
  std::vector<std::unique_ptr<Conn>> conns_;
};

} // namespace spawn
