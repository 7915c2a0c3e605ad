// Unit tests for App::handle in-process (RawRequest in, Response out): hook order, error handlers,
// abort and uncaught exceptions, blueprints, HEAD/OPTIONS/405, Request accessors and limits.
#include "fcgihost/app.hpp"

#include "io/response_writer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using fh::App;
using fh::Blueprint;
using fh::GET;
using fh::HttpError;
using fh::POST;
using fh::RawRequest;
using fh::Request;
using fh::Response;

using Params = std::vector<std::pair<std::string, std::string>>;

RawRequest raw(std::string method, std::string path, std::string query = {}, Params extra = {},
               std::string body = {}) {
  RawRequest r;
  r.params = {{"REQUEST_METHOD", std::move(method)}, {"PATH_INFO", std::move(path)},
              {"QUERY_STRING", std::move(query)},    {"SCRIPT_NAME", ""},
              {"SERVER_NAME", "localhost"},          {"SERVER_PORT", "80"}};
  for (auto& p : extra) { // an extra variable replaces a default one of the same name
    auto same = std::find_if(r.params.begin(), r.params.end(),
                             [&](const auto& q) { return q.first == p.first; });
    if (same != r.params.end())
      same->second = std::move(p.second);
    else
      r.params.push_back(std::move(p));
  }
  if (!body.empty()) r.params.emplace_back("CONTENT_LENGTH", std::to_string(body.size()));
  r.body = std::move(body);
  return r;
}

Response get(const App& app, std::string path, std::string query = {}, Params extra = {}) {
  return app.handle(raw("GET", std::move(path), std::move(query), std::move(extra)));
}

Response post(const App& app, std::string path, std::string content_type, std::string body) {
  return app.handle(raw("POST", std::move(path), {}, {{"CONTENT_TYPE", std::move(content_type)}},
                        std::move(body)));
}

struct MyError : std::exception {
  const char* what() const noexcept override { return "my error"; }
};

// ---- hooks --------------------------------------------------------------------------------

TEST(AppHooks, RunInFlaskOrder) {
  std::vector<std::string> log;
  App app("t");
  app.before_first_request([&] { log.push_back("first"); });
  app.before_request([&](Request&) -> std::optional<Response> {
    log.push_back("before1");
    return std::nullopt;
  });
  app.before_request([&](Request&) -> std::optional<Response> {
    log.push_back("before2");
    return std::nullopt;
  });
  app.after_request([&](Request&, Response&) { log.push_back("after1"); });
  app.after_request([&](Request&, Response&) { log.push_back("after2"); });
  app.teardown_request([&](Request&, std::exception_ptr) { log.push_back("teardown1"); });
  app.teardown_request([&](Request&, std::exception_ptr) { log.push_back("teardown2"); });
  app.route("/", {GET}, [&](Request&) {
    log.push_back("view");
    return Response("ok");
  });
  EXPECT_EQ(get(app, "/").status(), 200);
  EXPECT_EQ(log, (std::vector<std::string>{"first", "before1", "before2", "view", "after2",
                                           "after1", "teardown1", "teardown2"}));
}

TEST(AppHooks, BeforeFirstRequestRunsOnceAcrossRequests) {
  int first = 0, views = 0;
  App app("t");
  app.before_first_request([&] { ++first; });
  app.route("/", {GET}, [&](Request&) {
    ++views;
    return Response("ok");
  });
  for (int i = 0; i < 5; ++i)
    get(app, "/");
  get(app, "/missing");
  EXPECT_EQ(first, 1);
  EXPECT_EQ(views, 5);
}

TEST(AppHooks, BeforeFirstRequestRunsOnceAcrossThreadsAndBeforeAnyView) {
  std::atomic<int> first{0}, views{0}, early{0};
  App app("t");
  app.before_first_request([&] { first.fetch_add(1); });
  app.route("/", {GET}, [&](Request&) {
    if (first.load() != 1) early.fetch_add(1);
    views.fetch_add(1);
    return Response("ok");
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i)
        get(app, "/");
    });
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(first.load(), 1);
  EXPECT_EQ(views.load(), 200);
  EXPECT_EQ(early.load(), 0) << "a view ran before before_first_request finished";
}

