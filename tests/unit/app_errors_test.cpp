// Unit tests for error handlers by exception type (the most derived registration wins, status
// handlers first, mappings, headers carried by HttpError) and for blueprints' own error handlers,
// teardown hooks and relative url_for(".name").
#include "fcgihost/app.hpp"
#include "fcgihost/sqlite.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace {

using fh::App;
using fh::Blueprint;
using fh::GET;
using fh::HttpError;
using fh::Request;
using fh::Response;

Response call(const App& app, const std::string& method, const std::string& path) {
  fh::RawRequest r;
  r.params = {{"REQUEST_METHOD", method}, {"PATH_INFO", path}, {"SCRIPT_NAME", ""}};
  return app.handle(std::move(r));
}
Response get(const App& app, const std::string& path) {
  return call(app, "GET", path);
}

struct Base : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct Middle : Base {
  using Base::Base;
};
struct Leaf : Middle {
  using Middle::Middle;
};
struct Conflict : HttpError {
  Conflict() : HttpError(409, "conflict") {}
};

// Registered base first or leaf first: the most derived matching type answers.
TEST(ErrorsByType, MostDerivedRegistrationWinsWhateverTheOrder) {
  for (const bool base_first : {true, false}) {
    App app("t");
    auto reg_base = [&] {
      app.errorhandler<Base>([](Request&, const Base&) { return Response("base", 500); });
    };
    auto reg_leaf = [&] {
      app.errorhandler<Leaf>([](Request&, const Leaf&) { return Response("leaf", 500); });
    };
    if (base_first) {
      reg_base();
      reg_leaf();
    } else {
      reg_leaf();
      reg_base();
    }
    app.errorhandler<std::exception>(
        [](Request&, const std::exception&) { return Response("std", 500); });
    app.route("/leaf", {GET}, [](Request&) -> Response { throw Leaf("x"); });
    app.route("/middle", {GET}, [](Request&) -> Response { throw Middle("x"); });
    app.route("/base", {GET}, [](Request&) -> Response { throw Base("x"); });
    app.route("/logic", {GET}, [](Request&) -> Response { throw std::logic_error("x"); });
    EXPECT_EQ(get(app, "/leaf").body(), "leaf");
    EXPECT_EQ(get(app, "/middle").body(), "base"); // its nearest registered base
    EXPECT_EQ(get(app, "/base").body(), "base");
    EXPECT_EQ(get(app, "/logic").body(), "std");
  }
}

// errorhandler<HttpError> fires for abort(), the router's 404/405 and an uncaught exception's 500
// (it used to compile and never fire: the status map won).
TEST(ErrorsByType, HttpErrorHandlerFires) {
  App app("t");
  app.errorhandler<HttpError>([](Request&, const HttpError& e) {
    return Response("typed " + std::to_string(e.status()), e.status());
  });
  app.route("/gone", {GET}, [](Request&) -> Response { fh::abort(410); });
  app.route("/boom", {GET}, [](Request&) -> Response { throw std::runtime_error("x"); });
  EXPECT_EQ(get(app, "/gone").body(), "typed 410");
  EXPECT_EQ(get(app, "/nowhere").body(), "typed 404");
  EXPECT_EQ(call(app, "POST", "/gone").body(), "typed 405");
  auto boom = get(app, "/boom");
  EXPECT_EQ(boom.status(), 500);
  EXPECT_EQ(boom.body(), "typed 500");
}

// A status handler answers before the type handlers (Flask's order); a subclass of HttpError
// with its own handler beats the HttpError handler.
TEST(ErrorsByType, StatusHandlerFirstThenMostDerivedType) {
  App app("t");
  app.errorhandler<HttpError>([](Request&, const HttpError&) { return Response("http", 400); });
  app.errorhandler<Conflict>([](Request&, const Conflict&) { return Response("conflict", 409); });
  app.errorhandler(404, [](Request&, const HttpError&) { return Response("status 404", 404); });
  app.route("/c", {GET}, [](Request&) -> Response { throw Conflict(); });
  app.route("/bad", {GET}, [](Request&) -> Response { fh::abort(400); });
  EXPECT_EQ(get(app, "/c").body(), "conflict");
  EXPECT_EQ(get(app, "/bad").body(), "http");
  EXPECT_EQ(get(app, "/none").body(), "status 404");
}

// Headers travel with the HttpError onto whatever response a handler builds (no dynamic_cast in
// the dispatcher); a header the handler set itself is kept.
TEST(ErrorsByType, HttpErrorHeadersReachTheResponse) {
  App app("t");
  app.errorhandler<HttpError>([](Request&, const HttpError& e) {
    return Response::json({{"e", e.what()}}, e.status());
  });
  app.route("/busy", {GET}, [](Request&) -> Response {
    throw HttpError(503, "busy", {{"Retry-After", "7"}, {"X-Mine", "from error"}});
  });
  app.route("/items", {fh::POST}, [](Request&) { return Response("x"); });
  auto busy = get(app, "/busy");
  EXPECT_EQ(busy.status(), 503);
  EXPECT_EQ(busy.header("Retry-After"), "7");
  EXPECT_EQ(get(app, "/items").header("Allow"), "OPTIONS, POST");
  App own("t");
  own.errorhandler(503, [](Request&, const HttpError&) {
    Response r("x", 503);
    r.set_header("X-Mine", "from handler");
    return r;
  });
  own.route("/busy", {GET}, [](Request&) -> Response {
    throw HttpError(503, "busy", {{"X-Mine", "from error"}});
  });
  EXPECT_EQ(get(own, "/busy").header("X-Mine"), "from handler");
}

