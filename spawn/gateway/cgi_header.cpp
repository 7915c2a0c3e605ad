// cgi-gateway: strict CGI header block parsing and FastCGI head rendering (see cgi_header.hpp).
#include "cgi_header.hpp"

#include <fh/sys/http_status.hpp>
#include <fh/sys/strings.hpp>

#include <algorithm>
#include <array>
#include <charconv>

namespace fh::gateway {
namespace {

bool is_tchar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

using sys::iequals;
using sys::istarts_with;
using sys::trim_ows;

// Headers the gateway never forwards from a script.
bool dropped_header(std::string_view name) {
  static constexpr std::array<std::string_view, 5> kHopByHop = {
      "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Proxy-Connection"};
  for (auto h : kHopByHop)
    if (iequals(name, h)) return true;
  return istarts_with(name, "X-Accel-") && !iequals(name, "X-Accel-Buffering");
}

// Parses "NNN[ reason]" into head; false on a malformed or out-of-range code.
bool parse_status(std::string_view v, CgiHead& head) {
  if (v.size() < 3) return false;
  int code = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + 3, code);
  if (ec != std::errc() || p != v.data() + 3 || code < 100 || code > 599) return false;
  if (v.size() > 3 && v[3] != ' ') return false;
  head.status = code;
  head.reason = std::string(trim_ows(v.substr(3)));
  return true;
}

bool has_scheme(std::string_view loc) {
  const std::size_t colon = loc.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  for (std::size_t i = 0; i < colon; ++i) {
    const char c = loc[i];
    const bool alpha = (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
    if (!alpha && !(i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')))
      return false;
  }
  return true;
}

HeadParse reject(std::string why) {
  HeadParse r;
  r.error = std::move(why);
  return r;
}

} // namespace

std::optional<std::size_t> find_header_end(std::string_view buf) {
  for (std::size_t nl = buf.find('\n'); nl != std::string_view::npos; nl = buf.find('\n', nl + 1)) {
    if (nl == 0) return 1; // block starts with an empty line
    if (nl == 1 && buf[0] == '\r') return 2;
    const std::size_t next = nl + 1;
    if (next < buf.size() && buf[next] == '\n') return next + 1;
    if (next + 1 < buf.size() && buf[next] == '\r' && buf[next + 1] == '\n') return next + 2;
  }
  return std::nullopt;
}

HeadParse parse_cgi_head(std::string_view block) {
  HeadParse r;
  bool seen_status = false, seen_location = false, seen_type = false;
  std::size_t pos = 0;
  while (pos < block.size()) {
    const std::size_t nl = block.find('\n', pos);
    if (nl == std::string_view::npos) return reject("header block not terminated by a newline");
    std::string_view line = block.substr(pos, nl - pos);
    pos = nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break; // the blank line
    if (line.find('\r') != std::string_view::npos) return reject("bare CR in header line");
    if (line.front() == ' ' || line.front() == '\t') return reject("continuation line in headers");
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0)
      return reject("malformed header line (no field name)");
    const std::string_view name = line.substr(0, colon);
    if (!std::all_of(name.begin(), name.end(), [](char c) { return is_tchar(c); }))
      return reject("malformed header field name");
    const std::string_view value = trim_ows(line.substr(colon + 1));
    for (unsigned char c : value)
      if ((c < 0x20 && c != '\t') || c == 0x7f) return reject("control character in header value");
    if (iequals(name, "Status")) {
      if (seen_status) return reject("duplicate Status header");
      if (!parse_status(value, r.head)) return reject("malformed Status header");
      seen_status = true;
      continue;
    }
    if (iequals(name, "Location")) {
      if (seen_location) return reject("duplicate Location header");
      if (value.empty()) return reject("empty Location header");
      seen_location = true;
      r.head.location = std::string(value);
    } else if (iequals(name, "Content-Type")) {
      if (seen_type) return reject("duplicate Content-Type header");
      seen_type = true;
    }
    if (dropped_header(name)) continue;
    r.head.headers.emplace_back(std::string(name), std::string(value));
  }
  if (!seen_status && !seen_location && !seen_type)
    return reject("no Content-Type, Location or Status header");
  if (seen_location && !seen_status) {
    const std::string& loc = r.head.location;
    if (loc.front() == '/' && !(loc.size() > 1 && loc[1] == '/')) {
      r.head.local_redirect = true;
    } else if (has_scheme(loc) || loc.front() == '/') {
      r.head.status = 302;
    }
  }
  if (r.head.reason.empty()) r.head.reason = std::string(sys::reason_phrase(r.head.status));
  r.ok = true;
  return r;
}

std::string render_head(const CgiHead& head) {
  std::string out;
  if (head.local_redirect) {
    out = "Status: 200 OK\r\nX-Accel-Redirect: " + head.location + "\r\n\r\n";
    return out;
  }
  out = "Status: " + std::to_string(head.status) + " " + head.reason + "\r\n";
  for (const auto& [n, v] : head.headers) {
    out += n;
    out += ": ";
    out += v;
    out += "\r\n";
  }
  out += "\r\n";
  return out;
}

std::string simple_response(int status) {
  const std::string line = std::to_string(status) + " " + std::string(sys::reason_phrase(status));
  std::string out = "Status: " + line + "\r\nContent-Type: text/plain; charset=utf-8\r\n";
  if (status == 503) out += "Retry-After: 1\r\n";
  out += "\r\n" + line + "\n";
  return out;
}

} // namespace fh::gateway