TEST(AppHooks, BeforeRequestResponseSkipsTheViewAndLaterHooks) {
  bool view = false, second = false, after = false, teardown = false;
  App app("t");
  app.before_request([](Request&) -> std::optional<Response> { return Response("blocked", 403); });
  app.before_request([&](Request&) -> std::optional<Response> {
    second = true;
    return std::nullopt;
  });
  app.after_request([&](Request&, Response&) { after = true; });
  app.teardown_request([&](Request&, std::exception_ptr ep) { teardown = (ep == nullptr); });
  app.route("/", {GET}, [&](Request&) {
    view = true;
    return Response("view");
  });
  auto r = get(app, "/");
  EXPECT_EQ(r.status(), 403);
  EXPECT_EQ(r.body(), "blocked");
  EXPECT_FALSE(view);
  EXPECT_FALSE(second);
  EXPECT_TRUE(after);
  EXPECT_TRUE(teardown);
}

TEST(AppHooks, AfterRequestMayModifyTheResponse) {
  App app("t");
  app.after_request([](Request&, Response& r) { r.body().append("+a1"); });
  app.after_request([](Request&, Response& r) {
    r.body().append("+a2");
    r.set_header("X-After", "yes");
    r.status(201);
  });
  app.route("/", {GET}, [](Request&) { return Response("view"); });
  auto r = get(app, "/");
  EXPECT_EQ(r.body(), "view+a2+a1");
  EXPECT_EQ(r.status(), 201);
  EXPECT_EQ(r.header("X-After"), "yes");
}

TEST(AppHooks, AfterRequestAlsoRunsOnErrorResponses) {
  App app("t");
  app.after_request([](Request&, Response& r) { r.set_header("X-Seen", "1"); });
  EXPECT_EQ(get(app, "/missing").header("X-Seen"), "1");
}

TEST(AppHooks, TeardownReceivesNullOnSuccess) {
  int calls = 0;
  bool null_ep = false;
  App app("t");
  app.teardown_request([&](Request&, std::exception_ptr ep) {
    ++calls;
    null_ep = ep == nullptr;
  });
  app.route("/", {GET}, [](Request&) { return Response("ok"); });
  get(app, "/");
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(null_ep);
}

TEST(AppHooks, TeardownRunsAndReceivesTheViewException) {
  std::string seen;
  App app("t");
  app.teardown_request([&](Request&, std::exception_ptr ep) {
    try {
      if (ep) std::rethrow_exception(ep);
      seen = "none";
    } catch (const std::exception& e) {
      seen = e.what();
    }
  });
  app.route("/boom", {GET}, [](Request&) -> Response { throw std::runtime_error("boom"); });
  app.route("/abort", {GET}, [](Request&) -> Response { fh::abort(409, "taken"); });
  EXPECT_EQ(get(app, "/boom").status(), 500);
  EXPECT_EQ(seen, "boom");
  EXPECT_EQ(get(app, "/abort").status(), 409);
  EXPECT_EQ(seen, "taken");
}

TEST(AppHooks, TeardownRunsWhenAfterRequestThrows) {
  std::exception_ptr seen;
  App app("t");
  app.after_request([](Request&, Response&) { throw std::runtime_error("after failed"); });
  app.teardown_request([&](Request&, std::exception_ptr ep) { seen = ep; });
  app.route("/", {GET}, [](Request&) { return Response("ok"); });
  auto r = get(app, "/");
  EXPECT_EQ(r.status(), 500);
  EXPECT_EQ(r.body().find("after failed"), std::string::npos);
  EXPECT_NE(seen, nullptr);
}

TEST(AppHooks, ThrowingTeardownDoesNotChangeTheResponseOrSkipOthers) {
  bool second = false;
  App app("t");
  app.teardown_request([](Request&, std::exception_ptr) { throw std::runtime_error("td"); });
  app.teardown_request([&](Request&, std::exception_ptr) { second = true; });
  app.route("/", {GET}, [](Request&) { return Response("fine"); });
  auto r = get(app, "/");
  EXPECT_EQ(r.status(), 200);
  EXPECT_EQ(r.body(), "fine");
  EXPECT_TRUE(second);
}

// ---- errors -------------------------------------------------------------------------------

TEST(AppErrors, ErrorHandlerByStatus) {
  App app("t");
  app.errorhandler(404, [](Request& rq, const HttpError& e) {
    return Response("custom 404 for " + rq.path() + " (" + std::to_string(e.status()) + ")", 404);
  });
  auto r = get(app, "/nowhere");
  EXPECT_EQ(r.status(), 404);
  EXPECT_EQ(r.body(), "custom 404 for /nowhere (404)");
}

TEST(AppErrors, ErrorHandlerForAbortStatus) {
  App app("t");
  app.errorhandler(403, [](Request&, const HttpError& e) {
    return Response(std::string("denied: ") + e.what(), 403);
  });
  app.route("/", {GET}, [](Request&) -> Response { fh::abort(403, "no entry"); });
  auto r = get(app, "/");
  EXPECT_EQ(r.status(), 403);
  EXPECT_EQ(r.body(), "denied: no entry");
}

