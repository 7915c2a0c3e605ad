// The hello app's contract, run three ways with the same cases: in-process (App::handle), as the
// CGI binary (RFC 3875 environment + stdin) and as the FastCGI worker (driven by cgi-fcgi from
// libfcgi-bin, a client nobody here wrote). Every case must give the same answer in every mode,
// and after every bad input the FastCGI worker must still serve the next request.
#include "subprocess.hpp"

#include "fcgihost/main.hpp"
#include "io/body_reader.hpp"
#include "io/response_writer.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <memory>
#include <sys/wait.h>

using fh::test::CgiResponse;

namespace {

enum class Mode { InProcess, Cgi, Fcgi };

struct Case {
  std::string name;
  std::vector<std::string> env; // CGI meta-variables besides the common ones
  std::string body;
  int status;
  std::string body_contains;    // empty: no check
  bool keep_stdin_open = false; // CGI: leave stdin open (the app must not wait for a body)
};

std::vector<std::string> base_env(const std::vector<std::string>& extra) {
  std::vector<std::string> env = {"GATEWAY_INTERFACE=CGI/1.1",
                                  "SERVER_PROTOCOL=HTTP/1.1",
                                  "SERVER_NAME=localhost",
                                  "SERVER_PORT=80",
                                  "REMOTE_ADDR=127.0.0.1",
                                  "SCRIPT_NAME=",
                                  "QUERY_STRING="};
  for (const auto& e : extra) {
    auto name = e.substr(0, e.find('='));
    std::erase_if(env, [&](const std::string& x) { return x.substr(0, x.find('=')) == name; });
    env.push_back(e);
  }
  return env;
}

// One FastCGI worker for the whole suite, on a socket handed over at fd 0 as spawn does.
struct FcgiWorker {
  fh::test::Listener listener;
  std::unique_ptr<fh::test::ChildProcess> child;
  FcgiWorker() {
    child = std::make_unique<fh::test::ChildProcess>(std::vector<std::string>{FH_HELLO_FCGI},
                                                     listener.fd);
  }
};
FcgiWorker* g_worker = nullptr; // NOLINT: suite fixture

std::string run_in_process(const std::vector<std::string>& env, const std::string& body) {
  static const fh::App app = make_app();
  fh::RawRequest raw;
  for (const auto& e : env) {
    auto eq = e.find('=');
    raw.params.emplace_back(e.substr(0, eq), e.substr(eq + 1));
  }
  std::size_t pos = 0;
  fh::detail::read_body(
      raw, app.limits(),
      [&](char* buf, std::size_t n) {
        n = std::min(n, body.size() - pos);
        std::copy_n(body.data() + pos, n, buf);
        pos += n;
        return static_cast<long>(n);
      },
      true);
  const bool head = raw.param("REQUEST_METHOD") == "HEAD";
  return fh::detail::serialize_response(app.handle(std::move(raw)), head);
}

CgiResponse run(Mode mode, const Case& c) {
  auto env = base_env(c.env);
  fh::test::RunOptions opt;
  opt.env = env;
  opt.input = c.body;
  opt.keep_stdin_open = c.keep_stdin_open && mode == Mode::Cgi; // cgi-fcgi copies stdin to EOF
  switch (mode) {
  case Mode::InProcess:
    return fh::test::parse_cgi_response(run_in_process(env, c.body));
  case Mode::Cgi: {
    auto r = fh::test::run_process({FH_HELLO_CGI}, opt);
    EXPECT_FALSE(r.timed_out) << "hello.cgi blocked";
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return fh::test::parse_cgi_response(r.out);
  }
  case Mode::Fcgi: {
    opt.env.push_back("PATH=/usr/bin:/bin");
    auto r = fh::test::run_process(
        {FH_CGI_FCGI, "-bind", "-connect", "127.0.0.1:" + std::to_string(g_worker->listener.port)},
        opt);
    EXPECT_FALSE(r.timed_out) << "cgi-fcgi blocked";
    return fh::test::parse_cgi_response(r.out);
  }
  }
  return {};
}

std::string multipart_body() {
  return "--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nhi there\r\n"
         "--XyZ\r\nContent-Disposition: form-data; name=\"up\"; filename=\"a.txt\"\r\n"
         "Content-Type: text/plain\r\n\r\nfile-bytes\r\n--XyZ--\r\n";
}

std::vector<Case> cases() {
  const std::string big(11 * 1024 * 1024, 'x');
  const std::string too_deep = std::string(129, '[') + std::string(129, ']'); // limit: 128
  const std::string unterminated =
      "--XyZ\r\nContent-Disposition: form-data; name=\"abc\r\n\r\nv\r\n--XyZ--\r\n";
  return {
      {"index", {"REQUEST_METHOD=GET", "PATH_INFO=/"}, "", 200, "Hello, world\n"},
      {"greet", {"REQUEST_METHOD=GET", "PATH_INFO=/hello/bob"}, "", 200, "Hello, bob!\n"},
      {"path_from_request_uri",
       {"REQUEST_METHOD=GET", "REQUEST_URI=/app/hello/zoe?x=1", "SCRIPT_NAME=/app"},
       "",
       200,
       "Hello, zoe!\n"},
      {"query_multi",
       {"REQUEST_METHOD=GET", "PATH_INFO=/echo", "QUERY_STRING=a=1&a=2&b=x%20y+z"},
       "",
       200,
       R"("args":{"a":["1","2"],"b":["x y z"]})"},
      {"form",
       {"REQUEST_METHOD=POST", "PATH_INFO=/echo", "CONTENT_TYPE=application/x-www-form-urlencoded",
        "CONTENT_LENGTH=13"},
       "n=%C3%A9&m=ok",
       200,
       R"("form":{"m":["ok"],"n":["é"]})"},
      {"json",
       {"REQUEST_METHOD=PUT", "PATH_INFO=/echo", "CONTENT_TYPE=application/json",
        "CONTENT_LENGTH=17"},
       R"({"k":[1,2],"s":1})",
       200,
       R"("json":{"k":[1,2],"s":1})"},
      {"multipart",
       {"REQUEST_METHOD=POST", "PATH_INFO=/echo", "CONTENT_TYPE=multipart/form-data; boundary=XyZ",
        "CONTENT_LENGTH=" + std::to_string(multipart_body().size())},
       multipart_body(),
       200,
       R"("files":[{"field":"up","filename":"a.txt","size":10}])"},
      {"cookies",
       {"REQUEST_METHOD=GET", "PATH_INFO=/echo", "HTTP_COOKIE=a=1; b=\"two\"; junk"},
       "",
       200,
       R"("cookies":{"a":["1"],"b":["two"]})"},
      {"head", {"REQUEST_METHOD=HEAD", "PATH_INFO=/"}, "", 200, ""},
      {"post_without_length_does_not_block",
       {"REQUEST_METHOD=POST", "PATH_INFO=/echo"},
       "",
       200,
       R"("form":{})",
       true},
      {"not_found", {"REQUEST_METHOD=GET", "PATH_INFO=/nope"}, "", 404, "404 Not Found"},
      {"method_not_allowed", {"REQUEST_METHOD=DELETE", "PATH_INFO=/"}, "", 405, "405"},
      {"bad_percent",
       {"REQUEST_METHOD=GET", "PATH_INFO=/echo", "QUERY_STRING=a=%zz"},
       "",
       400,
       "malformed percent-encoding"},
      {"bad_json",
       {"REQUEST_METHOD=POST", "PATH_INFO=/echo", "CONTENT_TYPE=application/json",
        "CONTENT_LENGTH=8"},
       "{\"a\":[1,",
       400,
       "malformed JSON"},
      {"bad_multipart",
       {"REQUEST_METHOD=POST", "PATH_INFO=/echo", "CONTENT_TYPE=multipart/form-data; boundary=XyZ",
        "CONTENT_LENGTH=13"},
       "--XyZ\r\ngarbag",
       400,
       "multipart"},
      {"json_number_out_of_range",
       {"REQUEST_METHOD=POST", "PATH_INFO=/echo", "CONTENT_TYPE=application/json",
        "CONTENT_LENGTH=10"},
       "[1e999999]",
       400,
       "JSON number out of range"},
      {"json_one_level_too_deep",
       {"REQUEST_METHOD=POST", "PATH_INFO=/echo", "CONTENT_TYPE=application/json",
        "CONTENT_LENGTH=" + std::to_string(too_deep.size())},
       too_deep,
       400,
       "JSON nested too deeply"},
      {"multipart_unterminated_quote",
       {"REQUEST_METHOD=POST", "PATH_INFO=/echo", "CONTENT_TYPE=multipart/form-data; boundary=XyZ",
        "CONTENT_LENGTH=" + std::to_string(unterminated.size())},
       unterminated,
       400,
       "unterminated quoted-string"},
      {"negative_length",
       {"REQUEST_METHOD=POST", "PATH_INFO=/echo", "CONTENT_LENGTH=-5"},
       "",
       400,
       "Content-Length"},
      {"non_numeric_length",
       {"REQUEST_METHOD=POST", "PATH_INFO=/echo", "CONTENT_LENGTH=12abc"},
       "",
       400,
       "Content-Length"},
      {"short_body",
       {"REQUEST_METHOD=POST", "PATH_INFO=/echo", "CONTENT_LENGTH=100"},
       "only-ten!!",
       400,
       "shorter than Content-Length"},
      {"body_too_large",
       {"REQUEST_METHOD=POST", "PATH_INFO=/echo", "CONTENT_LENGTH=" + std::to_string(big.size())},
       big,
       413,
       "413"},
      {"header_too_large",
       {"REQUEST_METHOD=GET", "PATH_INFO=/", "HTTP_X_BIG=" + std::string(20000, 'h')},
       "",
       431,
       "431"},
  };
}

class Contract : public ::testing::TestWithParam<Mode> {
public:
  static void SetUpTestSuite() { g_worker = new FcgiWorker(); }
  static void TearDownTestSuite() {
    delete g_worker;
    g_worker = nullptr;
  }
};

TEST_P(Contract, EveryCaseAnswersAsSpecified) {
  const Case ok{"next", {"REQUEST_METHOD=GET", "PATH_INFO=/"}, "", 200, "Hello, world\n"};
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.name);
    const auto r = run(GetParam(), c);
    EXPECT_EQ(r.status, c.status) << r.body;
    if (!c.body_contains.empty()) {
      EXPECT_NE(r.body.find(c.body_contains), std::string::npos) << r.body;
    }
    if (c.status >= 400) {
      // A clear, short, plain reason; and the next request is served normally.
      EXPECT_LT(r.body.size(), 200u);
      EXPECT_EQ(run(GetParam(), ok).status, 200);
    }
  }
  if (GetParam() == Mode::Fcgi) {
    EXPECT_TRUE(g_worker->child->alive());
  }
}

