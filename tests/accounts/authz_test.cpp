// The accounts permission model against accounts.cgi and accounts.fcgi: a table of every api
// endpoint × {anonymous, the user themself, another user, an admin} with the status each must
// get (each cell on its own copy of one prepared database), then the rules around it: a new
// password or email ends the user's other sessions, admins come only from accounts-admin, ownerless
// groups are admin-only, member lists carry no email and, for an owner who is not an admin, no
// other user's name.
#include "accounts.hpp"
#include "accounts_harness.hpp"

#include "fcgihost/sqlite.hpp"

#include <array>
#include <map>

using accounts_test::Client;
using accounts_test::Mode;
using accounts_test::Reply;
using accounts_test::Request;
using accounts_test::Sandbox;

namespace {

enum Who { kAnon, kSelf, kOther, kAdmin };
constexpr std::array<const char*, 4> kWhoNames = {"anonymous", "self", "other user", "admin"};

const std::string kAdminPassword = "the admin's long passphrase";
const std::string kSamPassword = "sam's long passphrase";
const std::string kOlgaPassword = "olga's long passphrase";

// One fresh database: ada (id 1, an admin made by accounts-admin), sam (id 2, "self") and olga
// (id 3, "other"), both signed up through the API; sam's group "sams" (id 1) has olga as a member.
// One client whose cookie is switched to act as each of them.
class World {
public:
  explicit World(Mode mode) : c_(mode, box_) {
    accounts_test::make_admin(box_, "Ada", "ada@example.org", kAdminPassword);
    cookies_[kSelf] = sign_up("Sam", "sam@example.org", kSamPassword);
    cookies_[kOther] = sign_up("Olga", "olga@example.org", kOlgaPassword);
    cookies_[kAdmin] = sign_in("ada@example.org", kAdminPassword);
    expect(as(kSelf, {"POST", "/api/groups", R"({"name":"sams"})"}), 201);
    expect(as(kSelf, {"POST", "/api/groups/1/members", R"({"user_id":3})"}), 201);
  }

  Reply as(Who who, const Request& r) {
    c_.cookie = cookies_[who];
    return c_.send(r);
  }
  const Sandbox& box() const { return box_; }
  const std::string& cookie(Who who) { return cookies_[who]; }

private:
  static void expect(const Reply& r, int status) { ASSERT_EQ(r.status, status) << r.body; }
  std::string sign_up(const std::string& name, const std::string& email, const std::string& pw) {
    c_.cookie.clear();
    expect(c_.send({"POST", "/api/sign/up",
                    nlohmann::json{{"name", name}, {"email", email}, {"password", pw}}.dump()}),
           201);
    return c_.cookie;
  }
  std::string sign_in(const std::string& email, const std::string& pw) {
    c_.cookie.clear();
    expect(c_.send(
               {"POST", "/api/sign/in", nlohmann::json{{"email", email}, {"password", pw}}.dump()}),
           200);
    return c_.cookie;
  }

