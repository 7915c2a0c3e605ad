// site: make_app() for the demo site (templates, cookies, sessions, login against the accounts
// database). Reads the shared INI config (APP_CONFIG_FILE or --config): session.secret, db.path,
// templates.root (default: the source tree's apps/site/templates), templates.strict. Without
// APP_CONFIG_FILE it reads site.ini beside the executable (how a CGI under a gateway finds it).
#include "site.hpp"

#include "accounts.hpp" // accounts::migrations(): the shared schema

#include <fcgihost/csrf.hpp>
#include <fcgihost/session.hpp>
#include <fcgihost/sqlite.hpp>

namespace site {
namespace {

// The custom error pages (404, 403, 405, 500): the layout with error.tpl. No internals reach the
// client: only the status, its reason phrase and, below 500, the HttpError's short message.
fh::ErrorHandler error_page(const SitePtr& s) {
  return [s](fh::Request& rq, const fh::HttpError& e) {
    const int status = e.status();
    fh::TemplateDict body;
    body.set("STATUS", status).set("REASON", fh::reason_phrase(status));
    std::string detail = status == 404   ? "There is no page at " + rq.path() + "."
                         : status >= 500 ? std::string("Something went wrong on our side.")
                                         : std::string(e.what());
    body.set("DETAIL", detail);
    return render_page(*s, rq, fh::reason_phrase(status), "error.tpl", std::move(body), status);
  };
}

} // namespace

void add_urls(fh::TemplateDict& d, const fh::Request& rq) {
  d.set("HOME_URL", rq.url_for("home"))
      .set("PAGE_URL", rq.url_for("page"))
      .set("GREET_URL", rq.url_for("greet"))
      .set("COOKIE_URL", rq.url_for("cookie"))
      .set("REQUEST_URL", rq.url_for("request"))
      .set("COUNTER_URL", rq.url_for("counter"))
      .set("LOGIN_URL", rq.url_for("login"))
      .set("LOGOUT_URL", rq.url_for("logout"));
}

fh::Response render_page(const Site& site, fh::Request& rq, std::string_view title,
                         std::string_view body_template, fh::TemplateDict body, int status) {
  fh::TemplateDict layout;
  layout.set("TITLE", title);
  add_urls(layout, rq);
  add_urls(body, rq);
  if (const auto user = signed_in_user(rq)) {
    layout.add_section("USER").set("USERNAME", *user).set("CSRF", fh::csrf_token(rq));
  } else {
    layout.show_section("ANONYMOUS");
  }
  layout.include("BODY", body_template, std::move(body));
  return site.templates.render("layout.tpl", layout, status);
}

} // namespace site

fh::App make_app() {
  fh::App app("site");
  auto& config = app.config();
  // APP_CONFIG_FILE, from --config, the environment, or site.ini beside the binary (the front
  // ends set it: a CGI gateway passes no environment of its own).
  config.load_from_env("APP_CONFIG_FILE", false);
  fh::TemplateOptions options;
  options.strict = config.get<bool>("templates.strict", true);
  auto s = std::make_shared<site::Site>(config.get("templates.root", FH_SITE_TEMPLATES), options);
  s->cookie_max_age = config.get<long>("site.cookie_max_age", 3600L);
  s->dummy_hash = site::dummy_hash(config);

  app.use_sessions(fh::SessionSettings::from_config(config));
  // The accounts app's database and schema (whichever app opens it first migrates it).
  app.use_database(fh::sqlite::DatabaseSettings::from_config(config, accounts::migrations()));
  site::register_pages(app, s);
  site::register_login(app, s);
  for (int status : {403, 404, 405, 500})
    app.errorhandler(status, site::error_page(s));
  return app;
}