TEST(AppErrors, ErrorHandlerByExceptionType) {
  App app("t");
  app.errorhandler<MyError>(
      [](Request&, const MyError& e) { return Response(std::string("handled ") + e.what(), 418); });
  app.route("/mine", {GET}, [](Request&) -> Response { throw MyError(); });
  app.route("/other", {GET}, [](Request&) -> Response { throw std::logic_error("other"); });
  auto r = get(app, "/mine");
  EXPECT_EQ(r.status(), 418);
  EXPECT_EQ(r.body(), "handled my error");
  EXPECT_EQ(get(app, "/other").status(), 500);
}

TEST(AppErrors, AbortUsesTheDefaultPage) {
  App app("t");
  app.route("/forbidden", {GET}, [](Request&) -> Response { fh::abort(403); });
  app.route("/bad", {GET}, [](Request&) -> Response { fh::abort(400, "missing field x"); });
  auto r = get(app, "/forbidden");
  EXPECT_EQ(r.status(), 403);
  EXPECT_NE(r.body().find("403 Forbidden"), std::string::npos) << r.body();
  auto b = get(app, "/bad");
  EXPECT_EQ(b.status(), 400);
  EXPECT_NE(b.body().find("missing field x"), std::string::npos) << b.body();
}

TEST(AppErrors, AbortThrowsHttpError) {
  try {
    fh::abort(410);
    FAIL() << "abort returned";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.status(), 410);
    EXPECT_STREQ(e.what(), "Gone");
  }
}

TEST(AppErrors, UncaughtExceptionIsGeneric500WithoutTheMessage) {
  App app("t");
  app.route("/", {GET}, [](Request&) -> Response {
    throw std::runtime_error("db password=hunter2 at /srv/secret.cpp:42");
  });
  auto r = get(app, "/");
  EXPECT_EQ(r.status(), 500);
  EXPECT_NE(r.body().find("Internal Server Error"), std::string::npos);
  EXPECT_EQ(r.body().find("hunter2"), std::string::npos);
  EXPECT_EQ(r.body().find("secret"), std::string::npos);
}

TEST(AppErrors, NonStandardExceptionIs500) {
  App app("t");
  app.route("/", {GET}, [](Request&) -> Response { throw 42; });
  EXPECT_EQ(get(app, "/").status(), 500);
}

TEST(AppErrors, Custom500HandlerGetsUncaughtExceptions) {
  App app("t");
  app.errorhandler(500, [](Request&, const HttpError&) { return Response("sorry", 500); });
  app.route("/", {GET}, [](Request&) -> Response { throw std::runtime_error("internal"); });
  auto r = get(app, "/");
  EXPECT_EQ(r.status(), 500);
  EXPECT_EQ(r.body(), "sorry");
}

TEST(AppErrors, ThrowingErrorHandlerFallsBackToPlain500) {
  App app("t");
  app.errorhandler(404,
                   [](Request&, const HttpError&) -> Response { throw std::runtime_error("eh"); });
  auto r = get(app, "/nothing");
  EXPECT_EQ(r.status(), 500);
  EXPECT_EQ(r.body().find("eh"), std::string::npos);
}

TEST(AppErrors, AppServesTheNextRequestAfterAFailure) {
  App app("t");
  app.route("/boom", {GET}, [](Request&) -> Response { throw std::runtime_error("x"); });
  app.route("/ok", {GET}, [](Request&) { return Response("ok"); });
  EXPECT_EQ(get(app, "/boom").status(), 500);
  EXPECT_EQ(get(app, "/ok").body(), "ok");
}

// ---- registration, blueprints -------------------------------------------------------------

TEST(AppRoutes, BadPatternAndDuplicateEndpointRejectedAtRegistration) {
  App app("t");
  auto h = [](Request&) { return Response("x"); };
  EXPECT_THROW(app.route("no-slash", {GET}, h), std::invalid_argument);
  EXPECT_THROW(app.route("/<float:x>", {GET}, h), std::invalid_argument);
  app.route("/a", {GET}, h, "same");
  EXPECT_THROW(app.route("/b", {GET}, h, "same"), std::invalid_argument);
  EXPECT_THROW(app.route("/c", {GET}, fh::Handler{}), std::invalid_argument);
}

