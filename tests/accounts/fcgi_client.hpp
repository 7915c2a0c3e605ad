// A minimal FastCGI client for the accounts tests: one request per TCP connection to 127.0.0.1
// (as nginx does without keep-alive), returning the CGI-style response bytes. Not a library:
// enough protocol for our own workers (BEGIN_REQUEST, PARAMS, STDIN; reads until END_REQUEST).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace fh::test {

class FcgiClient {
public:
  explicit FcgiClient(int port) : port_(port) {}

  // Sends one request; returns the STDOUT stream, or nullopt on a connection/protocol failure.
  std::optional<std::string> request(const std::vector<std::pair<std::string, std::string>>& params,
                                     const std::string& body) const {
    const int fd = dial();
    if (fd < 0) return std::nullopt;
    std::string out;
    record(out, 1, std::string("\0\1\0\0\0\0\0\0", 8)); // BEGIN_REQUEST: responder, no keep
    std::string p;
    for (const auto& [k, v] : params)
      p += length(k.size()) + length(v.size()) + k + v;
    for (std::size_t i = 0; i < p.size(); i += 65535)
      record(out, 4, p.substr(i, 65535));
    record(out, 4, {});
    for (std::size_t i = 0; i < body.size(); i += 65535)
      record(out, 5, body.substr(i, 65535));
    record(out, 5, {});
    auto result = exchange(fd, out);
    ::close(fd);
    return result;
  }

private:
  int dial() const {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_port = htons(static_cast<std::uint16_t>(port_));
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin) != 0) {
      ::close(fd);
      return -1;
    }
    return fd;
  }
  static std::string length(std::size_t n) {
    if (n < 128) return std::string(1, static_cast<char>(n));
    const auto u = static_cast<std::uint32_t>(n) | 0x80000000u;
    return {static_cast<char>(u >> 24), static_cast<char>(u >> 16), static_cast<char>(u >> 8),
            static_cast<char>(u)};
  }
  static void record(std::string& out, int type, const std::string& content) {
    const auto n = content.size();
    const char h[8] = {
        1, static_cast<char>(type), 0, 1, static_cast<char>(n >> 8), static_cast<char>(n & 0xff), 0,
        0};
    out.append(h, 8).append(content);
  }
  static bool read_n(int fd, char* buf, std::size_t n) {
    while (n > 0) {
      const auto r = ::read(fd, buf, n);
      if (r <= 0) return false;
      buf += r;
      n -= static_cast<std::size_t>(r);
    }
    return true;
  }
  static std::optional<std::string> exchange(int fd, const std::string& out) {
    for (std::size_t off = 0; off < out.size();) {
      const auto w = ::write(fd, out.data() + off, out.size() - off);
      if (w <= 0) return std::nullopt;
      off += static_cast<std::size_t>(w);
    }
    std::string stdout_data;
    for (;;) {
      unsigned char h[8];
      if (!read_n(fd, reinterpret_cast<char*>(h), 8)) return std::nullopt;
      const std::size_t len = (std::size_t{h[4]} << 8) | h[5];
      std::string content(len + h[6], '\0');
      if (!read_n(fd, content.data(), content.size())) return std::nullopt;
      if (h[1] == 6) stdout_data.append(content, 0, len);
      if (h[1] == 3) return stdout_data; // END_REQUEST
    }
  }
  int port_;
};

} // namespace fh::test
