// spawn_fixture_worker.cpp: a tiny libfcgi (FCGX_*) worker for spawn's fault tests. Takes the
// listen socket at fd 0, publishes to spawn's scoreboard, and offers /pid, /sleep?ms=N, /crash,
// /grow?mb=N; FIXTURE_BOOT_EXIT=N makes it exit N at start-up (boot failure).
#include <fh/sys/scoreboard_publisher.hpp>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcgiapp.h>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

volatile sig_atomic_t g_stop = 0; // set by SIGTERM; the accept loop ends

extern "C" void on_term(int) {
  g_stop = 1;
  FCGX_ShutdownPending();
}

extern "C" void on_quit(int) {
  _exit(0);
}

long query_number(const std::string& query, const std::string& key) {
  std::size_t p = query.find(key + "=");
  return p == std::string::npos ? 0 : std::atol(query.c_str() + p + key.size() + 1);
}

} // namespace

int main() {
  if (const char* code = std::getenv("FIXTURE_BOOT_EXIT")) {
    std::fprintf(stderr, "fixture: boot failure requested (exit %s)\n", code);
    return std::atoi(code);
  }
  struct sigaction sa {};
  sa.sa_handler = on_term;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0; // no SA_RESTART: accept() returns EINTR
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGUSR1, &sa, nullptr);
  sa.sa_handler = on_quit;
  sigaction(SIGQUIT, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);

  fh::sys::worker::Publisher board;
  board.attach_from_env();
  FCGX_Init();
  FCGX_Request rq;
  FCGX_InitRequest(&rq, 0, FCGI_FAIL_ACCEPT_ON_INTR);
  board.init(1);
  std::fprintf(stderr, "fixture: worker %d ready\n", static_cast<int>(getpid()));
  std::vector<std::string> ballast;
  const char* max_env = std::getenv("FH_MAX_REQUESTS");
  long max_requests = max_env ? std::atol(max_env) : 0, served = 0;
  while (!g_stop && (max_requests == 0 || served < max_requests) && FCGX_Accept_r(&rq) >= 0) {
    ++served;
    const char* m = FCGX_GetParam("REQUEST_METHOD", rq.envp);
    const char* u = FCGX_GetParam("REQUEST_URI", rq.envp);
    const char* s = FCGX_GetParam("SCRIPT_NAME", rq.envp);
    const char* pi = FCGX_GetParam("PATH_INFO", rq.envp);
    const char* q = FCGX_GetParam("QUERY_STRING", rq.envp);
    std::string method = m ? m : "GET", query = q ? q : "";
    std::string path = std::string(s ? s : "") + (pi ? pi : "");
    std::string uri = u ? u : path + (query.empty() ? "" : "?" + query);
    board.begin(0, method, uri);
    char buf[4096];
    while (FCGX_GetStr(buf, sizeof buf, rq.in) > 0) {
    }
    std::string body;
    if (path.find("/sleep") != std::string::npos) {
      usleep(static_cast<useconds_t>(query_number(query, "ms") * 1000));
      body = "slept\n";
    } else if (path.find("/crash") != std::string::npos) {
      std::fprintf(stderr, "fixture: crashing on purpose\n");
      std::abort();
    } else if (path.find("/grow") != std::string::npos) {
      ballast.emplace_back(static_cast<std::size_t>(query_number(query, "mb")) << 20, 'x');
      body = "grew\n";
    }
    body += "pid=" + std::to_string(getpid()) + "\n";
    std::string head = "Status: 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
                       std::to_string(body.size()) + "\r\n\r\n";
    FCGX_PutStr(head.data(), static_cast<int>(head.size()), rq.out);
    FCGX_PutStr(body.data(), static_cast<int>(body.size()), rq.out);
    FCGX_Finish_r(&rq);
    board.end(0);
  }
  std::fprintf(stderr, "fixture: worker %d exits\n", static_cast<int>(getpid()));
  return 0;
}
