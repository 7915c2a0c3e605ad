// Unit tests for core/parse: percent-decoding, fh::url_encode, query and urlencoded forms (and
// MultiDict::get_as on them), cookies, Content-Type parameters and multipart/form-data, including
// malformed input and limits (400).
#include "core/parse.hpp"

#include "fcgihost/http_error.hpp"
#include "fcgihost/url.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace {

using fh::HttpError;
using fh::Limits;
using fh::MultiDict;
using namespace fh::detail;

// Runs `fn` and returns the HttpError status it threw, or 0 if it did not throw one.
template <class F> int status_of(F&& fn) {
  try {
    fn();
  } catch (const HttpError& e) {
    return e.status();
  }
  return 0;
}

MultiDict urlencoded(std::string_view in, const Limits& limits = {}) {
  MultiDict out;
  parse_urlencoded(in, limits, out);
  return out;
}

MultiDict cookies(std::string_view in, const Limits& limits = {}) {
  MultiDict out;
  parse_cookies(in, limits, out);
  return out;
}

// ---- percent-encoding ---------------------------------------------------------------------

TEST(PercentDecode, DecodesEscapesInBothCases) {
  EXPECT_EQ(percent_decode("a%20b%2fc%2F", false), "a b/c/");
  EXPECT_EQ(percent_decode("%e2%82%AC", false), "\xe2\x82\xac");
}

TEST(PercentDecode, PlusIsSpaceOnlyWhenAsked) {
  EXPECT_EQ(percent_decode("a+b", true), "a b");
  EXPECT_EQ(percent_decode("a+b", false), "a+b");
  EXPECT_EQ(percent_decode("a%2Bb", true), "a+b");
}

TEST(PercentDecode, RejectsMalformedEscapes) {
  EXPECT_EQ(percent_decode("%", false), std::nullopt);
  EXPECT_EQ(percent_decode("abc%4", false), std::nullopt);
  EXPECT_EQ(percent_decode("%zz", false), std::nullopt);
  EXPECT_EQ(percent_decode("%4g", false), std::nullopt);
  EXPECT_EQ(percent_decode("%g4", false), std::nullopt);
}

TEST(PercentDecode, EscapeAtTheVeryEndIsDecoded) {
  EXPECT_EQ(percent_decode("x%41", false), "xA");
  EXPECT_EQ(percent_decode("%41", false), "A");
}

TEST(PercentDecode, KeepsNulByte) {
  auto out = percent_decode("a%00b", false);
  ASSERT_TRUE(out);
  EXPECT_EQ(*out, std::string("a\0b", 3));
}

TEST(UrlEncode, LeavesUnreservedAndEncodesTheRest) {
  EXPECT_EQ(fh::url_encode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(fh::url_encode("a b&c=d/e?"), "a%20b%26c%3Dd%2Fe%3F");
  EXPECT_EQ(fh::url_encode("\xe2\x82\xac"), "%E2%82%AC");
  EXPECT_EQ(fh::url_encode(""), "");
}

TEST(UrlEncode, KeepsSlashOnlyWhenAsked) {
  EXPECT_EQ(fh::url_encode("a/b c", true), "a/b%20c");
  EXPECT_EQ(fh::url_encode("a/b", false), "a%2Fb");
}

TEST(UrlEncode, RoundTripsThroughDecode) {
  const std::string raw = std::string("x y+z%&=/\x01\xff", 12);
  EXPECT_EQ(percent_decode(fh::url_encode(raw), false), raw);
  EXPECT_EQ(percent_decode(fh::url_encode(raw, true), false), raw);
}

TEST(UrlEncode, IsTheEncoderTheLibraryUsesInternally) {
  EXPECT_EQ(percent_encode("a/b c", true), fh::url_encode("a/b c", true));
}

// ---- urlencoded ---------------------------------------------------------------------------

TEST(ParseUrlencoded, SplitsPairsInOrder) {
  auto d = urlencoded("a=1&b=two&c=");
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d.items()[0], (MultiDict::Item{"a", "1"}));
  EXPECT_EQ(d.items()[1], (MultiDict::Item{"b", "two"}));
  EXPECT_EQ(d.items()[2], (MultiDict::Item{"c", ""}));
}

