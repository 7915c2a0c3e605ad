// fh::testing's client against its fixture app in every mode (in-process, NAME.cgi, NAME.fcgi on
// TCP and on a unix socket): the same calls give the same answers and leave the same cookies.
// And process ownership: a worker is killed and reaped with its FcgiWorker, a CGI process that
// never answers is killed and reaped, a dead worker is a clear error.
#include "fcgihost/main.hpp"
#include "fcgihost/testing.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>
#include <filesystem>
#include <sys/wait.h>

namespace ft = fh::testing;
using namespace std::chrono_literals;

namespace {

// The same conversation in any mode: its answers, and the jar at the end.
struct Transcript {
  std::vector<ft::TestResponse> answers;
  std::string jar;
};

Transcript converse(ft::Target& target) {
  ft::Client client(target);
  Transcript t;
  t.answers.push_back(client.get("/cookie/set?name=a&value=1"));
  t.answers.push_back(client.get("/cookie/set?name=b&value=2&max_age=60"));
  t.answers.push_back(client.get("/echo?x=y", {.headers = {{"X-Token", "t"}}}));
  t.answers.push_back(client.post("/echo", ft::json({{"k", {1, 2, 3}}})));
  t.answers.push_back(client.put("/echo", ft::form({{"f", "a b"}, {"f", "c"}})));
  t.answers.push_back(client.get("/cookie/delete?name=a"));
  t.answers.push_back(client.del("/echo"));
  t.answers.push_back(client.head("/echo"));
  t.answers.push_back(client.get("/nope"));
  t.answers.push_back(client.get("/fail"));
  t.jar = client.cookies().header();
  return t;
}

// The headers with each Set-Cookie's Expires date (the clock at the answer) blanked out.
ft::Pairs timeless(ft::Pairs headers) {
  for (auto& [k, v] : headers) {
    const auto at = v.find("Expires=");
    if (k == "Set-Cookie" && at != std::string::npos)
      v.replace(at, v.find(';', at) - at, "Expires=X");
  }
  return headers;
}

void expect_same(const Transcript& a, const Transcript& b, const char* mode) {
  SCOPED_TRACE(mode);
  ASSERT_EQ(a.answers.size(), b.answers.size());
  for (std::size_t i = 0; i < a.answers.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(a.answers[i].status, b.answers[i].status);
    EXPECT_EQ(timeless(a.answers[i].headers), timeless(b.answers[i].headers));
    EXPECT_EQ(a.answers[i].body, b.answers[i].body);
  }
  EXPECT_EQ(a.jar, b.jar);
}

TEST(TestClientModes, EveryModeGivesTheSameAnswers) {
  const fh::App app = make_app();
  ft::InProcess in_process(app);
  const auto reference = converse(in_process);
  EXPECT_EQ(reference.jar, "b=2");
  EXPECT_EQ(reference.answers[2].json()["cookies"], nlohmann::json({{"a", {"1"}}, {"b", {"2"}}}));
  EXPECT_EQ(reference.answers[6].json()["cookies"], nlohmann::json({{"b", {"2"}}}));
  EXPECT_EQ(reference.answers[7].body, "");
  EXPECT_EQ(reference.answers[9].status, 500);

  ft::CgiBinary cgi(FH_FIXTURE_CGI);
  expect_same(reference, converse(cgi), "cgi");
  ft::FcgiWorker tcp(FH_FIXTURE_FCGI);
  expect_same(reference, converse(tcp), "fcgi tcp");
  ft::FcgiWorker unix_socket(FH_FIXTURE_FCGI, {.unix_socket = true});
  EXPECT_EQ(unix_socket.address().front(), '/');
  expect_same(reference, converse(unix_socket), "fcgi unix");
}

bool reaped(pid_t pid) {
  return ::kill(pid, 0) == -1 && errno == ESRCH;
}

TEST(TestClientProcesses, WorkerIsKilledAndReapedWithItsOwner) {
  pid_t pid = -1;
  std::filesystem::path socket;
  {
    ft::FcgiWorker worker(FH_FIXTURE_FCGI, {.unix_socket = true});
    pid = worker.pid();
    socket = worker.address();
    EXPECT_EQ(ft::Client(worker).get("/echo").status, 200);
    ft::FcgiWorker moved = std::move(worker); // ownership moves, the worker keeps running
    EXPECT_TRUE(moved.alive());
    EXPECT_FALSE(reaped(pid));
  }
  EXPECT_TRUE(reaped(pid)) << "worker " << pid << " outlived its FcgiWorker (or is a zombie)";
  EXPECT_FALSE(std::filesystem::exists(socket.parent_path()));
}

TEST(TestClientProcesses, CgiThatNeverAnswersIsKilledAndReaped) {
  ft::CgiBinary cgi(FH_FIXTURE_CGI, {.timeout = 300ms});
  ft::Client client(cgi);
  // Declares a body it never sends, and stdin stays open: the CGI waits for it forever.
  EXPECT_THROW(
      client.post("/echo", {}, {.env = {{"CONTENT_LENGTH", "100"}}, .keep_stdin_open = true}),
      std::runtime_error);
  errno = 0;
  EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1) << "a child is left";
  EXPECT_EQ(errno, ECHILD);
}

TEST(TestClientProcesses, ADeadWorkerIsAClearError) {
  ft::FcgiWorker worker(FH_FIXTURE_FCGI);
  ft::Client client(worker);
  EXPECT_EQ(client.get("/echo").status, 200);
  ASSERT_TRUE(worker.stop(SIGKILL, 10s).has_value());
  EXPECT_FALSE(worker.alive());
  try {
    client.get("/echo");
    ADD_FAILURE() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("gave no answer"), std::string::npos) << e.what();
  }
}

TEST(TestClientProcesses, ProgramsRunToCompletionWithTheirInput) {
  const auto r = ft::run_program({"/bin/sh", "-c", "cat; echo err >&2; exit 3"}, {.input = "in"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "in");
  EXPECT_EQ(r.err, "err\n");
  const auto hung = ft::run_program({"/bin/sh", "-c", "exec sleep 60"}, {.timeout = 200ms});
  EXPECT_TRUE(hung.timed_out);
  errno = 0;
  EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

} // namespace
