// Concurrent writers: 2,000 POST /api/users from 16 client threads against a spawn pool of 8
// accounts.fcgi workers (8 processes writing to one SQLite file), and 8 concurrent accounts.cgi
// processes. No client may see "database is locked" (or any 5xx), and no write may be lost: the
// rows counted afterwards equal the 201s received.
#include "accounts_harness.hpp"

#include "fcgihost/sqlite.hpp"

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <pwd.h>
#include <thread>
#include <unistd.h>

using accounts_test::Client;
using accounts_test::Mode;
using accounts_test::Sandbox;

namespace {

struct Tally {
  std::mutex mu;
  std::map<int, int> statuses;
  int locked = 0;
  void add(int status, const std::string& body) {
    std::lock_guard lock(mu);
    ++statuses[status];
    if (body.find("locked") != std::string::npos) ++locked;
  }
};

// An admin (only admins create users), made by accounts-admin, signed in through the CGI.
std::string signed_up_cookie(const Sandbox& box) {
  accounts_test::make_admin(box, "Root", "root@example.org", "root's long password");
  Client c(Mode::Cgi, box);
  auto r = c.send({"POST", "/api/sign/in",
                   R"({"email":"root@example.org","password":"root's long password"})"});
  EXPECT_EQ(r.status, 200) << r.body;
  return c.cookie;
}

std::int64_t count_users(const Sandbox& box) {
  fh::sqlite::Connection db(box.db);
  auto st = db.query("SELECT COUNT(*) FROM users");
  return st.step() ? st.get_int64(0) : -1;
}

std::string create_body(int thread, int i) {
  const std::string n = std::to_string(thread) + "-" + std::to_string(i);
  return R"({"name":"user )" + n + R"(","email":"u)" + n + R"(@example.org","password":"pw-)" + n +
         R"(-long"})";
}

std::string file_text(const std::filesystem::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(AccountsConcurrency, SpawnPoolOf8WorkersLosesNoWrite) {
#ifndef FH_SPAWN
  GTEST_SKIP() << "spawn is not built";
#else
  Sandbox box;
  const std::string cookie = signed_up_cookie(box);
  const int port = fh::testing::pick_free_port();
  const auto log = (box.dir / "spawn.log").string();
  // The workers keep the invoking user (as root, spawn would run them as fcgi-host/nobody, who
  // cannot write the sandbox's database).
  const passwd* me = ::getpwuid(::geteuid());
  ASSERT_NE(me, nullptr);
  fh::testing::Process pool(
      {FH_SPAWN, "-n", "-u", me->pw_name, "-a", "127.0.0.1", "-p", std::to_string(port), "-F", "8",
       "--env", "APP_CONFIG_FILE=" + box.config, "--log-file", log, "--exec", FH_ACCOUNTS_FCGI},
      {.stderr_path = (box.dir / "spawn.err").string()});
  const std::string address = "127.0.0.1:" + std::to_string(port);
  const std::vector<std::pair<std::string, std::string>> base = {
      {"REQUEST_METHOD", "POST"}, {"PATH_INFO", "/api/users"},
      {"SCRIPT_NAME", ""},        {"CONTENT_TYPE", "application/json"},
      {"HTTP_COOKIE", cookie},    {"SERVER_NAME", "localhost"}};
  for (int i = 0; i < 100 && !fh::testing::fcgi_request(
                                 address, {{"REQUEST_METHOD", "GET"}, {"PATH_INFO", "/"}}, "");
       ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));

  constexpr int kThreads = 16, kPerThread = 125;
  Tally tally;
  std::atomic<int> failed{0};
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string body = create_body(t, i);
        auto params = base;
        params.emplace_back("CONTENT_LENGTH", std::to_string(body.size()));
        auto out = fh::testing::fcgi_request(address, params, body);
        if (!out) {
          ++failed;
          continue;
        }
        try {
          auto r = fh::testing::parse_cgi_response(out->out);
          tally.add(r.status, r.body);
        } catch (const std::runtime_error&) { // not a CGI answer
          ++failed;
        }
      }
    });
  for (auto& th : threads)
    th.join();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  pool.stop(SIGTERM, std::chrono::seconds(10));

  const auto rows = count_users(box) - 1; // minus the signed-up user
  const std::string logs = file_text(log) + file_text(box.dir / "spawn.err");
  std::printf("fcgi pool: attempted=%d created=%d rows=%lld failed_connections=%d locked=%d "
              "in %.1f s\n",
              kThreads * kPerThread, tally.statuses[201], static_cast<long long>(rows),
              failed.load(), tally.locked, secs);
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(tally.statuses[201], kThreads * kPerThread) << "statuses: " << tally.statuses.size();
  EXPECT_EQ(rows, tally.statuses[201]);
  EXPECT_EQ(tally.locked, 0);
  EXPECT_EQ(logs.find("locked"), std::string::npos) << logs.substr(0, 2000);
#endif
}

TEST(AccountsConcurrency, EightConcurrentCgiProcessesLoseNoWrite) {
  Sandbox box;
  const std::string cookie = signed_up_cookie(box);
  constexpr int kProcs = 8, kPerProc = 40;
  Tally tally;
  std::vector<std::thread> threads;
  for (int t = 0; t < kProcs; ++t)
    threads.emplace_back([&, t] {
      Client c(Mode::Cgi, box);
      c.cookie = cookie;
      for (int i = 0; i < kPerProc; ++i) {
        auto r = c.send({"POST", "/api/users", create_body(t, i)});
        tally.add(r.status, r.body);
      }
    });
  for (auto& th : threads)
    th.join();
  const auto rows = count_users(box) - 1;
  std::printf("cgi: attempted=%d created=%d rows=%lld locked=%d\n", kProcs * kPerProc,
              tally.statuses[201], static_cast<long long>(rows), tally.locked);
  EXPECT_EQ(tally.statuses[201], kProcs * kPerProc);
  EXPECT_EQ(rows, tally.statuses[201]);
  EXPECT_EQ(tally.locked, 0);
}

} // namespace
