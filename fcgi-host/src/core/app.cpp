// App: registration and the dispatcher, in Flask's order: routing, before_first_request (once),
// before_request hooks (a returned Response ends the request), the view, error handlers,
// after_request hooks (reverse order), teardown_request (always). This file is the only place
// that turns exceptions into HTTP statuses.
#include "fcgihost/app.hpp"

#include "core/router.hpp"
#include "fcgihost/log.hpp"
#include "fcgihost/sqlite.hpp"

#include <algorithm>
#include <ctime>

namespace fh {
namespace {

// 405 carries the methods the path allows, for the Allow header.
class MethodNotAllowed : public HttpError {
public:
  explicit MethodNotAllowed(std::string allow)
      : HttpError(405, "Method Not Allowed"), allow_(std::move(allow)) {}
  const std::string& allow() const noexcept { return allow_; }

private:
  std::string allow_;
};

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v)
    out.append(out.empty() ? "" : ", ").append(s);
  return out;
}

Response default_error_page(int status, std::string_view message) {
  std::string body = std::to_string(status) + " " + reason_phrase(status);
  if (!message.empty() && message != reason_phrase(status)) body.append(": ").append(message);
  body.push_back('\n');
  return Response::text(std::move(body), status);
}

// "METHOD /path" of a request for a log line; both are the client's, so capped and escaped.
std::string request_for_log(const Request& rq) {
  return log_safe(rq.method()) + " " + log_safe(rq.path());
}

// An exception's message for a log line: it may echo client text (an abort() message, a JSON
// key), so it is escaped too, with more room than one field.
constexpr std::size_t kWhatLogMax = 1000;

std::string join_pattern(std::string_view prefix, std::string_view pattern) {
  std::string p(prefix);
  while (!p.empty() && p.back() == '/')
    p.pop_back();
  return p + std::string(pattern);
}

} // namespace

const char* method_name(Method m) noexcept {
  switch (m) {
  case Method::Get:
    return "GET";
  case Method::Head:
    return "HEAD";
  case Method::Post:
    return "POST";
  case Method::Put:
    return "PUT";
  case Method::Delete:
    return "DELETE";
  case Method::Patch:
    return "PATCH";
  case Method::Options:
    return "OPTIONS";
  }
  return "GET";
}

Blueprint::Blueprint(std::string name, std::string url_prefix)
    : name_(std::move(name)), prefix_(std::move(url_prefix)) {
  if (name_.empty() || name_.find('.') != std::string::npos)
    throw std::invalid_argument("blueprint name must be non-empty and contain no '.'");
}

Blueprint& Blueprint::route(std::string_view pattern, std::initializer_list<Method> methods,
                            Handler handler, std::string endpoint) {
  routes_.push_back(Entry{std::string(pattern), methods, std::move(handler), std::move(endpoint)});
  return *this;
}

Blueprint& Blueprint::before_request(BeforeRequest hook) {
  before_.push_back(std::move(hook));
  return *this;
}

Blueprint& Blueprint::after_request(AfterRequest hook) {
  after_.push_back(std::move(hook));
  return *this;
}

App::App(std::string name)
    : name_(std::move(name)), router_(std::make_unique<detail::Router>()),
      first_once_(std::make_unique<std::once_flag>()), config_(std::make_unique<Config>()) {}
App::~App() = default;
App::App(App&&) noexcept = default;
App& App::operator=(App&&) noexcept = default;

App& App::route(std::string_view pattern, std::initializer_list<Method> methods, Handler handler,
                std::string endpoint) {
  if (!handler) throw std::invalid_argument("route " + std::string(pattern) + " has no handler");
  detail::Route r;
  r.pattern = std::string(pattern);
  r.methods = methods;
  r.handler = std::move(handler);
  r.endpoint = endpoint.empty() ? r.pattern : std::move(endpoint);
  router_->add(std::move(r));
  return *this;
}

