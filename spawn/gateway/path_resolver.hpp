// cgi-gateway: maps a request's URI path onto an executable inside the CGI directory
// (SCRIPT_NAME / PATH_INFO split, Apache-style walk). Pure checks + read-only filesystem walk;
// never executes anything and never trusts the web server to have normalised the path.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace fh::gateway {

// The outcome of resolving a path: status 0 = found; otherwise 403 or 404 with a reason for
// the log (never for the client).
struct ResolvedScript {
  int status = 0;
  std::string reason;
  std::string script_name; // URI prefix up to and including the script, e.g. /cgi-bin/a/b.sh
  std::string path_info;   // the rest, "" or beginning with '/'
  std::string filename;    // canonical absolute path of the executable inside the root
};

// The URI path the web server asked for: SCRIPT_NAME + PATH_INFO (nginx with
// fastcgi_split_path_info, or SCRIPT_NAME alone), or DOCUMENT_URI when SCRIPT_NAME is empty.
// REQUEST_URI is never used: it is not decoded and carries the query string.
std::string request_path(std::string_view script_name, std::string_view path_info,
                         std::string_view document_uri);

// Pure: strips `url_prefix` ("/cgi-bin", "" for the root; no trailing slash) from `path` and
// splits the rest on '/'. Fails (status 403/404 in the result, segments empty) if the path is
// outside the prefix, contains a NUL or control character, or any segment anywhere is ".", "..",
// or an encoded dot/slash/backslash/NUL ("%2e%2e", "%2f", "%5c", "%00", any case).
struct SplitPath {
  int status = 0;
  std::string reason;
  std::vector<std::string> segments;
};
SplitPath split_request_path(std::string_view url_prefix, std::string_view path);

// Pure: whether `segment` may name a file or directory we walk through on the way to the
// script: non-empty, not a dotfile, no '%' (encoded anything), no backslash.
bool walkable_segment(std::string_view segment);

// Walks `path` below `root` (a canonical absolute directory, see canonical_root) segment by
// segment: directories are descended, the first regular file ends the walk (the rest is
// PATH_INFO). Symlinks are followed only if their target stays inside `root` and no component
// of the target is a dotfile. Result: 404 for missing/dotfiles/outside prefix, 403 for
// directories, non-executable or special files, symlink escapes and malformed paths.
ResolvedScript resolve_script(const std::string& root, std::string_view url_prefix,
                              std::string_view path);

// realpath() of `dir`, which must be an existing directory; throws std::runtime_error otherwise.
std::string canonical_root(const std::string& dir);

} // namespace fh::gateway
