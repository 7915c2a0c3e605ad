// Unit tests of the access-log line parser: valid lines field by field, every kind of malformed
// field, escapes, IPv6, huge sizes, status 000/499, upstream time lists, and the time arithmetic.
#include "logline.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

const std::string kGood =
    R"x(192.168.1.7 - - [10/Oct/2026:13:55:36 +0200] "GET /shop/cart?id=7 HTTP/1.1" 200 2326 )x"
    R"x("https://example.org/" "Mozilla/5.0 (X11)" 0.012 0.010)x";

// Parses a copy of `s` kept until the next call, so that the views in `out` stay valid.
tw::LineError parse(std::string s, tw::LogLine& out) {
  static std::string kept;
  kept = std::move(s);
  return tw::parse_line(kept, out);
}

tw::LineError err(const std::string& s) {
  tw::LogLine out;
  return tw::parse_line(s, out);
}

// kGood with `from` replaced by `to` (the first occurrence).
std::string with(const std::string& from, const std::string& to) {
  std::string s = kGood;
  const auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  s.replace(at, from.size(), to);
  return s;
}

TEST(LogLine, ParsesEveryField) {
  tw::LogLine l;
  ASSERT_EQ(parse(kGood, l), tw::LineError::Ok);
  EXPECT_EQ(l.remote_addr, "192.168.1.7");
  EXPECT_EQ(l.remote_user, "-");
  // 2026-10-10T11:55:36Z
  EXPECT_EQ(l.time, 1791633336);
  EXPECT_EQ(l.request, "GET /shop/cart?id=7 HTTP/1.1");
  EXPECT_EQ(l.method, "GET");
  EXPECT_EQ(l.path, "/shop/cart");
  EXPECT_EQ(l.status, 200);
  EXPECT_EQ(l.bytes, 2326u);
  EXPECT_EQ(l.referer, "https://example.org/");
  EXPECT_EQ(l.user_agent, "Mozilla/5.0 (X11)");
  EXPECT_EQ(l.request_time_ms, 12u);
  EXPECT_EQ(l.upstream_time, "0.010");
}

