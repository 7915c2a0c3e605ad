// fh::testing's request side and answer side: request bodies, the CGI environment a web server
// would build for a URL, the cookie jar, and the parsed response (status, headers, body, JSON).
#include "fcgihost/testing.hpp"
#include "fcgihost/url.hpp"

#include <fh/sys/strings.hpp>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <stdexcept>

namespace fh::testing {
namespace {

using fh::sys::iequals;
using fh::sys::trim_ows;

// Sets meta-variable `name` (replacing an earlier value) or, for nullopt, removes it.
void set_param(Pairs& params, const std::string& name, const std::optional<std::string>& value) {
  auto it =
      std::find_if(params.begin(), params.end(), [&](const auto& p) { return p.first == name; });
  if (!value) {
    if (it != params.end()) params.erase(it);
  } else if (it != params.end()) {
    it->second = *value;
  } else {
    params.emplace_back(name, *value);
  }
}

// "X-Token" -> "HTTP_X_TOKEN"; Content-Type and Content-Length have CGI names of their own.
std::string meta_name(std::string_view header) {
  std::string name;
  for (char c : header)
    name += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name == "CONTENT_TYPE" || name == "CONTENT_LENGTH" ? name : "HTTP_" + name;
}

// True if a Set-Cookie attribute list asks the browser to drop the cookie now.
bool expires_now(std::string_view attributes) {
  while (!attributes.empty()) {
    const auto semi = attributes.find(';');
    const auto attr = trim_ows(attributes.substr(0, semi));
    attributes = semi == std::string_view::npos ? std::string_view{} : attributes.substr(semi + 1);
    const auto eq = attr.find('=');
    const auto key = attr.substr(0, eq);
    const std::string value(eq == std::string_view::npos ? "" : trim_ows(attr.substr(eq + 1)));
    if (iequals(key, "Max-Age") && !value.empty()) return std::atol(value.c_str()) <= 0;
    if (iequals(key, "Expires")) {
      std::tm tm{};
      if (::strptime(value.c_str(), "%a, %d %b %Y %H:%M:%S", &tm) != nullptr &&
          ::timegm(&tm) <= std::time(nullptr))
        return true;
    }
  }
  return false;
}

} // namespace

Body json(const nlohmann::json& value) {
  return {"application/json", value.dump()};
}

Body form(const Pairs& fields) {
  std::string data;
  for (const auto& [k, v] : fields)
    data += (data.empty() ? "" : "&") + url_encode(k) + "=" + url_encode(v);
  return {"application/x-www-form-urlencoded", data};
}

Body raw(std::string data, std::string content_type) {
  return {std::move(content_type), std::move(data)};
}

std::string url_encode(std::string_view s) {
  std::string out; // fh::url_encode piece by piece, with '+' for each space
  for (std::size_t start = 0;;) {
    const auto space = s.find(' ', start);
    out += fh::url_encode(s.substr(start, space - start));
    if (space == std::string_view::npos) return out;
    out += '+';
    start = space + 1;
  }
}

std::optional<std::string> TestResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequals(k, name)) return v;
  return std::nullopt;
}

std::vector<std::string> TestResponse::headers_named(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : headers)
    if (iequals(k, name)) out.push_back(v);
  return out;
}

std::string TestResponse::set_cookie(std::string_view name) const {
  for (const auto& v : headers_named("Set-Cookie"))
    if (v.size() > name.size() && v.starts_with(name) && v[name.size()] == '=') return v;
  return {};
}

nlohmann::json TestResponse::json() const {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded())
    throw std::runtime_error("response body is not JSON: " + body.substr(0, 200));
  return j;
}

TestResponse parse_cgi_response(std::string raw) {
  TestResponse r;
  auto end = raw.find("\r\n\r\n");
  std::size_t sep = 4;
  if (end == std::string::npos) {
    end = raw.find("\n\n");
    sep = 2;
  }
  if (end == std::string::npos)
    throw std::runtime_error("not a CGI response (no header block): " + raw.substr(0, 200));
  r.status = 200;
  std::string_view head = std::string_view(raw).substr(0, end);
  r.body = raw.substr(end + sep);
  while (!head.empty()) {
    const auto eol = head.find('\n');
    std::string_view line = head.substr(0, eol);
    head = eol == std::string_view::npos ? std::string_view{} : head.substr(eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string name(line.substr(0, colon));
    const std::string value(trim_ows(line.substr(colon + 1)));
    if (iequals(name, "Status"))
      r.status = std::atoi(value.c_str());
    else
      r.headers.emplace_back(name, value);
  }
  r.raw = std::move(raw);
  return r;
}

void CookieJar::update(std::string_view set_cookie) {
  const auto semi = set_cookie.find(';');
  const auto pair = set_cookie.substr(0, semi);
  const auto eq = pair.find('=');
  if (eq == std::string_view::npos) return;
  const std::string name(trim_ows(pair.substr(0, eq)));
  if (name.empty()) return;
  if (semi != std::string_view::npos && expires_now(set_cookie.substr(semi + 1)))
    erase(name);
  else
    cookies_[name] = std::string(trim_ows(pair.substr(eq + 1)));
}

std::string CookieJar::header() const {
  std::string out;
  for (const auto& [k, v] : cookies_)
    out += (out.empty() ? "" : "; ") + k + "=" + v;
  return out;
}

std::optional<std::string> CookieJar::get(std::string_view name) const {
  const auto it = cookies_.find(name);
  if (it == cookies_.end()) return std::nullopt;
  return it->second;
}

void CookieJar::erase(std::string_view name) {
  const auto it = cookies_.find(name);
  if (it != cookies_.end()) cookies_.erase(it);
}

CgiRequest Client::build(std::string_view method, std::string_view url, const Body& body,
                         const RequestOptions& options) const {
  const auto q = url.find('?');
  CgiRequest rq;
  rq.params = {{"GATEWAY_INTERFACE", "CGI/1.1"},
               {"SERVER_PROTOCOL", "HTTP/1.1"},
               {"SERVER_NAME", "localhost"},
               {"SERVER_PORT", "80"},
               {"REMOTE_ADDR", "127.0.0.1"},
               {"SCRIPT_NAME", ""},
               {"REQUEST_METHOD", std::string(method)},
               {"PATH_INFO", std::string(url.substr(0, q))},
               {"QUERY_STRING", q == std::string_view::npos ? "" : std::string(url.substr(q + 1))}};
  if (!body.data.empty() || !body.content_type.empty()) {
    rq.params.emplace_back("CONTENT_LENGTH", std::to_string(body.data.size()));
    if (!body.content_type.empty()) rq.params.emplace_back("CONTENT_TYPE", body.content_type);
  }
  if (options.send_cookies && !jar_.empty()) rq.params.emplace_back("HTTP_COOKIE", jar_.header());
  for (const auto& [name, value] : options.headers)
    set_param(rq.params, meta_name(name), value);
  for (const auto& [name, value] : options.env)
    set_param(rq.params, name, value);
  rq.body = body.data;
  rq.keep_stdin_open = options.keep_stdin_open;
  return rq;
}

TestResponse Client::send(const CgiRequest& request) {
  TestResponse r = target_->exchange(request);
  for (const auto& v : r.headers_named("Set-Cookie"))
    jar_.update(v);
  return r;
}

TestResponse Client::open(std::string_view method, std::string_view url, const Body& body,
                          const RequestOptions& options) {
  return send(build(method, url, body, options));
}

} // namespace fh::testing