TEST(ParseUrlencoded, KeepsEveryValueOfARepeatedKey) {
  auto d = urlencoded("tag=x&other=1&tag=y&tag=z");
  EXPECT_EQ(d.get_all("tag"), (std::vector<std::string>{"x", "y", "z"}));
  EXPECT_EQ(d.get("tag"), "x");
  EXPECT_EQ(d.get("other"), "1");
}

TEST(ParseUrlencoded, DecodesPlusAndPercentInKeysAndValues) {
  auto d = urlencoded("first+name=J%C3%B6rg+M%C3%BCller&a%26b=c%3Dd");
  EXPECT_EQ(d.get("first name"), "J\xc3\xb6rg M\xc3\xbcller");
  EXPECT_EQ(d.get("a&b"), "c=d");
}

TEST(ParseUrlencoded, KeyWithoutEqualsHasEmptyValue) {
  auto d = urlencoded("flag&x=1");
  EXPECT_TRUE(d.contains("flag"));
  EXPECT_EQ(d.get("flag"), "");
}

TEST(ParseUrlencoded, ValueMayContainEquals) {
  EXPECT_EQ(urlencoded("k=a=b").get("k"), "a=b");
}

TEST(ParseUrlencoded, SkipsEmptyPairs) {
  auto d = urlencoded("&&a=1&&&b=2&");
  EXPECT_EQ(d.size(), 2u);
  EXPECT_TRUE(urlencoded("").empty());
}

TEST(ParseUrlencoded, MalformedPercentIs400) {
  EXPECT_EQ(status_of([] { urlencoded("a=%zz"); }), 400);
  EXPECT_EQ(status_of([] { urlencoded("a%=1"); }), 400);
  EXPECT_EQ(status_of([] { urlencoded("ok=1&b=%4"); }), 400);
}

TEST(ParseUrlencoded, TooManyFieldsIs400) {
  Limits l;
  l.max_params = 3;
  EXPECT_NO_THROW(urlencoded("a=1&b=2&c=3", l));
  EXPECT_EQ(status_of([&] { urlencoded("a=1&b=2&c=3&d=4", l); }), 400);
}

TEST(ParseUrlencoded, EmptyPairsDoNotCountTowardsTheLimit) {
  Limits l;
  l.max_params = 2;
  EXPECT_EQ(urlencoded("&&&&a=1&&&&b=2&&&&", l).size(), 2u);
}

TEST(ParseUrlencoded, OversizedNameOrValueIs400) {
  Limits l;
  l.max_param_bytes = 4;
  EXPECT_NO_THROW(urlencoded("abcd=1234", l));
  EXPECT_EQ(status_of([&] { urlencoded("k=12345", l); }), 400);
  EXPECT_EQ(status_of([&] { urlencoded("abcde=1", l); }), 400);
}

TEST(ParseUrlencoded, FieldLimitAppliesToTheDecodedSize) {
  Limits l;
  l.max_param_bytes = 2;
  // Six encoded bytes, two decoded bytes: within the limit.
  EXPECT_EQ(urlencoded("k=%41%42", l).get("k"), "AB");
}

TEST(MultiDictGetAs, ReadsAnIntegerAndNothingForAbsentOrEmpty) {
  const auto args = urlencoded("from=42&to=-7&site=&n=1&n=2");
  EXPECT_EQ(args.get_as<std::int64_t>("from"), 42);
  EXPECT_EQ(args.get_as<int>("to"), -7);
  EXPECT_EQ(args.get_as<int>("n"), 1); // the first value, as get()
  EXPECT_EQ(args.get_as<int>("site"), std::nullopt);
  EXPECT_EQ(args.get_as<int>("absent"), std::nullopt);
}

TEST(MultiDictGetAs, NonIntegerOrOutOfRangeIs400NamingTheArgument) {
  const auto args = urlencoded("from=12x&to=1.5&step=%2B3&small=300&big=99999999999999999999");
  for (const char* key : {"from", "to", "step", "big"}) {
    try {
      (void)args.get_as<std::int64_t>(key);
      ADD_FAILURE() << key << " was accepted";
    } catch (const HttpError& e) {
      EXPECT_EQ(e.status(), 400);
      EXPECT_EQ(std::string(e.what()), std::string(key) + " must be an integer");
    }
  }
  EXPECT_EQ(status_of([&] { (void)args.get_as<std::int8_t>("small"); }), 400);
  EXPECT_EQ(args.get_as<std::int16_t>("small"), 300);
}

