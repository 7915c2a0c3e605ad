// slow_app.cpp: a tiny app on the real framework (fcgi-host's leader/follower FastCGI loop) for
// spawn's keep-alive and max-queue-wait tests: "/pid" answers at once with the worker's pid,
// "/sleep?ms=N" holds its thread for N ms (at most 30 s) first. Built as slow.fcgi only.
#include <fcgihost/fcgihost.hpp>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <unistd.h>

namespace {

fh::Response pid_text(const std::string& prefix) {
  return fh::Response::text(prefix + "pid=" + std::to_string(::getpid()) + "\n");
}

} // namespace

fh::App make_app() {
  fh::App app("slow");
  app.route(
      "/pid", {fh::GET}, [](fh::Request&) { return pid_text(""); }, "pid");
  app.route(
      "/sleep", {fh::GET},
      [](fh::Request& rq) {
        long ms = 0;
        try {
          ms = std::stol(rq.args().get("ms").value_or("0"));
        } catch (const std::exception&) {
          ms = 0;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(std::clamp(ms, 0L, 30000L)));
        return pid_text("slept\n");
      },
      "sleep");
  return app;
}