TEST(AppRoutes, PathParamsReachTheView) {
  App app("t");
  app.route("/users/<int:id>/<path:rest>", {GET}, [](Request& rq) {
    return Response(std::to_string(rq.path_param<std::int64_t>("id") * 2) + " " +
                    rq.path_param("rest") + " " + rq.endpoint());
  });
  EXPECT_EQ(get(app, "/users/21/a/b").body(), "42 a/b /users/<int:id>/<path:rest>");
}

TEST(AppBlueprint, PrefixEndpointNamesAndUrlFor) {
  App app("t");
  Blueprint bp("admin", "/admin/");
  bp.route(
      "/users/<int:id>", {GET}, [](Request& rq) { return Response(rq.endpoint()); }, "user");
  app.register_blueprint(bp);
  auto r = get(app, "/admin/users/3");
  EXPECT_EQ(r.status(), 200);
  EXPECT_EQ(r.body(), "admin.user");
  EXPECT_EQ(get(app, "/users/3").status(), 404);
  EXPECT_EQ(app.url_for("admin.user", {{"id", "3"}}), "/admin/users/3");
  EXPECT_THROW(app.url_for("user", {{"id", "3"}}), std::invalid_argument);
}

TEST(AppBlueprint, NameWithDotRejected) {
  EXPECT_THROW(Blueprint("a.b", "/x"), std::invalid_argument);
  EXPECT_THROW(Blueprint("", "/x"), std::invalid_argument);
}

TEST(AppBlueprint, HooksRunOnlyForTheBlueprintsRoutes) {
  std::vector<std::string> log;
  App app("t");
  app.before_request([&](Request&) -> std::optional<Response> {
    log.push_back("app-before");
    return std::nullopt;
  });
  app.after_request([&](Request&, Response&) { log.push_back("app-after"); });
  Blueprint bp("bp", "/bp");
  bp.before_request([&](Request&) -> std::optional<Response> {
    log.push_back("bp-before");
    return std::nullopt;
  });
  bp.after_request([&](Request&, Response&) { log.push_back("bp-after"); });
  bp.route("/x", {GET}, [&](Request&) {
    log.push_back("bp-view");
    return Response("x");
  });
  app.register_blueprint(bp);
  app.route("/y", {GET}, [&](Request&) {
    log.push_back("app-view");
    return Response("y");
  });

  get(app, "/bp/x");
  EXPECT_EQ(log, (std::vector<std::string>{"app-before", "bp-before", "bp-view", "bp-after",
                                           "app-after"}));
  log.clear();
  get(app, "/y");
  EXPECT_EQ(log, (std::vector<std::string>{"app-before", "app-view", "app-after"}));
}

TEST(AppBlueprint, BlueprintBeforeRequestCanShortCircuit) {
  App app("t");
  Blueprint bp("secure", "/secure");
  bp.before_request(
      [](Request&) -> std::optional<Response> { return Response("login first", 401); });
  bp.route("/page", {GET}, [](Request&) { return Response("secret page"); });
  app.register_blueprint(bp);
  app.route("/public", {GET}, [](Request&) { return Response("public"); });
  auto r = get(app, "/secure/page");
  EXPECT_EQ(r.status(), 401);
  EXPECT_EQ(r.body(), "login first");
  EXPECT_EQ(get(app, "/public").body(), "public");
}

// ---- methods: HEAD, OPTIONS, 405 ----------------------------------------------------------

TEST(AppMethods, HeadIsAnsweredByTheGetHandlerWithoutBody) {
  int calls = 0;
  App app("t");
  app.route("/page", {GET}, [&](Request& rq) {
    ++calls;
    return Response("method " + rq.method());
  });
  auto r = app.handle(raw("HEAD", "/page"));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(r.status(), 200);
  const std::string wire = fh::detail::serialize_response(r, /*head_request=*/true);
  EXPECT_NE(wire.find("Content-Length: 11\r\n"), std::string::npos) << wire;
  EXPECT_TRUE(wire.ends_with("\r\n\r\n")) << wire;
}

TEST(AppMethods, AutomaticOptionsListsAllowedMethods) {
  bool view = false;
  App app("t");
  app.route("/items", {GET, POST}, [&](Request&) {
    view = true;
    return Response("x");
  });
  auto r = app.handle(raw("OPTIONS", "/items"));
  EXPECT_LT(r.status(), 300);
  EXPECT_EQ(r.header("Allow"), "GET, HEAD, OPTIONS, POST");
  EXPECT_FALSE(view);
  EXPECT_EQ(app.handle(raw("OPTIONS", "/nothing")).status(), 404);
}