// The database layer throws its own type; use_database maps Busy to 503 + Retry-After, and the
// app's HttpError handlers then build the answer.
TEST(ErrorsByType, MappedExceptionGoesThroughTheHttpHandlers) {
  App app("t");
  app.map_error<Base>([](const Base& e) {
    return HttpError(503, e.what(), {{"Retry-After", "2"}});
  });
  app.errorhandler(503, [](Request&, const HttpError& e) {
    return Response(std::string("mapped: ") + e.what(), 503);
  });
  app.route("/", {GET}, [](Request&) -> Response { throw Leaf("locked"); });
  auto r = get(app, "/");
  EXPECT_EQ(r.status(), 503);
  EXPECT_EQ(r.body(), "mapped: locked");
  EXPECT_EQ(r.header("Retry-After"), "2");

  App db_app("t");
  fh::sqlite::DatabaseSettings s;
  s.path = ":memory:";
  db_app.use_database(s);
  db_app.route("/", {GET}, [](Request&) -> Response { throw fh::sqlite::Busy(); });
  auto b = get(db_app, "/");
  EXPECT_EQ(b.status(), 503);
  EXPECT_EQ(b.header("Retry-After"), "1");
}

TEST(ErrorsByType, RegisteringATypeAgainReplacesItsHandler) {
  App app("t");
  app.errorhandler<Base>([](Request&, const Base&) { return Response("old", 500); });
  app.errorhandler<Base>([](Request&, const Base&) { return Response("new", 500); });
  app.route("/", {GET}, [](Request&) -> Response { throw Base("x"); });
  EXPECT_EQ(get(app, "/").body(), "new");
}

TEST(ErrorsByType, ThrowingTypeHandlerFallsBackToThe500Handler) {
  App app("t");
  app.errorhandler<Base>([](Request&, const Base&) -> Response { throw std::logic_error("eh"); });
  app.errorhandler(500, [](Request&, const HttpError&) { return Response("sorry", 500); });
  app.route("/", {GET}, [](Request&) -> Response { throw Base("x"); });
  auto r = get(app, "/");
  EXPECT_EQ(r.status(), 500);
  EXPECT_EQ(r.body(), "sorry");
}

// ---- blueprints ----------------------------------------------------------------------------

App json_api_app(std::vector<std::string>* log = nullptr) {
  App app("t");
  Blueprint api("api", "/api");
  api.route(
      "/items/<int:id>", {GET},
      [](Request& rq) -> Response {
        if (rq.path_param<int>("id") == 0) throw std::runtime_error("zero");
        return Response(rq.url_for(".item", {{"id", "2"}}) + " " + rq.url_for(".list") + " " +
                        rq.url_for("home"));
      },
      "item");
  api.route(
      "/items", {GET}, [](Request& rq) { return Response(rq.url_for(".list")); }, "list");
  api.errorhandler<HttpError>([](Request&, const HttpError& e) {
    return Response::json({{"error", e.what()}}, e.status());
  });
  if (log != nullptr) {
    api.teardown_request([log](Request&, std::exception_ptr) { log->push_back("bp"); });
  }
  app.register_blueprint(api);
  app.route(
      "/", {GET}, [](Request& rq) { return Response(rq.url_for(".home")); }, "home");
  app.errorhandler<HttpError>([](Request&, const HttpError& e) {
    return Response::html("<h1>" + std::to_string(e.status()) + "</h1>", e.status());
  });
  if (log != nullptr)
    app.teardown_request([log](Request&, std::exception_ptr) { log->push_back("app"); });
  return app;
}

// A JSON API blueprint answers JSON 404/405/500 under its prefix; the site answers HTML.
TEST(BlueprintErrors, JsonUnderThePrefixHtmlElsewhere) {
  const App app = json_api_app();
  auto missing = get(app, "/api/nothing");
  EXPECT_EQ(missing.status(), 404);
  EXPECT_EQ(missing.body(), "{\"error\":\"Not Found\"}\n");
  auto wrong = call(app, "POST", "/api/items");
  EXPECT_EQ(wrong.status(), 405);
  EXPECT_EQ(wrong.header("Allow"), "GET, HEAD, OPTIONS");
  EXPECT_EQ(wrong.body(), "{\"error\":\"Method Not Allowed\"}\n");
  auto boom = get(app, "/api/items/0");
  EXPECT_EQ(boom.status(), 500);
  EXPECT_EQ(boom.body(), "{\"error\":\"Internal Server Error\"}\n");
  EXPECT_EQ(get(app, "/nothing").body(), "<h1>404</h1>");
  EXPECT_EQ(get(app, "/apix").body(), "<h1>404</h1>"); // not under "/api/"
}

TEST(BlueprintErrors, RelativeUrlForAndBlueprintTeardownFirst) {
  std::vector<std::string> log;
  const App app = json_api_app(&log);
  EXPECT_EQ(get(app, "/api/items/1").body(), "/api/items/2 /api/items /");
  EXPECT_EQ(log, (std::vector<std::string>{"bp", "app"}));
  log.clear();
  EXPECT_EQ(get(app, "/").body(), "/"); // ".home" outside a blueprint is "home"
  EXPECT_EQ(log, std::vector<std::string>{"app"});
}

// ---- typed path parameters -----------------------------------------------------------------

TEST(PathParams, TypedFromTheConverter) {
  App app("t");
  app.route("/n/<int:id>", {GET}, [](Request& rq) {
    return Response(std::to_string(rq.path_param<std::int64_t>("id") + 1) + " " +
                    std::to_string(rq.path_param<std::uint8_t>("id")));
  });
  EXPECT_EQ(get(app, "/n/41").body(), "42 41");
  EXPECT_EQ(get(app, "/n/300").status(), 404);                  // over uint8_t: no such resource
  EXPECT_EQ(get(app, "/n/99999999999999999999").status(), 404); // over int64_t
}

} // namespace
