// App and Blueprint: route registration (with <int:x>, <x>, <path:x> converters), hooks
// (before_first_request, before_request, after_request, teardown_request), error handlers by
// status and by exception type (error_handlers.hpp), url_for, and the app's services (config,
// sessions, database, templates). App::handle(RawRequest) is the transport-free core that both
// front ends (CGI, FastCGI) and the tests call. An App is immutable once it serves requests.
#pragma once

#include "fcgihost/config.hpp"
#include "fcgihost/error_handlers.hpp"
#include "fcgihost/http_error.hpp"
#include "fcgihost/limits.hpp"
#include "fcgihost/request.hpp"
#include "fcgihost/response.hpp"

#include <exception>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fh {

enum class Method { Get, Head, Post, Put, Delete, Patch, Options };
inline constexpr Method GET = Method::Get;
inline constexpr Method HEAD = Method::Head;
inline constexpr Method POST = Method::Post;
inline constexpr Method PUT = Method::Put;
inline constexpr Method DELETE = Method::Delete;
inline constexpr Method PATCH = Method::Patch;
inline constexpr Method OPTIONS = Method::Options;

const char* method_name(Method m) noexcept;

using Handler = std::function<Response(Request&)>;
using BeforeRequest = std::function<std::optional<Response>(Request&)>;
using AfterRequest = std::function<void(Request&, Response&)>;
using Teardown = std::function<void(Request&, std::exception_ptr)>;

class Templates;
struct TemplateSettings;
namespace sqlite {
class Database;
struct DatabaseSettings;
} // namespace sqlite
namespace detail {
class Router;
// App's database is destroyed through the function use_database() stores: App's destructor names
// no SQLite code, so the static .cgi of an app without a database links none.
struct DatabaseDeleter {
  void (*destroy)(sqlite::Database*) = nullptr;
  void operator()(sqlite::Database* db) const noexcept { destroy(db); }
};
// The same for the templates: an app without templates links no ctemplate code.
struct TemplatesDeleter {
  void (*destroy)(const Templates*) = nullptr;
  void operator()(const Templates* t) const noexcept { destroy(t); }
};
} // namespace detail

// A group of routes under a URL prefix; endpoints are named "<blueprint>.<endpoint>". Its hooks
// and error handlers apply to its own routes; its error handlers also answer a 404/405 for any
// path under its prefix (so a JSON API blueprint answers JSON even for a path it has no route
// for), and are tried before the app's.
class Blueprint {
public:
  Blueprint(std::string name, std::string url_prefix);

  // Registers `handler` for `pattern` (relative to the prefix). `endpoint` defaults to the
  // pattern. Throws std::invalid_argument on a malformed pattern (at registration, not per
  // request).
  Blueprint& route(std::string_view pattern, std::initializer_list<Method> methods, Handler handler,
                   std::string endpoint = {});
  // Hooks that run only for this blueprint's routes: before_request after the app's hooks,
  // after_request and teardown_request before the app's.
  Blueprint& before_request(BeforeRequest hook);
  Blueprint& after_request(AfterRequest hook);
  Blueprint& teardown_request(Teardown hook);
  // Error handlers, as App's (below), for this blueprint's requests.
  Blueprint& errorhandler(int status, ErrorHandler handler);
  template <class E, class F> Blueprint& errorhandler(F&& handler) {
    errors_.on_type<E>(std::forward<F>(handler));
    return *this;
  }

  const std::string& name() const noexcept { return name_; }
  const std::string& url_prefix() const noexcept { return prefix_; }

private:
  friend class App;
  struct Entry {
    std::string pattern;
    std::vector<Method> methods;
    Handler handler;
    std::string endpoint;
  };
  std::string name_, prefix_;
  std::vector<Entry> routes_;
  std::vector<BeforeRequest> before_;
  std::vector<AfterRequest> after_;
  std::vector<Teardown> teardown_;
  ErrorHandlers errors_;
};

class App {
public:
  explicit App(std::string name);
  ~App();
  App(App&&) noexcept;
  App& operator=(App&&) noexcept;
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  const std::string& name() const noexcept { return name_; }
  Limits& limits() noexcept { return limits_; }
  const Limits& limits() const noexcept { return limits_; }
  // Settings from the config file (config.hpp); load it in make_app().
  Config& config() noexcept { return *config_; }
  const Config& config() const noexcept { return *config_; }

