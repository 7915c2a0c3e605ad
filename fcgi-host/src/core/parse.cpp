// Implementation of the request input parsers (see parse.hpp) and of fh::url_encode (url.hpp).
// Every loop is bounded by the input length and the Limits; nothing here allocates more than the
// input plus its pieces.
#include "core/parse.hpp"

#include "fcgihost/http_error.hpp"

#include <fh/sys/strings.hpp>

#include <algorithm>
#include <cctype>

namespace fh::detail {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

using sys::iequals;
using sys::trim_ows;

void check_field(const std::string& s, const Limits& limits, const char* what) {
  if (s.size() > limits.max_param_bytes)
    throw HttpError(400, std::string(what) + " larger than the limit");
}

[[noreturn]] void bad_param(const char* why) {
  throw HttpError(400, std::string("malformed header parameter (") + why + ")");
}

// Splits header parameters ("; name=value; name2=\"v\"") into lower-case names -> values.
// A value is a token (no '"') or one RFC 7230 quoted-string ("\x" stands for x) followed only
// by whitespace. An unterminated quoted-string, text after one, a '"' in a token or a name, or
// a repeated name is a 400: a lenient reading (name="abc taken as "abc) is one that another
// parser in front of us may read differently. Items without '=' are skipped.
std::map<std::string, std::string> parse_params(std::string_view rest) {
  std::map<std::string, std::string> params;
  std::size_t i = 0;
  auto skip_ws = [&] {
    while (i < rest.size() && (rest[i] == ' ' || rest[i] == '\t'))
      ++i;
  };
  while (i < rest.size()) {
    skip_ws();
    const std::size_t name_start = i;
    while (i < rest.size() && rest[i] != '=' && rest[i] != ';') {
      if (rest[i] == '"') bad_param("quote in a parameter name");
      ++i;
    }
    const std::string name = sys::to_ascii_lower(trim_ows(rest.substr(name_start, i - name_start)));
    if (i >= rest.size() || rest[i] == ';') { // no '=': skipped
      ++i;
      continue;
    }
    ++i; // '='
    skip_ws();
    std::string value;
    if (i < rest.size() && rest[i] == '"') {
      bool closed = false;
      for (++i; i < rest.size(); ++i) {
        if (rest[i] == '"') {
          closed = true;
          ++i;
          break;
        }
        if (rest[i] == '\\') {
          if (++i >= rest.size()) break;
        }
        value.push_back(rest[i]);
      }
      if (!closed) bad_param("unterminated quoted-string");
      skip_ws();
      if (i < rest.size() && rest[i] != ';') bad_param("text after a quoted-string");
    } else {
      const std::size_t start = i;
      while (i < rest.size() && rest[i] != ';') {
        if (rest[i] == '"') bad_param("quote inside a token");
        ++i;
      }
      value = std::string(trim_ows(rest.substr(start, i - start)));
    }
    ++i; // the ';' (or past the end)
    if (!params.emplace(name, std::move(value)).second) bad_param("repeated parameter");
  }
  return params;
}

} // namespace

std::optional<std::string> percent_decode(std::string_view in, bool plus_as_space) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void parse_urlencoded(std::string_view in, const Limits& limits, MultiDict& out) {
  std::size_t count = 0;
  while (!in.empty()) {
    auto amp = in.find('&');
    std::string_view pair = in.substr(0, amp);
    in = amp == std::string_view::npos ? std::string_view{} : in.substr(amp + 1);
    if (pair.empty()) continue;
    if (++count > limits.max_params) throw HttpError(400, "too many fields");
    auto eq = pair.find('=');
    auto key = percent_decode(pair.substr(0, eq), true);
    auto value = percent_decode(
        eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true);
    if (!key || !value) throw HttpError(400, "malformed percent-encoding");
    check_field(*key, limits, "field name");
    check_field(*value, limits, "field value");
    out.add(std::move(*key), std::move(*value));
  }
}