// ---- cookies ------------------------------------------------------------------------------

TEST(ParseCookies, SplitsOnSemicolonAndTrims) {
  auto c = cookies("a=1;  b=two ;c=3");
  EXPECT_EQ(c.get("a"), "1");
  EXPECT_EQ(c.get("b"), "two");
  EXPECT_EQ(c.get("c"), "3");
  EXPECT_EQ(c.size(), 3u);
}

TEST(ParseCookies, StripsSurroundingQuotes) {
  auto c = cookies("q=\"quoted value\"; lone=\"; e=\"\"");
  EXPECT_EQ(c.get("q"), "quoted value");
  EXPECT_EQ(c.get("lone"), "\"");
  EXPECT_EQ(c.get("e"), "");
}

TEST(ParseCookies, SkipsJunkPairs) {
  auto c = cookies("junk; =nameless; a=1;; ;b=2");
  EXPECT_EQ(c.size(), 2u);
  EXPECT_EQ(c.get("a"), "1");
  EXPECT_EQ(c.get("b"), "2");
  EXPECT_FALSE(c.contains("junk"));
  EXPECT_FALSE(c.contains(""));
}

TEST(ParseCookies, ValueMayContainEqualsAndIsNotPercentDecoded) {
  auto c = cookies("tok=abc==; p=a%20b");
  EXPECT_EQ(c.get("tok"), "abc==");
  EXPECT_EQ(c.get("p"), "a%20b");
}

TEST(ParseCookies, RepeatedNameKeepsBothValues) {
  EXPECT_EQ(cookies("s=1; s=2").get_all("s"), (std::vector<std::string>{"1", "2"}));
}

TEST(ParseCookies, TooManyCookiesIs400) {
  Limits l;
  l.max_params = 2;
  EXPECT_NO_THROW(cookies("a=1; junk; b=2", l));
  EXPECT_EQ(status_of([&] { cookies("a=1; b=2; c=3", l); }), 400);
}

TEST(ParseCookies, OversizedHeaderIs431) {
  Limits l;
  l.max_header_bytes = 16;
  EXPECT_NO_THROW(cookies("a=0123456789abc", l));
  EXPECT_EQ(status_of([&] { cookies("a=0123456789abcdef", l); }), 431);
}

// ---- Content-Type -------------------------------------------------------------------------

TEST(ParseContentType, LowerCasesMediaTypeAndParamNames) {
  auto ct = parse_content_type("Multipart/Form-Data; Boundary=AbC; CHARSET=utf-8");
  EXPECT_EQ(ct.media_type, "multipart/form-data");
  EXPECT_EQ(ct.params.at("boundary"), "AbC"); // values keep their case
  EXPECT_EQ(ct.params.at("charset"), "utf-8");
}

TEST(ParseContentType, UnquotesValuesAndTrimsWhitespace) {
  auto ct = parse_content_type("  text/plain ;  charset = \"iso-8859-1\" ; junk ; x=\"a b\"");
  EXPECT_EQ(ct.media_type, "text/plain");
  EXPECT_EQ(ct.params.at("charset"), "iso-8859-1");
  EXPECT_EQ(ct.params.at("x"), "a b");
  EXPECT_EQ(ct.params.count("junk"), 0u);
}

TEST(ParseContentType, EmptyInputGivesEmptyMediaType) {
  auto ct = parse_content_type("");
  EXPECT_TRUE(ct.media_type.empty());
  EXPECT_TRUE(ct.params.empty());
  EXPECT_EQ(parse_content_type("application/json").params.size(), 0u);
}