TEST_P(Contract, HeadHasHeadersButNoBody) {
  const auto r = run(GetParam(), {"head", {"REQUEST_METHOD=HEAD", "PATH_INFO=/"}, "", 200, ""});
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.header("Content-Length"), "13");
  EXPECT_EQ(r.header("Content-Type"), "text/plain; charset=utf-8");
}

TEST_P(Contract, MethodNotAllowedListsAllow) {
  const auto r =
      run(GetParam(), {"405", {"REQUEST_METHOD=POST", "PATH_INFO=/hello/x"}, "", 405, ""});
  EXPECT_EQ(r.header("Allow"), "GET, HEAD, OPTIONS");
}

TEST_P(Contract, LargeBodyRoundTrips) {
  // 5 MiB through the worker's body reader and back out as JSON.
  std::string value(5 * 1024 * 1024, 'q');
  std::string body = R"({"v":")" + value + R"("})";
  const auto r =
      run(GetParam(), {"big",
                       {"REQUEST_METHOD=POST", "PATH_INFO=/echo", "CONTENT_TYPE=application/json",
                        "CONTENT_LENGTH=" + std::to_string(body.size())},
                       body,
                       200,
                       ""});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(nlohmann::json::parse(r.body)["json"]["v"].get<std::string>().size(), value.size());
}

