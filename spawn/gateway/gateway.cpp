// cgi-gateway: the worker loop and the per-request flow (resolve → slot → spawn → pump →
// status). The only file that includes <fcgiapp.h>; uses the FCGX_* API only.
#include "gateway.hpp"

#include <cstdlib>
#include <fcgiapp.h>
#include <optional>
#include <sys/socket.h>
#include <sys/wait.h>
#include <system_error>

#include "body_spool.hpp"
#include "cgi_env.hpp"
#include "cgi_header.hpp"
#include "cgi_pump.hpp"
#include "child_process.hpp"
#include "listener.hpp"
#include "path_resolver.hpp"

namespace fh::gateway {
namespace {

class FcgxBody final : public BodySource {
public:
  explicit FcgxBody(FCGX_Stream* in) : in_(in) {}
  std::size_t read(char* buf, std::size_t n) override {
    const int got = FCGX_GetStr(buf, static_cast<int>(n), in_);
    return got > 0 ? static_cast<std::size_t>(got) : 0;
  }

private:
  FCGX_Stream* in_;
};

class FcgxSink final : public ResponseSink {
public:
  explicit FcgxSink(FCGX_Stream* out) : out_(out) {}
  bool write(std::string_view d) override {
    return FCGX_PutStr(d.data(), static_cast<int>(d.size()), out_) == static_cast<int>(d.size());
  }

private:
  FCGX_Stream* out_;
};

// Owns one FCGX_Request for the life of a worker thread. A connection we accepted ourselves is
// handed to libfcgi through ipcFd (keepConnection set so FCGX_Accept_r's implicit finish does
// not close it); see docs/cgi-gateway.md, "libfcgi internals we rely on".
class FcgxSession {
public:
  FcgxSession() { FCGX_InitRequest(&req_, -1, 0); }
  FcgxSession(const FcgxSession&) = delete;
  FcgxSession& operator=(const FcgxSession&) = delete;
  ~FcgxSession() { FCGX_Free(&req_, 1); }

