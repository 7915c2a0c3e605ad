// The access-log line parser for trafficwatch: nginx's combined format followed by
// $request_time and $upstream_response_time, checked field by field, without allocating.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tw {

// Which field made a line malformed (Ok when the line is valid).
enum class LineError {
  Ok,
  RemoteAddr,
  RemoteUser,
  Time,
  Request,
  Status,
  Bytes,
  Referer,
  UserAgent,
  RequestTime,
  UpstreamTime,
  Trailing, // bytes after the last field, or a missing separator between fields
};

const char* to_string(LineError e) noexcept;

// One parsed line. Every view points into the line given to parse_line. Quoted fields are kept
// as they appear between the quotes (escapes not undone; see unescape()).
struct LogLine {
  std::string_view remote_addr;
  std::string_view remote_user; // "-" when there is none
  std::int64_t time = 0;        // $time_local as unix seconds (UTC)
  std::string_view request;     // the whole request line ("GET /x HTTP/1.1"), may be empty
  std::string_view method;      // empty unless the request line is METHOD SP TARGET SP HTTP/x.y
  std::string_view path;        // the target up to '?', empty as for method
  int status = 0;               // 0..599 (000 and 499 included)
  std::uint64_t bytes = 0;      // $body_bytes_sent, the full 64-bit range
  std::string_view referer;     // "-" when there is none
  std::string_view user_agent;  // "-" when there is none
  std::uint32_t request_time_ms = 0; // $request_time in milliseconds (saturates at ~49 days)
  std::string_view upstream_time;    // as logged: "-", "0.012" or a list ("0.010, 0.020 : -")
};

// Parses one line (without its '\n'). Returns LineError::Ok and fills `out`, or the first field
// that is not well-formed. Never allocates; safe on any bytes.
LineError parse_line(std::string_view line, LogLine& out) noexcept;

// The bytes a quoted field stands for: "\"" -> '"', "\\" -> '\'; any other backslash is kept
// as it is (nginx's own "\x22" escapes stay readable text).
std::string unescape(std::string_view quoted_content);

// Days since 1970-01-01 of a proleptic Gregorian date (exposed for tests).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept;

} // namespace tw
