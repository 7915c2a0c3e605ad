// Unit tests for the worker's FastCGI protocol parser (io/fcgi_protocol): complete requests only,
// bounded memory, pipelining in order, management records, roles, abort, framing errors.
#include "io/fcgi_protocol.hpp"

#include <fastcgi.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace fh::detail {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

std::string begin(std::uint16_t id, int role = FCGI_RESPONDER, bool keep = true) {
  std::string out;
  const char body[8] = {static_cast<char>(role >> 8),
                        static_cast<char>(role & 0xff),
                        static_cast<char>(keep ? FCGI_KEEP_CONN : 0),
                        0,
                        0,
                        0,
                        0,
                        0};
  append_fcgi_record(out, FCGI_BEGIN_REQUEST, id, std::string_view(body, 8));
  return out;
}

std::string stream(int type, std::uint16_t id, const std::string& data) {
  std::string out;
  for (std::size_t i = 0; i < data.size(); i += 65535)
    append_fcgi_record(out, type, id, std::string_view(data).substr(i, 65535));
  append_fcgi_record(out, type, id, {});
  return out;
}

std::string request(std::uint16_t id, const Pairs& params, const std::string& body = {},
                    bool keep = true) {
  return begin(id, FCGI_RESPONDER, keep) + stream(FCGI_PARAMS, id, encode_fcgi_params(params)) +
         stream(FCGI_STDIN, id, body);
}

struct Record {
  int type;
  std::uint16_t id;
  std::string content;
};

std::vector<Record> records(const std::string& bytes) {
  std::vector<Record> out;
  std::size_t i = 0;
  while (i + 8 <= bytes.size()) {
    const auto* h = reinterpret_cast<const unsigned char*>(bytes.data() + i);
    const std::size_t len = (std::size_t{h[4]} << 8) | h[5];
    out.push_back({h[1], static_cast<std::uint16_t>((h[2] << 8) | h[3]), bytes.substr(i + 8, len)});
    i += 8 + len + h[6];
  }
  EXPECT_EQ(i, bytes.size()) << "trailing bytes";
  return out;
}

TEST(FcgiProtocol, CompleteRequestIsHandedOutWithParamsAndBody) {
  FcgiParser p({});
  ASSERT_TRUE(p.feed(request(1, {{"REQUEST_METHOD", "POST"}, {"CONTENT_LENGTH", "5"}}, "hello")));
  auto r = p.next();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->id, 1);
  EXPECT_TRUE(r->keep_conn);
  EXPECT_EQ(r->raw.param("REQUEST_METHOD").value_or(""), "POST");
  EXPECT_EQ(r->raw.body, "hello");
  EXPECT_EQ(r->raw.input_error_status, 0);
  EXPECT_FALSE(p.mid_request());
  EXPECT_FALSE(p.next());
}

TEST(FcgiProtocol, ByteByByteGivesTheSameRequestAndNothingBeforeTheEnd) {
  const std::string bytes = request(7, {{"A", "1"}, {"CONTENT_LENGTH", "3"}}, "abc", false);
  FcgiParser p({});
  for (std::size_t i = 0; i + 1 < bytes.size(); ++i) {
    ASSERT_TRUE(p.feed(bytes.substr(i, 1)));
    ASSERT_FALSE(p.next()) << "request handed out before its last byte (at " << i << ")";
    EXPECT_TRUE(p.mid_request());
  }
  ASSERT_TRUE(p.feed(bytes.substr(bytes.size() - 1)));
  auto r = p.next();
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->keep_conn);
  EXPECT_EQ(r->raw.body, "abc");
}

TEST(FcgiProtocol, StalledAfterOneParamsRecordIsNeverARequest) {
  FcgiParser p({});
  std::string partial = begin(1);
  append_fcgi_record(partial, FCGI_PARAMS, 1, encode_fcgi_params({{"REQUEST_METHOD", "GET"}}));
  ASSERT_TRUE(p.feed(partial));
  EXPECT_FALSE(p.next());
  EXPECT_TRUE(p.mid_request());
}

