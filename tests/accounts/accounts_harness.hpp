// Test harness for the accounts app: a temporary directory with a generated config (random
// secret, minimum argon2 cost, its own database), a client that sends the same request to
// accounts.cgi (a process per request) or accounts.fcgi (a worker driven by cgi-fcgi), keeping
// the session cookie like a browser, and accounts-admin on the same config (admins are made only
// there). Replies come back parsed: status, JSON body, cookie.
#pragma once

#include "subprocess.hpp"

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
};

struct Request {
  std::string method, path, body;
  std::string query = {};
  std::string content_type = "application/json";
};

// Sends requests in one mode against one sandbox.
class Client {
public:
  Client(Mode mode, const Sandbox& box) : mode_(mode), box_(box) {
    if (mode_ == Mode::Fcgi)
      worker_ = std::make_unique<fh::test::ChildProcess>(
          std::vector<std::string>{FH_ACCOUNTS_FCGI, "--config", box.config}, listener_.fd,
          (box.dir / "worker.log").string());
  }

  std::string cookie; // "session=..." or empty; updated from Set-Cookie like a browser

  Reply send(const Request& r) {
    std::vector<std::string> env = {
        "GATEWAY_INTERFACE=CGI/1.1",  "SERVER_PROTOCOL=HTTP/1.1",
        "SERVER_NAME=localhost",      "SERVER_PORT=80",
        "REMOTE_ADDR=127.0.0.1",      "SCRIPT_NAME=",
        "REQUEST_METHOD=" + r.method, "PATH_INFO=" + r.path,
        "QUERY_STRING=" + r.query,    "CONTENT_LENGTH=" + std::to_string(r.body.size())};
    if (!r.body.empty()) env.push_back("CONTENT_TYPE=" + r.content_type);
    if (!cookie.empty()) env.push_back("HTTP_COOKIE=" + cookie);
    fh::test::RunOptions opt;
    opt.env = env;
    opt.input = r.body;
    opt.timeout = std::chrono::milliseconds(5000);
    fh::test::ProcessResult res;
    if (mode_ == Mode::Cgi) {
      opt.env.push_back("APP_CONFIG_FILE=" + box_.config); // a CGI ignores its arguments
      res = fh::test::run_process({FH_ACCOUNTS_CGI}, opt);
    } else {
      opt.env.push_back("PATH=/usr/bin:/bin");
      res = fh::test::run_process(
          {FH_CGI_FCGI, "-bind", "-connect", "127.0.0.1:" + std::to_string(listener_.port)}, opt);
    }
    if (res.timed_out || res.out.empty())
      ADD_FAILURE() << "no response (" << res.err << "); worker log: " << worker_log();
    return parse(fh::test::parse_cgi_response(res.out));
  }

  std::string worker_log() const {
    std::ifstream in(box_.dir / "worker.log");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

private:
  Reply parse(const fh::test::CgiResponse& c) {
    Reply rep;
    rep.status = c.status;
    rep.body = c.body;
    rep.content_type = c.header("Content-Type").value_or("");
    rep.json = nlohmann::json::parse(c.body, nullptr, false);
    if (rep.json.is_discarded()) rep.json = nullptr;
    for (const auto& [k, v] : c.headers) {
      if (k != "Set-Cookie" || !v.starts_with("session=")) continue;
      rep.set_cookie = v;
      const bool deleted = v.find("Max-Age=0") != std::string::npos;
      cookie = deleted ? std::string() : v.substr(0, v.find(';'));
    }
    return rep;
  }

  Mode mode_;
  const Sandbox& box_;
  fh::test::Listener listener_;
  std::unique_ptr<fh::test::ChildProcess> worker_;
};

// Runs accounts-admin `args` (after --config) on the sandbox's config, with `input` on stdin.
inline fh::test::ProcessResult run_admin(const Sandbox& box, const std::vector<std::string>& args,
                                         const std::string& input = {}) {
  std::vector<std::string> argv = {FH_ACCOUNTS_ADMIN, "--config", box.config};
  argv.insert(argv.end(), args.begin(), args.end());
  fh::test::RunOptions opt;
  opt.input = input;
  return fh::test::run_process(argv, opt);
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
