// Unit tests: the session cookie codec (round trip, tampered, truncated, expired, foreign
// secret), Session change tracking, saving through App::handle, and CSRF tokens.
#include "fcgihost/app.hpp"
#include "fcgihost/csrf.hpp"
#include "fcgihost/session.hpp"

#include <gtest/gtest.h>

namespace {

const std::string kSecret(40, 'k');

fh::RawRequest get(std::string path, std::string cookie = {}) {
  fh::RawRequest raw;
  raw.params = {{"REQUEST_METHOD", "GET"}, {"PATH_INFO", std::move(path)}};
  if (!cookie.empty()) raw.params.emplace_back("HTTP_COOKIE", "session=" + cookie);
  return raw;
}

// The value of the session cookie in a Set-Cookie header ("" if none).
std::string session_cookie(const fh::Response& r) {
  for (const auto& [k, v] : r.headers())
    if (k == "Set-Cookie" && v.starts_with("session=")) return v.substr(8, v.find(';') - 8);
  return {};
}

fh::App session_app() {
  fh::App app("t");
  fh::SessionSettings s;
  s.secret = kSecret;
  app.use_sessions(s);
  app.route("/set", {fh::GET}, [](fh::Request& rq) {
    rq.session().set("n", rq.session().get<int>("n", 0) + 1);
    return fh::Response::text(std::to_string(rq.session().get<int>("n", 0)));
  });
  app.route("/read", {fh::GET}, [](fh::Request& rq) {
    return fh::Response::text(std::to_string(rq.session().get<int>("n", 0)));
  });
  app.route("/name", {fh::GET}, [](fh::Request& rq) {
    rq.session().set("name", rq.args().get_or("name", ""));
    return fh::Response::text("ok");
  });
  app.route("/clear", {fh::GET}, [](fh::Request& rq) {
    rq.session().clear();
    return fh::Response::text("ok");
  });
  return app;
}

TEST(SessionCodec, RoundTrip) {
  fh::SessionCodec c(kSecret);
  auto v = c.encode({{"user_id", 7}}, 2000);
  auto d = c.decode(v, 1000);
  ASSERT_TRUE(d);
  EXPECT_EQ((*d)["user_id"], 7);
}

TEST(SessionCodec, RejectsTamperedTruncatedExpiredForeign) {
  fh::SessionCodec c(kSecret);
  const auto v = c.encode({{"user_id", 7}}, 2000);
  std::string tampered = v;
  tampered[2] = tampered[2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(c.decode(tampered, 1000));
  // Re-signing a changed expiry without the key does not work either.
  auto dot = v.find('.');
  EXPECT_FALSE(c.decode(v.substr(0, dot) + ".999999" + v.substr(v.rfind('.')), 1000));
  for (std::size_t n = 0; n < v.size(); n += 7)
    EXPECT_FALSE(c.decode(v.substr(0, n), 1000)) << n;
  EXPECT_FALSE(c.decode(v, 2000)); // expired at its expiry second
  EXPECT_FALSE(fh::SessionCodec(std::string(40, 'x')).decode(v, 1000));
  EXPECT_FALSE(c.decode("", 1000));
  EXPECT_FALSE(c.decode("...", 1000));
  EXPECT_FALSE(c.decode(std::string(5000, '.'), 1000));
}

TEST(SessionCodec, InvalidUtf8IsReplacedNotAnError) {
  fh::SessionCodec c(kSecret);
  std::string v;
  ASSERT_NO_THROW(v = c.encode({{"name", "a\xff"}, {"\xfe", 1}}, 2000));
  auto d = c.decode(v, 1000);
  ASSERT_TRUE(d);
  EXPECT_EQ((*d)["name"], "a\xef\xbf\xbd");
  EXPECT_EQ((*d)["\xef\xbf\xbd"], 1);
}

TEST(Session, TracksChanges) {
  fh::Session s(nlohmann::json{{"a", 1}});
  EXPECT_FALSE(s.modified());
  EXPECT_EQ(s.get<int>("a", 0), 1);
  EXPECT_EQ(s.get<std::string>("a", "x"), "x"); // wrong type: fallback
  s.erase("missing");
  EXPECT_FALSE(s.modified());
  s.set("b", "x");
  EXPECT_TRUE(s.modified());
  s.clear();
  EXPECT_TRUE(s.empty());
}

TEST(SessionApp, SavesOnlyWhenModifiedAndDeletesWhenCleared) {
  const fh::App app = session_app();
  auto r1 = app.handle(get("/set"));
  const std::string c1 = session_cookie(r1);
  ASSERT_FALSE(c1.empty());
  EXPECT_NE(r1.header("Set-Cookie")->find("HttpOnly"), std::string::npos);
  EXPECT_NE(r1.header("Set-Cookie")->find("SameSite=Lax"), std::string::npos);
  EXPECT_EQ(r1.header("Set-Cookie")->find("Secure"), std::string::npos);
  auto r2 = app.handle(get("/read", c1));
  EXPECT_EQ(r2.body(), "1");
  EXPECT_FALSE(r2.header("Set-Cookie")); // not modified: no cookie
  EXPECT_EQ(app.handle(get("/set", c1)).body(), "2");
  auto r3 = app.handle(get("/clear", c1));
  ASSERT_TRUE(r3.header("Set-Cookie"));
  EXPECT_NE(r3.header("Set-Cookie")->find("Max-Age=0"), std::string::npos);
  // A bad cookie is no session, never an error.
  auto r4 = app.handle(get("/read", c1 + "x"));
  EXPECT_EQ(r4.status(), 200);
  EXPECT_EQ(r4.body(), "0");
}

TEST(SessionApp, ClientBytesThatAreNotUtf8AreSaved) {
  const fh::App app = session_app();
  auto raw = get("/name");
  raw.params.emplace_back("QUERY_STRING", "name=%ff");
  auto r = app.handle(std::move(raw));
  EXPECT_EQ(r.status(), 200); // was a 500: json::type_error from dump()
  EXPECT_FALSE(session_cookie(r).empty());
}

TEST(SessionApp, SecureOnHttps) {
  const fh::App app = session_app();
  auto raw = get("/set");
  raw.params.emplace_back("HTTPS", "on");
  auto r = app.handle(std::move(raw));
  EXPECT_NE(r.header("Set-Cookie")->find("Secure"), std::string::npos);
}

TEST(SessionApp, RefusesShortSecretUnlessInsecureDev) {
  fh::App app("t");
  fh::SessionSettings s;
  s.secret = "short";
  EXPECT_THROW(app.use_sessions(s), std::invalid_argument);
  s.secret.clear();
  EXPECT_THROW(app.use_sessions(s), std::invalid_argument);
  s.insecure_dev = true;
  EXPECT_NO_THROW(app.use_sessions(s));
}

TEST(Csrf, TokenRequiredAndComparedToSession) {
  fh::App app = session_app();
  app.route("/token", {fh::GET},
            [](fh::Request& rq) { return fh::Response::text(fh::csrf_token(rq)); });
  app.route("/post", {fh::POST}, [](fh::Request& rq) {
    fh::require_csrf(rq);
    return fh::Response::text("done");
  });
  auto r = app.handle(get("/token"));
  const std::string token = r.body(), cookie = session_cookie(r);
  EXPECT_EQ(token.size(), 43u);
  auto post = [&](std::string form, std::string header) {
    fh::RawRequest raw = get("/post", cookie);
    raw.params[0].second = "POST";
    raw.params.emplace_back("CONTENT_TYPE", "application/x-www-form-urlencoded");
    if (!header.empty()) raw.params.emplace_back("HTTP_X_CSRF_TOKEN", header);
    raw.body = std::move(form);
    return app.handle(std::move(raw)).status();
  };
  EXPECT_EQ(post("csrf_token=" + token, ""), 200);
  EXPECT_EQ(post("", token), 200);
  EXPECT_EQ(post("", ""), 403);
  EXPECT_EQ(post("csrf_token=" + std::string(43, 'A'), ""), 403);
  EXPECT_EQ(post("csrf_token=x", ""), 403);
}

} // namespace