TEST(FcgiProtocol, ParamsOverTheCapAreDroppedAndAnswered431) {
  FcgiLimits limits;
  limits.max_params_bytes = 1000;
  FcgiParser p(limits);
  ASSERT_TRUE(p.feed(request(1, {{"HTTP_X", std::string(5000, 'x')}})));
  auto r = p.next();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->raw.input_error_status, 431);
  EXPECT_TRUE(r->raw.params.empty());
}

TEST(FcgiProtocol, BodyOverTheLimitIs413AndNotKept) {
  FcgiLimits limits;
  limits.max_body_bytes = 100;
  FcgiParser p(limits);
  ASSERT_TRUE(p.feed(request(1, {{"CONTENT_LENGTH", "200"}}, std::string(200, 'b'))));
  auto r = p.next();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->raw.input_error_status, 413);
  EXPECT_TRUE(r->raw.body.empty());
}

TEST(FcgiProtocol, BodyMustMatchContentLength) {
  for (const auto& [cl, body] : std::vector<std::pair<std::string, std::string>>{
           {"10", "short"}, {"1", "longer"}, {"x", ""}, {"-1", ""}}) {
    FcgiParser p({});
    ASSERT_TRUE(p.feed(request(1, {{"CONTENT_LENGTH", cl}}, body)));
    auto r = p.next();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->raw.input_error_status, 400) << cl;
  }
}

TEST(FcgiProtocol, MalformedParamsAre400) {
  FcgiParser p({});
  ASSERT_TRUE(p.feed(begin(1) +
                     stream(FCGI_PARAMS, 1,
                            "\x05\x01"
                            "ab") +
                     stream(FCGI_STDIN, 1, "")));
  auto r = p.next();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->raw.input_error_status, 400);
}

TEST(FcgiProtocol, PipelinedRequestsComeOutInOrderOneAtATime) {
  FcgiParser p({});
  ASSERT_TRUE(p.feed(request(1, {{"N", "first"}}) + request(2, {{"N", "second"}})));
  EXPECT_GT(p.buffered(), 0u) << "the second request waits unparsed behind the first";
  auto a = p.next();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->raw.param("N").value_or(""), "first");
  auto b = p.next();
  ASSERT_TRUE(b);
  EXPECT_EQ(b->raw.param("N").value_or(""), "second");
  EXPECT_FALSE(p.next());
}

TEST(FcgiProtocol, GetValuesIsAnsweredWithTheTrueLimits) {
  FcgiLimits limits;
  limits.max_conns = 4000;
  limits.max_reqs = 3;
  FcgiParser p(limits);
  std::string q;
  append_fcgi_record(q, FCGI_GET_VALUES, 0,
                     encode_fcgi_params({{"FCGI_MAX_CONNS", ""},
                                         {"FCGI_MAX_REQS", ""},
                                         {"FCGI_MPXS_CONNS", ""},
                                         {"NOT_A_VARIABLE", ""}}));
  ASSERT_TRUE(p.feed(q));
  auto recs = records(p.take_output());
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].type, FCGI_GET_VALUES_RESULT);
  Pairs values;
  ASSERT_TRUE(decode_fcgi_params(recs[0].content, values));
  EXPECT_EQ(values,
            (Pairs{{"FCGI_MAX_CONNS", "4000"}, {"FCGI_MAX_REQS", "3"}, {"FCGI_MPXS_CONNS", "0"}}));
}

TEST(FcgiProtocol, UnknownManagementTypeGetsUnknownType) {
  FcgiParser p({});
  std::string q;
  append_fcgi_record(q, 42, 0, "zz");
  ASSERT_TRUE(p.feed(q));
  auto recs = records(p.take_output());
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].type, FCGI_UNKNOWN_TYPE);
  EXPECT_EQ(static_cast<unsigned char>(recs[0].content[0]), 42);
}

