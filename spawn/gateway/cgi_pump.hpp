// cgi-gateway: the I/O pump between one request and its CGI process. Writes the request body
// to the child's stdin while reading its stdout and stderr (one poll loop, so large bodies in
// both directions never deadlock), parses the header block, streams the response to the sink,
// enforces the deadline. Knows nothing about FastCGI: the caller adapts libfcgi streams.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "child_process.hpp"

namespace fh::gateway {

// The request body. read() may block; returns the number of bytes read, 0 only at EOF.
class BodySource {
public:
  virtual ~BodySource() = default;
  virtual std::size_t read(char* buf, std::size_t n) = 0;
};

// Where the response goes. write() may block; returns false once the client is gone.
class ResponseSink {
public:
  virtual ~ResponseSink() = default;
  virtual bool write(std::string_view data) = 0;
};

struct PumpResult {
  enum class End {
    Complete,   // head sent (or nothing to send) and the child finished
    Timeout,    // the deadline passed; the group was killed
    BadHeader,  // the header block was rejected; nothing was sent
    NoHeader,   // output ended (child exited) before a complete header block; nothing sent
    ClientGone, // the sink failed; the group was killed
  };
  End end = End::Complete;
  bool head_sent = false;
  int status = 0;                 // the HTTP status sent, if head_sent
  std::optional<int> wait_status; // the leader's wait status, if it exited
  std::string detail;             // why, for the log
  std::size_t body_in = 0, body_out = 0;
};

struct PumpOptions {
  std::chrono::steady_clock::time_point deadline;
  // After the leader exits, how long stragglers in its group may keep the pipes open.
  std::chrono::milliseconds exit_grace{2000};
};

// Runs the loop until the child is done or the deadline passes. `stderr_line` receives each
// complete line of the child's stderr (lines longer than 16 KiB arrive in 16 KiB pieces; a final
// unterminated line is delivered at EOF). Does not reap the child (its destructor does) and
// does not drain the body source beyond what the child consumed.
PumpResult pump_cgi(ChildProcess& child, BodySource& body, ResponseSink& sink,
                    const std::function<void(std::string_view)>& stderr_line,
                    const PumpOptions& opts);

} // namespace fh::gateway
