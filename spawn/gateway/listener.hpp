// cgi-gateway: accepting connections from the listening socket (fd 0 as spawn/spawn-fcgi hand it
// over, or one fh_sys bound for --bind/--socket) with a stop fd.
// Not responsible for binding (fh/sys/socket.hpp) or the FastCGI protocol (libfcgi reads the
// accepted connections).
#pragma once

#include <fh/sys/unique_fd.hpp>

namespace fh::gateway {

// Puts the listening socket in non-blocking mode (shared with sibling gateway processes, which
// all accept the same way) so accept_connection can multiplex it with the stop fd.
void prepare_listener(int fd);

// Waits until a connection arrives on `listen_fd` or `stop_fd` becomes readable. Returns the
// connected socket (CLOEXEC, blocking) or an empty UniqueFd when stopping. Transient accept
// errors (another process won the race, aborted connections, EMFILE) are retried; EMFILE after
// a short pause. Never throws.
sys::UniqueFd accept_connection(int listen_fd, int stop_fd);

} // namespace fh::gateway
