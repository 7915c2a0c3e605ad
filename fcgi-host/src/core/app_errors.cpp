// App's error path: turns any exception from parsing, hooks or views into a response through the
// error handlers (error_handlers.hpp) of the request's blueprint, then the app's; logs each error
// once; and runs the teardown hooks. The only place that turns exceptions into HTTP statuses.
#include "fcgihost/app.hpp"
#include "fcgihost/log.hpp"

#include <array>

namespace fh {
namespace {

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

std::string what_of(const std::exception_ptr& ep) {
  try {
    std::rethrow_exception(ep);
  } catch (const std::exception& e) {
    return log_safe(e.what(), kWhatLogMax);
  } catch (...) {
    return "a non-standard exception";
  }
}

void log_http_error(const Request& rq, const HttpError& e) {
  const int status = e.status();
  fh::log(status >= 500 ? LogLevel::Error : LogLevel::Warning,
          "client error: " + std::to_string(status) + " " + log_safe(e.what(), kWhatLogMax) + " (" +
              request_for_log(rq) + ")");
}

// The HttpError's headers on `r`, where the handler did not set them itself.
Response with_headers(Response r, const HttpError& e) {
  for (const auto& [name, value] : e.headers())
    if (!r.header(name)) r.set_header(name, value);
  return r;
}

using Scopes = std::array<const ErrorHandlers*, 2>; // the blueprint's (or null), the app's

// One pass over the handlers: the response one of them builds for `ep`, or nullopt. When a
// mapping applies instead, `mapped` is its HttpError (the caller passes again with it). What a
// handler throws propagates.
std::optional<Response> apply_handlers(Request& rq, const std::exception_ptr& ep,
                                       const Scopes& scopes, std::exception_ptr& mapped) {
  try {
    std::rethrow_exception(ep);
  } catch (const HttpError& e) {
    for (const ErrorHandlers* s : scopes) {
      if (s == nullptr) continue;
      if (const auto* h = s->for_status(e.status())) return with_headers((*h)(rq, e), e);
      if (const auto* t = s->for_exception(ep)) {
        if (t->handle) return with_headers(t->handle(rq, ep), e);
        mapped = std::make_exception_ptr(t->map(ep));
        return std::nullopt;
      }
    }
    return std::nullopt;
  } catch (...) {
    for (const ErrorHandlers* s : scopes) {
      if (s == nullptr) continue;
      if (const auto* t = s->for_exception(ep)) {
        if (t->handle) return t->handle(rq, ep);
        mapped = std::make_exception_ptr(t->map(ep));
        return std::nullopt;
      }
    }
    return std::nullopt;
  }
}

const HttpError* as_http_error(const std::exception_ptr& ep) {
  try {
    std::rethrow_exception(ep);
  } catch (const HttpError& e) {
    return &e; // the object lives as long as `ep` (rethrow_exception throws it, not a copy)
  } catch (...) {
    return nullptr;
  }
}

} // namespace

const App::BlueprintParts* App::error_blueprint(const Request& rq) const {
  if (!rq.blueprint().empty()) {
    auto it = blueprints_.find(rq.blueprint());
    return it == blueprints_.end() ? nullptr : &it->second;
  }
  const BlueprintParts* best = nullptr;
  for (const auto& [name, parts] : blueprints_) {
    const std::string& p = parts.prefix;
    if (p.empty() || !rq.path().starts_with(p)) continue;
    if (rq.path().size() != p.size() && rq.path()[p.size()] != '/') continue; // "/api" vs "/apix"
    if (best == nullptr || p.size() > best->prefix.size()) best = &parts;
  }
  return best;
}

Response App::error_response(Request& rq, std::exception_ptr ep) const {
  const BlueprintParts* bp = error_blueprint(rq);
  const Scopes scopes{bp != nullptr ? &bp->errors : nullptr, &errors_};
  if (const auto* e = as_http_error(ep)) log_http_error(rq, *e);
  bool handler_failed = false;
  // At most: the exception, what a mapping made of it, the 500 after a handler failed.
  for (int pass = 0; pass < 4; ++pass) {
    std::exception_ptr mapped;
    try {
      if (auto r = apply_handlers(rq, ep, scopes, mapped)) return std::move(*r);
    } catch (...) {
      fh::log(LogLevel::Error, "error handler failed for " + request_for_log(rq) + ": " +
                                   what_of(std::current_exception()));
      if (handler_failed) break;
      handler_failed = true;
      ep = std::make_exception_ptr(HttpError(500, "Internal Server Error"));
      continue;
    }
    if (mapped) {
      ep = mapped;
      log_http_error(rq, *as_http_error(ep));
      continue;
    }
    if (const auto* e = as_http_error(ep))
      return with_headers(default_error_page(e->status(), e->what()), *e);
    fh::log(LogLevel::Error, "unhandled exception in " + request_for_log(rq) + ": " + what_of(ep));
    ep = std::make_exception_ptr(HttpError(500, "Internal Server Error"));
  }
  return default_error_page(500, {});
}

void App::run_teardown(Request& rq, const std::exception_ptr& error) const {
  const std::vector<Teardown>* bp_hooks = nullptr;
  if (!rq.blueprint().empty())
    if (auto it = blueprints_.find(rq.blueprint()); it != blueprints_.end())
      bp_hooks = &it->second.teardown;
  for (const auto* hooks : {bp_hooks, &teardown_}) {
    if (hooks == nullptr) continue;
    for (const auto& hook : *hooks) {
      try {
        hook(rq, error);
      } catch (const std::exception& e) {
        fh::log(LogLevel::Error,
                "teardown_request hook failed: " + log_safe(e.what(), kWhatLogMax));
      } catch (...) {
        fh::log(LogLevel::Error, "teardown_request hook failed");
      }
    }
  }
}

} // namespace fh
