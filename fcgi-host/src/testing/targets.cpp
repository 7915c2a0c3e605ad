// fh::testing's three targets: the app in this process (App::handle between the front ends' body
// reader and response writer), NAME.cgi run once per request, and NAME.fcgi kept running on a
// loopback socket handed over at fd 0, owned (killed and reaped) by its FcgiWorker.
#include "fcgihost/testing.hpp"

#include "fcgihost/app.hpp"
#include "io/body_reader.hpp"
#include "io/response_writer.hpp"
#include <fh/sys/unique_fd.hpp>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <netinet/in.h>
#include <signal.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <system_error>

namespace fh::testing {
namespace {

using fh::sys::UniqueFd;

std::system_error sys_error(const std::string& what) {
  return {errno, std::generic_category(), what};
}

// A listening TCP socket on 127.0.0.1 with a kernel-chosen port; `address` gets "127.0.0.1:PORT".
UniqueFd listen_loopback(std::string& address) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) throw sys_error("socket");
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof sin;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&sin), len) != 0)
    throw sys_error("bind 127.0.0.1:0");
  if (::listen(fd.get(), 128) != 0) throw sys_error("listen 127.0.0.1");
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&sin), &len) != 0)
    throw sys_error("getsockname");
  address = "127.0.0.1:" + std::to_string(ntohs(sin.sin_port));
  return fd;
}

// A listening unix socket at `path`.
UniqueFd listen_unix(const std::string& path) {
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  if (path.size() >= sizeof sun.sun_path)
    throw std::invalid_argument("socket path too long: " + path);
  std::memcpy(sun.sun_path, path.c_str(), path.size() + 1);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) throw sys_error("socket");
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&sun), sizeof sun) != 0)
    throw sys_error("bind " + path);
  if (::listen(fd.get(), 128) != 0) throw sys_error("listen " + path);
  return fd;
}

std::string describe_exit(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("killed by ") + ::strsignal(WTERMSIG(status));
  return "stopped";
}

} // namespace

int pick_free_port() {
  std::string address;
  listen_loopback(address);
  return std::atoi(address.c_str() + address.rfind(':') + 1);
}

TestResponse InProcess::exchange(const CgiRequest& request) {
  RawRequest raw;
  raw.params = request.params;
  std::size_t pos = 0;
  const std::string& body = request.body;
  fh::detail::read_body(
      raw, app_.limits(),
      [&](char* buf, std::size_t n) {
        n = std::min(n, body.size() - pos);
        std::copy_n(body.data() + pos, n, buf);
        pos += n;
        return static_cast<long>(n);
      },
      true);
  const bool head = raw.param("REQUEST_METHOD") == "HEAD";
  return parse_cgi_response(fh::detail::serialize_response(app_.handle(std::move(raw)), head));
}

CgiBinary::CgiBinary(std::string path, CgiOptions options)
    : path_(std::move(path)), options_(std::move(options)) {}

TestResponse CgiBinary::exchange(const CgiRequest& request) {
  RunOptions run;
  for (const auto& [k, v] : request.params)
    run.env.push_back(k + "=" + v);
  run.env.insert(run.env.end(), options_.env.begin(), options_.env.end());
  run.input = request.body;
  run.keep_stdin_open = request.keep_stdin_open;
  run.timeout = options_.timeout;
  RunResult res = run_program({path_}, run);
  if (res.timed_out)
    throw std::runtime_error(path_ + " gave no answer within " +
                             std::to_string(options_.timeout.count()) +
                             " ms (killed); stderr: " + res.err);
  if (res.exit_code < 0)
    throw std::runtime_error(path_ + " was killed by a signal; stderr: " + res.err);
  TestResponse r;
  try {
    r = parse_cgi_response(std::move(res.out));
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(path_ + " (exit " + std::to_string(res.exit_code) + "): " + e.what() +
                             "; stderr: " + res.err);
  }
  r.errors = std::move(res.err);
  r.exit_code = res.exit_code;
  return r;
}

struct FcgiWorker::State {
  std::string path;
  FcgiOptions options;
  std::string address;
  std::filesystem::path socket_dir; // unix socket: a private temporary directory
  std::optional<Process> process;

  ~State() {
    process.reset(); // killed and reaped before its socket goes
    std::error_code ec;
    if (!socket_dir.empty()) std::filesystem::remove_all(socket_dir, ec);
  }
};

FcgiWorker::FcgiWorker(std::string path, FcgiOptions options) : state_(std::make_unique<State>()) {
  state_->path = std::move(path);
  state_->options = std::move(options);
  UniqueFd listener;
  if (state_->options.unix_socket) {
    std::string dir = (std::filesystem::temp_directory_path() / "fh-testing-XXXXXX").string();
    if (::mkdtemp(dir.data()) == nullptr) throw sys_error("mkdtemp " + dir);
    state_->socket_dir = dir;
    state_->address = dir + "/fcgi.sock";
    listener = listen_unix(state_->address);
  } else {
    listener = listen_loopback(state_->address);
  }
  std::vector<std::string> argv{state_->path};
  argv.insert(argv.end(), state_->options.args.begin(), state_->options.args.end());
  // The socket listens before the worker starts: connections wait in the backlog, so there is
  // no "is it up yet" polling. Our copy of the socket closes at the end of this scope.
  state_->process.emplace(
      argv, ProcessOptions{state_->options.env, listener.get(), state_->options.stderr_path});
}

FcgiWorker::~FcgiWorker() = default;
FcgiWorker::FcgiWorker(FcgiWorker&&) noexcept = default;
FcgiWorker& FcgiWorker::operator=(FcgiWorker&&) noexcept = default;

const std::string& FcgiWorker::address() const noexcept {
  return state_->address;
}

pid_t FcgiWorker::pid() const noexcept {
  return state_->process->pid();
}

bool FcgiWorker::alive() {
  return state_->process->alive();
}

std::optional<int> FcgiWorker::stop(int sig, std::chrono::milliseconds timeout) {
  return state_->process->stop(sig, timeout);
}

TestResponse FcgiWorker::exchange(const CgiRequest& request) {
  auto res = fcgi_request(state_->address, request.params, request.body, state_->options.timeout);
  if (!res) {
    const std::string why = alive()
                                ? "no FCGI_END_REQUEST (the worker still runs)"
                                : "the worker " + describe_exit(*state_->process->exit_status());
    throw std::runtime_error(state_->path + " at " + state_->address + " gave no answer: " + why);
  }
  TestResponse r = parse_cgi_response(std::move(res->out));
  r.errors = std::move(res->err);
  return r;
}

} // namespace fh::testing
