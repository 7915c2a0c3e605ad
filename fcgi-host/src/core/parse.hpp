// Pure parsers for untrusted request input: percent-encoding, query/urlencoded forms, cookies,
// Content-Type, multipart/form-data. No I/O; limits are passed in; malformed input or a limit
// exceeded throws HttpError(400) with a one-line reason.
#pragma once

#include "fcgihost/limits.hpp"
#include "fcgihost/multidict.hpp"
#include "fcgihost/request.hpp"
#include "fcgihost/url.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fh::detail {

// Decodes %XX escapes (and '+' as space when `plus_as_space`); nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view in, bool plus_as_space);
// The library's internal name for fh::url_encode (fcgihost/url.hpp).
inline std::string percent_encode(std::string_view in, bool keep_slash = false) {
  return url_encode(in, keep_slash);
}

// Parses "a=1&b=2&a=3" (query string or x-www-form-urlencoded body) into `out`.
void parse_urlencoded(std::string_view in, const Limits& limits, MultiDict& out);

// Parses a Cookie header ("a=1; b=2"); pairs without '=' are skipped, quotes stripped.
void parse_cookies(std::string_view in, const Limits& limits, MultiDict& out);

struct ContentType {
  std::string media_type;                    // lower-case "type/subtype", empty when absent
  std::map<std::string, std::string> params; // lower-case names; values unquoted
};
// Throws HttpError(400) on malformed parameters: an unterminated quoted-string, text after one,
// a stray '"', a repeated name.
ContentType parse_content_type(std::string_view in);

// Parses a multipart/form-data body delimited by `boundary` into fields and files.
void parse_multipart(std::string_view body, std::string_view boundary, const Limits& limits,
                     MultiDict& form, std::vector<FilePart>& files);

} // namespace fh::detail
