// notes: the out-of-tree test app: a route, a template and SQLite. GET / lists the notes through
// templates/notes.tpl, POST /add?text=T stores one. Config (APP_CONFIG_FILE, or notes.ini beside
// the binary): db.path; templates.root (default notes.templates/ beside the binary).
#include <fcgihost/fcgihost.hpp>
#include <fcgihost/sqlite.hpp>
#include <fcgihost/template.hpp>

#include <filesystem>
#include <memory>

namespace {

std::filesystem::path beside_binary(const std::string& name) {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return (ec ? std::filesystem::path(".") : exe.parent_path()) / name;
}

} // namespace

fh::App make_app() {
  fh::App app("notes");
  auto& config = app.config();
  config.load_from_env("APP_CONFIG_FILE", false);
  auto root = config.get("templates.root", "");
  auto templates = std::make_shared<fh::Templates>(root.empty() ? beside_binary("notes.templates")
                                                                : std::filesystem::path(root));
  app.use_database(fh::sqlite::DatabaseSettings::from_config(
      config, {"CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)"}));
  app.route(
      "/", {fh::GET},
      [templates](fh::Request& rq) {
        fh::TemplateDict d;
        auto st = rq.app().database().connection().query("SELECT text FROM notes ORDER BY id");
        int n = 0;
        while (st.step()) {
          d.add_section("NOTE").set("TEXT", st.get_text(0));
          ++n;
        }
        d.set("COUNT", n);
        return templates->render("notes.tpl", d);
      },
      "index");
  app.route(
      "/add", {fh::POST},
      [](fh::Request& rq) {
        rq.app().database().connection().execute("INSERT INTO notes (text) VALUES (?)",
                                                 rq.args().get("text").value_or(""));
        return fh::Response::text("added\n", 201);
      },
      "add");
  return app;
}
