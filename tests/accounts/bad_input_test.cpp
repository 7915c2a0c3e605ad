// Bad input against accounts.cgi and accounts.fcgi: SQL injection strings in every field (stored
// literally, tables intact), oversized fields, weak passwords and wrong JSON types (400 naming the
// field), and tampered, truncated, expired and foreign-secret session cookies (401 JSON, never an
// error page).
#include "accounts_harness.hpp"

#include "fcgihost/session.hpp"
#include "fcgihost/sqlite.hpp"

#include <ctime>

using accounts_test::Client;
using accounts_test::Mode;
using accounts_test::Reply;
using accounts_test::Sandbox;

namespace {

class BadInput : public ::testing::TestWithParam<Mode> {
protected:
  Sandbox box;
  Client c{GetParam(), box};
  void SetUp() override {
    auto r =
        c.send({"POST", "/api/sign/up",
                R"({"name":"Ann","email":"ann@example.org","password":"ann's long password"})"});
    ASSERT_EQ(r.status, 201) << r.body;
    accounts_test::grant_admin(box, "ann@example.org"); // to create and list users
  }
  void expect_field_error(const std::string& path, const nlohmann::json& body, int status,
                          const std::string& field) {
    Reply r = c.send({"POST", path, body.dump()});
    EXPECT_EQ(r.status, status) << body.dump().substr(0, 200) << " -> " << r.body;
    EXPECT_EQ(r.json.value("field", ""), field) << r.body;
  }
};

const std::vector<std::string> kInjections = {
    "x'; DROP TABLE users; --", "\" OR \"1\"=\"1", "1); DELETE FROM groups; --",
    "Robert'); DROP TABLE memberships;--", "' UNION SELECT password_hash FROM users --"};

TEST_P(BadInput, SqlInjectionIsStoredLiterally) {
  int n = 0;
  for (const auto& evil : kInjections) {
    const std::string email = "a" + std::to_string(n++) + "'--@x.org";
    auto u = c.send({"POST", "/api/users",
                     nlohmann::json{{"name", evil}, {"email", email}, {"password", evil}}.dump()});
    ASSERT_EQ(u.status, 201) << u.body;
    EXPECT_EQ(u.json["name"], evil);
    auto back = c.send({"GET", "/api/users/" + std::to_string(u.json["id"].get<int>()), ""});
    EXPECT_EQ(back.json["name"], evil);
    EXPECT_EQ(back.json["email"], email);
    auto g = c.send(
        {"POST", "/api/groups", nlohmann::json{{"name", evil}, {"description", evil}}.dump()});
    ASSERT_EQ(g.status, 201) << g.body;
    EXPECT_EQ(g.json["description"], evil);
    // The password was stored as a hash of the literal string: signing in with it works.
    Client other(Mode::Cgi, box);
    auto in = other.send(
        {"POST", "/api/sign/in", nlohmann::json{{"email", email}, {"password", evil}}.dump()});
    EXPECT_EQ(in.status, 200) << in.body;
  }
  EXPECT_EQ(c.send({"GET", "/api/users/1 OR 1=1", ""}).status, 404);
  EXPECT_EQ(c.send({"GET", "/api/users", "", "page=1;DROP TABLE users"}).json["field"], "page");
  EXPECT_EQ(c.send({"DELETE", "/api/groups/1/members", "", "user_id=1 OR 1=1"}).status, 400);
  auto all = c.send({"GET", "/api/users", "", "per_page=100"});
  EXPECT_EQ(all.json["total"], 1 + static_cast<int>(kInjections.size()));
  EXPECT_EQ(c.send({"GET", "/api/groups", ""}).json["total"], static_cast<int>(kInjections.size()));
}

TEST_P(BadInput, OversizedFieldsAre400) {
  const std::string big(101, 'n');
  expect_field_error("/api/users",
                     {{"name", big}, {"email", "b@x.org"}, {"password", "a long password"}}, 400,
                     "name");
  expect_field_error(
      "/api/users",
      {{"name", "b"}, {"email", std::string(300, 'e') + "@x.org"}, {"password", "a long password"}},
      400, "email");
  expect_field_error("/api/users",
                     {{"name", "b"}, {"email", "b@x.org"}, {"password", std::string(1025, 'p')}},
                     400, "password");
  expect_field_error("/api/users", {{"name", "b"}, {"email", "b@x.org"}, {"password", "short"}},
                     400, "password");
  expect_field_error("/api/groups", {{"name", "g"}, {"description", std::string(1001, 'd')}}, 400,
                     "description");
  expect_field_error("/api/groups", {{"name", ""}}, 400, "name");
  expect_field_error("/api/sign/up",
                     {{"name", "b"}, {"email", "b@x.org"}, {"password", std::string(5000, 'p')}},
                     400, "password");
}

// The password policy wherever a password is set (sign-up, create, update): at least 10
// characters, not only whitespace, not a common password. 400 naming "password"; nothing stored.
TEST_P(BadInput, WeakPasswordsAre400) {
  const std::vector<std::string> weak = {
      "short",       "nine char",  std::string(12, ' '), "\t \u3000 \u00a0 \u2003 ",
      "1234567890",  "qwertyuiop", "Password123!",       "basketball",
      "iloveyou2024"};
  for (const auto& pw : weak) {
    SCOPED_TRACE(pw);
    expect_field_error("/api/sign/up", {{"name", "w"}, {"email", "w@x.org"}, {"password", pw}}, 400,
                       "password");
    expect_field_error("/api/users", {{"name", "w"}, {"email", "w@x.org"}, {"password", pw}}, 400,
                       "password");
    Reply put = c.send({"PUT", "/api/users/1", nlohmann::json{{"password", pw}}.dump()});
    EXPECT_EQ(put.status, 400) << put.body;
    EXPECT_EQ(put.json.value("field", ""), "password") << put.body;
    EXPECT_TRUE(put.json.contains("error")) << put.body;
  }
  EXPECT_EQ(c.send({"GET", "/api/users", ""}).json["total"], 1); // none was created
  EXPECT_EQ(c.send({"GET", "/api/me", ""}).status, 200);         // nor a session ended
  // Exactly 10 characters, not common: accepted everywhere.
  Client fresh(GetParam(), box);
  EXPECT_EQ(fresh
                .send({"POST", "/api/sign/up",
                       R"({"name":"w","email":"w@x.org","password":"ten chars."})"})
                .status,
            201);
  EXPECT_EQ(c.send({"PUT", "/api/users/1", R"({"password":"Ann's 10 ch"})"}).status, 200);
}

TEST_P(BadInput, WrongJsonTypesAre400) {
  for (const auto& name :
       {nlohmann::json(5), nlohmann::json::array(), nlohmann::json::object(), nlohmann::json(true)})
    expect_field_error("/api/users",
                       {{"name", name}, {"email", "b@x.org"}, {"password", "a long password"}}, 400,
                       "name");
  expect_field_error("/api/users", {{"name", "b"}, {"email", 7}, {"password", "a long password"}},
                     400, "email");
  expect_field_error("/api/users", {{"name", "b"}, {"email", "b@x.org"}}, 400, "password");
  expect_field_error("/api/users",
                     {{"name", "b"}, {"email", "not-an-email"}, {"password", "a long password"}},
                     400, "email");
  c.send({"POST", "/api/groups", R"({"name":"g"})"});
  expect_field_error("/api/groups/1/members", {{"user_id", "1"}}, 400, "user_id");
  expect_field_error("/api/groups/1/members", {{"user_id", -1}}, 400, "user_id");
  expect_field_error("/api/groups/1/members", {{"user_id", 1.5}}, 400, "user_id");
  EXPECT_EQ(c.send({"POST", "/api/users", "[1,2]"}).status, 400);
  auto bad = c.send({"POST", "/api/users", R"({"name":)"});
  EXPECT_EQ(bad.status, 400);
  EXPECT_TRUE(bad.json.contains("error")) << bad.body; // JSON error, not an HTML page
  EXPECT_EQ(c.send({"POST", "/api/users", "name=x", "", "text/plain"}).status, 415);
  EXPECT_EQ(c.send({"POST", "/api/users",
                    R"({"name":"\u0000x","email":"z@x.org","password":"a long password"})"})
                .status,
            400);
}

TEST_P(BadInput, BadSessionCookiesAre401Json) {
  const std::string good = c.cookie; // "session=<value>"
  ASSERT_FALSE(good.empty());
  const std::string value = good.substr(8);
  std::string tampered = value;
  tampered[1] = tampered[1] == 'A' ? 'B' : 'A';
  const nlohmann::json payload = {{"user_id", 1}, {"gen", 0}};
  const std::int64_t now = std::time(nullptr);
  const std::vector<std::pair<std::string, std::string>> cookies = {
      {"tampered", tampered},
      {"truncated", value.substr(0, value.size() / 2)},
      {"expired", fh::SessionCodec(box.secret).encode(payload, now - 10)},
      {"foreign secret",
       fh::SessionCodec(accounts_test::random_secret()).encode(payload, now + 3600)},
      {"garbage", "%%%.;;"},
      {"empty", ""}};
  for (const auto& [what, v] : cookies) {
    c.cookie = "session=" + v;
    auto r = c.send({"GET", "/api/me", ""});
    EXPECT_EQ(r.status, 401) << what << ": " << r.body;
    EXPECT_EQ(r.content_type, "application/json") << what;
    EXPECT_EQ(r.json["error"], "sign in first") << what;
  }
  c.cookie = "session=" + fh::SessionCodec(box.secret).encode(payload, now + 3600);
  EXPECT_EQ(c.send({"GET", "/api/me", ""}).status, 200); // the control: a valid cookie works
}

INSTANTIATE_TEST_SUITE_P(Frontends, BadInput, ::testing::Values(Mode::Cgi, Mode::Fcgi),
                         [](const auto& p) { return accounts_test::mode_name(p.param); });

} // namespace

namespace {

// RFC 3875 §4.4 lets a web server build a CGI's argv from the query string ("?--config+FILE").
// accounts.cgi must ignore it: with an argv that names an insecure dev config on stdin, a cookie
// forged with the dev key is still refused, and the real config (APP_CONFIG_FILE) is used.
TEST(CgiArguments, QueryBuiltArgvCannotPickTheConfig) {
  Sandbox box;
  const std::string evil = box.dir.string() + "/evil.ini";
  std::ofstream(evil) << "[db]\npath = " << box.db << "\n[session]\ninsecure_dev = true\n";
  fh::testing::RunOptions opt;
  opt.env = {"GATEWAY_INTERFACE=CGI/1.1",
             "REQUEST_METHOD=GET",
             "PATH_INFO=/api/me",
             "SCRIPT_NAME=",
             "QUERY_STRING=--config+" + evil,
             "APP_CONFIG_FILE=" + box.config};
  const auto r = fh::testing::run_program({FH_ACCOUNTS_CGI, "--config", evil}, opt);
  EXPECT_EQ(fh::testing::parse_cgi_response(r.out).status, 401) << r.out << r.err;
  // And a config that does not exist, named on the command line, does not stop it either.
  const auto r2 = fh::testing::run_program({FH_ACCOUNTS_CGI, "--config", "/nonexistent.ini"}, opt);
  EXPECT_EQ(fh::testing::parse_cgi_response(r2.out).status, 401) << r2.out << r2.err;
}

} // namespace
