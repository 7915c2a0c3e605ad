// Request: builds the handler's view of a request from RFC 3875 meta-variables. The app path
// comes from PATH_INFO, else from REQUEST_URI minus SCRIPT_NAME. Body formats are parsed lazily.
#include "fcgihost/request.hpp"

#include "core/parse.hpp"
#include "fcgihost/app.hpp"
#include "fcgihost/http_error.hpp"
#include "fcgihost/sqlite.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>

namespace fh {

std::optional<std::string_view> RawRequest::param(std::string_view name) const {
  for (const auto& [k, v] : params)
    if (k == name) return std::string_view(v);
  return std::nullopt;
}

namespace {

std::string app_path(const RawRequest& raw, std::string_view script_name) {
  std::string path;
  if (auto pi = raw.param("PATH_INFO"); pi && !pi->empty()) {
    path = std::string(*pi);
  } else if (auto uri = raw.param("REQUEST_URI"); uri && !pi) {
    auto q = uri->find('?');
    auto decoded = detail::percent_decode(uri->substr(0, q), false);
    path = decoded ? *decoded : std::string(uri->substr(0, q));
    if (path.starts_with(script_name)) path.erase(0, script_name.size());
  }
  if (path.empty() || path.front() != '/') path.insert(path.begin(), '/');
  return path;
}

// "HTTP_USER_AGENT" -> "User-Agent".
std::string canonical_header(std::string_view env_name) {
  std::string out;
  bool upper = true;
  for (char c : env_name) {
    if (c == '_') {
      out.push_back('-');
      upper = true;
    } else {
      out.push_back(upper ? c : static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
      upper = false;
    }
  }
  return out;
}

} // namespace

Request::Request(const App& app, RawRequest raw) : app_(&app), raw_(std::move(raw)) {
  auto get = [this](std::string_view name) {
    auto v = raw_.param(name);
    return v ? std::string(*v) : std::string();
  };
  method_ = get("REQUEST_METHOD");
  if (method_.empty()) method_ = "GET";
  script_name_ = get("SCRIPT_NAME");
  if (!script_name_.empty() && script_name_.back() == '/') script_name_.pop_back();
  path_ = app_path(raw_, script_name_);
  query_string_ = get("QUERY_STRING");
  auto https = get("HTTPS");
  scheme_ = (https == "on" || https == "1") ? "https" : get("REQUEST_SCHEME");
  if (scheme_ != "https") scheme_ = "http";
  remote_addr_ = get("REMOTE_ADDR");
  content_type_ = get("CONTENT_TYPE");
}

void Request::parse_head() {
  if (raw_.input_error_status != 0) throw HttpError(raw_.input_error_status, raw_.input_error);
  const Limits& limits = app_->limits();
  for (const auto& [k, v] : raw_.params) {
    if ((k.starts_with("HTTP_") || k == "CONTENT_TYPE") && v.size() > limits.max_header_bytes)
      throw HttpError(431, "request header too large");
  }
  if (query_string_.size() > limits.max_header_bytes * 4)
    throw HttpError(414, "query string too long");
  detail::parse_urlencoded(query_string_, limits, args_);
  if (auto c = raw_.param("HTTP_COOKIE")) detail::parse_cookies(*c, limits, cookies_);
}

std::string Request::host() const {
  if (auto h = raw_.param("HTTP_HOST"); h && !h->empty()) return std::string(*h);
  std::string host(raw_.param("SERVER_NAME").value_or("localhost"));
  auto port = raw_.param("SERVER_PORT").value_or("");
  if (!port.empty() &&
      !((scheme_ == "http" && port == "80") || (scheme_ == "https" && port == "443")))
    host.append(":").append(port);
  return host;
}

std::string Request::url() const {
  std::string u = scheme_ + "://" + host() + detail::percent_encode(script_name_ + path_, true);
  if (!query_string_.empty()) u.append("?").append(query_string_);
  return u;
}

void Request::parse_body() const {
  if (body_parsed_) return;
  body_parsed_ = true;
  const auto ct = detail::parse_content_type(content_type_);
  if (ct.media_type == "application/x-www-form-urlencoded") {
    detail::parse_urlencoded(raw_.body, app_->limits(), form_);
  } else if (ct.media_type == "multipart/form-data") {
    auto b = ct.params.find("boundary");
    if (b == ct.params.end()) throw HttpError(400, "multipart body without a boundary parameter");
    detail::parse_multipart(raw_.body, b->second, app_->limits(), form_, files_);
  }
}

const MultiDict& Request::form() const {
  parse_body();
  return form_;
}

const std::vector<FilePart>& Request::files() const {
  parse_body();
  return files_;
}

const FilePart* Request::file(std::string_view field) const {
  for (const auto& f : files())
    if (f.field == field) return &f;
  return nullptr;
}

bool Request::is_json() const {
  // The media type alone: malformed parameters are the body parsers' 400, not this question's.
  std::string_view type_only(content_type_);
  type_only = type_only.substr(0, type_only.find(';'));
  const auto mt = detail::parse_content_type(type_only).media_type;
  return mt == "application/json" || (mt.starts_with("application/") && mt.ends_with("+json"));
}

const nlohmann::json& Request::json() const {
  if (json_) return *json_;
  if (raw_.body.empty()) throw HttpError(400, "expected a JSON body");
  const std::size_t max_depth = app_->limits().max_json_depth;
  bool too_deep = false;
  // `depth` is the number of containers around the event; an object or array that starts here
  // is one level more. max_json_depth levels are allowed, so [] is 1 level and 1 is 0.
  auto guard = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
    const bool opens = event == nlohmann::json::parse_event_t::object_start ||
                       event == nlohmann::json::parse_event_t::array_start;
    if (static_cast<std::size_t>(depth) + (opens ? 1 : 0) > max_depth) too_deep = true;
    return !too_deep;
  };
  nlohmann::json parsed;
  // Whatever the parser throws is about the client's bytes: parse_error for bad syntax,
  // out_of_range for a number beyond double's range ([1e999999]), any other json::exception
  // just in case. None may escape as a 500.
  try {
    parsed = nlohmann::json::parse(raw_.body, guard);
  } catch (const nlohmann::json::parse_error& e) {
    if (too_deep) throw HttpError(400, "JSON nested too deeply");
    throw HttpError(400, "malformed JSON at byte " + std::to_string(e.byte));
  } catch (const nlohmann::json::out_of_range&) {
    if (too_deep) throw HttpError(400, "JSON nested too deeply");
    throw HttpError(400, "JSON number out of range");
  } catch (const nlohmann::json::exception&) {
    if (too_deep) throw HttpError(400, "JSON nested too deeply");
    throw HttpError(400, "malformed JSON");
  }
  if (too_deep) throw HttpError(400, "JSON nested too deeply");
  json_ = std::move(parsed); // cached only once it is known good
  return *json_;
}

std::optional<std::string> Request::header(std::string_view name) const {
  std::string env;
  for (char c : name)
    env.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  if (env != "CONTENT_TYPE" && env != "CONTENT_LENGTH") env.insert(0, "HTTP_");
  auto v = raw_.param(env);
  return v ? std::optional<std::string>(std::string(*v)) : std::nullopt;
}

std::vector<std::pair<std::string, std::string>> Request::headers() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [k, v] : raw_.params) {
    if (k.starts_with("HTTP_"))
      out.emplace_back(canonical_header(k.substr(5)), v);
    else if (k == "CONTENT_TYPE" || k == "CONTENT_LENGTH")
      out.emplace_back(canonical_header(k), v);
  }
  return out;
}

