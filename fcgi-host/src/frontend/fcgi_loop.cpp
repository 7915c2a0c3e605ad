// See fcgi_loop.hpp. libfcgi supplies the protocol's record types (<fastcgi.h>, through
// io/fcgi_protocol); the reading, framing and writing are ours, so that no read ever blocks a
// request thread. A connection is in exactly one of three places: parked in the epoll set, held
// by the one thread driving it (busy; a new connection starts so, with the thread that accepted
// it, and enters the set only when it first has to wait), or closed. With several threads a parked
// connection is EPOLLONESHOT (one thread at a time gets it) and re-armed after each request; with
// one thread (the default) it stays armed, level-triggered, and epoll_ctl runs only when it
// switches between waiting to read and waiting to write. The table `conns_` is the only owner;
// epoll events carry (generation << 32 | fd), so an event for a connection closed meanwhile (even
// earlier in the same batch of events) is never mistaken for a new one on the same fd number.
#include "frontend/fcgi_loop.hpp"

#include "fcgihost/log.hpp"
#include "frontend/worker_status.hpp"
#include "io/response_writer.hpp"
#include <fh/sys/unique_fd.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <string>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <system_error>
#include <unistd.h>
#include <vector>

namespace fh::detail {
namespace {

constexpr std::uint64_t kListenKey = ~std::uint64_t{0};
constexpr std::uint64_t kWakeKey = ~std::uint64_t{0} - 1;
constexpr std::size_t kReadChunk = 64 * 1024;
// Events one epoll_wait hands a lone thread: every ready connection in one call. With several
// threads each takes one event, so no thread sits on ready connections while another is idle.
constexpr int kMaxEvents = 64;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

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

unsigned fd_budget() {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return 1024;
  return rl.rlim_cur > 64 ? static_cast<unsigned>(rl.rlim_cur - 32) : 32;
}

} // namespace

struct ConnectionLoop::Conn {
  Conn(int fd_, std::uint64_t key_, const FcgiLimits& limits)
      : fd(fd_), key(key_), parser(limits) {}
  sys::UniqueFd fd;
  std::uint64_t key;
  FcgiParser parser;
  std::string out; // answer bytes not yet taken by the peer
  std::size_t out_off = 0;
  std::uint32_t armed = 0; // the events it is registered for in the epoll set (0: not in it)
  bool busy = false;       // a thread is driving it (then no other thread gets its events)
  bool served = false;     // answered at least one request: an idle kept connection
  bool close_after_out = false;
  Clock::time_point started{}; // first byte of the request (or answer) in progress
  Clock::time_point deadline{};
  bool mid_request = false; // as of the last park: the read deadline applies
};

ConnectionLoop::ConnectionLoop(const App& app, LoopOptions options) : app_(app), opt_(options) {
  limits_.max_params_bytes = app.limits().max_meta_bytes;
  limits_.max_body_bytes = app.limits().max_body_bytes;
  limits_.max_conns = fd_budget();
  limits_.max_reqs = static_cast<unsigned>(opt_.threads);
  epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epfd_ < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
  // Non-blocking: another process of the pool may take the connection between wake-up and accept.
  ::fcntl(opt_.listen_fd, F_SETFL, ::fcntl(opt_.listen_fd, F_GETFL) | O_NONBLOCK);
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLEXCLUSIVE; // one process of the pool wakes per connection
  ev.data.u64 = kListenKey;
  if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, opt_.listen_fd, &ev) != 0)
    throw std::system_error(errno, std::generic_category(), "epoll_ctl listen socket");
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  epoll_event wev{};
  wev.events = EPOLLIN; // level-triggered and never read: once written, wakes every waiter
  wev.data.u64 = kWakeKey;
  if (wake_fd_ < 0 || ::epoll_ctl(epfd_, EPOLL_CTL_ADD, wake_fd_, &wev) != 0)
    throw std::system_error(errno, std::generic_category(), "eventfd for the request loop");
}