TEST(FcgiProtocol, UnknownRoleIsRefusedAndItsRecordsIgnored) {
  FcgiParser p({});
  ASSERT_TRUE(p.feed(begin(3, FCGI_AUTHORIZER, false) + stream(FCGI_PARAMS, 3, "") +
                     stream(FCGI_STDIN, 3, "")));
  EXPECT_FALSE(p.next());
  auto recs = records(p.take_output());
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].type, FCGI_END_REQUEST);
  EXPECT_EQ(recs[0].id, 3);
  EXPECT_EQ(static_cast<unsigned char>(recs[0].content[4]), FCGI_UNKNOWN_ROLE);
  EXPECT_TRUE(p.close_after_output());
}

TEST(FcgiProtocol, AbortEndsTheRequestWithoutRunningIt) {
  FcgiParser p({});
  std::string bytes = begin(5);
  append_fcgi_record(bytes, FCGI_PARAMS, 5, encode_fcgi_params({{"A", "b"}}));
  append_fcgi_record(bytes, FCGI_ABORT_REQUEST, 5, {});
  ASSERT_TRUE(p.feed(bytes));
  EXPECT_FALSE(p.next());
  EXPECT_FALSE(p.mid_request());
  auto recs = records(p.take_output());
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].type, FCGI_END_REQUEST);
  EXPECT_EQ(recs[0].id, 5);
  EXPECT_FALSE(p.close_after_output()) << "FCGI_KEEP_CONN was set";
}

TEST(FcgiProtocol, ASecondRequestIdWhileOneIsOpenIsCantMpx) {
  FcgiParser p({});
  ASSERT_TRUE(p.feed(begin(1) + begin(2)));
  auto recs = records(p.take_output());
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].id, 2);
  EXPECT_EQ(static_cast<unsigned char>(recs[0].content[4]), FCGI_CANT_MPX_CONN);
}

TEST(FcgiProtocol, FramingErrorsAreRefused) {
  FcgiParser bad_version({});
  EXPECT_FALSE(bad_version.feed(std::string("\x02\x01\x00\x01\x00\x08\x00\x00", 8)));
  EXPECT_FALSE(bad_version.error().empty());
  EXPECT_FALSE(bad_version.feed(request(1, {}))) << "stays failed";
  FcgiParser short_begin({});
  std::string b;
  append_fcgi_record(b, FCGI_BEGIN_REQUEST, 1, "abc");
  EXPECT_FALSE(short_begin.feed(b));
  FcgiParser stdin_first({});
  EXPECT_FALSE(stdin_first.feed(begin(1) + stream(FCGI_STDIN, 1, "x")));
}

TEST(FcgiProtocol, ParamsRoundTripWithLongLengths) {
  const Pairs in{{"SHORT", "v"}, {std::string(200, 'n'), std::string(70000, 'v')}, {"", ""}};
  Pairs out;
  ASSERT_TRUE(decode_fcgi_params(encode_fcgi_params(in), out));
  EXPECT_EQ(out, in);
  Pairs junk;
  EXPECT_FALSE(decode_fcgi_params(std::string("\x80\x00\x00\xff\x01", 5), junk));
}

TEST(FcgiProtocol, ResponseIsStdoutRecordsThenEndRequest) {
  std::string out;
  append_fcgi_response(out, 9, std::string(200000, 'r'));
  auto recs = records(out);
  ASSERT_GE(recs.size(), 5u);
  std::string body;
  for (std::size_t i = 0; i + 2 < recs.size(); ++i) {
    EXPECT_EQ(recs[i].type, FCGI_STDOUT);
    EXPECT_EQ(recs[i].id, 9);
    body += recs[i].content;
  }
  EXPECT_EQ(body, std::string(200000, 'r'));
  EXPECT_EQ(recs[recs.size() - 2].type, FCGI_STDOUT);
  EXPECT_TRUE(recs[recs.size() - 2].content.empty());
  EXPECT_EQ(recs.back().type, FCGI_END_REQUEST);
  EXPECT_EQ(recs.back().content.size(), 8u);
}

} // namespace
} // namespace fh::detail
