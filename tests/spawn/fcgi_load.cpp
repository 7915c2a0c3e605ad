// fcgi_load.cpp: a small FastCGI load client for spawn's tests. N threads send GET requests (one
// connection each, as nginx does without keep-alive) for a duration or a count and report
// "sent=N ok=N failed=N pids=N" (pids: distinct worker pids seen in "pid=" bodies).
#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <netinet/in.h>
#include <set>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

struct Options {
  std::string connect, uri = "/pid";
  int concurrency = 4;
  double duration = 0;
  long requests = 0;
  bool print = false;
};

class Fd {
public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

private:
  int fd_;
};

int dial(const std::string& where) {
  if (where.find('/') != std::string::npos) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un sun{};
    sun.sun_family = AF_UNIX;
    std::snprintf(sun.sun_path, sizeof sun.sun_path, "%s", where.c_str());
    if (connect(fd, reinterpret_cast<sockaddr*>(&sun), sizeof sun) != 0) {
      close(fd);
      return -1;
    }
    return fd;
  }
  std::size_t colon = where.rfind(':');
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(static_cast<uint16_t>(std::stoi(where.substr(colon + 1))));
  inet_pton(AF_INET, where.substr(0, colon).c_str(), &sin.sin_addr);
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (connect(fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

void record(std::string& out, unsigned char type, const std::string& content) {
  unsigned char h[8] = {1,
                        type,
                        0,
                        1,
                        static_cast<unsigned char>(content.size() >> 8),
                        static_cast<unsigned char>(content.size() & 0xff),
                        0,
                        0};
  out.append(reinterpret_cast<char*>(h), 8);
  out += content;
}

void param(std::string& out, const std::string& k, const std::string& v) {
  out.push_back(static_cast<char>(k.size()));
  out.push_back(static_cast<char>(v.size()));
  out += k + v;
}

// One request; returns the response's stdout ("" + false on any failure).
bool one_request(const Options& o, std::string& body) {
  Fd fd(dial(o.connect));
  if (fd.get() < 0) return false;
  timeval tv{30, 0};
  setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string path = o.uri.substr(0, o.uri.find('?'));
  std::string query = o.uri.find('?') == std::string::npos ? "" : o.uri.substr(o.uri.find('?') + 1);
  std::string params, req;
  param(params, "REQUEST_METHOD", "GET");
  param(params, "SCRIPT_NAME", "");
  param(params, "PATH_INFO", path);
  param(params, "REQUEST_URI", o.uri);
  param(params, "QUERY_STRING", query);
  param(params, "SERVER_PROTOCOL", "HTTP/1.1");
  param(params, "GATEWAY_INTERFACE", "CGI/1.1");
  record(req, 1, std::string("\0\1\0\0\0\0\0\0", 8)); // BEGIN_REQUEST, responder, no keep-conn
  record(req, 4, params);
  record(req, 4, "");
  record(req, 5, "");
  if (send(fd.get(), req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size()))
    return false;
  std::string in;
  char buf[8192];
  for (;;) {
    ssize_t n = recv(fd.get(), buf, sizeof buf, 0);
    if (n <= 0) break;
    in.append(buf, static_cast<std::size_t>(n));
  }
  bool ended = false;
  for (std::size_t off = 0; off + 8 <= in.size();) {
    auto* h = reinterpret_cast<const unsigned char*>(in.data() + off);
    std::size_t len = (std::size_t{h[4]} << 8) | h[5];
    if (off + 8 + len + h[6] > in.size()) break;
    if (h[1] == 6) body.append(in, off + 8, len);
    if (h[1] == 3) ended = true;
    off += 8 + len + h[6];
  }
  return ended && body.find("Status: 200") != std::string::npos;
}

} // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc || (i < argc && std::strcmp(argv[i], "--print") == 0); ++i) {
    std::string a = argv[i];
    if (a == "--print") {
      o.print = true;
      continue;
    }
    std::string v = argv[++i];
    if (a == "--connect")
      o.connect = v;
    else if (a == "--uri")
      o.uri = v;
    else if (a == "--concurrency")
      o.concurrency = std::stoi(v);
    else if (a == "--duration")
      o.duration = std::stod(v);
    else if (a == "--requests")
      o.requests = std::stol(v);
  }
  if (o.connect.empty() || (o.duration <= 0 && o.requests <= 0)) {
    std::fprintf(stderr, "usage: fcgi_load --connect HOST:PORT|PATH [--uri U] [--concurrency N] "
                         "(--duration S | --requests N) [--print]\n");
    return 2;
  }
  std::atomic<long> sent{0}, ok{0}, failed{0};
  std::mutex mu;
  std::set<std::string> pids;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(o.duration);
  std::vector<std::thread> threads;
  for (int t = 0; t < o.concurrency; ++t)
    threads.emplace_back([&] {
      for (;;) {
        if (o.requests > 0 ? sent.fetch_add(1) >= o.requests
                           : std::chrono::steady_clock::now() >= deadline)
          break;
        if (o.requests <= 0) sent.fetch_add(1);
        std::string body;
        bool good = one_request(o, body);
        (good ? ok : failed).fetch_add(1);
        std::size_t p = body.find("pid=");
        std::lock_guard<std::mutex> lock(mu);
        if (p != std::string::npos) pids.insert(body.substr(p + 4, body.find('\n', p) - p - 4));
        if (o.print) std::fwrite(body.data(), 1, body.size(), stdout);
        if (!good) std::fprintf(stderr, "failed request: %s\n", body.substr(0, 200).c_str());
      }
    });
  for (auto& t : threads)
    t.join();
  long total = ok + failed;
  std::printf("sent=%ld ok=%ld failed=%ld pids=%zu\n", total, ok.load(), failed.load(),
              pids.size());
  return failed == 0 ? 0 : 1;
}