TEST(LogLine, TimeZonesAndCalendar) {
  EXPECT_EQ(tw::days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(tw::days_from_civil(2000, 3, 1), 11017);
  tw::LogLine l;
  ASSERT_EQ(parse(with("10/Oct/2026:13:55:36 +0200", "01/Jan/1970:00:00:00 +0000"), l),
            tw::LineError::Ok);
  EXPECT_EQ(l.time, 0);
  ASSERT_EQ(parse(with("10/Oct/2026:13:55:36 +0200", "31/Dec/1969:19:00:00 -0500"), l),
            tw::LineError::Ok);
  EXPECT_EQ(l.time, 0);
  ASSERT_EQ(parse(with("10/Oct/2026:13:55:36 +0200", "29/Feb/2024:00:00:00 +0000"), l),
            tw::LineError::Ok);
  EXPECT_EQ(l.time, 1709164800);
  for (const char* bad :
       {"29/Feb/2026:00:00:00 +0000", "31/Apr/2026:00:00:00 +0000", "00/Jan/2026:00:00:00 +0000",
        "10/oct/2026:13:55:36 +0200", "10/Oct/2026:24:00:00 +0200", "10/Oct/2026:13:60:36 +0200",
        "10/Oct/2026:13:55:36 0200", "10/Oct/2026:13:55:36 +02000", "1/Oct/2026:13:55:36 +0200",
        "10/Oct/2026 13:55:36 +0200", "10/Oct/2026:13:55:36 +0260", "10/Xyz/2026:13:55:36 +0200"})
    EXPECT_EQ(err(with("10/Oct/2026:13:55:36 +0200", bad)), tw::LineError::Time) << bad;
  EXPECT_EQ(err(with("[10/Oct/2026:13:55:36 +0200]", "10/Oct/2026:13:55:36 +0200")),
            tw::LineError::RemoteUser);
}

TEST(LogLine, Addresses) {
  for (const char* ok : {"::1", "2001:db8::1", "fe80::1ff:fe23:4567:890a",
                         "::", "1::", "2001:0db8:0000:0000:0000:ff00:0042:8329",
                         "::ffff:192.0.2.128", "64:ff9b::192.0.2.33", "1:2:3:4:5:6:7::", "0.0.0.0",
                         "255.255.255.255", "unix:", "2001:DB8::A"}) {
    tw::LogLine l;
    EXPECT_EQ(parse(with("192.168.1.7", ok), l), tw::LineError::Ok) << ok;
    EXPECT_EQ(l.remote_addr, ok);
  }
  for (const char* bad : {"", "256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.4x", "::1::",
                          "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", ":1::", "1:", "12345::", "g::1",
                          "::ffff:1.2.3", "1:2:3:4:5:6:7:1.2.3.4", "example.org", "-", "unix"})
    EXPECT_EQ(err(with("192.168.1.7", bad)), tw::LineError::RemoteAddr) << bad;
}

TEST(LogLine, RemoteUser) {
  tw::LogLine l;
  ASSERT_EQ(parse(with("- - [", "- alice [") /* addr " - " user " [" */, l), tw::LineError::Ok);
  EXPECT_EQ(l.remote_user, "alice");
  EXPECT_EQ(err(with("- - [", "-  [")), tw::LineError::RemoteUser);
  EXPECT_EQ(err(with("- - [", "- a b [")), tw::LineError::RemoteUser);
  EXPECT_EQ(err(with("- - [", "- a\x01 [")), tw::LineError::RemoteUser);
  EXPECT_EQ(err(with(" - - [", " -- [")), tw::LineError::Trailing);
}

TEST(LogLine, QuotedFieldsAndEscapes) {
  tw::LogLine l;
  // \" and \\ inside quotes; the field ends at the first unescaped quote.
  ASSERT_EQ(parse(with("Mozilla/5.0 (X11)", R"(say \"hi\" \\ end\\)"), l), tw::LineError::Ok);
  EXPECT_EQ(l.user_agent, R"(say \"hi\" \\ end\\)");
  EXPECT_EQ(tw::unescape(l.user_agent), R"(say "hi" \ end\)");
  // nginx's own \xHH escapes are ordinary text here.
  ASSERT_EQ(parse(with("GET /shop/cart?id=7 HTTP/1.1", R"(\x16\x03\x01)"), l), tw::LineError::Ok);
  EXPECT_EQ(l.request, R"(\x16\x03\x01)");
  EXPECT_EQ(l.method, "");
  EXPECT_EQ(tw::unescape(R"(a\xb\)"), R"(a\xb\)");
  // Invalid UTF-8 inside quotes is fine.
  ASSERT_EQ(parse(with("https://example.org/", "\xff\xfe\xc3("), l), tw::LineError::Ok);
  EXPECT_EQ(l.referer, "\xff\xfe\xc3(");
  // Empty request line (a client that sent nothing).
  ASSERT_EQ(parse(with("\"GET /shop/cart?id=7 HTTP/1.1\"", "\"\""), l), tw::LineError::Ok);
  EXPECT_EQ(l.request, "");
  // An escaped quote that leaves the field open; a stray quote; a missing quote.
  EXPECT_EQ(err(with("Mozilla/5.0 (X11)\"", R"(Mozilla\")")), tw::LineError::UserAgent);
  EXPECT_EQ(err(with("Mozilla/5.0 (X11)", "Moz\"illa")), tw::LineError::Trailing);
  EXPECT_EQ(err(with("\"https://example.org/\"", "https://example.org/")), tw::LineError::Referer);
  EXPECT_EQ(err(with("\"GET", "GET")), tw::LineError::Request);
}

TEST(LogLine, RequestLineShapes) {
  tw::LogLine l;
  ASSERT_EQ(parse(with("GET /shop/cart?id=7 HTTP/1.1", "POST /api/x HTTP/2.0"), l),
            tw::LineError::Ok);
  EXPECT_EQ(l.method, "POST");
  EXPECT_EQ(l.path, "/api/x");
  ASSERT_EQ(parse(with("GET /shop/cart?id=7 HTTP/1.1", "GET /old"), l), tw::LineError::Ok);
  EXPECT_EQ(l.path, "/old");
  ASSERT_EQ(parse(with("GET /shop/cart?id=7 HTTP/1.1", "GET /a b c"), l), tw::LineError::Ok);
  EXPECT_EQ(l.path, ""); // kept as a valid line; no path to count
}

TEST(LogLine, StatusAndBytes) {
  tw::LogLine l;
  ASSERT_EQ(parse(with(" 200 2326 ", " 000 0 "), l), tw::LineError::Ok);
  EXPECT_EQ(l.status, 0);
  EXPECT_EQ(l.bytes, 0u);
  ASSERT_EQ(parse(with(" 200 2326 ", " 499 18446744073709551615 "), l), tw::LineError::Ok);
  EXPECT_EQ(l.status, 499);
  EXPECT_EQ(l.bytes, 18446744073709551615ull);
  ASSERT_EQ(parse(with(" 200 2326 ", " 503 5000000000 "), l), tw::LineError::Ok);
  EXPECT_EQ(l.bytes, 5000000000ull);
  for (const char* bad : {" 20 2326 ", " 2000 2326 ", " 600 2326 ", " 2x0 2326 ", " -1 2326 "})
    EXPECT_EQ(err(with(" 200 2326 ", bad)), tw::LineError::Status) << bad;
  for (const char* bad : {" 200 18446744073709551616 ", " 200 - ", " 200 012 ", " 200 1.5 ",
                          " 200 -5 ", " 200  2326 "})
    EXPECT_EQ(err(with(" 200 2326 ", bad)), tw::LineError::Bytes) << bad;
}

TEST(LogLine, Times) {
  tw::LogLine l;
  for (const char* ok :
       {"-", "0.010", "0.010, 0.020", "0.010 : 0.020", "-, 0.004 : -", "1234.567"}) {
    ASSERT_EQ(parse(with("0.010", ok), l), tw::LineError::Ok) << ok;
    EXPECT_EQ(l.upstream_time, ok);
  }
  ASSERT_EQ(parse(with("0.012", "120.500"), l), tw::LineError::Ok);
  EXPECT_EQ(l.request_time_ms, 120500u);
  for (const char* bad : {"", "0.01", "0.0100", ".010", "0,010", "0.010,0.020", "0.010 ,0.020",
                          "0.010 :0.020", "0.010, ", "--", "0.010 ", "x", "00.010"})
    EXPECT_EQ(err(with(" 0.010", std::string(" ") + bad)), tw::LineError::UpstreamTime) << bad;
  for (const char* bad : {"-", "0.01", "1", "01.000", "0.012x"})
    EXPECT_EQ(err(with("0.012", bad)), tw::LineError::RequestTime) << bad;
}

TEST(LogLine, TruncatedAnywhereIsMalformed) {
  tw::LogLine l;
  for (std::size_t n = 0; n < kGood.size() - 5; ++n) // cut inside the last field still parses
    EXPECT_NE(tw::parse_line(std::string_view(kGood).substr(0, n), l), tw::LineError::Ok) << n;
  EXPECT_EQ(err(kGood + " "), tw::LineError::UpstreamTime);
  EXPECT_EQ(err(kGood + "\r"), tw::LineError::UpstreamTime);
  EXPECT_EQ(err(" " + kGood), tw::LineError::RemoteAddr);
}

TEST(LogLine, HugeLine) {
  std::string ua(1 << 20, 'a');
  tw::LogLine l;
  const std::string line = with("Mozilla/5.0 (X11)", ua);
  ASSERT_EQ(parse(line, l), tw::LineError::Ok);
  EXPECT_EQ(l.user_agent.size(), ua.size());
  std::string backslashes(100001, '\\'); // odd: the closing quote is escaped
  EXPECT_EQ(err(with("Mozilla/5.0 (X11)", backslashes)), tw::LineError::UserAgent);
}

} // namespace
