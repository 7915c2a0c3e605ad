// Unit tests for Response (headers, cookies, json, redirect, header-splitting refusal) and for
// io/response_writer's serialize_response (Status line, defaults, Content-Length, bodiless cases).
#include "io/response_writer.hpp"

#include "fcgihost/response.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace {

using fh::CookieOptions;
using fh::Response;
using fh::detail::serialize_response;

// The header block (before the blank line) of a serialized response, and the body after it.
struct Wire {
  std::vector<std::string> lines;
  std::string body;
  bool has_line(std::string_view l) const {
    for (const auto& x : lines)
      if (x == l) return true;
    return false;
  }
  int count_prefix(std::string_view p) const {
    int n = 0;
    for (const auto& x : lines)
      if (x.starts_with(p)) ++n;
    return n;
  }
};

Wire wire(const Response& r, bool head = false) {
  const std::string out = serialize_response(r, head);
  Wire w;
  const auto end = out.find("\r\n\r\n");
  EXPECT_NE(end, std::string::npos) << "no blank line after headers";
  std::size_t pos = 0;
  while (pos < end) {
    auto eol = out.find("\r\n", pos);
    w.lines.push_back(out.substr(pos, eol - pos));
    pos = eol + 2;
  }
  w.body = out.substr(end + 4);
  return w;
}

std::vector<std::string> set_cookies(const Response& r) {
  std::vector<std::string> out;
  for (const auto& [k, v] : r.headers())
    if (k == "Set-Cookie") out.push_back(v);
  return out;
}

// ---- serialize_response -------------------------------------------------------------------

TEST(SerializeResponse, StatusLineComesFirstWithReasonPhrase) {
  auto w = wire(Response("nope", 404));
  ASSERT_FALSE(w.lines.empty());
  EXPECT_EQ(w.lines[0], "Status: 404 Not Found");
  EXPECT_EQ(wire(Response("x")).lines[0], "Status: 200 OK");
  EXPECT_EQ(wire(Response("x", 299)).lines[0], "Status: 299 Unknown");
}

TEST(SerializeResponse, DefaultContentTypeAndContentLength) {
  auto w = wire(Response("hello"));
  EXPECT_TRUE(w.has_line("Content-Type: text/html; charset=utf-8"));
  EXPECT_TRUE(w.has_line("Content-Length: 5"));
  EXPECT_EQ(w.body, "hello");
}

TEST(SerializeResponse, ExplicitContentTypeIsNotDuplicated) {
  auto w = wire(Response::text("hi"));
  EXPECT_EQ(w.count_prefix("Content-Type:"), 1);
  EXPECT_TRUE(w.has_line("Content-Type: text/plain; charset=utf-8"));
  Response r("x");
  r.set_header("content-type", "image/png");
  EXPECT_EQ(wire(r).count_prefix("Content-Type:") + wire(r).count_prefix("content-type:"), 1);
}

TEST(SerializeResponse, ContentLengthCountsBytesNotCharacters) {
  auto w = wire(Response(std::string("\xe2\x82\xac\0x", 5)));
  EXPECT_TRUE(w.has_line("Content-Length: 5"));
  EXPECT_EQ(w.body.size(), 5u);
}

TEST(SerializeResponse, HandlerContentLengthAndStatusHeadersAreIgnored) {
  Response r("abc");
  r.set_header("Content-Length", "999");
  r.set_header("Status", "200 OK");
  auto w = wire(r);
  EXPECT_EQ(w.count_prefix("Content-Length:"), 1);
  EXPECT_TRUE(w.has_line("Content-Length: 3"));
  EXPECT_EQ(w.count_prefix("Status:"), 1);
}

TEST(SerializeResponse, EmptyBodyHasContentLengthZero) {
  auto w = wire(Response(std::string{}));
  EXPECT_TRUE(w.has_line("Content-Length: 0"));
  EXPECT_EQ(w.body, "");
}

TEST(SerializeResponse, HeadKeepsContentLengthButDropsTheBody) {
  auto w = wire(Response("twelve bytes"), /*head=*/true);
  EXPECT_TRUE(w.has_line("Content-Length: 12"));
  EXPECT_TRUE(w.has_line("Content-Type: text/html; charset=utf-8"));
  EXPECT_EQ(w.body, "");
}

TEST(SerializeResponse, NoContentAndNotModifiedHaveNoBodyNorLength) {
  for (int status : {204, 304}) {
    auto w = wire(Response("should not be sent", status));
    EXPECT_EQ(w.body, "") << status;
    EXPECT_EQ(w.count_prefix("Content-Length:"), 0) << status;
    EXPECT_EQ(w.count_prefix("Content-Type:"), 0) << status;
  }
}

