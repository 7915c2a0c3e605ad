// Unit tests for the request's typed context (set / ctx / find, one value per type, seen by hooks,
// views, error handlers and teardown) and for templates as an app service (a root relative to
// the binary's directory, rq.render).
#include "fcgihost/app.hpp"
#include "fcgihost/config.hpp"
#include "fcgihost/template.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace {

using fh::App;
using fh::GET;
using fh::Request;
using fh::Response;

Response get(const App& app, const std::string& path) {
  fh::RawRequest r;
  r.params = {{"REQUEST_METHOD", "GET"}, {"PATH_INFO", path}};
  return app.handle(std::move(r));
}

struct User {
  std::string name;
};
struct Counter {
  int n = 0;
};

TEST(RequestContext, HookStoresHandlersAndTeardownRead) {
  App app("t");
  std::string seen_in_teardown;
  app.before_request([](Request& rq) -> std::optional<Response> {
    if (rq.args().get("as")) rq.set(User{*rq.args().get("as")});
    rq.emplace<Counter>().n = 1;
    return std::nullopt;
  });
  app.route("/", {GET}, [](Request& rq) {
    ++rq.ctx<Counter>().n;
    const User* u = rq.find<User>();
    return Response((u ? u->name : std::string("anonymous")) + " " +
                    std::to_string(rq.ctx<Counter>().n));
  });
  app.teardown_request([&](Request& rq, std::exception_ptr) {
    seen_in_teardown = rq.find<User>() ? rq.find<User>()->name : "-";
  });
  fh::RawRequest r;
  r.params = {{"REQUEST_METHOD", "GET"}, {"PATH_INFO", "/"}, {"QUERY_STRING", "as=ann"}};
  EXPECT_EQ(app.handle(std::move(r)).body(), "ann 2");
  EXPECT_EQ(seen_in_teardown, "ann");
  EXPECT_EQ(get(app, "/").body(), "anonymous 2"); // nothing carried over between requests
  EXPECT_EQ(seen_in_teardown, "-");
}

TEST(RequestContext, SetReplacesAndMissingCtxIsA500) {
  App app("t");
  app.route("/", {GET}, [](Request& rq) {
    rq.set(User{"a"});
    rq.set(User{"b"});
    return Response(rq.ctx<User>().name);
  });
  app.route("/missing", {GET}, [](Request& rq) { return Response(rq.ctx<User>().name); });
  EXPECT_EQ(get(app, "/").body(), "b");
  EXPECT_EQ(get(app, "/missing").status(), 500);
}

// ---- templates as an app service -----------------------------------------------------------

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string t = (std::filesystem::temp_directory_path() / "fh-tpl-XXXXXX").string();
    path = ::mkdtemp(t.data());
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

TEST(TemplateService, DefaultRootIsNameDotTemplatesBesideTheBinary) {
  fh::Config cfg;
  const auto s = fh::TemplateSettings::from_config(cfg, "site");
  EXPECT_EQ(s.root, fh::executable_dir() / "site.templates");
  EXPECT_TRUE(s.options.strict);
  cfg.set("templates.root", "relative/tpl");
  cfg.set("templates.strict", "false");
  const auto r = fh::TemplateSettings::from_config(cfg, "site");
  EXPECT_EQ(r.root, fh::executable_dir() / "relative/tpl");
  EXPECT_FALSE(r.options.strict);
  cfg.set("templates.root", "/srv/tpl");
  EXPECT_EQ(fh::TemplateSettings::from_config(cfg, "site").root, "/srv/tpl");
  // The test binary's own directory: where /proc/self/exe is.
  EXPECT_TRUE(std::filesystem::exists(fh::executable_dir()));
}

TEST(TemplateService, RenderFromTheRequest) {
  TempDir dir;
  std::ofstream(dir.path / "hi.tpl") << "{{%AUTOESCAPE context=\"HTML\"}}Hi {{NAME}}!";
  App app("t");
  app.config().set("templates.root", dir.path.string());
  app.use_templates();
  app.route("/", {GET}, [](Request& rq) {
    return rq.render("hi.tpl", nlohmann::json{{"NAME", "<b>"}}, 201);
  });
  app.route("/dict", {GET}, [](Request& rq) {
    fh::TemplateDict d;
    d.set("NAME", "dict");
    return rq.render("hi.tpl", d);
  });
  app.route("/missing", {GET},
            [](Request& rq) { return rq.render("nope.tpl", fh::TemplateDict{}); });
  auto r = get(app, "/");
  EXPECT_EQ(r.status(), 201);
  EXPECT_EQ(r.body(), "Hi &lt;b&gt;!");
  EXPECT_EQ(r.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(get(app, "/dict").body(), "Hi dict!");
  EXPECT_EQ(get(app, "/missing").status(), 500);
  App none("n");
  none.route("/", {GET}, [](Request& rq) { return rq.render("hi.tpl", fh::TemplateDict{}); });
  EXPECT_EQ(get(none, "/").status(), 500); // no use_templates: a bug, answered 500
}

} // namespace
