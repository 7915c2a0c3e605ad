// See subprocess.hpp. fork+exec with pipes; a poll loop writes stdin while draining stdout and
// stderr so large bodies never deadlock.
#include "subprocess.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdexcept>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace fh::test {
namespace {

// An explicit environment plus the sanitizer options of the test's own (./run test --sanitize
// sets them): a finding in the program under test is reported like any other.
std::vector<std::string> with_sanitizer_options(std::vector<std::string> env) {
  for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"}) {
    const char* value = std::getenv(name);
    if (value != nullptr) env.push_back(std::string(name) + "=" + value);
  }
  return env;
}

std::vector<char*> c_strings(const std::vector<std::string>& v) {
  std::vector<char*> out;
  for (const auto& s : v)
    out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

} // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const RunOptions& opt) {
  // A child that exits without reading all its input must not kill the test with SIGPIPE.
  ::signal(SIGPIPE, SIG_IGN);
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC))
    throw std::runtime_error("pipe failed");
  auto args = c_strings(argv);
  const auto env = with_sanitizer_options(opt.env);
  auto envp = c_strings(env);
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL); // never outlive a test that crashed
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    execve(args[0], args.data(), envp.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  ProcessResult res;
  std::string_view pending = opt.input;
  int in_fd = in[1];
  fcntl(in_fd, F_SETFL, O_NONBLOCK);
  if (pending.empty() && !opt.keep_stdin_open) {
    close(in_fd);
    in_fd = -1;
  }
  const auto deadline = std::chrono::steady_clock::now() + opt.timeout;
  int open_outputs = 2;
  while (open_outputs > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      res.timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
    pollfd fds[3] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}, {in_fd, POLLOUT, 0}};
    int nfds = (in_fd >= 0 && !pending.empty()) ? 3 : 2;
    if (poll(fds, static_cast<nfds_t>(nfds), static_cast<int>(left.count())) < 0 && errno != EINTR)
      break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[65536];
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        close(fds[i].fd);
        (i == 0 ? out[0] : err[0]) = -1;
        --open_outputs;
      } else {
        (i == 0 ? res.out : res.err).append(buf, static_cast<std::size_t>(n));
      }
    }
    if (nfds == 3 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t n = write(in_fd, pending.data(), pending.size());
      if (n > 0) pending.remove_prefix(static_cast<std::size_t>(n));
      if (n < 0 && errno != EAGAIN) pending = {};
      if (pending.empty() && !opt.keep_stdin_open) {
        close(in_fd);
        in_fd = -1;
      }
    }
  }
  for (int fd : {out[0], err[0], in_fd})
    if (fd >= 0) close(fd);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!res.timed_out && WIFEXITED(status)) res.exit_code = WEXITSTATUS(status);
  return res;
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv, int stdin_fd,
                           const std::string& stderr_path, const std::vector<std::string>& env) {
  auto args = c_strings(argv);
  const auto full_env = with_sanitizer_options(env);
  auto envp = c_strings(full_env);
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL); // never outlive a test that crashed
    int fd0 = stdin_fd >= 0 ? stdin_fd : open("/dev/null", O_RDONLY);
    dup2(fd0, 0);
    if (fd0 != 0) fcntl(0, F_SETFD, 0);
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    if (!stderr_path.empty()) {
      int e = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (e >= 0) dup2(e, 2);
    }
    if (env.empty())
      execv(args[0], args.data());
    else
      execve(args[0], args.data(), envp.data());
    _exit(127);
  }
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !reaped_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, &status_, 0);
  }
}

bool ChildProcess::alive() {
  if (reaped_) return false;
  if (waitpid(pid_, &status_, WNOHANG) == pid_) reaped_ = true;
  return !reaped_;
}

std::optional<int> ChildProcess::stop(int sig, std::chrono::milliseconds timeout) {
  if (reaped_) return status_;
  kill(pid_, sig);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid_, &status_, WNOHANG) == pid_) {
      reaped_ = true;
      return status_;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return std::nullopt;
}

Listener::Listener() {
  fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 || listen(fd, 128) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw std::runtime_error("cannot listen on 127.0.0.1");
  port = ntohs(addr.sin_port);
}

Listener::~Listener() {
  if (fd >= 0) close(fd);
}

int pick_free_port() {
  Listener l;
  return l.port;
}

std::optional<std::string> CgiResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k.size() == name.size() && strncasecmp(k.c_str(), name.data(), name.size()) == 0) return v;
  return std::nullopt;
}

CgiResponse parse_cgi_response(std::string_view raw) {
  CgiResponse r;
  auto end = raw.find("\r\n\r\n");
  std::size_t sep = 4;
  if (end == std::string_view::npos) {
    end = raw.find("\n\n");
    sep = 2;
  }
  if (end == std::string_view::npos) {
    r.status = -1;
    r.body = std::string(raw);
    return r;
  }
  r.status = 200;
  std::string_view head = raw.substr(0, end);
  r.body = std::string(raw.substr(end + sep));
  while (!head.empty()) {
    auto eol = head.find('\n');
    std::string_view line = head.substr(0, eol);
    head = eol == std::string_view::npos ? std::string_view{} : head.substr(eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name(line.substr(0, colon));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ')
      value.remove_prefix(1);
    if (strcasecmp(name.c_str(), "Status") == 0) r.status = std::atoi(std::string(value).c_str());
    r.headers.emplace_back(name, std::string(value));
  }
  return r;
}

} // namespace fh::test
