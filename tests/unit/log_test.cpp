// Unit tests for fh::log_safe (capping and escaping client text for log lines) and for the
// dispatcher's log lines about bad requests, read back from the captured stderr.
#include "fcgihost/app.hpp"
#include "fcgihost/log.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using fh::App;
using fh::log_safe;
using fh::RawRequest;
using fh::Request;
using fh::Response;

TEST(LogSafe, PlainTextIsKept) {
  EXPECT_EQ(log_safe("GET"), "GET");
  EXPECT_EQ(log_safe("/a/b?c=d&e=f g"), "/a/b?c=d&e=f g");
  EXPECT_EQ(log_safe(""), "");
}

TEST(LogSafe, ControlCharactersNonAsciiAndBackslashAreEscaped) {
  EXPECT_EQ(log_safe("a\r\nb"), "a\\x0d\\x0ab");
  EXPECT_EQ(log_safe("\x1b[31mred"), "\\x1b[31mred");
  EXPECT_EQ(log_safe(std::string("n\0l", 3)), "n\\x00l");
  EXPECT_EQ(log_safe("del\x7f"), "del\\x7f");
  EXPECT_EQ(log_safe("caf\xc3\xa9 \xff"), "caf\\xc3\\xa9 \\xff");
  // A client cannot write a look-alike escape: its own backslash is escaped.
  EXPECT_EQ(log_safe("\\x0a"), "\\x5cx0a");
}

TEST(LogSafe, LongTextIsCappedWithItsSize) {
  const std::string method(5000, 'M');
  EXPECT_EQ(log_safe(method), std::string(200, 'M') + "...(5000 bytes)");
  EXPECT_EQ(log_safe(std::string(200, 'x')), std::string(200, 'x')); // at the cap: whole
  EXPECT_EQ(log_safe("abcdef", 3), "abc...(6 bytes)");
  EXPECT_EQ(log_safe("\n\n\n\n", 2), "\\x0a\\x0a...(4 bytes)"); // the cap counts input bytes
}

// ---- what App::handle logs ----------------------------------------------------------------

// Runs one request through an app with a single GET route and returns what it logged.
std::string logged_for(std::string method, std::string path) {
  App app("t");
  app.route("/", {fh::GET}, [](Request&) { return Response("ok"); });
  RawRequest raw;
  raw.params = {
      {"REQUEST_METHOD", std::move(method)}, {"PATH_INFO", std::move(path)}, {"SCRIPT_NAME", ""}};
  testing::internal::CaptureStderr();
  const Response r = app.handle(std::move(raw));
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_GE(r.status(), 400);
  return err;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
    out.push_back(text.substr(start, nl - start));
  EXPECT_EQ(start, text.size()) << "log output does not end with a newline";
  return out;
}

TEST(LogLines, HugeMethodIn405IsCapped) {
  const std::string err = logged_for(std::string(5000, 'X'), "/");
  const auto lines = lines_of(err);
  ASSERT_EQ(lines.size(), 1u) << err;
  EXPECT_NE(lines[0].find("client error: 405"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find(std::string(200, 'X') + "...(5000 bytes) /)"), std::string::npos)
      << lines[0];
  EXPECT_EQ(lines[0].find(std::string(201, 'X')), std::string::npos);
  EXPECT_LT(lines[0].size(), 400u);
}

// CR/LF, ESC, the C1 CSI byte (0x9b, an escape sequence on some terminals) and a backslash that
// would make a look-alike "\x0a": all escaped, in the 405 line (bad method) and the 404 line.
TEST(LogLines, ControlCharactersInMethodAndPathAreEscaped) {
  const std::string err = logged_for("GET\r\nFORGED\x1b[2J\x9b\\x0a", "/");
  const auto lines = lines_of(err);
  ASSERT_EQ(lines.size(), 1u) << err;
  EXPECT_NE(lines[0].find("client error: 405 Method Not Allowed "
                          "(GET\\x0d\\x0aFORGED\\x1b[2J\\x9b\\x5cx0a /)"),
            std::string::npos)
      << lines[0];
  const std::string err404 = logged_for("GET", "/a\r\nb\x1b\x9b\\");
  EXPECT_NE(err404.find("client error: 404 Not Found (GET /a\\x0d\\x0ab\\x1b\\x9b\\x5c)\n"),
            std::string::npos)
      << err404;
  for (char c : {'\x1b', '\r', '\x9b'}) {
    EXPECT_EQ(err.find(c), std::string::npos) << int(c);
    EXPECT_EQ(err404.find(c), std::string::npos) << int(c);
  }
}

TEST(LogLines, HugePathIn404IsCapped) {
  const std::string err = logged_for("GET", "/" + std::string(10000, 'p'));
  const auto lines = lines_of(err);
  ASSERT_EQ(lines.size(), 1u) << err;
  EXPECT_NE(lines[0].find("client error: 404"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("...(10001 bytes))"), std::string::npos) << lines[0];
  EXPECT_LT(lines[0].size(), 400u);
}

TEST(LogLines, ExceptionMessageEchoingClientTextIsEscapedAndCapped) {
  App app("t");
  app.route("/", {fh::GET}, [](Request& rq) -> Response {
    fh::abort(400, "bad value: " + rq.args().get_or("v", ""));
  });
  RawRequest raw;
  raw.params = {{"REQUEST_METHOD", "GET"},
                {"PATH_INFO", "/"},
                {"QUERY_STRING", "v=%0d%0aforged%1b" + std::string(3000, 'v')}};
  testing::internal::CaptureStderr();
  EXPECT_EQ(app.handle(std::move(raw)).status(), 400);
  const std::string err = testing::internal::GetCapturedStderr();
  const auto lines = lines_of(err);
  ASSERT_EQ(lines.size(), 1u) << err;
  EXPECT_NE(lines[0].find("bad value: \\x0d\\x0aforged\\x1bvvv"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("...(3020 bytes) (GET /)"), std::string::npos) << lines[0];
}

} // namespace
