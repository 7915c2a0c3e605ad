// The app the test client's own tests drive in all three modes: it sets and deletes cookies,
// echoes what it was sent (cookies, a header, JSON, form fields) and can fail on purpose.
#include <fcgihost/fcgihost.hpp>

#include <nlohmann/json.hpp>

namespace {

nlohmann::json multidict_json(const fh::MultiDict& d) {
  auto out = nlohmann::json::object();
  for (const auto& [k, v] : d)
    out[k].push_back(v);
  return out;
}

} // namespace

fh::App make_app() {
  fh::App app("client_fixture");
  // /cookie/set?name=N&value=V[&max_age=S]: a Set-Cookie header; /cookie/delete?name=N expires it.
  app.route("/cookie/set", {fh::GET}, [](fh::Request& rq) {
    fh::CookieOptions options;
    if (auto age = rq.args().get("max_age")) options.max_age = std::stol(*age);
    return fh::Response::text("set\n").set_cookie(rq.args().get_or("name", "c"),
                                                  rq.args().get_or("value", ""), options);
  });
  app.route("/cookie/delete", {fh::GET}, [](fh::Request& rq) {
    return fh::Response::text("deleted\n").delete_cookie(rq.args().get_or("name", "c"));
  });
  app.route("/echo", {fh::GET, fh::POST, fh::PUT, fh::PATCH, fh::DELETE}, [](fh::Request& rq) {
    nlohmann::json j;
    j["method"] = rq.method();
    j["path"] = rq.path();
    j["args"] = multidict_json(rq.args());
    j["cookies"] = multidict_json(rq.cookies());
    j["token"] = rq.header("X-Token").value_or("");
    j["form"] = rq.is_json() ? nlohmann::json::object() : multidict_json(rq.form());
    j["json"] = rq.is_json() ? rq.json() : nlohmann::json(nullptr);
    return fh::Response::json(j);
  });
  app.route("/fail", {fh::GET},
            [](fh::Request&) -> fh::Response { throw std::runtime_error("deliberate failure"); });
  return app;
}
