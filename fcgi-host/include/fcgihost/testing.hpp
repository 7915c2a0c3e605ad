// fh::testing: a test client for fcgi-host apps (library fcgihost_testing, never linked into an
// app). One Client API drives an app three ways: in-process through App::handle, as its NAME.cgi
// (fork+exec with an RFC 3875 environment and stdin) and as its NAME.fcgi (a worker on a loopback
// socket, spoken to in FastCGI). The client keeps cookies like a browser; processes it starts are
// killed and reaped when their owner goes away. Also: a FastCGI request function for load tools,
// and a program runner for an app's command-line tools.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace fh {
class App;
}

namespace fh::testing {

using Pairs = std::vector<std::pair<std::string, std::string>>;

// --- request bodies --------------------------------------------------------------------------

struct Body {
  std::string content_type = {}; // "" : no CONTENT_TYPE
  std::string data = {};
};
// `value` serialized, as application/json.
Body json(const nlohmann::json& value);
// URL-encoded fields, as application/x-www-form-urlencoded.
Body form(const Pairs& fields);
// Any bytes with any content type.
Body raw(std::string data, std::string content_type = "application/octet-stream");
// Percent-encodes `s` for a query string or form (space as '+').
std::string url_encode(std::string_view s);

// --- what goes to the app --------------------------------------------------------------------

// A request as a front end sees it: CGI meta-variables and the body bytes.
struct CgiRequest {
  Pairs params = {};
  std::string body = {};
  bool keep_stdin_open = false; // CGI only: do not close stdin after the body
};

struct RequestOptions {
  Pairs headers = {}; // {"X-Token", "1"} becomes HTTP_X_TOKEN; Content-Type/-Length as CGI names
  // Meta-variables set after the computed ones ({"SCRIPT_NAME", "/app"}); nullopt removes one.
  std::vector<std::pair<std::string, std::optional<std::string>>> env = {};
  bool keep_stdin_open = false; // CGI only: the app must answer without reading to EOF
  bool send_cookies = true;     // false: this request carries no Cookie header
};

// --- what comes back -------------------------------------------------------------------------

struct TestResponse {
  int status = 0; // from the Status header, 200 without one
  Pairs headers;  // in order, without Status
  std::string body;
  std::string raw;              // the whole CGI-style answer
  std::string errors;           // CGI: the process's stderr; FastCGI: the FCGI_STDERR stream
  std::optional<int> exit_code; // CGI only: the process's exit status

