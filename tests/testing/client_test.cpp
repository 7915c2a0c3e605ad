// fh::testing's client in-process: the CGI environment it builds for a URL, bodies, the cookie
// jar (stored, sent, replaced, expired; a copied client has its own), and response parsing.
#include "fcgihost/main.hpp"
#include "fcgihost/testing.hpp"

#include <gtest/gtest.h>

namespace ft = fh::testing;

namespace {

std::optional<std::string> param(const ft::CgiRequest& rq, std::string_view name) {
  for (const auto& [k, v] : rq.params)
    if (k == name) return v;
  return std::nullopt;
}

TEST(CookieJar, StoresReplacesAndExpires) {
  ft::CookieJar jar;
  jar.update("a=1; Path=/; HttpOnly");
  jar.update("b=two");
  EXPECT_EQ(jar.header(), "a=1; b=two");
  jar.update("a=3; Max-Age=60");
  EXPECT_EQ(jar.get("a"), "3");
  jar.update("a=; Max-Age=0");
  EXPECT_FALSE(jar.get("a"));
  jar.update("b=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_TRUE(jar.empty());
  jar.update("c=1; Expires=Fri, 01 Jan 2100 00:00:00 GMT");
  jar.update("no-equals-sign");
  jar.update("=nameless");
  EXPECT_EQ(jar.header(), "c=1");
}

TEST(TestClient, BuildsTheEnvironmentAWebServerWould) {
  const fh::App app = make_app();
  ft::InProcess target(app);
  ft::Client client(target);
  client.cookies().set("s", "v");
  const auto rq = client.build("PUT", "/a/b?x=1&y=2", ft::json({{"k", 1}}),
                               {.headers = {{"X-Token", "t"}, {"Content-Type", "application/x"}},
                                .env = {{"SCRIPT_NAME", "/app"}, {"SERVER_PORT", std::nullopt}}});
  EXPECT_EQ(param(rq, "REQUEST_METHOD"), "PUT");
  EXPECT_EQ(param(rq, "PATH_INFO"), "/a/b");
  EXPECT_EQ(param(rq, "QUERY_STRING"), "x=1&y=2");
  EXPECT_EQ(param(rq, "CONTENT_LENGTH"), "7");
  EXPECT_EQ(param(rq, "CONTENT_TYPE"), "application/x"); // the header wins over the body's
  EXPECT_EQ(param(rq, "HTTP_X_TOKEN"), "t");
  EXPECT_EQ(param(rq, "HTTP_COOKIE"), "s=v");
  EXPECT_EQ(param(rq, "SCRIPT_NAME"), "/app");
  EXPECT_FALSE(param(rq, "SERVER_PORT"));
  EXPECT_EQ(rq.body, R"({"k":1})");
  const auto bare = client.build("GET", "/", {}, {.send_cookies = false});
  EXPECT_FALSE(param(bare, "HTTP_COOKIE"));
  EXPECT_FALSE(param(bare, "CONTENT_LENGTH")) << "no body, no length";
}

TEST(TestClient, SendsJsonFormAndHeaders) {
  const fh::App app = make_app();
  ft::InProcess target(app);
  ft::Client client(target);
  auto j = client.post("/echo", ft::json({{"a", {1, 2}}})).json();
  EXPECT_EQ(j["json"], nlohmann::json({{"a", {1, 2}}}));
  j = client.patch("/echo?q=1", ft::form({{"n", "é & co"}}), {.headers = {{"X-Token", "tk"}}})
          .json();
  EXPECT_EQ(j["method"], "PATCH");
  EXPECT_EQ(j["form"]["n"][0], "é & co");
  EXPECT_EQ(j["args"]["q"][0], "1");
  EXPECT_EQ(j["token"], "tk");
  EXPECT_EQ(ft::form({{"a b", "c&d=e"}}).data, "a+b=c%26d%3De");
}

TEST(TestClient, KeepsCookiesLikeABrowser) {
  const fh::App app = make_app();
  ft::InProcess target(app);
  ft::Client client(target);
  const auto set = client.get("/cookie/set?name=flavor&value=vanilla");
  EXPECT_TRUE(set.set_cookie("flavor").starts_with("flavor=vanilla;")) << set.raw;
  EXPECT_EQ(client.get("/echo").json()["cookies"]["flavor"][0], "vanilla");
  ft::Client copy = client; // its own jar from here on
  client.get("/cookie/delete?name=flavor");
  EXPECT_FALSE(client.cookies().get("flavor"));
  EXPECT_EQ(client.get("/echo").json()["cookies"], nlohmann::json::object());
  EXPECT_EQ(copy.get("/echo").json()["cookies"]["flavor"][0], "vanilla");
  EXPECT_EQ(copy.get("/echo", {.send_cookies = false}).json()["cookies"], nlohmann::json::object());
}

TEST(TestResponse, ParsesStatusHeadersBodyAndJson) {
  const auto r = ft::parse_cgi_response(
      "Status: 404 Not Found\r\nContent-Type: text/plain\r\nSet-Cookie: a=1\r\n"
      "Set-Cookie: b=2; Max-Age=0\r\n\r\nnope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.header("content-type"), "text/plain");
  EXPECT_EQ(r.headers_named("Set-Cookie").size(), 2u);
  EXPECT_EQ(r.set_cookie("b"), "b=2; Max-Age=0");
  EXPECT_EQ(r.set_cookie("c"), "");
  EXPECT_EQ(r.body, "nope");
  EXPECT_FALSE(r.header("Status")) << "the status is not a header";
  EXPECT_THROW(r.json(), std::runtime_error);
  EXPECT_EQ(ft::parse_cgi_response("Content-Type: x\n\n{}").status, 200);
  EXPECT_THROW(ft::parse_cgi_response("no header block"), std::runtime_error);
}

TEST(TestClient, AnAppErrorIsAnAnswerNotAnException) {
  const fh::App app = make_app();
  ft::InProcess target(app);
  ft::Client client(target);
  const auto r = client.get("/fail");
  EXPECT_EQ(r.status, 500);
  EXPECT_FALSE(r.contains("deliberate"));
  EXPECT_EQ(client.get("/nope").status, 404);
}

} // namespace