void Request::set_route(std::string endpoint, std::map<std::string, std::string> view_args,
                        std::string blueprint) {
  endpoint_ = std::move(endpoint);
  blueprint_ = std::move(blueprint);
  view_args_ = std::move(view_args);
}

const std::string& Request::path_param(std::string_view name) const {
  auto it = view_args_.find(std::string(name));
  if (it == view_args_.end())
    throw std::logic_error("route has no path parameter '" + std::string(name) + "'");
  return it->second;
}

std::string Request::url_for(std::string_view endpoint,
                             const std::map<std::string, std::string>& params) const {
  const std::string prefix = detail::percent_encode(script_name_, true);
  if (!endpoint.starts_with('.')) return prefix + app_->url_for(endpoint, params);
  endpoint.remove_prefix(1);
  if (blueprint_.empty()) return prefix + app_->url_for(endpoint, params);
  return prefix + app_->url_for(blueprint_ + "." + std::string(endpoint), params);
}

Session& Request::session() {
  if (session_) return *session_;
  const SessionCodec* codec = app_->session_codec();
  if (codec == nullptr) throw std::logic_error("the app has no sessions (call use_sessions)");
  std::optional<nlohmann::json> data;
  if (auto cookie = cookies_.get(app_->session_settings()->cookie_name))
    data = codec->decode(*cookie, std::time(nullptr));
  session_.emplace(data ? std::move(*data) : nlohmann::json::object());
  return *session_;
}

sqlite::Connection& Request::db() const {
  return app_->database().connection();
}

} // namespace fh