  // The first header `name` (case-insensitive), or nullopt.
  std::optional<std::string> header(std::string_view name) const;
  std::vector<std::string> headers_named(std::string_view name) const;
  // The Set-Cookie header for cookie `name`, or "".
  std::string set_cookie(std::string_view name) const;
  bool contains(std::string_view text) const { return body.find(text) != std::string::npos; }
  // The body as JSON; throws std::runtime_error (quoting the body) if it is not JSON.
  nlohmann::json json() const;
};

// Parses a CGI response ("Status: 404 Not Found\r\nName: v\r\n\r\nbody"). Throws
// std::runtime_error if there is no header block.
TestResponse parse_cgi_response(std::string raw);

// --- where requests go -----------------------------------------------------------------------

// An app under test, reachable one way. exchange() throws std::runtime_error when no answer
// comes (timeout, a process that died, a broken protocol). Several threads may call exchange()
// at once (each CGI request is its own process, each FastCGI request its own connection).
class Target {
public:
  virtual ~Target() = default;
  virtual TestResponse exchange(const CgiRequest& request) = 0;
  virtual const char* mode_name() const noexcept = 0; // "in-process", "cgi", "fcgi"
};

// App::handle in this process, with the front ends' body reading and response writing. The app
// must outlive the target.
class InProcess final : public Target {
public:
  explicit InProcess(const App& app) : app_(app) {}
  TestResponse exchange(const CgiRequest& request) override;
  const char* mode_name() const noexcept override { return "in-process"; }

private:
  const App& app_;
};

struct CgiOptions {
  std::vector<std::string> env = {};         // "NAME=value" added to each request's environment
  std::chrono::milliseconds timeout{10'000}; // per request; then the process is killed
};

// NAME.cgi: one process per request, with exactly the request's meta-variables (plus
// options.env and the sanitizer options of this process) as its environment.
class CgiBinary final : public Target {
public:
  explicit CgiBinary(std::string path, CgiOptions options = {});
  TestResponse exchange(const CgiRequest& request) override;
  const char* mode_name() const noexcept override { return "cgi"; }

private:
  std::string path_;
  CgiOptions options_;
};

// --- processes -------------------------------------------------------------------------------

struct ProcessOptions {
  std::vector<std::string> env = {}; // "NAME=value" added to this process's environment
  int stdin_fd = -1;                 // the child's fd 0 (a listening socket, say); -1: /dev/null
  std::string stderr_path = {};      // appended to; "" : inherit this process's stderr
};

// A long-running child (a worker, spawn, a server), stdout to /dev/null. Killed (SIGKILL) and
// reaped on destruction unless already reaped; it also dies with this process. Move-only.
class Process {
public:
  // Starts argv (argv[0] is a path); throws std::system_error if fork fails (exec failure: the
  // child exits 127).
  explicit Process(const std::vector<std::string>& argv, const ProcessOptions& options = {});
  ~Process();
  Process(Process&& other) noexcept;
  Process& operator=(Process&& other) noexcept;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const noexcept { return pid_; }
  // False once the child has exited (it is then reaped).
  bool alive();
  // Sends `sig` and waits up to `timeout` for the exit: the wait status, or nullopt if it still
  // runs. After an exit, further calls return the same status.
  std::optional<int> stop(int sig, std::chrono::milliseconds timeout);
  // The wait status once reaped, else nullopt.
  std::optional<int> exit_status() const noexcept;

private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
};

// A loopback port free right now (bind to port 0, read it, close), for a server that binds
// itself. Another process may take it before the server does: prefer handing a socket over.
int pick_free_port();

// --- where requests go, continued --------------------------------------------------------------

struct FcgiOptions {
  std::vector<std::string> args = {};        // after the binary: {"--config", path}, ...
  std::vector<std::string> env = {};         // "NAME=value" added to this process's environment
  bool unix_socket = false;                  // listen on a unix socket instead of 127.0.0.1
  std::string stderr_path = {};              // "" : inherit this process's stderr
  std::chrono::milliseconds timeout{10'000}; // per request
};

// NAME.fcgi as spawn runs it: a listening socket (127.0.0.1, kernel-chosen port, or a unix
// socket in a fresh temporary directory) handed over at fd 0. One connection per request,
// without FCGI_KEEP_CONN (as nginx without keep-alive). The destructor kills (SIGKILL) and reaps
// the worker and removes the socket. Move-only; a moved-from FcgiWorker may only be destroyed
// or assigned to.
class FcgiWorker final : public Target {
public:
  explicit FcgiWorker(std::string path, FcgiOptions options = {});
  ~FcgiWorker() override;
  FcgiWorker(FcgiWorker&&) noexcept;
  FcgiWorker& operator=(FcgiWorker&&) noexcept;

  TestResponse exchange(const CgiRequest& request) override;
  const char* mode_name() const noexcept override { return "fcgi"; }

