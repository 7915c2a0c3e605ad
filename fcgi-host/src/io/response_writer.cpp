// The one place that turns a Response into bytes (see response_writer.hpp).
#include "io/response_writer.hpp"

#include "fcgihost/http_error.hpp"

#include <fh/sys/strings.hpp>

#include <cctype>

namespace fh::detail {
namespace {

using sys::iequals;

} // namespace

std::string serialize_response(const Response& r, bool head_request) {
  const int status = r.status();
  const bool no_body = head_request || status < 200 || status == 204 || status == 304;
  std::string out;
  out.reserve(128 + r.body().size());
  out.append("Status: ").append(std::to_string(status)).append(" ");
  out.append(reason_phrase(status)).append("\r\n");
  bool has_type = false;
  for (const auto& [name, value] : r.headers()) {
    // Content-Length is ours to compute; Status is not a header a handler may set.
    if (iequals(name, "Content-Length") || iequals(name, "Status")) continue;
    if (iequals(name, "Content-Type")) has_type = true;
    out.append(name).append(": ").append(value).append("\r\n");
  }
  if (!has_type && status != 204 && status != 304)
    out.append("Content-Type: text/html; charset=utf-8\r\n");
  if (status != 204 && status != 304 && status >= 200)
    out.append("Content-Length: ").append(std::to_string(r.body().size())).append("\r\n");
  out.append("\r\n");
  if (!no_body) out.append(r.body());
  return out;
}

} // namespace fh::detail
