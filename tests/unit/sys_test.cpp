// Unit tests for fh_sys (fcgi-host/sys): the log line format and its parser, ASCII
// case-insensitive compare, write_all, and the socket binder (TCP port 0, unix socket liveness).
#include <fh/sys/exec.hpp>
#include <fh/sys/io.hpp>
#include <fh/sys/log.hpp>
#include <fh/sys/socket.hpp>
#include <fh/sys/strings.hpp>
#include <fh/sys/worker_protocol.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fcntl.h>
#include <regex>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <vector>

namespace {

using namespace fh::sys;

TEST(SysLog, LineHasTimestampLevelWhoPidAndEscapedMessage) {
  const std::string line = format_log_line(Level::Warning, "hello.fcgi", 42, "a\nb\x7f");
  const std::regex shape(
      R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z warning hello\.fcgi\[42\] a\\x0ab\\x7f\n)");
  EXPECT_TRUE(std::regex_match(line, shape)) << line;
}

TEST(SysLog, UtcFormats) {
  EXPECT_EQ(utc_seconds(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(utc_millis(1764490366123), "2025-11-30T08:12:46.123Z");
  EXPECT_EQ(utc_millis(-1), "1969-12-31T23:59:59.999Z");
}

TEST(SysLog, ParsesItsOwnLines) {
  std::string line = format_log_line(Level::Error, "cgi-gateway", 7, "req=x boom: a] b");
  line.pop_back(); // the '\n'
  const auto p = parse_log_line(line);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->level, Level::Error);
  EXPECT_EQ(p->who, "cgi-gateway");
  EXPECT_EQ(p->pid, 7);
  EXPECT_EQ(p->message, "req=x boom: a] b");
}

TEST(SysLog, RefusesOtherLines) {
  EXPECT_FALSE(parse_log_line(""));
  EXPECT_FALSE(parse_log_line("error: something"));
  EXPECT_FALSE(parse_log_line("2026-11-30T08:12:46.123Z loud app[1] x"));
  EXPECT_FALSE(parse_log_line("2026-11-30T08:12:46.123Z info app[x] x"));
  EXPECT_FALSE(parse_log_line("2026-11-30T08:12:46.123Z info two words[1] x"));
  EXPECT_TRUE(parse_log_line("2026-11-30T08:12:46Z info app[1] x"));
}

TEST(SysLog, LevelNamesRoundTrip) {
  for (const Level l : {Level::Debug, Level::Info, Level::Warning, Level::Error})
    EXPECT_EQ(parse_level(level_name(l)), l);
  EXPECT_FALSE(parse_level("warn"));
}

TEST(SysStrings, IequalsIsAsciiCaseInsensitive) {
  EXPECT_TRUE(iequals("Content-Type", "content-TYPE"));
  EXPECT_FALSE(iequals("Content-Type", "Content-Typ"));
  EXPECT_FALSE(iequals("\xc3\x89", "\xc3\xa9")); // not a Unicode fold
  EXPECT_TRUE(istarts_with("X-Accel-Redirect", "x-accel-"));
  EXPECT_FALSE(istarts_with("X-A", "x-accel-"));
}

TEST(SysStrings, TrimOwsTakesSpacesAndTabsOffBothEndsOnly) {
  EXPECT_EQ(trim_ows(" \t a b\t "), "a b");
  EXPECT_EQ(trim_ows("ab"), "ab");
  EXPECT_EQ(trim_ows(" \t "), "");
  EXPECT_EQ(trim_ows(""), "");
  EXPECT_EQ(trim_ows("\r\nx\r\n"), "\r\nx\r\n"); // CR and LF are no OWS
}

TEST(SysExec, ExecArrayPointsIntoTheStringsAndEndsWithNull) {
  const std::vector<std::string> v = {"/bin/true", "--x"};
  const auto a = exec_array(v);
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[0], v[0].c_str());
  EXPECT_EQ(a[1], v[1].c_str());
  EXPECT_EQ(a[2], nullptr);
  EXPECT_EQ(exec_array({}), std::vector<char*>{nullptr});
}

TEST(SysExec, EnvironWithReplacesSameNamedVariablesAndAddsTheRest) {
  ::setenv("FH_SYS_TEST_A", "old", 1);
  ::unsetenv("FH_SYS_TEST_B");
  const auto env = environ_with({"FH_SYS_TEST_A=new", "FH_SYS_TEST_B=b"});
  const auto count = [&](const std::string& kv) { return std::count(env.begin(), env.end(), kv); };
  EXPECT_EQ(count("FH_SYS_TEST_A=old"), 0);
  EXPECT_EQ(count("FH_SYS_TEST_A=new"), 1);
  EXPECT_EQ(count("FH_SYS_TEST_B=b"), 1);
  EXPECT_EQ(env.back(), "FH_SYS_TEST_B=b");
  EXPECT_GT(count("PATH=" + std::string(std::getenv("PATH") ? std::getenv("PATH") : "")), 0);
  ::unsetenv("FH_SYS_TEST_A");
}

TEST(SysIo, WriteAllWritesEverythingAndReportsErrors) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  UniqueFd r(p[0]), w(p[1]);
  EXPECT_TRUE(write_all(w.get(), "hello"));
  char buf[8] = {};
  EXPECT_EQ(read_some(r.get(), buf, sizeof buf), 5);
  EXPECT_FALSE(write_all(-1, "x"));
}

