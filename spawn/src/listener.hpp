// listener.hpp: a pool's listen socket, which the master binds (fh/sys/socket.hpp: TCP on an
// explicit address, 127.0.0.1 by default, or a unix socket never stolen from a live owner) and
// holds; plus the kernel's accept-queue depth for the status page.
#pragma once

#include "config.hpp"

#include <fh/sys/socket.hpp>

#include <string>

namespace spawn {

class Listener {
public:
  // Binds and listens as the pool says. Throws std::system_error / std::invalid_argument /
  // std::runtime_error with a message naming the address. A unix socket path that answers
  // connect() is refused; a dead one removed. The unix socket file goes with this object.
  explicit Listener(const PoolConfig& pool);

  int fd() const { return sock_.fd(); }
  const std::string& describe() const { return sock_.address(); } // "127.0.0.1:9000", "unix:/p"
  bool is_unix() const { return sock_.is_unix(); }

  // Connections waiting in the accept queue (-1 when unknown), and the queue's limit.
  int queue_depth() const;
  int queue_limit() const { return backlog_; }

private:
  fh::sys::ListenSocket sock_;
  int backlog_ = 0;
};

} // namespace spawn