App& App::register_blueprint(const Blueprint& bp) {
  for (const auto& e : bp.routes_) {
    detail::Route r;
    r.pattern = join_pattern(bp.prefix_, e.pattern);
    r.methods = e.methods;
    r.handler = e.handler;
    r.endpoint = bp.name_ + "." + (e.endpoint.empty() ? e.pattern : e.endpoint);
    r.blueprint = bp.name_;
    router_->add(std::move(r));
  }
  auto& before = bp_before_[bp.name_];
  before.insert(before.end(), bp.before_.begin(), bp.before_.end());
  auto& after = bp_after_[bp.name_];
  after.insert(after.end(), bp.after_.begin(), bp.after_.end());
  return *this;
}

App& App::before_first_request(std::function<void()> hook) {
  first_hooks_.push_back(std::move(hook));
  return *this;
}
App& App::before_request(BeforeRequest hook) {
  before_.push_back(std::move(hook));
  return *this;
}
App& App::after_request(AfterRequest hook) {
  after_.push_back(std::move(hook));
  return *this;
}
App& App::teardown_request(Teardown hook) {
  teardown_.push_back(std::move(hook));
  return *this;
}
App& App::errorhandler(int status, ErrorHandler handler) {
  error_handlers_[status] = std::move(handler);
  return *this;
}

App& App::use_sessions(SessionSettings settings) {
  if (settings.secret.size() < SessionCodec::kMinSecretBytes) {
    if (!settings.insecure_dev)
      throw std::invalid_argument(
          "session.secret is missing or shorter than 32 bytes (set it in the config file; "
          "session.insecure_dev = true allows this for development only)");
    fh::log(LogLevel::Warning, "INSECURE: sessions signed with a public development key "
                               "(session.insecure_dev); never use this in production");
    settings.secret = "fcgi-host insecure development session key, public";
  }
  session_codec_ = std::make_unique<SessionCodec>(settings.secret);
  settings.secret.clear(); // the codec holds the derived key; no second copy
  session_settings_ = std::make_unique<SessionSettings>(std::move(settings));
  return *this;
}

App& App::use_database(const sqlite::DatabaseSettings& settings) {
  database_ = std::unique_ptr<sqlite::Database, detail::DatabaseDeleter>(
      new sqlite::Database(settings), detail::DatabaseDeleter{[](sqlite::Database* db) {
        std::default_delete<sqlite::Database>{}(db);
      }});
  return *this;
}

sqlite::Database& App::database() const {
  if (!database_) throw std::logic_error("the app has no database (call use_database)");
  return *database_;
}

// Sends the session cookie if the session was changed: a fresh signature and expiry, or a
// deletion if it was emptied. Runs after the after_request hooks (as Flask does).
void App::save_session(Request& rq, Response& resp) const {
  const Session* s = rq.loaded_session();
  if (s == nullptr || !s->modified() || !session_codec_) return;
  const auto& cfg = *session_settings_;
  if (s->empty()) {
    if (rq.cookies().get(cfg.cookie_name)) resp.delete_cookie(cfg.cookie_name);
    return;
  }
  const std::string value = session_codec_->encode(s->data(), std::time(nullptr) + cfg.max_age);
  if (value.size() > 4000) throw std::length_error("session cookie over 4000 bytes");
  CookieOptions opt;
  opt.max_age = cfg.max_age;
  opt.secure = rq.scheme() == "https";
  resp.set_cookie(cfg.cookie_name, value, opt);
}

std::string App::url_for(std::string_view endpoint,
                         const std::map<std::string, std::string>& params) const {
  return router_->build(endpoint, params);
}

void App::run_first_request_hooks() const {
  std::call_once(*first_once_, [this] {
    for (const auto& h : first_hooks_)
      h();
  });
}

