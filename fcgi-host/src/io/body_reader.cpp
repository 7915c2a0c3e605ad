// See body_reader.hpp. The only place that reads request bodies.
#include "io/body_reader.hpp"

#include <charconv>

namespace fh::detail {
namespace {

void drain(const ReadFn& read) {
  char buf[16384];
  while (read(buf, sizeof buf) > 0) {
  }
}

} // namespace

std::optional<std::size_t> parse_content_length(std::optional<std::string_view> value) {
  if (!value || value->empty()) return 0;
  std::size_t n = 0;
  auto [p, ec] = std::from_chars(value->data(), value->data() + value->size(), n);
  if (ec != std::errc() || p != value->data() + value->size()) return std::nullopt;
  return n;
}

void read_body(RawRequest& raw, const Limits& limits, const ReadFn& read, bool drain_to_eof) {
  const auto declared = parse_content_length(raw.param("CONTENT_LENGTH"));
  auto fail = [&](int status, const char* why) {
    raw.input_error_status = status;
    raw.input_error = why;
    raw.body.clear();
    if (drain_to_eof) drain(read);
  };
  if (!declared) return fail(400, "malformed Content-Length");
  if (*declared > limits.max_body_bytes) return fail(413, "request body larger than the limit");
  raw.body.resize(*declared);
  std::size_t got = 0;
  while (got < *declared) {
    long n = read(raw.body.data() + got, *declared - got);
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  if (got < *declared) return fail(400, "request body shorter than Content-Length");
  if (drain_to_eof) {
    char extra[1];
    if (read(extra, 1) > 0) return fail(400, "request body longer than Content-Length");
  }
}

} // namespace fh::detail