ConnectionLoop::~ConnectionLoop() {
  conns_.clear(); // UniqueFd closes each
  ::close(wake_fd_);
  ::close(epfd_);
}

void ConnectionLoop::wake() noexcept {
  const std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
}

void ConnectionLoop::run(int thread_index, std::atomic<bool>& stopping) {
  epoll_event events[kMaxEvents];
  const int max_events = opt_.threads > 1 ? 1 : kMaxEvents;
  for (;;) {
    const bool stop = stopping.load();
    if (stop) {
      std::lock_guard lock(mu_);
      if (!stop_begun_) begin_stop();
    }
    const std::int64_t now = now_ms();
    std::int64_t due = next_sweep_ms_.load();
    if (now >= due && next_sweep_ms_.compare_exchange_strong(due, now + (stop ? 50 : 250)))
      sweep(stop);
    if (stop) {
      std::lock_guard lock(mu_);
      if (conns_.empty()) return;
    }
    const int n = ::epoll_wait(epfd_, events, max_events, stop ? 50 : 250);
    for (int i = 0; i < n; ++i) { // n <= 0: tick or EINTR; wake(): re-checked above
      const std::uint64_t key = events[i].data.u64;
      if (key == kWakeKey) continue;
      if (key == kListenKey) {
        if (Conn* c = stop ? nullptr : accept_one()) drive(*c, thread_index, stopping);
      } else if (Conn* c = take(key)) {
        drive(*c, thread_index, stopping);
      }
    }
  }
}

std::uint32_t ConnectionLoop::events_for(bool want_write) const noexcept {
  const std::uint32_t wait_for = want_write ? EPOLLOUT : EPOLLIN | EPOLLRDHUP;
  return opt_.threads > 1 ? wait_for | EPOLLONESHOT : wait_for;
}

void ConnectionLoop::begin_stop() {
  stop_begun_ = true;
  // Stop accepting first: connections still in the backlog go to the pool's other workers.
  ::epoll_ctl(epfd_, EPOLL_CTL_DEL, opt_.listen_fd, nullptr);
  accept_paused_ = false;
  // The wake-up has done its job; left in the set it would wake the ticks for ever.
  ::epoll_ctl(epfd_, EPOLL_CTL_DEL, wake_fd_, nullptr);
}

ConnectionLoop::Conn* ConnectionLoop::accept_one() {
  const int fd = ::accept4(opt_.listen_fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
  if (fd < 0) {
    if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
      pause_accept(errno);
    else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
      fh::log(LogLevel::Error, std::string("accept failed: ") + std::strerror(errno));
    return nullptr;
  }
  std::lock_guard lock(mu_);
  const std::uint64_t key = (std::uint64_t{next_gen_++} << 32) | static_cast<std::uint32_t>(fd);
  auto conn = std::make_unique<Conn>(fd, key, limits_);
  conn->started = Clock::now();
  conn->deadline = conn->started + opt_.read_timeout; // its first request is due
  conn->mid_request = true;
  // Driven at once by this thread, before it is in the epoll set: the peer has usually sent its
  // request by now, and a connection answered and closed at once (no keep-alive) never enters
  // the set. The first park adds it.
  conn->busy = true;
  return conns_.emplace(fd, std::move(conn)).first->second.get();
}

void ConnectionLoop::pause_accept(int err) {
  std::lock_guard lock(mu_);
  ++emfile_count_;
  const auto now = Clock::now();
  if (now - last_emfile_log_ >= std::chrono::seconds(1)) {
    fh::log(LogLevel::Error, std::string("accept: ") + std::strerror(err) + " (" +
                                 std::to_string(conns_.size()) + " connections held, " +
                                 std::to_string(emfile_count_) +
                                 " refusals since the last line): accepting again as fds free up");
    last_emfile_log_ = now;
    emfile_count_ = 0;
  }
  if (close_idle_for_fds_locked() > 0) return; // fds to accept with again
  if (accept_paused_ || stop_begun_) return;
  // Level-triggered, the listen socket would wake us in a loop: take it out until an fd frees.
  ::epoll_ctl(epfd_, EPOLL_CTL_DEL, opt_.listen_fd, nullptr);
  accept_paused_ = true;
  paused_at_ = now;
}

void ConnectionLoop::resume_accept_locked() {
  if (!accept_paused_ || stop_begun_) return;
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLEXCLUSIVE;
  ev.data.u64 = kListenKey;
  if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, opt_.listen_fd, &ev) == 0 || errno == EEXIST)
    accept_paused_ = false;
}

