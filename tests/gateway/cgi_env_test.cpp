// Unit tests for spawn/gateway/cgi_env: the allow-list environment of a CGI process.
#include <algorithm>
#include <gtest/gtest.h>

#include "cgi_env.hpp"

using namespace fh::gateway;

namespace {
bool has(const std::vector<std::string>& env, const std::string& entry) {
  return std::find(env.begin(), env.end(), entry) != env.end();
}
bool has_name(const std::vector<std::string>& env, const std::string& name) {
  return std::any_of(env.begin(), env.end(),
                     [&](const std::string& e) { return e.rfind(name + "=", 0) == 0; });
}
ResolvedScript script(std::string path_info = "") {
  ResolvedScript s;
  s.script_name = "/cgi-bin/a.sh";
  s.filename = "/srv/cgi/a.sh";
  s.path_info = std::move(path_info);
  return s;
}
} // namespace

TEST(ParamsFromEnvp, SplitsOnFirstEquals) {
  const char* envp[] = {"A=1", "B=x=y", "NOEQ", "=v", nullptr};
  auto p = params_from_envp(envp);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(param(p, "B"), "x=y");
  EXPECT_EQ(param(p, "C"), "");
}

TEST(BuildCgiEnv, ComputedVariables) {
  Params p = {{"REQUEST_METHOD", "POST"},
              {"CONTENT_LENGTH", "12"},
              {"DOCUMENT_ROOT", "/www/"},
              {"SERVER_PROTOCOL", "HTTP/1.1"},
              {"SCRIPT_FILENAME", "/etc/passwd"}};
  auto env = build_cgi_env(p, script("/x/y"));
  EXPECT_TRUE(has(env, "GATEWAY_INTERFACE=CGI/1.1"));
  EXPECT_TRUE(has(env, "SCRIPT_NAME=/cgi-bin/a.sh"));
  EXPECT_TRUE(has(env, "SCRIPT_FILENAME=/srv/cgi/a.sh")); // ours, not the param's
  EXPECT_FALSE(has(env, "SCRIPT_FILENAME=/etc/passwd"));
  EXPECT_TRUE(has(env, "PATH_INFO=/x/y"));
  EXPECT_TRUE(has(env, "PATH_TRANSLATED=/www/x/y"));
  EXPECT_TRUE(has(env, "REQUEST_METHOD=POST"));
  EXPECT_TRUE(has(env, "CONTENT_LENGTH=12"));
  EXPECT_TRUE(has(env, "SERVER_PROTOCOL=HTTP/1.1"));
  EXPECT_TRUE(has(env, "PATH=" + std::string(kCgiPath)));
}

TEST(BuildCgiEnv, NoPathInfoMeansNoPathInfoVariables) {
  auto env = build_cgi_env({{"DOCUMENT_ROOT", "/www"}}, script());
  EXPECT_FALSE(has_name(env, "PATH_INFO"));
  EXPECT_FALSE(has_name(env, "PATH_TRANSLATED"));
  EXPECT_TRUE(has(env, "REQUEST_METHOD=GET"));
  EXPECT_TRUE(has(env, "SERVER_PROTOCOL=HTTP/1.0"));
}

TEST(BuildCgiEnv, AllowListOnly) {
  Params p = {{"HTTP_PROXY", "http://evil:3128"},
              {"HTTP_USER_AGENT", "curl"},
              {"LD_PRELOAD", "/tmp/x.so"},
              {"HOME", "/root"},
              {"HTTP_bad-name", "x"},
              {"HTTP_X_EVIL", "a\nb"},
              {"QUERY_STRING", "a=1&b=2"},
              {"CONTENT_LENGTH", "12abc"},
              {"HTTPS", "on"},
              {"REQUEST_METHOD", "get; rm"},
              {"HTTP_USER_AGENT", "second"}};
  auto env = build_cgi_env(p, script());
  EXPECT_FALSE(has_name(env, "HTTP_PROXY"));
  EXPECT_FALSE(has_name(env, "LD_PRELOAD"));
  EXPECT_FALSE(has_name(env, "HOME"));
  EXPECT_FALSE(has_name(env, "HTTP_bad-name"));
  EXPECT_FALSE(has_name(env, "HTTP_X_EVIL"));
  EXPECT_FALSE(has_name(env, "CONTENT_LENGTH"));
  EXPECT_TRUE(has(env, "HTTP_USER_AGENT=curl"));
  EXPECT_FALSE(has(env, "HTTP_USER_AGENT=second"));
  EXPECT_TRUE(has(env, "QUERY_STRING=a=1&b=2"));
  EXPECT_TRUE(has(env, "HTTPS=on"));
  EXPECT_TRUE(has(env, "REQUEST_METHOD=GET"));
}
