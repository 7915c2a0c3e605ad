// hello: "/" says hello, "/hello/<name>" greets, "/echo" returns what it was sent as JSON
// (method, path, args, form, files, JSON body, cookies). The same source is hello.cgi and
// hello.fcgi; the tests drive both with the same cases.
#include <fcgihost/fcgihost.hpp>

#include <nlohmann/json.hpp>

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
  j["args"] = multidict_json(rq.args());
  j["form"] = multidict_json(rq.form());
  j["files"] = nlohmann::json::array();
  for (const auto& f : rq.files())
    j["files"].push_back({{"field", f.field}, {"filename", f.filename}, {"size", f.data.size()}});
  j["json"] = rq.is_json() ? rq.json() : nlohmann::json(nullptr);
  j["cookies"] = multidict_json(rq.cookies());
  return fh::Response::json(j);
}

} // namespace

fh::App make_app() {
  fh::App app("hello");
  app.route(
      "/", {fh::GET}, [](fh::Request&) { return fh::Response::text("Hello, world\n"); }, "index");
  app.route(
      "/hello/<name>", {fh::GET},
      [](fh::Request& rq) { return fh::Response::text("Hello, " + rq.path_param("name") + "!\n"); },
      "greet");
  app.route("/echo", {fh::GET, fh::POST, fh::PUT, fh::DELETE, fh::PATCH}, echo, "echo");
  return app;
}
