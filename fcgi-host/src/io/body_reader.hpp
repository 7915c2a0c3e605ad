// Bounded request-body reading shared by both front ends: CONTENT_LENGTH is checked (missing:
// no body; negative or non-numeric: 400), the limit enforced (413), and the actual length
// compared with the declared one. Never blocks waiting for a body that was not announced.
#pragma once

#include "fcgihost/limits.hpp"
#include "fcgihost/request.hpp"

#include <cstddef>
#include <functional>
#include <optional>
#include <string_view>

namespace fh::detail {

// Reads up to `n` bytes into `buf`; returns the count, 0 at end of stream, < 0 on error.
using ReadFn = std::function<long(char* buf, std::size_t n)>;

// The declared body length: 0 when absent or empty, nullopt when malformed (negative, not a
// number, or too large to represent).
std::optional<std::size_t> parse_content_length(std::optional<std::string_view> value);

// Fills raw.body through `read`. On a bad length or an oversized body it sets
// raw.input_error_status/input_error instead of throwing. With `drain_to_eof` (FastCGI) the
// stream is read to its end, discarding what is over the limit, so a kept connection stays sane.
void read_body(RawRequest& raw, const Limits& limits, const ReadFn& read, bool drain_to_eof);

} // namespace fh::detail
