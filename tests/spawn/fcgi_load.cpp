// fcgi_load.cpp: a small FastCGI load client for spawn's tests. N threads send GET requests (one
// connection each, as nginx does without keep-alive; fh::testing::fcgi_request) for a duration or
// a count and report "sent=N ok=N failed=N pids=N" (pids: distinct worker pids seen in "pid="
// bodies).
#include "fcgihost/testing.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Options {
  std::string connect, uri = "/pid";
  int concurrency = 4;
  double duration = 0;
  long requests = 0;
  bool print = false;
};

// One request; `body` gets the response's stdout. False on any failure or a status other than 200.
bool one_request(const Options& o, std::string& body) {
  const auto q = o.uri.find('?');
  const fh::testing::Pairs params = {
      {"REQUEST_METHOD", "GET"},
      {"SCRIPT_NAME", ""},
      {"PATH_INFO", o.uri.substr(0, q)},
      {"REQUEST_URI", o.uri},
      {"QUERY_STRING", q == std::string::npos ? "" : o.uri.substr(q + 1)},
      {"SERVER_PROTOCOL", "HTTP/1.1"},
      {"GATEWAY_INTERFACE", "CGI/1.1"}};
  const auto r = fh::testing::fcgi_request(o.connect, params, "", std::chrono::seconds(30));
  if (!r) return false;
  body = r->out;
  return body.find("Status: 200") != std::string::npos;
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
