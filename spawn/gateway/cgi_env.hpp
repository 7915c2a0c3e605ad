// cgi-gateway: builds the RFC 3875 environment for one CGI process from the FastCGI params.
// Allow-list only: unknown params, HTTP_PROXY (httpoxy) and values with control characters
// never reach the script. Pure; no I/O.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "path_resolver.hpp"

namespace fh::gateway {

using Params = std::vector<std::pair<std::string, std::string>>;

// Splits libfcgi's "NAME=value" strings into pairs (entries without '=' are skipped).
Params params_from_envp(const char* const* envp);

// The first value of `name` in `params`, or "" if absent.
std::string_view param(const Params& params, std::string_view name);

// The child's environment as "NAME=value" strings:
//  - computed: GATEWAY_INTERFACE, SCRIPT_NAME, SCRIPT_FILENAME, PATH_INFO and PATH_TRANSLATED
//    (only when there is path info; PATH_TRANSLATED needs DOCUMENT_ROOT), CONTENT_LENGTH (only
//    if all digits), REQUEST_METHOD (GET if missing), SERVER_PROTOCOL (HTTP/1.0 if missing),
//    PATH (fixed, see kCgiPath);
//  - copied when present and clean: the RFC 3875 meta-variables, nginx's common extras
//    (REQUEST_URI, DOCUMENT_URI, DOCUMENT_ROOT, HTTPS, REQUEST_SCHEME, ...) and every HTTP_*
//    whose name is [A-Z0-9_]+ — except HTTP_PROXY.
std::vector<std::string> build_cgi_env(const Params& params, const ResolvedScript& script);

inline constexpr std::string_view kCgiPath = "/usr/local/bin:/usr/bin:/bin";

} // namespace fh::gateway
