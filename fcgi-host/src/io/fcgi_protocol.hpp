// The FastCGI protocol on one connection, as a pure state machine: bytes in, complete requests
// and protocol answers out. No sockets, no threads, no clock: the worker's connection loop
// (fcgi_loop.cpp) feeds it what it reads, and the fuzz target feeds it anything. Record types and
// framing are libfcgi's <fastcgi.h>.
//
// A request is handed out only once it is complete (BEGIN_REQUEST, every PARAMS record through
// the empty one, every STDIN record through the empty one), so a peer that stalls mid-request
// never reaches the app. Memory stays bounded: params above `max_params_bytes` and a body above
// `max_body_bytes` are read and thrown away (the request is then answered 431 / 413). While a
// complete request waits to be taken, the parser stops consuming input, so pipelined requests
// are answered in order and never pile up.
#pragma once

#include "fcgihost/request.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fh::detail {

struct FcgiLimits {
  std::size_t max_params_bytes = 64 * 1024;      // all PARAMS content of one request
  std::size_t max_body_bytes = 10 * 1024 * 1024; // STDIN content of one request
  unsigned max_conns = 1024;                     // answered to FCGI_GET_VALUES
  unsigned max_reqs = 1;                         // answered to FCGI_GET_VALUES
};

// A complete request, ready to be served. raw.input_error_status is set (400/413/431) when the
// request must be refused (malformed params, body over the limit or not matching CONTENT_LENGTH).
struct FcgiRequest {
  std::uint16_t id = 0;
  bool keep_conn = false;
  RawRequest raw;
};

class FcgiParser {
public:
  explicit FcgiParser(FcgiLimits limits) : limits_(limits) {}

  // Takes `bytes` read from the peer. Returns false on a protocol violation (bad version,
  // a record that cannot be framed): the connection is then to be closed without an answer.
  bool feed(std::string_view bytes);
  // The next complete request, in arrival order; taking it lets the parser go on with the
  // bytes buffered behind it.
  std::optional<FcgiRequest> next();
  // Bytes to send to the peer now: answers to management records, FCGI_END_REQUEST for requests
  // refused (unknown role, multiplexing) or aborted. Empty when there is nothing to send.
  std::string take_output();

  // A request (or a record) has started and is not complete yet: a read deadline applies.
  bool mid_request() const noexcept;
  // A request ended without being handed out (aborted, refused) and the peer did not ask to keep
  // the connection: close it once take_output() is written.
  bool close_after_output() const noexcept { return close_after_output_; }
  const std::string& error() const noexcept { return error_; }
  // Bytes read but not yet consumed (behind a complete request that was not taken yet).
  std::size_t buffered() const noexcept { return in_.size() - pos_; }

private:
  bool parse(); // consume what can be
  bool on_record(int type, std::uint16_t id, std::string_view content);
  void on_begin(std::uint16_t id, std::string_view content);
  void on_params(std::string_view content);
  void on_stdin(std::string_view content);
  void on_get_values(std::string_view content);
  void end_request(std::uint16_t id, std::uint8_t protocol_status);
  void finish_request(); // the empty STDIN record: the request is complete

  FcgiLimits limits_;
  std::string in_;      // unconsumed input from pos_
  std::size_t pos_ = 0; // consumed prefix of in_
  std::string out_;
  std::string error_;
  bool close_after_output_ = false;

  // The request being read (active_ == false: none).
  bool active_ = false;
  bool params_done_ = false;
  bool params_over_ = false;
  bool body_over_ = false;
  FcgiRequest cur_;
  std::string params_;
  std::optional<FcgiRequest> ready_; // complete, waiting for next()
};

// Decodes FastCGI name-value pairs (1- or 4-byte lengths). False if malformed.
bool decode_fcgi_params(std::string_view data,
                        std::vector<std::pair<std::string, std::string>>& out);
// Encodes name-value pairs as FastCGI does (for tests and FCGI_GET_VALUES_RESULT).
std::string encode_fcgi_params(const std::vector<std::pair<std::string, std::string>>& pairs);
// One record (content up to 65535 bytes, no padding).
void append_fcgi_record(std::string& out, int type, std::uint16_t id, std::string_view content);
// The answer to request `id`: `body` (the CGI-style response) as STDOUT records, the empty
// STDOUT record, then FCGI_END_REQUEST (complete, app status 0), in one buffer.
void append_fcgi_response(std::string& out, std::uint16_t id, std::string_view body);

} // namespace fh::detail
