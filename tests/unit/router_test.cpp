// Unit tests for core/router: pattern compilation (converters, bad patterns), matching order,
// 404 vs 405 with the allowed-method list, duplicate endpoints and url_for (build).
#include "core/router.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace {

using fh::Method;
using fh::detail::compile_pattern;
using fh::detail::Route;
using fh::detail::Router;
using fh::detail::Segment;

Route make_route(std::string pattern, std::vector<Method> methods, std::string endpoint) {
  Route r;
  r.pattern = std::move(pattern);
  r.methods = std::move(methods);
  r.endpoint = std::move(endpoint);
  r.handler = [](fh::Request&) { return fh::Response("x"); };
  return r;
}

// The endpoint matched for `path`/`method`, or "" when nothing matched.
std::string endpoint_of(const Router& r, std::string_view path, std::string_view method = "GET") {
  auto m = r.match(path, method);
  return m.route ? m.route->endpoint : std::string();
}

// ---- compile_pattern ----------------------------------------------------------------------

TEST(CompilePattern, SplitsStaticAndConverterSegments) {
  auto s = compile_pattern("/users/<int:id>/<name>/<string:s>/files/<path:rest>");
  ASSERT_EQ(s.size(), 6u);
  EXPECT_EQ(s[0].kind, Segment::Kind::Static);
  EXPECT_EQ(s[0].text, "users");
  EXPECT_EQ(s[1].kind, Segment::Kind::Int);
  EXPECT_EQ(s[1].text, "id");
  EXPECT_EQ(s[2].kind, Segment::Kind::String);
  EXPECT_EQ(s[2].text, "name");
  EXPECT_EQ(s[3].kind, Segment::Kind::String);
  EXPECT_EQ(s[3].text, "s");
  EXPECT_EQ(s[4].kind, Segment::Kind::Static);
  EXPECT_EQ(s[5].kind, Segment::Kind::Path);
  EXPECT_EQ(s[5].text, "rest");
}

TEST(CompilePattern, RootIsOneEmptyStaticSegment) {
  auto s = compile_pattern("/");
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].kind, Segment::Kind::Static);
  EXPECT_EQ(s[0].text, "");
}

TEST(CompilePattern, RejectsBadPatterns) {
  for (const char* bad : {"", "users", "/<float:x>", "/<>", "/<int:>", "/<a-b>", "/<x>/<x>",
                          "/<path:p>/tail", "/a<x>", "/<x", "/x>", "/<int:x:y>"}) {
    EXPECT_THROW(compile_pattern(bad), std::invalid_argument) << "pattern: '" << bad << "'";
  }
}

TEST(CompilePattern, AcceptsUnderscoresAndDigitsInNames) {
  EXPECT_NO_THROW(compile_pattern("/<user_id2>/<int:n_1>"));
}

// ---- Router::add --------------------------------------------------------------------------

TEST(Router, BadPatternRejectedAtRegistration) {
  Router r;
  EXPECT_THROW(r.add(make_route("/<bogus:x>", {Method::Get}, "e")), std::invalid_argument);
  EXPECT_TRUE(r.routes().empty());
}

TEST(Router, DuplicateEndpointRejected) {
  Router r;
  r.add(make_route("/a", {Method::Get}, "view"));
  EXPECT_THROW(r.add(make_route("/b", {Method::Get}, "view")), std::invalid_argument);
  EXPECT_EQ(r.routes().size(), 1u);
  EXPECT_EQ(endpoint_of(r, "/b"), "");
}

TEST(Router, NoMethodsMeansGet) {
  Router r;
  r.add(make_route("/a", {}, "a"));
  EXPECT_EQ(endpoint_of(r, "/a", "GET"), "a");
  EXPECT_EQ(endpoint_of(r, "/a", "POST"), "");
}

// ---- matching -----------------------------------------------------------------------------

TEST(Router, MatchesStaticRoutesExactly) {
  Router r;
  r.add(make_route("/", {Method::Get}, "index"));
  r.add(make_route("/about", {Method::Get}, "about"));
  EXPECT_EQ(endpoint_of(r, "/"), "index");
  EXPECT_EQ(endpoint_of(r, "/about"), "about");
  EXPECT_EQ(endpoint_of(r, "/about/"), "");
  EXPECT_EQ(endpoint_of(r, "/About"), "");
  EXPECT_EQ(endpoint_of(r, "/about/x"), "");
}