TEST(SysSocket, TcpPortZeroReportsTheBoundPort) {
  const ListenSocket s = listen_tcp("127.0.0.1:0", 8);
  EXPECT_TRUE(is_listening_socket(s.fd()));
  EXPECT_TRUE(std::regex_match(s.address(), std::regex(R"(127\.0\.0\.1:[1-9]\d*)"))) << s.address();
  EXPECT_FALSE(s.is_unix());
  EXPECT_THROW(listen_tcp("127.0.0.1", 8), std::invalid_argument);
}

class SysUnixSocket : public testing::Test {
protected:
  void SetUp() override {
    char tmpl[] = "/tmp/fh-sys-test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/s.sock";
  }
  void TearDown() override {
    ::unlink(path_.c_str());
    ::rmdir(dir_.c_str());
  }
  std::string dir_, path_;
};

TEST_F(SysUnixSocket, ModeLivenessAndCleanup) {
  {
    UnixSocketOptions o;
    o.mode = 0660;
    const ListenSocket s = listen_unix(path_, 8, o);
    EXPECT_EQ(s.address(), "unix:" + path_);
    struct stat st {};
    ASSERT_EQ(::lstat(path_.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0660U);
    // A live socket is never stolen.
    EXPECT_THROW(listen_unix(path_, 8), std::runtime_error);
  }
  struct stat st {};
  EXPECT_NE(::lstat(path_.c_str(), &st), 0) << "the owner's destructor unlinks the file";
}

TEST_F(SysUnixSocket, DeadSocketIsReplacedOtherFilesAreNot) {
  {
    // A socket file nobody listens on any more (bound, never unlinked).
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM, 0));
    sockaddr_un sun{};
    sun.sun_family = AF_UNIX;
    path_.copy(sun.sun_path, path_.size());
    ASSERT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&sun), sizeof sun), 0);
  }
  EXPECT_NO_THROW(listen_unix(path_, 8));
  const UniqueFd file(::open(path_.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
  EXPECT_THROW(listen_unix(path_, 8), std::runtime_error);
}

TEST(SysWorkerProtocol, BootFailureExitCodes) {
  EXPECT_TRUE(worker::is_boot_failure_exit(worker::kExitBootError));
  EXPECT_TRUE(worker::is_boot_failure_exit(worker::kExitAppLoadError));
  EXPECT_TRUE(worker::is_boot_failure_exit(127));
  EXPECT_FALSE(worker::is_boot_failure_exit(0));
  EXPECT_FALSE(worker::is_boot_failure_exit(1));
  EXPECT_FALSE(worker::is_boot_failure_exit(2));
}

} // namespace
