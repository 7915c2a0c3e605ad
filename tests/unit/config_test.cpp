// Unit tests: Config (the INI dialect, typed getters, error messages naming the key), where the
// front ends find NAME.ini, and PasswordCost / argon2id hashing.
#include "config/config_path.hpp"
#include "fcgihost/config.hpp"
#include "fcgihost/password.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace {

std::string write_ini(const std::string& text) {
  auto p = std::filesystem::temp_directory_path() / ("fh-config-" + std::to_string(::getpid()));
  std::ofstream(p) << text;
  return p.string();
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const fh::ConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Config, ReadsSectionsAndTypes) {
  const auto path = write_ini("# comment\n[db]\npath = /tmp/x.db\nbusy_timeout_ms = 250\n"
                              "[session]\ninsecure_dev = yes\nratio = 0.5\n");
  fh::Config c;
  c.load_file(path);
  EXPECT_EQ(c.get<std::string>("db.path"), "/tmp/x.db");
  EXPECT_EQ(c.get<int>("db.busy_timeout_ms"), 250);
  EXPECT_TRUE(c.get<bool>("session.insecure_dev"));
  EXPECT_DOUBLE_EQ(c.get<double>("session.ratio"), 0.5);
  EXPECT_EQ(c.get<int>("db.absent", 7), 7);
  EXPECT_EQ(c.get("db.absent", "dflt"), "dflt");
  std::filesystem::remove(path);
}

// The dialect Boost.Program_options' config files had (the reader was ported off Boost without
// changing what a file means): '#' starts a comment anywhere, values are trimmed of spaces, tabs
// and CR, the first '=' splits, later keys override earlier ones, "[]" is the prefix ".".
TEST(Config, KeepsTheProgramOptionsDialect) {
  const auto path = write_ini("  [db]  \r\n path = /x # comment\r\nk=v=w\n\tempty =\n"
                              "[b.]\ny = 2\n[db]\nk = again\n[]\nz=1\n; x = 1\n"
                              "[s]\nsecret = a b\t\r\n[last]\nno_newline = 1");
  fh::Config c;
  c.load_file(path);
  EXPECT_EQ(c.get<std::string>("db.path"), "/x");
  EXPECT_EQ(c.get<std::string>("db.k"), "again");
  EXPECT_EQ(c.get<std::string>("db.empty"), "");
  EXPECT_EQ(c.get<std::string>("b.y"), "2");
  EXPECT_EQ(c.get<std::string>(".z"), "1");
  EXPECT_EQ(c.get<std::string>(".; x"), "1"); // ';' is no comment marker
  EXPECT_EQ(c.get<std::string>("s.secret"), "a b");
  EXPECT_EQ(c.get<int>("last.no_newline"), 1);
  EXPECT_EQ(c.source(), path);
  std::filesystem::remove(path);
  const auto bad = write_ini("[a]\nx = 1\nk#=1\n");
  const auto msg = error_of([&] { fh::Config().load_file(bad); });
  EXPECT_NE(msg.find("invalid line 'k'"), std::string::npos) << msg;
  EXPECT_NE(msg.find(bad), std::string::npos) << msg;
  std::filesystem::remove(bad);
  EXPECT_THROW(fh::Config().load_file(std::filesystem::temp_directory_path().string()),
               fh::ConfigError); // a directory
}

TEST(Config, ErrorsNameTheKeyNotTheValue) {
  fh::Config c;
  c.set("db.busy_timeout_ms", "soon");
  c.set("session.secret", "hunter2hunter2");
  auto missing = error_of([&] { c.get<std::string>("db.path"); });
  EXPECT_NE(missing.find("'db.path' is missing"), std::string::npos) << missing;
  auto bad = error_of([&] { c.get<int>("db.busy_timeout_ms"); });
  EXPECT_NE(bad.find("'db.busy_timeout_ms' is not an integer"), std::string::npos) << bad;
  EXPECT_EQ(bad.find("soon"), std::string::npos);
  auto not_bool = error_of([&] { c.get<bool>("session.secret"); });
  EXPECT_EQ(not_bool.find("hunter2"), std::string::npos) << not_bool;
  // A present but bad value is an error even with a fallback.
  EXPECT_THROW(c.get<int>("db.busy_timeout_ms", 5), fh::ConfigError);
  c.set("n", "99999999999");
  EXPECT_THROW(c.get<int>("n"), fh::ConfigError);
  EXPECT_EQ(c.get<long long>("n"), 99999999999LL);
}

