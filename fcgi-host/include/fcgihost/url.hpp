// fh::url_encode: percent-encoding of text for a URL path or a query string (the one encoder
// the library, its test client and the apps share).
#pragma once

#include <string>
#include <string_view>

namespace fh {

// Encodes every byte but the RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~), and '/' as
// well when `keep_slash` (for a path), as %XX with upper-case hex: "a b&c" -> "a%20b%26c".
std::string url_encode(std::string_view s, bool keep_slash = false);

} // namespace fh
