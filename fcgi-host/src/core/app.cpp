// App: registration and the dispatcher, in Flask's order: routing, before_first_request (once),
// before_request hooks (a returned Response ends the request), the view, error handlers
// (app_errors.cpp: the only place that turns exceptions into HTTP statuses), after_request hooks
// (reverse order), teardown_request (always).
#include "fcgihost/app.hpp"

#include "core/router.hpp"
#include "fcgihost/log.hpp"
#include "fcgihost/sqlite.hpp"

#include <algorithm>
#include <ctime>

namespace fh {
namespace {

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v)
    out.append(out.empty() ? "" : ", ").append(s);
  return out;
}

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

Blueprint& Blueprint::teardown_request(Teardown hook) {
  teardown_.push_back(std::move(hook));
  return *this;
}

Blueprint& Blueprint::errorhandler(int status, ErrorHandler handler) {
  errors_.on_status(status, std::move(handler));
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
  auto& parts = blueprints_[bp.name_];
  parts.prefix = join_pattern(bp.prefix_, "");
  parts.before.insert(parts.before.end(), bp.before_.begin(), bp.before_.end());
  parts.after.insert(parts.after.end(), bp.after_.begin(), bp.after_.end());
  parts.teardown.insert(parts.teardown.end(), bp.teardown_.begin(), bp.teardown_.end());
  parts.errors = bp.errors_;
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
  errors_.on_status(status, std::move(handler));
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
  if (!errors_.has_type<sqlite::Busy>())
    map_error<sqlite::Busy>([](const sqlite::Busy&) {
      return HttpError(503, "database busy, retry later", {{"Retry-After", "1"}});
    });
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
    if (auto it = blueprints_.find(*blueprint); it != blueprints_.end())
      for (const auto& hook : it->second.before)
        if (auto r = hook(rq)) return std::move(*r);
  }
  if (!match.route) {
    if (match.allowed.empty()) throw HttpError(404, "Not Found");
    if (rq.method() == "OPTIONS") {
      Response r(std::string{}, 204);
      r.set_header("Allow", join(match.allowed));
      return r;
    }
    throw HttpError(405, "Method Not Allowed", {{"Allow", join(match.allowed)}});
  }
  return match.route->handler(rq);
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
    if (auto it = blueprints_.find(rq.blueprint());
        !rq.blueprint().empty() && it != blueprints_.end())
      for (auto hook = it->second.after.rbegin(); hook != it->second.after.rend(); ++hook)
        (*hook)(rq, resp);
    for (auto hook = after_.rbegin(); hook != after_.rend(); ++hook)
      (*hook)(rq, resp);
    save_session(rq, resp);
  } catch (...) {
    error = std::current_exception();
    resp = error_response(rq, error);
  }
  run_teardown(rq, error);
  return resp;
}

} // namespace fh
