// See fcgi_loop.hpp. libfcgi is driven below its accept: we hand FCGX_Accept_r a connection by
// presetting ipcFd with keepConnection = 1 and listen_sock = -1 (libfcgi 2.4.2 then reads the
// request from that fd; the tests pin this behaviour). This file and fcgi_main.cpp are the only
// ones that include <fcgiapp.h>.
#include "frontend/fcgi_loop.hpp"

#include "fcgihost/log.hpp"
#include "frontend/worker_status.hpp"
#include "io/body_reader.hpp"
#include "io/response_writer.hpp"

#include <fcgiapp.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <stdexcept>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <system_error>
#include <unistd.h>

namespace fh::detail {
namespace {

// A connection that stops sending mid-record must not hold a thread forever (nginx sends a
// whole request at once with fastcgi_request_buffering on; its own timeouts are 60 s).
constexpr timeval kIoTimeout{30, 0};

// Milliseconds the request waited since nginx took it (FH_REQUEST_START = nginx's $msec), or -1.
long queue_wait_ms(const RawRequest& raw) {
  auto start = raw.param("FH_REQUEST_START");
  if (!start || start->empty()) return -1;
  char* end = nullptr;
  const double t = std::strtod(std::string(*start).c_str(), &end);
  if (end == nullptr || t <= 0) return -1;
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  return static_cast<long>((now - t) * 1000);
}

Response overloaded(long waited_ms) {
  Response r = Response::text("503 Service Unavailable: overloaded, retry shortly\n", 503);
  r.set_header("Retry-After", "1");
  fh::log(LogLevel::Warning, "overload: request queued " + std::to_string(waited_ms) +
                                 " ms (over --max-queue-wait), answered 503");
  return r;
}

// Serves the request libfcgi has read the params of: copies them (they die at FCGX_Finish_r),
// reads the body, lets the app answer, writes the response in one FCGX_PutStr.
void serve(const App& app, FCGX_Request* req, int thread_index, long max_queue_wait_ms) {
  RawRequest raw;
  for (char** e = req->envp; e != nullptr && *e != nullptr; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string_view::npos) raw.params.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  const std::string method(raw.param("REQUEST_METHOD").value_or("GET"));
  worker_status_begin(thread_index, method, raw.param("REQUEST_URI").value_or(""));
  read_body(
      raw, app.limits(),
      [req](char* buf, std::size_t n) {
        return static_cast<long>(FCGX_GetStr(buf, static_cast<int>(n), req->in));
      },
      true);
  const long waited = max_queue_wait_ms > 0 ? queue_wait_ms(raw) : -1;
  const Response response =
      waited > max_queue_wait_ms ? overloaded(waited) : app.handle(std::move(raw));
  const std::string out = serialize_response(response, method == "HEAD");
  FCGX_PutStr(out.data(), static_cast<int>(out.size()), req->out);
  if (FCGX_GetError(req->out) != 0)
    fh::log(LogLevel::Info, "client gone before the response was written");
  worker_status_end(thread_index);
}

} // namespace

ConnectionLoop::ConnectionLoop(const App& app, LoopOptions options) : app_(app), opt_(options) {
  epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epfd_ < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
  // Non-blocking: another process of the pool may take the connection between wake-up and accept.
  ::fcntl(opt_.listen_fd, F_SETFL, ::fcntl(opt_.listen_fd, F_GETFL) | O_NONBLOCK);
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLEXCLUSIVE; // one process of the pool wakes per connection
  ev.data.fd = opt_.listen_fd;
  if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, opt_.listen_fd, &ev) != 0)
    throw std::system_error(errno, std::generic_category(), "epoll_ctl listen socket");
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  epoll_event wev{};
  wev.events = EPOLLIN; // level-triggered and never read: once written, wakes every waiter
  wev.data.fd = wake_fd_;
  if (wake_fd_ < 0 || ::epoll_ctl(epfd_, EPOLL_CTL_ADD, wake_fd_, &wev) != 0)
    throw std::system_error(errno, std::generic_category(), "eventfd for the request loop");
}

ConnectionLoop::~ConnectionLoop() {
  for (int fd : idle_)
    ::close(fd);
  ::close(wake_fd_);
  ::close(epfd_);
}

void ConnectionLoop::wake() noexcept {
  const std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
}

int ConnectionLoop::next_connection(std::atomic<bool>& stopping) {
  while (!stopping.load()) {
    epoll_event ev{};
    const int n = ::epoll_wait(epfd_, &ev, 1, 500);
    if (n <= 0 || ev.data.fd == wake_fd_) continue; // timeout, EINTR or wake(): re-check
    if (ev.data.fd != opt_.listen_fd) {
      std::lock_guard lock(idle_mutex_);
      idle_.erase(ev.data.fd);
      return ev.data.fd; // a connection with a request (or its close) to read
    }
    const int fd = ::accept4(opt_.listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) {
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &kIoTimeout, sizeof kIoTimeout);
      ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &kIoTimeout, sizeof kIoTimeout);
      park(fd); // served once it is readable: an idle connection never holds a thread
      continue;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED) {
      fh::log(LogLevel::Error, std::string("accept failed: ") + std::strerror(errno));
      ::usleep(10000); // EMFILE & co.: do not spin
    }
  }
  return ready_kept_connection();
}

int ConnectionLoop::ready_kept_connection() {
  std::lock_guard lock(idle_mutex_);
  for (auto it = idle_.begin(); it != idle_.end(); ++it) {
    pollfd p{*it, POLLIN, 0};
    if (::poll(&p, 1, 0) == 1 && (p.revents & POLLIN) != 0) {
      const int fd = *it;
      idle_.erase(it);
      // Take it out of the epoll set first so no other thread is handed the same connection.
      if (::epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr) != 0) continue;
      return fd;
    }
  }
  return -1;
}

void ConnectionLoop::park(int fd) {
  {
    std::lock_guard lock(idle_mutex_);
    idle_.insert(fd);
  }
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT; // exactly one thread takes it when ready
  ev.data.fd = fd;
  if (::epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev) != 0 &&
      (errno != ENOENT || ::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0)) {
    std::lock_guard lock(idle_mutex_);
    idle_.erase(fd);
    ::close(fd);
  }
}

void ConnectionLoop::run(int thread_index, std::atomic<bool>& stopping) {
  FCGX_Request req{};
  FCGX_InitRequest(&req, -1, 0);
  for (;;) {
    const int fd = next_connection(stopping); // while stopping: only requests already waiting
    if (fd < 0) break;
    req.ipcFd = fd;
    req.keepConnection = 1; // so FCGX_Accept_r's leading Finish does not close our fd
    if (FCGX_Accept_r(&req) < 0) {
      // The peer closed the connection (or sent garbage): libfcgi has closed the fd already.
      req.ipcFd = -1;
      continue;
    }
    serve(app_, &req, thread_index, opt_.max_queue_wait_ms);
    FCGX_Finish_r(&req); // closes the fd unless nginx asked to keep it (FCGI_KEEP_CONN)
    if (req.ipcFd >= 0) park(std::exchange(req.ipcFd, -1));
    if (opt_.max_requests > 0 && ++served_ >= opt_.max_requests && !stopping.exchange(true)) {
      fh::log(LogLevel::Info, "served --max-requests, exiting");
      wake();
    }
  }
  FCGX_Free(&req, 1);
}

} // namespace fh::detail
