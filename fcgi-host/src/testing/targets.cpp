// fh::testing's three targets: the app in this process (App::handle between the front ends' body
// reader and response writer), NAME.cgi run once per request, and NAME.fcgi kept running on a
// loopback socket handed over at fd 0, owned (killed and reaped) by its FcgiWorker.
#include "fcgihost/testing.hpp"

#include "fcgihost/app.hpp"
#include "io/body_reader.hpp"
#include "io/response_writer.hpp"
#include <fh/sys/socket.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <sys/wait.h>
#include <system_error>

namespace fh::testing {
namespace {

std::string describe_exit(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("killed by ") + ::strsignal(WTERMSIG(status));
  return "stopped";
}

} // namespace

int pick_free_port() {
  const auto socket = fh::sys::listen_tcp("127.0.0.1", "0", 1);
  return std::atoi(socket.address().c_str() + socket.address().rfind(':') + 1);
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
  std::filesystem::path socket_dir;    // unix socket: a private temporary directory
  fh::sys::ListenSocket unix_listener; // kept: its destruction unlinks the socket file
  std::optional<Process> process;

  ~State() {
    process.reset(); // killed and reaped before its socket goes
    unix_listener = {};
    std::error_code ec;
    if (!socket_dir.empty()) std::filesystem::remove_all(socket_dir, ec);
  }
};

FcgiWorker::FcgiWorker(std::string path, FcgiOptions options) : state_(std::make_unique<State>()) {
  state_->path = std::move(path);
  state_->options = std::move(options);
  fh::sys::ListenSocket tcp_listener;
  int listen_fd = -1;
  if (state_->options.unix_socket) {
    std::string dir = (std::filesystem::temp_directory_path() / "fh-testing-XXXXXX").string();
    if (::mkdtemp(dir.data()) == nullptr)
      throw std::system_error(errno, std::generic_category(), "mkdtemp " + dir);
    state_->socket_dir = dir;
    state_->address = dir + "/fcgi.sock";
    state_->unix_listener = fh::sys::listen_unix(state_->address, 128);
    listen_fd = state_->unix_listener.fd();
  } else {
    tcp_listener = fh::sys::listen_tcp("127.0.0.1", "0", 128);
    state_->address = tcp_listener.address();
    listen_fd = tcp_listener.fd();
  }
  std::vector<std::string> argv{state_->path};
  argv.insert(argv.end(), state_->options.args.begin(), state_->options.args.end());
  // The socket listens before the worker starts: connections wait in the backlog, so there is
  // no "is it up yet" polling. Our copy of a TCP socket closes at the end of this scope (a dead
  // worker then refuses connections at once).
  state_->process.emplace(
      argv, ProcessOptions{state_->options.env, listen_fd, state_->options.stderr_path});
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
  if (!alive())
    throw std::runtime_error(state_->path + " at " + state_->address +
                             " gave no answer: the worker " +
                             describe_exit(*state_->process->exit_status()));
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
