// The hello app's contract, run three ways with the same cases through fh::testing's client:
// in-process (App::handle), as the CGI binary (RFC 3875 environment + stdin) and as the FastCGI
// worker. Every case must give the same answer in every mode, and after every bad input the
// FastCGI worker must still serve the next request. The worker is also driven by cgi-fcgi (from
// libfcgi-bin, a client nobody here wrote), which must get the same answers as our client.
#include "fcgihost/main.hpp"
#include "fcgihost/testing.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <memory>
#include <sys/wait.h>

namespace ft = fh::testing;

namespace {

enum class Mode { InProcess, Cgi, Fcgi };

struct Case {
  std::string name;
  std::string method, url;
  ft::Body body;
  ft::RequestOptions options;
  int status;
  std::string body_contains; // empty: no check
};

// The targets: the app in this process, hello.cgi, and one hello.fcgi worker for the suite.
struct Targets {
  fh::App app = make_app();
  ft::InProcess in_process{app};
  ft::CgiBinary cgi{FH_HELLO_CGI};
  std::unique_ptr<ft::FcgiWorker> fcgi = std::make_unique<ft::FcgiWorker>(FH_HELLO_FCGI);
};
Targets* g_targets = nullptr; // NOLINT: suite fixture, made on first use

// Stops the worker (kill + reap) when the test program ends.
class TargetsEnvironment : public ::testing::Environment {
public:
  void TearDown() override {
    delete g_targets;
    g_targets = nullptr;
  }
};
[[maybe_unused]] auto* const g_env = ::testing::AddGlobalTestEnvironment(new TargetsEnvironment);

ft::Target& target(Mode mode) {
  if (!g_targets) g_targets = new Targets;
  switch (mode) {
  case Mode::InProcess:
    return g_targets->in_process;
  case Mode::Cgi:
    return g_targets->cgi;
  case Mode::Fcgi:
    break;
  }
  return *g_targets->fcgi;
}

ft::TestResponse run(Mode mode, const Case& c) {
  ft::Client client(target(mode));
  auto options = c.options;
  options.keep_stdin_open = options.keep_stdin_open && mode == Mode::Cgi;
  auto r = client.open(c.method, c.url, c.body, options);
  if (mode == Mode::Cgi) {
    EXPECT_EQ(r.exit_code, 0) << r.errors;
  }
  return r;
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
  const std::string multipart = "multipart/form-data; boundary=XyZ";
  return {
      {"index", "GET", "/", {}, {}, 200, "Hello, world\n"},
      {"greet", "GET", "/hello/bob", {}, {}, 200, "Hello, bob!\n"},
      {"path_from_request_uri",
       "GET",
       "/",
       {},
       {.env = {{"PATH_INFO", std::nullopt},
                {"REQUEST_URI", "/app/hello/zoe?x=1"},
                {"SCRIPT_NAME", "/app"}}},
       200,
       "Hello, zoe!\n"},
      {"query_multi",
       "GET",
       "/echo?a=1&a=2&b=x%20y+z",
       {},
       {},
       200,
       R"("args":{"a":["1","2"],"b":["x y z"]})"},
      {"form",
       "POST",
       "/echo",
       ft::form({{"n", "é"}, {"m", "ok"}}),
       {},
       200,
       R"("form":{"m":["ok"],"n":["é"]})"},
      {"json",
       "PUT",
       "/echo",
       ft::json({{"k", {1, 2}}, {"s", 1}}),
       {},
       200,
       R"("json":{"k":[1,2],"s":1})"},
      {"multipart",
       "POST",
       "/echo",
       ft::raw(multipart_body(), multipart),
       {},
       200,
       R"("files":[{"field":"up","filename":"a.txt","size":10}])"},
      {"cookies",
       "GET",
       "/echo",
       {},
       {.headers = {{"Cookie", "a=1; b=\"two\"; junk"}}},
       200,
       R"("cookies":{"a":["1"],"b":["two"]})"},
      {"head", "HEAD", "/", {}, {}, 200, ""},
      {"post_without_length_does_not_block",
       "POST",
       "/echo",
       {},
       {.keep_stdin_open = true},
       200,
       R"("form":{})"},
      {"not_found", "GET", "/nope", {}, {}, 404, "404 Not Found"},
      {"method_not_allowed", "DELETE", "/", {}, {}, 405, "405"},
      {"bad_percent", "GET", "/echo?a=%zz", {}, {}, 400, "malformed percent-encoding"},
      {"bad_json",
       "POST",
       "/echo",
       ft::raw("{\"a\":[1,", "application/json"),
       {},
       400,
       "malformed JSON"},
      {"bad_multipart",
       "POST",
       "/echo",
       ft::raw("--XyZ\r\ngarbag", multipart),
       {},
       400,
       "multipart"},
      {"json_number_out_of_range",
       "POST",
       "/echo",
       ft::raw("[1e999999]", "application/json"),
       {},
       400,
       "JSON number out of range"},
      {"json_one_level_too_deep",
       "POST",
       "/echo",
       ft::raw(too_deep, "application/json"),
       {},
       400,
       "JSON nested too deeply"},
      {"multipart_unterminated_quote",
       "POST",
       "/echo",
       ft::raw(unterminated, multipart),
       {},
       400,
       "unterminated quoted-string"},
      {"negative_length",
       "POST",
       "/echo",
       {},
       {.env = {{"CONTENT_LENGTH", "-5"}}},
       400,
       "Content-Length"},
      {"non_numeric_length",
       "POST",
       "/echo",
       {},
       {.env = {{"CONTENT_LENGTH", "12abc"}}},
       400,
       "Content-Length"},
      {"short_body",
       "POST",
       "/echo",
       ft::raw("only-ten!!", ""),
       {.env = {{"CONTENT_LENGTH", "100"}}},
       400,
       "shorter than Content-Length"},
      {"body_too_large", "POST", "/echo", ft::raw(big, ""), {}, 413, "413"},
      {"header_too_large",
       "GET",
       "/",
       {},
       {.headers = {{"X-Big", std::string(20000, 'h')}}},
       431,
       "431"},
  };
}

class Contract : public ::testing::TestWithParam<Mode> {};

TEST_P(Contract, EveryCaseAnswersAsSpecified) {
  const Case ok{"next", "GET", "/", {}, {}, 200, "Hello, world\n"};
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
    EXPECT_TRUE(g_targets->fcgi->alive());
  }
}