TEST(ContractSameAnswers, AllModesGiveIdenticalResponses) {
  // Byte-for-byte: status, headers and body are the same in every mode.
  if (!g_worker) g_worker = new FcgiWorker();
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.name);
    const auto a = run(Mode::InProcess, c), b = run(Mode::Cgi, c), f = run(Mode::Fcgi, c);
    EXPECT_EQ(a.status, b.status);
    EXPECT_EQ(a.status, f.status);
    EXPECT_EQ(a.body, b.body);
    EXPECT_EQ(a.body, f.body);
    EXPECT_EQ(a.headers, b.headers);
    EXPECT_EQ(a.headers, f.headers);
  }
  delete g_worker;
  g_worker = nullptr;
}

TEST(FcgiWorker, TermFinishesAndExits) {
  FcgiWorker w;
  const Case ok{"ok", {"REQUEST_METHOD=GET", "PATH_INFO=/"}, "", 200, ""};
  g_worker = &w;
  EXPECT_EQ(run(Mode::Fcgi, ok).status, 200);
  g_worker = nullptr;
  auto status = w.child->stop(SIGTERM, std::chrono::seconds(5));
  ASSERT_TRUE(status.has_value()) << "worker ignored SIGTERM";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
}

TEST(FcgiWorker, RefusesToStartWithoutListenSocket) {
  auto r = fh::test::run_process({FH_HELLO_FCGI}, {});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("not a listening socket"), std::string::npos) << r.err;
}

INSTANTIATE_TEST_SUITE_P(Modes, Contract, ::testing::Values(Mode::InProcess, Mode::Cgi, Mode::Fcgi),
                         [](const ::testing::TestParamInfo<Mode>& p) {
                           switch (p.param) {
                           case Mode::InProcess:
                             return std::string("InProcess");
                           case Mode::Cgi:
                             return std::string("Cgi");
                           case Mode::Fcgi:
                             return std::string("Fcgi");
                           }
                           return std::string("?");
                         });

} // namespace

namespace {

// RFC 3875 §4.4: a server may pass the query string as argv ("?--config+/dev/stdin"); the CGI
// front end must not let that choose its config (or do anything else).
TEST(CgiFrontend, IgnoresArgumentsAServerBuiltFromTheQuery) {
  fh::test::RunOptions opt;
  opt.env = base_env({"REQUEST_METHOD=GET", "PATH_INFO=/", "QUERY_STRING=--config+/dev/stdin"});
  opt.input = "[session]\ninsecure_dev = true\n";
  const auto r = fh::test::run_process({FH_HELLO_CGI, "--config", "/dev/stdin"}, opt);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(fh::test::parse_cgi_response(r.out).body, "Hello, world\n");
  const auto help = fh::test::run_process({FH_HELLO_CGI, "--help"}, opt);
  EXPECT_EQ(fh::test::parse_cgi_response(help.out).status, 200) << "--help ended a request";
}

} // namespace