void parse_cookies(std::string_view in, const Limits& limits, MultiDict& out) {
  if (in.size() > limits.max_header_bytes) throw HttpError(431, "cookie header too large");
  std::size_t count = 0;
  while (!in.empty()) {
    auto semi = in.find(';');
    std::string_view pair = trim_ows(in.substr(0, semi));
    in = semi == std::string_view::npos ? std::string_view{} : in.substr(semi + 1);
    auto eq = pair.find('=');
    if (pair.empty() || eq == std::string_view::npos || eq == 0) continue; // RFC 6265: ignore
    if (++count > limits.max_params) throw HttpError(400, "too many cookies");
    std::string_view name = trim_ows(pair.substr(0, eq));
    std::string_view value = trim_ows(pair.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    out.add(std::string(name), std::string(value));
  }
}

ContentType parse_content_type(std::string_view in) {
  ContentType ct;
  auto semi = in.find(';');
  ct.media_type = sys::to_ascii_lower(trim_ows(in.substr(0, semi)));
  if (semi != std::string_view::npos) ct.params = parse_params(in.substr(semi + 1));
  return ct;
}

namespace {

struct PartHeaders {
  std::string name, filename, content_type;
  bool has_filename = false;
};

// Parses the header block of one part (lines separated by CRLF, no trailing blank line).
PartHeaders parse_part_headers(std::string_view block, const Limits& limits) {
  PartHeaders h;
  bool disposition = false;
  while (!block.empty()) {
    auto eol = block.find("\r\n");
    std::string_view line = block.substr(0, eol);
    block = eol == std::string_view::npos ? std::string_view{} : block.substr(eol + 2);
    if (line.size() > limits.max_header_bytes) throw HttpError(400, "multipart header too large");
    auto colon = line.find(':');
    if (colon == std::string_view::npos) throw HttpError(400, "malformed multipart header");
    std::string_view name = trim_ows(line.substr(0, colon));
    std::string_view value = trim_ows(line.substr(colon + 1));
    if (iequals(name, "Content-Disposition")) {
      auto semi = value.find(';');
      if (!iequals(trim_ows(value.substr(0, semi)), "form-data"))
        throw HttpError(400, "multipart part is not form-data");
      auto params = parse_params(semi == std::string_view::npos ? std::string_view{}
                                                                : value.substr(semi + 1));
      auto n = params.find("name");
      if (n == params.end()) throw HttpError(400, "multipart part without a name");
      h.name = n->second;
      if (auto f = params.find("filename"); f != params.end()) {
        h.filename = f->second;
        h.has_filename = true;
      }
      disposition = true;
    } else if (iequals(name, "Content-Type")) {
      h.content_type = std::string(value);
    }
  }
  if (!disposition) throw HttpError(400, "multipart part without Content-Disposition");
  return h;
}

} // namespace

void parse_multipart(std::string_view body, std::string_view boundary, const Limits& limits,
                     MultiDict& form, std::vector<FilePart>& files) {
  if (boundary.empty() || boundary.size() > 70) throw HttpError(400, "bad multipart boundary");
  const std::string delim = "--" + std::string(boundary);
  const std::string next_delim = "\r\n" + delim;
  // The body starts with the first delimiter (a preamble before it is allowed and ignored).
  auto pos = body.find(delim);
  if (pos == std::string_view::npos) throw HttpError(400, "multipart body without boundary");
  if (pos != 0 && (pos < 2 || body.substr(pos - 2, 2) != "\r\n"))
    throw HttpError(400, "malformed multipart");
  pos += delim.size();
  std::size_t parts = 0;
  for (;;) {
    std::string_view rest = body.substr(pos);
    if (rest.substr(0, 2) == "--") return; // closing delimiter
    if (rest.substr(0, 2) != "\r\n") throw HttpError(400, "malformed multipart delimiter");
    rest.remove_prefix(2);
    if (++parts > limits.max_multipart_parts) throw HttpError(400, "too many multipart parts");
    if (rest.substr(0, 2) == "\r\n") throw HttpError(400, "multipart part without headers");
    auto header_end = rest.find("\r\n\r\n");
    if (header_end == std::string_view::npos)
      throw HttpError(400, "unterminated multipart headers");
    PartHeaders h = parse_part_headers(rest.substr(0, header_end), limits);
    rest.remove_prefix(header_end + 4);
    auto end = rest.find(next_delim);
    if (end == std::string_view::npos) throw HttpError(400, "unterminated multipart part");
    std::string_view content = rest.substr(0, end);
    if (h.has_filename) {
      files.push_back(FilePart{h.name, h.filename,
                               h.content_type.empty() ? "application/octet-stream" : h.content_type,
                               std::string(content)});
    } else {
      if (content.size() > limits.max_param_bytes)
        throw HttpError(400, "field value larger than the limit");
      form.add(h.name, std::string(content));
    }
    pos = static_cast<std::size_t>(rest.data() - body.data()) + end + next_delim.size();
  }
}

} // namespace fh::detail

namespace fh {

std::string url_encode(std::string_view in, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(in.size());
  for (unsigned char c : in) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
        (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

} // namespace fh
