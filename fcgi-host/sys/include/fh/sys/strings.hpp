// fh::sys::iequals / istarts_with / to_ascii_lower: ASCII case-insensitive comparison, for HTTP and
// CGI header names (locale-free on purpose: header names are ASCII tokens); trim_ows: HTTP's
// optional whitespace (space, tab) off both ends.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace fh::sys {

constexpr char ascii_lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// `s` in ASCII lower case (header names, media types, keys compared as SQLite's NOCASE does).
inline std::string to_ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = ascii_lower(c);
  return out;
}

constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

constexpr bool istarts_with(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

// `s` without the spaces and tabs at either end (RFC 9110 OWS around header values, cookie and
// parameter pieces); other whitespace (CR, LF) stays: it is no OWS.
constexpr std::string_view trim_ows(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

} // namespace fh::sys
