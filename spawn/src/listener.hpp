// listener.hpp: the listen sockets the master binds and holds (never FCGX_OpenSocket): TCP on an
// explicit address (127.0.0.1 by default) or a unix socket that is never stolen from a live
// owner; plus the kernel's accept-queue depth for the status page.
#pragma once

#include "config.hpp"
#include "unique_fd.hpp"

#include <string>

namespace spawn {

class Listener {
public:
  // Binds and listens as the pool says. Throws std::system_error / ConfigError with a message
  // naming the address. A unix socket path that answers connect() is refused; a dead one removed.
  explicit Listener(const PoolConfig& pool);
  Listener(Listener&&) = default;
  Listener& operator=(Listener&&) = default;
  ~Listener(); // unlinks a unix socket this object created

  int fd() const { return fd_.get(); }
  const std::string& describe() const { return text_; } // "127.0.0.1:9000" or "unix:/path"
  bool is_unix() const { return !path_.empty(); }

  // Connections waiting in the accept queue (-1 when unknown), and the queue's limit.
  int queue_depth() const;
  int queue_limit() const { return backlog_; }

private:
  UniqueFd fd_;
  std::string path_; // unix socket we own (unlinked on destruction)
  std::string text_;
  int backlog_ = 0;
};

} // namespace spawn