  Sandbox box_;
  Client c_;
  std::map<Who, std::string> cookies_ = {{kAnon, ""}};
};

struct Case {
  const char* what;
  Request request;
  std::array<int, 4> status; // anonymous, self, other user, admin
};

// For /api/users/<id>, "self" is sam and the id is sam's (2). For /api/groups/<id>, "self" is
// the group's owner (sam, group 1); "other" (olga) is a member of it but not its owner.
const std::vector<Case> kCases = {
    {"sign up",
     {"POST", "/api/sign/up",
      R"({"name":"N","email":"new@example.org","password":"a new long passphrase"})"},
     {201, 201, 201, 201}},
    {"sign in",
     {"POST", "/api/sign/in", R"({"email":"sam@example.org","password":"sam's long passphrase"})"},
     {200, 200, 200, 200}},
    {"sign out", {"POST", "/api/sign/out", ""}, {401, 200, 200, 200}},
    {"me", {"GET", "/api/me", ""}, {401, 200, 200, 200}},
    {"list users", {"GET", "/api/users", ""}, {401, 403, 403, 200}},
    {"create user",
     {"POST", "/api/users",
      R"({"name":"N","email":"new@example.org","password":"a new long passphrase"})"},
     {401, 403, 403, 201}},
    {"get user", {"GET", "/api/users/2", ""}, {401, 200, 403, 200}},
    {"rename user", {"PUT", "/api/users/2", R"({"name":"Samuel"})"}, {401, 200, 403, 200}},
    {"set user's password",
     {"PUT", "/api/users/2", R"({"password":"taken over, long enough"})"},
     {401, 200, 403, 200}},
    {"set user's email",
     {"PUT", "/api/users/2", R"({"email":"mine@example.org"})"},
     {401, 200, 403, 200}},
    {"make user admin", {"PUT", "/api/users/2", R"({"admin":true})"}, {401, 400, 403, 400}},
    {"delete user", {"DELETE", "/api/users/2", ""}, {401, 204, 403, 204}},
    {"get unknown user", {"GET", "/api/users/99", ""}, {401, 403, 403, 404}},
    {"list groups", {"GET", "/api/groups", ""}, {401, 200, 200, 200}},
    {"create group", {"POST", "/api/groups", R"({"name":"new"})"}, {401, 201, 201, 201}},
    {"get group", {"GET", "/api/groups/1", ""}, {401, 200, 200, 200}},
    {"change group",
     {"PUT", "/api/groups/1", R"({"description":"mine now"})"},
     {401, 200, 403, 200}},
    {"delete group", {"DELETE", "/api/groups/1", ""}, {401, 204, 403, 204}},
    {"list members", {"GET", "/api/groups/1/members", ""}, {401, 200, 403, 200}},
    {"add member", {"POST", "/api/groups/1/members", R"({"user_id":1})"}, {401, 201, 403, 201}},
    {"remove member", {"DELETE", "/api/groups/1/members", "", "user_id=3"}, {401, 204, 403, 204}},
};

class Authz : public ::testing::TestWithParam<Mode> {};

// A copy of `from`'s database (and its WAL, if one is left) in `to`.
void copy_database(const Sandbox& from, const Sandbox& to) {
  namespace fs = std::filesystem;
  fs::copy_file(from.db, to.db);
  if (fs::exists(from.db + "-wal")) fs::copy_file(from.db + "-wal", to.db + "-wal");
}

TEST_P(Authz, EveryEndpointAndCaller) {
  // The world is prepared once, through the CGI (every process has exited when it is done, so
  // the database file is complete and quiet); each cell gets a copy of it in its own sandbox with
  // the same session secret, so the world's cookies are valid there, and its own client (in FastCGI
  // mode, its own worker). A DELETE or a new password in one cell changes nothing in the next.
  World world(Mode::Cgi);
  if (::testing::Test::HasFatalFailure()) return;
  int cells = 0;
  for (const auto& k : kCases)
    for (const Who who : {kAnon, kSelf, kOther, kAdmin}) {
      SCOPED_TRACE(std::string(k.what) + " as " + kWhoNames[who]);
      Sandbox cell({}, world.box().secret);
      copy_database(world.box(), cell);
      Client c(GetParam(), cell);
      c.cookie = world.cookie(who);
      const Reply r = c.send(k.request);
      ++cells;
      EXPECT_EQ(r.status, k.status[who])
          << k.what << " as " << kWhoNames[who] << ": " << k.request.method << " " << k.request.path
          << " -> " << r.body;
      if (r.status == 401 || r.status == 403) {
        EXPECT_EQ(r.content_type, "application/json") << r.body;
        EXPECT_TRUE(r.json.contains("error")) << r.body;
      }
    }
  EXPECT_EQ(cells, static_cast<int>(kCases.size()) * 4);
}

// Reads the user's record as the admin: the admin flag and whether the row exists.
nlohmann::json user_as_admin(World& w, int id) {
  return w.as(kAdmin, {"GET", "/api/users/" + std::to_string(id), ""}).json;
}

TEST_P(Authz, NewPasswordOrEmailEndsOtherSessions) {
  World w(GetParam());
  Client a(GetParam(), w.box()), b(GetParam(), w.box()), replay(GetParam(), w.box());
  const std::string sign_in = R"({"email":"sam@example.org","password":"sam's long passphrase"})";
  ASSERT_EQ(a.send({"POST", "/api/sign/in", sign_in}).status, 200);
  ASSERT_EQ(b.send({"POST", "/api/sign/in", sign_in}).status, 200);
  const std::string old_a = a.cookie;

  // A new name ends nothing.
  EXPECT_EQ(a.send({"PUT", "/api/users/2", R"({"name":"Samuel"})"}).status, 200);
  EXPECT_EQ(b.send({"GET", "/api/me", ""}).status, 200);

  // A new password: this client gets a fresh cookie, every other session of sam is over.
  auto put = a.send({"PUT", "/api/users/2", R"({"password":"sam's new long passphrase"})"});
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_FALSE(put.set_cookie.empty());
  EXPECT_NE(a.cookie, old_a);
  EXPECT_EQ(a.send({"GET", "/api/me", ""}).status, 200);
  EXPECT_EQ(b.send({"GET", "/api/me", ""}).status, 401);
  replay.cookie = old_a; // the cookie from before the change, replayed from another client
  EXPECT_EQ(replay.send({"GET", "/api/me", ""}).status, 401);
  EXPECT_EQ(w.as(kOther, {"GET", "/api/me", ""}).status, 200); // other users keep theirs
  EXPECT_EQ(b.send({"POST", "/api/sign/in", sign_in}).status, 401);
  const std::string new_sign_in =
      R"({"email":"sam@example.org","password":"sam's new long passphrase"})";
  ASSERT_EQ(b.send({"POST", "/api/sign/in", new_sign_in}).status, 200);

  // A new email: the same.
  const std::string before_email = a.cookie;
  ASSERT_EQ(a.send({"PUT", "/api/users/2", R"({"email":"samuel@example.org"})"}).status, 200);
  EXPECT_EQ(a.send({"GET", "/api/me", ""}).status, 200);
  EXPECT_EQ(b.send({"GET", "/api/me", ""}).status, 401);
  replay.cookie = before_email;
  EXPECT_EQ(replay.send({"GET", "/api/me", ""}).status, 401);

  // An admin setting sam's password ends all of sam's sessions, and not the admin's.
  auto by_admin = w.as(kAdmin, {"PUT", "/api/users/2", R"({"password":"chosen by the admin!"})"});
  ASSERT_EQ(by_admin.status, 200) << by_admin.body;
  EXPECT_EQ(a.send({"GET", "/api/me", ""}).status, 401);
  EXPECT_EQ(w.as(kAdmin, {"GET", "/api/me", ""}).status, 200);
}

TEST_P(Authz, AdminsComeOnlyFromTheCommandLine) {
  World w(GetParam());
  Client c(GetParam(), w.box());
  auto up = c.send(
      {"POST", "/api/sign/up",
       R"({"name":"M","email":"m@example.org","password":"mallory's passphrase","admin":true})"});
  EXPECT_EQ(up.status, 400) << up.body;
  EXPECT_EQ(up.json.value("field", ""), "admin");
  up = c.send(
      {"POST", "/api/sign/up",
       R"({"name":"M","email":"m@example.org","password":"mallory's passphrase","is_admin":1})"});
  ASSERT_EQ(up.status, 201) << up.body;
  EXPECT_EQ(up.json["admin"], false);
  EXPECT_EQ(c.send({"GET", "/api/users", ""}).status, 403);
  auto put = c.send({"PUT", "/api/users/4", R"({"admin":true})"});
  EXPECT_EQ(put.status, 400);
  EXPECT_EQ(put.json.value("field", ""), "admin");
  EXPECT_EQ(user_as_admin(w, 4)["admin"], false);
  EXPECT_EQ(
      w.as(kAdmin,
           {"POST", "/api/users",
            R"({"name":"X","email":"x@example.org","password":"x's long passphrase","admin":true})"})
          .status,
      400);

  // grant-admin takes effect on the next request of a live session; revoke-admin too.
  accounts_test::grant_admin(w.box(), "m@example.org");
  EXPECT_EQ(c.send({"GET", "/api/users", ""}).status, 200);
  EXPECT_EQ(c.send({"GET", "/api/me", ""}).json["admin"], true);
  auto revoke = accounts_test::run_admin(w.box(), {"revoke-admin", "m@example.org"});
  EXPECT_EQ(revoke.exit_code, 0) << revoke.err;
  EXPECT_EQ(c.send({"GET", "/api/users", ""}).status, 403);

  auto unknown = accounts_test::run_admin(w.box(), {"grant-admin", "nobody@example.org"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("nobody@example.org"), std::string::npos) << unknown.err;
  auto weak = accounts_test::run_admin(
      w.box(),
      {"create-user", "--admin", "--name", "W", "--email", "w@example.org", "--password-stdin"},
      "password123\n");
  EXPECT_EQ(weak.exit_code, 1);
  EXPECT_NE(weak.err.find("password"), std::string::npos) << weak.err;
  EXPECT_EQ(w.as(kAdmin, {"GET", "/api/users", ""}).json["total"], 4); // no W
}

TEST_P(Authz, OwnerlessGroupsAreAdminOnly) {
  World w(GetParam());
  // A group whose owner is deleted has no owner: only admins manage it from then on.
  ASSERT_EQ(w.as(kOther, {"POST", "/api/groups", R"({"name":"olgas"})"}).status, 201);
  EXPECT_EQ(w.as(kOther, {"GET", "/api/groups/2", ""}).json["owner_id"], 3);
  ASSERT_EQ(w.as(kAdmin, {"DELETE", "/api/users/3", ""}).status, 204);
  EXPECT_TRUE(w.as(kSelf, {"GET", "/api/groups/2", ""}).json["owner_id"].is_null());
  EXPECT_EQ(w.as(kSelf, {"PUT", "/api/groups/2", R"({"name":"sams too"})"}).status, 403);
  EXPECT_EQ(w.as(kAdmin, {"PUT", "/api/groups/2", R"({"name":"admins'"})"}).status, 200);
}

TEST_P(Authz, MemberListsShowNoEmails) {
  World w(GetParam());
  const auto list = w.as(kAdmin, {"GET", "/api/groups/1/members", ""});
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.json["members"].size(), 1u) << list.body;
  EXPECT_EQ(list.json["members"][0]["name"], "Olga");
  EXPECT_EQ(list.body.find('@'), std::string::npos) << list.body;
}

// An owner who is not an admin cannot learn other users' names by adding their ids to a group:
// the member list names only the users the caller may read (themself; every user for an admin).
TEST_P(Authz, OwnersLearnNoNamesFromMemberLists) {
  World w(GetParam());
  ASSERT_EQ(w.as(kSelf, {"POST", "/api/groups/1/members", R"({"user_id":1})"}).status, 201);
  ASSERT_EQ(w.as(kSelf, {"POST", "/api/groups/1/members", R"({"user_id":2})"}).status, 201);
  const auto list = w.as(kSelf, {"GET", "/api/groups/1/members", ""});
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(list.json["members"].size(), 3u) << list.body;
  for (const auto& m : list.json["members"]) {
    if (m["id"] == 2)
      EXPECT_EQ(m["name"], "Sam") << list.body; // sam's own entry
    else
      EXPECT_TRUE(m["name"].is_null()) << list.body;
  }
  for (const char* name : {"Ada", "Olga", "@"})
    EXPECT_EQ(list.body.find(name), std::string::npos) << name << " in " << list.body;
  // The answer to the add carries no name either; an admin sees every name.
  const auto add = w.as(kSelf, {"POST", "/api/groups", R"({"name":"sams 2"})"});
  ASSERT_EQ(add.status, 201);
  const auto gid = std::to_string(add.json["id"].get<int>());
  const auto added = w.as(kSelf, {"POST", "/api/groups/" + gid + "/members", R"({"user_id":3})"});
  EXPECT_EQ(added.body.find("Olga"), std::string::npos) << added.body;
  const auto admin_list = w.as(kAdmin, {"GET", "/api/groups/1/members", ""});
  ASSERT_EQ(admin_list.json["members"].size(), 3u) << admin_list.body;
  EXPECT_EQ(admin_list.json["members"][0]["name"], "Ada");
  EXPECT_EQ(admin_list.json["members"][2]["name"], "Olga");
}

INSTANTIATE_TEST_SUITE_P(Frontends, Authz, ::testing::Values(Mode::Cgi, Mode::Fcgi),
                         [](const auto& p) { return accounts_test::mode_name(p.param); });

// A database from before the permission model (schema version 1): its groups have no owner, so
// after the upgrade only admins may change them, whoever made them.
TEST(AuthzUpgrade, GroupsFromBeforeOwnersAreAdminOnly) {
  for (const Mode mode : {Mode::Cgi, Mode::Fcgi}) {
    SCOPED_TRACE(accounts_test::mode_name(mode));
    Sandbox box;
    {
      // As that version made it: step 1, counted in PRAGMA user_version (no fh_migrations).
      fh::sqlite::Connection db(box.db);
      db.exec(accounts::migrations().steps.front());
      db.exec("PRAGMA user_version = 1");
      db.execute("INSERT INTO groups (name, created_at) VALUES ('legacy', 0)");
    }
    accounts_test::make_admin(box, "Ada", "ada@example.org", kAdminPassword);
    Client user(mode, box), admin(mode, box);
    ASSERT_EQ(
        user.send({"POST", "/api/sign/up",
                   R"({"name":"S","email":"s@example.org","password":"s's long passphrase"})"})
            .status,
        201);
    ASSERT_EQ(admin
                  .send({"POST", "/api/sign/in",
                         R"({"email":"ada@example.org","password":"the admin's long passphrase"})"})
                  .status,
              200);
    EXPECT_TRUE(user.send({"GET", "/api/groups/1", ""}).json["owner_id"].is_null());
    EXPECT_EQ(user.send({"DELETE", "/api/groups/1", ""}).status, 403);
    EXPECT_EQ(user.send({"POST", "/api/groups/1/members", R"({"user_id":2})"}).status, 403);
    EXPECT_EQ(admin.send({"POST", "/api/groups/1/members", R"({"user_id":2})"}).status, 201);
    EXPECT_EQ(admin.send({"DELETE", "/api/groups/1", ""}).status, 204);
  }
}

} // namespace
