// Unit tests for spawn/gateway/cgi_header: finding the end of the CGI header block, strict
// parsing (injection, malformed lines, duplicates), redirects and rendering.
#include <gtest/gtest.h>

#include "cgi_header.hpp"

using namespace fh::gateway;

TEST(FindHeaderEnd, AllLineEndings) {
  EXPECT_EQ(find_header_end("A: b\n\nbody"), 6u);
  EXPECT_EQ(find_header_end("A: b\r\n\r\nbody"), 8u);
  EXPECT_EQ(find_header_end("A: b\n\r\nbody"), 7u);
  EXPECT_EQ(find_header_end("\r\nbody"), 2u);
  EXPECT_EQ(find_header_end("\nbody"), 1u);
  EXPECT_FALSE(find_header_end("A: b\r\nC: d\r\n"));
  EXPECT_FALSE(find_header_end("A: b\r\r"));
}

TEST(ParseCgiHead, DocumentResponse) {
  auto r = parse_cgi_head("Content-Type: text/html\r\nX-A:  spaced  \r\n\r\n");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.head.status, 200);
  EXPECT_EQ(r.head.reason, "OK");
  ASSERT_EQ(r.head.headers.size(), 2u);
  EXPECT_EQ(r.head.headers[1], (std::pair<std::string, std::string>{"X-A", "spaced"}));
  EXPECT_EQ(render_head(r.head),
            "Status: 200 OK\r\nContent-Type: text/html\r\nX-A: spaced\r\n\r\n");
}

TEST(ParseCgiHead, StatusHeader) {
  auto r = parse_cgi_head("Status: 404 Nope\nContent-Type: text/plain\n\n");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.head.status, 404);
  EXPECT_EQ(r.head.reason, "Nope");
  EXPECT_EQ(parse_cgi_head("Status: 503\n\n").head.reason, "Service Unavailable");
  for (const char* bad : {"Status: 99 x\n\n", "Status: 600\n\n", "Status: abc\n\n",
                          "Status: 2000\n\n", "Status: 200x\n\n", "Status: \n\n"})
    EXPECT_FALSE(parse_cgi_head(bad).ok) << bad;
}

TEST(ParseCgiHead, RejectsInjectionAndGarbage) {
  for (const char* bad : {
           "Content-Type: text/plain\rSet-Cookie: x=1\r\n\r\n", // bare CR
           "Content-Type: text/plain\r\n continued\r\n\r\n",    // obs-fold
           "hello world\n\n",                                   // no colon
           ": novalue\n\n",                                     // empty name
           "Bad Name: x\nContent-Type: a\n\n",                  // space in name
           "Content-Type: a\x01b\n\n",                          // control char
           "X-Only: 1\n\n",                                     // no CGI field
           "\n",                                                // empty block
           "Status: 200\nStatus: 404\nContent-Type: a\n\n",     // duplicate Status
           "Location: /a\nLocation: /b\n\n",                    // duplicate Location
           "Content-Type: a\nContent-Type: b\n\n",              // duplicate type
       })
    EXPECT_FALSE(parse_cgi_head(bad).ok) << bad;
}

TEST(ParseCgiHead, ClientRedirect) {
  auto r = parse_cgi_head("Location: https://example.com/x\r\n\r\n");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.head.status, 302);
  EXPECT_FALSE(r.head.local_redirect);
  EXPECT_EQ(render_head(r.head), "Status: 302 Found\r\nLocation: https://example.com/x\r\n\r\n");
  r = parse_cgi_head("Status: 301\nLocation: https://example.com/y\n\n");
  EXPECT_EQ(r.head.status, 301);
  r = parse_cgi_head("Location: //evil.example/\n\n"); // protocol-relative: not local
  EXPECT_FALSE(r.head.local_redirect);
  EXPECT_EQ(r.head.status, 302);
}

TEST(ParseCgiHead, LocalRedirectBecomesInternalRedirect) {
  auto r = parse_cgi_head("Location: /cgi-bin/other.sh?x=1\n\n");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_TRUE(r.head.local_redirect);
  EXPECT_EQ(render_head(r.head),
            "Status: 200 OK\r\nX-Accel-Redirect: /cgi-bin/other.sh?x=1\r\n\r\n");
}

TEST(ParseCgiHead, DropsHopByHopAndAccelHeaders) {
  auto r = parse_cgi_head("Content-Type: a\nX-Accel-Redirect: /internal\nConnection: close\n"
                          "Transfer-Encoding: chunked\nX-Accel-Buffering: no\n\n");
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.head.headers.size(), 2u);
  EXPECT_EQ(r.head.headers[0].first, "Content-Type");
  EXPECT_EQ(r.head.headers[1].first, "X-Accel-Buffering");
}

TEST(SimpleResponse, ShapeAndRetryAfter) {
  EXPECT_EQ(simple_response(502),
            "Status: 502 Bad Gateway\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            "502 Bad Gateway\n");
  EXPECT_NE(simple_response(503).find("Retry-After: 1\r\n"), std::string::npos);
}