int ConnectionLoop::close_idle_for_fds_locked() {
  // As nginx does when it runs out of connections: idle kept connections go first (nginx, as
  // the client, retries a request on a kept connection that closes under it).
  int closed = 0;
  for (auto it = conns_.begin(); it != conns_.end() && closed < 16;) {
    const Conn& c = *it->second;
    if (!c.busy && c.served && !c.mid_request) {
      auto victim = it++;
      close_locked(victim);
      ++closed;
    } else {
      ++it;
    }
  }
  return closed;
}

ConnectionLoop::Conn* ConnectionLoop::take(std::uint64_t key) {
  std::lock_guard lock(mu_);
  auto it = conns_.find(static_cast<int>(key & 0xffffffffu));
  if (it == conns_.end() || it->second->key != key || it->second->busy) return nullptr;
  it->second->busy = true;
  return it->second.get();
}

bool ConnectionLoop::flush(Conn& c) {
  while (c.out_off < c.out.size()) {
    const ssize_t n = ::send(c.fd.get(), c.out.data() + c.out_off, c.out.size() - c.out_off,
                             MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      c.out_off += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true; // rest on EPOLLOUT
    return false;
  }
  c.out.clear();
  c.out_off = 0;
  return true;
}

void ConnectionLoop::drive(Conn& c, int thread_index, std::atomic<bool>& stopping) {
  static thread_local std::vector<char> buf(kReadChunk);
  bool just_served = false;
  for (;;) {
    if (!flush(c)) return close_conn(c, "peer gone before the answer was written");
    if (!c.out.empty()) return park(c, true, stopping.load());
    if (c.close_after_out) return close_conn(c, nullptr);
    if (auto req = c.parser.next()) {
      const bool keep = req->keep_conn;
      serve(c, std::move(*req), thread_index);
      c.served = just_served = true;
      if (!keep) c.close_after_out = true;
      if (opt_.max_requests > 0 && ++served_ >= opt_.max_requests && !stopping.exchange(true)) {
        fh::log(LogLevel::Info, "served --max-requests, exiting");
        wake();
      }
      continue; // write it
    }
    c.out += c.parser.take_output();
    if (c.parser.close_after_output()) c.close_after_out = true;
    if (!c.out.empty()) continue;
    // Answered and nothing buffered behind it: epoll says when the next request comes (a read
    // now would almost always find nothing and cost a syscall per request).
    if (just_served && !c.parser.mid_request()) return park(c, false, stopping.load());
    const ssize_t n = ::recv(c.fd.get(), buf.data(), buf.size(), MSG_DONTWAIT);
    if (n > 0) {
      if (!c.parser.mid_request() && c.served) c.started = Clock::now(); // a new request
      if (!c.parser.feed(std::string_view(buf.data(), static_cast<std::size_t>(n)))) {
        fh::log(LogLevel::Warning,
                "FastCGI protocol error, connection closed: " + c.parser.error());
        return close_conn(c, nullptr);
      }
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return park(c, false, stopping.load());
    // End of stream (or an error): whatever part of a request came is dropped, never run.
    return close_conn(c, c.parser.mid_request() ? "peer closed mid-request (not run)" : nullptr);
  }
}

void ConnectionLoop::serve(Conn& c, FcgiRequest req, int thread_index) {
  RawRequest& raw = req.raw;
  const std::string method(raw.param("REQUEST_METHOD").value_or("GET"));
  worker_status_begin(thread_index, method, raw.param("REQUEST_URI").value_or(""));
  const long waited = opt_.max_queue_wait_ms > 0 ? queue_wait_ms(raw) : -1;
  const Response response =
      waited > opt_.max_queue_wait_ms ? overloaded(waited) : app_.handle(std::move(raw));
  c.started = Clock::now(); // the answer's deadline
  append_fcgi_response(c.out, req.id, serialize_response(response, method == "HEAD"));
  // The scoreboard shows the thread busy until the answer is handed to the kernel (or parked).
  if (!flush(c)) c.close_after_out = true;
  worker_status_end(thread_index);
}

void ConnectionLoop::park(Conn& c, bool want_write, bool stopping) {
  const bool mid = want_write || c.parser.mid_request();
  if (stopping && !mid && c.served) {
    // Stopping: an idle kept connection closes, unless the next request is already arriving.
    char probe = 0;
    if (::recv(c.fd.get(), &probe, 1, MSG_PEEK | MSG_DONTWAIT) <= 0) return close_conn(c, nullptr);
  }
  std::lock_guard lock(mu_);
  c.mid_request = mid;
  c.deadline = mid ? c.started + opt_.read_timeout
                   : Clock::now() + (c.served ? opt_.idle_timeout : opt_.read_timeout);
  if (!mid && !c.served) c.mid_request = true; // a new connection: its first request is due
  c.busy = false;
  const std::uint32_t want = events_for(want_write);
  // Level-triggered and still armed for what it waits for (one thread): nothing to tell epoll.
  if (want == c.armed && (want & EPOLLONESHOT) == 0) return;
  epoll_event ev{};
  ev.events = want;
  ev.data.u64 = c.key;
  const int op = c.armed == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD; // first park: not in the set yet
  c.armed = want;
  if (::epoll_ctl(epfd_, op, c.fd.get(), &ev) != 0) {
    fh::log(LogLevel::Error, std::string("epoll_ctl park: ") + std::strerror(errno));
    close_locked(conns_.find(c.fd.get()));
  }
}

void ConnectionLoop::close_conn(Conn& c, const char* why) {
  if (why != nullptr) fh::log(LogLevel::Info, why);
  std::lock_guard lock(mu_);
  close_locked(conns_.find(c.fd.get()));
}

void ConnectionLoop::close_locked(std::unordered_map<int, std::unique_ptr<Conn>>::iterator it) {
  if (it == conns_.end()) return;
  if (it->second->armed != 0) ::epoll_ctl(epfd_, EPOLL_CTL_DEL, it->first, nullptr);
  conns_.erase(it); // closes the fd
  resume_accept_locked();
}

void ConnectionLoop::sweep(bool stopping) {
  std::lock_guard lock(mu_);
  const auto now = Clock::now();
  long stalled = 0;
  for (auto it = conns_.begin(); it != conns_.end();) {
    Conn& c = *it->second;
    auto cur = it++;
    if (c.busy) continue;
    if (now >= c.deadline) {
      if (c.mid_request) ++stalled;
      close_locked(cur);
      continue;
    }
    if (stopping && c.served && !c.mid_request) {
      // An idle kept connection: close it unless a request is already on its way in.
      char probe = 0;
      const ssize_t n = ::recv(c.fd.get(), &probe, 1, MSG_PEEK | MSG_DONTWAIT);
      if (n <= 0) close_locked(cur);
    }
  }
  if (stalled > 0)
    fh::log(LogLevel::Warning, "closed " + std::to_string(stalled) +
                                   " connection(s) whose request did not arrive whole within " +
                                   std::to_string(opt_.read_timeout.count()) + " ms (not run)");
  // Fds may have been freed elsewhere (another process of ours, the kernel): retry accepting.
  if (accept_paused_ && now - paused_at_ >= std::chrono::milliseconds(500)) resume_accept_locked();
}

} // namespace fh::detail
