// The FastCGI worker's listen socket: fd 0 as spawn / spawn-fcgi hand it over, or one the worker
// binds itself for standalone use (--bind HOST:PORT, loopback by default, or --socket PATH).
#pragma once

#include "sys/unique_fd.hpp"

#include <string>

namespace fh::detail {

// True if `fd` is a listening socket (SO_ACCEPTCONN).
bool is_listening_socket(int fd) noexcept;
// Binds and listens on "HOST:PORT" (IPv4 or [IPv6]); throws std::system_error naming the address.
UniqueFd listen_tcp(const std::string& host_port, int backlog);
// Binds and listens on a unix socket; refuses to replace a socket something still answers on.
UniqueFd listen_unix(const std::string& path, int backlog);

} // namespace fh::detail
