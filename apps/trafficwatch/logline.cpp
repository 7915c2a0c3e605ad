// The access-log line parser: one left-to-right pass over the line, each field checked as nginx
// writes it (addresses, [time_local], quoted strings with \" and \\, status, sizes, times).
#include "logline.hpp"

#include <cstring>

namespace tw {
namespace {

constexpr bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

constexpr bool is_hex(char c) noexcept {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// A dotted quad: four decimal parts 0..255, no leading zeros.
bool valid_ipv4(std::string_view s) noexcept {
  std::size_t i = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (i >= s.size() || s[i] != '.') return false;
      ++i;
    }
    const std::size_t start = i;
    unsigned v = 0;
    while (i < s.size() && is_digit(s[i]) && i - start < 3)
      v = v * 10 + unsigned(s[i++] - '0');
    const std::size_t len = i - start;
    if (len == 0 || v > 255 || (len > 1 && s[start] == '0')) return false;
  }
  return i == s.size();
}

// RFC 4291 text form: eight groups of 1..4 hex digits, at most one "::", optionally ending in a
// dotted quad.
bool valid_ipv6(std::string_view s) noexcept {
  const std::size_t n = s.size();
  if (n < 2 || n > 45) return false;
  int groups = 0;
  bool compressed = false;
  std::size_t i = 0;
  if (s[0] == ':') {
    if (s[1] != ':') return false;
    compressed = true;
    i = 2;
    if (i == n) return true;
  }
  for (;;) {
    std::size_t j = i;
    while (j < n && is_hex(s[j]) && j - i < 5)
      ++j;
    if (j < n && s[j] == '.') {
      if (!valid_ipv4(s.substr(i))) return false;
      groups += 2;
      break;
    }
    if (j == i || j - i > 4) return false;
    ++groups;
    i = j;
    if (i == n) break;
    if (s[i] != ':') return false;
    ++i;
    if (i == n) return false; // a single trailing colon
    if (s[i] == ':') {
      if (compressed) return false;
      compressed = true;
      ++i;
      if (i == n) break;
    }
  }
  return compressed ? groups <= 7 : groups == 8;
}

bool valid_addr(std::string_view s) noexcept {
  if (s.empty()) return false;
  if (s == "unix:") return true; // nginx's $remote_addr on a unix-socket listener
  if (s.find(':') != std::string_view::npos) return valid_ipv6(s);
  return valid_ipv4(s);
}

// Reads `len` decimal digits at p; false if any is not a digit.
bool digits(const char* p, int len, int& out) noexcept {
  int v = 0;
  for (int k = 0; k < len; ++k) {
    if (!is_digit(p[k])) return false;
    v = v * 10 + (p[k] - '0');
  }
  out = v;
  return true;
}

int month_from(const char* p) noexcept {
  static constexpr char kMonths[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
  for (int m = 0; m < 12; ++m)
    if (std::memcmp(p, kMonths + std::ptrdiff_t{3} * m, 3) == 0) return m + 1;
  return 0;
}

bool leap(int y) noexcept {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

// "10/Oct/2000:13:55:36 -0700" (exactly 26 bytes) -> unix seconds.
bool parse_time(std::string_view s, std::int64_t& out) noexcept {
  if (s.size() != 26) return false;
  const char* p = s.data();
  int day = 0, year = 0, hh = 0, mm = 0, ss = 0, tzh = 0, tzm = 0;
  if (!digits(p, 2, day) || p[2] != '/' || p[6] != '/' || !digits(p + 7, 4, year) || p[11] != ':' ||
      !digits(p + 12, 2, hh) || p[14] != ':' || !digits(p + 15, 2, mm) || p[17] != ':' ||
      !digits(p + 18, 2, ss) || p[20] != ' ' || (p[21] != '+' && p[21] != '-') ||
      !digits(p + 22, 2, tzh) || !digits(p + 24, 2, tzm))
    return false;
  const int month = month_from(p + 3);
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 0 || day < 1 || day > kDays[month - 1] + (month == 2 && leap(year) ? 1 : 0) ||
      hh > 23 || mm > 59 || ss > 60 || tzh > 23 || tzm > 59)
    return false;
  const std::int64_t offset = (std::int64_t{tzh} * 3600 + tzm * 60) * (p[21] == '-' ? -1 : 1);
  out = days_from_civil(year, unsigned(month), unsigned(day)) * 86400 + std::int64_t{hh} * 3600 +
        mm * 60 + ss - offset;
  return true;
}

// At s[i] == '"': finds the closing quote (one not escaped by an odd run of backslashes).
// Sets `content` to the bytes between the quotes and returns the index after the closing quote,
// or npos if the field is not a well-formed quoted string.
std::size_t quoted(std::string_view s, std::size_t i, std::string_view& content) noexcept {
  if (i >= s.size() || s[i] != '"') return std::string_view::npos;
  const std::size_t start = i + 1;
  std::size_t from = start;
  for (;;) {
    const void* hit = std::memchr(s.data() + from, '"', s.size() - from);
    if (hit == nullptr) return std::string_view::npos;
    const std::size_t q = std::size_t(static_cast<const char*>(hit) - s.data());
    std::size_t bs = 0;
    while (q - bs > start && s[q - bs - 1] == '\\')
      ++bs;
    if (bs % 2 == 0) {
      content = s.substr(start, q - start);
      return q + 1;
    }
    from = q + 1;
  }
}

// Decimal digits, no leading zeros, up to 2^64-1.
bool parse_u64(std::string_view s, std::uint64_t& out) noexcept {
  if (s.empty() || (s.size() > 1 && s[0] == '0')) return false;
  std::uint64_t v = 0;
  for (char c : s) {
    if (!is_digit(c)) return false;
    const auto d = std::uint64_t(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  out = v;
  return true;
}

// "12.345" (digits, a dot, exactly three digits) -> milliseconds.
bool parse_seconds(std::string_view s, std::uint64_t& ms) noexcept {
  const std::size_t dot = s.size() >= 5 ? s.size() - 4 : 0;
  if (dot == 0 || dot > 12 || s[dot] != '.') return false;
  std::uint64_t v = 0;
  for (std::size_t k = 0; k < s.size(); ++k) {
    if (k == dot) continue;
    if (!is_digit(s[k])) return false;
    v = v * 10 + std::uint64_t(s[k] - '0');
  }
  if (dot > 1 && s[0] == '0') return false;
  ms = v;
  return true;
}

// "-" or one or more of (seconds | "-") joined by ", " or " : ".
bool valid_upstream(std::string_view s) noexcept {
  std::size_t i = 0;
  for (;;) {
    std::size_t j = i;
    while (j < s.size() && s[j] != ',' && s[j] != ' ')
      ++j;
    const std::string_view item = s.substr(i, j - i);
    std::uint64_t ms = 0;
    if (item != "-" && !parse_seconds(item, ms)) return false;
    if (j == s.size()) return true;
    if (s.compare(j, 2, ", ") == 0)
      i = j + 2;
    else if (s.compare(j, 3, " : ") == 0)
      i = j + 3;
    else
      return false;
  }
}

// METHOD SP TARGET [SP HTTP/d.d]: fills method and path (the target up to '?').
void split_request(std::string_view r, LogLine& out) noexcept {
  std::size_t i = 0;
  while (i < r.size() && ((r[i] >= 'A' && r[i] <= 'Z') || r[i] == '_' || r[i] == '-'))
    ++i;
  if (i == 0 || i >= r.size() || r[i] != ' ') return;
  const std::size_t t = i + 1;
  std::size_t e = r.find(' ', t);
  if (e == std::string_view::npos) e = r.size();
  if (e == t) return;
  if (e != r.size()) {
    const std::string_view proto = r.substr(e + 1);
    if (proto.size() != 8 || proto.compare(0, 5, "HTTP/") != 0 || !is_digit(proto[5]) ||
        proto[6] != '.' || !is_digit(proto[7]))
      return;
  }
  std::string_view target = r.substr(t, e - t);
  if (const auto q = target.find('?'); q != std::string_view::npos) target = target.substr(0, q);
  out.method = r.substr(0, i);
  out.path = target;
}

} // namespace

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  // Howard Hinnant's algorithm.
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = unsigned(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + std::int64_t(doe) - 719468;
}

const char* to_string(LineError e) noexcept {
  switch (e) {
  case LineError::Ok:
    return "ok";
  case LineError::RemoteAddr:
    return "remote_addr";
  case LineError::RemoteUser:
    return "remote_user";
  case LineError::Time:
    return "time_local";
  case LineError::Request:
    return "request";
  case LineError::Status:
    return "status";
  case LineError::Bytes:
    return "body_bytes_sent";
  case LineError::Referer:
    return "http_referer";
  case LineError::UserAgent:
    return "http_user_agent";
  case LineError::RequestTime:
    return "request_time";
  case LineError::UpstreamTime:
    return "upstream_response_time";
  case LineError::Trailing:
    return "layout";
  }
  return "?";
}

LineError parse_line(std::string_view s, LogLine& out) noexcept {
  out = LogLine{};
  const std::size_t n = s.size();
  // $remote_addr " - "
  std::size_t sp = s.find(' ');
  if (sp == std::string_view::npos || !valid_addr(s.substr(0, sp))) return LineError::RemoteAddr;
  out.remote_addr = s.substr(0, sp);
  if (s.compare(sp, 3, " - ") != 0) return LineError::Trailing;
  // $remote_user " ["
  std::size_t i = sp + 3;
  std::size_t j = i;
  while (j < n && s[j] > ' ' && s[j] < 0x7f)
    ++j;
  if (j == i || s.compare(j, 2, " [") != 0) return LineError::RemoteUser;
  out.remote_user = s.substr(i, j - i);
  // [$time_local] (26 bytes) then " "
  i = j + 2;
  if (n < i + 28 || s[i + 26] != ']' || s[i + 27] != ' ') return LineError::Time;
  if (!parse_time(s.substr(i, 26), out.time)) return LineError::Time;
  i += 28;
  // "$request" " "
  std::size_t k = quoted(s, i, out.request);
  if (k == std::string_view::npos) return LineError::Request;
  if (k >= n || s[k] != ' ') return LineError::Trailing;
  split_request(out.request, out);
  // $status " "
  i = k + 1;
  int status = 0;
  if (n < i + 4 || !digits(s.data() + i, 3, status) || s[i] > '5') return LineError::Status;
  if (s[i + 3] != ' ') return LineError::Status;
  out.status = status;
  // $body_bytes_sent " "
  i += 4;
  j = s.find(' ', i);
  if (j == std::string_view::npos || !parse_u64(s.substr(i, j - i), out.bytes))
    return LineError::Bytes;
  // "$http_referer" " " "$http_user_agent" " "
  k = quoted(s, j + 1, out.referer);
  if (k == std::string_view::npos) return LineError::Referer;
  if (k >= n || s[k] != ' ') return LineError::Trailing;
  k = quoted(s, k + 1, out.user_agent);
  if (k == std::string_view::npos) return LineError::UserAgent;
  if (k >= n || s[k] != ' ') return LineError::Trailing;
  // $request_time " " $upstream_response_time (to the end of the line)
  i = k + 1;
  j = s.find(' ', i);
  std::uint64_t ms = 0;
  if (j == std::string_view::npos || !parse_seconds(s.substr(i, j - i), ms))
    return LineError::RequestTime;
  out.request_time_ms = ms > UINT32_MAX ? UINT32_MAX : std::uint32_t(ms);
  out.upstream_time = s.substr(j + 1);
  if (!valid_upstream(out.upstream_time)) return LineError::UpstreamTime;
  return LineError::Ok;
}

std::string unescape(std::string_view q) {
  std::string out;
  out.reserve(q.size());
  for (std::size_t i = 0; i < q.size(); ++i) {
    if (q[i] == '\\' && i + 1 < q.size() && (q[i + 1] == '"' || q[i + 1] == '\\')) ++i;
    out.push_back(q[i]);
  }
  return out;
}

} // namespace tw
