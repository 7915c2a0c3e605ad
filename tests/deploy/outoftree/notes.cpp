// notes: the out-of-tree test app: a route, a template and SQLite. GET / lists the notes through
// templates/notes.tpl, POST /add?text=T stores one. Config (APP_CONFIG_FILE, or notes.ini beside
// the binary): db.path; templates.root (default notes.templates/ beside the binary).
#include <fcgihost/fcgihost.hpp>
#include <fcgihost/sqlite.hpp>
#include <fcgihost/template.hpp>

fh::App make_app() {
  fh::App app("notes");
  auto& config = app.config();
  config.load_from_env("APP_CONFIG_FILE", false);
  app.use_templates();
  app.use_database(fh::sqlite::DatabaseSettings::from_config(
      config, {"notes", {"CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)"}}));
  app.route(
      "/", {fh::GET},
      [](fh::Request& rq) {
        fh::TemplateDict d;
        auto st = rq.app().database().connection().query("SELECT text FROM notes ORDER BY id");
        int n = 0;
        while (st.step()) {
          d.add_section("NOTE").set("TEXT", st.get_text(0));
          ++n;
        }
        d.set("COUNT", n);
        return rq.app().templates().render("notes.tpl", d);
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