TEST(Config, FileAndEnvironment) {
  fh::Config c;
  EXPECT_NE(error_of([&] { c.load_file("/nonexistent/x.ini"); }).find("/nonexistent/x.ini"),
            std::string::npos);
  ::unsetenv("FH_TEST_CONFIG");
  EXPECT_FALSE(c.load_from_env("FH_TEST_CONFIG"));
  EXPECT_THROW(c.load_from_env("FH_TEST_CONFIG", true), fh::ConfigError);
  const auto path = write_ini("[a]\nb = c\n");
  ::setenv("FH_TEST_CONFIG", path.c_str(), 1);
  EXPECT_TRUE(c.load_from_env("FH_TEST_CONFIG"));
  EXPECT_EQ(c.get<std::string>("a.b"), "c");
  std::filesystem::remove(path);
  const auto broken = write_ini("[a\nnot a line\n");
  EXPECT_THROW(c.load_file(broken), fh::ConfigError);
  std::filesystem::remove(broken);
}

// The front ends' fallback: APP_CONFIG_FILE wins; else $APP_CONFIG_DIR/NAME.ini, where NAME is
// this executable's name (config_test), so that one directory serves every program of a cgi-bin.
TEST(ConfigPath, AppConfigDirGivesEachProgramItsOwnFile) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("fh-config-dir-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string own =
      (dir / (fs::read_symlink("/proc/self/exe").stem().string() + ".ini")).string();
  std::ofstream(own) << "[x]\ny = 1\n";
  std::ofstream(dir / "other.ini") << "[x]\ny = 2\n";

  ::unsetenv("APP_CONFIG_FILE");
  ::setenv("APP_CONFIG_DIR", dir.c_str(), 1);
  fh::detail::default_config_beside_binary();
  ASSERT_NE(std::getenv("APP_CONFIG_FILE"), nullptr);
  EXPECT_EQ(std::string(std::getenv("APP_CONFIG_FILE")), own);

  ::setenv("APP_CONFIG_FILE", "/etc/named.ini", 1); // named explicitly: left alone
  fh::detail::default_config_beside_binary();
  EXPECT_EQ(std::string(std::getenv("APP_CONFIG_FILE")), "/etc/named.ini");

  fs::remove(own); // no NAME.ini in the directory (nor beside the binary): nothing set
  ::unsetenv("APP_CONFIG_FILE");
  fh::detail::default_config_beside_binary();
  EXPECT_EQ(std::getenv("APP_CONFIG_FILE"), nullptr);

  ::unsetenv("APP_CONFIG_DIR");
  fs::remove_all(dir);
}

TEST(Password, HashAndVerify) {
  const auto cost = fh::PasswordCost::minimum();
  const auto h = fh::hash_password("correct horse", cost);
  EXPECT_TRUE(h.starts_with("$argon2id$"));
  EXPECT_EQ(h.find("correct horse"), std::string::npos);
  EXPECT_TRUE(fh::verify_password(h, "correct horse"));
  EXPECT_FALSE(fh::verify_password(h, "correct horsE"));
  EXPECT_FALSE(fh::verify_password("not a hash", "x"));
  EXPECT_FALSE(fh::verify_password(std::string(500, '$'), "x"));
  EXPECT_NE(fh::hash_password("correct horse", cost), h); // salted
}

TEST(Password, CostFromConfig) {
  fh::Config c;
  EXPECT_EQ(fh::PasswordCost::from_config(c).memlimit, fh::PasswordCost::interactive().memlimit);
  c.set("password.cost", "minimum");
  EXPECT_EQ(fh::PasswordCost::from_config(c).opslimit, fh::PasswordCost::minimum().opslimit);
  c.set("password.cost", "cheap");
  EXPECT_THROW(fh::PasswordCost::from_config(c), fh::ConfigError);
}

} // namespace
