// The sign-in throttle against accounts.cgi and accounts.fcgi: after signin.max_failures wrong
// passwords for one email the next attempt is a 429 with Retry-After, even with the right
// password, and the same for an unknown email; other emails are unaffected; a success clears the
// count; once the failures leave the window (aged in the database, no sleeping) sign-in works
// again; the counts are shared by CGI processes and FastCGI workers; the per-address limit.
#include "accounts_harness.hpp"

#include "fcgihost/sqlite.hpp"

using accounts_test::Client;
using accounts_test::Mode;
using accounts_test::Reply;
using accounts_test::Request;
using accounts_test::Sandbox;

namespace {

const std::string kAnnPassword = "ann's long passphrase";
const std::string kBobPassword = "bob's long passphrase";

Request sign_in(const std::string& email, const std::string& password) {
  return {"POST", "/api/sign/in", nlohmann::json{{"email", email}, {"password", password}}.dump()};
}

void sign_up(Client& c, const std::string& name, const std::string& email, const std::string& pw) {
  const auto r =
      c.send({"POST", "/api/sign/up",
              nlohmann::json{{"name", name}, {"email", email}, {"password", pw}}.dump()});
  ASSERT_EQ(r.status, 201) << r.body;
  c.cookie.clear();
}

// `n` wrong passwords for `email`, each a 401.
void fail(Client& c, const std::string& email, int n) {
  for (int i = 0; i < n; ++i) {
    const auto r = c.send(sign_in(email, "wrong password " + std::to_string(i)));
    ASSERT_EQ(r.status, 401) << "attempt " << i + 1 << ": " << r.body;
  }
}

void expect_locked(const Reply& r, int window) {
  EXPECT_EQ(r.status, 429) << r.body;
  EXPECT_EQ(r.json.value("error", ""), "too many failed sign-ins; try again later") << r.body;
  ASSERT_FALSE(r.retry_after.empty());
  const int wait = std::stoi(r.retry_after);
  EXPECT_GE(wait, 1);
  EXPECT_LE(wait, window);
  EXPECT_TRUE(r.set_cookie.empty()) << r.set_cookie;
}

// Moves every recorded failure `seconds` into the past, as if that much time had gone by.
void age_failures(const Sandbox& box, int seconds) {
  fh::sqlite::Connection db(box.db);
  db.execute("UPDATE signin_failures SET at = at - ?", seconds);
}

class Throttle : public ::testing::TestWithParam<Mode> {};

TEST_P(Throttle, LocksAnEmailAfterTheFailuresUntilTheWindowPasses) {
  Sandbox box;
  Client c(GetParam(), box);
  sign_up(c, "Ann", "ann@example.org", kAnnPassword);
  sign_up(c, "Bob", "bob@example.org", kBobPassword);
  fail(c, "ann@example.org", 5);
  // Locked: the right password too, and another spelling of the same email.
  expect_locked(c.send(sign_in("ann@example.org", kAnnPassword)), 900);
  expect_locked(c.send(sign_in("ANN@example.org", kAnnPassword)), 900);
  EXPECT_EQ(c.send({"GET", "/api/me", ""}).status, 401);
  // An unknown email gets the same answers: the throttle tells nothing about who exists.
  fail(c, "nobody@example.org", 5);
  const auto unknown = c.send(sign_in("nobody@example.org", kAnnPassword));
  expect_locked(unknown, 900);
  // Other emails are not affected.
  EXPECT_EQ(c.send(sign_in("bob@example.org", kBobPassword)).status, 200);
  c.cookie.clear();
  // Once the failures are older than the window, ann may sign in again.
  age_failures(box, 901);
  const auto after = c.send(sign_in("ann@example.org", kAnnPassword));
  EXPECT_EQ(after.status, 200) << after.body;
  EXPECT_EQ(c.send({"GET", "/api/me", ""}).json.value("email", ""), "ann@example.org");
}

TEST_P(Throttle, ASuccessClearsTheCount) {
  Sandbox box;
  Client c(GetParam(), box);
  sign_up(c, "Ann", "ann@example.org", kAnnPassword);
  fail(c, "ann@example.org", 4);
  ASSERT_EQ(c.send(sign_in("ann@example.org", kAnnPassword)).status, 200);
  c.cookie.clear();
  fail(c, "ann@example.org", 4); // 8 failures in the window, but only 4 since the success
  EXPECT_EQ(c.send(sign_in("ann@example.org", kAnnPassword)).status, 200);
}

TEST_P(Throttle, ConfiguredLimitsAndTheAddressLimit) {
  Sandbox box("[signin]\nmax_failures = 2\nwindow_seconds = 60\nmax_failures_per_address = 4\n");
  Client c(GetParam(), box);
  sign_up(c, "Ann", "ann@example.org", kAnnPassword);
  sign_up(c, "Bob", "bob@example.org", kBobPassword);
  fail(c, "ann@example.org", 2);
  expect_locked(c.send(sign_in("ann@example.org", kAnnPassword)), 60);
  // The address has 2 failures; 2 more (on other emails) lock it for every email, bob's too.
  fail(c, "x@example.org", 1);
  fail(c, "y@example.org", 1);
  expect_locked(c.send(sign_in("bob@example.org", kBobPassword)), 60);
  age_failures(box, 61);
  EXPECT_EQ(c.send(sign_in("bob@example.org", kBobPassword)).status, 200);
}

// In FastCGI mode: the harness keeps the worker's log (a CGI's stderr goes to the test's).
TEST(ThrottleLog, TheLockIsLoggedWithoutThePassword) {
  Sandbox box;
  Client c(Mode::Fcgi, box);
  sign_up(c, "Ann", "ann@example.org", kAnnPassword);
  fail(c, "ann@example.org", 5);
  const auto log = c.worker_log();
  EXPECT_NE(log.find("sign-in locked for ann@example.org after 5 failures"), std::string::npos)
      << log;
  EXPECT_EQ(log.find("wrong password"), std::string::npos) << log;
}

INSTANTIATE_TEST_SUITE_P(Frontends, Throttle, ::testing::Values(Mode::Cgi, Mode::Fcgi),
                         [](const auto& p) { return accounts_test::mode_name(p.param); });

// The counts live in the database: failures through CGI processes lock the email for a FastCGI
// worker on the same database, and the other way round.
TEST(ThrottleShared, AcrossCgiProcessesAndFastCgiWorkers) {
  Sandbox box;
  Client cgi(Mode::Cgi, box), fcgi(Mode::Fcgi, box);
  sign_up(cgi, "Ann", "ann@example.org", kAnnPassword);
  sign_up(cgi, "Bob", "bob@example.org", kBobPassword);
  fail(cgi, "ann@example.org", 3);
  fail(fcgi, "ann@example.org", 2);
  expect_locked(fcgi.send(sign_in("ann@example.org", kAnnPassword)), 900);
  expect_locked(cgi.send(sign_in("ann@example.org", kAnnPassword)), 900);
  fail(fcgi, "bob@example.org", 5);
  expect_locked(cgi.send(sign_in("bob@example.org", kBobPassword)), 900);
}

TEST(ThrottleConfig, ABadLimitStopsTheApp) {
  Sandbox box("[signin]\nmax_failures = 0\n");
  fh::testing::RunOptions opt;
  opt.env = {"GATEWAY_INTERFACE=CGI/1.1", "REQUEST_METHOD=GET", "PATH_INFO=/api/me",
             "SCRIPT_NAME=", "APP_CONFIG_FILE=" + box.config};
  const auto r = fh::testing::run_program({FH_ACCOUNTS_CGI}, opt);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(fh::testing::parse_cgi_response(r.out).status, 500) << r.out;
  EXPECT_NE(r.err.find("signin.max_failures"), std::string::npos) << r.err;
}

} // namespace