// A quoted-string must be closed, and a parameter value is either one quoted-string or a token
// without quotes: anything else is ambiguous (two parsers could read different values) and a 400.
TEST(ParseContentType, MalformedQuotedStringIs400) {
  for (const char* bad : {
           "multipart/form-data; boundary=\"abc",       // never closed
           "multipart/form-data; boundary=\"abc\\\"",   // the closing quote is escaped
           "multipart/form-data; boundary=\"abc\"def",  // junk after the quoted-string
           "multipart/form-data; boundary=\"a\" \"b\"", // two quoted-strings
           "multipart/form-data; boundary=ab\"c\"",     // quote inside a token
           "multipart/form-data; bound\"ary=x",         // quote in a parameter name
           "text/plain; charset=\"utf-8",               // any parameter, not only boundary
           "text/plain; charset=\"utf-8; x=\"y\"",      // a ';' inside the open quote
       }) {
    EXPECT_EQ(status_of([&] { parse_content_type(bad); }), 400) << bad;
  }
}

TEST(ParseContentType, RepeatedParameterIs400) {
  EXPECT_EQ(status_of([] { parse_content_type("multipart/form-data; boundary=a; boundary=b"); }),
            400);
  EXPECT_EQ(status_of([] { parse_content_type("text/plain; charset=a; CHARSET=a"); }), 400);
}

TEST(ParseContentType, WellFormedQuotedStrings) {
  auto ct = parse_content_type(
      "multipart/form-data; a=\"x;y\"; b=\"q\\\"q\" ; c=\"\"; d=\"back\\\\\"; e=tok;");
  EXPECT_EQ(ct.params.at("a"), "x;y");
  EXPECT_EQ(ct.params.at("b"), "q\"q");
  EXPECT_EQ(ct.params.at("c"), "");
  EXPECT_EQ(ct.params.at("d"), "back\\");
  EXPECT_EQ(ct.params.at("e"), "tok");
}

// ---- multipart ----------------------------------------------------------------------------

struct Multipart {
  MultiDict form;
  std::vector<fh::FilePart> files;
};

Multipart multipart(std::string_view body, std::string_view boundary = "XyZ",
                    const Limits& limits = {}) {
  Multipart m;
  parse_multipart(body, boundary, limits, m.form, m.files);
  return m;
}

const std::string kTwoFieldsAndAFile = "--XyZ\r\n"
                                       "Content-Disposition: form-data; name=\"title\"\r\n"
                                       "\r\n"
                                       "Hello world\r\n"
                                       "--XyZ\r\n"
                                       "content-disposition: form-data; name=\"tag\"\r\n"
                                       "\r\n"
                                       "a\r\n"
                                       "--XyZ\r\n"
                                       "Content-Disposition: form-data; name=\"upload\"; "
                                       "filename=\"notes.txt\"\r\n"
                                       "Content-Type: text/plain\r\n"
                                       "\r\n"
                                       "line1\r\nline2\r\n"
                                       "\r\n"
                                       "--XyZ--\r\n";

TEST(ParseMultipart, ParsesFieldsAndFileParts) {
  auto m = multipart(kTwoFieldsAndAFile);
  EXPECT_EQ(m.form.size(), 2u);
  EXPECT_EQ(m.form.get("title"), "Hello world");
  EXPECT_EQ(m.form.get("tag"), "a");
  ASSERT_EQ(m.files.size(), 1u);
  EXPECT_EQ(m.files[0].field, "upload");
  EXPECT_EQ(m.files[0].filename, "notes.txt");
  EXPECT_EQ(m.files[0].content_type, "text/plain");
  // The file's own trailing CRLF is data; only the CRLF before the delimiter is stripped.
  EXPECT_EQ(m.files[0].data, "line1\r\nline2\r\n");
  EXPECT_FALSE(m.form.contains("upload"));
}

TEST(ParseMultipart, FileWithoutContentTypeIsOctetStream) {
  auto m = multipart("--XyZ\r\n"
                     "Content-Disposition: form-data; name=\"f\"; filename=\"b.bin\"\r\n"
                     "\r\n"
                     "bytes\r\n"
                     "--XyZ--");
  ASSERT_EQ(m.files.size(), 1u);
  EXPECT_EQ(m.files[0].data, "bytes");
  EXPECT_EQ(m.files[0].content_type, "application/octet-stream");
}

TEST(ParseMultipart, BinaryFileDataIsKeptExactly) {
  const std::string data("\0\r\n--X\r\n\xff", 9); // NUL, CRLF and a near-miss delimiter
  const std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"b\"\r\n\r\n" + data +
      "\r\n--XyZ--\r\n";
  auto m = multipart(body);
  ASSERT_EQ(m.files.size(), 1u);
  EXPECT_EQ(m.files[0].data, data);
}