TEST(AppMethods, WrongMethodIs405WithAllowHeader) {
  App app("t");
  app.route("/items", {GET, POST}, [](Request&) { return Response("x"); });
  auto r = app.handle(raw("DELETE", "/items"));
  EXPECT_EQ(r.status(), 405);
  EXPECT_EQ(r.header("Allow"), "GET, HEAD, OPTIONS, POST");
}

TEST(AppMethods, CustomHandlerFor405KeepsAllowHeader) {
  App app("t");
  app.errorhandler(405, [](Request&, const HttpError&) { return Response("no", 405); });
  app.route("/only-post", {POST}, [](Request&) { return Response("x"); });
  auto r = get(app, "/only-post");
  EXPECT_EQ(r.status(), 405);
  EXPECT_EQ(r.body(), "no");
  EXPECT_EQ(r.header("Allow"), "OPTIONS, POST");
}

// ---- request: path, URL, scheme -----------------------------------------------------------

App echo_path_app() {
  App app("t");
  app.route("/<path:p>", {GET}, [](Request& rq) { return Response(rq.path()); });
  app.route("/", {GET}, [](Request& rq) { return Response("root:" + rq.path()); });
  return app;
}

TEST(AppRequest, PathFromPathInfo) {
  App app = echo_path_app();
  RawRequest r = raw("GET", "/hello/x y");
  r.params.emplace_back("REQUEST_URI", "/other/ignored");
  EXPECT_EQ(app.handle(std::move(r)).body(), "/hello/x y");
}

TEST(AppRequest, PathFromRequestUriMinusScriptName) {
  App app = echo_path_app();
  RawRequest r;
  r.params = {{"REQUEST_METHOD", "GET"},
              {"SCRIPT_NAME", "/cgi-bin/app.cgi"},
              {"REQUEST_URI", "/cgi-bin/app.cgi/hello/x%20y?z=1"},
              {"QUERY_STRING", "z=1"}};
  EXPECT_EQ(app.handle(std::move(r)).body(), "/hello/x y");
}

TEST(AppRequest, EmptyPathInfoIsRoot) {
  App app = echo_path_app();
  RawRequest r = raw("GET", "");
  r.params.emplace_back("REQUEST_URI", "/cgi-bin/app.cgi");
  r.params.emplace_back("SCRIPT_NAME", "/cgi-bin/app.cgi");
  EXPECT_EQ(app.handle(std::move(r)).body(), "root:/");
}

TEST(AppRequest, UrlSchemeHostAndUrlFor) {
  App app("t");
  app.route(
      "/hello/<name>", {GET},
      [](Request& rq) {
        return Response(rq.scheme() + "|" + rq.url() + "|" +
                        rq.url_for("greet", {{"name", "a b"}, {"x", "1"}}));
      },
      "greet");
  auto plain = get(app, "/hello/bob", "q=1",
                   {{"HTTP_HOST", "example.org"}, {"SCRIPT_NAME", "/cgi-bin/app.cgi"}});
  EXPECT_EQ(plain.body(), "http|http://example.org/cgi-bin/app.cgi/hello/bob?q=1|"
                          "/cgi-bin/app.cgi/hello/a%20b?x=1");
}

TEST(AppRequest, HttpsOnMakesSchemeHttpsAndHostFromServerName) {
  App app("t");
  app.route("/", {GET}, [](Request& rq) { return Response(rq.scheme() + " " + rq.url()); });
  EXPECT_EQ(
      get(app, "/", {}, {{"HTTPS", "on"}, {"SERVER_NAME", "srv.local"}, {"SERVER_PORT", "8443"}})
          .body(),
      "https https://srv.local:8443/");
  EXPECT_EQ(
      get(app, "/", {}, {{"HTTPS", "on"}, {"SERVER_NAME", "srv.local"}, {"SERVER_PORT", "443"}})
          .body(),
      "https https://srv.local/");
  EXPECT_EQ(get(app, "/", {}, {{"SERVER_NAME", "srv.local"}, {"SERVER_PORT", "8080"}}).body(),
            "http http://srv.local:8080/");
}

