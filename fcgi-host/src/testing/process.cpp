// fh::testing's program runner (run_program: fork+exec with pipes, and a poll loop that writes
// stdin while draining stdout and stderr, so large bodies never deadlock) and Process (a child
// that is killed and reaped with its owner). Everything is allocated before fork; the child only
// dup2s and execs.
#include "testing/process.hpp"

#include "fcgihost/testing.hpp"
#include <fh/sys/exec.hpp>
#include <fh/sys/unique_fd.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <system_error>
#include <thread>
#include <unistd.h>

namespace fh::testing::detail {
namespace {

std::string_view var_name(std::string_view assignment) {
  return assignment.substr(0, assignment.find('='));
}

} // namespace

std::vector<std::string> with_sanitizer_options(std::vector<std::string> env) {
  for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"}) {
    const char* value = std::getenv(name);
    if (value == nullptr) continue;
    std::erase_if(env, [&](const std::string& x) { return var_name(x) == name; });
    env.push_back(std::string(name) + "=" + value);
  }
  return env;
}

} // namespace fh::testing::detail

namespace fh::testing {

namespace {

// Writes `input` to `in_w` (closing it afterwards unless `keep_open`) while reading `out_r` and
// `err_r` into `res`, until both outputs close or `deadline` passes (res.timed_out).
void pump(fh::sys::UniqueFd& in_w, fh::sys::UniqueFd& out_r, fh::sys::UniqueFd& err_r,
          std::string_view input, bool keep_open, std::chrono::steady_clock::time_point deadline,
          RunResult& res) {
  if (input.empty() && !keep_open) in_w.reset();
  while (out_r || err_r) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      res.timed_out = true;
      return;
    }
    pollfd fds[3] = {{out_r.get(), POLLIN, 0},
                     {err_r.get(), POLLIN, 0},
                     {in_w && !input.empty() ? in_w.get() : -1, POLLOUT, 0}};
    if (::poll(fds, 3, static_cast<int>(left.count())) < 0 && errno != EINTR)
      throw std::system_error(errno, std::generic_category(), "poll");
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      char buf[65536];
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0)
        (i == 0 ? res.out : res.err).append(buf, static_cast<std::size_t>(n));
      else if (n == 0 || errno != EINTR)
        (i == 0 ? out_r : err_r).reset();
    }
    if (fds[2].fd >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP)) != 0) {
      const ssize_t n = ::write(in_w.get(), input.data(), input.size());
      if (n > 0) input.remove_prefix(static_cast<std::size_t>(n));
      if (n < 0 && errno != EAGAIN && errno != EINTR) input = {}; // the child closed stdin
      if (input.empty() && !keep_open) in_w.reset();
    }
  }
}

} // namespace

RunResult run_program(const std::vector<std::string>& argv, const RunOptions& opt) {
  ::signal(SIGPIPE, SIG_IGN); // a child that exits without reading its input must not kill us
  auto [in_r, in_w] = fh::sys::make_pipe("stdin");
  auto [out_r, out_w] = fh::sys::make_pipe("stdout");
  auto [err_r, err_w] = fh::sys::make_pipe("stderr");
  auto args = fh::sys::exec_array(argv);
  const auto env = detail::with_sanitizer_options(opt.env);
  auto envp = fh::sys::exec_array(env);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork " + argv.at(0));
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::dup2(in_r.get(), 0);
    ::dup2(out_w.get(), 1);
    ::dup2(err_w.get(), 2);
    ::execve(args[0], args.data(), envp.data());
    _exit(127);
  }
  in_r.reset();
  out_w.reset();
  err_w.reset();
  ::fcntl(in_w.get(), F_SETFL, O_NONBLOCK);
  RunResult res;
  pump(in_w, out_r, err_r, opt.input, opt.keep_stdin_open,
       std::chrono::steady_clock::now() + opt.timeout, res);
  if (res.timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!res.timed_out && WIFEXITED(status)) res.exit_code = WEXITSTATUS(status);
  return res;
}

Process::Process(const std::vector<std::string>& argv, const ProcessOptions& options) {
  auto args = fh::sys::exec_array(argv);
  const auto env = fh::sys::environ_with(options.env);
  auto envp = fh::sys::exec_array(env);
  const int stdin_fd = options.stdin_fd;
  const std::string& stderr_path = options.stderr_path;
  pid_ = ::fork();
  if (pid_ < 0) throw std::system_error(errno, std::generic_category(), "fork " + argv.at(0));
  if (pid_ == 0) {
    // Only async-signal-safe calls from here to exec.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL); // never outlive a test that crashed
    const int fd0 = stdin_fd >= 0 ? stdin_fd : ::open("/dev/null", O_RDONLY);
    if (fd0 != 0) ::dup2(fd0, 0);
    ::fcntl(0, F_SETFD, 0);
    const int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, 1);
    if (!stderr_path.empty()) {
      const int e = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (e >= 0) ::dup2(e, 2);
    }
    ::execve(args[0], args.data(), envp.data());
    _exit(127);
  }
}

Process::~Process() {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
    }
  }
}

Process::Process(Process&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), reaped_(other.reaped_), status_(other.status_) {}

Process& Process::operator=(Process&& other) noexcept {
  if (this != &other) {
    Process gone(std::move(*this)); // the old child, if any, is killed and reaped here
    pid_ = std::exchange(other.pid_, -1);
    reaped_ = other.reaped_;
    status_ = other.status_;
  }
  return *this;
}

bool Process::alive() {
  if (!reaped_ && pid_ > 0 && ::waitpid(pid_, &status_, WNOHANG) == pid_) reaped_ = true;
  return pid_ > 0 && !reaped_;
}

std::optional<int> Process::stop(int sig, std::chrono::milliseconds timeout) {
  if (alive()) ::kill(pid_, sig);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (alive()) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return exit_status();
}

std::optional<int> Process::exit_status() const noexcept {
  if (!reaped_) return std::nullopt;
  return status_;
}

} // namespace fh::testing