TEST(ParseMultipart, EmptyValueAndRepeatedField) {
  auto m = multipart("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n\r\n"
                     "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--XyZ--");
  EXPECT_EQ(m.form.get_all("a"), (std::vector<std::string>{"", "x"}));
}

TEST(ParseMultipart, PreambleAndEpilogueAreIgnored) {
  auto m = multipart("This is a preamble.\r\nStill preamble.\r\n"
                     "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
                     "--XyZ--\r\nepilogue --XyZ junk");
  EXPECT_EQ(m.form.size(), 1u);
  EXPECT_EQ(m.form.get("a"), "1");
}

TEST(ParseMultipart, DelimiterNotAtLineStartIs400) {
  // A preamble that runs into the delimiter without a CRLF is not a delimiter line.
  EXPECT_EQ(status_of([] {
              multipart("preamble--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
                        "--XyZ--");
            }),
            400);
}

TEST(ParseMultipart, EmptyMultipartHasNoParts) {
  auto m = multipart("--XyZ--\r\n");
  EXPECT_TRUE(m.form.empty());
  EXPECT_TRUE(m.files.empty());
}

TEST(ParseMultipart, QuotedBoundaryParameterRoundTrip) {
  auto ct = parse_content_type("multipart/form-data; boundary=\"----WebKitFormBoundary7MA4\"");
  auto m = multipart("------WebKitFormBoundary7MA4\r\n"
                     "Content-Disposition: form-data; name=\"x\"\r\n\r\nv\r\n"
                     "------WebKitFormBoundary7MA4--\r\n",
                     ct.params.at("boundary"));
  EXPECT_EQ(m.form.get("x"), "v");
}

TEST(ParseMultipart, BadBoundaryIs400) {
  EXPECT_EQ(status_of([] { multipart("----\r\n", ""); }), 400);
  EXPECT_EQ(status_of([] { multipart("--x--", std::string(71, 'x')); }), 400);
}

TEST(ParseMultipart, MissingBoundaryInBodyIs400) {
  EXPECT_EQ(status_of([] { multipart("no delimiter here at all"); }), 400);
  EXPECT_EQ(status_of([] { multipart(""); }), 400);
}

TEST(ParseMultipart, MissingContentDispositionIs400) {
  EXPECT_EQ(status_of([] { multipart("--XyZ\r\nContent-Type: text/plain\r\n\r\nv\r\n--XyZ--"); }),
            400);
}

TEST(ParseMultipart, DispositionWithoutNameOrNotFormDataIs400) {
  EXPECT_EQ(status_of([] {
              multipart("--XyZ\r\nContent-Disposition: form-data; filename=\"a\"\r\n\r\nv\r\n"
                        "--XyZ--");
            }),
            400);
  EXPECT_EQ(status_of([] {
              multipart("--XyZ\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nv\r\n"
                        "--XyZ--");
            }),
            400);
}

// name="abc was once taken as a field named "abc (quote included).
TEST(ParseMultipart, UnterminatedQuotedNameOrFilenameIs400) {
  for (const char* disposition : {
           "form-data; name=\"abc", "form-data; name=\"abc\\\"", "form-data; name=\"a\"bc",
           "form-data; name=a\"bc", "form-data; name=\"a\"; filename=\"x.txt",
           "form-data; name=\"a; filename=\"x.txt\"",
           "form-data; name=\"a\"; name=\"b\"", // which name? neither
       }) {
    const std::string body =
        std::string("--XyZ\r\nContent-Disposition: ") + disposition + "\r\n\r\nv\r\n--XyZ--\r\n";
    EXPECT_EQ(status_of([&] { multipart(body); }), 400) << disposition;
  }
}

TEST(ParseMultipart, QuotedNameAndFilenameWithSpecialCharacters) {
  auto m = multipart("--XyZ\r\nContent-Disposition: form-data; name=\"a;b\"; "
                     "filename=\"say \\\"hi\\\".txt\"\r\n\r\nv\r\n--XyZ--\r\n");
  ASSERT_EQ(m.files.size(), 1u);
  EXPECT_EQ(m.files[0].field, "a;b");
  EXPECT_EQ(m.files[0].filename, "say \"hi\".txt");
}

