// cgi-gateway: URI path → script inside the CGI directory (see path_resolver.hpp for the rules).
// Filesystem access here is read-only: realpath(3), stat(2), access(2).
#include "path_resolver.hpp"

#include <fh/sys/strings.hpp>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace fh::gateway {
namespace {

// True if `seg`, once percent-decoded by a careless consumer, could mean "." or ".." or hide a
// slash, backslash or NUL.
bool dangerous_segment(std::string_view seg) {
  if (seg == "." || seg == "..") return true;
  const std::string l = fh::sys::to_ascii_lower(seg);
  if (l.find("%2f") != std::string::npos || l.find("%5c") != std::string::npos ||
      l.find("%00") != std::string::npos)
    return true;
  std::string decoded_dots;
  for (std::size_t i = 0; i < l.size();) {
    if (l.compare(i, 3, "%2e") == 0) {
      decoded_dots += '.';
      i += 3;
    } else {
      decoded_dots += l[i++];
    }
  }
  return decoded_dots == "." || decoded_dots == "..";
}

// realpath(3) into a std::string; returns "" with errno set on failure.
std::string real_path(const std::string& p) {
  std::unique_ptr<char, decltype(&std::free)> r(::realpath(p.c_str(), nullptr), &std::free);
  return r ? std::string(r.get()) : std::string();
}

ResolvedScript fail(int status, std::string reason) {
  ResolvedScript r;
  r.status = status;
  r.reason = std::move(reason);
  return r;
}

// True if any '/'-separated component of `rel` starts with '.'.
bool has_dot_component(std::string_view rel) {
  std::size_t start = 0;
  while (start <= rel.size()) {
    const std::size_t end = std::min(rel.find('/', start), rel.size());
    if (end > start && rel[start] == '.') return true;
    start = end + 1;
  }
  return false;
}

} // namespace

std::string request_path(std::string_view script_name, std::string_view path_info,
                         std::string_view document_uri) {
  if (script_name.empty()) return std::string(document_uri);
  std::string p(script_name);
  p += path_info;
  return p;
}

bool walkable_segment(std::string_view s) {
  return !s.empty() && s.front() != '.' && s.find('%') == std::string_view::npos &&
         s.find('\\') == std::string_view::npos;
}

SplitPath split_request_path(std::string_view prefix, std::string_view path) {
  SplitPath out;
  for (unsigned char c : path) {
    if (c < 0x20 || c == 0x7f) {
      out.status = 403;
      out.reason = "control character or NUL in path";
      return out;
    }
  }
  if (path.substr(0, prefix.size()) != prefix ||
      (path.size() > prefix.size() && path[prefix.size()] != '/')) {
    out.status = 404;
    out.reason = "path outside the gateway prefix";
    return out;
  }
  std::string_view rest = path.substr(prefix.size());
  if (rest.empty()) return out; // the prefix itself: no segments (a directory)
  rest.remove_prefix(1);        // the '/' after the prefix
  std::size_t start = 0;
  for (;;) {
    const std::size_t slash = rest.find('/', start);
    const std::string_view seg = rest.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (dangerous_segment(seg)) {
      out.status = 403;
      out.reason = "dot segment or encoded dot/slash in path";
      out.segments.clear();
      return out;
    }
    out.segments.emplace_back(seg);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

ResolvedScript resolve_script(const std::string& root, std::string_view prefix,
                              std::string_view path) {
  SplitPath split = split_request_path(prefix, path);
  if (split.status != 0) return fail(split.status, split.reason);
  std::string url(prefix);
  std::string fs_path = root;
  const auto& segs = split.segments;
  for (std::size_t i = 0; i < segs.size(); ++i) {
    const std::string& seg = segs[i];
    if (seg.empty()) return fail(403, "empty path segment (directory or //)");
    if (seg.front() == '.') return fail(404, "dotfile in path: " + seg);
    if (!walkable_segment(seg)) return fail(403, "forbidden characters in segment: " + seg);
    url += '/';
    url += seg;
    fs_path += '/';
    fs_path += seg;
    const std::string real = real_path(fs_path);
    if (real.empty()) return fail(errno == EACCES ? 403 : 404, "cannot resolve " + fs_path);
    if (real.size() <= root.size() || real.compare(0, root.size(), root) != 0 ||
        real[root.size()] != '/')
      return fail(403, "symlink escapes the CGI directory: " + fs_path + " -> " + real);
    if (has_dot_component(std::string_view(real).substr(root.size() + 1)))
      return fail(404, "symlink to a dotfile: " + fs_path + " -> " + real);
    struct stat st {};
    if (::stat(real.c_str(), &st) != 0) return fail(404, "cannot stat " + real);
    if (S_ISDIR(st.st_mode)) continue;
    if (!S_ISREG(st.st_mode)) return fail(403, "not a regular file: " + real);
    if ((st.st_mode & 0111) == 0 || ::access(real.c_str(), X_OK) != 0)
      return fail(403, "not executable: " + real);
    ResolvedScript r;
    r.script_name = std::move(url);
    for (std::size_t j = i + 1; j < segs.size(); ++j) {
      r.path_info += '/';
      r.path_info += segs[j];
    }
    r.filename = real;
    return r;
  }
  return fail(403, "is a directory: " + fs_path);
}

std::string canonical_root(const std::string& dir) {
  std::string real = real_path(dir);
  struct stat st {};
  if (real.empty() || ::stat(real.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw std::runtime_error("--cgi-dir " + dir + " is not an existing directory");
  if (real == "/") throw std::runtime_error("--cgi-dir must not be the filesystem root");
  return real;
}

} // namespace fh::gateway
