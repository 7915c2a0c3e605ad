// Fuzz target: a whole request through App::handle with a tiny app (routes with converters,
// a blueprint, args, form, files, JSON, cookies, headers, sessions, url_for) and the response
// serializer. Input: newline-separated METHOD, PATH_INFO, QUERY_STRING, HTTP_COOKIE,
// CONTENT_TYPE, HTTP_HOST, then the body.
#include "fcgihost/app.hpp"
#include "fuzz_support.hpp"
#include "io/response_writer.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace {

nlohmann::json multidict_json(const fh::MultiDict& d) {
  auto out = nlohmann::json::object();
  for (const auto& [k, v] : d)
    out[k].push_back(v);
  return out;
}

fh::Response echo(fh::Request& rq) {
  nlohmann::json j;
  j["method"] = rq.method();
  j["path"] = rq.path();
  j["url"] = rq.url();
  j["args"] = multidict_json(rq.args());
  j["form"] = multidict_json(rq.form());
  j["files"] = nlohmann::json::array();
  for (const auto& f : rq.files())
    j["files"].push_back({{"field", f.field}, {"filename", f.filename}, {"size", f.data.size()}});
  j["json"] = rq.is_json() ? rq.json() : nlohmann::json(nullptr);
  j["cookies"] = multidict_json(rq.cookies());
  for (const auto& [name, value] : rq.headers())
    j["headers"][name] = value;
  return fh::Response::json(j);
}

const fh::App& app() {
  static const fh::App instance = [] {
    fh::App a("request-fuzz");
    a.limits().max_params = 32;
    a.limits().max_multipart_parts = 8;
    fh::SessionSettings s;
    s.secret = "request-fuzz session secret, 32 bytes or more";
    a.use_sessions(s);
    a.route(
        "/", {fh::GET}, [](fh::Request&) { return fh::Response::text("index\n"); }, "index");
    a.route("/echo", {fh::GET, fh::POST, fh::PUT}, echo, "echo");
    a.route(
        "/users/<int:id>", {fh::GET, fh::DELETE},
        [](fh::Request& rq) {
          return fh::Response::text(std::to_string(rq.path_param<std::int64_t>("id")) + " " +
                                    rq.url_for("user", {{"id", rq.path_param("id")}}));
        },
        "user");
    a.route(
        "/files/<path:rest>", {fh::GET},
        [](fh::Request& rq) {
          return fh::Response::text(rq.url_for("file", {{"rest", rq.path_param("rest")}}));
        },
        "file");
    a.route(
        "/count", {fh::GET, fh::POST},
        [](fh::Request& rq) {
          auto& session = rq.session();
          const auto n = session.get<long>("n", 0);
          if (rq.method() == "POST") session.set("n", n + 1);
          // A short client string kept in the session (a user name, a flash message).
          if (auto name = rq.args().get("name"); name && name->size() <= 100)
            session.set("name", *name);
          if (rq.args().contains("clear")) session.clear();
          fh::Response r = fh::Response::text(std::to_string(n));
          r.set_cookie("seen", "1");
          return r;
        },
        "count");
    fh::Blueprint bp("bp", "/bp");
    bp.route(
        "/<name>", {fh::GET, fh::POST},
        [](fh::Request& rq) { return fh::Response::text(rq.path_param("name")); }, "show");
    a.register_blueprint(bp);
    return a;
  }();
  return instance;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in = fh::fuzz::as_view(data, size);
  fh::RawRequest raw;
  const char* const names[] = {"REQUEST_METHOD", "PATH_INFO",    "QUERY_STRING",
                               "HTTP_COOKIE",    "CONTENT_TYPE", "HTTP_HOST"};
  for (const char* name : names)
    raw.params.emplace_back(name, std::string(fh::fuzz::take_line(in)));
  raw.params.emplace_back("SCRIPT_NAME", "/app");
  raw.params.emplace_back("CONTENT_LENGTH", std::to_string(in.size()));
  raw.body = std::string(in);
  const bool head = raw.params[0].second == "HEAD";

  const fh::Response resp = app().handle(std::move(raw));
  // Every answer to client input is a success or a client error: a 500 would be an exception
  // the library let escape.
  FH_FUZZ_CHECK(resp.status() >= 200 && resp.status() < 500);
  const std::string wire = fh::detail::serialize_response(resp, head);
  // The head is one block of CRLF lines: nothing from the input split it.
  const auto end = wire.find("\r\n\r\n");
  FH_FUZZ_CHECK(end != std::string::npos);
  for (std::size_t i = 0; i < end; ++i) {
    if (wire[i] == '\n') FH_FUZZ_CHECK(i > 0 && wire[i - 1] == '\r');
    if (wire[i] == '\r') FH_FUZZ_CHECK(wire[i + 1] == '\n');
    FH_FUZZ_CHECK(wire[i] != '\0');
  }
  return 0;
}