TEST(Router, MatchesIntConverter) {
  Router r;
  r.add(make_route("/users/<int:id>", {Method::Get}, "user"));
  auto m = r.match("/users/42", "GET");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.args.at("id"), "42");
  EXPECT_EQ(endpoint_of(r, "/users/abc"), "");
  EXPECT_EQ(endpoint_of(r, "/users/-1"), "");
  EXPECT_EQ(endpoint_of(r, "/users/4.2"), "");
  EXPECT_EQ(endpoint_of(r, "/users/"), "");
  EXPECT_EQ(endpoint_of(r, "/users/99999999999999999999999"), ""); // would overflow int64
}

TEST(Router, MatchesStringConverterWithinOneSegment) {
  Router r;
  r.add(make_route("/hello/<name>", {Method::Get}, "hello"));
  auto m = r.match("/hello/J\xc3\xb6rg b", "GET");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.args.at("name"), "J\xc3\xb6rg b");
  EXPECT_EQ(endpoint_of(r, "/hello/a/b"), "");
  EXPECT_EQ(endpoint_of(r, "/hello/"), "");
  EXPECT_EQ(endpoint_of(r, "/hello"), "");
}

TEST(Router, MatchesPathConverterAcrossSlashes) {
  Router r;
  r.add(make_route("/files/<path:rest>", {Method::Get}, "files"));
  auto m = r.match("/files/a/b/c.txt", "GET");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.args.at("rest"), "a/b/c.txt");
  EXPECT_EQ(r.match("/files/x", "GET").args.at("rest"), "x");
  EXPECT_EQ(endpoint_of(r, "/files/"), "");
  EXPECT_EQ(endpoint_of(r, "/files"), "");
}

TEST(Router, StaticSegmentBeatsConverterWhateverTheRegistrationOrder) {
  for (bool static_first : {true, false}) {
    Router r;
    if (static_first) r.add(make_route("/users/new", {Method::Get}, "new"));
    r.add(make_route("/users/<name>", {Method::Get}, "by_name"));
    if (!static_first) r.add(make_route("/users/new", {Method::Get}, "new"));
    EXPECT_EQ(endpoint_of(r, "/users/new"), "new") << "static_first=" << static_first;
    EXPECT_EQ(endpoint_of(r, "/users/bob"), "by_name");
  }
}

TEST(Router, IntBeatsStringBeatsPath) {
  Router r;
  r.add(make_route("/x/<path:p>", {Method::Get}, "path"));
  r.add(make_route("/x/<s>", {Method::Get}, "string"));
  r.add(make_route("/x/<int:i>", {Method::Get}, "int"));
  EXPECT_EQ(endpoint_of(r, "/x/7"), "int");
  EXPECT_EQ(endpoint_of(r, "/x/seven"), "string");
  EXPECT_EQ(endpoint_of(r, "/x/a/b"), "path");
}

TEST(Router, LongerStaticRouteBeatsPathCatchAll) {
  Router r;
  r.add(make_route("/<path:p>", {Method::Get}, "catchall"));
  r.add(make_route("/api/<int:id>/edit", {Method::Get}, "edit"));
  EXPECT_EQ(endpoint_of(r, "/api/3/edit"), "edit");
  EXPECT_EQ(endpoint_of(r, "/api/3/view"), "catchall");
}

TEST(Router, UnknownPathIs404WithNoAllowedMethods) {
  Router r;
  r.add(make_route("/a", {Method::Get}, "a"));
  auto m = r.match("/b", "GET");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.allowed.empty());
}

TEST(Router, WrongMethodIs405WithAllowedListIncludingHeadAndOptions) {
  Router r;
  r.add(make_route("/items", {Method::Get, Method::Post}, "items"));
  auto m = r.match("/items", "DELETE");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.allowed, (std::vector<std::string>{"GET", "HEAD", "OPTIONS", "POST"}));
}

TEST(Router, AllowedListMergesEveryRouteMatchingThePath) {
  Router r;
  r.add(make_route("/items/<int:id>", {Method::Put}, "put"));
  r.add(make_route("/items/<name>", {Method::Delete}, "del"));
  auto m = r.match("/items/5", "PATCH");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.allowed, (std::vector<std::string>{"DELETE", "OPTIONS", "PUT"}));
}

TEST(Router, PostOnlyRouteDoesNotAllowHead) {
  Router r;
  r.add(make_route("/submit", {Method::Post}, "submit"));
  auto m = r.match("/submit", "HEAD");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.allowed, (std::vector<std::string>{"OPTIONS", "POST"}));
}

TEST(Router, AMatchedRouteBuildsNoAllowList) {
  // The Allow list is for 405 and OPTIONS only: a request that has its route does not pay for it.
  Router r;
  r.add(make_route("/items", {Method::Get, Method::Post}, "items"));
  auto m = r.match("/items", "POST");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->endpoint, "items");
  EXPECT_TRUE(m.allowed.empty());
}