TEST(ParseMultipart, HeaderLineWithoutColonIs400) {
  EXPECT_EQ(status_of([] {
              multipart("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\nbogus\r\n\r\nv\r\n"
                        "--XyZ--");
            }),
            400);
}

TEST(ParseMultipart, PartWithoutHeadersIs400) {
  EXPECT_EQ(status_of([] { multipart("--XyZ\r\n\r\nvalue\r\n--XyZ--"); }), 400);
}

TEST(ParseMultipart, MissingTerminatorIs400) {
  const std::string part = "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1";
  EXPECT_EQ(status_of([&] { multipart(part); }), 400);                   // no delimiter after data
  EXPECT_EQ(status_of([&] { multipart(part + "\r\n--XyZ"); }), 400);     // delimiter, no "--"
  EXPECT_EQ(status_of([&] { multipart(part + "\r\n--XyZ\r\n"); }), 400); // opens a new part
}

TEST(ParseMultipart, UnterminatedHeadersIs400) {
  EXPECT_EQ(status_of([] { multipart("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n"); }),
            400);
}

TEST(ParseMultipart, BareLfInsteadOfCrlfIs400) {
  EXPECT_EQ(status_of([] {
              multipart("--XyZ\nContent-Disposition: form-data; name=\"a\"\n\nv\n--XyZ--\n");
            }),
            400);
}

TEST(ParseMultipart, GarbageAfterDelimiterIs400) {
  EXPECT_EQ(status_of([] {
              multipart("--XyZjunk\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n"
                        "--XyZ--");
            }),
            400);
}

TEST(ParseMultipart, TooManyPartsIs400) {
  Limits l;
  l.max_multipart_parts = 2;
  std::string two, three;
  for (int i = 0; i < 3; ++i) {
    std::string part =
        "--XyZ\r\nContent-Disposition: form-data; name=\"f" + std::to_string(i) + "\"\r\n\r\nv\r\n";
    if (i < 2) two += part;
    three += part;
  }
  EXPECT_EQ(multipart(two + "--XyZ--", "XyZ", l).form.size(), 2u);
  EXPECT_EQ(status_of([&] { multipart(three + "--XyZ--", "XyZ", l); }), 400);
}

TEST(ParseMultipart, OversizedFieldValueIs400) {
  Limits l;
  l.max_param_bytes = 3;
  EXPECT_NO_THROW(multipart(
      "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n123\r\n--XyZ--", "XyZ", l));
  EXPECT_EQ(status_of([&] {
              multipart("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1234\r\n"
                        "--XyZ--",
                        "XyZ", l);
            }),
            400);
}

TEST(ParseMultipart, OversizedPartHeaderIs400) {
  Limits l;
  l.max_header_bytes = 64;
  const std::string body = "--XyZ\r\nContent-Disposition: form-data; name=\"" +
                           std::string(100, 'n') + "\"\r\n\r\nv\r\n--XyZ--";
  EXPECT_EQ(status_of([&] { multipart(body, "XyZ", l); }), 400);
}

// Browsers send ';' inside a quoted filename literally; it must not end the parameter.
TEST(ParseMultipart, QuotedFilenameMayContainSemicolon) {
  auto m = multipart("--XyZ\r\n"
                     "Content-Disposition: form-data; name=\"f\"; filename=\"my;file.txt\"\r\n"
                     "\r\n"
                     "data\r\n--XyZ--");
  ASSERT_EQ(m.files.size(), 1u);
  EXPECT_EQ(m.files[0].filename, "my;file.txt");
}

// RFC 7230 quoted-string: a backslash escapes the next character, so an escaped quote neither
// ends the value nor smuggles a second parameter in.
TEST(ParseMultipart, QuotedStringEscapesAreDecoded) {
  auto m = multipart("--XyZ\r\n"
                     "Content-Disposition: form-data; name=\"a\\\"; filename=\\\"\"\r\n"
                     "\r\n"
                     "v\r\n--XyZ--");
  EXPECT_TRUE(m.files.empty());
  EXPECT_EQ(m.form.get("a\"; filename=\""), "v");
}

} // namespace