TEST(AppRequest, HeadersCookiesRemoteAddr) {
  App app("t");
  app.route("/", {GET}, [](Request& rq) {
    nlohmann::json j;
    j["ua"] = rq.header("user-agent").value_or("-");
    j["xrid"] = rq.header("X-Request-Id").value_or("-");
    j["ct"] = rq.header("Content-Type").value_or("-");
    j["missing"] = rq.header("X-Nope").has_value();
    j["remote"] = rq.remote_addr();
    j["sid"] = rq.cookies().get_or("sid", "-");
    j["theme"] = rq.cookies().get_or("theme", "-");
    nlohmann::json names = nlohmann::json::array();
    for (const auto& [k, v] : rq.headers())
      names.push_back(k);
    j["names"] = names;
    return Response::json(j);
  });
  auto r = get(app, "/", {},
               {{"HTTP_USER_AGENT", "curl/8"},
                {"HTTP_X_REQUEST_ID", "abc"},
                {"HTTP_COOKIE", "sid=s1; junk; theme=\"dark\""},
                {"CONTENT_TYPE", "text/plain"},
                {"REMOTE_ADDR", "192.0.2.7"}});
  ASSERT_EQ(r.status(), 200) << r.body();
  auto j = nlohmann::json::parse(r.body());
  EXPECT_EQ(j["ua"], "curl/8");
  EXPECT_EQ(j["xrid"], "abc");
  EXPECT_EQ(j["ct"], "text/plain");
  EXPECT_EQ(j["missing"], false);
  EXPECT_EQ(j["remote"], "192.0.2.7");
  EXPECT_EQ(j["sid"], "s1");
  EXPECT_EQ(j["theme"], "dark");
  EXPECT_EQ(j["names"], nlohmann::json({"User-Agent", "X-Request-Id", "Cookie", "Content-Type"}));
}

// ---- request: args, form, files, json -----------------------------------------------------

TEST(AppRequest, MultiValuedArgs) {
  App app("t");
  app.route("/", {GET}, [](Request& rq) {
    std::string out;
    for (const auto& v : rq.args().get_all("t"))
      out += v + ",";
    return Response(out + rq.args().get_or("q", "-"));
  });
  EXPECT_EQ(get(app, "/", "t=1&q=a+b&t=2%263").body(), "1,2&3,a b");
  EXPECT_EQ(get(app, "/", "q=%zz").status(), 400);
}

App form_app() {
  App app("t");
  app.route("/form", {POST}, [](Request& rq) {
    std::string out = rq.form().get_or("a", "-") + "|" + rq.form().get_or("b", "-");
    for (const auto& f : rq.files())
      out += "|" + f.field + ":" + f.filename + ":" + f.content_type + ":" + f.data;
    if (const auto* f = rq.file("up")) out += "|first=" + f->data;
    return Response(out);
  });
  app.route("/json", {POST}, [](Request& rq) {
    return Response(std::string(rq.is_json() ? "json " : "not ") + rq.json().dump());
  });
  return app;
}

TEST(AppRequest, UrlencodedForm) {
  App app = form_app();
  auto r = post(app, "/form", "application/x-www-form-urlencoded; charset=utf-8", "a=1+2&b=%C3%A9");
  EXPECT_EQ(r.body(), "1 2|\xc3\xa9");
}

TEST(AppRequest, MultipartFormWithFiles) {
  App app = form_app();
  const std::string body = "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nA\r\n"
                           "--B\r\nContent-Disposition: form-data; name=\"up\"; filename=\"x.txt\""
                           "\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
                           "--B\r\nContent-Disposition: form-data; name=\"up\"; filename=\"y.bin\""
                           "\r\n\r\nbin\r\n--B--\r\n";
  auto r = post(app, "/form", "multipart/form-data; boundary=B", body);
  EXPECT_EQ(r.status(), 200);
  EXPECT_EQ(r.body(), "A|-|up:x.txt:text/plain:hello|up:y.bin:application/octet-stream:bin"
                      "|first=hello");
}

TEST(AppRequest, MalformedFormsAre400) {
  App app = form_app();
  EXPECT_EQ(post(app, "/form", "application/x-www-form-urlencoded", "a=%").status(), 400);
  EXPECT_EQ(post(app, "/form", "multipart/form-data", "--B\r\n").status(), 400);
  EXPECT_EQ(post(app, "/form", "multipart/form-data; boundary=B", "garbage").status(), 400);
}

TEST(AppRequest, UnterminatedQuotedStringInMultipartIs400) {
  App app = form_app();
  auto r = post(app, "/form", "multipart/form-data; boundary=B",
                "--B\r\nContent-Disposition: form-data; name=\"abc\r\n\r\nx\r\n--B--\r\n");
  EXPECT_EQ(r.status(), 400);
  EXPECT_EQ(r.body(), "400 Bad Request: malformed header parameter (unterminated quoted-string)\n");
  r = post(app, "/form", "multipart/form-data; boundary=\"B",
           "--\"B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--\"B--\r\n");
  EXPECT_EQ(r.status(), 400);
  // is_json() looks at the media type only; the body parser is what rejects bad parameters.
  EXPECT_EQ(post(app, "/json", "application/json; charset=\"utf-8", "1").body(), "json 1");
}

