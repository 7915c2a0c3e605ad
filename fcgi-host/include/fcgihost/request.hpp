// RawRequest (what a front end hands over: CGI variables + body bytes) and Request (the view a
// handler sees: method, path, args, form, files, JSON, cookies, headers, path params).
// Form, files and JSON are parsed on first use; malformed input throws HttpError 400. Also the
// request's typed context (set/ctx/find) and the app's services (session, db, render).
#pragma once

#include "fcgihost/context.hpp"
#include "fcgihost/http_error.hpp"
#include "fcgihost/limits.hpp"
#include "fcgihost/multidict.hpp"
#include "fcgihost/response.hpp"
#include "fcgihost/session.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <concepts>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fh {

class App;
class TemplateDict;
namespace sqlite {
class Connection;
}

// The transport-free input of one request: RFC 3875 meta-variables and the body.
struct RawRequest {
  std::vector<std::pair<std::string, std::string>> params; // REQUEST_METHOD, HTTP_HOST, ...
  std::string body;
  // Set by a front end that could not read the body (bad CONTENT_LENGTH: 400, too large: 413);
  // the app then answers with this status through its normal error path.
  int input_error_status = 0;
  std::string input_error;

  // The value of meta-variable `name`, or nullopt.
  std::optional<std::string_view> param(std::string_view name) const;
};

// One uploaded file from a multipart/form-data body.
struct FilePart {
  std::string field;        // the form field name
  std::string filename;     // as the client sent it: never use it as a path
  std::string content_type; // "application/octet-stream" when absent
  std::string data;
};

class Request {
public:
  Request(const App& app, RawRequest raw);

  const App& app() const noexcept { return *app_; }

  const std::string& method() const noexcept { return method_; }
  // The path inside the app ("/hello/x"), from PATH_INFO (or REQUEST_URI minus SCRIPT_NAME).
  const std::string& path() const noexcept { return path_; }
  // Where the app is mounted ("/cgi-bin/hello.cgi"), from SCRIPT_NAME; may be empty.
  const std::string& script_name() const noexcept { return script_name_; }
  const std::string& query_string() const noexcept { return query_string_; }
  // "http" or "https" (HTTPS=on or REQUEST_SCHEME).
  const std::string& scheme() const noexcept { return scheme_; }
  // Host from the Host header, else SERVER_NAME[:SERVER_PORT].
  std::string host() const;
  // The full URL the client asked for: scheme://host/script_name/path?query.
  std::string url() const;
  const std::string& remote_addr() const noexcept { return remote_addr_; }
  const std::string& content_type() const noexcept { return content_type_; }
  std::size_t content_length() const noexcept { return raw_.body.size(); }
  const std::string& body() const noexcept { return raw_.body; }

  const MultiDict& args() const noexcept { return args_; }
  // URL-encoded or multipart form fields (parsed on first call; 400 on malformed input).
  const MultiDict& form() const;
  // Files of a multipart form (parsed with form()).
  const std::vector<FilePart>& files() const;
  // The first file for `field`, or nullptr.
  const FilePart* file(std::string_view field) const;
  // The body as JSON (parsed on first call): 400 if it is not JSON or not well-formed.
  const nlohmann::json& json() const;
  bool is_json() const;
  const MultiDict& cookies() const noexcept { return cookies_; }
  // Header `name` (case-insensitive, e.g. "User-Agent"), from HTTP_* and CONTENT_*.
  std::optional<std::string> header(std::string_view name) const;
  // Every header as (Canonical-Name, value).
  std::vector<std::pair<std::string, std::string>> headers() const;
  // A raw CGI meta-variable.
  std::optional<std::string_view> env(std::string_view name) const { return raw_.param(name); }

  // The session (session.hpp), decoded from the cookie on first use; an invalid, expired or
  // foreign cookie gives an empty session. std::logic_error if the app has no sessions.
  Session& session();
  // The session if session() was called, else nullptr (for the dispatcher that saves it).
  const Session* loaded_session() const noexcept { return session_ ? &*session_ : nullptr; }
  // This thread's SQLite connection to the app's database (opened on first use).
  sqlite::Connection& db() const;
  // Template `name` of the app's templates (App::use_templates) expanded with `dict`, as a
  // text/html response; a template error is logged and becomes HttpError 500. std::logic_error
  // if the app has no templates.
  Response render(std::string_view name, const TemplateDict& dict, int status = 200) const;
  Response render(std::string_view name, const nlohmann::json& data, int status = 200) const;

  // The request's typed context (Flask's `g`): one value per type, alive until the request ends
  // (teardown hooks still see it). A before_request hook stores, handlers read:
  //   rq.set(CurrentUser{...});  ...  const auto* user = rq.find<CurrentUser>();
  template <class T> std::decay_t<T>& set(T&& value) {
    return context_.emplace<std::decay_t<T>>(std::forward<T>(value));
  }
  template <class T, class... A> T& emplace(A&&... args) {
    return context_.emplace<T>(std::forward<A>(args)...);
  }
  // The stored T; std::logic_error (a 500) if nothing stored one.
  template <class T> T& ctx() { return context_.get<T>(); }
  // The stored T, or nullptr.
  template <class T> T* find() noexcept { return context_.find<T>(); }
  template <class T> const T* find() const noexcept { return context_.find<T>(); }

  // The matched route's endpoint ("bp.view") and path parameters (converters already applied).
  const std::string& endpoint() const noexcept { return endpoint_; }
  const std::map<std::string, std::string>& view_args() const noexcept { return view_args_; }
  // Path parameter `name` as the route matched it; std::logic_error (a 500) if the route has no
  // such parameter.
  const std::string& path_param(std::string_view name) const;
  // Path parameter `name` as an integer of type T (an <int:name> converter guarantees digits): a
  // value T cannot hold, or text that is not an integer, names no resource: HttpError 404.
  template <std::integral T>
  requires(!std::same_as<T, bool>) T path_param(std::string_view name)
  const {
    const std::string& s = path_param(name);
    T v{};
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) throw HttpError(404, "Not Found");
    return v;
  }

  // url_for relative to where the app is mounted (SCRIPT_NAME prefixed). An endpoint starting
  // with '.' is relative to the current blueprint (".user" in blueprint "api" is "api.user"; in
  // no blueprint, "user").
  std::string url_for(std::string_view endpoint,
                      const std::map<std::string, std::string>& params = {}) const;

  // Set by the dispatcher once a route matched.
  void set_route(std::string endpoint, std::map<std::string, std::string> view_args,
                 std::string blueprint = {});
  // The blueprint of the matched route ("" for app routes or no match).
  const std::string& blueprint() const noexcept { return blueprint_; }
  // Parses the query string and cookies and checks header sizes; throws HttpError 400/431.
  // Called by App::handle inside its error handling, so a Request always exists for hooks.
  void parse_head();

private:
  void parse_body() const;

  const App* app_;
  RawRequest raw_;
  std::string method_, path_, script_name_, query_string_, scheme_, remote_addr_, content_type_;
  MultiDict args_;
  MultiDict cookies_;
  std::string endpoint_, blueprint_;
  std::map<std::string, std::string> view_args_;
  // Lazily parsed body.
  mutable bool body_parsed_ = false;
  mutable MultiDict form_;
  mutable std::vector<FilePart> files_;
  mutable std::optional<nlohmann::json> json_;
  std::optional<Session> session_;
  Context context_;
};

} // namespace fh