TEST(SerializeResponse, HeadersKeepTheirOrderAndRepeats) {
  Response r("x");
  r.add_header("Link", "</a>; rel=preload");
  r.add_header("Link", "</b>; rel=preload");
  r.add_header("X-Trace", "1");
  auto w = wire(r);
  std::vector<std::string> links;
  for (const auto& l : w.lines)
    if (l.starts_with("Link: ")) links.push_back(l);
  EXPECT_EQ(links,
            (std::vector<std::string>{"Link: </a>; rel=preload", "Link: </b>; rel=preload"}));
  EXPECT_TRUE(w.has_line("X-Trace: 1"));
}

TEST(SerializeResponse, MultipleSetCookieLines) {
  Response r("x");
  r.set_cookie("a", "1");
  r.set_cookie("b", "2");
  auto w = wire(r);
  EXPECT_EQ(w.count_prefix("Set-Cookie: a=1;"), 1);
  EXPECT_EQ(w.count_prefix("Set-Cookie: b=2;"), 1);
}

// ---- headers ------------------------------------------------------------------------------

TEST(ResponseHeaders, SetReplacesCaseInsensitivelyAddKeeps) {
  Response r;
  r.add_header("X-A", "1");
  r.add_header("x-a", "2");
  EXPECT_EQ(r.headers().size(), 2u);
  r.set_header("X-a", "3");
  ASSERT_EQ(r.headers().size(), 1u);
  EXPECT_EQ(r.header("x-A"), "3");
  r.remove_header("X-A");
  EXPECT_EQ(r.header("X-A"), std::nullopt);
}

TEST(ResponseHeaders, CrLfNulInValueRefused) {
  for (std::string bad : {std::string("a\r\nSet-Cookie: evil=1"), std::string("a\nb"),
                          std::string("a\rb"), std::string("a\0b", 3)}) {
    Response r;
    EXPECT_THROW(r.set_header("X-Test", bad), std::invalid_argument);
    EXPECT_THROW(r.add_header("X-Test", bad), std::invalid_argument);
    EXPECT_TRUE(r.headers().empty()) << "a refused header must not be stored";
  }
}

TEST(ResponseHeaders, InvalidNameRefused) {
  Response r;
  for (const std::string& bad :
       std::vector<std::string>{"", "X Test", "X:Test", "X-\r\nA", std::string("X\0", 2), "Ä"})
    EXPECT_THROW(r.set_header(bad, "v"), std::invalid_argument) << bad;
  EXPECT_TRUE(r.headers().empty());
}

TEST(ResponseHeaders, SetHeaderRefusalKeepsThePreviousValue) {
  Response r;
  r.set_header("X-A", "good");
  EXPECT_THROW(r.set_header("X-A", "bad\r\n"), std::invalid_argument);
  EXPECT_EQ(r.header("X-A"), "good");
}

TEST(ResponseStatus, RejectsOutOfRangeCodes) {
  Response r;
  EXPECT_THROW(r.status(99), std::invalid_argument);
  EXPECT_THROW(r.status(1000), std::invalid_argument);
  EXPECT_THROW(Response("x", 0), std::invalid_argument);
  r.status(418);
  EXPECT_EQ(r.status(), 418);
}

// ---- redirect -----------------------------------------------------------------------------

TEST(ResponseRedirect, SetsLocationAndStatus) {
  auto r = Response::redirect("/login?next=%2F");
  EXPECT_EQ(r.status(), 302);
  EXPECT_EQ(r.header("Location"), "/login?next=%2F");
  EXPECT_EQ(Response::redirect("/x", 301).status(), 301);
}

TEST(ResponseRedirect, CrLfNulInLocationRefused) {
  EXPECT_THROW(Response::redirect("/x\r\nSet-Cookie: a=b"), std::invalid_argument);
  EXPECT_THROW(Response::redirect("/x\nX: y"), std::invalid_argument);
  EXPECT_THROW(Response::redirect(std::string_view("/x\0y", 4)), std::invalid_argument);
}

// ---- json ---------------------------------------------------------------------------------

TEST(ResponseJson, SerializesWithContentType) {
  auto r = Response::json({{"a", 1}, {"b", {true, nullptr, "s\"q"}}}, 201);
  EXPECT_EQ(r.status(), 201);
  EXPECT_EQ(r.header("Content-Type"), "application/json");
  auto parsed = nlohmann::json::parse(r.body());
  EXPECT_EQ(parsed["a"], 1);
  EXPECT_EQ(parsed["b"][2], "s\"q");
  EXPECT_TRUE(parsed["b"][1].is_null());
}