TEST_P(Contract, HeadHasHeadersButNoBody) {
  const auto r = run(GetParam(), {"head", "HEAD", "/", {}, {}, 200, ""});
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.header("Content-Length"), "13");
  EXPECT_EQ(r.header("Content-Type"), "text/plain; charset=utf-8");
}

TEST_P(Contract, MethodNotAllowedListsAllow) {
  const auto r = run(GetParam(), {"405", "POST", "/hello/x", {}, {}, 405, ""});
  EXPECT_EQ(r.header("Allow"), "GET, HEAD, OPTIONS");
}

TEST_P(Contract, LargeBodyRoundTrips) {
  // 5 MiB through the worker's body reader and back out as JSON.
  std::string value(5 * 1024 * 1024, 'q');
  const auto r = run(GetParam(), {"big", "POST", "/echo", ft::json({{"v", value}}), {}, 200, ""});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["json"]["v"].get<std::string>().size(), value.size());
}

TEST(ContractSameAnswers, AllModesGiveIdenticalResponses) {
  // Byte-for-byte: status, headers and body are the same in every mode.
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
}

// cgi-fcgi (libfcgi's client) sends each case to the worker; it must get what our client got.
TEST(ContractSameAnswers, CgiFcgiGetsWhatTheTestClientGets) {
  auto& worker = static_cast<ft::FcgiWorker&>(target(Mode::Fcgi));
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.name);
    const auto request = ft::Client(worker).build(c.method, c.url, c.body, c.options);
    ft::RunOptions opt;
    for (const auto& [k, v] : request.params)
      opt.env.push_back(k + "=" + v);
    opt.env.push_back("PATH=/usr/bin:/bin");
    opt.input = request.body;
    const auto out = ft::run_program({FH_CGI_FCGI, "-bind", "-connect", worker.address()}, opt);
    ASSERT_FALSE(out.timed_out) << "cgi-fcgi blocked";
    const auto theirs = ft::parse_cgi_response(out.out);
    const auto ours = worker.exchange(request);
    EXPECT_EQ(theirs.status, ours.status);
    EXPECT_EQ(theirs.headers, ours.headers);
    EXPECT_EQ(theirs.body, ours.body);
  }
}

TEST(FcgiWorker, TermFinishesAndExits) {
  ft::FcgiWorker w(FH_HELLO_FCGI);
  EXPECT_EQ(ft::Client(w).get("/").status, 200);
  auto status = w.stop(SIGTERM, std::chrono::seconds(5));
  ASSERT_TRUE(status.has_value()) << "worker ignored SIGTERM";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
}

TEST(FcgiWorker, RefusesToStartWithoutListenSocket) {
  auto r = ft::run_program({FH_HELLO_FCGI});
  EXPECT_EQ(r.exit_code, 3); // fh::sys::worker::kExitBootError
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

// RFC 3875 §4.4: a server may pass the query string as argv ("?--config+/dev/stdin"); the CGI
// front end must not let that choose its config (or do anything else).
TEST(CgiFrontend, IgnoresArgumentsAServerBuiltFromTheQuery) {
  ft::CgiBinary cgi(FH_HELLO_CGI);
  const auto request = ft::Client(cgi).build("GET", "/?--config+/dev/stdin");
  ft::RunOptions opt;
  for (const auto& [k, v] : request.params)
    opt.env.push_back(k + "=" + v);
  opt.input = "[session]\ninsecure_dev = true\n";
  const auto r = ft::run_program({FH_HELLO_CGI, "--config", "/dev/stdin"}, opt);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ft::parse_cgi_response(r.out).body, "Hello, world\n");
  const auto help = ft::run_program({FH_HELLO_CGI, "--help"}, opt);
  EXPECT_EQ(ft::parse_cgi_response(help.out).status, 200) << "--help ended a request";
}

} // namespace
