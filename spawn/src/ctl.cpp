// ctl.cpp: `spawn ctl --control SOCKET COMMAND`: one HTTP/1.0 request to the master's control
// socket (unix path or HOST:PORT), the answer's body printed, its status turned into the exit code.
#include "ctl.hpp"

#include <fh/sys/unique_fd.hpp>

#include <cstring>
#include <iostream>
#include <netdb.h>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <vector>

namespace spawn {
namespace {

constexpr const char* kCtlUsage =
    "usage: spawn ctl --control SOCKET COMMAND\n"
    "  status [POOL]        JSON status of every pool, or of one\n"
    "  metrics              the Prometheus text\n"
    "  scale POOL +N|-N|N   N workers more, fewer, or exactly N in one pool\n"
    "  reload POOL          a new generation of one pool (old workers retire once it is ready)\n"
    "SOCKET is the master's --control: a unix socket path (commands need it) or HOST:PORT\n"
    "(status only). Exit status: 0 done, 1 refused or unreachable, 2 usage.\n";

fh::sys::UniqueFd connect_to(const std::string& where) {
  if (where.find('/') != std::string::npos) {
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    if (where.size() >= sizeof a.sun_path) throw std::runtime_error("socket path too long");
    std::memcpy(a.sun_path, where.c_str(), where.size() + 1);
    fh::sys::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd || ::connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
      fh::sys::throw_errno("connect " + where);
    return fd;
  }
  std::size_t colon = where.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error("give a socket path or HOST:PORT");
  addrinfo hints{}, *res = nullptr;
  hints.ai_socktype = SOCK_STREAM;
  std::string host = where.substr(0, colon), port = where.substr(colon + 1);
  if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &res); rc != 0)
    throw std::runtime_error(where + ": " + gai_strerror(rc));
  fh::sys::UniqueFd fd(::socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  int rc = fd ? ::connect(fd.get(), res->ai_addr, res->ai_addrlen) : -1;
  ::freeaddrinfo(res);
  if (rc != 0) fh::sys::throw_errno("connect " + where);
  return fd;
}

// Sends the request, returns {status, body}. Throws on I/O failure.
std::pair<int, std::string> round_trip(const std::string& where, const std::string& request) {
  fh::sys::UniqueFd fd = connect_to(where);
  timeval tv{10, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  for (std::size_t off = 0; off < request.size();) {
    ssize_t n = ::send(fd.get(), request.data() + off, request.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fh::sys::throw_errno("send to " + where);
    off += static_cast<std::size_t>(n);
  }
  std::string reply;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fh::sys::throw_errno("read from " + where);
    if (n == 0) break;
    reply.append(buf, static_cast<std::size_t>(n));
  }
  std::size_t head_end = reply.find("\r\n\r\n");
  std::size_t sp = reply.find(' ');
  if (reply.rfind("HTTP/", 0) != 0 || head_end == std::string::npos || sp == std::string::npos)
    throw std::runtime_error("no HTTP answer from " + where);
  return {std::atoi(reply.c_str() + sp + 1), reply.substr(head_end + 4)};
}

bool plain_name(const std::string& s) {
  return !s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                           "0123456789._-") == std::string::npos;
}

int usage(const std::string& why) {
  if (!why.empty()) std::cerr << "spawn ctl: " << why << "\n";
  std::cerr << kCtlUsage;
  return 2;
}

} // namespace

int ctl_main(int argc, const char* const* argv) {
  std::string control;
  std::vector<std::string> words;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      std::cout << kCtlUsage;
      return 0;
    }
    if (a == "--control" && i + 1 < argc)
      control = argv[++i];
    else if (a.rfind("--control=", 0) == 0)
      control = a.substr(10);
    else
      words.push_back(a);
  }
  if (control.empty()) return usage("--control SOCKET is required");
  if (words.empty()) return usage("no command");
  const std::string& cmd = words[0];
  for (std::size_t i = 1; i < words.size() && i < 2; ++i)
    if (!plain_name(words[i])) return usage("not a pool name: '" + words[i] + "'");
  std::string request;
  if (cmd == "status" && words.size() <= 2)
    request = "GET /status" + (words.size() == 2 ? "/" + words[1] : std::string());
  else if (cmd == "metrics" && words.size() == 1)
    request = "GET /metrics";
  else if (cmd == "reload" && words.size() == 2)
    request = "POST /pools/" + words[1] + "/reload";
  else if (cmd == "scale" && words.size() == 3) {
    const std::string& n = words[2];
    bool relative = !n.empty() && (n[0] == '+' || n[0] == '-');
    std::string digits = relative ? n.substr(1) : n;
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos ||
        digits.size() > 6)
      return usage("scale takes +N, -N or N, not '" + n + "'");
    request = "POST /pools/" + words[1] + "/scale?" +
              (relative ? "by=" + (n[0] == '-' ? std::string("-") : std::string()) + digits
                        : "to=" + digits);
  } else {
    return usage("unknown command or wrong arguments: " + cmd);
  }
  request += " HTTP/1.0\r\nHost: spawn\r\n\r\n";
  try {
    auto [status, body] = round_trip(control, request);
    (status >= 200 && status < 300 ? std::cout : std::cerr)
        << (status >= 200 && status < 300 ? "" : "spawn ctl: ") << body;
    return status >= 200 && status < 300 ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "spawn ctl: " << e.what() << "\n";
    return 1;
  }
}

} // namespace spawn