  // Reads BEGIN_REQUEST + PARAMS from `conn`. False if libfcgi rejected the connection (it is
  // closed then). `keep_conn_asked` reports whether the web server set FCGI_KEEP_CONN.
  bool begin(sys::UniqueFd conn, bool& keep_conn_asked) {
    req_.ipcFd = conn.release();
    req_.keepConnection = 1;
    if (FCGX_Accept_r(&req_) != 0) {
      FCGX_Free(&req_, 1);
      return false;
    }
    keep_conn_asked = req_.keepConnection != 0;
    return true;
  }
  // Breaks the connection without FCGI_END_REQUEST, so nginx reports an upstream error and
  // the client sees a broken response instead of a truncated one that looks complete.
  void abort() { ::shutdown(req_.ipcFd, SHUT_RDWR); }
  // Reads the rest of the body (a kept or lingering connection must not see stale STDIN
  // records), ends the request and closes the connection. False if the client had gone.
  bool finish() {
    char buf[16384];
    while (FCGX_GetStr(buf, sizeof buf, req_.in) > 0) {
    }
    const bool ok = FCGX_GetError(req_.out) == 0;
    req_.keepConnection = 0;
    FCGX_Finish_r(&req_);
    return ok;
  }
  FCGX_Request& req() { return req_; }

private:
  FCGX_Request req_{};
};

// X-Request-Id from the web server if it is short and plain, else "t<thread>.<n>".
std::string request_id(const Params& params, int thread, unsigned long n) {
  const std::string_view given = param(params, "HTTP_X_REQUEST_ID");
  const bool plain = !given.empty() && given.size() <= 64 &&
                     given.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                             "0123456789._-") == std::string_view::npos;
  return plain ? std::string(given) : "t" + std::to_string(thread) + "." + std::to_string(n);
}

std::string dir_of(const std::string& file) {
  return file.substr(0, file.rfind('/') + 1);
}

void log_late(const GatewayContext& ctx, const std::string& rid) {
  ctx.log.log(Level::Warning, rid,
              "client error: request did not arrive whole within --read-timeout " +
                  std::to_string(ctx.config.read_timeout.count() / 1000) +
                  "s, connection closed (not run)");
}

// Logs the outcome of a pumped request and sends the gateway's own error response if the
// script sent nothing. `ws` is the leader's wait status after reaping. Returns true if the
// response was started but cut short (timeout, or the script died of a signal): the caller
// must then abort the connection.
bool conclude(const GatewayContext& ctx, const std::string& rid, const std::string& what,
              const PumpResult& r, int ws, ResponseSink& sink) {
  using End = PumpResult::End;
  const std::string tail = " (" + describe_wait_status(ws) + ")";
  int error_status = 0;
  switch (r.end) {
  case End::Complete:
    ctx.log.log(WIFEXITED(ws) && WEXITSTATUS(ws) == 0 ? Level::Info : Level::Warning, rid,
                what + " -> " + std::to_string(r.status) + ", body in " +
                    std::to_string(r.body_in) + " out " + std::to_string(r.body_out) + " bytes" +
                    tail + (WIFSIGNALED(ws) ? ", connection aborted" : ""));
    return WIFSIGNALED(ws);
  case End::ClientGone:
    ctx.log.log(Level::Info, rid, what + ": " + r.detail + tail);
    return false;
  case End::Timeout:
    error_status = r.head_sent ? 0 : 504;
    ctx.log.log(Level::Warning, rid,
                "cgi error: " + what + " exceeded --cgi-timeout " +
                    std::to_string(ctx.config.cgi_timeout.count()) + "s, process group killed" +
                    (r.head_sent ? ", response truncated" : ", sent 504") + tail);
    break;
  case End::BadHeader:
  case End::NoHeader:
    error_status = 502;
    ctx.log.log(Level::Warning, rid, "cgi error: " + what + ": " + r.detail + tail + ", sent 502");
    break;
  }
  if (error_status) sink.write(simple_response(error_status));
  return r.end == End::Timeout && r.head_sent;
}

// Runs the resolved script with the spooled body and streams its response. Returns true if
// the connection must be aborted (see conclude). Throws std::system_error if it cannot start.
bool run_script(const GatewayContext& ctx, const std::string& rid, const ResolvedScript& script,
                const Params& params, BodySource& body, ResponseSink& sink) {
  SpawnSpec spec{
      script.filename, {script.filename}, build_cgi_env(params, script), dir_of(script.filename)};
  for (const std::string& kv : ctx.config.set_env) { // --setenv replaces a same-named variable
    const std::string_view name = std::string_view(kv).substr(0, kv.find('=') + 1);
    std::erase_if(spec.envp, [name](const std::string& e) { return e.starts_with(name); });
    spec.envp.push_back(kv);
  }
#if defined(__SANITIZE_ADDRESS__)
  // ASan builds only (./run test --sanitize): the sanitizer options reach the CGI programs too,
  // so that a finding in one under test is reported like any other.
  for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"})
    if (const char* value = std::getenv(name)) spec.envp.push_back(std::string(name) + "=" + value);
#endif
  const auto deadline = std::chrono::steady_clock::now() + ctx.config.cgi_timeout;
  ChildProcess child = ChildProcess::spawn(spec);
  const std::string what = script.filename + " pid " + std::to_string(child.pid());
  auto on_stderr = [&](std::string_view line) {
    ctx.log.log(Level::Info, rid, "stderr " + what + ": " + std::string(line));
  };
  const PumpResult r = pump_cgi(child, body, sink, on_stderr, PumpOptions{deadline});
  const int ws = child.reap();
  return conclude(ctx, rid, what, r, ws, sink);
}

// Serves one accepted request end to end: resolve, spool the body (before taking a CGI slot,
// so slow uploads hold none), wait for a slot, run. Returns true if the connection must be
// aborted (see conclude). Never throws except bad_alloc.
bool serve(const GatewayContext& ctx, int thread_index, FCGX_Request& req, const std::string& rid,
           const Params& params) {
  FcgxSink sink(req.out);
  const std::string path = request_path(param(params, "SCRIPT_NAME"), param(params, "PATH_INFO"),
                                        param(params, "DOCUMENT_URI"));
  const ResolvedScript script = resolve_script(ctx.config.cgi_root, ctx.config.url_prefix, path);
  if (script.status != 0) {
    // The path (and the segment some reasons quote) is the client's: capped and escaped.
    ctx.log.log(Level::Warning, rid,
                "client error: " + std::to_string(script.status) + " for " + sys::log_safe(path) +
                    ": " + sys::log_safe(script.reason));
    sink.write(simple_response(script.status));
    return false;
  }
  std::optional<BodySpool> body;
  try {
    FcgxBody in(req.in);
    body.emplace(BodySpool::fill(in, ctx.config.tmp_dir));
  } catch (const std::system_error& e) {
    ctx.log.log(Level::Error, rid, std::string("cannot spool the request body: ") + e.what());
    sink.write(simple_response(500));
    return false;
  }
  if (ctx.deadlines.disarm(thread_index)) { // the body stopped coming: nothing runs
    log_late(ctx, rid);
    return true;
  }
  CgiSlots::Slot slot = ctx.slots.acquire(ctx.config.queue_wait);
  if (!slot) {
    ctx.log.log(Level::Warning, rid,
                "overload: no free CGI slot for " + sys::log_safe(path) + ", sent 503");
    sink.write(simple_response(503));
    return false;
  }
  try {
    return run_script(ctx, rid, script, params, *body, sink);
  } catch (const std::system_error& e) {
    ctx.log.log(Level::Warning, rid,
                std::string("cgi error: cannot run ") + script.filename + ": " + e.what() +
                    ", sent 502");
    sink.write(simple_response(502));
  }
  return false;
}

} // namespace

