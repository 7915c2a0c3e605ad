// The accounts scenario (sign up, sign in, made admin by accounts-admin, CRUD users/groups/members,
// sign out, 401 after) run against accounts.cgi and accounts.fcgi, each with a fresh database:
// every step must give the expected status, and the two transcripts (timestamps removed) must be
// identical.
#include "accounts_harness.hpp"

#include <gtest/gtest.h>

using accounts_test::Client;
using accounts_test::Mode;
using accounts_test::Reply;
using accounts_test::Request;
using accounts_test::Sandbox;

namespace {

nlohmann::json without_timestamps(nlohmann::json j) {
  if (j.is_object()) {
    j.erase("created_at");
    for (auto& [k, v] : j.items())
      v = without_timestamps(v);
  } else if (j.is_array()) {
    for (auto& v : j)
      v = without_timestamps(v);
  }
  return j;
}

class Script {
public:
  explicit Script(Client& c) : c_(c) {}
  // Sends `r`, expects `status`, appends a transcript line; returns the reply.
  Reply step(const Request& r, int status) {
    Reply rep = c_.send(r);
    EXPECT_EQ(rep.status, status) << r.method << " " << r.path << " -> " << rep.body;
    transcript += r.method + " " + r.path + "?" + r.query + " -> " + std::to_string(rep.status) +
                  " " + without_timestamps(rep.json).dump() + (c_.cookie.empty() ? "" : " [s]") +
                  "\n";
    return rep;
  }
  std::string transcript;

private:
  Client& c_;
};

void sign_steps(Script& s, Client& c) {
  s.step({"GET", "/api/me", ""}, 401);
  auto up = s.step({"POST", "/api/sign/up",
                    R"({"name":"Ann","email":"ann@example.org","password":"correct horse"})"},
                   201);
  EXPECT_NE(up.set_cookie.find("HttpOnly"), std::string::npos);
  EXPECT_EQ(s.step({"GET", "/api/me", ""}, 200).json["name"], "Ann");
  const std::string old_cookie = c.cookie;
  auto out = s.step({"POST", "/api/sign/out", ""}, 200);
  EXPECT_NE(out.set_cookie.find("Max-Age=0"), std::string::npos);
  EXPECT_TRUE(c.cookie.empty());
  s.step({"GET", "/api/me", ""}, 401);
  c.cookie = old_cookie; // a replayed cookie from before sign-out is refused
  s.step({"GET", "/api/me", ""}, 401);
  c.cookie.clear();
  s.step({"POST", "/api/sign/in", "email=ann%40example.org&password=wrong+horse", "",
          "application/x-www-form-urlencoded"},
         401);
  s.step({"POST", "/api/sign/in", "email=ann%40example.org&password=correct+horse", "",
          "application/x-www-form-urlencoded"},
         200);
  EXPECT_FALSE(c.cookie.empty());
}

void user_steps(Script& s) {
  auto bob =
      s.step({"POST", "/api/users",
              R"({"name":"Bob","email":"bob@example.org","password":"bob's long password"})"},
             201);
  EXPECT_EQ(bob.json["id"], 2);
  s.step({"POST", "/api/users",
          R"({"name":"B","email":"BOB@example.org","password":"bob's long password"})"},
         409);
  EXPECT_EQ(s.step({"GET", "/api/users", ""}, 200).json["total"], 2);
  s.step({"GET", "/api/users/2", ""}, 200);
  EXPECT_EQ(s.step({"PUT", "/api/users/2", R"({"name":"Robert"})"}, 200).json["name"], "Robert");
  auto page = s.step({"GET", "/api/users", "", "page=2&per_page=1"}, 200);
  EXPECT_EQ(page.json["users"][0]["name"], "Robert");
  s.step({"PUT", "/api/users/2", R"({"email":"ann@example.org"})"}, 409);
  s.step({"PUT", "/api/users/99", R"({"name":"x"})"}, 404);
}

void group_steps(Script& s) {
  s.step({"POST", "/api/groups", R"({"name":"staff","description":"everyone"})"}, 201);
  s.step({"POST", "/api/groups", R"({"name":"staff"})"}, 409);
  s.step({"GET", "/api/groups", ""}, 200);
  s.step({"GET", "/api/groups/1", ""}, 200);
  s.step({"PUT", "/api/groups/1", R"({"description":"all of us"})"}, 200);
  s.step({"POST", "/api/groups/1/members", R"({"user_id":2})"}, 201);
  s.step({"POST", "/api/groups/1/members", R"({"user_id":2})"}, 409);
  s.step({"POST", "/api/groups/1/members", R"({"user_id":99})"}, 404);
  EXPECT_EQ(s.step({"GET", "/api/groups/1/members", ""}, 200).json["total"], 1);
  s.step({"DELETE", "/api/groups/1/members", "", "user_id=2"}, 204);
  s.step({"DELETE", "/api/groups/1/members", "", "user_id=2"}, 404);
  EXPECT_EQ(s.step({"GET", "/api/groups/1/members", ""}, 200).json["total"], 0);
  s.step({"POST", "/api/groups/1/members", R"({"user_id":2})"}, 201);
  s.step({"DELETE", "/api/users/2", ""}, 204); // cascades to the membership
  EXPECT_EQ(s.step({"GET", "/api/groups/1/members", ""}, 200).json["total"], 0);
  s.step({"GET", "/api/users/2", ""}, 404);
  s.step({"DELETE", "/api/groups/1", ""}, 204);
  s.step({"GET", "/api/groups/1", ""}, 404);
}

std::string run_scenario(Mode mode) {
  SCOPED_TRACE(accounts_test::mode_name(mode));
  Sandbox box;
  Client c(mode, box);
  Script s(c);
  sign_steps(s, c);
  s.step({"GET", "/api/users", ""}, 403); // a user who is not an admin
  accounts_test::grant_admin(box, "ann@example.org");
  s.transcript += "accounts-admin grant-admin ann@example.org\n";
  EXPECT_EQ(s.step({"GET", "/api/me", ""}, 200).json["admin"], true);
  user_steps(s);
  group_steps(s);
  s.step({"POST", "/api/sign/out", ""}, 200);
  s.step({"GET", "/api/me", ""}, 401);
  s.step({"GET", "/api/users", ""}, 401);
  s.step({"POST", "/api/users", R"({"name":"Eve","email":"eve@example.org","password":"x"})"}, 401);
  return s.transcript;
}

TEST(AccountsScenario, SameResultsAsCgiAndFastCgi) {
  const std::string cgi = run_scenario(Mode::Cgi);
  const std::string fcgi = run_scenario(Mode::Fcgi);
  EXPECT_EQ(cgi, fcgi);
  EXPECT_GT(cgi.size(), 1000u) << cgi;
}

} // namespace