  // Turns on signed-cookie sessions (session.hpp): rq.session() works and a modified session is
  // saved after the after_request hooks. Throws std::invalid_argument if the secret is missing
  // or shorter than 32 bytes, unless settings.insecure_dev (then a fixed, public dev key).
  App& use_sessions(SessionSettings settings);
  // nullptr when sessions are off.
  const SessionCodec* session_codec() const noexcept { return session_codec_.get(); }
  const SessionSettings* session_settings() const noexcept { return session_settings_.get(); }
  // Turns on the SQLite database (sqlite.hpp): rq.db() gives this thread's connection. Also maps
  // sqlite::Busy (the database stayed locked) to HttpError 503 with Retry-After: 1, unless the
  // app registered its own errorhandler or map_error for sqlite::Busy before.
  App& use_database(const sqlite::DatabaseSettings& settings);
  // The database; throws std::logic_error if use_database was not called.
  sqlite::Database& database() const;
  // Turns on templates (template.hpp): rq.render("page.tpl", dict) works. Without settings:
  // TemplateSettings::from_config(config(), name()), i.e. NAME.templates/ beside the binary
  // unless config templates.root says otherwise. Nothing is read until the first render.
  App& use_templates();
  App& use_templates(const TemplateSettings& settings);
  // The templates; throws std::logic_error if use_templates was not called.
  const Templates& templates() const;

  // Registers `handler` for `pattern` ("/users/<int:id>"). HEAD is answered by the GET handler
  // (without the body) and OPTIONS automatically. Throws std::invalid_argument on a bad pattern
  // or a duplicate endpoint name.
  App& route(std::string_view pattern, std::initializer_list<Method> methods, Handler handler,
             std::string endpoint = {});
  App& register_blueprint(const Blueprint& bp);

  // Runs once per process, before the first request is dispatched (thread-safe).
  App& before_first_request(std::function<void()> hook);
  // Runs before the view; the first hook that returns a Response ends the request with it.
  App& before_request(BeforeRequest hook);
  // Runs after the view (and after error handlers), in reverse registration order.
  App& after_request(AfterRequest hook);
  // Always runs last, with the exception that ended the request (or nullptr).
  App& teardown_request(Teardown hook);
  // Error handlers. For an HttpError (abort(404), a parser's 400, 405, 413...), the handler for
  // its status answers if there is one, else the handler of the most derived registered type the
  // exception is, else a short text page. Any other exception: the handler of the most derived
  // registered type, else it is logged and answered as HttpError 500 (so a 500 handler, or an
  // errorhandler<HttpError>, builds the page). A blueprint's handlers come before the app's.
  // The HttpError's headers (Allow, Retry-After) go on whatever response is built. If a handler
  // throws, the 500 handlers get one more try, then a plain 500 page.
  App& errorhandler(int status, ErrorHandler handler);
  // handler(Request&, const E&) -> Response, for E and its subclasses.
  template <class E, class F> App& errorhandler(F&& handler) {
    errors_.on_type<E>(std::forward<F>(handler));
    return *this;
  }
  // Exceptions of type E (and subclasses) stand for the HttpError `to_http(const E&)` returns,
  // which then goes through the handlers above (e.g. a library's error type to 503).
  template <class E, class F> App& map_error(F&& to_http) {
    errors_.map_type<E>(std::forward<F>(to_http));
    return *this;
  }

  // The app-relative URL of `endpoint` with `params` filled in; params the route does not use
  // become the query string. Throws std::invalid_argument for an unknown endpoint or missing param.
  std::string url_for(std::string_view endpoint,
                      const std::map<std::string, std::string>& params = {}) const;

  // The core: routes, runs hooks and the view, maps every exception to a response. Never throws.
  Response handle(RawRequest raw) const;
  // The same, for a Request already built (tests, benchmarks).
  Response handle(Request& request) const;

private:
  struct BlueprintParts {
    std::string prefix;
    std::vector<BeforeRequest> before;
    std::vector<AfterRequest> after;
    std::vector<Teardown> teardown;
    ErrorHandlers errors;
  };
  Response dispatch(Request& rq) const;
  Response error_response(Request& rq, std::exception_ptr ep) const;
  // The blueprint whose error handlers apply to `rq`: its route's, else the one whose URL prefix
  // is the longest that the path falls under; nullptr for none.
  const BlueprintParts* error_blueprint(const Request& rq) const;
  void run_teardown(Request& rq, const std::exception_ptr& error) const;
  void run_first_request_hooks() const;
  void save_session(Request& rq, Response& resp) const;

  std::string name_;
  Limits limits_;
  std::unique_ptr<detail::Router> router_;
  std::vector<std::function<void()>> first_hooks_;
  std::vector<BeforeRequest> before_;
  std::vector<AfterRequest> after_;
  std::vector<Teardown> teardown_;
  ErrorHandlers errors_;
  std::map<std::string, BlueprintParts, std::less<>> blueprints_;
  mutable std::unique_ptr<std::once_flag> first_once_;
  std::unique_ptr<Config> config_;
  std::unique_ptr<SessionSettings> session_settings_;
  std::unique_ptr<SessionCodec> session_codec_;
  std::unique_ptr<sqlite::Database, detail::DatabaseDeleter> database_;
  std::unique_ptr<const Templates, detail::TemplatesDeleter> templates_;
};

} // namespace fh
