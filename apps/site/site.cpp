// site: make_app() for the demo site (templates, cookies, sessions, login against the accounts
// database). Reads the shared INI config (APP_CONFIG_FILE or --config): session.secret, db.path,
// templates.root (default: site.templates beside the binary, where the build copies
// apps/site/templates), templates.strict. Without APP_CONFIG_FILE it reads site.ini beside the
// executable (how a CGI under a gateway finds it).
#include "site.hpp"

#include "signin.hpp" // the accounts schema, sign-in and the signed-in user

namespace site {
namespace {

// The error pages, for every HttpError (an uncaught exception arrives as a 500): the layout with
// error.tpl. No internals reach the client: only the status, its reason phrase and, below 500,
// the HttpError's short message. The api blueprint has JSON handlers of its own (api.cpp).
fh::Response error_page(fh::Request& rq, const fh::HttpError& e) {
  const int status = e.status();
  fh::TemplateDict body;
  body.set("STATUS", status).set("REASON", fh::reason_phrase(status));
  std::string detail = status == 404   ? "There is no page at " + rq.path() + "."
                       : status >= 500 ? std::string("Something went wrong on our side.")
                                       : std::string(e.what());
  body.set("DETAIL", detail);
  return render_page(rq, fh::reason_phrase(status), "error.tpl", std::move(body), status);
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

fh::Response render_page(fh::Request& rq, std::string_view title, std::string_view body_template,
                         fh::TemplateDict body, int status) {
  fh::TemplateDict layout;
  layout.set("TITLE", title);
  add_urls(layout, rq);
  add_urls(body, rq);
  if (const auto* user = accounts::signed_in(rq)) {
    layout.add_section("USER").set("USERNAME", user->name).set("CSRF", fh::csrf_token(rq));
  } else {
    layout.show_section("ANONYMOUS");
  }
  layout.include("BODY", body_template, std::move(body));
  return rq.render("layout.tpl", layout, status);
}

} // namespace site

fh::App make_app() {
  fh::App app("site");
  auto& config = app.config();
  // APP_CONFIG_FILE, from --config, the environment, or site.ini beside the binary (the front
  // ends set it: a CGI gateway passes no environment of its own).
  config.load_from_env("APP_CONFIG_FILE", false);
  app.use_templates(); // site.templates beside the binary, or config templates.root
  auto s = std::make_shared<site::Site>();
  s->cookie_max_age = config.get<long>("site.cookie_max_age", 3600L);
  s->password_cost = fh::PasswordCost::from_config(config);
  s->signin_limits = accounts::SigninLimits::from_config(config);

  app.use_sessions(fh::SessionSettings::from_config(config));
  // The accounts app's database and schema (whichever app opens it first migrates it).
  app.use_database(fh::sqlite::DatabaseSettings::from_config(config, accounts::migrations()));
  app.before_request(accounts::load_signed_in_user);
  site::register_pages(app, s);
  site::register_login(app, s);
  site::register_api(app);
  app.errorhandler<fh::HttpError>(site::error_page);
  return app;
}