TEST(AppRequest, TooManyMultipartPartsIs400) {
  App app = form_app();
  app.limits().max_multipart_parts = 2;
  std::string body;
  for (int i = 0; i < 3; ++i)
    body += "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n";
  body += "--B--";
  EXPECT_EQ(post(app, "/form", "multipart/form-data; boundary=B", body).status(), 400);
}

TEST(AppRequest, JsonBody) {
  App app = form_app();
  auto r = post(app, "/json", "application/json", R"({"a": [1, 2, {"b": null}]})");
  EXPECT_EQ(r.status(), 200);
  EXPECT_EQ(r.body(), R"(json {"a":[1,2,{"b":null}]})");
  EXPECT_EQ(post(app, "/json", "application/vnd.api+json", "1").body(), "json 1");
}

TEST(AppRequest, MalformedOrEmptyJsonIs400) {
  App app = form_app();
  for (const char* bad : {"{\"a\": ", "{'a': 1}", "[1,]", "nul", "\"\xff\""}) {
    auto r = post(app, "/json", "application/json", bad);
    EXPECT_EQ(r.status(), 400) << bad;
  }
  EXPECT_EQ(post(app, "/json", "application/json", "").status(), 400);
}

TEST(AppRequest, TooDeepJsonIs400) {
  App app = form_app();
  app.limits().max_json_depth = 8;
  EXPECT_EQ(post(app, "/json", "application/json", "[[[[1]]]]").status(), 200);
  auto r = post(app, "/json", "application/json", std::string(50, '[') + std::string(50, ']'));
  EXPECT_EQ(r.status(), 400);
  EXPECT_NE(r.body().find("deep"), std::string::npos) << r.body();
}

TEST(AppRequest, DefaultJsonDepthLimitStopsHugeNesting) {
  App app = form_app();
  const std::size_t n = 100000;
  auto r = post(app, "/json", "application/json", std::string(n, '[') + std::string(n, ']'));
  EXPECT_EQ(r.status(), 400);
}

// A handler that catches the first 400 and asks again must get 400 again, not a half-parsed value.
TEST(AppRequest, TooDeepJsonStays400OnSecondCall) {
  App app("t");
  app.limits().max_json_depth = 2;
  app.route("/json", {POST}, [](Request& rq) {
    try {
      (void)rq.json();
    } catch (const HttpError&) {
    }
    return Response(rq.json().dump());
  });
  EXPECT_EQ(post(app, "/json", "application/json", "[[[[[1]]]]]").status(), 400);
}

// Every exception nlohmann's parser can raise is the client's fault: a 400 with a one-line
// reason, never a 500. A number beyond double's range is an out_of_range, not a parse_error.
TEST(AppRequest, JsonNumberOutOfRangeIs400) {
  App app = form_app();
  for (const char* bad : {"[1e999999]", "1e400", "-1e400", "{\"a\": 1.5e309}"}) {
    auto r = post(app, "/json", "application/json", bad);
    EXPECT_EQ(r.status(), 400) << bad;
    EXPECT_EQ(r.body(), "400 Bad Request: JSON number out of range\n") << bad;
  }
  // Other parse-time failures, for the record: each a 400 with a single line.
  for (const char* bad : {"\"\\ud800\"", "\"\\uDC00\"", "[1]x", "1e", "\"\x01\""}) {
    auto r = post(app, "/json", "application/json", bad);
    EXPECT_EQ(r.status(), 400) << bad;
    EXPECT_EQ(std::count(r.body().begin(), r.body().end(), '\n'), 1) << r.body();
  }
}