  // "127.0.0.1:PORT" or the socket's path (what fcgi_request() and cgi-fcgi -connect take).
  const std::string& address() const noexcept;
  pid_t pid() const noexcept;
  bool alive();
  // Sends `sig`, waits up to `timeout` for the exit; the wait status, or nullopt if still alive.
  std::optional<int> stop(int sig, std::chrono::milliseconds timeout);

private:
  struct State;
  std::unique_ptr<State> state_;
};

// --- the client ------------------------------------------------------------------------------

// Cookies by name, as a browser keeps them for one host (Path and Domain are not modelled).
class CookieJar {
public:
  // Applies one Set-Cookie header value: stores the cookie, or removes it for Max-Age=0 (or
  // negative) and an Expires in the past.
  void update(std::string_view set_cookie);
  // "a=1; b=2", or "" when empty.
  std::string header() const;
  std::optional<std::string> get(std::string_view name) const;
  void set(std::string name, std::string value) { cookies_[std::move(name)] = std::move(value); }
  void erase(std::string_view name);
  void clear() { cookies_.clear(); }
  bool empty() const noexcept { return cookies_.empty(); }
  const std::map<std::string, std::string, std::less<>>& all() const noexcept { return cookies_; }

private:
  std::map<std::string, std::string, std::less<>> cookies_;
};

// Sends requests to one target, carrying its cookies. Copyable (a copy has its own jar, e.g. a
// stolen cookie replayed later); the target must outlive every client that uses it.
class Client {
public:
  explicit Client(Target& target) : target_(&target) {}

  // `url` is "/path?query". The request's environment is the one a web server builds: method,
  // PATH_INFO, QUERY_STRING, SERVER_*, REMOTE_ADDR, CONTENT_TYPE/LENGTH, HTTP_* headers,
  // HTTP_COOKIE from the jar.
  TestResponse open(std::string_view method, std::string_view url, const Body& body = {},
                    const RequestOptions& options = {});
  TestResponse get(std::string_view url, const RequestOptions& options = {}) {
    return open("GET", url, {}, options);
  }
  TestResponse head(std::string_view url, const RequestOptions& options = {}) {
    return open("HEAD", url, {}, options);
  }
  TestResponse post(std::string_view url, const Body& body = {},
                    const RequestOptions& options = {}) {
    return open("POST", url, body, options);
  }
  TestResponse put(std::string_view url, const Body& body = {},
                   const RequestOptions& options = {}) {
    return open("PUT", url, body, options);
  }
  TestResponse patch(std::string_view url, const Body& body = {},
                     const RequestOptions& options = {}) {
    return open("PATCH", url, body, options);
  }
  TestResponse del(std::string_view url, const Body& body = {},
                   const RequestOptions& options = {}) {
    return open("DELETE", url, body, options);
  }
  // The request as built for open() (inspect or alter it, then send()).
  CgiRequest build(std::string_view method, std::string_view url, const Body& body = {},
                   const RequestOptions& options = {}) const;
  // Sends a prepared request; Set-Cookie answers update the jar.
  TestResponse send(const CgiRequest& request);

  CookieJar& cookies() noexcept { return jar_; }
  const CookieJar& cookies() const noexcept { return jar_; }
  Target& target() const noexcept { return *target_; }

private:
  Target* target_;
  CookieJar jar_;
};

// --- FastCGI and programs, for tools and tests below the client ------------------------------

struct FcgiResult {
  std::string out, err;  // the FCGI_STDOUT and FCGI_STDERR streams
  int app_status = 0;    // from FCGI_END_REQUEST
  int protocol_status{}; // from FCGI_END_REQUEST (0: request complete)
};
// One FastCGI request on a new connection to `address` ("HOST:PORT" or a unix socket path):
// BEGIN_REQUEST (responder, no keep-conn), PARAMS, STDIN, then records up to END_REQUEST.
// nullopt if the connection fails or closes before END_REQUEST, or after `timeout`.
std::optional<FcgiResult>
fcgi_request(const std::string& address, const Pairs& params, std::string_view body,
             std::chrono::milliseconds timeout = std::chrono::seconds(30));

struct RunOptions {
  std::vector<std::string> env =
      {};                       // "NAME=value": the child gets exactly these (and *SAN_OPTIONS)
  std::string input = {};       // written to stdin (while stdout and stderr are read)
  bool keep_stdin_open = false; // do not close stdin after `input`
  std::chrono::milliseconds timeout{10'000};
};
struct RunResult {
  int exit_code = -1; // -1: killed by a signal or timed out
  bool timed_out = false;
  std::string out, err;
};
// Runs argv (argv[0] is a path) to completion, killing it after the timeout; always reaped.
RunResult run_program(const std::vector<std::string>& argv, const RunOptions& options = {});

} // namespace fh::testing
