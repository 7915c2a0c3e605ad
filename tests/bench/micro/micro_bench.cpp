// In-process cost of one request through the framework: RFC 3875 params -> RawRequest ->
// App::handle (parse query + cookies, route, run the /echo view, build JSON) -> serialized CGI
// response. The headline figure: /echo GET with 5 query args and 3 cookies (goal: under 5 us).
#include "fcgihost/main.hpp"
#include "io/response_writer.hpp"

#include <benchmark/benchmark.h>

namespace {

fh::RawRequest echo_request() {
  fh::RawRequest raw;
  raw.params = {{"GATEWAY_INTERFACE", "CGI/1.1"},
                {"REQUEST_METHOD", "GET"},
                {"SCRIPT_NAME", ""},
                {"PATH_INFO", "/echo"},
                {"REQUEST_URI", "/echo?a=1&b=two&c=three%20four&d=5&e=six"},
                {"QUERY_STRING", "a=1&b=two&c=three%20four&d=5&e=six"},
                {"SERVER_NAME", "localhost"},
                {"SERVER_PORT", "8080"},
                {"SERVER_PROTOCOL", "HTTP/1.1"},
                {"REMOTE_ADDR", "127.0.0.1"},
                {"HTTP_HOST", "localhost:8080"},
                {"HTTP_USER_AGENT", "wrk"},
                {"HTTP_ACCEPT", "*/*"},
                {"HTTP_COOKIE", "session=abc123; theme=dark; lang=en"}};
  return raw;
}

void BM_EchoGet(benchmark::State& state) {
  const fh::App app = make_app();
  const fh::RawRequest proto = echo_request();
  for (auto _ : state) {
    fh::RawRequest raw = proto; // a front end copies the params out of libfcgi the same way
    std::string out = fh::detail::serialize_response(app.handle(std::move(raw)), false);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_EchoGet);

void BM_HelloGet(benchmark::State& state) {
  const fh::App app = make_app();
  fh::RawRequest proto = echo_request();
  proto.params[3].second = "/hello/world";
  for (auto _ : state) {
    fh::RawRequest raw = proto;
    std::string out = fh::detail::serialize_response(app.handle(std::move(raw)), false);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_HelloGet);

} // namespace

BENCHMARK_MAIN();
