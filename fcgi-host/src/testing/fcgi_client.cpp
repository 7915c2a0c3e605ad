// fh::testing::fcgi_request: one FastCGI request on a fresh connection, as a web server sends it.
// The records are built with the worker's own encoder (io/fcgi_protocol); the answer is read
// record by record up to FCGI_END_REQUEST, writing and reading in one poll loop so that a worker
// answering before it has read a large body never deadlocks us.
#include "fcgihost/testing.hpp"

#include "io/fcgi_protocol.hpp"
#include <fh/sys/unique_fd.hpp>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fastcgi.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <system_error>

namespace fh::testing {
namespace {

using fh::sys::UniqueFd;

// A connected, non-blocking socket to "HOST:PORT" (IPv4) or a unix socket path (has a '/').
UniqueFd dial(const std::string& address) {
  UniqueFd fd;
  int rc = -1;
  if (address.find('/') != std::string::npos) {
    sockaddr_un sun{};
    sun.sun_family = AF_UNIX;
    if (address.size() >= sizeof sun.sun_path) return {};
    std::memcpy(sun.sun_path, address.c_str(), address.size() + 1);
    fd.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (fd) rc = ::connect(fd.get(), reinterpret_cast<sockaddr*>(&sun), sizeof sun);
  } else {
    const auto colon = address.rfind(':');
    if (colon == std::string::npos) return {};
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_port = htons(static_cast<std::uint16_t>(std::atoi(address.c_str() + colon + 1)));
    if (::inet_pton(AF_INET, address.substr(0, colon).c_str(), &sin.sin_addr) != 1) return {};
    fd.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (fd) rc = ::connect(fd.get(), reinterpret_cast<sockaddr*>(&sin), sizeof sin);
  }
  if (rc != 0) return {};
  ::fcntl(fd.get(), F_SETFL, O_NONBLOCK);
  return fd;
}

void append_stream(std::string& out, int type, std::string_view data) {
  for (std::size_t i = 0; i < data.size(); i += FCGI_MAX_LENGTH)
    fh::detail::append_fcgi_record(out, type, 1, data.substr(i, FCGI_MAX_LENGTH));
  fh::detail::append_fcgi_record(out, type, 1, {}); // end of stream
}

// Consumes the complete records at the front of `in`; true once FCGI_END_REQUEST was seen.
bool take_records(std::string& in, FcgiResult& result) {
  std::size_t pos = 0;
  bool ended = false;
  while (!ended && in.size() - pos >= FCGI_HEADER_LEN) {
    const auto* h = reinterpret_cast<const unsigned char*>(in.data() + pos);
    const std::size_t len = (std::size_t{h[4]} << 8) | h[5];
    if (in.size() - pos < FCGI_HEADER_LEN + len + h[6]) break;
    const std::string_view content(in.data() + pos + FCGI_HEADER_LEN, len);
    if (h[1] == FCGI_STDOUT) result.out.append(content);
    if (h[1] == FCGI_STDERR) result.err.append(content);
    if (h[1] == FCGI_END_REQUEST && len >= 5) {
      const auto* c = reinterpret_cast<const unsigned char*>(content.data());
      result.app_status =
          static_cast<int>((std::uint32_t{c[0]} << 24) | (c[1] << 16) | (c[2] << 8) | c[3]);
      result.protocol_status = c[4];
      ended = true;
    }
    pos += FCGI_HEADER_LEN + len + h[6];
  }
  in.erase(0, pos);
  return ended;
}

} // namespace

std::optional<FcgiResult> fcgi_request(const std::string& address, const Pairs& params,
                                       std::string_view body, std::chrono::milliseconds timeout) {
  UniqueFd fd = dial(address);
  if (!fd) return std::nullopt;
  std::string out;
  const char begin[8] = {0, FCGI_RESPONDER, 0, 0, 0, 0, 0, 0}; // no FCGI_KEEP_CONN
  fh::detail::append_fcgi_record(out, FCGI_BEGIN_REQUEST, 1, std::string_view(begin, 8));
  append_stream(out, FCGI_PARAMS, fh::detail::encode_fcgi_params(params));
  append_stream(out, FCGI_STDIN, body);

  FcgiResult result;
  std::string in;
  std::string_view pending = out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd p{fd.get(), static_cast<short>(POLLIN | (pending.empty() ? 0 : POLLOUT)), 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) < 0 && errno != EINTR)
      throw std::system_error(errno, std::generic_category(), "poll " + address);
    if ((p.revents & POLLOUT) != 0) {
      const ssize_t n = ::send(fd.get(), pending.data(), pending.size(), MSG_NOSIGNAL);
      if (n > 0) pending.remove_prefix(static_cast<std::size_t>(n));
      if (n < 0 && errno != EAGAIN && errno != EINTR) pending = {}; // the worker stopped reading
    }
    if ((p.revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      char buf[65536];
      const ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return std::nullopt;
      if (n > 0) in.append(buf, static_cast<std::size_t>(n));
      if (take_records(in, result)) return result;
    }
  }
}

} // namespace fh::testing