TEST(ResponseJson, InvalidUtf8DoesNotThrow) {
  Response r;
  ASSERT_NO_THROW(r = Response::json(std::string("bad \xff byte")));
  nlohmann::json parsed;
  ASSERT_NO_THROW(parsed = nlohmann::json::parse(r.body()));
  EXPECT_TRUE(parsed.is_string());
  EXPECT_TRUE(parsed.get<std::string>().starts_with("bad "));
}

// ---- cookies ------------------------------------------------------------------------------

TEST(ResponseCookie, DefaultsArePathHttpOnlyLax) {
  Response r;
  r.set_cookie("sid", "abc123");
  auto c = set_cookies(r);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0], "sid=abc123; Path=/; HttpOnly; SameSite=Lax");
}

TEST(ResponseCookie, AllAttributes) {
  CookieOptions o;
  o.max_age = 3600;
  o.path = "/app";
  o.domain = "example.org";
  o.secure = true;
  o.httponly = true;
  o.samesite = "Strict";
  Response r;
  r.set_cookie("k", "v", o);
  auto c = set_cookies(r);
  ASSERT_EQ(c.size(), 1u);
  const auto& s = c[0];
  EXPECT_TRUE(s.starts_with("k=v; ")) << s;
  EXPECT_NE(s.find("; Max-Age=3600"), std::string::npos) << s;
  EXPECT_NE(s.find("; Expires="), std::string::npos) << s;
  EXPECT_NE(s.find(" GMT"), std::string::npos) << s;
  EXPECT_NE(s.find("; Domain=example.org"), std::string::npos) << s;
  EXPECT_NE(s.find("; Path=/app"), std::string::npos) << s;
  EXPECT_NE(s.find("; Secure"), std::string::npos) << s;
  EXPECT_NE(s.find("; HttpOnly"), std::string::npos) << s;
  EXPECT_NE(s.find("; SameSite=Strict"), std::string::npos) << s;
}

TEST(ResponseCookie, ExpiresUsedAsGivenAndFlagsCanBeOff) {
  CookieOptions o;
  o.expires = "Wed, 21 Oct 2037 07:28:00 GMT";
  o.httponly = false;
  o.samesite = "";
  o.path = "";
  Response r;
  r.set_cookie("k", "v", o);
  EXPECT_EQ(set_cookies(r).at(0), "k=v; Expires=Wed, 21 Oct 2037 07:28:00 GMT");
}

TEST(ResponseCookie, MultipleCookiesAreSeparateHeaders) {
  Response r;
  r.set_cookie("a", "1");
  r.set_cookie("b", "2");
  r.set_cookie("a", "3");
  auto c = set_cookies(r);
  ASSERT_EQ(c.size(), 3u);
  EXPECT_TRUE(c[0].starts_with("a=1;"));
  EXPECT_TRUE(c[1].starts_with("b=2;"));
  EXPECT_TRUE(c[2].starts_with("a=3;"));
}

TEST(ResponseCookie, DeleteCookieExpiresItWithSamePathAndDomain) {
  Response r;
  r.delete_cookie("sid", "/app", "example.org");
  auto c = set_cookies(r);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_TRUE(c[0].starts_with("sid=;")) << c[0];
  EXPECT_NE(c[0].find("; Max-Age=0"), std::string::npos) << c[0];
  EXPECT_NE(c[0].find("; Expires="), std::string::npos) << c[0];
  EXPECT_NE(c[0].find("; Path=/app"), std::string::npos) << c[0];
  EXPECT_NE(c[0].find("; Domain=example.org"), std::string::npos) << c[0];
}

TEST(ResponseCookie, ValueOutsideCookieOctetsRefused) {
  for (const std::string& bad : std::vector<std::string>{
           "a;b", "a b", "a,b", "a\"b", "a\\b", "a\r\nb", std::string("a\0b", 3), "a\x7f"}) {
    Response r;
    EXPECT_THROW(r.set_cookie("k", bad), std::invalid_argument) << bad;
    EXPECT_TRUE(r.headers().empty());
  }
}

TEST(ResponseCookie, BadNameRefused) {
  for (std::string bad : {"", "a b", "a=b", "a;b", "a\r\n"}) {
    Response r;
    EXPECT_THROW(r.set_cookie(bad, "v"), std::invalid_argument) << bad;
  }
}

TEST(ResponseCookie, AttributeInjectionRefused) {
  for (auto field : {&CookieOptions::path, &CookieOptions::domain, &CookieOptions::samesite}) {
    for (std::string bad : {"x; Secure", "x\r\nSet-Cookie: a=b"}) {
      CookieOptions o;
      o.*field = bad;
      Response r;
      EXPECT_THROW(r.set_cookie("k", "v", o), std::invalid_argument) << bad;
      EXPECT_TRUE(r.headers().empty());
    }
  }
}

} // namespace
