// cgi-gateway: the poll loop that feeds a CGI program's stdin and drains its stdout/stderr
// (see cgi_pump.hpp). One instance of Pump per request, on the request's thread.
#include "cgi_pump.hpp"

#include <array>
#include <cerrno>
#include <poll.h>
#include <unistd.h>

#include "cgi_header.hpp"

namespace fh::gateway {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kChunk = 64 * 1024;
constexpr std::size_t kMaxStderrLine = 16 * 1024;

class Pump {
public:
  Pump(ChildProcess& c, BodySource& b, ResponseSink& s,
       const std::function<void(std::string_view)>& line, const PumpOptions& o)
      : child_(c), body_(b), sink_(s), stderr_line_(line), opts_(o) {}

  PumpResult run();

private:
  bool done(Clock::time_point now) const;
  void on_stdin_ready();
  bool on_stdout_ready(); // false: stop (result_ filled)
  bool on_output(std::string_view data);
  void on_stderr_ready();
  void finish_without_head();

  ChildProcess& child_;
  BodySource& body_;
  ResponseSink& sink_;
  const std::function<void(std::string_view)>& stderr_line_;
  const PumpOptions& opts_;
  PumpResult result_;
  std::string pending_; // body bytes read but not yet written to the child
  std::size_t pending_off_ = 0;
  bool body_eof_ = false;
  std::string head_buf_, err_buf_;
  bool discard_body_ = false;
  std::optional<Clock::time_point> exit_time_;
};

bool Pump::done(Clock::time_point now) const {
  if (!exit_time_) return false;
  if (!child_.out() && !child_.err()) return true;
  return now >= *exit_time_ + opts_.exit_grace; // stragglers hold the pipes: stop waiting
}

// Writes pending body bytes; refills from the body source (blocking) when empty; closes the
// child's stdin at the end of the body or when the child stops reading (EPIPE).
void Pump::on_stdin_ready() {
  if (pending_off_ == pending_.size() && !body_eof_) {
    pending_.resize(kChunk);
    const std::size_t n = body_.read(pending_.data(), kChunk);
    pending_.resize(n);
    pending_off_ = 0;
    result_.body_in += n;
    if (n == 0) body_eof_ = true;
  }
  if (pending_off_ < pending_.size()) {
    const ssize_t w =
        ::write(child_.in().get(), pending_.data() + pending_off_, pending_.size() - pending_off_);
    if (w > 0)
      pending_off_ += static_cast<std::size_t>(w);
    else if (w < 0 && errno != EAGAIN && errno != EINTR)
      child_.in().reset(); // EPIPE: not read
  }
  if (pending_off_ == pending_.size() && body_eof_) child_.in().reset();
}

// Handles stdout bytes: header phase until the blank line, then streaming.
bool Pump::on_output(std::string_view data) {
  if (result_.head_sent) {
    if (discard_body_) return true;
    result_.body_out += data.size();
    if (!sink_.write(data)) {
      result_.end = PumpResult::End::ClientGone;
      result_.detail = "client went away while streaming the response";
      return false;
    }
    return true;
  }
  head_buf_ += data;
  const auto end = find_header_end(head_buf_);
  // The limit holds however the bytes arrive: a blank line found in the same read that crosses
  // the limit does not make an oversized header block acceptable.
  if (!end || *end > kMaxHeaderBlock) {
    if (!end && head_buf_.size() <= kMaxHeaderBlock) return true;
    result_.end = PumpResult::End::BadHeader;
    result_.detail = "header block longer than " + std::to_string(kMaxHeaderBlock) + " bytes";
    return false;
  }
  HeadParse parsed = parse_cgi_head(std::string_view(head_buf_).substr(0, *end));
  if (!parsed.ok) {
    result_.end = PumpResult::End::BadHeader;
    result_.detail = "bad CGI header: " + parsed.error;
    return false;
  }
  result_.head_sent = true;
  result_.status = parsed.head.status;
  discard_body_ = parsed.head.local_redirect;
  const std::string rest = head_buf_.substr(*end);
  head_buf_.clear();
  if (!sink_.write(render_head(parsed.head))) {
    result_.end = PumpResult::End::ClientGone;
    result_.detail = "client went away before the response head";
    return false;
  }
  return rest.empty() || on_output(rest);
}

bool Pump::on_stdout_ready() {
  std::array<char, kChunk> buf;
  const ssize_t n = ::read(child_.out().get(), buf.data(), buf.size());
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR) return true;
    child_.out().reset();
    return true;
  }
  if (n == 0) {
    child_.out().reset();
    return true;
  }
  return on_output(std::string_view(buf.data(), static_cast<std::size_t>(n)));
}

// Reads stderr and hands out complete lines (or 16 KiB pieces); flushes the tail at EOF.
void Pump::on_stderr_ready() {
  std::array<char, 8192> buf;
  const ssize_t n = ::read(child_.err().get(), buf.data(), buf.size());
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) {
    child_.err().reset();
    if (!err_buf_.empty()) stderr_line_(err_buf_);
    err_buf_.clear();
    return;
  }
  err_buf_.append(buf.data(), static_cast<std::size_t>(n));
  std::size_t start = 0;
  for (;;) {
    const std::size_t nl = err_buf_.find('\n', start);
    if (nl == std::string::npos) break;
    std::string_view line(err_buf_.data() + start, nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    stderr_line_(line);
    start = nl + 1;
  }
  err_buf_.erase(0, start);
  while (err_buf_.size() >= kMaxStderrLine) {
    stderr_line_(std::string_view(err_buf_).substr(0, kMaxStderrLine));
    err_buf_.erase(0, kMaxStderrLine);
  }
}

void Pump::finish_without_head() {
  result_.end = PumpResult::End::NoHeader;
  result_.detail = head_buf_.empty() ? "no output before exit"
                                     : "output ended before the blank line after the headers";
}

PumpResult Pump::run() {
  for (;;) {
    const auto now = Clock::now();
    if (done(now)) break;
    if (now >= opts_.deadline) {
      child_.kill_group();
      result_.end = PumpResult::End::Timeout;
      result_.detail = "timed out; process group killed";
      return result_;
    }
    auto until = opts_.deadline;
    if (exit_time_) until = std::min(until, *exit_time_ + opts_.exit_grace);
    const auto wait_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count() + 1;
    std::array<pollfd, 4> p{};
    p[0] = {child_.in().get(), POLLOUT, 0}; // negative fds are ignored by poll
    p[1] = {child_.out().get(), POLLIN, 0};
    p[2] = {child_.err().get(), POLLIN, 0};
    p[3] = {exit_time_ ? -1 : child_.pidfd(), POLLIN, 0};
    if (::poll(p.data(), p.size(), static_cast<int>(wait_ms)) < 0) continue; // EINTR
    if (p[0].revents) on_stdin_ready();
    if (p[1].revents && !on_stdout_ready()) {
      child_.kill_group();
      return result_;
    }
    if (p[2].revents) on_stderr_ready();
    if (p[3].revents) {
      result_.wait_status = child_.exited();
      if (result_.wait_status) exit_time_ = Clock::now();
    }
  }
  if (!result_.head_sent) finish_without_head();
  return result_;
}

} // namespace

PumpResult pump_cgi(ChildProcess& child, BodySource& body, ResponseSink& sink,
                    const std::function<void(std::string_view)>& stderr_line,
                    const PumpOptions& opts) {
  return Pump(child, body, sink, stderr_line, opts).run();
}

} // namespace fh::gateway