// max_json_depth counts containers: 128 nested arrays or objects are accepted, 129 are not,
// whatever sits innermost (nothing, or a scalar).
TEST(AppRequest, JsonDepthLimitIsExact) {
  App app = form_app();
  ASSERT_EQ(app.limits().max_json_depth, 128u);
  auto arrays = [](std::size_t n, std::string inner) {
    return std::string(n, '[') + inner + std::string(n, ']');
  };
  auto objects = [](std::size_t n, std::string inner) {
    std::string s; // {"k":{"k":...{inner}...}}: n objects
    for (std::size_t i = 1; i < n; ++i)
      s += "{\"k\":";
    return s + "{" + inner + "}" + std::string(n - 1, '}');
  };
  for (const std::string inner : {"", "1"}) {
    const std::string key_inner = inner.empty() ? "" : "\"v\":" + inner;
    EXPECT_EQ(post(app, "/json", "application/json", arrays(128, inner)).status(), 200) << inner;
    EXPECT_EQ(post(app, "/json", "application/json", arrays(129, inner)).status(), 400) << inner;
    EXPECT_EQ(post(app, "/json", "application/json", objects(128, key_inner)).status(), 200)
        << key_inner;
    EXPECT_EQ(post(app, "/json", "application/json", objects(129, key_inner)).status(), 400)
        << key_inner;
  }
  // The limit is the configured number, not one more.
  app.limits().max_json_depth = 1;
  EXPECT_EQ(post(app, "/json", "application/json", "[1]").status(), 200);
  EXPECT_EQ(post(app, "/json", "application/json", "{}").status(), 200);
  EXPECT_EQ(post(app, "/json", "application/json", "[[]]").status(), 400);
  EXPECT_EQ(post(app, "/json", "application/json", "{\"a\":{}}").status(), 400);
  EXPECT_EQ(post(app, "/json", "application/json", "[{}]").status(), 400);
}

// ---- limits -------------------------------------------------------------------------------

TEST(AppLimits, InputErrorFromTheFrontEndIsAnsweredWithoutRunningTheView) {
  bool view = false;
  App app("t");
  app.route("/", {POST}, [&](Request&) {
    view = true;
    return Response("x");
  });
  for (int status : {413, 400}) {
    RawRequest r = raw("POST", "/");
    r.input_error_status = status;
    r.input_error = "request body larger than the limit";
    auto resp = app.handle(std::move(r));
    EXPECT_EQ(resp.status(), status);
  }
  EXPECT_FALSE(view);
}

TEST(AppLimits, PayloadTooLargeGoesThroughTheErrorHandler) {
  App app("t");
  app.errorhandler(413, [](Request&, const HttpError&) { return Response("too big", 413); });
  RawRequest r = raw("POST", "/");
  r.input_error_status = 413;
  r.input_error = "request body larger than the limit";
  auto resp = app.handle(std::move(r));
  EXPECT_EQ(resp.status(), 413);
  EXPECT_EQ(resp.body(), "too big");
}

TEST(AppLimits, HeaderTooLargeIs431) {
  App app("t");
  app.limits().max_header_bytes = 64;
  app.route("/", {GET}, [](Request&) { return Response("ok"); });
  EXPECT_EQ(get(app, "/", {}, {{"HTTP_X_SMALL", std::string(64, 'a')}}).status(), 200);
  EXPECT_EQ(get(app, "/", {}, {{"HTTP_X_BIG", std::string(65, 'a')}}).status(), 431);
  EXPECT_EQ(get(app, "/", {}, {{"HTTP_COOKIE", "a=" + std::string(100, 'b')}}).status(), 431);
}

TEST(AppLimits, OverlongQueryStringIs414) {
  App app("t");
  app.limits().max_header_bytes = 16; // the query string may be 4x that
  app.route("/", {GET}, [](Request&) { return Response("ok"); });
  EXPECT_EQ(get(app, "/", "a=" + std::string(62, 'x')).status(), 200);
  EXPECT_EQ(get(app, "/", "a=" + std::string(63, 'x')).status(), 414);
}

TEST(AppLimits, TooManyQueryParamsOrCookiesIs400) {
  App app("t");
  app.limits().max_params = 3;
  app.route("/", {GET}, [](Request&) { return Response("ok"); });
  EXPECT_EQ(get(app, "/", "a=1&b=2&c=3").status(), 200);
  EXPECT_EQ(get(app, "/", "a=1&b=2&c=3&d=4").status(), 400);
  EXPECT_EQ(get(app, "/", {}, {{"HTTP_COOKIE", "a=1; b=2; c=3; d=4"}}).status(), 400);
}

TEST(AppLimits, OversizedFormFieldIs400) {
  App app = form_app();
  app.limits().max_param_bytes = 4;
  EXPECT_EQ(post(app, "/form", "application/x-www-form-urlencoded", "a=1234").status(), 200);
  EXPECT_EQ(post(app, "/form", "application/x-www-form-urlencoded", "a=12345").status(), 400);
}

TEST(AppLimits, HooksStillSeeBadRequests) {
  bool teardown = false;
  App app("t");
  app.teardown_request([&](Request&, std::exception_ptr ep) { teardown = ep != nullptr; });
  EXPECT_EQ(get(app, "/", "a=%").status(), 400);
  EXPECT_TRUE(teardown);
}

} // namespace