Response App::dispatch(Request& rq) const {
  auto match = router_->match(rq.path(), rq.method());
  const std::string* blueprint = nullptr;
  if (match.route) {
    rq.set_route(match.route->endpoint, std::move(match.args), match.route->blueprint);
    if (!match.route->blueprint.empty()) blueprint = &match.route->blueprint;
  }
  for (const auto& hook : before_)
    if (auto r = hook(rq)) return std::move(*r);
  if (blueprint) {
    if (auto it = bp_before_.find(*blueprint); it != bp_before_.end())
      for (const auto& hook : it->second)
        if (auto r = hook(rq)) return std::move(*r);
  }
  if (!match.route) {
    if (match.allowed.empty()) throw HttpError(404, "Not Found");
    if (rq.method() == "OPTIONS") {
      Response r(std::string{}, 204);
      r.set_header("Allow", join(match.allowed));
      return r;
    }
    throw MethodNotAllowed(join(match.allowed));
  }
  return match.route->handler(rq);
}

Response App::error_response(Request& rq, std::exception_ptr ep) const {
  try {
    try {
      std::rethrow_exception(ep);
    } catch (const HttpError& e) {
      const int status = e.status();
      fh::log(status >= 500 ? LogLevel::Error : LogLevel::Warning,
              "client error: " + std::to_string(status) + " " + log_safe(e.what(), kWhatLogMax) +
                  " (" + request_for_log(rq) + ")");
      auto it = error_handlers_.find(status);
      Response r =
          it != error_handlers_.end() ? it->second(rq, e) : default_error_page(status, e.what());
      if (const auto* m = dynamic_cast<const MethodNotAllowed*>(&e))
        r.set_header("Allow", m->allow());
      if (dynamic_cast<const sqlite::Busy*>(&e) != nullptr) r.set_header("Retry-After", "1");
      return r;
    } catch (...) {
      for (const auto& h : exception_handlers_)
        if (auto r = h(rq, ep)) return std::move(*r);
      throw;
    }
  } catch (const HttpError&) {
    // An error handler raised an HttpError itself; fall through to the plain 500 below.
    fh::log(LogLevel::Error, "error handler failed for " + request_for_log(rq));
  } catch (const std::exception& e) {
    fh::log(LogLevel::Error, "unhandled exception in " + request_for_log(rq) + ": " +
                                 log_safe(e.what(), kWhatLogMax));
  } catch (...) {
    fh::log(LogLevel::Error, "unhandled non-standard exception in " + request_for_log(rq));
  }
  // The 500 page: the app's own 500 handler if it has one, else a short generic page.
  if (auto it = error_handlers_.find(500); it != error_handlers_.end()) {
    try {
      return it->second(rq, HttpError(500, "Internal Server Error"));
    } catch (...) {
      fh::log(LogLevel::Error, "the 500 error handler itself failed");
    }
  }
  return default_error_page(500, {});
}

Response App::handle(RawRequest raw) const {
  Request rq(*this, std::move(raw));
  return handle(rq);
}

Response App::handle(Request& rq) const {
  std::exception_ptr error;
  Response resp;
  try {
    rq.parse_head();
    run_first_request_hooks();
    resp = dispatch(rq);
  } catch (...) {
    error = std::current_exception();
    resp = error_response(rq, error);
  }
  try {
    if (auto it = bp_after_.find(rq.blueprint()); !rq.blueprint().empty() && it != bp_after_.end())
      for (auto hook = it->second.rbegin(); hook != it->second.rend(); ++hook)
        (*hook)(rq, resp);
    for (auto hook = after_.rbegin(); hook != after_.rend(); ++hook)
      (*hook)(rq, resp);
    save_session(rq, resp);
  } catch (...) {
    error = std::current_exception();
    resp = error_response(rq, error);
  }
  for (const auto& hook : teardown_) {
    try {
      hook(rq, error);
    } catch (const std::exception& e) {
      fh::log(LogLevel::Error, "teardown_request hook failed: " + log_safe(e.what(), kWhatLogMax));
    } catch (...) {
      fh::log(LogLevel::Error, "teardown_request hook failed");
    }
  }
  return resp;
}

} // namespace fh