TEST(Router, HeadMatchesTheGetRoute) {
  Router r;
  r.add(make_route("/page", {Method::Get}, "page"));
  EXPECT_EQ(endpoint_of(r, "/page", "HEAD"), "page");
}

TEST(Router, SamePathDifferentMethodsGoToDifferentRoutes) {
  Router r;
  r.add(make_route("/thing", {Method::Get}, "read"));
  r.add(make_route("/thing", {Method::Post}, "write"));
  EXPECT_EQ(endpoint_of(r, "/thing", "GET"), "read");
  EXPECT_EQ(endpoint_of(r, "/thing", "POST"), "write");
}

TEST(Router, MethodFallsThroughToALessSpecificRoute) {
  Router r;
  r.add(make_route("/u/new", {Method::Get}, "new_form"));
  r.add(make_route("/u/<name>", {Method::Post}, "update"));
  EXPECT_EQ(endpoint_of(r, "/u/new", "POST"), "update");
}

TEST(Router, UnknownMethodIs405NotACrash) {
  Router r;
  r.add(make_route("/a", {Method::Get}, "a"));
  auto m = r.match("/a", "PROPFIND");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_FALSE(m.allowed.empty());
  auto lower = r.match("/a", "get"); // methods are case-sensitive (RFC 9110)
  EXPECT_EQ(lower.route, nullptr);
}

// ---- build (url_for) ----------------------------------------------------------------------

TEST(RouterBuild, FillsParameters) {
  Router r;
  r.add(make_route("/users/<int:id>/posts/<slug>", {Method::Get}, "post"));
  EXPECT_EQ(r.build("post", {{"id", "7"}, {"slug", "hi"}}), "/users/7/posts/hi");
}

TEST(RouterBuild, BuildsRootAndTrailingSlash) {
  Router r;
  r.add(make_route("/", {Method::Get}, "index"));
  r.add(make_route("/dir/", {Method::Get}, "dir"));
  EXPECT_EQ(r.build("index", {}), "/");
  EXPECT_EQ(r.build("dir", {}), "/dir/");
}

TEST(RouterBuild, PercentEncodesStringParamsButKeepsSlashInPath) {
  Router r;
  r.add(make_route("/hello/<name>", {Method::Get}, "hello"));
  r.add(make_route("/files/<path:p>", {Method::Get}, "files"));
  EXPECT_EQ(r.build("hello", {{"name", "a b/c?d"}}), "/hello/a%20b%2Fc%3Fd");
  EXPECT_EQ(r.build("files", {{"p", "dir/my file.txt"}}), "/files/dir/my%20file.txt");
}

TEST(RouterBuild, ExtraParamsBecomeTheEncodedQuery) {
  Router r;
  r.add(make_route("/hello/<name>", {Method::Get}, "hello"));
  EXPECT_EQ(r.build("hello", {{"name", "x"}, {"q", "a&b=c"}, {"page", "2"}}),
            "/hello/x?page=2&q=a%26b%3Dc");
  EXPECT_EQ(r.build("hello", {{"name", "x"}, {"k y", "1 2"}}), "/hello/x?k%20y=1%202");
}

TEST(RouterBuild, MissingParamThrows) {
  Router r;
  r.add(make_route("/users/<int:id>", {Method::Get}, "user"));
  EXPECT_THROW(r.build("user", {}), std::invalid_argument);
  EXPECT_THROW(r.build("user", {{"other", "1"}}), std::invalid_argument);
}

TEST(RouterBuild, NonIntegerForIntConverterThrows) {
  Router r;
  r.add(make_route("/users/<int:id>", {Method::Get}, "user"));
  EXPECT_THROW(r.build("user", {{"id", "abc"}}), std::invalid_argument);
}

TEST(RouterBuild, UnknownEndpointThrows) {
  Router r;
  r.add(make_route("/a", {Method::Get}, "a"));
  EXPECT_THROW(r.build("b", {}), std::invalid_argument);
}

TEST(RouterBuild, BuiltUrlMatchesBackToTheSameRoute) {
  Router r;
  r.add(make_route("/users/new", {Method::Get}, "new"));
  r.add(make_route("/users/<name>", {Method::Get}, "user"));
  const auto url = r.build("user", {{"name", "bob"}});
  EXPECT_EQ(endpoint_of(r, url), "user");
  EXPECT_EQ(r.match(url, "GET").args.at("name"), "bob");
}

} // namespace
