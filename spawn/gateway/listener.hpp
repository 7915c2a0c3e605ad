// cgi-gateway: the listening socket (fd 0 as spawn/spawn-fcgi hand it over, or one we bind
// with --bind/--socket) and accepting connections from it with a stop fd.
// Not responsible for the FastCGI protocol (libfcgi reads the accepted connections).
#pragma once

#include <string>

#include "unique_fd.hpp"

namespace fh::gateway {

struct Listener {
  UniqueFd owned;      // set when we bound the socket ourselves
  int fd = -1;         // the listening socket
  std::string address; // for the log: "fd 0", "127.0.0.1:9000", "unix:/run/x.sock"
};

// True if `fd` is a socket in the listening state.
bool is_listening_socket(int fd);

// Binds HOST:PORT (numeric or resolvable host, "[v6]:port" allowed; port 0 picks a free one,
// reported in `address`). Throws std::system_error/std::runtime_error naming the address.
Listener bind_tcp(const std::string& host_port, int backlog);

// Binds a unix socket at `path` with permissions `mode`. An existing path is replaced only if
// it is a socket nobody answers on; a live socket or another file type is an error (throws).
Listener bind_unix(const std::string& path, unsigned mode, int backlog);

// Puts the listening socket in non-blocking mode (shared with sibling gateway processes, which
// all accept the same way) so accept_connection can multiplex it with the stop fd.
void prepare_listener(int fd);

// Waits until a connection arrives on `listen_fd` or `stop_fd` becomes readable. Returns the
// connected socket (CLOEXEC, blocking) or an empty UniqueFd when stopping. Transient accept
// errors (another process won the race, aborted connections, EMFILE) are retried; EMFILE after
// a short pause. Never throws.
UniqueFd accept_connection(int listen_fd, int stop_fd);

} // namespace fh::gateway
