// The sign-in throttle against accounts.cgi and accounts.fcgi: after signin.max_failures wrong
// passwords for one email from one address the next attempt from there is a 429 with
// Retry-After, even with the right password, and the same for an unknown email; other emails and
// other addresses are unaffected; a success clears only its own address's count; once the
// failures leave the window (aged in the database, no sleeping) sign-in works again; the counts
// are shared by CGI processes and FastCGI workers; the per-email backstop, the per-address limit,
// accounts-admin unlock and unlock-address, and the config bounds.
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

Request sign_in(const std::string& email, const std::string& password,
                const std::string& from = {}) {
  Request r{"POST", "/api/sign/in",
            nlohmann::json{{"email", email}, {"password", password}}.dump()};
  r.remote_addr = from;
  return r;
}

void sign_up(Client& c, const std::string& name, const std::string& email, const std::string& pw) {
  const auto r =
      c.send({"POST", "/api/sign/up",
              nlohmann::json{{"name", name}, {"email", email}, {"password", pw}}.dump()});
  ASSERT_EQ(r.status, 201) << r.body;
  c.cookie.clear();
}

// `n` wrong passwords for `email` (from client address `from`, "" for the default), each a 401.
void fail(Client& c, const std::string& email, int n, const std::string& from = {}) {
  for (int i = 0; i < n; ++i) {
    const auto r = c.send(sign_in(email, "wrong password " + std::to_string(i), from));
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

// The lock is on the (email, address) pair: 5 failures from A do not keep ann out from B.
TEST_P(Throttle, LocksThePairNotTheEmail) {
  Sandbox box;
  Client c(GetParam(), box);
  sign_up(c, "Ann", "ann@example.org", kAnnPassword);
  fail(c, "ann@example.org", 5, "192.0.2.1");
  expect_locked(c.send(sign_in("ann@example.org", kAnnPassword, "192.0.2.1")), 900);
  const auto b = c.send(sign_in("ann@example.org", kAnnPassword, "192.0.2.2"));
  EXPECT_EQ(b.status, 200) << b.body;
  c.cookie.clear();
  expect_locked(c.send(sign_in("ann@example.org", kAnnPassword, "192.0.2.1")), 900);
}

// A success from B clears neither A's count nor the backstop: A's fifth failure still locks A.
TEST_P(Throttle, ASuccessFromAnotherAddressKeepsTheCount) {
  Sandbox box;
  Client c(GetParam(), box);
  sign_up(c, "Ann", "ann@example.org", kAnnPassword);
  fail(c, "ann@example.org", 4, "192.0.2.1");
  ASSERT_EQ(c.send(sign_in("ann@example.org", kAnnPassword, "192.0.2.2")).status, 200);
  c.cookie.clear();
  fail(c, "ann@example.org", 1, "192.0.2.1");
  expect_locked(c.send(sign_in("ann@example.org", kAnnPassword, "192.0.2.1")), 900);
}

// The backstop: failures for one email from many addresses lock it everywhere, a fresh address
// too, whether the account exists or not; other emails are not affected.
TEST_P(Throttle, ThePerEmailBackstopAcrossAddresses) {
  Sandbox box("[signin]\nmax_failures = 3\nmax_failures_per_email = 6\n");
  Client c(GetParam(), box);
  sign_up(c, "Ann", "ann@example.org", kAnnPassword);
  sign_up(c, "Bob", "bob@example.org", kBobPassword);
  for (const auto* email : {"ann@example.org", "nobody@example.org"})
    for (const auto* from : {"192.0.2.1", "192.0.2.2", "192.0.2.3"})
      fail(c, email, 2, from);
  expect_locked(c.send(sign_in("ann@example.org", kAnnPassword, "198.51.100.7")), 900);
  expect_locked(c.send(sign_in("nobody@example.org", kAnnPassword, "198.51.100.7")), 900);
  EXPECT_EQ(c.send(sign_in("bob@example.org", kBobPassword, "198.51.100.7")).status, 200);
}

// accounts-admin unlock EMAIL (any spelling of it) lifts the lock at once; other emails keep
// theirs. Rows older than the window are pruned by every sign-in, a refused one too.
TEST_P(Throttle, AccountsAdminUnlockLiftsTheLock) {
  Sandbox box;
  Client c(GetParam(), box);
  sign_up(c, "Ann", "ann@example.org", kAnnPassword);
  sign_up(c, "Bob", "bob@example.org", kBobPassword);
  fail(c, "ann@example.org", 5);
  fail(c, "bob@example.org", 5);
  {
    fh::sqlite::Connection db(box.db);
    db.execute("INSERT INTO signin_failures (key, at) VALUES ('addr:192.0.2.99', 1)");
  }
  expect_locked(c.send(sign_in("ann@example.org", kAnnPassword)), 900);
  {
    fh::sqlite::Connection db(box.db);
    EXPECT_EQ(db.scalar<std::int64_t>("SELECT count(*) FROM signin_failures WHERE at = 1"), 0);
  }
  const auto r = accounts_test::run_admin(box, {"unlock", "ANN@example.org"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("unlocked ANN@example.org"), std::string::npos) << r.out;
  const auto after = c.send(sign_in("ann@example.org", kAnnPassword));
  EXPECT_EQ(after.status, 200) << after.body;
  c.cookie.clear();
  expect_locked(c.send(sign_in("bob@example.org", kBobPassword)), 900);
  const auto help = accounts_test::run_admin(box, {"--help"});
  EXPECT_NE(help.out.find("unlock EMAIL"), std::string::npos) << help.out;
}

// accounts-admin unlock-address ADDR lifts the pair locks and the address's own lock for that
// address only: not for an address its key ends like (an IPv6 "2001:db8::7" pair key ends in
// ":db8::7"), and the emails' backstops keep their counts.
TEST_P(Throttle, AccountsAdminUnlockAddressLiftsOnlyThatAddress) {
  Sandbox box("[signin]\nmax_failures = 2\nmax_failures_per_address = 4\n");
  Client c(GetParam(), box);
  sign_up(c, "Ann", "ann@example.org", kAnnPassword);
  sign_up(c, "Bob", "bob@example.org", kBobPassword);
  const std::string a = "2001:db8::7", b = "db8::7";
  fail(c, "ann@example.org", 2, a);
  fail(c, "bob@example.org", 2, a); // the address's fourth failure: a is locked for everyone
  fail(c, "ann@example.org", 2, b);
  expect_locked(c.send(sign_in("ann@example.org", kAnnPassword, b)), 900);
  const auto backstops = [&] {
    fh::sqlite::Connection db(box.db);
    return db.scalar<std::int64_t>("SELECT count(*) FROM signin_failures WHERE key LIKE 'email:%'");
  };
  const auto before = backstops();
  EXPECT_EQ(before, 6);
  const auto r = accounts_test::run_admin(box, {"unlock-address", b});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("unlocked address db8::7: 4 failed sign-in(s) removed"), std::string::npos)
      << r.out;
  EXPECT_EQ(backstops(), before);
  expect_locked(c.send(sign_in("ann@example.org", kAnnPassword, a)), 900);
  expect_locked(c.send(sign_in("bob@example.org", kBobPassword, a)), 900);
  EXPECT_EQ(c.send(sign_in("ann@example.org", kAnnPassword, b)).status, 200);
  c.cookie.clear();
  const auto ra = accounts_test::run_admin(box, {"unlock-address", a});
  EXPECT_EQ(ra.exit_code, 0) << ra.out << ra.err;
  EXPECT_NE(ra.out.find("unlocked address 2001:db8::7: 8 failed sign-in(s) removed"),
            std::string::npos)
      << ra.out;
  EXPECT_EQ(c.send(sign_in("ann@example.org", kAnnPassword, a)).status, 200);
  c.cookie.clear();
  EXPECT_EQ(c.send(sign_in("bob@example.org", kBobPassword, a)).status, 200);
  EXPECT_NE(accounts_test::run_admin(box, {"unlock-address"}).exit_code, 0);
  const auto help = accounts_test::run_admin(box, {"--help"});
  EXPECT_NE(help.out.find("unlock-address ADDR"), std::string::npos) << help.out;
}

// In FastCGI mode: the harness keeps the worker's log (a CGI's stderr goes to the test's).
TEST(ThrottleLog, TheLockIsLoggedWithoutThePassword) {
  Sandbox box;
  Client c(Mode::Fcgi, box);
  sign_up(c, "Ann", "ann@example.org", kAnnPassword);
  fail(c, "ann@example.org", 5);
  const auto log = c.worker_log();
  const std::string line = "sign-in locked for ann@example.org after 5 failures from 127.0.0.1";
  const auto at = log.find(line);
  EXPECT_NE(at, std::string::npos) << log;
  EXPECT_EQ(log.find(line, at + 1), std::string::npos) << log; // once per lock
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

// The window has an upper bound (30 days): beyond it `now - window` would overflow.
TEST(ThrottleConfig, TheWindowHasAnUpperBound) {
  for (const auto& [window, status] : {std::pair{"2592000", 401}, std::pair{"2592001", 500}}) {
    Sandbox box(std::string("[signin]\nwindow_seconds = ") + window + "\n");
    fh::testing::RunOptions opt;
    opt.env = {"GATEWAY_INTERFACE=CGI/1.1", "REQUEST_METHOD=GET", "PATH_INFO=/api/me",
               "SCRIPT_NAME=", "APP_CONFIG_FILE=" + box.config};
    const auto r = fh::testing::run_program({FH_ACCOUNTS_CGI}, opt);
    EXPECT_EQ(fh::testing::parse_cgi_response(r.out).status, status) << window << r.out << r.err;
    if (status == 500) {
      EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
      EXPECT_NE(r.err.find("signin.window_seconds' must be <= 2592000"), std::string::npos)
          << r.err;
    }
  }
}

} // namespace
