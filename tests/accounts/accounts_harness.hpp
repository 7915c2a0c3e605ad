// Test harness for the accounts app: a temporary directory with a generated config (random
// secret, minimum argon2 cost, its own database), a client (fh::testing) that sends the same
// request to accounts.cgi (a process per request) or accounts.fcgi (a worker on a loopback
// socket), keeping the session cookie like a browser, and accounts-admin on the same config
// (admins are made only there). A request may set its client address (REMOTE_ADDR). Replies
// come back parsed: status, JSON body, cookie.
#pragma once

#include "fcgihost/testing.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sodium.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace accounts_test {

enum class Mode { Cgi, Fcgi };
inline const char* mode_name(Mode m) {
  return m == Mode::Cgi ? "cgi" : "fcgi";
}

inline std::string random_secret() {
  if (sodium_init() < 0) throw std::runtime_error("sodium_init");
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
  return hex;
}

// A temporary directory with accounts.ini and (once used) accounts.db; removed at the end.
struct Sandbox {
  std::filesystem::path dir;
  std::string secret;
  std::string config, db;
  // `use_secret`: sign sessions with another sandbox's secret (its cookies stay valid here).
  explicit Sandbox(const std::string& extra_ini = {}, const std::string& use_secret = {})
      : secret(use_secret.empty() ? random_secret() : use_secret) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "accounts-test-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp");
    dir = tmpl;
    config = (dir / "accounts.ini").string();
    db = (dir / "accounts.db").string();
    std::ofstream(config) << "[db]\npath = " << db << "\n[session]\nsecret = " << secret
                          << "\n[password]\n# tests only: the cheapest argon2id\ncost = minimum\n"
                          << extra_ini;
  }
  ~Sandbox() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;
};

struct Reply {
  int status = 0;
  nlohmann::json json; // null if the body is not JSON
  std::string body, set_cookie;
  std::string content_type;
  std::string retry_after; // the Retry-After header, or ""
};

struct Request {
  std::string method, path, body;
  std::string query = {};
  std::string content_type = "application/json";
  std::string remote_addr = {}; // REMOTE_ADDR; "" leaves the client's (127.0.0.1)
};

// Sends requests in one mode against one sandbox, through fh::testing's client.
class Client {
public:
  Client(Mode mode, const Sandbox& box) : box_(box) {
    using namespace std::chrono_literals;
    if (mode == Mode::Cgi) // a CGI ignores its arguments: the config comes from the environment
      target_ = std::make_unique<fh::testing::CgiBinary>(
          FH_ACCOUNTS_CGI, fh::testing::CgiOptions{{"APP_CONFIG_FILE=" + box.config}, 5000ms});
    else
      target_ = std::make_unique<fh::testing::FcgiWorker>(
          FH_ACCOUNTS_FCGI,
          fh::testing::FcgiOptions{.args = {"--config", box.config},
                                   .stderr_path = (box.dir / "worker.log").string(),
                                   .timeout = 5000ms});
  }

  std::string cookie; // "session=..." or empty; updated from Set-Cookie like a browser

  Reply send(const Request& r) {
    fh::testing::Client client(*target_);
    const auto eq = cookie.find('=');
    if (eq != std::string::npos) client.cookies().set(cookie.substr(0, eq), cookie.substr(eq + 1));
    const std::string url = r.path + (r.query.empty() ? "" : "?" + r.query);
    fh::testing::RequestOptions options;
    if (!r.remote_addr.empty()) options.env = {{"REMOTE_ADDR", r.remote_addr}};
    fh::testing::TestResponse res;
    try {
      res = client.open(r.method, url,
                        fh::testing::raw(r.body, r.body.empty() ? "" : r.content_type), options);
    } catch (const std::exception& e) { // also from client threads: a failure, not a terminate
      ADD_FAILURE() << "no response: " << e.what() << "; worker log: " << worker_log();
      return {};
    }
    const auto session = client.cookies().get("session");
    cookie = session ? "session=" + *session : std::string();
    Reply rep;
    rep.status = res.status;
    rep.body = res.body;
    rep.content_type = res.header("Content-Type").value_or("");
    rep.retry_after = res.header("Retry-After").value_or("");
    rep.set_cookie = res.set_cookie("session");
    rep.json = nlohmann::json::parse(res.body, nullptr, false);
    if (rep.json.is_discarded()) rep.json = nullptr;
    return rep;
  }

  std::string worker_log() const {
    std::ifstream in(box_.dir / "worker.log");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

private:
  const Sandbox& box_;
  std::unique_ptr<fh::testing::Target> target_;
};

// Runs accounts-admin `args` (after --config) on the sandbox's config, with `input` on stdin.
inline fh::testing::RunResult run_admin(const Sandbox& box, const std::vector<std::string>& args,
                                        const std::string& input = {}) {
  std::vector<std::string> argv = {FH_ACCOUNTS_ADMIN, "--config", box.config};
  argv.insert(argv.end(), args.begin(), args.end());
  fh::testing::RunOptions opt;
  opt.input = input;
  return fh::testing::run_program(argv, opt);
}

// `accounts-admin create-user --admin`: the one way to make a new admin. Fails the test if it
// does not succeed; returns the new user's JSON.
inline nlohmann::json make_admin(const Sandbox& box, const std::string& name,
                                 const std::string& email, const std::string& password) {
  const auto r = run_admin(
      box, {"create-user", "--admin", "--name", name, "--email", email, "--password-stdin"},
      password + "\n");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.out << r.err;
  return j;
}

// `accounts-admin grant-admin EMAIL` for an existing user; fails the test unless it succeeds.
inline void grant_admin(const Sandbox& box, const std::string& email) {
  const auto r = run_admin(box, {"grant-admin", email});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

} // namespace accounts_test