void worker_loop(const GatewayContext& ctx, int thread_index) {
  FcgxSession session;
  unsigned long served = 0;
  bool warned_keep_conn = false;
  for (;;) {
    sys::UniqueFd conn = accept_connection(ctx.listen_fd, ctx.stop_fd);
    if (!conn) return;
    try {
      ctx.deadlines.arm(thread_index, conn.get(),
                        ReadDeadlines::Clock::now() + ctx.config.read_timeout);
    } catch (const std::system_error& e) { // out of fds for the watchdog's dup: serve it anyway
      ctx.log.log(Level::Warning, "-",
                  std::string("no --read-timeout for this connection: ") + e.what());
    }
    bool keep_conn = false;
    if (!session.begin(std::move(conn), keep_conn)) {
      if (ctx.deadlines.disarm(thread_index)) log_late(ctx, "-");
      continue;
    }
    ++served;
    try {
      const Params params = params_from_envp(session.req().envp);
      const std::string rid = request_id(params, thread_index, served);
      ctx.board.begin(thread_index, param(params, "REQUEST_METHOD"), param(params, "REQUEST_URI"));
      if (keep_conn && !warned_keep_conn) {
        warned_keep_conn = true;
        ctx.log.log(Level::Warning, rid,
                    "the web server set FCGI_KEEP_CONN; the gateway closes each connection after "
                    "its response (use fastcgi_keep_conn off)");
      }
      if (serve(ctx, thread_index, session.req(), rid, params)) session.abort();
    } catch (const std::exception& e) { // bad_alloc and friends: this request only
      ctx.log.log(Level::Error, "-", std::string("request failed: ") + e.what());
    }
    // The deadline still covers the rest of a body that was not read (an early error answer).
    if (!session.finish()) ctx.log.log(Level::Info, "-", "client went away before the end");
    if (ctx.deadlines.disarm(thread_index)) log_late(ctx, "-");
    ctx.board.end(thread_index); // after the whole answer, as the library's worker counts
  }
}

} // namespace fh::gateway
