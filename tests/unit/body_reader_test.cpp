// Unit tests for io/body_reader: CONTENT_LENGTH parsing (missing, empty, negative, non-numeric,
// huge), the body limit (413 without reading), short bodies, drain_to_eof, and no needless reads.
#include "io/body_reader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>

namespace {

using fh::Limits;
using fh::RawRequest;
using fh::detail::parse_content_length;
using fh::detail::read_body;

// A fake input stream: serves `data` in chunks of at most `chunk` bytes, counts the calls, and
// returns `error_at_end` (0 = EOF, < 0 = error) once the data is exhausted.
struct FakeStream {
  std::string data;
  std::size_t chunk = 1 << 20;
  long error_at_end = 0;
  std::size_t pos = 0;
  int calls = 0;

  fh::detail::ReadFn fn() {
    return [this](char* buf, std::size_t n) -> long {
      ++calls;
      if (pos >= data.size()) return error_at_end;
      const std::size_t k = std::min({n, chunk, data.size() - pos});
      std::memcpy(buf, data.data() + pos, k);
      pos += k;
      return static_cast<long>(k);
    };
  }
};

RawRequest with_length(std::optional<std::string> content_length) {
  RawRequest r;
  r.params.emplace_back("REQUEST_METHOD", "POST");
  if (content_length) r.params.emplace_back("CONTENT_LENGTH", *content_length);
  return r;
}

// ---- parse_content_length -----------------------------------------------------------------

TEST(ParseContentLength, MissingOrEmptyIsZero) {
  EXPECT_EQ(parse_content_length(std::nullopt), 0u);
  EXPECT_EQ(parse_content_length(""), 0u);
}

TEST(ParseContentLength, Decimal) {
  EXPECT_EQ(parse_content_length("0"), 0u);
  EXPECT_EQ(parse_content_length("1234"), 1234u);
  EXPECT_EQ(parse_content_length("007"), 7u);
}

TEST(ParseContentLength, MalformedIsNullopt) {
  for (const char* bad : {"-1", "-0", "+5", "abc", "12abc", "1.5", " 5", "5 ", "0x10", "1e3"})
    EXPECT_EQ(parse_content_length(bad), std::nullopt) << "'" << bad << "'";
}

TEST(ParseContentLength, HugeIsNullopt) {
  EXPECT_EQ(parse_content_length("99999999999999999999999999"), std::nullopt);
  const auto max = std::to_string(std::numeric_limits<std::size_t>::max());
  EXPECT_EQ(parse_content_length(max), std::numeric_limits<std::size_t>::max());
  EXPECT_EQ(parse_content_length(max + "0"), std::nullopt);
}

// ---- read_body ----------------------------------------------------------------------------

TEST(ReadBody, ReadsExactlyTheDeclaredLength) {
  FakeStream s{"hello world"};
  auto r = with_length("5");
  read_body(r, Limits{}, s.fn(), /*drain_to_eof=*/false);
  EXPECT_EQ(r.input_error_status, 0);
  EXPECT_EQ(r.body, "hello");
  EXPECT_EQ(s.pos, 5u) << "CGI mode must not read past Content-Length";
}

TEST(ReadBody, AssemblesShortReads) {
  FakeStream s{"abcdefghij"};
  s.chunk = 3;
  auto r = with_length("10");
  read_body(r, Limits{}, s.fn(), false);
  EXPECT_EQ(r.input_error_status, 0);
  EXPECT_EQ(r.body, "abcdefghij");
  EXPECT_GE(s.calls, 4);
}

TEST(ReadBody, MissingOrEmptyLengthMeansNoBodyAndNoRead) {
  for (std::optional<std::string> cl :
       {std::optional<std::string>{}, std::optional<std::string>{""},
        std::optional<std::string>{"0"}}) {
    FakeStream s{"unannounced data"};
    auto r = with_length(cl);
    read_body(r, Limits{}, s.fn(), false);
    EXPECT_EQ(r.input_error_status, 0);
    EXPECT_EQ(r.body, "");
    EXPECT_EQ(s.calls, 0) << "read() called although no body was announced";
  }
}

TEST(ReadBody, MalformedLengthIs400WithoutReading) {
  for (const char* bad : {"-1", "abc", "12x", "99999999999999999999999999"}) {
    FakeStream s{"some body"};
    auto r = with_length(bad);
    read_body(r, Limits{}, s.fn(), false);
    EXPECT_EQ(r.input_error_status, 400) << bad;
    EXPECT_FALSE(r.input_error.empty());
    EXPECT_EQ(r.body, "");
    EXPECT_EQ(s.calls, 0) << bad;
  }
}

TEST(ReadBody, OverLimitIs413WithoutReading) {
  Limits l;
  l.max_body_bytes = 8;
  FakeStream s{std::string(100, 'x')};
  auto r = with_length("9");
  read_body(r, l, s.fn(), false);
  EXPECT_EQ(r.input_error_status, 413);
  EXPECT_FALSE(r.input_error.empty());
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(s.calls, 0);
}

TEST(ReadBody, AtTheLimitIsAccepted) {
  Limits l;
  l.max_body_bytes = 8;
  FakeStream s{"12345678"};
  auto r = with_length("8");
  read_body(r, l, s.fn(), false);
  EXPECT_EQ(r.input_error_status, 0);
  EXPECT_EQ(r.body, "12345678");
}

TEST(ReadBody, HugeDeclaredLengthIs413NotAnAllocation) {
  FakeStream s{"x"};
  auto r = with_length(std::to_string(std::numeric_limits<std::size_t>::max() / 2));
  read_body(r, Limits{}, s.fn(), false);
  EXPECT_EQ(r.input_error_status, 413);
  EXPECT_EQ(s.calls, 0);
}

TEST(ReadBody, ShortBodyIs400) {
  FakeStream s{"abc"};
  auto r = with_length("10");
  read_body(r, Limits{}, s.fn(), false);
  EXPECT_EQ(r.input_error_status, 400);
  EXPECT_EQ(r.body, "") << "a partial body must not reach the app";
}

TEST(ReadBody, ReadErrorIs400) {
  FakeStream s{"abc"};
  s.error_at_end = -1;
  auto r = with_length("10");
  read_body(r, Limits{}, s.fn(), false);
  EXPECT_EQ(r.input_error_status, 400);
}

TEST(ReadBody, DrainToEofConsumesTheRestAfterAnOversizedBody) {
  Limits l;
  l.max_body_bytes = 4;
  FakeStream s{std::string(50000, 'x')};
  s.chunk = 1000;
  auto r = with_length("50000");
  read_body(r, l, s.fn(), /*drain_to_eof=*/true);
  EXPECT_EQ(r.input_error_status, 413);
  EXPECT_EQ(s.pos, s.data.size()) << "stream not drained";
  EXPECT_EQ(r.body, "") << "drained bytes must not be kept";
}

TEST(ReadBody, DrainToEofConsumesTheRestAfterAMalformedLength) {
  FakeStream s{"leftover"};
  auto r = with_length("nope");
  read_body(r, Limits{}, s.fn(), true);
  EXPECT_EQ(r.input_error_status, 400);
  EXPECT_EQ(s.pos, s.data.size());
}

TEST(ReadBody, DrainToEofAcceptsAnExactBody) {
  FakeStream s{"exact"};
  auto r = with_length("5");
  read_body(r, Limits{}, s.fn(), true);
  EXPECT_EQ(r.input_error_status, 0);
  EXPECT_EQ(r.body, "exact");
}

TEST(ReadBody, DrainToEofRejectsABodyLongerThanDeclared) {
  FakeStream s{"longer than declared"};
  auto r = with_length("6");
  read_body(r, Limits{}, s.fn(), true);
  EXPECT_EQ(r.input_error_status, 400);
  EXPECT_EQ(s.pos, s.data.size());
}

} // namespace
