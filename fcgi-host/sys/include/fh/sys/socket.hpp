// Listening sockets, bound by the project itself (never FCGX_OpenSocket, which exits on errors,
// binds every interface and steals live unix sockets): TCP on an explicit address, or a unix
// socket that replaces a dead socket file but never a live one. Used by spawn (pools, control
// socket), the FastCGI worker's --bind/--socket and cgi-gateway's.
#pragma once

#include <fh/sys/unique_fd.hpp>

#include <optional>
#include <string>
#include <sys/types.h>

namespace fh::sys {

// A bound, listening socket. Move-only; a unix socket's file is unlinked when the owner of the
// socket (the object that bound it) is destroyed.
class ListenSocket {
public:
  ListenSocket() = default;
  ListenSocket(UniqueFd fd, std::string address, std::string unix_path = {})
      : fd_(std::move(fd)), address_(std::move(address)), unix_path_(std::move(unix_path)) {}
  ListenSocket(ListenSocket&& o) noexcept = default;
  ListenSocket& operator=(ListenSocket&& o) noexcept;
  ListenSocket(const ListenSocket&) = delete;
  ListenSocket& operator=(const ListenSocket&) = delete;
  ~ListenSocket();

  int fd() const noexcept { return fd_.get(); }
  explicit operator bool() const noexcept { return static_cast<bool>(fd_); }
  // "127.0.0.1:9000", "[::1]:9000" (the port actually bound) or "unix:/run/app.sock".
  const std::string& address() const noexcept { return address_; }
  bool is_unix() const noexcept { return !unix_path_.empty(); }

private:
  void unlink_path() noexcept;

  UniqueFd fd_;
  std::string address_;
  std::string unix_path_;
};

// "HOST:PORT" or "[V6]:PORT" split; an empty host means 127.0.0.1. Throws std::invalid_argument
// (naming the text) when there is no port.
std::pair<std::string, std::string> split_host_port(const std::string& host_port);

// Binds and listens on host:port (numeric or resolvable host; port 0 picks a free one, see
// address()). SO_REUSEADDR, CLOEXEC. Throws std::invalid_argument when the host does not
// resolve, std::system_error naming the call and address otherwise.
ListenSocket listen_tcp(const std::string& host, const std::string& port, int backlog);
ListenSocket listen_tcp(const std::string& host_port, int backlog);

// Permissions and owner of a unix socket file.
struct UnixSocketOptions {
  std::optional<mode_t> mode; // default 0600 (bound under a umask, so never wider in between)
  std::string user, group;    // chown to these names when set
};

// Binds and listens on a unix socket at `path`. An existing path is replaced only if it is a
// socket nobody answers on; a live socket or another file type is refused (std::runtime_error).
ListenSocket listen_unix(const std::string& path, int backlog,
                         const UnixSocketOptions& options = {});

// True if `fd` is a socket in the listening state (SO_ACCEPTCONN).
bool is_listening_socket(int fd) noexcept;

} // namespace fh::sys
