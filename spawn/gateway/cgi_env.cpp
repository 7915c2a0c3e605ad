// cgi-gateway: RFC 3875 environment from FastCGI params (see cgi_env.hpp for the allow-list).
#include "cgi_env.hpp"

#include <algorithm>
#include <array>

namespace fh::gateway {
namespace {

// Params copied verbatim when present (and free of control characters).
constexpr std::array<std::string_view, 18> kPassThrough = {
    "AUTH_TYPE",      "CONTENT_TYPE",    "QUERY_STRING",   "REMOTE_ADDR",  "REMOTE_HOST",
    "REMOTE_IDENT",   "REMOTE_USER",     "REMOTE_PORT",    "SERVER_NAME",  "SERVER_PORT",
    "SERVER_ADDR",    "SERVER_SOFTWARE", "REQUEST_URI",    "DOCUMENT_URI", "DOCUMENT_ROOT",
    "REQUEST_SCHEME", "HTTPS",           "REDIRECT_STATUS"};

bool clean_value(std::string_view v) {
  return std::none_of(v.begin(), v.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return (c < 0x20 && c != '\t') || c == 0x7f;
  });
}

bool http_header_name(std::string_view n) {
  if (n.size() <= 5 || n.substr(0, 5) != "HTTP_") return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool all_digits(std::string_view v) {
  return !v.empty() && v.size() <= 19 &&
         std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void put(std::vector<std::string>& env, std::string_view name, std::string_view value) {
  std::string e(name);
  e += '=';
  e += value;
  env.push_back(std::move(e));
}

} // namespace

Params params_from_envp(const char* const* envp) {
  Params out;
  for (; envp && *envp; ++envp) {
    const std::string_view kv(*envp);
    const std::size_t eq = kv.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    out.emplace_back(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return out;
}

std::string_view param(const Params& params, std::string_view name) {
  for (const auto& [n, v] : params)
    if (n == name) return v;
  return {};
}

std::vector<std::string> build_cgi_env(const Params& params, const ResolvedScript& script) {
  std::vector<std::string> env;
  put(env, "GATEWAY_INTERFACE", "CGI/1.1");
  put(env, "PATH", kCgiPath);
  put(env, "SCRIPT_NAME", script.script_name);
  put(env, "SCRIPT_FILENAME", script.filename);
  if (!script.path_info.empty()) {
    put(env, "PATH_INFO", script.path_info);
    const std::string_view root = param(params, "DOCUMENT_ROOT");
    if (!root.empty() && clean_value(root)) {
      std::string translated(root);
      if (!translated.empty() && translated.back() == '/') translated.pop_back();
      put(env, "PATH_TRANSLATED", translated + script.path_info);
    }
  }
  const std::string_view method = param(params, "REQUEST_METHOD");
  const bool method_ok = !method.empty() && std::all_of(method.begin(), method.end(), [](char c) {
    return c >= 'A' && c <= 'Z';
  });
  put(env, "REQUEST_METHOD", method_ok ? method : std::string_view("GET"));
  const std::string_view proto = param(params, "SERVER_PROTOCOL");
  put(env, "SERVER_PROTOCOL",
      !proto.empty() && clean_value(proto) ? proto : std::string_view("HTTP/1.0"));
  const std::string_view length = param(params, "CONTENT_LENGTH");
  if (all_digits(length)) put(env, "CONTENT_LENGTH", length);

  std::vector<std::string_view> seen;
  for (const auto& [name, value] : params) {
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) continue; // first one wins
    const bool listed =
        std::find(kPassThrough.begin(), kPassThrough.end(), name) != kPassThrough.end();
    const bool header = http_header_name(name) && name != "HTTP_PROXY";
    if ((listed || header) && clean_value(value)) {
      put(env, name, value);
      seen.push_back(name);
    }
  }
  return env;
}

} // namespace fh::gateway
